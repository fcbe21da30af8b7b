"""Admin pages for users: the list and its export, the form, edits, password resets and locked accounts."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, Response, StreamingResponse
from sqlalchemy import select

from zhengwu.core.errors import Conflict, Invalid
from zhengwu.core.org import service
from zhengwu.core.org.access import get_scoped, restrict
from zhengwu.core.org.lists import USERS
from zhengwu.core.org.model import USER_MANAGE, USER_VIEW, Principal
from zhengwu.core.org.tables import Role, User
from zhengwu.core.org.views.common import _export, _list, _unit_choices, router
from zhengwu.core.todo import TodoContext, TodoItem, Urgency
from zhengwu.web.deps import Db, uow_for
from zhengwu.web.deps import User as CurrentUser
from zhengwu.web.pages import form_bool, form_int, form_ints, form_str, redirect, render


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
