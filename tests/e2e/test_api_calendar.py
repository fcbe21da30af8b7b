"""The JSON API of the working-day calendar: deadline arithmetic for any user, holiday imports for keepers."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from tests.conftest import csrf, login
from zhengwu.core.calendar.tables import CalendarDay, CalendarYear
from zhengwu.core.db import Database

CSV = {"content-type": "text/csv; charset=utf-8"}


def api(client: TestClient, username: str) -> TestClient:
    login(client, username)
    client.headers["X-CSRF-Token"] = csrf(client)
    return client


def rows(db: Database) -> tuple[int, int]:
    with db.reading() as session:
        days = session.scalar(select(func.count()).select_from(CalendarDay)) or 0
        years = session.scalar(select(func.count()).select_from(CalendarYear)) or 0
    return days, years


def problem(r: Any, status: int, field: str | None = None) -> dict[str, Any]:
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = r.json()
    if field is not None:
        assert body.get("field") == field, body
    return body


# ---------------------------------------------------------------- reading


def test_adding_working_days_skips_the_national_day_holiday(app_client: TestClient) -> None:
    r = api(app_client, "fh_gl").get("/api/v1/calendar/add", params={"start": "2024-09-30", "n": 5})
    assert r.json() == {"start": "2024-09-30", "n": 5, "result": "2024-10-12"}  # Saturday 12 October is 调休


def test_adding_zero_working_days_gives_the_start(app_client: TestClient) -> None:
    r = api(app_client, "fh_gl").get("/api/v1/calendar/add", params={"start": "2024-10-01", "n": 0})
    assert r.json()["result"] == "2024-10-01"


def test_between_counts_working_days_in_the_half_open_span(app_client: TestClient) -> None:
    api(app_client, "fh_gl")
    r = app_client.get("/api/v1/calendar/between", params={"a": "2024-06-20", "b": "2024-07-18"})
    assert r.json() == {"a": "2024-06-20", "b": "2024-07-18", "working_days": 20}
    back = app_client.get("/api/v1/calendar/between", params={"a": "2024-07-18", "b": "2024-06-20"})
    assert back.json()["working_days"] == -20


@pytest.mark.parametrize(
    ("day", "working"),
    [("2024-10-01", False), ("2024-10-12", True), ("2024-06-20", True), ("2024-06-22", False)],
)
def test_working_day_knows_holidays_and_swapped_weekends(app_client: TestClient, day: str, working: bool) -> None:
    r = api(app_client, "fh_gl").get("/api/v1/calendar/working-day", params={"date": day})
    assert r.json() == {"date": day, "working": working}


def test_a_date_in_a_year_without_an_arrangement_is_a_422_naming_the_year(app_client: TestClient) -> None:
    api(app_client, "fh_gl")
    for path, params in [
        ("/api/v1/calendar/working-day", {"date": "2099-03-02"}),
        ("/api/v1/calendar/add", {"start": "2099-03-02", "n": 3}),
        ("/api/v1/calendar/between", {"a": "2099-01-01", "b": "2099-03-02"}),
    ]:
        body = problem(app_client.get(path, params=params), 422, "date")
        assert "2099 年的节假日安排尚未导入" in body["detail"]


@pytest.mark.parametrize(
    ("path", "params", "field", "words"),
    [
        ("/api/v1/calendar/add", {"start": "2024-13-01", "n": 1}, "start", "应为日期"),
        ("/api/v1/calendar/add", {"start": "2024-06-20", "n": -1}, "n", "过小"),
        ("/api/v1/calendar/add", {"start": "2024-06-20", "n": 99999}, "n", "过大"),
        ("/api/v1/calendar/add", {"start": "2024-06-20"}, "n", "必须填写"),
        ("/api/v1/calendar/between", {"a": "昨天", "b": "2024-06-20"}, "a", "应为日期"),
        ("/api/v1/calendar/working-day", {}, "date", "必须填写"),
    ],
)
def test_bad_calendar_parameters_are_a_chinese_422_naming_the_field(
    app_client: TestClient, path: str, params: dict[str, Any], field: str, words: str
) -> None:
    body = problem(api(app_client, "fh_gl").get(path, params=params), 422, field)
    assert words in body["detail"]


def test_calendar_reads_need_a_login(app_client: TestClient) -> None:
    r = app_client.get("/api/v1/calendar/working-day", params={"date": "2024-06-20"})
    assert "请先登录" in problem(r, 401)["detail"]


# ---------------------------------------------------------------- importing


def test_importing_a_holiday_csv_makes_its_year_known(app_client: TestClient, db: Database) -> None:
    api(app_client, "admin")
    text = "date,kind,name\n2099-01-01,holiday,元旦\n2099-01-02,holiday,元旦\n2099-01-03,workday,元旦调休上班\n"
    r = app_client.post("/api/v1/calendar/holidays", content=text.encode(), headers=CSV)
    assert r.status_code == 201, r.text
    assert r.json() == {"years": [2099], "days": 3}
    assert rows(db) == (3, 1)
    day = app_client.get("/api/v1/calendar/working-day", params={"date": "2099-01-03"}).json()
    assert day["working"] is True  # a Saturday made a working day
    # Thursday 1 and Friday 2 January are off, Saturday 3 works, Sunday 4 is a weekend: Monday 5 is the second.
    assert (
        app_client.get("/api/v1/calendar/add", params={"start": "2099-01-01", "n": 2}).json()["result"] == "2099-01-05"
    )


def test_an_imported_override_changes_a_builtin_day(app_client: TestClient) -> None:
    api(app_client, "admin")
    text = "date,kind,name\n2024-06-21,holiday,临时放假\n"
    assert app_client.post("/api/v1/calendar/holidays", content=text, headers=CSV).status_code == 201
    r = app_client.get("/api/v1/calendar/working-day", params={"date": "2024-06-21"})
    assert r.json()["working"] is False


def test_an_invalid_csv_lists_every_bad_row_and_writes_nothing(app_client: TestClient, db: Database) -> None:
    api(app_client, "admin")
    before = rows(db)
    text = (
        "date,kind,name\n2099-01-01,holiday,元旦\n2099-02-30,holiday,\n2099-03-01,rest,休息\n2099-01-01,holiday,重复\n"
    )
    body = problem(app_client.post("/api/v1/calendar/holidays", content=text, headers=CSV), 422, "date")
    assert body["detail"].startswith("导入失败，未写入任何数据")
    assert [(e["row"], e["field"]) for e in body["errors"]] == [(3, "date"), (4, "kind"), (5, "date")]
    assert "YYYY-MM-DD" in body["errors"][0]["reason"] and "与第 2 行日期重复" in body["errors"][2]["reason"]
    assert rows(db) == before
    r = app_client.get("/api/v1/calendar/working-day", params={"date": "2099-01-01"})
    assert r.status_code == 422  # the year did not become known


def test_a_csv_with_a_wrong_header_is_reported_as_row_1(app_client: TestClient) -> None:
    api(app_client, "admin")
    body = problem(app_client.post("/api/v1/calendar/holidays", content="day,type\n", headers=CSV), 422)
    assert [(e["row"], e["field"]) for e in body["errors"]] == [(1, "表头")]
    assert body["errors"][0]["reason"].startswith("表头必须是 date,kind,name")


def test_a_csv_saved_by_excel_in_gb18030_is_accepted(app_client: TestClient) -> None:
    api(app_client, "admin")
    text = "date,kind,name\r\n2099-10-01,holiday,国庆节\r\n"
    r = app_client.post("/api/v1/calendar/holidays", content=text.encode("gb18030"), headers=CSV)
    assert r.status_code == 201, r.text


@pytest.mark.parametrize(
    ("content", "status", "words"),
    [(b"", 422, "空的"), ("date,kind,name\n2099-01-01,holiday,元\x00旦\n".encode(), 422, "空字符")],
)
def test_an_empty_or_binary_body_is_refused(app_client: TestClient, content: bytes, status: int, words: str) -> None:
    api(app_client, "admin")
    r = app_client.post("/api/v1/calendar/holidays", content=content, headers=CSV)
    assert words in problem(r, status, "body")["detail"]


def test_a_holiday_import_that_is_not_csv_is_a_415(app_client: TestClient, db: Database) -> None:
    api(app_client, "admin")
    before = rows(db)
    r = app_client.post("/api/v1/calendar/holidays", json={"date": "2099-01-01", "kind": "holiday"})
    assert "text/csv" in problem(r, 415)["detail"]
    assert rows(db) == before


@pytest.mark.parametrize("username", ["fh_admin", "fh_gl", "auditor"])
def test_importing_holidays_needs_calendar_management(app_client: TestClient, db: Database, username: str) -> None:
    api(app_client, username)
    before = rows(db)
    r = app_client.post("/api/v1/calendar/holidays", content="date,kind,name\n2099-01-01,holiday,元旦\n", headers=CSV)
    assert "维护节假日" in problem(r, 403)["detail"]
    assert rows(db) == before


def test_a_bearer_client_imports_holidays_without_a_csrf_token(app_client: TestClient) -> None:
    api(app_client, "admin")
    token = app_client.post("/api/v1/tokens", json={"name": "日历同步", "days": None}).json()["token"]
    machine = TestClient(app_client.app, headers={"Authorization": f"Bearer {token}", **CSV})
    r = machine.post("/api/v1/calendar/holidays", content="date,kind,name\n2099-05-01,holiday,劳动节\n")
    assert r.status_code == 201, r.text


def test_a_browser_import_without_the_csrf_header_is_refused(app_client: TestClient, db: Database) -> None:
    login(app_client, "admin")
    before = rows(db)
    r = app_client.post("/api/v1/calendar/holidays", content="date,kind,name\n2099-05-01,holiday,劳动节\n", headers=CSV)
    assert "CSRF" in problem(r, 403)["detail"]
    assert rows(db) == before
