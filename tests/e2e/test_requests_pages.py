"""The requests pages: the clerk's intake form end to end, its errors, and the audited reporter reveal; the
reporter's phone never reaches the generic matter pages, the list or the Excel export."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import func, select

from tests.conftest import csrf, login
from tests.support.request_people import category, setup
from zhengwu.core.audit.tables import AuditEntry
from zhengwu.core.db import Database
from zhengwu.core.settings import Settings
from zhengwu.requests.tables import RequestMatter

PHONE = "13812345678"
NAME = "张三丰"
SECRET = "Secret123"


@pytest.fixture
def client(settings: Settings, db: Database) -> Iterator[TestClient]:
    """The requests people and categories, written under the test key the app then keeps."""
    setup(db)
    from zhengwu.web.app import create_app

    with TestClient(create_app(settings, db)) as c:
        yield c


def as_user(client: TestClient, username: str) -> TestClient:
    client.cookies.clear()
    login(client, username, SECRET)
    return client


def good_form(db: Database) -> dict[str, Any]:
    return {
        "channel": "phone",
        "type": "complaint",
        "category_id": str(category(db, "traffic.road")),
        "description": "S256 线 K12+300 处路面坑槽，夜间行车危险",
        "address": "凤凰县廖家桥镇",
        "road_code": "S256",
        "km_from": "K12+300",
        "km_to": "K27+900",
        "latitude": "27.95",
        "longitude": "109.6",
        "reporter_name": NAME,
        "reporter_phone": PHONE,
    }


def post_form(client: TestClient, data: dict[str, Any]) -> Any:
    return client.post("/requests/new", data={**data, "csrf_token": csrf(client)}, follow_redirects=False)


def count(db: Database) -> int:
    with db.reading() as s:
        return s.scalar(select(func.count()).select_from(RequestMatter)) or 0


def reveals(db: Database) -> int:
    with db.reading() as s:
        return s.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "reveal_reporter")) or 0


def intake(client: TestClient, db: Database) -> int:
    r = post_form(as_user(client, "r_hotline"), good_form(db))
    assert r.status_code == 303, r.text
    assert r.headers["location"].startswith("/requests/")  # the request's own page
    return int(r.headers["location"].split("?")[0].rsplit("/", 1)[1])


def test_the_form_offers_channels_types_and_the_category_tree(client: TestClient) -> None:
    r = as_user(client, "r_hotline").get("/requests/new")
    assert r.status_code == 200
    for text in ("电话", "来访", "来信", "网站", "投诉", "交通运输 › 公路养护", "K12+300", "匿名反映", "登记诉求"):
        assert text in r.text, text


def test_intake_through_the_form_lands_on_the_matter_page(client: TestClient, db: Database) -> None:
    matter_id = intake(client, db)
    with db.reading() as s:
        req = s.get(RequestMatter, matter_id)
        assert req is not None
        assert (req.km_from, req.km_to, req.road_code, req.channel) == (12300, 27900, "S256", "phone")
        assert req.reporter_phone == PHONE and req.reporter_name == NAME
        serial = req.serial
    page = client.get(f"/matters/request/{matter_id}")
    assert page.status_code == 200
    assert serial in page.text
    assert PHONE not in page.text and NAME not in page.text


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("channel", "fax", "渠道"),
        ("type", "chat", "诉求类型"),
        ("category_id", "999999", "问题分类"),
        ("category_id", "abc", "问题分类"),
        ("description", "", "诉求内容"),
        ("description", "<script>alert(1)</script>", "HTML"),
        ("road_code", "Q12", "路线编号"),
        ("km_from", "12.3", "桩号"),
        ("km_to", "K1+000", "止点桩号"),
        ("latitude", "51.5x", "纬度"),
        ("longitude", "-0.1", "坐标"),
        ("reporter_phone", "call me", "联系电话"),
        ("reporter_phone", "", "联系电话"),
        ("anonymous", "1", "匿名"),
        ("campaign_id", "424242", "专项行动"),
    ],
)
def test_each_bad_field_is_named_in_chinese_and_nothing_is_written(
    client: TestClient, db: Database, field: str, value: str, message: str
) -> None:
    data = good_form(db)
    data[field] = value
    if field == "longitude":
        data["latitude"] = "51.5"
    before = count(db)
    r = post_form(as_user(client, "r_hotline"), data)
    assert r.status_code == 422, r.text
    assert message in r.text
    assert f"（字段：{'latitude' if field == 'longitude' else field}）" in r.text
    assert 'class="field-error"' in r.text
    assert "凤凰县廖家桥镇" in r.text  # the clerk's input is kept
    assert count(db) == before


def test_the_form_and_its_post_need_the_receive_grant(client: TestClient, db: Database) -> None:
    road = as_user(client, "r_road")
    assert road.get("/requests/new").status_code == 403
    assert post_form(road, good_form(db)).status_code == 403
    assert count(db) == 0
    assert "登记诉求" not in road.get("/").text


def test_the_phone_never_reaches_list_export_or_page(client: TestClient, db: Database) -> None:
    matter_id = intake(client, db)
    for username in ("r_hotline", "r_road", "r_commission"):
        c = as_user(client, username)
        for url in ("/matters/request", f"/matters/request/{matter_id}"):
            r = c.get(url)
            if r.status_code == 200:
                assert PHONE not in r.text and NAME not in r.text, (username, url)
        r = c.get("/matters/request/export.xlsx")
        assert r.status_code == 200
        wb = load_workbook(io.BytesIO(r.content), read_only=True)
        cells = "\n".join(str(v) for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for v in row)
        assert PHONE not in cells and NAME not in cells


def test_reveal_shows_the_reporter_to_the_grant_holder_and_is_audited_each_time(
    client: TestClient, db: Database
) -> None:
    matter_id = intake(client, db)
    c = as_user(client, "r_commission")
    page = c.get(f"/requests/{matter_id}/reporter")
    assert page.status_code == 200
    assert "138****5678" in page.text and PHONE not in page.text
    assert reveals(db) == 0
    for n in (1, 2):
        r = c.post(f"/requests/{matter_id}/reporter", data={"csrf_token": csrf(c)})
        assert r.status_code == 200, r.text
        assert PHONE in r.text and NAME in r.text
        assert r.headers["cache-control"] == "no-store"
        assert reveals(db) == n
    with db.reading() as s:
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "reveal_reporter")).first()
        assert entry is not None and entry.actor_name == "r_commission" and entry.row_id == str(matter_id)
        assert PHONE not in f"{entry.before}{entry.after}"


def test_reveal_is_refused_without_the_grant_or_outside_its_scope(client: TestClient, db: Database) -> None:
    matter_id = intake(client, db)
    for username, status in (("r_hotline", 403), ("r_road", 403), ("r_outsider", 404)):
        c = as_user(client, username)
        assert c.get(f"/requests/{matter_id}/reporter").status_code == status, username
        r = c.post(f"/requests/{matter_id}/reporter", data={"csrf_token": csrf(c)})
        assert r.status_code == status, username
        assert PHONE not in r.text
    assert reveals(db) == 0


def test_an_anonymous_report_has_no_reporter(client: TestClient, db: Database) -> None:
    data = {**good_form(db), "reporter_name": "", "reporter_phone": "", "anonymous": "1"}
    r = post_form(as_user(client, "r_hotline"), data)
    assert r.status_code == 303, r.text
    matter_id = int(r.headers["location"].split("?")[0].rsplit("/", 1)[1])
    c = as_user(client, "r_commission")
    r = c.post(f"/requests/{matter_id}/reporter", data={"csrf_token": csrf(c)})
    assert r.status_code == 200 and "匿名反映" in r.text
