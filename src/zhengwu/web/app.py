"""The application factory. Engines, clocks and settings are built here and passed in, never at import."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

import jinja2
from fastapi import Depends, FastAPI, Request, Response
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint

from zhengwu import __version__
from zhengwu.core import crypto
from zhengwu.core.clock import Clock
from zhengwu.core.db import Database
from zhengwu.core.settings import Settings
from zhengwu.kinds import load_kinds
from zhengwu.web import errors, limits
from zhengwu.web.deps import CSRF_COOKIE, check_csrf, current_principal, new_csrf_token
from zhengwu.web.shell import Module

HERE = Path(__file__).resolve().parent
#: Swagger UI 5 (it reads OpenAPI 3.1, which FastAPI writes), shipped in the fastapi-offline wheel for isolated
#: networks; we serve only its static files.
SWAGGER_ASSETS = Path(str(resources.files("fastapi_offline") / "static"))


def modules() -> list[Module]:
    """Every package's contribution to the shell, in navigation order."""
    from zhengwu.core.audit.api import router as audit_api
    from zhengwu.core.audit.views import module as audit
    from zhengwu.core.calendar.api import router as calendar_api
    from zhengwu.core.calendar.views import module as calendar
    from zhengwu.core.matters.notices.views import module as notices
    from zhengwu.core.matters.stats.views import module as matter_stats
    from zhengwu.core.matters.supervision_ledger.views import module as supervision
    from zhengwu.core.matters.views import module as matters
    from zhengwu.core.org.api import router as org_api
    from zhengwu.core.org.views import module as org
    from zhengwu.finance import api as finance_api
    from zhengwu.finance.views import module as finance
    from zhengwu.inspection import api as inspection_api
    from zhengwu.inspection.views import module as inspection
    from zhengwu.requests.views import module as requests
    from zhengwu.valuation import api as valuation_api
    from zhengwu.valuation.views import module as valuation
    from zhengwu.web.views import module as shell

    api_routers = [org_api, calendar_api, audit_api, *inspection_api.ROUTERS, *valuation_api.ROUTERS]
    api = Module(name="api", routers=[*api_routers, *finance_api.ROUTERS])
    return [
        shell,
        matter_stats,
        matters,
        requests,
        inspection,
        valuation,
        finance,
        notices,
        supervision,
        org,
        calendar,
        audit,
        api,
    ]


class CsrfCookieMiddleware(BaseHTTPMiddleware):
    """Give every browser a CSRF cookie; forms echo it back in a hidden field (double submit)."""

    def __init__(self, app: Any, secure: bool) -> None:
        super().__init__(app)
        self.secure = secure

    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        token = request.cookies.get(CSRF_COOKIE)
        if not token:
            token = new_csrf_token()
            request.state.csrf = token
        response = await call_next(request)
        if CSRF_COOKIE not in request.cookies:
            response.set_cookie(CSRF_COOKIE, token, httponly=True, samesite="lax", secure=self.secure)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        return response


def create_app(settings: Settings | None = None, db: Database | None = None, clock: Clock | None = None) -> FastAPI:
    settings = settings or Settings()
    keyring = crypto.Keyring.from_settings(settings)
    db = db or Database(settings.database_url, clock, keyring)
    if crypto.installed(db.engine) is None:  # a database given without a keyring gets the settings' one
        crypto.install(db.engine, keyring)
    load_kinds()
    mods = modules()
    app = FastAPI(
        title="政务平台 zhengwu API",
        version=__version__,
        description="群众诉求督办、巡察整改、知识产权保护中心、专利评估与质押融资证券化。",
        docs_url=None,
        redoc_url=None,
        dependencies=[Depends(check_csrf)],
    )
    app.state.settings = settings
    app.state.db = db
    app.state.modules = mods

    loaders: list[jinja2.BaseLoader] = [jinja2.FileSystemLoader(str(HERE / "templates"))]
    loaders += [jinja2.FileSystemLoader(str(m.templates)) for m in mods if m.templates]
    env = jinja2.Environment(loader=jinja2.ChoiceLoader(loaders), autoescape=True)
    templates = Jinja2Templates(env=env)
    env.globals.update(app_version=__version__, nav_for=lambda p: _nav_for(mods, p))
    app.state.templates = templates

    app.mount("/static/swagger", StaticFiles(directory=str(SWAGGER_ASSETS)), name="swagger")
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    for m in mods:
        for router in m.routers:
            app.include_router(router)

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url="/openapi.json",
            title="政务平台 API 文档",
            swagger_js_url="/static/swagger/swagger-ui-bundle.js",
            swagger_css_url="/static/swagger/swagger-ui.css",
            swagger_favicon_url="/static/favicon.svg",
        )

    app.add_middleware(CsrfCookieMiddleware, secure=settings.cookie_secure)
    public = limits.public_limit(settings.attachment_max_bytes, settings.attachment_max_files)
    app.add_middleware(limits.BodyLimitMiddleware, general=settings.max_request_bytes, public=public)  # outermost
    errors.install(app)
    return app


def _nav_for(mods: list[Module], principal: Any) -> list[tuple[str, list[Any]]]:
    groups: dict[str, list[Any]] = {}
    for m in mods:
        for item in m.nav:
            if principal is not None and (item.action is None or principal.has(item.action)):
                groups.setdefault(item.group, []).append(item)
    return list(groups.items())


__all__ = ["create_app", "current_principal"]
