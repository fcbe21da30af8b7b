"""JSON API of problem leads (问题线索) under ``/api/v1/inspection/leads``: the list, handing a lead over, one lead,
and its steps (``receive``, ``feed_back``, ``close``). Only holders of ``inspection.lead.view`` see any lead; every
view (the list and one lead) is audited and committed; every answer carries ``Cache-Control: no-store``. The
engine's generic ``/api/v1/matters/inspection_lead`` answers 404: leads are a confidential kind.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request, Response
from pydantic import BaseModel, Field

from zhengwu.core.matters import queries
from zhengwu.core.matters.api import EventOut, history_out
from zhengwu.inspection.api.fields import MAX_ID, Id, Input, Text
from zhengwu.inspection.kinds import LEAD
from zhengwu.inspection.model.workflows import LeadState
from zhengwu.inspection.service import leads as service
from zhengwu.inspection.tables import LeadMatter
from zhengwu.web.deps import Db, User, get_settings, uow_for
from zhengwu.web.problems import PROBLEMS

router = APIRouter(prefix="/api/v1/inspection", tags=["巡察整改"], responses=PROBLEMS)
PathId = Annotated[int, Path(ge=1, le=MAX_ID, description="问题线索 ID")]


class LeadStep(StrEnum):
    RECEIVE = "receive"
    FEED_BACK = "feed_back"
    CLOSE = "close"


class LeadIn(Input):
    round_id: Id = Field(description="巡察轮次 ID")
    target_unit_id: Id = Field(description="被巡察党组织（单位 ID，须是本轮巡察对象）")
    recipient: Text = Field(
        max_length=32, description="移交对象：discipline_commission 纪委监委 / organisation_department 组织部"
    )
    receiving_unit_id: Id = Field(description="承办单位 ID")
    title: Text = Field(max_length=200, description="线索摘要")
    description: Text = Field(max_length=service.MAX_DESCRIPTION, description="线索内容")
    finding_id: Id | None = Field(None, description="关联的发现问题 ID")
    handed_over_on: Text | None = Field(None, max_length=10, description="移交日期 YYYY-MM-DD，默认今天")
    due_on: Text | None = Field(None, max_length=10, description="反馈期限 YYYY-MM-DD，默认移交后 6 个月")


class StepIn(Input):
    version: Id = Field(description="读取时的版本号")
    note: Text = Field("", max_length=20000, description="说明；反馈处置情况时必填（处置情况）")
    disposal: Text | None = Field(
        None, max_length=32, description="处置方式（仅 feed_back）：inquiry / preliminary / held / concluded"
    )


class LeadItem(BaseModel):
    id: int
    serial: str
    title: str
    target: str = Field(description="被巡察党组织")
    recipient: str
    recipient_label: str
    receiving: str = Field(description="承办单位")
    status: str
    status_label: str
    handed_over_on: date
    due_on: date


class LeadPageOut(BaseModel):
    items: list[LeadItem]
    total: int
    page: int
    pages: int


class LeadOut(BaseModel):
    id: int
    serial: str
    title: str
    description: str
    round_id: int
    round_name: str
    target_unit_id: int
    target: str
    finding_id: int | None
    recipient: str
    recipient_label: str
    receiving_unit_id: int
    receiving: str
    handed_over_on: date
    due_on: date
    status: str
    status_label: str
    disposal: str | None
    disposal_label: str | None
    feedback: str | None
    due_at: datetime | None
    version: int
    actions: list[str] = Field(description="调用者此刻可以执行的动作")
    history: list[EventOut]


def _out(session: Any, principal: Any, lead: LeadMatter) -> LeadOut:
    view = service.lead_view(session, lead)
    return LeadOut(
        id=lead.id,
        serial=lead.serial,
        title=lead.title,
        description=lead.body,
        round_id=lead.round_id,
        round_name=view.round_name,
        target_unit_id=lead.target_unit_id,
        target=view.target,
        finding_id=lead.finding_id,
        recipient=lead.recipient.value,
        recipient_label=lead.recipient.label,
        receiving_unit_id=lead.owner_unit_id,
        receiving=view.receiving,
        handed_over_on=lead.handed_over_on,
        due_on=lead.due_on,
        status=lead.status,
        status_label=view.status_label,
        disposal=lead.disposal.value if lead.disposal else None,
        disposal_label=lead.disposal.label if lead.disposal else None,
        feedback=lead.feedback,
        due_at=lead.due_at,
        version=lead.version,
        actions=[s.code for s in queries.available_steps(session, principal, LEAD, lead)],
        history=history_out(session, LEAD.spec, lead),
    )


@router.get("/leads", summary="问题线索列表（保密，查看记入审计日志）")
def list_leads(
    request: Request,
    response: Response,
    principal: User,
    db: Db,
    q: Annotated[str | None, Query(max_length=200, pattern=r"^[^\x00]*$")] = None,
    status: Annotated[LeadState | None, Query(description="handed_over / received / fed_back / closed")] = None,
    round_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    page: Annotated[int | None, Query(ge=1, le=1_000_000)] = None,
) -> LeadPageOut:
    response.headers["Cache-Control"] = "no-store"
    service.require_view(principal)
    with uow_for(db, principal) as uow:
        found = service.list_leads(
            uow,
            principal,
            q=q or "",
            status=status.value if status else "",
            round_id=round_id,
            page=page or 1,
            size=get_settings(request).page_size,
        )
        uow.commit()
    items = [
        LeadItem(
            id=r.id,
            serial=r.serial,
            title=r.title,
            target=r.target,
            recipient=r.recipient.value,
            recipient_label=r.recipient.label,
            receiving=r.receiving,
            status=r.status,
            status_label=r.status_label,
            handed_over_on=r.handed_over_on,
            due_on=r.due_on,
        )
        for r in found.items
    ]
    return LeadPageOut(items=items, total=found.total, page=found.page, pages=found.pages)


@router.post("/leads", status_code=201, summary="移交问题线索")
def hand_over(body: LeadIn, response: Response, principal: User, db: Db) -> LeadOut:
    response.headers["Cache-Control"] = "no-store"
    with uow_for(db, principal) as uow:
        lead = service.hand_over(uow, principal, **body.model_dump())
        uow.flush()
        out = _out(uow.session, principal, lead)
        uow.commit()
    return out


@router.get("/leads/{lead_id}", summary="问题线索详情（查看记入审计日志）")
def get_lead(lead_id: PathId, response: Response, principal: User, db: Db) -> LeadOut:
    response.headers["Cache-Control"] = "no-store"
    with uow_for(db, principal) as uow:
        lead = service.get_lead(uow, principal, lead_id)
        out = _out(uow.session, principal, lead)
        uow.commit()
    return out


@router.post("/leads/{lead_id}/{step}", summary="办理问题线索：receive 接收 / feed_back 反馈处置情况 / close 办结")
def take_step(lead_id: PathId, step: LeadStep, body: StepIn, response: Response, principal: User, db: Db) -> LeadOut:
    response.headers["Cache-Control"] = "no-store"
    service.require_view(principal)
    data = {"disposal": body.disposal} if body.disposal is not None else {}
    with uow_for(db, principal) as uow:
        lead = service.act(uow, principal, lead_id, step.value, version=body.version, note=body.note, data=data)
        uow.flush()
        out = _out(uow.session, principal, lead)
        uow.commit()
    return out
