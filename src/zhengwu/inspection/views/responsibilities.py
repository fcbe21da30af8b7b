"""Pages of the responsibility list (主体责任清单): the tracking page (per organisation how many active items it has
confirmed and carried out, per item how many organisations stand where) with the list itself, adding and editing an
item (the city-wide office), one item across the organisations, and one organisation's standings with the form to
record them (all items in one submission, one transaction)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import FormData

from zhengwu.core.errors import Conflict, Forbidden, Invalid
from zhengwu.core.org.model import Principal
from zhengwu.inspection.model import RECTIFY, ROUND_MANAGE, VIEW, Progress
from zhengwu.inspection.service import responsibilities as service
from zhengwu.web.deps import Db, User, uow_for
from zhengwu.web.pages import form_bool, form_int, form_str, redirect, render

router = APIRouter(prefix="/inspection", include_in_schema=False)


def _require_view(principal: Principal) -> None:
    if not principal.has(VIEW):
        raise Forbidden("您没有查看巡察工作的权限。")


def _may_manage(principal: Principal) -> bool:
    scope = principal.scope(ROUND_MANAGE)
    return scope is not None and scope.all


def _page(request: Request, db: Any, principal: Principal, status: int = 200, **extra: Any) -> HTMLResponse:
    with db.reading() as session:
        tracking = service.tracking(session, principal)
        items = service.list_items(session, principal)
    ctx = {
        "tracking": tracking,
        "items": items,
        "progress": list(Progress),
        "may_manage": _may_manage(principal),
        "submitted": {},
        **extra,
    }
    return render(request, "inspection/responsibilities.html", ctx, status=status)


@router.get("/responsibilities", response_class=HTMLResponse)
def responsibilities(request: Request, principal: User, db: Db) -> HTMLResponse:
    _require_view(principal)
    return _page(request, db, principal)


def _item_fields(form: FormData) -> dict[str, Any]:
    return {
        "position": form_int(form, "position", "序号") or 0,
        "area": form_str(form, "area"),
        "text": form_str(form, "text"),
    }


@router.post("/responsibilities/new", response_model=None)
async def responsibility_create(request: Request, principal: User, db: Db) -> Response:
    service.require_list_manage(principal)
    form = await request.form()
    try:
        with uow_for(db, principal) as uow:
            service.create_item(uow, principal, **_item_fields(form))
            uow.commit()
    except Invalid as exc:
        submitted = {k: v for k, v in form.items() if isinstance(v, str)}
        return _page(request, db, principal, 422, submitted=submitted, error=exc.message, field=exc.field)
    return redirect("/inspection/responsibilities", "已新增责任清单事项")


def _unit_page(
    request: Request, db: Any, principal: Principal, unit_id: int, status: int = 200, **extra: Any
) -> HTMLResponse:
    with db.reading() as session:
        unit, standings = service.unit_standings(session, principal, unit_id)
    ctx = {
        "unit": unit,
        "standings": standings,
        "progress": list(Progress),
        "may_record": principal.has(RECTIFY),
        "submitted": {},
        **extra,
    }
    return render(request, "inspection/responsibility_unit.html", ctx, status=status)


@router.get("/responsibilities/units/{unit_id}", response_class=HTMLResponse)
def unit_page(request: Request, unit_id: int, principal: User, db: Db) -> HTMLResponse:
    _require_view(principal)
    return _unit_page(request, db, principal, unit_id)


@router.post("/responsibilities/units/{unit_id}", response_model=None)
async def unit_record(request: Request, unit_id: int, principal: User, db: Db) -> Response:
    """Record the standings changed on the form (progress or note differing from what was loaded)."""
    if not principal.has(RECTIFY):
        raise Forbidden("您没有填报责任清单落实情况的权限。")
    form = await request.form()
    changed = 0
    try:
        with uow_for(db, principal) as uow:
            _, standings = service.unit_standings(uow.session, principal, unit_id)
            for s in standings:
                progress, note = form_str(form, f"progress_{s.item.id}"), form_str(form, f"note_{s.item.id}")
                if not progress or (progress, note) == (s.progress.value, s.status.note if s.status else ""):
                    continue
                version = form_int(form, f"version_{s.item.id}", "版本号", required=False)
                service.set_progress(uow, principal, s.item.id, unit_id, progress=progress, note=note, version=version)
                changed += 1
            uow.commit()
    except (Invalid, Conflict) as exc:
        submitted = {k: v for k, v in form.items() if isinstance(v, str)}
        return _unit_page(
            request, db, principal, unit_id, exc.status, submitted=submitted, error=exc.message, field=exc.field
        )
    return redirect(f"/inspection/responsibilities/units/{unit_id}", f"已保存 {changed} 项落实情况")


def _item_page(
    request: Request, db: Any, principal: Principal, item_id: int, status: int = 200, **extra: Any
) -> HTMLResponse:
    with db.reading() as session:
        item, units = service.item_standings(session, principal, item_id)
    ctx = {"item": item, "units": units, "may_manage": _may_manage(principal), "submitted": {}, **extra}
    return render(request, "inspection/responsibility.html", ctx, status=status)


@router.get("/responsibilities/{item_id}", response_class=HTMLResponse)
def item_page(request: Request, item_id: int, principal: User, db: Db) -> HTMLResponse:
    _require_view(principal)
    return _item_page(request, db, principal, item_id)


@router.post("/responsibilities/{item_id}", response_model=None)
async def item_update(request: Request, item_id: int, principal: User, db: Db) -> Response:
    service.require_list_manage(principal)
    form = await request.form()
    try:
        with uow_for(db, principal) as uow:
            version = form_int(form, "version", "版本号")
            fields = _item_fields(form)
            service.update_item(uow, principal, item_id, active=form_bool(form, "active"), version=version, **fields)
            uow.commit()
    except (Invalid, Conflict) as exc:
        submitted = {k: v for k, v in form.items() if isinstance(v, str)}
        ctx = {"submitted": submitted, "error": exc.message, "field": exc.field}
        return _item_page(request, db, principal, item_id, exc.status, **ctx)
    return redirect(f"/inspection/responsibilities/{item_id}", "已保存责任清单事项")
