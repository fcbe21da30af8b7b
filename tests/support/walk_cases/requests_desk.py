"""Permission cases of a request's own page and its typed hotline steps (``/api/v1/requests/{id}/…``).

The area's records: one request of the 凤凰县 hotline in each state a step starts from — received, accepted,
dispatched to 凤凰县公路建设养护中心, handling there, resolved — titled ``办理权限测试·<state>``. The people and
categories come from ``requests_intake.prepare``, which runs first.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.support.walk import Call, Case, Ids
from zhengwu.core.db import Actor, Database
from zhengwu.core.org.auth import load_principal
from zhengwu.core.org.tables import Unit, User
from zhengwu.requests.tables import RequestMatter

TITLE = "办理权限测试·"
STATES = ("received", "accepted", "dispatched", "handling", "resolved")
API = "/api/v1/requests"


def _step(step: str, state: str, granted: str, action: str, body: Any = None) -> Case:
    return Case(
        action,
        lambda i: Call(
            "POST",
            f"{API}/{i[f'desk:{state}']}/{step}",
            json={"version": i[f"v:desk:{state}"], **(body(i) if body else {})},
        ),
        granted,
        outsider="r_outsider",
        notes=f"a request {state}: the outsider (吉首) holds the grant but cannot see it",
    )


CASES: dict[tuple[str, str], Case] = {
    ("GET", "/requests/{request_id:int}"): Case(
        "requests.view",
        lambda i: Call("GET", f"/requests/{i['desk:received']}"),
        "r_hotline",
        outsider="r_outsider",
    ),
    ("GET", "/api/v1/requests/{request_id}/history"): Case(
        "requests.view",
        lambda i: Call("GET", f"{API}/{i['desk:received']}/history"),
        "r_hotline",
        outsider="r_outsider",
    ),
    ("POST", "/api/v1/requests/{request_id}/accept"): _step("accept", "received", "r_hotline", "requests.accept"),
    ("POST", "/api/v1/requests/{request_id}/decline"): _step(
        "decline", "received", "r_hotline", "requests.accept", lambda i: {"reason": "duplicate", "note": "重复反映"}
    ),
    ("POST", "/api/v1/requests/{request_id}/dispatch"): _step(
        "dispatch", "accepted", "r_hotline", "requests.dispatch", lambda i: {"unit_id": i["desk:fh-gl"]}
    ),
    ("POST", "/api/v1/requests/{request_id}/send-back"): _step(
        "send-back", "dispatched", "r_road", "requests.sign", lambda i: {"reason": "不属本单位职责"}
    ),
    ("POST", "/api/v1/requests/{request_id}/sign"): _step("sign", "dispatched", "r_road", "requests.sign"),
    ("POST", "/api/v1/requests/{request_id}/progress"): _step(
        "progress", "handling", "r_road", "requests.handle", lambda i: {"note": "已勘测"}
    ),
    ("POST", "/api/v1/requests/{request_id}/resolve"): _step(
        "resolve", "handling", "r_road", "requests.handle", lambda i: {"result": "已修补", "difficulties_solved": 1}
    ),
    ("POST", "/api/v1/requests/{request_id}/call-back"): _step(
        "call-back", "resolved", "r_hotline", "requests.callback", lambda i: {"solved": True, "satisfied": True}
    ),
}


def prepare(db: Database) -> None:
    """One request in each state a step starts from."""
    from zhengwu.requests import service as requests

    with db.uow(Actor(None, "测试数据")) as uow:
        s = uow.session
        hotline = load_principal(s, s.scalar(select(User.id).where(User.username == "r_hotline")) or 0)
        road = load_principal(s, s.scalar(select(User.id).where(User.username == "r_road")) or 0)
        centre = s.scalar(select(Unit.id).where(Unit.code == "fh-gl")) or 0
        category = requests.category_by_code(s, "traffic.road").id
        for depth, state in enumerate(STATES):
            made = requests.receive_request(
                uow,
                hotline,
                channel="phone",
                type="complaint",
                category_id=category,
                title=TITLE + state,
                description="S256 路面坑槽",
                reporter_phone="13900000002",
            )
            steps = [
                lambda m: requests.accept(uow, hotline, m),
                lambda m: requests.dispatch(uow, hotline, m, unit_id=centre),
                lambda m: requests.sign(uow, road, m),
                lambda m: requests.resolve(uow, road, m, result="已修补"),
            ]
            for take in steps[:depth]:
                take(made.id)
        uow.commit()


def ids(session: Session) -> Ids:
    found: Ids = {"desk:fh-gl": session.scalar(select(Unit.id).where(Unit.code == "fh-gl"))}
    for id_, title, version in session.execute(
        select(RequestMatter.id, RequestMatter.title, RequestMatter.version).where(
            RequestMatter.title.startswith(TITLE)
        )
    ):
        state = title.removeprefix(TITLE)
        found[f"desk:{state}"], found[f"v:desk:{state}"] = id_, version
    return found
