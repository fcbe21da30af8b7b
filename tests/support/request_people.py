"""Users with roles in the requests system, the seed categories and a test data key, for the requests tests.

The county hotline (凤凰县) receives, accepts, dispatches and calls back; the road maintenance centre and the health
bureau sign for and handle (the road centre also reports supervision progress); the county commission may reveal
reporters, and lists requests for supervision and signs them off; 吉首 holds every grant over its own subtree.
r_projects (road centre) keeps rectification projects, r_campaigns (凤凰县) special actions; r_js_works holds both over
吉首.
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from tests.conftest import principal
from tests.support.people import People, add_users
from zhengwu.core import crypto
from zhengwu.core.db import Actor, Database
from zhengwu.core.matters.supervision import SUPERVISION_LIST, SUPERVISION_REPORT, SUPERVISION_SIGNOFF
from zhengwu.core.org.model import Principal
from zhengwu.requests import model
from zhengwu.requests import service as requests
from zhengwu.requests.service.categories import category_by_code

TZ = ZoneInfo("Asia/Shanghai")
SYSTEM = Actor(None, "测试")
KEY = bytes(range(32))
EVERY = (
    model.VIEW,
    model.RECEIVE,
    model.ACCEPT,
    model.DISPATCH,
    model.SIGN,
    model.HANDLE,
    model.CALLBACK,
    model.EXTEND,
    model.PAUSE,
)

#: username → (unit code, grants)
PEOPLE: dict[str, tuple[str, list[tuple[str, str]]]] = {
    "r_hotline": (
        "fh",
        [
            (model.VIEW, "subtree"),
            (model.RECEIVE, "unit"),
            (model.ACCEPT, "subtree"),
            (model.DISPATCH, "subtree"),
            (model.CALLBACK, "subtree"),
            (model.EXTEND, "subtree"),
        ],
    ),
    "r_road": (
        "fh-gl",
        [(model.VIEW, "unit"), (model.SIGN, "unit"), (model.HANDLE, "unit"), (SUPERVISION_REPORT, "unit")],
    ),
    "r_health": ("fh-wj", [(model.VIEW, "unit"), (model.SIGN, "unit"), (model.HANDLE, "unit")]),
    "r_commission": (
        "fh-jw",
        [
            (model.VIEW, "all"),
            (model.REVEAL_REPORTER, "all"),
            (SUPERVISION_LIST, "unit"),
            (SUPERVISION_SIGNOFF, "unit"),
        ],
    ),
    "r_outsider": ("js", [(a, "subtree") for a in (*EVERY, model.REVEAL_REPORTER)]),
    "r_admin": ("hn", [(model.CATEGORY_MANAGE, "all")]),
    "r_projects": ("fh-gl", [(model.VIEW, "unit"), (model.PROJECT_MANAGE, "unit")]),
    "r_campaigns": ("fh", [(model.VIEW, "subtree"), (model.CAMPAIGN_MANAGE, "subtree")]),
    "r_js_works": ("js", [(a, "subtree") for a in (model.VIEW, model.PROJECT_MANAGE, model.CAMPAIGN_MANAGE)]),
}


def at(y: int, m: int, d: int, h: int = 10, minute: int = 0) -> datetime:
    """An instant given in Beijing time, as UTC."""
    return datetime(y, m, d, h, minute, tzinfo=TZ).astimezone(UTC)


def end_of(y: int, m: int, d: int) -> datetime:
    return datetime(y, m, d, 23, 59, 59, 999999, tzinfo=TZ).astimezone(UTC)


def setup(db: Database, extra: People | None = None) -> dict[str, Principal]:
    """Install the test key, make sure the seed categories exist (PostgreSQL tests empty every table) and create
    the people (PEOPLE and ``extra``); returns their principals."""
    crypto.install(db.engine, crypto.Keyring(KEY))
    everyone = {**PEOPLE, **(extra or {})}
    with db.uow(SYSTEM) as uow:
        requests.seed_categories(uow)
        add_users(uow, everyone, "Secret123", "role_")
        uow.commit()
    return {name: principal(db, name) for name in everyone}


def category(db: Database, code: str) -> int:
    with db.reading() as s:
        return category_by_code(s, code).id
