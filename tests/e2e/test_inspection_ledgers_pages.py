"""The ledgers on pages and through the API: the office issues a common-problem list to districts and a park, a
district self-checks on its form and the list's page aggregates it; the responsibility list is extended by the office
and a district records its standings; accountability is recorded with money written as clerks write it and answered
as strings in 元, shown in 万元. Bad input is refused in Chinese naming the field, and nothing is written."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import unquote

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from tests.conftest import csrf, login
from tests.support.inspection_people import setup, unit
from zhengwu.core.db import Database
from zhengwu.core.settings import Settings
from zhengwu.inspection.tables import Accountability, ProblemListUnit, ResponsibilityStatus, SelfCheck

PL, API = "/inspection/problem-lists", "/api/v1/inspection"


@pytest.fixture
def client(settings: Settings, db: Database) -> Iterator[TestClient]:
    setup(db)
    from zhengwu.web.app import create_app

    with TestClient(create_app(settings, db)) as c:
        yield c


def as_page(client: TestClient, username: str) -> TestClient:
    client.cookies.clear()
    client.headers.pop("X-CSRF-Token", None)
    return login(client, username)


def as_api(client: TestClient, username: str) -> TestClient:
    as_page(client, username)
    client.headers["X-CSRF-Token"] = csrf(client)
    return client


def post(client: TestClient, url: str, data: dict[str, Any]) -> Any:
    return client.post(url, data={**data, "csrf_token": csrf(client)}, follow_redirects=False)


def count(db: Database, table: Any) -> int:
    with db.reading() as s:
        return s.scalar(select(func.count()).select_from(table)) or 0


def issue(client: TestClient, db: Database) -> int:
    fr, jk = unit(db, "cs-fr"), unit(db, "cs-jk")
    form = {
        "committee_unit_id": str(unit(db, "cs")),
        "title": "经济园区共性问题清单",
        "issued_on": "2024-03-01",
        "due_on": "2024-06-30",
        "templates": "违规发放津补贴\n政府采购化整为零规避招标\n",
        "unit_ids": [str(fr), str(jk)],
        f"group_{fr}": "区县（市）",
        f"group_{jk}": "园区",
    }
    r = post(as_page(client, "cs_xcb_office"), PL + "/new", form)
    assert r.status_code == 303, r.text
    return int(r.headers["location"].split("?")[0].rsplit("/", 1)[1])


def test_a_list_issued_on_the_page_is_self_checked_by_a_district_and_aggregated(
    client: TestClient, db: Database
) -> None:
    list_id = issue(client, db)
    fr = unit(db, "cs-fr")
    head = as_page(client, "cs_fr_head")
    sheet = head.get(f"{PL}/{list_id}/units/{fr}")
    assert sheet.status_code == 200 and "政府采购化整为零规避招标" in sheet.text
    templates = re.findall(r'name="template_ids" value="(\d+)"', sheet.text)
    version = re.search(r'name="version" value="(\d+)"', sheet.text)
    assert len(templates) == 2 and version
    first, second = templates
    form = {"template_ids": templates, f"found_{first}": "12", f"rectified_{first}": "11", f"found_{second}": "3"}
    form |= {f"rectified_{second}": "4", "livelihood": "2", "regulations": "5", "version": version.group(1)}
    refused = post(head, f"{PL}/{list_id}/units/{fr}", form)
    assert refused.status_code == 422 and "已整改数不能大于查摆问题数" in refused.text
    assert count(db, SelfCheck) == 0
    r = post(head, f"{PL}/{list_id}/units/{fr}", {**form, f"rectified_{second}": "3"})
    assert r.status_code == 303, r.text
    page = as_page(client, "cs_xcb_office").get(f"{PL}/{list_id}")
    assert page.status_code == 200
    text = re.sub(r"<[^>]+>", "", page.text)
    assert "查摆问题 15 个，已整改 14 个，完成率 93.3%" in text
    assert "解决民生实事 2 件，建章立制 5 项" in text
    assert "尚未报送的单位（1 个）" in text and "长沙经济技术开发区" in text
    listed = client.get(f"{API}/problem-lists/{list_id}").json()
    assert listed["total"]["found"] == 15 and listed["groups"]["园区"]["reported"] == 0
    assert [u["unit"] for u in listed["not_reported"]] == ["长沙经济技术开发区"]


def test_the_api_issues_a_list_and_takes_a_self_check_naming_the_bad_field(client: TestClient, db: Database) -> None:
    office = as_api(client, "cs_xcb_office")
    body = {
        "committee_unit_id": unit(db, "cs"),
        "title": "市直单位共性问题清单",
        "issued_on": "2024-03-01",
        "templates": [{"text": "公务用车管理不规范"}],
        "units": [{"unit_id": unit(db, "cs-fr"), "group": "区县（市）"}],
    }
    r = office.post(f"{API}/problem-lists", json=body)
    assert r.status_code == 201, r.text
    list_id, template = r.json()["id"], r.json()["templates"][0]["id"]
    head = as_api(client, "cs_fr_head")
    url = f"{API}/problem-lists/{list_id}/units/{unit(db, 'cs-fr')}"
    bad = {"checks": [{"template_id": template, "found": -1, "rectified": 0}], "livelihood": 0, "regulations": 0}
    r = head.put(url, json={**bad, "version": 1})
    assert r.status_code == 422 and r.json()["field"] == f"found_{template}", r.text
    good = {**bad, "checks": [{"template_id": template, "found": 8, "rectified": 8}], "version": 1}
    r = head.put(url, json=good)
    assert r.status_code == 200 and r.json()["reported"] is True and r.json()["checks"][0]["found"] == 8
    assert head.put(url, json=good).status_code == 409  # the version read is stale now
    assert head.get(f"{API}/problem-lists/{list_id}").json()["total"]["completion_rate"] == 1.0


def test_the_office_extends_the_responsibility_list_and_a_district_records_its_standings(
    client: TestClient, db: Database
) -> None:
    office = as_page(client, "cs_xcb_office")
    r = post(
        office, "/inspection/responsibilities/new", {"position": "1", "area": "管党治党", "text": "书记第一责任人"}
    )
    assert r.status_code == 303, r.text
    r = post(office, "/inspection/responsibilities/new", {"position": "2", "area": "巡察整改", "text": "建立整改台账"})
    assert r.status_code == 303
    refused = post(office, "/inspection/responsibilities/new", {"position": "3", "area": "", "text": " "})
    assert refused.status_code == 422 and "请填写责任内容" in refused.text
    item = re.search(r'href="/inspection/responsibilities/(\d+)"', office.get("/inspection/responsibilities").text)
    assert item
    stale = {"position": "1", "text": "书记第一责任人", "active": "1", "version": "9"}
    refused = post(office, f"/inspection/responsibilities/{item.group(1)}", stale)
    assert refused.status_code == 409 and "已被他人修改" in refused.text
    fr = unit(db, "cs-fr")
    head = as_page(client, "cs_fr_head")
    assert post(head, "/inspection/responsibilities/new", {"position": "3", "text": "x"}).status_code == 403
    page = head.get(f"/inspection/responsibilities/units/{fr}")
    ids = re.findall(r'name="progress_(\d+)"', page.text)
    assert len(ids) == 2
    r = post(
        head, f"/inspection/responsibilities/units/{fr}", {f"progress_{ids[0]}": "done", f"note_{ids[0]}": "已落实"}
    )
    assert r.status_code == 303 and "已保存 1 项落实情况" in unquote(r.headers["location"])
    assert count(db, ResponsibilityStatus) == 1
    tracking = as_api(client, "cs_xcb_office").get(f"{API}/responsibilities/tracking").json()
    assert {u["unit"]: (u["confirmed"], u["done"], u["total"]) for u in tracking["units"]} == {"芙蓉区": (1, 1, 2)}
    assert tracking["counts"][0] == {"pending": 0, "confirmed": 0, "in_progress": 0, "done": 1}
    main = as_page(client, "cs_xcb_office").get("/inspection/responsibilities")
    assert main.status_code == 200 and "书记第一责任人" in main.text and "芙蓉区" in main.text


def test_accountability_takes_money_as_clerks_write_it_answers_strings_and_shows_wan(
    client: TestClient, db: Database
) -> None:
    office = as_api(client, "cs_xcb_office")
    base = {"unit_id": unit(db, "cs-fr"), "subject_kind": "unit", "subject_name": "某街道", "decided_on": "2024-09-10"}
    r = office.post(f"{API}/accountability", json={**base, "returned": "223.04万", "recovered": 1916200})
    assert r.status_code == 201, r.text
    assert (r.json()["returned"], r.json()["recovered"]) == ("2230400.00", "1916200.00")
    person = {**base, "subject_kind": "person", "subject_name": "李某", "outcome": "removal"}
    assert office.post(f"{API}/accountability", json=person).status_code == 201
    refused: list[tuple[dict[str, Any], str]] = [
        ({"returned": "12.345"}, "returned"),
        ({"recovered": -5}, "recovered"),
        ({"returned": 0.125}, "returned"),
    ]
    for bad, field in refused:
        r = office.post(f"{API}/accountability", json={**person, **bad})
        assert r.status_code == 422 and r.json()["field"] == field, r.text
    assert count(db, Accountability) == 2
    ledger = office.get(f"{API}/accountability", params={"year": 2024}).json()
    assert (ledger["returned"], ledger["returned_wan"], ledger["recovered_wan"]) == (
        "2230400.00",
        "223.04万元",
        "191.62万元",
    )
    assert ledger["by_outcome"] == {"removal": 1} and ledger["count"] == 2
    page = as_page(client, "cs_xcb_office")
    r = post(page, "/inspection/accountability/new", {**{k: str(v) for k, v in person.items()}, "returned": "-1"})
    assert r.status_code == 422 and "退缴金额不能为负数" in r.text
    assert count(db, Accountability) == 2
    shown = page.get("/inspection/accountability")
    assert "223.04万元" in shown.text and "191.62万元" in shown.text and "免职" in shown.text


def test_a_district_sees_only_its_own_units_rows_of_a_list(client: TestClient, db: Database) -> None:
    list_id = issue(client, db)
    form = {"committee_unit_id": str(unit(db, "cs")), "title": "空清单", "issued_on": "2024-03-01", "templates": ""}
    refused = post(as_page(client, "cs_xcb_office"), PL + "/new", form)
    assert refused.status_code == 422 and "请至少填写一个问题" in refused.text
    body = as_api(client, "cs_fr_head").get(f"{API}/problem-lists/{list_id}").json()
    assert [u["unit"] for u in body["rows"]] == ["芙蓉区"]
    with db.reading() as s:
        assert s.scalar(select(func.count()).where(ProblemListUnit.list_id == list_id)) == 2
