"""Rectification projects (整改项目) spawned by a request: the survey/design step, ordered measures, start date and
planned duration (工期) with the expected completion date computed (``model.expected_completion``), milestones with
percent complete, and the actual completion.

A project belongs to its request's owner unit (``unit_id``, copied when it is created): writes need
``requests.project.manage`` over that unit (``check_write``), reads ``requests.view`` (``restrict``). Every field
is checked before anything is written (``Invalid`` naming it); edits carry the version the user loaded
(``Conflict`` when stale). Writes are audited by the unit of work's flush listener.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from zhengwu.core.calendar.service import load_calendar
from zhengwu.core.db import UnitOfWork
from zhengwu.core.errors import Invalid, NotFound
from zhengwu.core.org.access import check_write, get_scoped, restrict
from zhengwu.core.org.model import Principal
from zhengwu.core.org.service import expect_version, require
from zhengwu.requests.model import PROJECT_MANAGE, VIEW, ProjectStatus, expected_completion
from zhengwu.requests.tables import RequestMatter, RequestProject, RequestProjectMeasure, RequestProjectMilestone

MAX_DURATION_DAYS = 3650
MAX_MEASURES = 50
MAX_MILESTONES = 50


@dataclass(frozen=True)
class MeasureInput:
    """One measure as entered: 弯道及光滑路面拉毛 / 15.6 / 公里."""

    description: str
    quantity: Decimal | int | float | str | None = None
    unit: str = ""


@dataclass(frozen=True)
class MilestoneInput:
    name: str
    planned_on: date
    percent: int = 0
    done_on: date | None = None


@dataclass(frozen=True)
class ProjectView:
    """A project with its measures and milestones, in order."""

    project: RequestProject
    measures: list[RequestProjectMeasure]
    milestones: list[RequestProjectMilestone]


def _text(value: str | None, field: str, label: str, max_len: int, *, required: bool = False) -> str:
    text = (value or "").strip()
    if required and not text:
        raise Invalid(f"请填写{label}。", field=field)
    if len(text) > max_len:
        raise Invalid(f"{label}不能超过 {max_len} 个字。", field=field)
    return text


def _date(value: object, field: str, label: str, *, required: bool = True) -> date | None:
    if value is None and not required:
        return None
    if not isinstance(value, date):
        raise Invalid(f"请填写有效的{label}。", field=field)
    return value


def _quantity(value: Decimal | int | float | str | None) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        parsed = Decimal(str(value).strip())
    except InvalidOperation:
        raise Invalid(f"措施数量“{value}”不是数字。", field="quantity") from None
    if not parsed.is_finite() or parsed < 0 or parsed >= Decimal("1e10"):
        raise Invalid("措施数量应为不小于 0 的数字。", field="quantity")
    return parsed.quantize(Decimal("0.01"))


def _percent(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 100:
        raise Invalid("完成百分比应为 0 到 100 之间的整数。", field="percent")
    return value


@dataclass(frozen=True)
class _Checked:
    title: str
    survey: str
    survey_done_on: date | None
    starts_on: date
    duration_days: int
    working_days: bool
    measures: list[tuple[str, Decimal | None, str]]
    milestones: list[tuple[str, date, int, date | None]]


def _check(
    *,
    title: str,
    survey: str,
    survey_done_on: date | None,
    starts_on: date,
    duration_days: int,
    working_days: bool,
    measures: Sequence[MeasureInput],
    milestones: Sequence[MilestoneInput],
) -> _Checked:
    title = _text(title, "title", "项目名称", 200, required=True)
    survey = _text(survey, "survey", "勘察设计情况", 4000)
    start = _date(starts_on, "starts_on", "开工日期")
    assert start is not None
    done = _date(survey_done_on, "survey_done_on", "勘察设计完成日期", required=False)
    if done is not None and done > start:
        raise Invalid("勘察设计完成日期不能晚于开工日期。", field="survey_done_on")
    if isinstance(duration_days, bool) or not isinstance(duration_days, int) or not duration_days >= 1:
        raise Invalid("工期应为正整数天。", field="duration_days")
    if duration_days > MAX_DURATION_DAYS:
        raise Invalid(f"工期不能超过 {MAX_DURATION_DAYS} 天。", field="duration_days")
    if len(measures) > MAX_MEASURES:
        raise Invalid(f"整改措施最多 {MAX_MEASURES} 项。", field="measures")
    checked_measures = [
        (
            _text(m.description, "measures", "措施内容", 200, required=True),
            _quantity(m.quantity),
            _text(m.unit, "unit", "计量单位", 16),
        )
        for m in measures
    ]
    if len(milestones) > MAX_MILESTONES:
        raise Invalid(f"节点最多 {MAX_MILESTONES} 个。", field="milestones")
    checked_milestones: list[tuple[str, date, int, date | None]] = []
    for m in milestones:
        name = _text(m.name, "milestones", "节点名称", 100, required=True)
        planned = _date(m.planned_on, "planned_on", "节点计划日期")
        assert planned is not None
        if planned < start:
            raise Invalid(f"节点“{name}”的计划日期早于开工日期。", field="planned_on")
        percent = _percent(m.percent)
        m_done = _date(m.done_on, "done_on", "节点完成日期", required=False)
        if m_done is not None and m_done < start:
            raise Invalid(f"节点“{name}”的完成日期早于开工日期。", field="done_on")
        checked_milestones.append((name, planned, percent, m_done))
    return _Checked(title, survey, done, start, duration_days, bool(working_days), checked_measures, checked_milestones)


def _expected(session: Session, c: _Checked) -> date:
    calendar = load_calendar(session) if c.working_days else None
    return expected_completion(c.starts_on, c.duration_days, working_days=c.working_days, calendar=calendar)


def _write_children(uow: UnitOfWork, project: RequestProject, c: _Checked) -> None:
    session = uow.session
    for position, (description, quantity, unit) in enumerate(c.measures, start=1):
        session.add(
            RequestProjectMeasure(
                project_id=project.id, position=position, description=description, quantity=quantity, unit=unit
            )
        )
    for position, (name, planned, percent, done) in enumerate(c.milestones, start=1):
        session.add(
            RequestProjectMilestone(
                project_id=project.id, position=position, name=name, planned_on=planned, percent=percent, done_on=done
            )
        )


def create_project(
    uow: UnitOfWork,
    principal: Principal | None,
    request_id: int,
    *,
    title: str,
    starts_on: date,
    duration_days: int,
    working_days: bool = False,
    survey: str = "",
    survey_done_on: date | None = None,
    measures: Sequence[MeasureInput] = (),
    milestones: Sequence[MilestoneInput] = (),
) -> RequestProject:
    """Spawn a rectification project from a request, owned by the request's owner unit."""
    require(principal, PROJECT_MANAGE)
    session = uow.session
    request = session.get(RequestMatter, request_id)
    if request is None:
        raise Invalid("诉求不存在。", field="request_id")
    check_write(session, principal, PROJECT_MANAGE, request)
    c = _check(
        title=title,
        survey=survey,
        survey_done_on=survey_done_on,
        starts_on=starts_on,
        duration_days=duration_days,
        working_days=working_days,
        measures=measures,
        milestones=milestones,
    )
    project = RequestProject(
        request_id=request.id,
        unit_id=request.owner_unit_id,
        title=c.title,
        survey=c.survey,
        survey_done_on=c.survey_done_on,
        starts_on=c.starts_on,
        duration_days=c.duration_days,
        working_days=c.working_days,
        expected_on=_expected(session, c),
        completed_on=None,
        status=ProjectStatus.PLANNED,
    )
    session.add(project)
    uow.flush()
    _write_children(uow, project, c)
    uow.flush()
    return project


