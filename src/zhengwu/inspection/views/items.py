"""Pages of rectification items (整改事项): the rectification ledger (整改台账: every item in the reader's scope,
filters by round, target, status and overdue, Excel export) and an item's own page — measure, responsible person,
due date, evidence (upload and download), the approvals of the current cycle and of earlier ones, the step forms,
deadlines and history.

The step forms post to the generic ``/matters/inspection_item/{id}/act``, which takes them through
``service.items.act`` (the kind's ``KindSpec.act``) and renders errors here through ``DETAIL_PAGES``. A download is
always ``Content-Disposition: attachment`` with ``nosniff`` and the type the magic bytes showed.
"""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response, StreamingResponse

from zhengwu.core.errors import Conflict, Forbidden, Invalid
from zhengwu.core.matters import queries
from zhengwu.core.matters import service as matters
from zhengwu.core.matters.views import DETAIL_PAGES, detail_context
from zhengwu.core.org.model import Principal
from zhengwu.core.org.tables import User as UserRow
from zhengwu.inspection.kinds import FINDING, ITEM
from zhengwu.inspection.model import RECTIFY, VIEW
from zhengwu.inspection.model.workflows import ITEM_KIND, ItemState
from zhengwu.inspection.service import evidence as files
from zhengwu.inspection.service import items as service
from zhengwu.inspection.tables import FindingMatter, ItemMatter
from zhengwu.inspection.views.finding_lists import filter_choices, item_ledger
from zhengwu.web.deps import Db, User, get_settings, uow_for
from zhengwu.web.listing import export_xlsx, fetch_page
from zhengwu.web.pages import redirect, render
from zhengwu.web.uploads import content_disposition, limits_of, read_uploads

router = APIRouter(prefix="/inspection", include_in_schema=False)
__all__ = ["download_response", "limits_of", "read_uploads", "router"]


def _tz(request: Request) -> ZoneInfo:
    return ZoneInfo(get_settings(request).timezone)


def _require_view(principal: Principal) -> None:
    if not principal.has(VIEW):
        raise Forbidden("您没有查看巡察工作的权限。")


def _ledger(request: Request, db: Any, principal: Principal) -> Any:
    with db.reading() as session:
        choices = filter_choices(session, principal, request.query_params)
    return item_ledger(db.clock.now(), rounds=choices["rounds"], targets=choices["targets"])


@router.get("/items", response_class=HTMLResponse)
def item_ledger_page(request: Request, principal: User, db: Db) -> HTMLResponse:
    _require_view(principal)
    spec = _ledger(request, db, principal)
    with db.reading() as session:
        page = fetch_page(session, spec, principal, request.query_params, get_settings(request).page_size)
    return render(request, "inspection/items.html", {"page": page})


@router.get("/items/export.xlsx")
def item_export(request: Request, principal: User, db: Db) -> StreamingResponse:
    _require_view(principal)
    spec = _ledger(request, db, principal)
    with uow_for(db, principal) as uow:
        return export_xlsx(db, uow, spec, principal, request.query_params)


def item_page(request: Request, db: Any, principal: Any, matter_id: int, **extra: Any) -> HTMLResponse:
    """The page, optionally with a form's outcome (``error``, ``field``, ``conflict``, ``submitted``)."""
    _require_view(principal)
    tz = _tz(request)
    with db.reading() as session:
        item = matters.load(session, principal, ITEM, matter_id)
        assert isinstance(item, ItemMatter)
        ctx = detail_context(session, principal, ITEM, item, db.clock.now(), tz)
        approvals: list[dict[str, Any]] = []
        for a in service.approvals_of(session, item.id):
            user = session.get(UserRow, a.user_id)
            approvals.append({"row": a, "cycle": a.cycle, "user": user.full_name if user else ""})
        finding = session.get(FindingMatter, item.finding_id)
        ctx.update(
            step_codes={s.code for s in ctx["steps"]},
            finding=finding,
            finding_label=FINDING.spec.workflow.label(finding.status) if finding else "",
            current=[a for a in approvals if a["cycle"] == item.cycle],
            earlier=[a for a in approvals if a["cycle"] != item.cycle],
            evidence=files.list_evidence(session, principal, item.id),
            may_upload=item.status == ItemState.RECTIFYING.value and queries.may(session, principal, RECTIFY, item),
            submitted=extra.get("submitted") or {},
            **{k: v for k, v in extra.items() if k != "submitted"},
        )
    status = 409 if extra.get("conflict") else 422 if extra.get("error") else 200
    return render(request, "inspection/item.html", ctx, status=status)


DETAIL_PAGES[ITEM_KIND] = item_page


@router.get("/items/{item_id:int}", response_class=HTMLResponse)
def item_detail(request: Request, item_id: int, principal: User, db: Db) -> HTMLResponse:
    return item_page(request, db, principal, item_id)


@router.post("/items/{item_id:int}/evidence", response_model=None)
async def evidence_upload(request: Request, item_id: int, principal: User, db: Db) -> Response:
    """Add evidence (photos, PDF) to the item's current cycle; back to the item's page."""
    _require_view(principal)
    if not principal.has(RECTIFY):
        raise Forbidden("您没有填报整改措施与佐证材料的权限。")
    limits = limits_of(get_settings(request))
    form = await request.form()
    uploads = await read_uploads(form, "files", limits)
    try:
        with uow_for(db, principal) as uow:
            count = len(files.add_evidence(uow, principal, item_id, uploads, limits))
            uow.commit()
    except (Invalid, Conflict) as exc:
        return item_page(request, db, principal, item_id, error=exc.message, field=exc.field)
    return redirect(f"/inspection/items/{item_id}", f"已上传 {count} 个佐证材料")


def download_response(db: Any, principal: Any, item_id: int, evidence_id: int) -> Response:
    """The file itself, for a reader of the item (``inspection.view`` over it)."""
    with db.reading() as session:
        found = files.get_evidence(session, principal, item_id, evidence_id)
        data, content_type, filename = found.data, found.content_type, found.filename
    headers = {
        "Content-Disposition": content_disposition(filename),
        "X-Content-Type-Options": "nosniff",
        "Cache-Control": "private, no-store",
        "Content-Security-Policy": "default-src 'none'; sandbox",
    }
    return Response(data, media_type=content_type, headers=headers)


@router.get("/items/{item_id:int}/evidence/{evidence_id:int}")
def evidence_download(item_id: int, evidence_id: int, principal: User, db: Db) -> Response:
    _require_view(principal)
    return download_response(db, principal, item_id, evidence_id)
