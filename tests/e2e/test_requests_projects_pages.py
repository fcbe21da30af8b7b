"""Rectification projects on pages and through the API: spawned from a request, the expected completion date
computed and shown (start 2024-06-30 + 20 days → 2024-07-20, the S256 seed of docs/decisions.md), measures and
milestones kept in order, start, milestone progress and completion; bad input re-renders the form (422) and a stale
version is refused (409), writing nothing; a unit outside the project's scope neither sees nor edits it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from tests.support.request_people import setup
from tests.support.request_works import api_user, dispatched_request, page_user, post
from zhengwu.core.db import Database
from zhengwu.core.settings import Settings
from zhengwu.requests.tables import RequestProject, RequestProjectMilestone

API = "/api/v1/requests"


@pytest.fixture
def client(settings: Settings, db: Database) -> Iterator[TestClient]:
    setup(db)
    from zhengwu.web.app import create_app

    with TestClient(create_app(settings, db)) as c:
        yield c


def form(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "title": "S256 线弯道防滑整治",
        "survey": "6 月 25 日完成现场勘察和方案设计",
        "survey_done_on": "2024-06-25",
        "starts_on": "2024-06-30",
        "duration_days": "20",
        "measure": ["弯道及光滑路面拉毛", "增设警示标志", ""],
        "quantity": ["15.6", "12", ""],
        "unit": ["公里", "块", ""],
        "milestone": ["拉毛施工", "标志安装"],
        "planned_on": ["2024-07-10", "2024-07-18"],
        "percent": ["", "0"],
        "done_on": ["", ""],
    }
    data.update(changes)
    return data


def projects(db: Database) -> int:
    with db.reading() as s:
        return s.scalar(select(func.count()).select_from(RequestProject)) or 0


def create(client: TestClient, db: Database) -> int:
    req = dispatched_request(db)
    r = post(page_user(client, "r_projects"), f"/requests/{req}/projects/new", form())
    assert r.status_code == 303, r.text
    return int(r.headers["location"].split("?")[0].rsplit("/", 1)[1])


def version(db: Database, project_id: int) -> int:
    with db.reading() as s:
        return s.scalar(select(RequestProject.version).where(RequestProject.id == project_id)) or 0


# ------------------------------------------------------------------------------------------------------ pages


def test_a_project_spawned_from_a_request_shows_its_computed_completion_date(client: TestClient, db: Database) -> None:
    project_id = create(client, db)
    page = client.get(f"/requests/projects/{project_id}")
    assert page.status_code == 200
    assert "预计完工日期：<strong>2024-07-20</strong>" in page.text
    assert "弯道及光滑路面拉毛" in page.text and "15.60" in page.text and "公里" in page.text
    assert page.text.index("拉毛施工") < page.text.index("标志安装")
    with db.reading() as s:
        project = s.get(RequestProject, project_id)
        assert project is not None and project.unit_id and project.status.value == "planned"


def test_the_list_shows_expected_against_actual_completion_and_flags_overdue_projects(
    client: TestClient, db: Database
) -> None:
    project_id = create(client, db)
    listing = client.get("/requests/projects")
    assert listing.status_code == 200 and "S256 线弯道防滑整治" in listing.text and "2024-07-20" in listing.text
    assert "已逾期" not in listing.text  # the clock stands at 2024-06-20
    # complete it late: 2024-07-25 is after the expected 2024-07-20
    r = post(
        client,
        f"/requests/projects/{project_id}/complete",
        {"version": version(db, project_id), "completed_on": "2024-07-25"},
    )
    assert r.status_code == 303, r.text
    listing = client.get("/requests/projects")
    assert "逾期完工" in listing.text and "2024-07-25" in listing.text
    export = client.get("/requests/projects/export.xlsx")
    assert export.status_code == 200 and export.headers["content-type"].startswith("application/vnd.openxmlformats")


def test_start_milestone_and_completion_move_the_project_along(client: TestClient, db: Database) -> None:
    project_id = create(client, db)
    r = post(client, f"/requests/projects/{project_id}/start", {"version": version(db, project_id)})
    assert r.status_code == 303, r.text
    with db.reading() as s:
        first = s.scalar(
            select(RequestProjectMilestone.id)
            .where(RequestProjectMilestone.project_id == project_id)
            .order_by(RequestProjectMilestone.position)
        )
    r = post(
        client,
        f"/requests/projects/{project_id}/milestones/{first}",
        {"version": version(db, project_id), "percent": "60", "done_on": ""},
    )
    assert r.status_code == 303, r.text
    assert "60%" in client.get(f"/requests/projects/{project_id}").text
    r = post(
        client,
        f"/requests/projects/{project_id}/complete",
        {"version": version(db, project_id), "completed_on": "2024-07-19"},
    )
    assert r.status_code == 303
    page = client.get(f"/requests/projects/{project_id}")
    assert "实际完工：<strong>2024-07-19</strong>" in page.text and "按期完工" in page.text


def test_editing_recomputes_the_expected_date_and_keeps_the_rows_entered(client: TestClient, db: Database) -> None:
    project_id = create(client, db)
    edit = client.get(f"/requests/projects/{project_id}/edit")
    assert edit.status_code == 200 and "弯道及光滑路面拉毛" in edit.text
    r = post(
        client, f"/requests/projects/{project_id}/edit", form(duration_days="30", version=str(version(db, project_id)))
    )
    assert r.status_code == 303, r.text
    assert "预计完工日期：<strong>2024-07-30</strong>" in client.get(f"/requests/projects/{project_id}").text


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"survey_done_on": "2024-07-05"}, "survey_done_on"),  # survey finished after the start
        ({"duration_days": "0"}, "duration_days"),
        ({"duration_days": "99999"}, "duration_days"),
        ({"duration_days": "二十"}, "duration_days"),
        ({"starts_on": "2024-02-30"}, "starts_on"),
        ({"planned_on": ["2024-06-01", "2024-07-18"]}, "planned_on"),  # a milestone before the start
        ({"percent": ["150", "0"]}, "percent"),
        ({"quantity": ["很多", "12", ""]}, "quantity"),
        ({"title": ""}, "title"),
    ],
)
def test_bad_input_re_renders_the_form_naming_the_field_and_writes_nothing(
    client: TestClient, db: Database, changes: dict[str, Any], field: str
) -> None:
    req = dispatched_request(db)
    r = post(page_user(client, "r_projects"), f"/requests/{req}/projects/new", form(**changes))
    assert r.status_code == 422, r.text
    assert 'role="alert"' in r.text and f"（字段：{field}）" in r.text
    assert projects(db) == 0


def test_a_stale_version_is_refused_with_409_and_nothing_changes(client: TestClient, db: Database) -> None:
    project_id = create(client, db)
    stale = version(db, project_id)
    assert post(client, f"/requests/projects/{project_id}/start", {"version": stale}).status_code == 303
    r = post(client, f"/requests/projects/{project_id}/complete", {"version": stale, "completed_on": "2024-07-19"})
    assert r.status_code == 409 and "已被他人修改" in r.text
    r = post(client, f"/requests/projects/{project_id}/edit", form(version=str(stale), title="改名"))
    assert r.status_code == 409
    with db.reading() as s:
        project = s.get(RequestProject, project_id)
        assert project is not None and project.completed_on is None and project.title == "S256 线弯道防滑整治"


def test_a_completion_date_before_the_start_is_refused(client: TestClient, db: Database) -> None:
    project_id = create(client, db)
    r = post(
        client,
        f"/requests/projects/{project_id}/complete",
        {"version": version(db, project_id), "completed_on": "2024-06-01"},
    )
    assert r.status_code == 422 and "（字段：completed_on）" in r.text


def test_a_unit_of_another_county_neither_sees_nor_edits_the_project(client: TestClient, db: Database) -> None:
    project_id = create(client, db)
    other = page_user(client, "r_js_works")
    assert other.get(f"/requests/projects/{project_id}").status_code == 404
    assert "S256 线弯道防滑整治" not in other.get("/requests/projects").text
    assert post(other, f"/requests/projects/{project_id}/start", {"version": 1}).status_code in (403, 404)


# -------------------------------------------------------------------------------------------------------- API


def body(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "title": "S256 线弯道防滑整治",
        "survey": "完成勘察设计",
        "survey_done_on": "2024-06-25",
        "starts_on": "2024-06-30",
        "duration_days": 20,
        "measures": [{"description": "弯道及光滑路面拉毛", "quantity": 15.6, "unit": "公里"}],
        "milestones": [{"name": "拉毛施工", "planned_on": "2024-07-10"}],
    }
    data.update(changes)
    return data


def test_the_api_creates_reads_updates_and_completes_a_project(client: TestClient, db: Database) -> None:
    req = dispatched_request(db)
    api = api_user(client, "r_projects")
    r = api.post(f"{API}/{req}/projects", json=body())
    assert r.status_code == 201, r.text
    pid = r.json()["id"]
    got = api.get(f"{API}/projects/{pid}").json()
    assert got["expected_on"] == "2024-07-20" and got["measures"][0]["quantity"] == "15.60"
    assert [p["id"] for p in api.get(f"{API}/projects").json()] == [pid]
    r = api.put(f"{API}/projects/{pid}", json=body(duration_days=30, version=got["version"]))
    assert r.status_code == 200 and r.json()["expected_on"] == "2024-07-30"
    ms = r.json()["milestones"][0]["id"]
    r = api.post(
        f"{API}/projects/{pid}/milestones/{ms}",
        json={"version": r.json()["version"], "percent": 100, "done_on": "2024-07-09"},
    )
    assert r.status_code == 200 and r.json()["status"] == "in_progress"
    r = api.post(f"{API}/projects/{pid}/complete", json={"version": r.json()["version"], "completed_on": "2024-07-28"})
    assert r.status_code == 200 and r.json()["completed_on"] == "2024-07-28" and r.json()["status"] == "completed"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"duration_days": 0}, "duration_days"),
        ({"duration_days": 10**6}, "duration_days"),
        ({"starts_on": "2024/06/30"}, "starts_on"),
        ({"starts_on": 1719705600}, "starts_on"),
        ({"survey_done_on": "2024-07-05"}, "survey_done_on"),
        ({"milestones": [{"name": "拉毛", "planned_on": "2024-07-10", "percent": 101}]}, "milestones.0.percent"),
        ({"measures": [{"description": "拉毛", "quantity": -1}]}, "measures.0.quantity"),
    ],
)
def test_bad_api_input_is_a_422_naming_the_field(
    client: TestClient, db: Database, changes: dict[str, Any], field: str
) -> None:
    req = dispatched_request(db)
    r = api_user(client, "r_projects").post(f"{API}/{req}/projects", json=body(**changes))
    assert r.status_code == 422, r.text
    assert r.json()["field"] == field
    assert projects(db) == 0


def test_the_api_refuses_a_stale_version_with_409(client: TestClient, db: Database) -> None:
    req = dispatched_request(db)
    api = api_user(client, "r_projects")
    pid = api.post(f"{API}/{req}/projects", json=body()).json()["id"]
    assert api.post(f"{API}/projects/{pid}/start", json={"version": 1}).status_code == 200
    r = api.put(f"{API}/projects/{pid}", json=body(version=1, title="改名"))
    assert r.status_code == 409
    assert api.get(f"{API}/projects/{pid}").json()["title"] == "S256 线弯道防滑整治"