def _project_for_write(uow: UnitOfWork, principal: Principal | None, project_id: int) -> RequestProject:
    require(principal, PROJECT_MANAGE)
    project = uow.session.get(RequestProject, project_id)
    if project is None:
        raise NotFound("整改项目不存在。")
    check_write(uow.session, principal, PROJECT_MANAGE, project)
    return project


def update_project(
    uow: UnitOfWork,
    principal: Principal | None,
    project_id: int,
    *,
    version: int | None,
    title: str,
    starts_on: date,
    duration_days: int,
    working_days: bool = False,
    survey: str = "",
    survey_done_on: date | None = None,
    measures: Sequence[MeasureInput] = (),
    milestones: Sequence[MilestoneInput] = (),
) -> RequestProject:
    """Edit a project; its measures and milestones are replaced by the lists given and the expected completion
    date recomputed."""
    project = _project_for_write(uow, principal, project_id)
    expect_version(project, version)
    c = _check(
        title=title,
        survey=survey,
        survey_done_on=survey_done_on,
        starts_on=starts_on,
        duration_days=duration_days,
        working_days=working_days,
        measures=measures,
        milestones=milestones,
    )
    if project.completed_on is not None and project.completed_on < c.starts_on:
        raise Invalid("开工日期不能晚于已记录的完工日期。", field="starts_on")
    session = uow.session
    session.execute(delete(RequestProjectMeasure).where(RequestProjectMeasure.project_id == project.id))
    session.execute(delete(RequestProjectMilestone).where(RequestProjectMilestone.project_id == project.id))
    project.title, project.survey, project.survey_done_on = c.title, c.survey, c.survey_done_on
    project.starts_on, project.duration_days, project.working_days = c.starts_on, c.duration_days, c.working_days
    project.expected_on = _expected(session, c)
    _write_children(uow, project, c)
    uow.flush()
    return project


