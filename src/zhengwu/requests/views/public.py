"""The citizen's pages, without a login: the web form (``/public/requests/new``), its receipt with the serial and
query code, and the status look-up (``/public/requests/status``).

They use their own minimal layout (``requests/public_base.html``: no navigation, no login prompt) and the same
local static files. Forms carry the double-submit CSRF token like every other form; the cookie is given to
anonymous browsers too. The rate limit counts by ``request.client.host``: behind a reverse proxy that is the
proxy's address unless the server is run with the proxy's forwarded headers trusted (uvicorn
``--proxy-headers --forwarded-allow-ips``).
"""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from zhengwu.core.errors import Invalid, TooManyRequests
from zhengwu.requests.model import RequestType
from zhengwu.requests.service.public import RatePolicy, client_hash, public_status, receive_from_web
from zhengwu.requests.views.intake import _float, category_choices
from zhengwu.web.deps import Db, get_settings
from zhengwu.web.pages import form_int, form_str, render
from zhengwu.web.uploads import limits_of, read_uploads

router = APIRouter(prefix="/public/requests", include_in_schema=False)
PUBLIC_ACTOR = "网上群众"
TEXT_FIELDS = (
    *("type", "category_id", "description", "address", "road_code", "km_from", "km_to"),
    *("latitude", "longitude", "reporter_name", "reporter_phone"),
)


def _no_store(response: HTMLResponse) -> HTMLResponse:
    response.headers["Cache-Control"] = "no-store"
    return response


def _form_page(request: Request, db: Any, status: int = 200, **extra: Any) -> HTMLResponse:
    settings = get_settings(request)
    with db.reading() as session:
        ctx = {
            "categories": category_choices(session),
            "types": list(RequestType),
            "submitted": {},
            "max_files": settings.attachment_max_files,
            "max_mb": round(settings.attachment_max_bytes / (1024 * 1024), 1),
            **extra,
        }
    return render(request, "requests/public_new.html", ctx, status=status)


@router.get("/new", response_class=HTMLResponse)
def public_form(request: Request, db: Db) -> HTMLResponse:
    return _form_page(request, db)


@router.post("/new", response_class=HTMLResponse)
async def public_submit(request: Request, db: Db) -> HTMLResponse:
    """Take the request in, or re-show the form (422) naming the bad field; 429 past the address's rate limit."""
    from zhengwu.core.db import Actor

    settings = get_settings(request)
    form = await request.form()
    raw = {k: form.get(k) for k in TEXT_FIELDS}
    submitted = {k: v.strip() for k, v in raw.items() if isinstance(v, str) and "\x00" not in v}
    limits = limits_of(settings)
    source = client_hash(settings.secret_key, request.client.host if request.client else "")
    policy = RatePolicy(settings.public_rate_limit, settings.public_rate_window_minutes)
    try:
        photos = await read_uploads(form, "photos", limits)
        with db.uow(Actor(None, PUBLIC_ACTOR)) as uow:
            created, code = receive_from_web(
                uow,
                unit_code=settings.public_intake_unit,
                source=source,
                policy=policy,
                limits=limits,
                photos=photos,
                fields={
                    "type": form_str(form, "type"),
                    "category_id": form_int(form, "category_id", "问题分类") or 0,
                    "description": form_str(form, "description"),
                    "address": form_str(form, "address"),
                    "road_code": form_str(form, "road_code"),
                    "km_from": form_str(form, "km_from") or None,
                    "km_to": form_str(form, "km_to") or None,
                    "latitude": _float(form, "latitude", "纬度"),
                    "longitude": _float(form, "longitude", "经度"),
                    "reporter_name": form_str(form, "reporter_name"),
                    "reporter_phone": form_str(form, "reporter_phone"),
                },
            )
            uow.commit()
            serial, photo_count = created.serial, len(photos)
    except TooManyRequests as exc:
        page = render(request, "requests/public_message.html", {"title": "提交过于频繁", "message": exc.message}, 429)
        page.headers["Retry-After"] = str(policy.window_minutes * 60)
        return page
    except Invalid as exc:
        return _form_page(request, db, 422, error=exc.message, field=exc.field, submitted=submitted)
    ctx = {"serial": serial, "code": code, "photos": photo_count}
    return _no_store(render(request, "requests/public_receipt.html", ctx))


@router.get("/status", response_class=HTMLResponse)
def status_form(request: Request) -> HTMLResponse:
    return render(request, "requests/public_status.html", {"found": None, "serial": ""})


@router.post("/status", response_class=HTMLResponse)
async def status_lookup(request: Request, db: Db) -> HTMLResponse:
    """The request's status and result for its serial and query code (404 with the form again otherwise)."""
    form = await request.form()
    serial, code = form_str(form, "serial")[:40], form_str(form, "code")[:40]
    with db.uow() as uow:
        found = public_status(uow, serial, code) if serial and code else None
    if found is None:
        ctx = {"found": None, "serial": serial, "error": "没有找到该诉求：请核对诉求编号和查询码。", "field": "code"}
        return _no_store(render(request, "requests/public_status.html", ctx, 404))
    tz = ZoneInfo(get_settings(request).timezone)
    return _no_store(render(request, "requests/public_status.html", {"found": found, "serial": serial, "tz": tz}))
