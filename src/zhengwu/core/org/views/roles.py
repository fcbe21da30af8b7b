"""Admin pages for roles: the list and its export, and the form that edits a role with its grants."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, Response, StreamingResponse
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from zhengwu.core.errors import Conflict, Invalid
from zhengwu.core.org import service
from zhengwu.core.org.lists import ROLES
from zhengwu.core.org.model import ACTIONS, ROLE_MANAGE, Principal, Scope
from zhengwu.core.org.tables import Role, RoleGrant, Unit
from zhengwu.core.org.views.common import _export, _list, router
from zhengwu.web.deps import Db, uow_for
from zhengwu.web.deps import User as CurrentUser
from zhengwu.web.pages import form_int, form_str, redirect, render


@router.get("/roles", response_class=HTMLResponse)
def roles(request: Request, principal: CurrentUser, db: Db) -> HTMLResponse:
    return _list(request, db, principal, ROLES, "org/roles.html")


@router.get("/roles/export.xlsx")
def roles_export(request: Request, principal: CurrentUser, db: Db) -> StreamingResponse:
    return _export(request, db, principal, ROLES)


def _role_form(
    request: Request, db: Any, principal: Principal, values: dict[str, Any], *, status: int = 200, **extra: Any
) -> HTMLResponse:
    with db.reading() as session:
        units = {u.id: u.code for u in session.scalars(select(Unit))}
    ctx = {
        "values": values,
        "actions": sorted(ACTIONS.items()),
        "scopes": Scope.choices(),
        "unit_codes": units,
        **extra,
    }
    return render(request, "org/role_form.html", ctx, status=status)


def _grants_from_form(form: Any) -> tuple[list[service.GrantInput], dict[str, dict[str, str]]]:
    """Grants from ``scope__<action>`` and ``units__<action>`` (unit codes, comma separated) fields."""
    raw: dict[str, dict[str, str]] = {}
    for action in ACTIONS:
        scope = form_str(form, f"scope__{action}")
        codes = form_str(form, f"units__{action}")
        if scope:
            raw[action] = {"scope": scope, "units": codes}
    return [service.GrantInput(a, v["scope"], ()) for a, v in raw.items()], raw


@router.get("/roles/new", response_class=HTMLResponse)
def role_new(request: Request, principal: CurrentUser, db: Db) -> HTMLResponse:
    service.require(principal, ROLE_MANAGE)
    return _role_form(request, db, principal, {"grants": {}})


async def _save_role(request: Request, principal: Principal, db: Any, role_id: int | None) -> Response:
    form = await request.form()
    _, raw = _grants_from_form(form)
    values: dict[str, Any] = {k: form_str(form, k) for k in ("code", "name", "description", "version")}
    values["grants"] = raw
    try:
        with uow_for(db, principal) as uow:
            grants = service.grants_from_codes(uow.session, raw)
            role = service.save_role(
                uow,
                principal,
                role_id,
                version=form_int(form, "version", "版本号", required=role_id is not None),
                code=values["code"],
                name=values["name"],
                description=values["description"],
                grants=grants,
            )
            uow.commit()
    except (Invalid, Conflict) as exc:
        extra: dict[str, Any] = {"error": exc.message, "field": exc.field, "role_id": role_id}
        if isinstance(exc, Conflict) and role_id is not None:
            with db.reading() as session:
                current = session.get(Role, role_id)
                values["version"] = current.version if current else values["version"]
        return _role_form(request, db, principal, values, status=exc.status, **extra)
    return redirect(f"/admin/roles/{role.id}", "角色已保存")


@router.post("/roles", response_model=None)
async def role_create(request: Request, principal: CurrentUser, db: Db) -> Response:
    return await _save_role(request, principal, db, None)


@router.get("/roles/{role_id}", response_class=HTMLResponse)
def role_edit(request: Request, role_id: int, principal: CurrentUser, db: Db) -> HTMLResponse:
    service.require(principal, ROLE_MANAGE)
    with db.reading() as session:
        role = session.scalar(
            select(Role).where(Role.id == role_id).options(selectinload(Role.grants).selectinload(RoleGrant.units))
        )
        if role is None:
            from zhengwu.core.errors import NotFound

            raise NotFound("角色不存在。")
        codes = {u.id: u.code for u in session.scalars(select(Unit))}
        grants = {
            g.action: {"scope": g.scope.value, "units": ",".join(codes[u.unit_id] for u in g.units)}
            for g in role.grants
        }
    values = {"code": role.code, "name": role.name, "description": role.description, "version": role.version}
    return _role_form(request, db, principal, {**values, "grants": grants}, role_id=role_id)


@router.post("/roles/{role_id}", response_model=None)
async def role_update(request: Request, role_id: int, principal: CurrentUser, db: Db) -> Response:
    return await _save_role(request, principal, db, role_id)
