"""JSON API of findings (巡察发现问题) under ``/api/v1/inspection/findings``: record one, list those in the caller's
scope (filters as on the page), read one with its items, and take a step (``POST …/{id}/{step}`` with the version
read). Steps go through ``zhengwu.inspection.service.findings.act``, as the page's do."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from zhengwu.core.errors import Forbidden
from zhengwu.core.matters import service as matters
from zhengwu.core.matters.api import EventOut, history_out
from zhengwu.inspection.api.fields import MAX_ID, Day, Id, Input, Text, Version
from zhengwu.inspection.kinds import FINDING, ITEM
from zhengwu.inspection.model import VIEW
from zhengwu.inspection.model.workflows import FINDING_WORKFLOW
from zhengwu.inspection.service import findings as service
from zhengwu.inspection.tables import FindingMatter, InspectionCategory, ItemMatter
from zhengwu.inspection.views.finding_lists import finding_list
from zhengwu.web.deps import Db, User, get_settings, uow_for
from zhengwu.web.listing import fetch_page
from zhengwu.web.problems import PROBLEMS

router = APIRouter(prefix="/api/v1/inspection", tags=["巡察整改"], responses=PROBLEMS)
FindingId = Annotated[int, Path(ge=1, le=MAX_ID, description="问题 ID")]
STEPS = tuple(dict.fromkeys(s.code for s in FINDING_WORKFLOW.steps))
FindingStep = Annotated[str, Path(pattern=f"^({'|'.join(STEPS)})$", description="办理动作：" + " / ".join(STEPS))]


class FindingIn(Input):
    round_id: Id = Field(description="巡察轮次 ID")
    target_unit_id: Id = Field(description="被巡察党组织（须为本轮巡察对象）")
    category_id: Id = Field(description="问题分类 ID")
    team_id: Id | None = Field(None, description="巡察组 ID；不填为本轮派驻该单位的巡察组")
    title: Text = Field(max_length=service.TITLE_CHARS, description="问题概述")
    description: Text = Field(max_length=service.TEXT_CHARS, description="问题描述")
    paper: Text = Field(max_length=service.TEXT_CHARS, description="问题底稿")


class StepIn(Input):
    version: Version
    note: Text = Field("", max_length=service.TEXT_CHARS, description="说明；撤销、立行立改通知与完成、重新整改时必填")
    report_due_on: Day | None = Field(None, description="反馈时：整改报告期限（默认反馈后 2 个月）")
    attachments: list[Annotated[Text, Field(max_length=200)]] = Field(
        [], max_length=50, description="立行立改完成时：佐证材料名称"
    )

    def data(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.report_due_on is not None:
            out["report_due_on"] = self.report_due_on
        if self.attachments:
            out["attachments"] = list(self.attachments)
        return out


class FindingRow(BaseModel):
    id: int
    serial: str
    title: str
    round: str
    target: str
    category: str
    status: str
    status_label: str
    received_at: datetime
    fed_back_on: date | None
    report_due_on: date | None


class FindingPage(BaseModel):
    items: list[FindingRow]
    total: int
    page: int
    pages: int


class ItemBrief(BaseModel):
    id: int
    serial: str
    measure: str
    responsible: str
    due_on: date
    status: str
    status_label: str


class FindingOut(BaseModel):
    id: int
    serial: str
    version: int
    round_id: int
    team_id: int | None
    target_unit_id: int
    category_id: int
    category: str
    title: str
    description: str
    paper: str
    status: str
    status_label: str
    paper_approved_by: int | None
    paper_approved_at: datetime | None
    immediate_notice: str | None
    immediate_ordered_on: date | None
    immediate_done_on: date | None
    fed_back_on: date | None
    report_due_on: date | None
    due_at: datetime | None
    items: list[ItemBrief]
    history: list[EventOut]


def finding_out(session: Session, found: FindingMatter) -> FindingOut:
    category = session.get(InspectionCategory, found.category_id)
    rows = session.scalars(select(ItemMatter).where(ItemMatter.finding_id == found.id).order_by(ItemMatter.id))
    label = FINDING.spec.workflow.label
    return FindingOut(
        id=found.id,
        serial=found.serial,
        version=found.version,
        round_id=found.round_id,
        team_id=found.team_id,
        target_unit_id=found.target_unit_id,
        category_id=found.category_id,
        category=category.name if category else "",
        title=found.title,
        description=found.body,
        paper=found.paper,
        status=found.status,
        status_label=label(found.status),
        paper_approved_by=found.paper_approved_by,
        paper_approved_at=found.paper_approved_at,
        immediate_notice=found.immediate_notice,
        immediate_ordered_on=found.immediate_ordered_on,
        immediate_done_on=found.immediate_done_on,
        fed_back_on=found.fed_back_on,
        report_due_on=found.report_due_on,
        due_at=found.due_at,
        items=[
            ItemBrief(
                id=i.id,
                serial=i.serial,
                measure=i.measure,
                responsible=i.responsible,
                due_on=i.due_on,
                status=i.status,
                status_label=ITEM.spec.workflow.label(i.status),
            )
            for i in rows
        ],
        history=history_out(session, FINDING.spec, found),
    )


def _require_view(principal: Any) -> None:
    if not principal.has(VIEW):
        raise Forbidden("您没有查看巡察工作的权限。")


@router.post("/findings", status_code=201, summary="登记巡察发现问题")
def create_finding(body: FindingIn, principal: User, db: Db) -> FindingOut:
    with uow_for(db, principal) as uow:
        found = service.record_finding(uow, principal, **body.model_dump())
        uow.commit()
        return finding_out(uow.session, found)


@router.get("/findings", summary="巡察发现问题列表（数据范围内，新登记的在前）")
def list_findings(
    request: Request,
    principal: User,
    db: Db,
    round_id: Annotated[int | None, Query(ge=1, le=MAX_ID, description="巡察轮次 ID")] = None,
    target: Annotated[int | None, Query(ge=1, le=MAX_ID, description="被巡察党组织 ID")] = None,
    category: Annotated[int | None, Query(ge=1, le=MAX_ID, description="问题分类 ID")] = None,
    status: Annotated[str | None, Query(max_length=32, description="状态代码，如 fed_back")] = None,
    q: Annotated[str | None, Query(max_length=100, pattern=r"^[^\x00]*$", description="概述或编号")] = None,
    page: Annotated[int, Query(ge=1, le=MAX_ID)] = 1,
) -> FindingPage:
    _require_view(principal)
    given = {"round_id": round_id, "target": target, "category": category, "status": status, "q": q, "page": page}
    params = {k: str(v) for k, v in given.items() if v is not None}
    label = FINDING.spec.workflow.label
    with db.reading() as session:
        found = fetch_page(session, finding_list(), principal, params, get_settings(request).page_size)
        rows = [
            FindingRow(
                id=r.id,
                serial=r.serial,
                title=r.title,
                round=r.round,
                target=r.target,
                category=r.category,
                status=r.status,
                status_label=label(r.status),
                received_at=r.received_at,
                fed_back_on=r.fed_back_on,
                report_due_on=r.report_due_on,
            )
            for r in found.rows
        ]
    return FindingPage(items=rows, total=found.total, page=found.page, pages=found.pages)


@router.get("/findings/{finding_id}", summary="巡察发现问题详情（含整改事项与办理记录）")
def get_finding(finding_id: FindingId, principal: User, db: Db) -> FindingOut:
    _require_view(principal)
    with db.reading() as session:
        found = matters.load(session, principal, FINDING, finding_id)
        assert isinstance(found, FindingMatter)
        return finding_out(session, found)


@router.post("/findings/{finding_id}/{step}", summary="办理巡察发现问题（审批底稿、立行立改、反馈、整改、办结…）")
def take_step(finding_id: FindingId, step: FindingStep, body: StepIn, principal: User, db: Db) -> FindingOut:
    _require_view(principal)
    with uow_for(db, principal) as uow:
        found = service.act(uow, principal, finding_id, step, version=body.version, note=body.note, data=body.data())
        uow.flush()
        out = finding_out(uow.session, found)
        uow.commit()
    return out
