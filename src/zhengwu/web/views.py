"""Login, logout, the home page with the personal to-do list, and the user's own account page."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select

from zhengwu.core.calendar.service import load_calendar
from zhengwu.core.errors import Invalid, Unauthenticated
from zhengwu.core.org import auth
from zhengwu.core.org.service import change_own_password
from zhengwu.core.org.tables import ApiToken
from zhengwu.core.todo import TodoContext, collect
from zhengwu.web.deps import SESSION_COOKIE, Db, User, get_settings, uow_for
from zhengwu.web.pages import form_int, form_str, redirect, render, safe_next
from zhengwu.web.shell import Module, NavItem

router = APIRouter(include_in_schema=False)


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, next: str = "/") -> HTMLResponse:
    return render(request, "login.html", {"next": safe_next(next), "username": ""})


@router.post("/login")
async def login_submit(request: Request, db: Db) -> Response:
    form = await request.form()
    username, password = form_str(form, "username"), str(form.get("password") or "")
    target = safe_next(form_str(form, "next"))
    settings = get_settings(request)
    policy = auth.LoginPolicy(
        settings.login_max_failures,
        timedelta(minutes=settings.login_lockout_minutes),
        timedelta(hours=settings.session_hours),
    )
    if not username or not password:
        ctx = {"next": target, "username": username, "error": "请输入用户名和密码。"}
        return render(request, "login.html", ctx, status=422)
    with db.uow() as uow:
        try:
            token = auth.login(uow, username, password, policy)
        except Unauthenticated as exc:
            uow.commit()  # keep the failure count and the audit entry
            ctx = {"next": target, "username": username, "error": exc.message}
            return render(request, "login.html", ctx, status=401)
        uow.commit()
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=settings.session_hours * 3600,
        httponly=True,
        samesite="lax",
        secure=settings.cookie_secure,
    )
    return response


@router.post("/logout")
def logout(request: Request, db: Db) -> Response:
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        with db.uow() as uow:
            auth.logout(uow, token)
            uow.commit()
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.get("/", response_class=HTMLResponse)
def home(request: Request, principal: User, db: Db) -> HTMLResponse:
    providers = [p for m in request.app.state.modules for p in m.todos]
    now = db.clock.now()
    tz_today = now.astimezone(_tz(request)).date()
    with db.reading() as session:
        ctx = TodoContext(session, principal, now, tz_today, load_calendar(session))
        items = collect(providers, ctx)
    return render(request, "home.html", {"items": items, "today": tz_today})


def _tz(request: Request) -> ZoneInfo:
    return ZoneInfo(get_settings(request).timezone)


@router.get("/account", response_class=HTMLResponse)
def account(request: Request, principal: User, db: Db) -> HTMLResponse:
    with db.reading() as session:
        tokens = list(
            session.scalars(select(ApiToken).where(ApiToken.user_id == principal.user_id).order_by(ApiToken.id))
        )
    return render(request, "account.html", {"tokens": tokens, "new_token": None})


@router.post("/account/password")
async def account_password(request: Request, principal: User, db: Db) -> Response:
    form = await request.form()
    new = str(form.get("new_password") or "")
    if new != str(form.get("confirm_password") or ""):
        raise Invalid("两次输入的新密码不一致。", field="confirm_password")
    with uow_for(db, principal) as uow:
        change_own_password(uow, principal, str(form.get("old_password") or ""), new)
        uow.commit()
    return redirect("/account", "密码已修改")


@router.post("/account/tokens", response_class=HTMLResponse)
async def account_token_create(request: Request, principal: User, db: Db) -> HTMLResponse:
    form = await request.form()
    days = form_int(form, "days", "有效天数", required=False)
    with uow_for(db, principal) as uow:
        _row, token = auth.create_api_token(uow, principal.user_id, form_str(form, "name"), days)
        uow.commit()
    with db.reading() as session:
        tokens = list(
            session.scalars(select(ApiToken).where(ApiToken.user_id == principal.user_id).order_by(ApiToken.id))
        )
    return render(request, "account.html", {"tokens": tokens, "new_token": token})


@router.post("/account/tokens/{token_id}/revoke")
def account_token_revoke(token_id: int, principal: User, db: Db) -> Response:
    with uow_for(db, principal) as uow:
        auth.revoke_api_token(uow, principal, token_id)
        uow.commit()
    return redirect("/account", "令牌已吊销")


module = Module(
    name="shell",
    routers=[router],
    nav=[NavItem("我的待办", "/", None, "工作台"), NavItem("个人设置", "/account", None, "工作台")],
)
