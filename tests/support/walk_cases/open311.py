"""Permission cases of Open311 GeoReport v2 (/open311/v2/): every GET is public by the spec; POST requests needs
the ``api_key`` of a user holding ``requests.receive`` and no login, so it is "public" with a key in the form.
What a key without the grant, a revoked key or no key get (the spec's 403) is tested in tests/e2e/test_open311.py.

The area's records: the Open311 machine account ``o311_walk`` (凤凰县, ``requests.receive``) with an API key, and
one request it posted through Open311 (so it is published). The clear key is only known when it is created, so
the walk keeps it in the token's name, where ``ids`` finds it on either engine.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.conftest import PASSWORD
from tests.support.walk import Call, Case, Ids
from zhengwu.core.db import Actor, Database
from zhengwu.core.org.tables import ApiToken, User
from zhengwu.requests.tables import RequestMatter

V2 = "/open311/v2"
ACCOUNT = "o311_walk"
TEXT = "权限测试：S256 拉尔山段路面湿滑（Open311）"


def post_form(i: Ids) -> dict[str, str]:
    return {
        "api_key": i["o311:key"],
        "service_code": "traffic.road",
        "lat": "27.95",
        "long": "109.6",
        "description": "权限测试：S256 路面坑槽",
        "attribute[road_code]": "S256",
    }


CASES: dict[tuple[str, str], Case] = {
    ("GET", f"{V2}/discovery.{{fmt}}"): Case("public", lambda i: Call("GET", f"{V2}/discovery.xml")),
    ("GET", f"{V2}/services.{{fmt}}"): Case("public", lambda i: Call("GET", f"{V2}/services.json")),
    ("GET", f"{V2}/services/{{service_code}}.{{fmt}}"): Case(
        "public", lambda i: Call("GET", f"{V2}/services/traffic.road.xml")
    ),
    ("GET", f"{V2}/requests.{{fmt}}"): Case(
        "public", lambda i: Call("GET", f"{V2}/requests.json?status=open&service_code=traffic.road")
    ),
    ("GET", f"{V2}/requests/{{service_request_id}}.{{fmt}}"): Case(
        "public", lambda i: Call("GET", f"{V2}/requests/{i['o311:request']}.json")
    ),
    ("POST", f"{V2}/requests.{{fmt}}"): Case(
        "public",
        lambda i: Call("POST", f"{V2}/requests.json", data=post_form(i)),
        ok=(201,),
        notes="api_key in the form, no session: without a valid key the spec's 403 (tests/e2e/test_open311.py)",
    ),
}


def prepare(db: Database) -> None:
    from tests.support.people import add_users
    from zhengwu.core import crypto
    from zhengwu.core.org.auth import create_api_token, load_principal
    from zhengwu.requests import model
    from zhengwu.requests import service as requests

    if crypto.installed(db.engine) is None:
        crypto.install(db.engine, crypto.Keyring(crypto.derive_key("test-secret")))
    with db.uow(Actor(None, "测试数据")) as uow:
        requests.seed_categories(uow)
        add_users(uow, {ACCOUNT: ("fh", [(model.RECEIVE, "unit")])}, PASSWORD, "role_")
        uow.commit()
    with db.uow(Actor(None, "测试数据")) as uow:
        user_id = uow.session.scalar(select(User.id).where(User.username == ACCOUNT)) or 0
        row, token = create_api_token(uow, user_id, "walk", None)
        row.name = f"walk {token}"
        requests.receive_request(
            uow,
            load_principal(uow.session, user_id),
            channel="open311",
            type="complaint",
            category_id=requests.category_by_code(uow.session, "traffic.road").id,
            description=TEXT,
            anonymous=True,
        )
        uow.commit()


def ids(session: Session) -> Ids:
    user_id = select(User.id).where(User.username == ACCOUNT).scalar_subquery()
    name = session.scalar(select(ApiToken.name).where(ApiToken.user_id == user_id)) or "walk -"
    request = session.scalar(select(RequestMatter.id).where(RequestMatter.body == TEXT))
    return {"o311:key": name.removeprefix("walk "), "o311:request": request}