def start_project(
    uow: UnitOfWork, principal: Principal | None, project_id: int, *, version: int | None
) -> RequestProject:
    """Mark a planned project as in progress."""
    project = _project_for_write(uow, principal, project_id)
    expect_version(project, version)
    if project.status is not ProjectStatus.PLANNED:
        raise Invalid("只有未开工的项目可以开工。", field="status")
    project.status = ProjectStatus.IN_PROGRESS
    uow.flush()
    return project


def record_milestone(
    uow: UnitOfWork,
    principal: Principal | None,
    project_id: int,
    milestone_id: int,
    *,
    version: int | None,
    percent: int,
    done_on: date | None = None,
) -> RequestProject:
    """Record a milestone's percent complete (and the day it was done); counts as an edit of the project."""
    project = _project_for_write(uow, principal, project_id)
    expect_version(project, version)
    milestone = uow.session.get(RequestProjectMilestone, milestone_id)
    if milestone is None or milestone.project_id != project.id:
        raise Invalid("节点不存在。", field="milestone_id")
    pct = _percent(percent)
    done = _date(done_on, "done_on", "节点完成日期", required=False)
    if done is not None and done < project.starts_on:
        raise Invalid("节点完成日期早于开工日期。", field="done_on")
    milestone.percent, milestone.done_on = pct, done
    project.version = project.version + 1  # a concurrent edit of the project still conflicts
    if project.status is ProjectStatus.PLANNED:
        project.status = ProjectStatus.IN_PROGRESS
    uow.flush()
    return project


def complete_project(
    uow: UnitOfWork, principal: Principal | None, project_id: int, *, version: int | None, completed_on: date
) -> RequestProject:
    """Record the actual completion date; the project becomes completed."""
    project = _project_for_write(uow, principal, project_id)
    expect_version(project, version)
    done = _date(completed_on, "completed_on", "完工日期")
    assert done is not None
    if done < project.starts_on:
        raise Invalid("完工日期不能早于开工日期。", field="completed_on")
    project.completed_on, project.status = done, ProjectStatus.COMPLETED
    uow.flush()
    return project


def project_view(session: Session, principal: Principal | None, project_id: int) -> ProjectView:
    """A project within the reader's ``requests.view`` scope, with its measures and milestones in order."""
    project: RequestProject = get_scoped(session, principal, VIEW, RequestProject, project_id)
    measures = list(
        session.scalars(
            select(RequestProjectMeasure)
            .where(RequestProjectMeasure.project_id == project.id)
            .order_by(RequestProjectMeasure.position)
        )
    )
    milestones = list(
        session.scalars(
            select(RequestProjectMilestone)
            .where(RequestProjectMilestone.project_id == project.id)
            .order_by(RequestProjectMilestone.position)
        )
    )
    return ProjectView(project, measures, milestones)


def projects_of_request(session: Session, principal: Principal | None, request_id: int) -> list[RequestProject]:
    """The projects a request spawned, within the reader's scope, oldest first."""
    stmt = select(RequestProject).where(RequestProject.request_id == request_id).order_by(RequestProject.id)
    return list(session.scalars(restrict(stmt, principal, VIEW)))
