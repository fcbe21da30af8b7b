"""JSON API of rectification items (整改事项) under ``/api/v1/inspection/items``: add one to a finding, list the
rectification ledger in the caller's scope, read one (approvals of every cycle, evidence), take a step
(``POST …/{id}/{step}`` with the version read), upload evidence (multipart) and download it. Steps go through
``zhengwu.inspection.service.items.act``, as the page's do."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from zhengwu.core.errors import Forbidden
from zhengwu.core.matters import service as matters
from zhengwu.core.matters.api import EventOut, history_out
from zhengwu.core.org.tables import User as UserRow
from zhengwu.inspection.api.fields import MAX_ID, Day, Id, Input, Text, Version
from zhengwu.inspection.kinds import ITEM
from zhengwu.inspection.model import RECTIFY, VIEW
from zhengwu.inspection.model.workflows import ITEM_WORKFLOW
from zhengwu.inspection.service import evidence as files
from zhengwu.inspection.service import items as service
from zhengwu.inspection.tables import ItemMatter
from zhengwu.inspection.views.finding_lists import item_ledger
from zhengwu.inspection.views.items import download_response, limits_of, read_uploads
from zhengwu.web.deps import Db, User, get_settings, uow_for
from zhengwu.web.listing import fetch_page
from zhengwu.web.problems import PROBLEMS

router = APIRouter(prefix="/api/v1/inspection", tags=["巡察整改"], responses=PROBLEMS)
ItemId = Annotated[int, Path(ge=1, le=MAX_ID, description="整改事项 ID")]
EvidenceId = Annotated[int, Path(ge=1, le=MAX_ID, description="佐证材料 ID")]
STEPS = tuple(dict.fromkeys(s.code for s in ITEM_WORKFLOW.steps))
ItemStep = Annotated[str, Path(pattern=f"^({'|'.join(STEPS)})$", description="办理动作：" + " / ".join(STEPS))]


class ItemIn(Input):
    finding_id: Id = Field(description="问题 ID（须已反馈或整改中）")
    measure: Text = Field(max_length=service.MEASURE_CHARS, description="整改措施")
    responsible: Text = Field(max_length=service.RESPONSIBLE_CHARS, description="责任人")
    due_on: Day | None = Field(None, description="整改期限；不填为问题的整改报告期限")


class StepIn(Input):
    version: Version
    note: Text = Field("", max_length=20_000, description="说明；报送进展、提交整改完成情况时必填")
    reason: Text | None = Field(None, max_length=service.MEASURE_CHARS, description="退回时：退回理由")

    def data(self) -> dict[str, Any]:
        return {"reason": self.reason} if self.reason is not None else {}


class ApprovalOut(BaseModel):
    approver: str
    approver_label: str
    user_id: int
    user: str
    cycle: int
    approved_at: datetime


class EvidenceOut(BaseModel):
    id: int
    cycle: int
    filename: str
    content_type: str = Field(description="按文件头识别的真实类型")
    size: int
    sha256: str
    uploaded_at: datetime
    uploader: str
    url: str = Field(description="下载地址（需登录，权限同查看整改事项）")


class ItemOut(BaseModel):
    id: int
    serial: str
    version: int
    finding_id: int
    owner_unit_id: int
    measure: str
    responsible: str
    due_on: date
    due_at: datetime | None
    status: str
    status_label: str
    cycle: int
    completed_on: date | None
    approvals: list[ApprovalOut]
    evidence: list[EvidenceOut]
    history: list[EventOut]


class ItemRow(BaseModel):
    id: int
    serial: str
    title: str
    finding: str
    finding_id: int
    target: str
    responsible: str
    due_on: date
    due_at: datetime | None
    status: str
    status_label: str
    cycle: int
    completed_on: date | None
    overdue: bool


class ItemPage(BaseModel):
    items: list[ItemRow]
    total: int
    page: int
    pages: int


def item_out(session: Session, principal: Any, item: ItemMatter) -> ItemOut:
    label = ITEM.spec.workflow.label
    approvals = []
    for a in service.approvals_of(session, item.id):
        user = session.get(UserRow, a.user_id)
        approvals.append(
            ApprovalOut(
                approver=a.approver.value,
                approver_label=a.approver.label,
                user_id=a.user_id,
                user=user.full_name if user else "",
                cycle=a.cycle,
                approved_at=a.approved_at,
            )
        )
    return ItemOut(
        id=item.id,
        serial=item.serial,
        version=item.version,
        finding_id=item.finding_id,
        owner_unit_id=item.owner_unit_id,
        measure=item.measure,
        responsible=item.responsible,
        due_on=item.due_on,
        due_at=item.due_at,
        status=item.status,
        status_label=label(item.status),
        cycle=item.cycle,
        completed_on=item.completed_on,
        approvals=approvals,
        evidence=[
            EvidenceOut(
                id=e.id,
                cycle=e.cycle,
                filename=e.filename,
                content_type=e.content_type,
                size=e.size,
                sha256=e.sha256,
                uploaded_at=e.uploaded_at,
                uploader=e.uploader,
                url=e.url,
            )
            for e in files.list_evidence(session, principal, item.id)
        ],
        history=history_out(session, ITEM.spec, item),
    )


def _require_view(principal: Any) -> None:
    if not principal.has(VIEW):
        raise Forbidden("您没有查看巡察工作的权限。")


@router.post("/items", status_code=201, summary="制定整改事项")
def create_item(body: ItemIn, principal: User, db: Db) -> ItemOut:
    with uow_for(db, principal) as uow:
        fields = body.model_dump()
        item = service.add_item(uow, principal, fields.pop("finding_id"), **fields)
        uow.commit()
        return item_out(uow.session, principal, item)


@router.get("/items", summary="整改台账（数据范围内，期限近的在前）")
def list_items(
    request: Request,
    principal: User,
    db: Db,
    round_id: Annotated[int | None, Query(ge=1, le=MAX_ID, description="巡察轮次 ID")] = None,
    target: Annotated[int | None, Query(ge=1, le=MAX_ID, description="责任单位 ID")] = None,
    status: Annotated[str | None, Query(max_length=32, description="状态代码，如 rectifying")] = None,
    overdue: Annotated[bool | None, Query(description="true：只看已逾期未销号的；false：只看未逾期的")] = None,
    page: Annotated[int, Query(ge=1, le=MAX_ID)] = 1,
) -> ItemPage:
    _require_view(principal)
    given: dict[str, Any] = {"round_id": round_id, "target": target, "status": status, "page": page}
    if overdue is not None:
        given["overdue"] = "1" if overdue else "0"
    params = {k: str(v) for k, v in given.items() if v is not None}
    label = ITEM.spec.workflow.label
    with db.reading() as session:
        found = fetch_page(session, item_ledger(db.clock.now()), principal, params, get_settings(request).page_size)
        rows = [
            ItemRow(
                id=r.id,
                serial=r.serial,
                title=r.title,
                finding=r.finding,
                finding_id=r.finding_id,
                target=r.target,
                responsible=r.responsible,
                due_on=r.due_on,
                due_at=r.due_at,
                status=r.status,
                status_label=label(r.status),
                cycle=r.cycle,
                completed_on=r.completed_on,
                overdue=bool(r.overdue),
            )
            for r in found.rows
        ]
    return ItemPage(items=rows, total=found.total, page=found.page, pages=found.pages)


@router.get("/items/{item_id}", summary="整改事项详情（措施、审批、佐证材料、办理记录）")
def get_item(item_id: ItemId, principal: User, db: Db) -> ItemOut:
    _require_view(principal)
    with db.reading() as session:
        item = matters.load(session, principal, ITEM, item_id)
        assert isinstance(item, ItemMatter)
        return item_out(session, principal, item)


@router.post("/items/{item_id}/evidence", status_code=201, summary="上传佐证材料（multipart，字段 files，照片或 PDF）")
async def upload_evidence(request: Request, item_id: ItemId, principal: User, db: Db) -> list[EvidenceOut]:
    if not principal.has(RECTIFY):
        raise Forbidden("您没有填报整改措施与佐证材料的权限。")
    limits = limits_of(get_settings(request))
    form = await request.form()
    uploads = await read_uploads(form, "files", limits)
    with uow_for(db, principal) as uow:
        files.add_evidence(uow, principal, item_id, uploads, limits)
        uow.commit()
    with db.reading() as session:
        return item_out(session, principal, _load(session, principal, item_id)).evidence


@router.get("/items/{item_id}/evidence/{evidence_id}", summary="下载佐证材料")
def download_evidence(item_id: ItemId, evidence_id: EvidenceId, principal: User, db: Db) -> Response:
    _require_view(principal)
    return download_response(db, principal, item_id, evidence_id)


@router.post("/items/{item_id}/{step}", summary="办理整改事项（报送进展、提交、核实、销号审批、退回）")
def take_step(item_id: ItemId, step: ItemStep, body: StepIn, principal: User, db: Db) -> ItemOut:
    _require_view(principal)
    with uow_for(db, principal) as uow:
        item = service.act(uow, principal, item_id, step, version=body.version, note=body.note, data=body.data())
        uow.flush()
        out = item_out(uow.session, principal, item)
        uow.commit()
    return out


def _load(session: Session, principal: Any, item_id: int) -> ItemMatter:
    item = matters.load(session, principal, ITEM, item_id)
    assert isinstance(item, ItemMatter)
    return item
