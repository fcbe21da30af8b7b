"""The clerk's intake form and the reporter reveal.

A request is shown and acted on at ``/requests/{id}`` (views/desk.py); listing is the generic ``/matters/request``
page. Both only ever show the reporter masked. The real name and phone are shown on ``/requests/{id}/reporter``
after a POST, audited each time.
"""

from __future__ import annotations

import math
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from zhengwu.core.errors import Forbidden, Invalid
from zhengwu.core.matters import service as matters
from zhengwu.requests.kinds import KIND
from zhengwu.requests.model import RECEIVE, REVEAL_REPORTER, CategoryKind, Channel, RequestType
from zhengwu.requests.service.attachments import add_intake_photos
from zhengwu.requests.service.intake import receive_request, reporter, reveal_reporter
from zhengwu.requests.tables import RequestCampaign, RequestCategory, RequestMatter
from zhengwu.web.deps import Db, User, get_settings, uow_for
from zhengwu.web.pages import form_bool, form_int, form_str, redirect, render
from zhengwu.web.uploads import limits_of, read_uploads

router = APIRouter(prefix="/requests", include_in_schema=False)
#: Channels a clerk takes requests from by hand (Open311 and import come in by machine).
FORM_CHANNELS = (Channel.PHONE, Channel.WALK_IN, Channel.LETTER, Channel.WEB)


def category_choices(session: Session) -> list[tuple[int, str]]:
    """Active subject categories in tree order, labelled with their path (交通运输 › 公路养护)."""
    rows = list(
        session.scalars(
            select(RequestCategory)
            .where(RequestCategory.kind == CategoryKind.SUBJECT, RequestCategory.active.is_(True))
            .order_by(RequestCategory.level, RequestCategory.sort_order, RequestCategory.code)
        )
    )
    by_id = {r.id: r for r in rows}

    def path(row: RequestCategory) -> list[str]:
        parent = by_id.get(row.parent_id) if row.parent_id is not None else None
        return [*path(parent), row.name] if parent is not None else [row.name]

    labelled = [(r.id, " › ".join(path(r))) for r in rows if r.parent_id is None or r.parent_id in by_id]
    return sorted(labelled, key=lambda pair: pair[1])


def _campaigns(session: Session) -> list[tuple[int, str]]:
    return [(r.id, r.name) for r in session.execute(select(RequestCampaign.id, RequestCampaign.name))]


def _float(form: Any, name: str, label: str) -> float | None:
    text = form_str(form, name)
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        raise Invalid(f"{label}应为数字（如 27.95）。", field=name) from None
    if not math.isfinite(value):
        raise Invalid(f"{label}应为数字（如 27.95）。", field=name)
    return value


def _intake_form(request: Request, db: Any, principal: Any, status: int = 200, **extra: Any) -> HTMLResponse:
    with db.reading() as session:
        ctx = {
            "categories": category_choices(session),
            "campaigns": _campaigns(session),
            "channels": FORM_CHANNELS,
            "types": list(RequestType),
            "submitted": {},
            **extra,
        }
    return render(request, "requests/new.html", ctx, status=status)


def _require_receive(principal: Any) -> None:
    if not principal.has(RECEIVE):
        raise Forbidden("您没有登记群众诉求的权限。")


@router.get("/new", response_class=HTMLResponse)
def intake_page(request: Request, principal: User, db: Db) -> HTMLResponse:
    _require_receive(principal)
    return _intake_form(request, db, principal)


@router.post("/new", response_model=None)
async def intake_submit(request: Request, principal: User, db: Db) -> Response:
    _require_receive(principal)
    form = await request.form()
    submitted = {k: v for k, v in form.items() if isinstance(v, str) and k != "csrf_token"}
    try:
        with uow_for(db, principal) as uow:
            anonymous = form_bool(form, "anonymous")
            created = receive_request(
                uow,
                principal,
                channel=form_str(form, "channel"),
                type=form_str(form, "type"),
                category_id=form_int(form, "category_id", "问题分类") or 0,
                description=form_str(form, "description"),
                address=form_str(form, "address"),
                road_code=form_str(form, "road_code"),
                km_from=form_str(form, "km_from") or None,
                km_to=form_str(form, "km_to") or None,
                latitude=_float(form, "latitude", "纬度"),
                longitude=_float(form, "longitude", "经度"),
                reporter_name=form_str(form, "reporter_name"),
                reporter_phone=form_str(form, "reporter_phone"),
                anonymous=anonymous,
                campaign_id=form_int(form, "campaign_id", "专项行动", required=False),
                title=form_str(form, "title"),
            )
            limits = limits_of(get_settings(request))
            add_intake_photos(uow, principal, created, await read_uploads(form, "photos", limits), limits)
            uow.commit()
            target = KIND.spec.url_of(created.id)
            serial = created.serial
    except Invalid as exc:
        return _intake_form(request, db, principal, 422, error=exc.message, field=exc.field, submitted=submitted)
    return redirect(target, f"已登记 {serial}")


def _load(db: Any, principal: Any, request_id: int) -> dict[str, Any]:
    """What the reporter page shows of the request, the reporter masked."""
    with db.reading() as session:
        found = matters.load(session, principal, KIND, request_id)
        assert isinstance(found, RequestMatter)
        return {"id": found.id, "serial": found.serial, "title": found.title, "masked": reporter(found)}


@router.get("/{request_id}/reporter", response_class=HTMLResponse)
def reporter_page(request: Request, request_id: int, principal: User, db: Db) -> HTMLResponse:
    """The masked reporter and a button to reveal them (each reveal is audited)."""
    if not principal.has(REVEAL_REPORTER):
        raise Forbidden("您没有查看反映人身份的权限。")
    found = _load(db, principal, request_id)
    return render(request, "requests/reporter.html", {"matter": found, "reporter": found["masked"], "revealed": False})


@router.post("/{request_id}/reporter", response_class=HTMLResponse)
def reporter_reveal(request: Request, request_id: int, principal: User, db: Db) -> HTMLResponse:
    if not principal.has(REVEAL_REPORTER):
        raise Forbidden("您没有查看反映人身份的权限。")
    with uow_for(db, principal) as uow:
        real = reveal_reporter(uow, principal, request_id)
        uow.commit()
    found = _load(db, principal, request_id)
    response = render(request, "requests/reporter.html", {"matter": found, "reporter": real, "revealed": True})
    response.headers["Cache-Control"] = "no-store"
    return response
