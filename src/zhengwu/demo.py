"""``zhengwu demo``: a fresh database with the seed's bodies and one user for each role.

Each story adds its records as one further step: the requests story (``zhengwu.requests.demo``), the inspection story
(``zhengwu.inspection.demo``), the valuation story (``zhengwu.valuation.demo``), the finance story
(``zhengwu.finance.demo``); later issues add patents ….
"""

from __future__ import annotations

from datetime import UTC, datetime

from zhengwu.core import crypto
from zhengwu.core.clock import FakeClock
from zhengwu.core.db import Actor, Database, UnitOfWork
from zhengwu.core.matters.supervision import SUPERVISION_LIST, SUPERVISION_REPORT, SUPERVISION_SIGNOFF
from zhengwu.core.migrate import drop_everything, upgrade
from zhengwu.core.org.model import (
    AUDIT_VIEW,
    CALENDAR_MANAGE,
    ROLE_MANAGE,
    UNIT_MANAGE,
    UNIT_VIEW,
    USER_MANAGE,
    USER_VIEW,
    Scope,
)
from zhengwu.core.org.seeding import seed_people
from zhengwu.core.settings import Settings
from zhengwu.finance.demo import seed_finance
from zhengwu.finance.model import ALL_FINANCE
from zhengwu.inspection.demo import seed_inspection
from zhengwu.inspection.people import ALL_INSPECTION
from zhengwu.requests import model as rq
from zhengwu.requests.demo import seed_requests
from zhengwu.valuation.demo import seed_valuation
from zhengwu.valuation.model import ALL_VALUATION

DEMO_START = datetime(2024, 1, 2, 0, 0, tzinfo=UTC)  # 08:00 Beijing time

# code, name, kind, parent code — the seed's bodies (湖南日报, 2024) and enough neighbours to show scopes.
UNITS: list[tuple[str, str, str, str | None]] = [
    ("hn", "湖南省", "government", None),
    ("xx", "湘西土家族苗族自治州", "government", "hn"),
    ("xx-jw", "湘西州纪委监委", "commission", "xx"),
    ("fh", "凤凰县", "government", "xx"),
    ("fh-jw", "凤凰县纪委监委", "commission", "fh"),
    ("fh-gl", "凤凰县公路建设养护中心", "centre", "fh"),
    ("fh-wj", "凤凰县卫生健康局", "department", "fh"),
    ("fh-jy", "凤凰县教育局", "department", "fh"),
    ("fh-ny", "凤凰县农业农村局", "department", "fh"),
    ("fh-mz", "凤凰县民政局", "department", "fh"),
    ("fh-les", "腊尔山镇", "town", "fh"),
    ("fh-sj", "山江镇", "town", "fh"),
    ("js", "吉首市", "government", "xx"),
    ("js-jw", "吉首市纪委监委", "commission", "js"),
    ("js-gl", "吉首市公路建设养护中心", "centre", "js"),
    ("cs", "长沙市", "government", "hn"),
    ("cs-xcb", "长沙市委巡察办", "office", "cs"),
    ("cs-ip", "长沙市知识产权局", "department", "cs"),
    ("cs-xj", "湘江新区", "government", "cs"),
    ("xt", "湘潭市", "government", "hn"),
    ("xt-ipc", "湘潭市知识产权保护中心", "centre", "xt"),
]

ALL_CORE = (UNIT_VIEW, UNIT_MANAGE, USER_VIEW, USER_MANAGE, ROLE_MANAGE, CALENDAR_MANAGE, AUDIT_VIEW)
#: Every action of the requests system and of supervision: the administrator holds them all, and every inspection
#: action too, so that it may hand out any seed role and any refusal it meets comes from validation, not permission
#: (a reveal of a reporter, a view of a lead stay audited whoever makes them).
ALL_REQUESTS = (
    rq.VIEW,
    rq.RECEIVE,
    rq.ACCEPT,
    rq.DISPATCH,
    rq.SIGN,
    rq.HANDLE,
    rq.CALLBACK,
    rq.EXTEND,
    rq.PAUSE,
    rq.REVEAL_REPORTER,
    rq.CATEGORY_MANAGE,
    rq.PROJECT_MANAGE,
    rq.CAMPAIGN_MANAGE,
    SUPERVISION_LIST,
    SUPERVISION_SIGNOFF,
    SUPERVISION_REPORT,
)

