"""What the admin pages share: their router under ``/admin``, list pages, Excel exports and the unit picker."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, StreamingResponse
from sqlalchemy import select

from zhengwu.core.org.access import restrict
from zhengwu.core.org.model import UNIT_VIEW, Principal
from zhengwu.core.org.tables import Unit
from zhengwu.web.deps import get_settings, uow_for
from zhengwu.web.listing import ListSpec, export_xlsx, fetch_page
from zhengwu.web.pages import render

router = APIRouter(prefix="/admin", include_in_schema=False)


def _list(request: Request, db: Any, principal: Principal, spec: ListSpec, template: str, **extra: Any) -> HTMLResponse:
    with db.reading() as session:
        page = fetch_page(session, spec, principal, request.query_params, get_settings(request).page_size)
    return render(request, template, {"page": page, **extra})


def _export(request: Request, db: Any, principal: Principal, spec: ListSpec) -> StreamingResponse:
    with uow_for(db, principal) as uow:
        return export_xlsx(db, uow, spec, principal, request.query_params)


def _unit_choices(db: Any, principal: Principal) -> list[tuple[int, str]]:
    with db.reading() as session:
        rows = session.execute(
            restrict(select(Unit.id, Unit.name, Unit.path), principal, UNIT_VIEW).order_by(Unit.path)
        )
        return [(r.id, "　" * (r.path.count("/") - 2) + r.name) for r in rows]
