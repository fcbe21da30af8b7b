"""Request-scoped dependencies: the database, the current principal, CSRF protection, templates."""

from __future__ import annotations

import hmac
import json
import secrets
from collections.abc import Iterator
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.templating import Jinja2Templates

from zhengwu.core.db import Actor, Database, UnitOfWork
from zhengwu.core.errors import Forbidden, Invalid, Unauthenticated
from zhengwu.core.org.auth import principal_for_api_token, principal_for_session
from zhengwu.core.org.model import Principal
from zhengwu.core.settings import Settings

SESSION_COOKIE = "zw_session"
CSRF_COOKIE = "zw_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def get_db(request: Request) -> Database:
    db: Database = request.app.state.db
    return db


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_templates(request: Request) -> Jinja2Templates:
    templates: Jinja2Templates = request.app.state.templates
    return templates


def bearer_token(request: Request) -> str | None:
    auth = request.headers.get("authorization", "")
    scheme, _, token = auth.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def current_principal(request: Request) -> Principal | None:
    """The logged-in principal (API token first, then session cookie), or None. Cached per request."""
    if hasattr(request.state, "principal"):
        cached: Principal | None = request.state.principal
        return cached
    db = get_db(request)
    principal: Principal | None = None
    token = bearer_token(request)
    with db.reading() as session:
        now = db.clock.now()
        if token is not None:
            principal = principal_for_api_token(session, token, now)
        elif cookie := request.cookies.get(SESSION_COOKIE):
            principal = principal_for_session(session, cookie, now)
    if token is not None and principal is not None:
        from zhengwu.core.org.auth import touch_api_token

        with db.uow() as uow:
            if touch_api_token(uow, token):
                uow.commit()
    request.state.principal = principal
    return principal


def require_principal(request: Request) -> Principal:
    principal = current_principal(request)
    if principal is None:
        if bearer_token(request) is not None:
            raise Unauthenticated("API 令牌无效、已过期或已吊销。")
        raise Unauthenticated("请先登录。")
    return principal


OptionalUser = Annotated[Principal | None, Depends(current_principal)]
User = Annotated[Principal, Depends(require_principal)]
Db = Annotated[Database, Depends(get_db)]


def uow_for(db: Database, principal: Principal | None) -> UnitOfWork:
    actor = Actor(principal.user_id, principal.full_name) if principal else Actor(None, "匿名")
    return db.uow(actor)


def csrf_token(request: Request) -> str:
    """The CSRF token of this browser (set as a cookie by the middleware in ``app``)."""
    token: str = getattr(request.state, "csrf", None) or request.cookies.get(CSRF_COOKIE) or ""
    return token


def new_csrf_token() -> str:
    return secrets.token_urlsafe(24)


async def check_csrf(request: Request) -> None:
    """Double-submit check on every unsafe request that a browser could send with our cookies."""
    if request.method in SAFE_METHODS or bearer_token(request) is not None:
        return
    if getattr(request.scope.get("route"), "csrf_exempt", False):
        return
    cookie = request.cookies.get(CSRF_COOKIE, "")
    sent = request.headers.get(CSRF_HEADER, "")
    if not sent and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        form = await request.form()
        value = form.get(CSRF_FIELD)
        sent = value if isinstance(value, str) else ""
    if not cookie or not sent or not hmac.compare_digest(cookie, sent):
        raise Forbidden("页面已过期或请求来源无法确认（CSRF 校验失败），请刷新页面后重试。")


def iter_chunks(data: Any, size: int = 65536) -> Iterator[bytes]:
    while chunk := data.read(size):
        yield chunk


async def json_body(request: Request) -> Any:
    """The request body parsed as JSON, for the API routes that check a JSON contract themselves (so that a body
    that is not an object gets the contract's own Chinese 422); a body that is not JSON is a 422 naming ``body``."""
    raw = await request.body()
    try:
        return json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        raise Invalid("请求内容须为 JSON。", field="body") from None
