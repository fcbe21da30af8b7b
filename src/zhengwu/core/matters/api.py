"""JSON API of any matter kind under ``/api/v1/matters``: list, detail (deadlines, history, the actions the
caller may take now), take an action, ask for and decide extensions, pause and resume."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from zhengwu.core.matters import queries, service
from zhengwu.core.matters.lists import matter_list
from zhengwu.core.matters.model import KindSpec
from zhengwu.core.matters.registry import Kind, get_kind
from zhengwu.core.matters.tables import Matter
from zhengwu.core.org.model import Principal
from zhengwu.web.deps import Db, User, get_settings, uow_for
from zhengwu.web.listing import fetch_page
from zhengwu.web.problems import PROBLEMS

router = APIRouter(prefix="/api/v1/matters", tags=["事项"], responses=PROBLEMS)
MAX_ID = 2_147_483_647
PathId = Annotated[int, Path(ge=1, le=MAX_ID, description="记录 ID")]
Text = Annotated[str, Field(pattern=r"^[^\x00]*$")]


class Input(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class MatterItem(BaseModel):
    id: int
    serial: str = Field(description="编号，如 诉-2024-000123")
    title: str
    owner: str = Field(description="责任单位")
    status: str
    status_label: str
    priority: str
    received_at: datetime
    due_at: datetime | None


class Page(BaseModel):
    items: list[MatterItem]
    total: int
    page: int
    pages: int


class DeadlineOut(BaseModel):
    code: str
    label: str
    amount: int
    extended: int
    unit: str
    due_at: datetime
    light: str = Field(description="green 正常 / yellow 即将到期 / red 已逾期 / done 已完成 / paused 已暂停")


class EventOut(BaseModel):
    at: datetime
    actor: str
    action: str
    action_label: str
    from_state: str
    to_state: str
    note: str
    data: dict[str, Any]


def history_out(session: Session, spec: KindSpec, matter: Matter) -> list[EventOut]:
    """A matter's history as the API answers it (every kind's detail endpoint shares this shape)."""
    return [
        EventOut(
            at=e.at,
            actor=e.actor_name,
            action=e.action,
            action_label=spec.action_label(e.action),
            from_state=e.from_state,
            to_state=e.to_state,
            note=e.note,
            data=json.loads(e.data),
        )
        for e in queries.history(session, matter)
    ]


class StepOut(BaseModel):
    code: str
    label: str
    needs: list[str]
    fields: list[str]


class MatterOut(BaseModel):
    id: int
    kind: str
    serial: str
    title: str
    body: str
    owner_unit_id: int
    status: str
    status_label: str
    priority: str
    received_at: datetime
    due_at: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None
    paused: bool
    version: int
    fields: dict[str, Any] = Field(description="该类事项自身的字段")
    deadlines: list[DeadlineOut]
    actions: list[StepOut] = Field(description="调用者此刻可以执行的动作")
    history: list[EventOut]


class ActionIn(Input):
    action: Text = Field(description="动作编码")
    version: int = Field(ge=1, le=MAX_ID, description="读取时的版本号")
    note: Text = Field("", max_length=20000)
    data: dict[str, Any] = Field(default_factory=dict, description="动作要求的字段，如 result；附件名列表 attachments")


class ExtensionIn(Input):
    limit_code: Text = Field(description="时限编码")
    amount: int = Field(ge=1, le=service.MAX_EXTENSION, description="延期数量（与时限同一单位）")
    reason: Text = Field(max_length=2000)


class DecisionIn(Input):
    approve: bool
    note: Text = Field("", max_length=2000, description="审批意见；驳回时必填")


class PauseIn(Input):
    reason: Text = Field(max_length=2000)


class Done(BaseModel):
    id: int
    status: str
    version: int


def _kind(code: str, principal: Principal) -> Kind:
    kind = get_kind(code)
    if not principal.has(kind.spec.view_grant):
        from zhengwu.core.errors import Forbidden

        raise Forbidden(f"您没有查看“{kind.spec.label}”的权限。")
    return kind


@router.get("/{kind_code}", summary="事项列表")
def list_matters(
    request: Request,
    kind_code: str,
    principal: User,
    db: Db,
    q: Annotated[str | None, Query(max_length=200, pattern=r"^[^\x00]*$")] = None,
    status: Annotated[str | None, Query(max_length=32)] = None,
    sort: Annotated[str | None, Query(max_length=40)] = None,
    page: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
) -> Page:
    kind = _kind(kind_code, principal)
    params = {k: str(v) for k, v in {"q": q, "status": status, "sort": sort, "page": page}.items() if v is not None}
    with db.reading() as session:
        found = fetch_page(session, matter_list(kind), principal, params, get_settings(request).page_size)
    label = kind.spec.workflow.label
    items = [
        MatterItem(**{**dict(r._mapping), "priority": r.priority.value, "status_label": label(r.status)})
        for r in found.rows
    ]
    return Page(items=items, total=found.total, page=found.page, pages=found.pages)


def _out(db: Any, principal: Principal, kind: Kind, matter_id: int) -> MatterOut:
    from zhengwu.core.matters.views import own_fields

    now = db.clock.now()
    with db.reading() as session:
        m = service.load(session, principal, kind, matter_id)
        spec = kind.spec
        return MatterOut(
            id=m.id,
            kind=m.kind,
            serial=m.serial,
            title=m.title,
            body=m.body,
            owner_unit_id=m.owner_unit_id,
            status=m.status,
            status_label=spec.workflow.label(m.status),
            priority=m.priority.value,
            received_at=m.received_at,
            due_at=m.due_at,
            resolved_at=m.resolved_at,
            closed_at=m.closed_at,
            paused=m.paused_since is not None,
            version=m.version,
            fields={k: v for k, v in own_fields(kind, m)},
            deadlines=[
                DeadlineOut(
                    code=d.code,
                    label=d.label,
                    amount=d.amount,
                    extended=d.extended,
                    unit=d.unit.value,
                    due_at=d.due_at,
                    light=d.light.value,
                )
                for d in queries.deadlines(session, kind, m, now)
            ],
            actions=[
                StepOut(code=s.code, label=s.label, needs=[n.value for n in s.needs], fields=list(s.fields))
                for s in queries.available_steps(session, principal, kind, m)
            ],
            history=history_out(session, spec, m),
        )


@router.get("/{kind_code}/{matter_id}", summary="事项详情")
def get_matter(kind_code: str, matter_id: PathId, principal: User, db: Db) -> MatterOut:
    return _out(db, principal, _kind(kind_code, principal), matter_id)


@router.post("/{kind_code}/{matter_id}/actions", summary="办理（执行动作）")
def take_action(kind_code: str, matter_id: PathId, body: ActionIn, principal: User, db: Db) -> Done:
    from zhengwu.core.matters.views import take_step

    kind = _kind(kind_code, principal)
    with uow_for(db, principal) as uow:
        # Through the kind's own step handler when it has one (``KindSpec.act``): its checks cannot be bypassed.
        m = take_step(
            uow, principal, kind, matter_id, body.action, version=body.version, note=body.note, data=body.data
        )
        uow.commit()
        return Done(id=m.id, status=m.status, version=m.version)


@router.post("/{kind_code}/{matter_id}/extensions", status_code=201, summary="申请延期")
def ask_extension(kind_code: str, matter_id: PathId, body: ExtensionIn, principal: User, db: Db) -> dict[str, Any]:
    kind = _kind(kind_code, principal)
    with uow_for(db, principal) as uow:
        ext = service.request_extension(uow, principal, kind, matter_id, body.limit_code, body.amount, body.reason)
        uow.commit()
        return {"id": ext.id, "status": ext.status}


@router.post("/{kind_code}/{matter_id}/extensions/{extension_id}/decision", summary="审批延期")
def decide_extension(
    kind_code: str, matter_id: PathId, extension_id: PathId, body: DecisionIn, principal: User, db: Db
) -> dict[str, Any]:
    kind = _kind(kind_code, principal)
    with uow_for(db, principal) as uow:
        from zhengwu.core.errors import NotFound
        from zhengwu.core.matters.tables import MatterExtension

        found = uow.session.get(MatterExtension, extension_id)
        if found is None or found.matter_id != matter_id:
            raise NotFound("延期申请不存在。")
        ext = service.decide_extension(uow, principal, kind, extension_id, approve=body.approve, note=body.note)
        uow.commit()
        return {"id": ext.id, "status": ext.status}


@router.post("/{kind_code}/{matter_id}/pause", summary="暂停计时")
def pause_matter(kind_code: str, matter_id: PathId, body: PauseIn, principal: User, db: Db) -> Done:
    kind = _kind(kind_code, principal)
    with uow_for(db, principal) as uow:
        service.pause(uow, principal, kind, matter_id, body.reason)
        uow.commit()
    with db.reading() as session:
        m = service.load(session, principal, kind, matter_id)
        return Done(id=m.id, status=m.status, version=m.version)


@router.post("/{kind_code}/{matter_id}/resume", summary="恢复计时")
def resume_matter(kind_code: str, matter_id: PathId, principal: User, db: Db) -> Done:
    kind = _kind(kind_code, principal)
    with uow_for(db, principal) as uow:
        m = service.resume(uow, principal, kind, matter_id)
        uow.commit()
        return Done(id=m.id, status=m.status, version=m.version)