# code, name, description, grants
ROLES: list[tuple[str, str, str, list[tuple[str, Scope]]]] = [
    (
        "admin",
        "系统管理员",
        "维护单位、用户、角色与节假日，维护诉求分类",
        [(a, Scope.ALL) for a in (*ALL_CORE, *ALL_REQUESTS, *ALL_INSPECTION, *ALL_VALUATION, *ALL_FINANCE)],
    ),
    (
        "unit_admin",
        "单位管理员",
        "管理本单位及下级单位的单位和用户",
        [
            (UNIT_VIEW, Scope.SUBTREE),
            (UNIT_MANAGE, Scope.SUBTREE),
            (USER_VIEW, Scope.SUBTREE),
            (USER_MANAGE, Scope.SUBTREE),
        ],
    ),
    (
        "supervisor",
        "督办人员",
        "纪委监委督办：查看本级及下级单位",
        [(UNIT_VIEW, Scope.SUBTREE), (USER_VIEW, Scope.SUBTREE)],
    ),
    (
        "commission",
        "纪委监委诉求督办",
        "纪委监委督办：登记群众反映，查看辖区诉求与反映人，挂牌督办、销号，组织专项行动",
        [
            (UNIT_VIEW, Scope.SUBTREE),
            (USER_VIEW, Scope.SUBTREE),
            # A commission watches units outside its own subtree (the county's bureaus are its siblings' children),
            # which no narrower scope expresses: it sees every request, and lists and signs off as its own unit.
            (rq.VIEW, Scope.ALL),
            (rq.REVEAL_REPORTER, Scope.ALL),
            (rq.RECEIVE, Scope.UNIT),
            (rq.CAMPAIGN_MANAGE, Scope.UNIT),
            (SUPERVISION_LIST, Scope.UNIT),
            (SUPERVISION_SIGNOFF, Scope.UNIT),
        ],
    ),
    (
        "hotline",
        "热线受理员",
        "12345 热线：登记、受理、派单、审批延期与回访本县（市）诉求",
        [
            (UNIT_VIEW, Scope.SUBTREE),
            (rq.VIEW, Scope.SUBTREE),
            (rq.RECEIVE, Scope.UNIT),
            (rq.ACCEPT, Scope.SUBTREE),
            (rq.DISPATCH, Scope.SUBTREE),
            (rq.CALLBACK, Scope.SUBTREE),
            (rq.EXTEND, Scope.SUBTREE),
            (rq.PAUSE, Scope.SUBTREE),
        ],
    ),
    ("clerk", "经办人员", "承办单位经办：查看本单位", [(UNIT_VIEW, Scope.UNIT), (USER_VIEW, Scope.SELF)]),
    (
        "request_handler",
        "诉求承办人员",
        "承办单位：签收、办理本单位的群众诉求，维护整改项目，报送督办进展",
        [
            (UNIT_VIEW, Scope.UNIT),
            (USER_VIEW, Scope.SELF),
            (rq.VIEW, Scope.UNIT),
            (rq.SIGN, Scope.UNIT),
            (rq.HANDLE, Scope.UNIT),
            (rq.PROJECT_MANAGE, Scope.UNIT),
            (SUPERVISION_REPORT, Scope.UNIT),
        ],
    ),
    (
        "auditor",
        "审计员",
        "查看审计日志与全部单位、用户",
        [(AUDIT_VIEW, Scope.ALL), (UNIT_VIEW, Scope.ALL), (USER_VIEW, Scope.ALL)],
    ),
]

# username, name, unit code, role code
USERS: list[tuple[str, str, str, str]] = [
    ("admin", "系统管理员", "hn", "admin"),
    ("auditor", "审计员", "hn", "auditor"),
    ("xx_jw", "州纪委督办员", "xx-jw", "commission"),
    ("fh_jw", "县纪委督办员", "fh-jw", "commission"),
    ("fh_admin", "凤凰县管理员", "fh", "unit_admin"),
    ("fh_rx", "县12345热线受理员", "fh", "hotline"),
    ("fh_gl", "养护中心经办人", "fh-gl", "clerk"),
    ("fh_road", "养护中心诉求承办人", "fh-gl", "request_handler"),
    ("fh_weijian", "卫健局诉求承办人", "fh-wj", "request_handler"),
    ("fh_jiaoyu", "教育局诉求承办人", "fh-jy", "request_handler"),
    ("fh_nongye", "农业农村局诉求承办人", "fh-ny", "request_handler"),
    ("fh_minzheng", "民政局诉求承办人", "fh-mz", "request_handler"),
    ("fh_les", "腊尔山镇诉求承办人", "fh-les", "request_handler"),
    ("fh_sj", "山江镇诉求承办人", "fh-sj", "request_handler"),
    ("js_admin", "吉首市管理员", "js", "unit_admin"),
    ("cs_xcb", "巡察办经办人", "cs-xcb", "clerk"),
    ("cs_ip", "知识产权局经办人", "cs-ip", "clerk"),
    ("xt_ipc", "保护中心经办人", "xt-ipc", "clerk"),
]


def reset_database(db: Database) -> None:
    drop_everything(db.engine)
    upgrade(db.engine)


def seed_core(uow: UnitOfWork, password: str) -> list[tuple[str, str, str, str]]:
    """The seed's bodies, the core roles and one user for each; returns the logins."""
    return seed_people(uow, password, UNITS, ROLES, USERS)


def build_demo(settings: Settings) -> list[tuple[str, str, str, str]]:
    path = settings.sqlite_path()
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
    # The demo's clock starts on the first working day of 2024; the requests story moves it event by event.
    clock = FakeClock(DEMO_START)
    db = Database(settings.database_url, clock, crypto.Keyring.from_settings(settings))
    try:
        reset_database(db)
        with db.uow(Actor(None, "演示数据")) as uow:
            logins = seed_core(uow, settings.demo_password)
            uow.commit()
        seed_requests(db, clock)
        logins += seed_inspection(db, clock, settings.demo_password)
        logins += seed_valuation(db, clock, settings.demo_password)
        logins += seed_finance(db, settings.demo_password)
    finally:
        db.dispose()
    return logins
