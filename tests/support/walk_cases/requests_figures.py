"""Permission cases of the hotline's figures and hot spots: the pages, the xlsx export and the JSON API.

The area's records: two requests received by the 凤凰县 hotline on the walk's day, 200 m apart on S256 and
dispatched to 凤凰县公路建设养护中心, so that the centre shows in the figures by unit and the two form a hot spot
for 凤凰县's readers, and for 吉首's outsider neither does.
"""

from __future__ import annotations

from sqlalchemy import select

from tests.support.walk import Call, Case
from zhengwu.core.db import Actor, Database
from zhengwu.core.org.auth import load_principal
from zhengwu.core.org.tables import Unit, User

SPOT_TITLE = "热点权限测试"
CENTRE = "凤凰县公路建设养护中心"


def _case(url: str, hidden: str) -> Case:
    return Case(
        "requests.view",
        lambda i: Call("GET", url),
        "r_hotline",
        outsider="r_outsider",
        hidden=lambda i: hidden,
    )


CASES: dict[tuple[str, str], Case] = {
    ("GET", "/requests/figures"): _case("/requests/figures", CENTRE),
    ("GET", "/requests/figures/export.xlsx"): _case("/requests/figures/export.xlsx", CENTRE),
    ("GET", "/requests/hotspots"): _case("/requests/hotspots", SPOT_TITLE),
    ("GET", "/api/v1/requests/figures"): _case("/api/v1/requests/figures", CENTRE),
    ("GET", "/api/v1/requests/hotspots"): _case("/api/v1/requests/hotspots", SPOT_TITLE),
}


def prepare(db: Database) -> None:
    """Two requests 200 m apart on S256, dispatched to the centre (the people and categories come from
    ``requests_intake.prepare``, which runs first)."""
    from zhengwu.requests import service as requests

    with db.uow(Actor(None, "测试数据")) as uow:
        s = uow.session
        hotline = load_principal(s, s.scalar(select(User.id).where(User.username == "r_hotline")) or 0)
        centre = s.scalar(select(Unit.id).where(Unit.code == "fh-gl")) or 0
        road = requests.category_by_code(s, "traffic.road").id
        for km in ("K12+300", "K12+500"):
            made = requests.receive_request(
                uow,
                hotline,
                channel="phone",
                type="complaint",
                category_id=road,
                title=SPOT_TITLE,
                description=f"S256 {km} 路面坑槽",
                road_code="S256",
                km_from=km,
                km_to=km,
                reporter_phone="13900000001",
            )
            requests.accept(uow, hotline, made.id)
            requests.dispatch(uow, hotline, made.id, unit_id=centre)
        uow.commit()
