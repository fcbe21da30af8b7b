"""JSON API of rectification projects: spawn one from a request, list and read those in the caller's scope, edit
(with the version read), start, record a milestone and complete. Dates are ``YYYY-MM-DD`` strings."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Path
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field
from sqlalchemy import select

from zhengwu.core.errors import Forbidden
from zhengwu.core.matters.tables import Matter
from zhengwu.core.org.access import restrict
from zhengwu.core.org.tables import Unit
from zhengwu.requests.model import VIEW
from zhengwu.requests.service import projects as service
from zhengwu.requests.service.projects import (
    MAX_DURATION_DAYS,
    MAX_MEASURES,
    MAX_MILESTONES,
    MeasureInput,
    MilestoneInput,
    ProjectView,
)
from zhengwu.requests.tables import RequestProject
from zhengwu.web.deps import Db, User, uow_for
from zhengwu.web.problems import PROBLEMS

router = APIRouter(prefix="/api/v1/requests", tags=["群众诉求 · 整改项目"], responses=PROBLEMS)
MAX_ID = 2_147_483_647
RequestId = Annotated[int, Path(ge=1, le=MAX_ID, description="诉求 ID")]
ProjectId = Annotated[int, Path(ge=1, le=MAX_ID, description="整改项目 ID")]
MilestoneId = Annotated[int, Path(ge=1, le=MAX_ID, description="节点 ID")]
Text = Annotated[str, Field(pattern=r"^[^\x00]*$")]


def _iso_day(value: Any) -> Any:
    """Only ``YYYY-MM-DD`` text is a date here (not a number of seconds, as pydantic's lax mode would allow)."""
    if isinstance(value, str) and len(value) == 10:
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise ValueError("应为 YYYY-MM-DD 格式的日期")


Day = Annotated[date, BeforeValidator(_iso_day), Field(json_schema_extra={"type": "string", "format": "date"})]
Version = Annotated[int, Field(ge=1, le=MAX_ID, description="版本号；原样提交读取时的值，用于发现并发修改")]


class Input(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class MeasureIn(Input):
    description: Text = Field(max_length=200, description="措施内容，如 弯道及光滑路面拉毛")
    quantity: Annotated[Decimal, Field(strict=False, ge=0, lt=Decimal("1e10"), decimal_places=2)] | None = Field(
        None, description="数量，如 15.6"
    )
    unit: Text = Field("", max_length=16, description="计量单位，如 公里")


class MilestoneIn(Input):
    name: Text = Field(max_length=100)
    planned_on: Day = Field(description="计划日期")
    percent: int = Field(0, ge=0, le=100, description="完成百分比")
    done_on: Day | None = Field(None, description="完成日期")


class ProjectIn(Input):
    title: Text = Field(max_length=200, description="项目名称")
    survey: Text = Field("", max_length=4000, description="勘察设计情况")
    survey_done_on: Day | None = Field(None, description="勘察设计完成日期")
    starts_on: Day = Field(description="开工日期")
    duration_days: int = Field(ge=1, le=MAX_DURATION_DAYS, description="工期（天），开工日之后计")
    working_days: bool = Field(False, description="按工作日计算工期")
    measures: list[MeasureIn] = Field([], max_length=MAX_MEASURES)
    milestones: list[MilestoneIn] = Field([], max_length=MAX_MILESTONES)

    def fields(self) -> dict[str, Any]:
        data = self.model_dump(exclude={"measures", "milestones", "version"})
        data["measures"] = [MeasureInput(m.description, m.quantity, m.unit) for m in self.measures]
        data["milestones"] = [MilestoneInput(m.name, m.planned_on, m.percent, m.done_on) for m in self.milestones]
        return data


class ProjectUpdate(ProjectIn):
    version: Version


class VersionIn(Input):
    version: Version


class MilestoneUpdate(Input):
    version: Version
    percent: int = Field(ge=0, le=100, description="完成百分比")
    done_on: Day | None = Field(None, description="完成日期")


class CompleteIn(Input):
    version: Version
    completed_on: Day = Field(description="实际完工日期")


class Created(BaseModel):
    id: int
    version: int


class MeasureOut(BaseModel):
    position: int
    description: str
    quantity: Decimal | None
    unit: str


class MilestoneOut(BaseModel):
    id: int
    position: int
    name: str
    planned_on: date
    percent: int
    done_on: date | None


class ProjectItem(BaseModel):
    id: int
    request_id: int
    request_serial: str
    unit: str = Field(description="责任单位")
    title: str
    status: str
    status_label: str
    starts_on: date
    expected_on: date = Field(description="预计完工日期（开工日为第 0 天）")
    completed_on: date | None


class ProjectOut(ProjectItem):
    survey: str
    survey_done_on: date | None
    duration_days: int
    working_days: bool
    version: int
    measures: list[MeasureOut]
    milestones: list[MilestoneOut]


def _item(p: RequestProject, serial: str, unit: str) -> dict[str, Any]:
    return {
        "id": p.id,
        "request_id": p.request_id,
        "request_serial": serial,
        "unit": unit,
        "title": p.title,
        "status": p.status.value,
        "status_label": p.status.label,
        "starts_on": p.starts_on,
        "expected_on": p.expected_on,
        "completed_on": p.completed_on,
    }


def _out(session: Any, view: ProjectView) -> ProjectOut:
    p = view.project
    serial = session.scalar(select(Matter.serial).where(Matter.id == p.request_id)) or ""
    unit = session.scalar(select(Unit.name).where(Unit.id == p.unit_id)) or ""
    return ProjectOut(
        **_item(p, serial, unit),
        survey=p.survey,
        survey_done_on=p.survey_done_on,
        duration_days=p.duration_days,
        working_days=p.working_days,
        version=p.version,
        measures=[
            MeasureOut(position=m.position, description=m.description, quantity=m.quantity, unit=m.unit)
            for m in view.measures
        ],
        milestones=[
            MilestoneOut(
                id=m.id, position=m.position, name=m.name, planned_on=m.planned_on, percent=m.percent, done_on=m.done_on
            )
            for m in view.milestones
        ],
    )


def _read(db: Any, principal: Any, project_id: int) -> ProjectOut:
    with db.reading() as session:
        return _out(session, service.project_view(session, principal, project_id))


@router.get("/projects", summary="整改项目列表（数据范围内）")
def list_projects(principal: User, db: Db) -> list[ProjectItem]:
    if not principal.has(VIEW):
        raise Forbidden("您没有查看群众诉求的权限。")
    stmt = (
        select(RequestProject, Matter.serial, Unit.name)
        .join(Matter, Matter.id == RequestProject.request_id)
        .join(Unit, Unit.id == RequestProject.unit_id)
        .order_by(RequestProject.starts_on.desc(), RequestProject.id.desc())
    )
    with db.reading() as session:
        rows = session.execute(restrict(stmt, principal, VIEW, RequestProject))
        return [ProjectItem(**_item(p, serial, unit)) for p, serial, unit in rows]


@router.post("/{request_id}/projects", status_code=201, summary="由诉求建立整改项目")
def create_project(request_id: RequestId, body: ProjectIn, principal: User, db: Db) -> Created:
    with uow_for(db, principal) as uow:
        project = service.create_project(uow, principal, request_id, **body.fields())
        uow.commit()
        return Created(id=project.id, version=project.version)


@router.get("/projects/{project_id}", summary="整改项目详情")
def get_project(project_id: ProjectId, principal: User, db: Db) -> ProjectOut:
    return _read(db, principal, project_id)


@router.put("/projects/{project_id}", summary="修改整改项目（措施与节点整体替换）")
def update_project(project_id: ProjectId, body: ProjectUpdate, principal: User, db: Db) -> ProjectOut:
    with uow_for(db, principal) as uow:
        service.update_project(uow, principal, project_id, version=body.version, **body.fields())
        uow.commit()
    return _read(db, principal, project_id)


@router.post("/projects/{project_id}/start", summary="项目开工")
def start_project(project_id: ProjectId, body: VersionIn, principal: User, db: Db) -> ProjectOut:
    with uow_for(db, principal) as uow:
        service.start_project(uow, principal, project_id, version=body.version)
        uow.commit()
    return _read(db, principal, project_id)


@router.post("/projects/{project_id}/milestones/{milestone_id}", summary="记录节点进度")
def record_milestone(
    project_id: ProjectId, milestone_id: MilestoneId, body: MilestoneUpdate, principal: User, db: Db
) -> ProjectOut:
    with uow_for(db, principal) as uow:
        service.record_milestone(
            uow, principal, project_id, milestone_id, version=body.version, percent=body.percent, done_on=body.done_on
        )
        uow.commit()
    return _read(db, principal, project_id)


@router.post("/projects/{project_id}/complete", summary="记录完工")
def complete_project(project_id: ProjectId, body: CompleteIn, principal: User, db: Db) -> ProjectOut:
    with uow_for(db, principal) as uow:
        service.complete_project(uow, principal, project_id, version=body.version, completed_on=body.completed_on)
        uow.commit()
    return _read(db, principal, project_id)
