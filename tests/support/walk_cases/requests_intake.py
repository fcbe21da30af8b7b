"""Permission cases of the requests system's intake: the clerk's form, the reporter reveal and the intake API.

The area's records: the requests people (with the walk's password) and one request received by the 凤凰县 hotline.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.conftest import PASSWORD
from tests.support.walk import Call, Case, Ids
from zhengwu.core.db import Actor, Database
from zhengwu.core.org.auth import load_principal
from zhengwu.core.org.tables import User
from zhengwu.requests.tables import RequestCategory, RequestMatter

REQ_PHONE = "13812345678"  # the walk request's reporter: never shown to an outsider


def request_form(i: Ids) -> dict[str, Any]:
    return {
        "channel": "phone",
        "type": "complaint",
        "category_id": i["cat:traffic.road"],
        "description": "权限测试诉求",
        "reporter_phone": "13900000000",
    }


CASES: dict[tuple[str, str], Case] = {
    ("GET", "/requests/new"): Case("requests.receive", lambda i: Call("GET", "/requests/new"), "r_hotline"),
    ("POST", "/requests/new"): Case(
        "requests.receive", lambda i: Call("POST", "/requests/new", data=request_form(i)), "r_hotline", ok=(303,)
    ),
    ("GET", "/requests/{request_id}/reporter"): Case(
        "requests.reveal_reporter",
        lambda i: Call("GET", f"/requests/{i['request']}/reporter"),
        "r_commission",
        outsider="r_outsider",
    ),
    ("POST", "/requests/{request_id}/reporter"): Case(
        "requests.reveal_reporter",
        lambda i: Call("POST", f"/requests/{i['request']}/reporter"),
        "r_commission",
        outsider="r_outsider",
    ),
    ("POST", "/api/v1/requests"): Case(
        "requests.receive",
        lambda i: Call("POST", "/api/v1/requests", json={**request_form(i), "category_id": i["cat:traffic.road"]}),
        "r_hotline",
        ok=(201,),
    ),
    ("GET", "/api/v1/requests/categories"): Case(
        "requests.view", lambda i: Call("GET", "/api/v1/requests/categories"), "r_road"
    ),
    ("GET", "/api/v1/requests/{request_id}"): Case(
        "requests.view", lambda i: Call("GET", f"/api/v1/requests/{i['request']}"), "r_hotline", outsider="r_outsider"
    ),
    ("POST", "/api/v1/requests/{request_id}/reporter"): Case(
        "requests.reveal_reporter",
        lambda i: Call("POST", f"/api/v1/requests/{i['request']}/reporter"),
        "r_commission",
        outsider="r_outsider",
    ),
}


def prepare(db: Database) -> None:
    """The requests people (with the walk's password) and one request received by the 凤凰县 hotline. The SQLite
    template gets the data key create_app derives from the test settings; PostgreSQL already has the app's."""
    from tests.support.people import add_users
    from tests.support.request_people import PEOPLE
    from zhengwu.core import crypto
    from zhengwu.requests import service as requests

    if crypto.installed(db.engine) is None:
        crypto.install(db.engine, crypto.Keyring(crypto.derive_key("test-secret")))
    with db.uow(Actor(None, "测试数据")) as uow:
        requests.seed_categories(uow)
        add_users(uow, PEOPLE, PASSWORD, "role_")
        uow.commit()
    with db.uow(Actor(None, "测试数据")) as uow:
        hotline = load_principal(
            uow.session, uow.session.scalar(select(User.id).where(User.username == "r_hotline")) or 0
        )
        requests.receive_request(
            uow,
            hotline,
            channel="phone",
            type="complaint",
            category_id=requests.category_by_code(uow.session, "traffic.road").id,
            description="S256 路面坑槽",
            reporter_name="张三丰",
            reporter_phone=REQ_PHONE,
        )
        uow.commit()


def ids(session: Session) -> Ids:
    found: Ids = {"request": session.scalar(select(RequestMatter.id))}
    found.update({f"cat:{c}": i for c, i in session.execute(select(RequestCategory.code, RequestCategory.id))})
    return found
