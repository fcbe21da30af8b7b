"""Special actions on pages and through the API: create and edit a campaign with its departments, tag requests to
it by serial, and the report reading “共收集诉求 N 件，解决困难 M 个” overall and per department, from the records
(two requests tagged: the road centre's resolved with 3 difficulties solved, the health bureau's still open); the
Excel export carries the same figures; bad input is refused naming the field."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import func, select

from tests.conftest import principal, unit_id
from tests.support.request_people import SYSTEM, setup
from tests.support.request_works import api_user, dispatched_request, page_user, post, serial_of
from zhengwu.core.db import Database
from zhengwu.core.settings import Settings
from zhengwu.requests import service as requests
from zhengwu.requests.tables import RequestCampaign, RequestMatter

API = "/api/v1/requests/campaigns"


@pytest.fixture
def client(settings: Settings, db: Database) -> Iterator[TestClient]:
    setup(db)
    from zhengwu.web.app import create_app

    with TestClient(create_app(settings, db)) as c:
        yield c


def form(db: Database, **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": "“我为群众办实事”交通安全专项行动",
        "commission_unit_id": str(unit_id(db, "fh-jw")),
        "starts_on": "2024-06-01",
        "ends_on": "2024-09-30",
        "unit_ids": [str(unit_id(db, "fh-gl")), str(unit_id(db, "fh-wj"))],
    }
    data.update(changes)
    return data


def campaigns(db: Database) -> int:
    with db.reading() as s:
        return s.scalar(select(func.count()).select_from(RequestCampaign)) or 0


def create(client: TestClient, db: Database) -> int:
    r = post(page_user(client, "r_campaigns"), "/requests/campaigns/new", form(db))
    assert r.status_code == 303, r.text
    return int(r.headers["location"].split("?")[0].rsplit("/", 1)[1])


def resolve(db: Database, request_id: int, difficulties: int) -> None:
    road = principal(db, "r_road")
    with db.uow(SYSTEM) as uow:
        requests.sign(uow, road, request_id)
        requests.resolve(uow, road, request_id, result="已完成路面拉毛", difficulties_solved=difficulties)
        uow.commit()


def tagged_pair(client: TestClient, db: Database, campaign_id: int) -> tuple[int, int]:
    """Two requests tagged through the page: the road centre's (resolved, 3 difficulties) and the health bureau's."""
    road, health = dispatched_request(db, "fh-gl"), dispatched_request(db, "fh-wj", "卫生院夜间无人值班")
    for req in (road, health):
        r = post(client, f"/requests/campaigns/{campaign_id}/tag", {"serial": serial_of(db, req)})
        assert r.status_code == 303, r.text
    resolve(db, road, 3)
    return road, health


def test_the_report_reads_requests_surfaced_and_difficulties_solved_overall_and_per_department(
    client: TestClient, db: Database
) -> None:
    campaign_id = create(client, db)
    road, _ = tagged_pair(client, db, campaign_id)
    page = client.get(f"/requests/campaigns/{campaign_id}")
    assert page.status_code == 200
    assert "共收集诉求 <strong>2</strong> 件，办结 <strong>1</strong> 件，解决困难 <strong>3</strong> 个" in page.text
    assert "<td>凤凰县公路建设养护中心</td><td>1</td><td>1</td><td>3</td>" in page.text
    assert "<td>凤凰县卫生健康局</td><td>1</td><td>0</td><td>0</td>" in page.text
    assert serial_of(db, road) in page.text
    listing = client.get("/requests/campaigns")
    assert "交通安全专项行动" in listing.text


def test_the_excel_export_carries_the_report_figures(client: TestClient, db: Database) -> None:
    campaign_id = create(client, db)
    tagged_pair(client, db, campaign_id)
    r = client.get(f"/requests/campaigns/{campaign_id}/export.xlsx")
    assert r.status_code == 200
    rows = list(load_workbook(io.BytesIO(r.content), read_only=True).worksheets[0].iter_rows(values_only=True))
    assert rows[1][0] == "共收集诉求 2 件，办结 1 件，解决困难 3 个"
    assert ("凤凰县公路建设养护中心", 1, 1, 3) in [tuple(row[:4]) for row in rows]
    assert ("合计", 2, 1, 3) in [tuple(row[:4]) for row in rows]


def test_a_reader_of_one_unit_counts_only_the_requests_they_may_view(client: TestClient, db: Database) -> None:
    campaign_id = create(client, db)
    tagged_pair(client, db, campaign_id)
    page = page_user(client, "r_road").get(f"/requests/campaigns/{campaign_id}")
    assert "共收集诉求 <strong>1</strong> 件" in page.text
    assert "卫生院夜间无人值班" not in page.text


def test_editing_replaces_the_departments_and_untagging_takes_a_request_off(client: TestClient, db: Database) -> None:
    campaign_id = create(client, db)
    road, _ = tagged_pair(client, db, campaign_id)
    assert client.get(f"/requests/campaigns/{campaign_id}/edit").status_code == 200
    one = [str(unit_id(db, "fh-gl"))]
    r = post(client, f"/requests/campaigns/{campaign_id}/edit", form(db, unit_ids=one, version="1"))
    assert r.status_code == 303, r.text
    stale = post(client, f"/requests/campaigns/{campaign_id}/edit", form(db, name="覆盖", version="1"))
    assert stale.status_code == 409 and "已被他人修改" in stale.text
    page = client.get(f"/requests/campaigns/{campaign_id}")
    assert "<td>凤凰县卫生健康局</td><td>1</td>" not in page.text  # no longer a department of the report
    r = post(client, f"/requests/campaigns/{campaign_id}/tag", {"serial": serial_of(db, road), "untag": "1"})
    assert r.status_code == 303
    with db.reading() as s:
        assert s.scalar(select(RequestMatter.campaign_id).where(RequestMatter.id == road)) is None


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"ends_on": "2024-05-01"}, "ends_on"),  # ends before it starts
        ({"starts_on": "六月"}, "starts_on"),
        ({"name": ""}, "name"),
        ({"commission_unit_id": "999999"}, "commission_unit_id"),
        ({"unit_ids": ["999999"]}, "unit_ids"),
    ],
)
def test_bad_input_re_renders_the_form_and_writes_nothing(
    client: TestClient, db: Database, changes: dict[str, Any], field: str
) -> None:
    r = post(page_user(client, "r_campaigns"), "/requests/campaigns/new", form(db, **changes))
    assert r.status_code == 422, r.text
    assert f"（字段：{field}）" in r.text
    assert campaigns(db) == 0


def test_an_unknown_serial_is_refused_naming_the_field(client: TestClient, db: Database) -> None:
    campaign_id = create(client, db)
    r = post(client, f"/requests/campaigns/{campaign_id}/tag", {"serial": "诉-2024-999999"})
    assert r.status_code == 422 and "（字段：serial）" in r.text


def test_a_manager_of_another_county_cannot_tag_a_fenghuang_request(client: TestClient, db: Database) -> None:
    campaign_id = create(client, db)
    req = dispatched_request(db)
    r = post(page_user(client, "r_js_works"), f"/requests/campaigns/{campaign_id}/tag", {"serial": serial_of(db, req)})
    assert r.status_code == 403
    with db.reading() as s:
        assert s.scalar(select(RequestMatter.campaign_id).where(RequestMatter.id == req)) is None


# -------------------------------------------------------------------------------------------------------- API


def body(db: Database, **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": "交通安全专项行动",
        "commission_unit_id": unit_id(db, "fh-jw"),
        "starts_on": "2024-06-01",
        "unit_ids": [unit_id(db, "fh-gl"), unit_id(db, "fh-wj")],
    }
    data.update(changes)
    return data


def test_the_api_creates_tags_reports_and_untags(client: TestClient, db: Database) -> None:
    api = api_user(client, "r_campaigns")
    r = api.post(API, json=body(db))
    assert r.status_code == 201, r.text
    cid = r.json()["id"]
    road = dispatched_request(db)
    assert api.post(f"{API}/{cid}/requests", json={"request_id": road}).status_code == 204
    resolve(db, road, 2)
    report = api.get(f"{API}/{cid}").json()
    assert report["summary"] == "共收集诉求 1 件，解决困难 2 个"
    assert [(d["unit"], d["surfaced"], d["difficulties_solved"]) for d in report["departments"]] == [
        ("凤凰县公路建设养护中心", 1, 2),
        ("凤凰县卫生健康局", 0, 0),
    ]
    assert [c["id"] for c in api.get(API).json()] == [cid]
    r = api.put(f"{API}/{cid}", json=body(db, name="改名", version=report["version"]))
    assert r.status_code == 200 and r.json()["name"] == "改名"
    assert api.put(f"{API}/{cid}", json=body(db, name="覆盖", version=report["version"])).status_code == 409
    assert api.delete(f"{API}/{cid}/requests/{road}").status_code == 204
    assert api.get(f"{API}/{cid}").json()["surfaced"] == 0


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"ends_on": "2024-05-01"}, "ends_on"),
        ({"starts_on": "2024-13-01"}, "starts_on"),
        ({"unit_ids": [999999]}, "unit_ids"),
        ({"commission_unit_id": 999999}, "commission_unit_id"),
    ],
)
def test_bad_api_input_is_a_422_naming_the_field(
    client: TestClient, db: Database, changes: dict[str, Any], field: str
) -> None:
    r = api_user(client, "r_campaigns").post(API, json=body(db, **changes))
    assert r.status_code == 422, r.text
    assert r.json()["field"] == field
    assert campaigns(db) == 0
