"""Rectification projects (整改项目) spawned by a request, through the service, on SQLite and PostgreSQL.

The seed (凤凰县 S256): works start 2024-06-30 for 20 days and were completed "in mid-July"; the start date is
day 0, so the expected completion is 2024-07-20. Working-day durations use the 2024 National Day calendar
(1–7 Oct off; Sun 29 Sep and Sat 12 Oct worked) per 国办发明电〔2023〕7号.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select

from tests.conftest import unit_id
from tests.support.request_people import SYSTEM, category, setup
from zhengwu.core.audit.tables import AuditEntry
from zhengwu.core.db import Database
from zhengwu.core.errors import Conflict, Forbidden, Invalid, NotFound
from zhengwu.core.org.model import Principal
from zhengwu.requests import model
from zhengwu.requests import service as requests
from zhengwu.requests.model import ProjectStatus
from zhengwu.requests.service import MeasureInput, MilestoneInput
from zhengwu.requests.tables import RequestProject, RequestProjectMeasure, RequestProjectMilestone

SEED_MEASURES = [
    MeasureInput("弯道及光滑路面拉毛", "15.6", "公里"),
    MeasureInput("设置横向减速标线"),
    MeasureInput("恢复中心标线"),
]
SEED_MILESTONES = [
    MilestoneInput("路面拉毛", date(2024, 7, 10)),
    MilestoneInput("标线施划", date(2024, 7, 20)),
]

PROJECT_PEOPLE = {
    "p_road": ("fh-gl", [(model.VIEW, "unit"), (model.PROJECT_MANAGE, "unit")]),
    "p_health": ("fh-wj", [(model.VIEW, "unit"), (model.PROJECT_MANAGE, "unit")]),
}


@pytest.fixture
def people(db: Database) -> dict[str, Principal]:
    return setup(db, PROJECT_PEOPLE)


@pytest.fixture
def request_id(db: Database, people: dict[str, Principal]) -> int:
    """The S256 report, dispatched to and signed for by the road maintenance centre."""
    with db.uow(SYSTEM) as uow:
        r = requests.receive_request(
            uow,
            people["r_hotline"],
            channel="phone",
            type="complaint",
            category_id=category(db, "traffic.road"),
            description="S256 腊尔山五潮河至大马段水泥路面老化，雨天湿滑。",
            road_code="S256",
            km_from="K12+300",
            km_to="K27+900",
            anonymous=True,
        )
        uow.commit()
        rid = r.id
    steps: list[tuple[Any, str, dict[str, Any]]] = [
        (requests.accept, "r_hotline", {}),
        (requests.dispatch, "r_hotline", {"unit_id": unit_id(db, "fh-gl")}),
        (requests.sign, "r_road", {}),
    ]
    for fn, who, kw in steps:
        with db.uow(SYSTEM) as uow:
            fn(uow, people[who], rid, **kw)
            uow.commit()
    return rid


def create(db: Database, who: Principal, rid: int, **kw: Any) -> RequestProject:
    values: dict[str, Any] = {
        "title": "S256 腊尔山五潮河至大马段路面防滑整治",
        "survey": "设计单位勘测 15.6 公里路段",
        "survey_done_on": date(2024, 6, 25),
        "starts_on": date(2024, 6, 30),
        "duration_days": 20,
        "measures": SEED_MEASURES,
        "milestones": SEED_MILESTONES,
    }
    values.update(kw)
    with db.uow(SYSTEM) as uow:
        project = requests.create_project(uow, who, rid, **values)
        uow.commit()
        return project


def count(db: Database, table: Any) -> int:
    with db.reading() as s:
        return int(s.scalar(select(func.count()).select_from(table)) or 0)


def test_the_seed_project_starting_2024_06_30_for_20_natural_days_is_expected_on_2024_07_20(
    db: Database, people: dict[str, Principal], request_id: int
) -> None:
    project = create(db, people["p_road"], request_id)
    assert project.expected_on == date(2024, 7, 20)
    assert (project.status, project.working_days, project.version) == (ProjectStatus.PLANNED, False, 1)
    assert project.unit_id == unit_id(db, "fh-gl")
    with db.reading() as s:
        view = requests.project_view(s, people["p_road"], project.id)
        audited = s.scalar(
            select(func.count()).select_from(AuditEntry).where(AuditEntry.table_name == "request_projects")
        )
    assert [(m.position, m.description, m.quantity, m.unit) for m in view.measures] == [
        (1, "弯道及光滑路面拉毛", Decimal("15.6"), "公里"),
        (2, "设置横向减速标线", None, ""),
        (3, "恢复中心标线", None, ""),
    ]
    assert [(m.name, m.planned_on, m.percent) for m in view.milestones] == [
        ("路面拉毛", date(2024, 7, 10), 0),
        ("标线施划", date(2024, 7, 20), 0),
    ]
    assert audited == 1


def test_a_working_day_duration_counts_working_days_after_the_start_through_the_calendar(
    db: Database, people: dict[str, Principal], request_id: int
) -> None:
    # After Fri 27 Sep: Sun 29 Sep (worked), Mon 30 Sep, [1–7 Oct off], Tue 8, Wed 9, Thu 10 Oct.
    project = create(
        db,
        people["p_road"],
        request_id,
        starts_on=date(2024, 9, 27),
        duration_days=5,
        working_days=True,
        survey_done_on=None,
        milestones=[],
    )
    assert project.expected_on == date(2024, 10, 10) and project.working_days is True


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"survey_done_on": date(2024, 7, 1)}, "survey_done_on"),
        ({"duration_days": 0}, "duration_days"),
        ({"duration_days": -20}, "duration_days"),
        ({"title": "  "}, "title"),
        ({"milestones": [MilestoneInput("路面拉毛", date(2024, 7, 10), 101)]}, "percent"),
        ({"milestones": [MilestoneInput("路面拉毛", date(2024, 7, 10), -1)]}, "percent"),
        ({"milestones": [MilestoneInput("路面拉毛", date(2024, 6, 1))]}, "planned_on"),
        ({"measures": [MeasureInput("拉毛", "-3", "公里")]}, "quantity"),
        ({"measures": [MeasureInput("拉毛", "十五", "公里")]}, "quantity"),
    ],
)
def test_bad_project_input_names_the_field_and_writes_nothing(
    db: Database, people: dict[str, Principal], request_id: int, change: dict[str, Any], field: str
) -> None:
    with pytest.raises(Invalid) as bad:
        create(db, people["p_road"], request_id, **change)
    assert bad.value.field == field
    assert count(db, RequestProject) == count(db, RequestProjectMeasure) == count(db, RequestProjectMilestone) == 0


def test_a_project_for_an_unknown_request_is_refused_naming_request_id(
    db: Database, people: dict[str, Principal], request_id: int
) -> None:
    with pytest.raises(Invalid) as bad:
        create(db, people["p_road"], request_id + 999)
    assert bad.value.field == "request_id" and count(db, RequestProject) == 0


def test_another_unit_may_neither_spawn_nor_read_the_owner_units_project(
    db: Database, people: dict[str, Principal], request_id: int
) -> None:
    with pytest.raises(Forbidden):
        create(db, people["p_health"], request_id)
    assert count(db, RequestProject) == 0
    project = create(db, people["p_road"], request_id)
    with db.reading() as s, pytest.raises(NotFound):
        requests.project_view(s, people["p_health"], project.id)
    with db.uow(SYSTEM) as uow, pytest.raises(Forbidden):
        requests.complete_project(uow, people["p_health"], project.id, version=1, completed_on=date(2024, 7, 15))
    with db.reading() as s:
        assert [p.id for p in requests.projects_of_request(s, people["p_road"], request_id)] == [project.id]
        assert requests.projects_of_request(s, people["p_health"], request_id) == []


def test_editing_recomputes_the_expected_date_and_a_stale_version_conflicts(
    db: Database, people: dict[str, Principal], request_id: int
) -> None:
    project = create(db, people["p_road"], request_id)
    edit: dict[str, Any] = {
        "title": "S256 路面防滑整治（调整）",
        "starts_on": date(2024, 7, 1),
        "duration_days": 25,
        "measures": SEED_MEASURES[:2],
    }
    with db.uow(SYSTEM) as uow:
        edited = requests.update_project(uow, people["p_road"], project.id, version=1, **edit)
        uow.commit()
    assert (edited.expected_on, edited.version) == (date(2024, 7, 26), 2)
    with db.uow(SYSTEM) as uow, pytest.raises(Conflict):
        requests.update_project(uow, people["p_road"], project.id, version=1, **{**edit, "duration_days": 30})
    with db.reading() as s:
        view = requests.project_view(s, people["p_road"], project.id)
    assert view.project.duration_days == 25 and len(view.measures) == 2 and view.milestones == []


def test_milestone_progress_starts_the_works_and_the_actual_completion_is_recorded(
    db: Database, people: dict[str, Principal], request_id: int
) -> None:
    project = create(db, people["p_road"], request_id)
    with db.reading() as s:
        first = requests.project_view(s, people["p_road"], project.id).milestones[0]
    with db.uow(SYSTEM) as uow, pytest.raises(Invalid) as bad:
        requests.record_milestone(uow, people["p_road"], project.id, first.id, version=1, percent=150)
    assert bad.value.field == "percent"
    with db.uow(SYSTEM) as uow:
        p = requests.record_milestone(
            uow, people["p_road"], project.id, first.id, version=1, percent=100, done_on=date(2024, 7, 9)
        )
        uow.commit()
    assert (p.status, p.version) == (ProjectStatus.IN_PROGRESS, 2)
    with db.uow(SYSTEM) as uow, pytest.raises(Invalid) as bad:
        requests.complete_project(uow, people["p_road"], project.id, version=2, completed_on=date(2024, 6, 29))
    assert bad.value.field == "completed_on"
    with db.uow(SYSTEM) as uow, pytest.raises(Conflict):
        requests.complete_project(uow, people["p_road"], project.id, version=1, completed_on=date(2024, 7, 15))
    with db.uow(SYSTEM) as uow:
        done = requests.complete_project(uow, people["p_road"], project.id, version=2, completed_on=date(2024, 7, 15))
        uow.commit()
    assert (done.status, done.completed_on, done.expected_on) == (
        ProjectStatus.COMPLETED,
        date(2024, 7, 15),
        date(2024, 7, 20),
    )
    with db.reading() as s:
        view = requests.project_view(s, people["p_road"], project.id)
    assert (view.milestones[0].percent, view.milestones[0].done_on) == (100, date(2024, 7, 9))
