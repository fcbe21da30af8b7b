"""People for the supervision and tick tests, on the three-step test kind (tests/support/three_step.py).

凤凰县公路建设养护中心 (fh-gl) owns the matters; 凤凰县纪委监委 (fh-jw) and 湘西州纪委监委 (xx-jw) supervise them;
吉首市 (js) is outside. Each user gets a role of their own holding exactly the grants listed.
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from tests.conftest import principal, unit_id
from tests.support import three_step
from tests.support.matter_people import add_people as add_users
from zhengwu.core.db import Actor, Database
from zhengwu.core.matters import service
from zhengwu.core.matters.supervision import SUPERVISION_LIST, SUPERVISION_REPORT, SUPERVISION_SIGNOFF
from zhengwu.core.org.model import Principal

TZ = ZoneInfo("Asia/Shanghai")
SYSTEM = Actor(None, "测试")

#: username → (unit code, grants)
PEOPLE: dict[str, tuple[str, list[tuple[str, str]]]] = {
    "s_clerk": ("fh", [(three_step.VIEW, "subtree"), (three_step.CREATE, "subtree")]),
    "s_handler": (
        "fh-gl",
        [
            (three_step.VIEW, "unit"),
            (three_step.ACCEPT, "unit"),
            (three_step.RESOLVE, "unit"),
            (SUPERVISION_REPORT, "unit"),
        ],
    ),
    # The county commission: sees every test matter, lists and signs off in its own name.
    "s_county": (
        "fh-jw",
        [
            (three_step.VIEW, "all"),
            (three_step.PAUSE, "all"),
            (SUPERVISION_LIST, "unit"),
            (SUPERVISION_SIGNOFF, "unit"),
        ],
    ),
    # A county commission clerk who may list but not sign off.
    "s_county_clerk": ("fh-jw", [(three_step.VIEW, "all"), (SUPERVISION_LIST, "unit")]),
    # A county commission signer with no view of the kind: sees the commission's listings, not the matters.
    "s_signer": ("fh-jw", [(SUPERVISION_SIGNOFF, "unit")]),
    "s_prefecture": ("xx-jw", [(three_step.VIEW, "all"), (SUPERVISION_LIST, "unit"), (SUPERVISION_SIGNOFF, "unit")]),
    "s_outsider": (
        "js",
        [(three_step.VIEW, "subtree"), (SUPERVISION_LIST, "unit"), (SUPERVISION_REPORT, "subtree")],
    ),
}


def at(y: int, m: int, d: int, h: int = 10, minute: int = 0) -> datetime:
    """A Beijing wall-clock time, as the UTC instant the database keeps."""
    return datetime(y, m, d, h, minute, tzinfo=TZ).astimezone(UTC)


def end_of(y: int, m: int, d: int) -> datetime:
    return datetime(y, m, d, 23, 59, 59, 999999, tzinfo=TZ).astimezone(UTC)


def add_people(db: Database) -> dict[str, Principal]:
    """Create the test kind's table and the users of PEOPLE; return their principals."""
    add_users(db, PEOPLE)
    return {username: principal(db, username) for username in PEOPLE}


def open_matter(
    db: Database, people: dict[str, Principal], *, accept: bool = True, title: str = "S256 路面湿滑"
) -> int:
    """A matter of 凤凰县公路建设养护中心 received now (by the database's clock), signed for unless told not to."""
    with db.uow(SYSTEM) as uow:
        matter = service.open_matter(
            uow, people["s_clerk"], three_step.KIND, title=title, owner_unit_id=unit_id(db, "fh-gl")
        )
        uow.commit()
    if accept:
        with db.uow(SYSTEM) as uow:
            service.act(uow, people["s_handler"], three_step.KIND, matter.id, "accept")
            uow.commit()
    return matter.id


def resolve(db: Database, people: dict[str, Principal], matter_id: int) -> None:
    with db.uow(SYSTEM) as uow:
        service.act(
            uow,
            people["s_handler"],
            three_step.KIND,
            matter_id,
            "resolve",
            note="已处置",
            data={"result": "隐患已排除"},
        )
        uow.commit()
