"""The audit log page: recent entries and a verification of the whole chain."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, StreamingResponse
from sqlalchemy import select

from zhengwu.core.audit.service import verify
from zhengwu.core.audit.tables import AuditEntry
from zhengwu.core.db import AnySelect
from zhengwu.core.errors import Forbidden
from zhengwu.core.org.model import AUDIT_VIEW, Principal
from zhengwu.web.deps import Db, User, get_settings, uow_for
from zhengwu.web.listing import Column, Filter, ListSpec, equals, export_xlsx, fetch_page, like
from zhengwu.web.pages import render
from zhengwu.web.shell import Module, NavItem

router = APIRouter(prefix="/admin/audit", include_in_schema=False)


def _entries(principal: Principal | None) -> AnySelect:
    scope = principal.scope(AUDIT_VIEW) if principal else None
    if scope is None or not scope.all:
        raise Forbidden("查看审计日志需要“全部”数据范围的“查看审计日志”权限。")
    return select(
        AuditEntry.id.label("id"),
        AuditEntry.at.label("at"),
        AuditEntry.actor_name.label("actor_name"),
        AuditEntry.action.label("action"),
        AuditEntry.table_name.label("table_name"),
        AuditEntry.row_id.label("row_id"),
        AuditEntry.before.label("before"),
        AuditEntry.after.label("after"),
    )


AUDIT = ListSpec(
    name="审计日志",
    columns=(
        Column("id", "序号", AuditEntry.id),
        Column("at", "时间", AuditEntry.at),
        Column("actor_name", "操作人", AuditEntry.actor_name),
        Column("action", "动作", AuditEntry.action),
        Column("table_name", "对象", AuditEntry.table_name),
        Column("row_id", "记录", AuditEntry.row_id, sortable=False),
        Column("before", "修改前", AuditEntry.before, sortable=False),
        Column("after", "修改后", AuditEntry.after, sortable=False),
    ),
    query=_entries,
    filters=(
        Filter("actor", "操作人", like(AuditEntry.actor_name)),
        Filter("table", "对象", equals(AuditEntry.table_name)),
    ),
    default_sort="-id",
)


@router.get("", response_class=HTMLResponse)
def audit_page(request: Request, principal: User, db: Db) -> HTMLResponse:
    with db.reading() as session:
        page = fetch_page(session, AUDIT, principal, request.query_params, get_settings(request).page_size)
    return render(request, "audit/audit.html", {"page": page, "verification": None})


@router.get("/export.xlsx")
def audit_export(request: Request, principal: User, db: Db) -> StreamingResponse:
    with uow_for(db, principal) as uow:
        return export_xlsx(db, uow, AUDIT, principal, request.query_params)


@router.post("/verify", response_class=HTMLResponse)
def audit_verify(request: Request, principal: User, db: Db) -> HTMLResponse:
    with db.reading() as session:
        page = fetch_page(session, AUDIT, principal, {}, get_settings(request).page_size)
        result = verify(session)
    return render(request, "audit/audit.html", {"page": page, "verification": result})


module = Module(
    name="audit",
    routers=[router],
    nav=[NavItem("审计日志", "/admin/audit", AUDIT_VIEW, "系统管理")],
    templates=Path(__file__).resolve().parent / "templates",
)
