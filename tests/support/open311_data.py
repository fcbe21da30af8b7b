"""Records for the Open311 tests: an Open311 client account with an API key, a key without the grant, and a set of
requests covering what the public GETs must and must not publish.

Published (public channel, not a 举报): ``open_road`` (Open311, S256, the seed's day), ``closed_health`` (public web
form, resolved), ``declined`` (web, declined as a duplicate: its text is withheld), ``old`` (Open311, 120 days
earlier: outside the default 90-day window). Never published: ``phone`` (a clerk's phone entry) and ``report``
(a 举报 through Open311).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from tests.support.request_people import SYSTEM, at, setup
from zhengwu.core.db import Database
from zhengwu.core.org import auth
from zhengwu.core.org.model import Principal
from zhengwu.core.org.tables import Unit, User
from zhengwu.requests import model
from zhengwu.requests import service as requests
from zhengwu.requests.service.categories import category_by_code

PHONE = "13812345678"
NAME = "张三丰"
#: username → (unit code, grants): the machine account of an Open311 client, and one without the intake grant.
CLIENTS = {
    "o311_client": ("fh", [(model.RECEIVE, "unit")]),
    "o311_viewer": ("fh", [(model.VIEW, "subtree")]),
}
SEED_DAY = at(2024, 6, 20, 9)


def keys(db: Database) -> dict[str, str]:
    """A fresh API key for each Open311 account (the clear key is only known at creation)."""
    out = {}
    with db.uow(SYSTEM) as uow:
        for username in CLIENTS:
            user_id = uow.session.scalar(select(User.id).where(User.username == username))
            assert user_id is not None
            _, out[username] = auth.create_api_token(uow, user_id, "Open311 测试", None)
        uow.commit()
    return out


def seed(db: Database) -> dict[str, int]:
    """The people, the two accounts and the requests described above; returns the requests' ids by name."""
    people = setup(db, CLIENTS)
    hotline, health = people["r_hotline"], people["r_health"]
    ids: dict[str, int] = {}

    def receive(name: str, p: Principal, when: datetime, **fields: object) -> None:
        with db.uow(SYSTEM) as uow:
            fields.setdefault("type", "complaint")
            fields.setdefault("category_id", category_by_code(uow.session, "traffic.road").id)
            created = requests.receive_request(uow, p, received_at=when, **fields)  # type: ignore[arg-type]
            uow.commit()
            ids[name] = created.id

    receive(
        "open_road",
        hotline,
        SEED_DAY,
        channel="open311",
        description=f"S256 拉尔山段路面湿滑，多处坑槽。联系电话 {PHONE}",
        address="拉尔山乌巢河至大马段",
        road_code="S256",
        km_from="K12+300",
        km_to="K27+900",
        latitude=27.95,
        longitude=109.6,
        reporter_name=NAME,
        reporter_phone=PHONE,
    )
    with db.uow(SYSTEM) as uow:
        health_cat = category_by_code(uow.session, "health").id
    receive(
        "closed_health",
        hotline,
        SEED_DAY - timedelta(days=10),
        channel="web",
        type="help",
        category_id=health_cat,
        description="乡镇卫生院夜间无人值班",
        anonymous=True,
    )
    receive(
        "declined", hotline, SEED_DAY - timedelta(days=5), channel="web", description="重复反映的内容", anonymous=True
    )
    receive("old", hotline, SEED_DAY - timedelta(days=120), channel="open311", description="旧诉求", anonymous=True)
    receive(
        "phone", hotline, SEED_DAY - timedelta(days=1), channel="phone", description="电话反映", reporter_phone=PHONE
    )
    receive(
        "report",
        hotline,
        SEED_DAY - timedelta(days=2),
        channel="open311",
        type="report",
        description="举报内容",
        anonymous=True,
    )
    with db.uow(SYSTEM) as uow:
        fh_wj = uow.session.scalar(select(Unit.id).where(Unit.code == "fh-wj"))
        assert fh_wj is not None
        rid = ids["closed_health"]
        requests.accept(uow, hotline, rid)
        requests.dispatch(uow, hotline, rid, unit_id=fh_wj)
        requests.sign(uow, health, rid)
        requests.resolve(uow, health, rid, result="已安排夜班值守")
        requests.decline(uow, hotline, ids["declined"], reason="duplicate", note="与前件重复")
        uow.commit()
    return ids
