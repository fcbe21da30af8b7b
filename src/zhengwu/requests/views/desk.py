"""The request's own page, ``/requests/{id}``: its fields in Chinese, deadlines with their lights, the history, and
only the hotline steps this user may take now, each a form of its own.

The step forms post to the generic ``/matters/request/{id}/act``, which takes them through the hotline services
(the kind's ``KindSpec.act``); the extension, pause and supervision forms post to the generic endpoints too. All of
them come back here: on success by the kind's ``detail_url``, on bad input (422) or a stale version (409) through
``DETAIL_PAGES``, which renders this page with the message and what was typed.
"""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import select
from sqlalchemy.orm import Session

from zhengwu.core.errors import Forbidden
from zhengwu.core.matters import service as matters
from zhengwu.core.matters.views import DETAIL_PAGES, detail_context
from zhengwu.core.org.access import restrict
from zhengwu.core.org.tables import Unit
from zhengwu.requests.kinds import KIND
from zhengwu.requests.model import (
    DISPATCH,
    MAX_SEND_BACKS,
    PROJECT_MANAGE,
    REVEAL_REPORTER,
    VIEW,
    Channel,
    DeclineReason,
    format_km,
)
from zhengwu.requests.service.attachments import attachments_panel
from zhengwu.requests.service.categories import chain, suggest_owner
from zhengwu.requests.service.intake import reporter
from zhengwu.requests.service.projects import projects_of_request
from zhengwu.requests.tables import RequestCampaign, RequestCategory, RequestMatter
from zhengwu.web.deps import Db, User, get_settings
from zhengwu.web.pages import render

router = APIRouter(prefix="/requests", include_in_schema=False)


def location(found: RequestMatter) -> str:
    """The road and kilometre range of a request, e.g. ``S256 K12+300–K27+900`` (empty without a road)."""
    if not found.road_code:
        return ""
    if found.km_from is None or found.km_to is None:
        return found.road_code
    if found.km_from == found.km_to:
        return f"{found.road_code} {format_km(found.km_from)}"
    return f"{found.road_code} {format_km(found.km_from)}–{format_km(found.km_to)}"


def _category_path(session: Session, category_id: int) -> str:
    category = session.get(RequestCategory, category_id)
    return " › ".join(c.name for c in reversed(chain(session, category))) if category else ""


def _unit_name(session: Session, unit_id: int | None) -> str:
    unit = session.get(Unit, unit_id) if unit_id is not None else None
    return unit.name if unit else ""


def _dispatch_units(session: Session, principal: Any) -> list[tuple[int, str]]:
    """Active units within the dispatcher's scope, in tree order."""
    stmt = restrict(select(Unit.id, Unit.name).where(Unit.active.is_(True)), principal, DISPATCH, Unit)
    return [(r.id, r.name) for r in session.execute(stmt.order_by(Unit.path))]


def _channel(code: str | None) -> str:
    return next((c.label for c in Channel if c.value == code), code or "")


def request_page(request: Request, db: Any, principal: Any, matter_id: int, **extra: Any) -> HTMLResponse:
    """The page, optionally with a form's outcome (``error``, ``field``, ``conflict``, ``submitted``)."""
    if not principal.has(VIEW):
        raise Forbidden("您没有查看群众诉求的权限。")
    tz = ZoneInfo(get_settings(request).timezone)
    with db.reading() as session:
        found = matters.load(session, principal, KIND, matter_id)
        assert isinstance(found, RequestMatter)
        ctx = detail_context(session, principal, KIND, found, db.clock.now(), tz)
        steps = {s.code for s in ctx["steps"]}
        campaign = session.get(RequestCampaign, found.campaign_id) if found.campaign_id else None
        ctx.update(
            step_codes=steps,
            type_label=found.type.label,
            category=_category_path(session, found.category_id),
            channel=_channel(found.channel),
            location=location(found),
            intake_unit=_unit_name(session, found.intake_unit_id),
            area_unit=_unit_name(session, found.area_unit_id),
            reporter=reporter(found),
            may_reveal=principal.has(REVEAL_REPORTER),
            campaign=campaign.name if campaign else "",
            decline_reasons=list(DeclineReason),
            dispatch_units=_dispatch_units(session, principal) if "dispatch" in steps else [],
            suggested=suggest_owner(session, found.category_id, found.area_unit_id) if "dispatch" in steps else None,
            may_send_back="send_back" in steps and found.send_back_count < MAX_SEND_BACKS,
            projects=projects_of_request(session, principal, found.id),
            may_add_project=principal.has(PROJECT_MANAGE),
            **attachments_panel(session, principal, found.id),
            submitted=extra.get("submitted") or {},
            **{k: v for k, v in extra.items() if k != "submitted"},
        )
    status = 409 if extra.get("conflict") else 422 if extra.get("error") else 200
    return render(request, "requests/detail.html", ctx, status=status)


DETAIL_PAGES[KIND.spec.code] = request_page


@router.get("/{request_id:int}", response_class=HTMLResponse)
def request_detail(request: Request, request_id: int, principal: User, db: Db) -> HTMLResponse:
    return request_page(request, db, principal, request_id)
