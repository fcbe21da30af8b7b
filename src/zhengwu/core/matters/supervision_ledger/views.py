"""The supervision ledger page (督办台账) at ``/supervision`` and its Excel export, and the shell module that
registers it with the supervision JSON API (``api.py``)."""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, StreamingResponse

from zhengwu.core.matters.supervision import SUPERVISION_LIST
from zhengwu.core.matters.supervision_ledger.api import router as api_router
from zhengwu.core.matters.supervision_ledger.lists import ledger_for, require_ledger
from zhengwu.web.deps import Db, User, get_settings, uow_for
from zhengwu.web.listing import export_xlsx, fetch_page
from zhengwu.web.pages import render
from zhengwu.web.shell import Module, NavItem

router = APIRouter(prefix="/supervision", include_in_schema=False)


def _tz(request: Request) -> ZoneInfo:
    return ZoneInfo(get_settings(request).timezone)


@router.get("", response_class=HTMLResponse)
def ledger_page(request: Request, principal: User, db: Db) -> HTMLResponse:
    require_ledger(principal)
    with db.reading() as session:
        spec = ledger_for(session, db.clock.now(), _tz(request))
        page = fetch_page(session, spec, principal, request.query_params, get_settings(request).page_size)
    return render(request, "matters/supervision_ledger.html", {"page": page})


@router.get("/export.xlsx")
def ledger_export(request: Request, principal: User, db: Db) -> StreamingResponse:
    require_ledger(principal)
    with db.reading() as session:
        spec = ledger_for(session, db.clock.now(), _tz(request))
    with uow_for(db, principal) as uow:
        return export_xlsx(db, uow, spec, principal, request.query_params)


#: The ledger page and the supervision JSON API; the navigation entry is for the supervising side.
module = Module(
    name="supervision",
    routers=[router, api_router],
    nav=[NavItem("督办台账", "/supervision", SUPERVISION_LIST)],
    templates=Path(__file__).resolve().parents[1] / "templates",
)
