"""The requests API: intake (201 with id and serial), the request's own fields with the reporter masked, the
audited reveal and the category tree; bad input is a Chinese 422 naming the field and writes nothing."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from tests.conftest import api_login
from tests.support.request_people import category, setup
from zhengwu.core.audit.tables import AuditEntry
from zhengwu.core.db import Database
from zhengwu.core.settings import Settings
from zhengwu.requests.tables import RequestMatter

API = "/api/v1/requests"
PHONE = "13812345678"
NAME = "张三丰"


@pytest.fixture
def client(settings: Settings, db: Database) -> Iterator[TestClient]:
    setup(db)
    from zhengwu.web.app import create_app

    with TestClient(create_app(settings, db)) as c:
        yield c


def as_user(client: TestClient, username: str) -> TestClient:
    return api_login(client, username, "Secret123")


def body(db: Database, **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "channel": "web",
        "type": "complaint",
        "category_id": category(db, "traffic.road"),
        "description": "S256 线路面坑槽",
        "road_code": "S256",
        "km_from": "K12+300",
        "km_to": "K27+900",
        "latitude": 27.95,
        "longitude": 109.6,
        "reporter_name": NAME,
        "reporter_phone": PHONE,
    }
    data.update(changes)
    return data


def count(db: Database) -> int:
    with db.reading() as s:
        return s.scalar(select(func.count()).select_from(RequestMatter)) or 0


def reveals(db: Database) -> int:
    with db.reading() as s:
        return s.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "reveal_reporter")) or 0


def create(client: TestClient, db: Database) -> dict[str, Any]:
    r = as_user(client, "r_hotline").post(API, json=body(db))
    assert r.status_code == 201, r.text
    out: dict[str, Any] = r.json()
    return out


def test_intake_returns_id_and_serial_and_never_the_reporter(client: TestClient, db: Database) -> None:
    r = as_user(client, "r_hotline").post(API, json=body(db))
    assert r.status_code == 201, r.text
    assert set(r.json()) == {"id", "serial"}
    assert r.json()["serial"].startswith("诉-")
    assert PHONE not in r.text and NAME not in r.text
    assert count(db) == 1


def test_the_request_shows_its_own_fields_with_the_reporter_masked(client: TestClient, db: Database) -> None:
    created = create(client, db)
    for username in ("r_hotline", "r_commission"):
        r = as_user(client, username).get(f"{API}/{created['id']}")
        assert r.status_code == 200, r.text
        out = r.json()
        assert out["serial"] == created["serial"]
        assert (out["type"], out["type_label"], out["channel"], out["category"]) == (
            "complaint",
            "投诉",
            "web",
            "公路养护",
        )
        assert out["location"]["km_from"] == "K12+300" and out["location"]["km_to"] == "K27+900"
        assert out["location"]["road_code"] == "S256" and out["location"]["latitude"] == 27.95
        assert out["reporter"] == {"name": "张**", "phone": "138****5678", "anonymous": False}
        assert PHONE not in r.text and NAME not in r.text
        generic = client.get(f"/api/v1/matters/request/{created['id']}")
        assert generic.status_code == 200
        assert PHONE not in generic.text and NAME not in generic.text
        listing = client.get("/api/v1/matters/request")
        assert listing.status_code == 200 and created["serial"] in listing.text and PHONE not in listing.text


def test_other_counties_and_users_without_the_grant_see_nothing(client: TestClient, db: Database) -> None:
    created = create(client, db)
    assert as_user(client, "r_outsider").get(f"{API}/{created['id']}").status_code == 404
    assert as_user(client, "r_road").get(f"{API}/{created['id']}").status_code == 404  # not its unit yet
    assert as_user(client, "r_road").post(API, json=body(db)).status_code == 403
    assert count(db) == 1


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"channel": "fax"}, "channel", "渠道"),
        ({"type": "chat"}, "type", "诉求类型"),
        ({"category_id": 999999}, "category_id", "问题分类"),
        ({"category_id": "7"}, "category_id", ""),
        ({"description": ""}, "description", "诉求内容"),
        ({"description": "<b>急</b>"}, "description", "HTML"),
        ({"description": "a\x00b"}, "description", ""),
        ({"road_code": "Q12"}, "road_code", "路线编号"),
        ({"km_from": "12.3"}, "km_from", "桩号"),
        ({"km_to": "K1+000"}, "km_to", "止点桩号"),
        ({"km_to": None}, "km_to", "起止桩号"),
        ({"latitude": 51.5, "longitude": -0.1}, "latitude", "坐标"),
        ({"latitude": 95.0}, "latitude", ""),
        ({"longitude": None}, "longitude", "经纬度"),
        ({"reporter_phone": "call me"}, "reporter_phone", "联系电话"),
        ({"reporter_phone": None}, "reporter_phone", "联系电话"),
        ({"anonymous": True}, "anonymous", "匿名"),
        ({"campaign_id": 424242}, "campaign_id", "专项行动"),
        ({"owner": 1}, "owner", ""),
    ],
)
def test_each_bad_field_is_a_chinese_422_naming_it_and_writes_nothing(
    client: TestClient, db: Database, changes: dict[str, Any], field: str, message: str
) -> None:
    r = as_user(client, "r_hotline").post(API, json=body(db, **changes))
    assert r.status_code == 422, r.text
    problem = r.json()
    assert problem["field"] == field, problem
    assert message in problem["detail"]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in problem["detail"]), problem
    assert count(db) == 0


def test_reveal_is_for_the_grant_holder_and_audited_each_time(client: TestClient, db: Database) -> None:
    created = create(client, db)
    url = f"{API}/{created['id']}/reporter"
    for username, status in (("r_hotline", 403), ("r_road", 403), ("r_outsider", 404)):
        r = as_user(client, username).post(url)
        assert r.status_code == status, (username, r.text)
        assert PHONE not in r.text
    assert reveals(db) == 0
    c = as_user(client, "r_commission")
    for n in (1, 2, 3):
        r = c.post(url)
        assert r.status_code == 200, r.text
        assert r.json() == {"name": NAME, "phone": PHONE, "anonymous": False}
        assert reveals(db) == n


def test_the_category_tree_lists_active_categories(client: TestClient) -> None:
    r = as_user(client, "r_hotline").get(f"{API}/categories")
    assert r.status_code == 200, r.text
    roots = {c["code"]: c for c in r.json()}
    assert roots["complaint"]["kind"] == "type"
    traffic = roots["traffic"]
    assert traffic["name"] == "交通运输" and traffic["kind"] == "subject"
    assert {c["code"] for c in traffic["children"]} == {"traffic.road", "traffic.safety"}
    assert "traffic.road" not in roots
    assert as_user(client, "r_admin").get(f"{API}/categories").status_code == 403
