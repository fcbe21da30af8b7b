"""Admin pages for units: the list and its export, the form, CSV import and edits (moves included)."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, Response, StreamingResponse

from zhengwu.core.errors import Conflict, Invalid
from zhengwu.core.org import service
from zhengwu.core.org.access import get_scoped
from zhengwu.core.org.lists import UNITS
from zhengwu.core.org.model import UNIT_MANAGE, UNIT_VIEW, Principal, UnitKind
from zhengwu.core.org.tables import Unit
from zhengwu.core.org.views.common import _export, _list, _unit_choices, router
from zhengwu.web.deps import Db, uow_for
from zhengwu.web.deps import User as CurrentUser
from zhengwu.web.pages import form_bool, form_int, form_str, redirect, render


@router.get("/units", response_class=HTMLResponse)
def units(request: Request, principal: CurrentUser, db: Db) -> HTMLResponse:
    return _list(request, db, principal, UNITS, "org/units.html", can_manage=principal.has(UNIT_MANAGE))


@router.get("/units/export.xlsx")
def units_export(request: Request, principal: CurrentUser, db: Db) -> StreamingResponse:
    return _export(request, db, principal, UNITS)


def _unit_form(
    request: Request, db: Any, principal: Principal, values: dict[str, Any], *, status: int = 200, **extra: Any
) -> HTMLResponse:
    ctx = {"values": values, "kinds": UnitKind.choices(), "parents": _unit_choices(db, principal), **extra}
    return render(request, "org/unit_form.html", ctx, status=status)


@router.get("/units/new", response_class=HTMLResponse)
def unit_new(request: Request, principal: CurrentUser, db: Db) -> HTMLResponse:
    service.require(principal, UNIT_MANAGE)
    return _unit_form(request, db, principal, {"kind": UnitKind.DEPARTMENT.value, "active": True})


@router.post("/units", response_model=None)
async def unit_create(request: Request, principal: CurrentUser, db: Db) -> Response:
    form = await request.form()
    values = {k: form_str(form, k) for k in ("code", "name", "kind", "parent_id")}
    try:
        with uow_for(db, principal) as uow:
            unit = service.create_unit(
                uow,
                principal,
                code=values["code"],
                name=values["name"],
                kind=values["kind"],
                parent_id=form_int(form, "parent_id", "上级单位", required=False),
            )
            uow.commit()
    except (Invalid, Conflict) as exc:
        return _unit_form(request, db, principal, values, status=exc.status, error=exc.message, field=exc.field)
    return redirect(f"/admin/units/{unit.id}", "单位已创建")


@router.get("/units/import", response_class=HTMLResponse)
def unit_import_page(request: Request, principal: CurrentUser) -> HTMLResponse:
    service.require(principal, UNIT_MANAGE)
    return render(request, "org/unit_import.html", {})


@router.post("/units/import", response_model=None)
async def unit_import(request: Request, principal: CurrentUser, db: Db) -> Response:
    form = await request.form()
    upload = form.get("file")
    if upload is None or isinstance(upload, str):
        raise Invalid("请选择要导入的 CSV 文件。", field="file")
    text = service.decode_upload(await upload.read(), "file")
    try:
        with uow_for(db, principal) as uow:
            created = service.import_units(uow, principal, text)
            uow.commit()
    except service.ImportRejected as exc:
        return render(request, "org/unit_import.html", {"errors": exc.errors}, status=422)
    return redirect("/admin/units", f"已导入 {len(created)} 个单位")


@router.get("/units/{unit_id}", response_class=HTMLResponse)
def unit_edit(request: Request, unit_id: int, principal: CurrentUser, db: Db) -> HTMLResponse:
    with db.reading() as session:
        unit = get_scoped(session, principal, UNIT_VIEW, Unit, unit_id)
    values = {
        "code": unit.code,
        "name": unit.name,
        "kind": unit.kind.value,
        "parent_id": unit.parent_id,
        "active": unit.active,
        "version": unit.version,
    }
    return _unit_form(request, db, principal, values, unit=unit, can_manage=principal.has(UNIT_MANAGE))


@router.post("/units/{unit_id}", response_model=None)
async def unit_update(request: Request, unit_id: int, principal: CurrentUser, db: Db) -> Response:
    form = await request.form()
    values: dict[str, Any] = {k: form_str(form, k) for k in ("code", "name", "kind", "parent_id", "version")}
    values["active"] = form_bool(form, "active")
    try:
        with uow_for(db, principal) as uow:
            service.update_unit(
                uow,
                principal,
                unit_id,
                version=form_int(form, "version", "版本号"),
                name=values["name"],
                kind=values["kind"],
                parent_id=form_int(form, "parent_id", "上级单位", required=False),
                active=values["active"],
            )
            uow.commit()
    except (Invalid, Conflict) as exc:
        with db.reading() as session:
            current = get_scoped(session, principal, UNIT_VIEW, Unit, unit_id)
        if isinstance(exc, Conflict):
            values["version"] = current.version
        return _unit_form(
            request,
            db,
            principal,
            values,
            unit=current,
            current=current,
            status=exc.status,
            error=exc.message,
            field=exc.field,
            can_manage=True,
        )
    return redirect(f"/admin/units/{unit_id}", "已保存")
