"""Admin pages for units, users and roles. Forms re-render with the user's input on any error."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response, StreamingResponse
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from zhengwu.core.errors import Conflict, Invalid
from zhengwu.core.org import service
from zhengwu.core.org.access import get_scoped, restrict
from zhengwu.core.org.lists import ROLES, UNITS, USERS
from zhengwu.core.org.model import (
    ACTIONS,
    ROLE_MANAGE,
    UNIT_MANAGE,
    UNIT_VIEW,
    USER_MANAGE,
    USER_VIEW,
    Principal,
    Scope,
    UnitKind,
)
from zhengwu.core.org.tables import Role, RoleGrant, Unit, User
from zhengwu.core.todo import TodoContext, TodoItem, Urgency
from zhengwu.web.deps import Db, get_settings, uow_for
from zhengwu.web.deps import User as CurrentUser
from zhengwu.web.listing import ListSpec, export_xlsx, fetch_page
from zhengwu.web.pages import form_bool, form_int, form_ints, form_str, redirect, render
from zhengwu.web.shell import Module, NavItem

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


# ---------------------------------------------------------------- units


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


# ---------------------------------------------------------------- users


@router.get("/users", response_class=HTMLResponse)
def users(request: Request, principal: CurrentUser, db: Db) -> HTMLResponse:
    return _list(request, db, principal, USERS, "org/users.html", can_manage=principal.has(USER_MANAGE))


@router.get("/users/export.xlsx")
def users_export(request: Request, principal: CurrentUser, db: Db) -> StreamingResponse:
    return _export(request, db, principal, USERS)


def _all_roles(db: Any) -> list[Role]:
    with db.reading() as session:
        return list(session.scalars(select(Role).order_by(Role.code)))


def _user_form(
    request: Request, db: Any, principal: Principal, values: dict[str, Any], *, status: int = 200, **extra: Any
) -> HTMLResponse:
    ctx = {"values": values, "units": _unit_choices(db, principal), "roles": _all_roles(db), **extra}
    return render(request, "org/user_form.html", ctx, status=status)


@router.get("/users/new", response_class=HTMLResponse)
def user_new(request: Request, principal: CurrentUser, db: Db) -> HTMLResponse:
    service.require(principal, USER_MANAGE)
    return _user_form(request, db, principal, {"unit_id": principal.unit_id, "active": True, "role_ids": []})


@router.post("/users", response_model=None)
async def user_create(request: Request, principal: CurrentUser, db: Db) -> Response:
    form = await request.form()
    values: dict[str, Any] = {k: form_str(form, k) for k in ("username", "full_name", "unit_id")}
    values["role_ids"] = form_ints(form, "role_ids", "角色")
    try:
        with uow_for(db, principal) as uow:
            user = service.create_user(
                uow,
                principal,
                username=values["username"],
                full_name=values["full_name"],
                unit_id=form_int(form, "unit_id", "所属单位") or 0,
                password=str(form.get("password") or ""),
                role_ids=values["role_ids"],
            )
            uow.commit()
    except (Invalid, Conflict) as exc:
        values["unit_id"] = (
            form_int(form, "unit_id", "所属单位", required=False) if values["unit_id"].isdigit() else None
        )
        return _user_form(request, db, principal, values, status=exc.status, error=exc.message, field=exc.field)
    return redirect(f"/admin/users/{user.id}", "用户已创建")


def _load_user(db: Any, principal: Principal, user_id: int) -> User:
    with db.reading() as session:
        user: User = get_scoped(session, principal, USER_VIEW, User, user_id)
        _ = user.roles, user.unit
        return user


@router.get("/users/{user_id}", response_class=HTMLResponse)
def user_edit(request: Request, user_id: int, principal: CurrentUser, db: Db) -> HTMLResponse:
    user = _load_user(db, principal, user_id)
    values = {
        "username": user.username,
        "full_name": user.full_name,
        "unit_id": user.unit_id,
        "active": user.active,
        "role_ids": [r.id for r in user.roles],
        "version": user.version,
    }
    return _user_form(request, db, principal, values, user=user, can_manage=principal.has(USER_MANAGE))


@router.post("/users/{user_id}", response_model=None)
async def user_update(request: Request, user_id: int, principal: CurrentUser, db: Db) -> Response:
    form = await request.form()
    values: dict[str, Any] = {k: form_str(form, k) for k in ("full_name", "version")}
    values["unit_id"] = form_int(form, "unit_id", "所属单位", required=False)
    values["active"] = form_bool(form, "active")
    values["role_ids"] = form_ints(form, "role_ids", "角色")
    try:
        with uow_for(db, principal) as uow:
            service.update_user(
                uow,
                principal,
                user_id,
                version=form_int(form, "version", "版本号"),
                full_name=values["full_name"],
                unit_id=values["unit_id"] or 0,
                active=values["active"],
                role_ids=values["role_ids"],
            )
            uow.commit()
    except (Invalid, Conflict) as exc:
        current = _load_user(db, principal, user_id)
        values["username"] = current.username
        if isinstance(exc, Conflict):
            values["version"] = current.version
        return _user_form(
            request,
            db,
            principal,
            values,
            user=current,
            current=current,
            status=exc.status,
            error=exc.message,
            field=exc.field,
            can_manage=True,
        )
    return redirect(f"/admin/users/{user_id}", "已保存")


@router.post("/users/{user_id}/password", response_model=None)
async def user_password(request: Request, user_id: int, principal: CurrentUser, db: Db) -> Response:
    form = await request.form()
    with uow_for(db, principal) as uow:
        service.set_password(uow, principal, user_id, str(form.get("password") or ""))
        uow.commit()
    return redirect(f"/admin/users/{user_id}", "密码已重置，账号已解锁")


# ---------------------------------------------------------------- roles


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


def locked_accounts_todo(ctx: TodoContext) -> list[TodoItem]:
    """User managers see the accounts in their scope that are locked after repeated failed logins."""
    if not ctx.principal.has(USER_MANAGE):
        return []
    stmt = restrict(
        select(User.id, User.username, User.full_name, User.locked_until).where(User.locked_until > ctx.now),
        ctx.principal,
        USER_MANAGE,
        User,
    ).order_by(User.locked_until)
    return [
        TodoItem(
            f"账号 {r.username}（{r.full_name}）已被锁定",
            f"/admin/users/{r.id}",
            Urgency.SOON,
            detail="连续登录失败次数过多；如确认是本人，可重置密码解锁。",
        )
        for r in ctx.session.execute(stmt.limit(50))
    ]


module = Module(
    name="org",
    routers=[router],
    nav=[
        NavItem("单位管理", "/admin/units", UNIT_VIEW, "系统管理"),
        NavItem("用户管理", "/admin/users", USER_VIEW, "系统管理"),
        NavItem("角色与授权", "/admin/roles", ROLE_MANAGE, "系统管理"),
    ],
    templates=Path(__file__).resolve().parent / "templates",
    todos=[locked_accounts_todo],
)
