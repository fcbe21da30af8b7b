"""Pages of problem leads (问题线索) under ``/inspection/leads``: the list, the handover form and a lead's own page
with its step forms. Only holders of ``inspection.lead.view`` see any of it; every view of the list or of a lead is
audited (and committed, though it is a read), and every answer carries ``Cache-Control: no-store``. There is no
Excel export of leads, and the engine's generic matter pages answer 404 for the kind.
"""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import func, select

from zhengwu.core.errors import Conflict, Invalid, NotFound
from zhengwu.core.matters import queries
from zhengwu.core.matters.model import InvalidTransition
from zhengwu.core.org.access import restrict
from zhengwu.core.todo import TodoContext, TodoItem
from zhengwu.inspection.kinds import LEAD
from zhengwu.inspection.model import LEAD_MANAGE
from zhengwu.inspection.model.workflows import Disposal, LeadState, Recipient
from zhengwu.inspection.service import leads as service
from zhengwu.inspection.tables import LeadMatter
from zhengwu.web.deps import Db, User, get_settings, uow_for
from zhengwu.web.pages import form_int, form_str, redirect, render

router = APIRouter(prefix="/inspection", include_in_schema=False)
NO_STORE = "no-store"
STEPS = tuple(service.FIELDS)


def _private(response: Response) -> Response:
    response.headers["Cache-Control"] = NO_STORE
    return response


def _page_number(value: str) -> int:
    return int(value) if value.isdigit() and len(value) <= 6 and int(value) >= 1 else 1


@router.get("/leads", response_class=HTMLResponse)
def leads_page(request: Request, principal: User, db: Db) -> Response:
    service.require_view(principal)
    params = request.query_params
    round_text = params.get("round_id", "").strip()
    round_id = int(round_text) if round_text.isdigit() and len(round_text) <= 9 else None
    status = params.get("status", "").strip()
    if status not in LeadState.__members__.values():
        status = ""
    q = params.get("q", "").replace("\x00", "").strip()[:200]
    with uow_for(db, principal) as uow:
        page = service.list_leads(
            uow,
            principal,
            q=q,
            status=status,
            round_id=round_id,
            page=_page_number(params.get("page", "")),
            size=get_settings(request).page_size,
        )
        uow.commit()
    ctx = {
        "page": page,
        "q": q,
        "status": status,
        "round_id": round_id or "",
        "statuses": LeadState.choices(),
        "may_manage": principal.has(LEAD_MANAGE),
    }
    return _private(render(request, "inspection/leads.html", ctx))


def _form(
    request: Request, db: Any, principal: Any, submitted: dict[str, str], status: int = 200, **extra: Any
) -> Response:
    with db.reading() as session:
        rounds = service.round_choices(session, principal)
        chosen = submitted.get("round_id") or (str(rounds[0][0]) if rounds else "")
        round_id = int(chosen) if chosen.isdigit() and any(str(r) == chosen for r, _ in rounds) else None
        ctx = {
            "rounds": rounds,
            "round_id": round_id,
            "targets": service.target_choices(session, round_id) if round_id else [],
            "findings": service.finding_choices(session, round_id) if round_id else [],
            "receiving_units": service.receiving_choices(session, principal),
            "recipients": Recipient.choices(),
            "submitted": submitted,
            **extra,
        }
    return _private(render(request, "inspection/lead_form.html", ctx, status=status))


@router.get("/leads/new", response_class=HTMLResponse)
def new_lead_page(request: Request, principal: User, db: Db) -> Response:
    service.require_manage(principal)
    given = {k: request.query_params.get(k, "") for k in ("round_id", "finding_id", "target_unit_id")}
    return _form(request, db, principal, {k: v for k, v in given.items() if v.isdigit() and len(v) <= 9})


@router.post("/leads/new", response_model=None)
async def new_lead_submit(request: Request, principal: User, db: Db) -> Response:
    service.require_manage(principal)
    form = await request.form()
    submitted = {k: v for k, v in form.items() if isinstance(v, str) and k != "csrf_token"}
    try:
        with uow_for(db, principal) as uow:
            lead = service.hand_over(
                uow,
                principal,
                round_id=form_int(form, "round_id", "巡察轮次") or 0,
                target_unit_id=form_int(form, "target_unit_id", "被巡察党组织") or 0,
                recipient=form_str(form, "recipient"),
                receiving_unit_id=form_int(form, "receiving_unit_id", "承办单位") or 0,
                title=form_str(form, "title"),
                description=form_str(form, "description"),
                finding_id=form_int(form, "finding_id", "发现问题", required=False),
                handed_over_on=form_str(form, "handed_over_on") or None,
                due_on=form_str(form, "due_on") or None,
                tz=ZoneInfo(get_settings(request).timezone),
            )
            uow.commit()
            target, serial = f"/inspection/leads/{lead.id}", lead.serial
    except Invalid as exc:
        return _form(request, db, principal, submitted, 422, error=exc.message, field=exc.field)
    return _private(redirect(target, f"已移交问题线索 {serial}"))


def lead_page(request: Request, db: Any, principal: Any, lead_id: int, **extra: Any) -> Response:
    """A lead's page (audited), optionally with a step form's outcome (``error``, ``field``, ``conflict``,
    ``submitted``)."""
    service.require_view(principal)
    tz = ZoneInfo(get_settings(request).timezone)
    with uow_for(db, principal) as uow:
        session = uow.session
        lead = service.get_lead(uow, principal, lead_id)
        ctx = {
            "view": service.lead_view(session, lead),
            "matter": lead,
            "kind": LEAD,
            "deadlines": queries.deadlines(session, LEAD, lead, db.clock.now(), tz),
            "history": queries.history(session, lead),
            "step_codes": {s.code for s in queries.available_steps(session, principal, LEAD, lead)},
            "disposals": Disposal.choices(),
            "tz": tz,
            "submitted": extra.get("submitted") or {},
            **{k: v for k, v in extra.items() if k != "submitted"},
        }
        response = render(
            request,
            "inspection/lead.html",
            ctx,
            status=409 if extra.get("conflict") else 422 if extra.get("error") else 200,
        )
        uow.commit()
    return _private(response)


@router.get("/leads/{lead_id:int}", response_class=HTMLResponse)
def lead_detail(request: Request, lead_id: int, principal: User, db: Db) -> Response:
    return lead_page(request, db, principal, lead_id)


@router.post("/leads/{lead_id:int}/{step}", response_model=None)
async def lead_step(request: Request, lead_id: int, step: str, principal: User, db: Db) -> Response:
    service.require_view(principal)
    if step not in STEPS:
        raise NotFound("没有这个办理动作。")
    form = await request.form()
    submitted = {k: v for k, v in form.items() if isinstance(v, str) and k != "csrf_token"}
    submitted["action"] = step
    data = {"disposal": form_str(form, "disposal")} if step == "feed_back" else {}
    try:
        with uow_for(db, principal) as uow:
            service.act(
                uow,
                principal,
                lead_id,
                step,
                version=form_int(form, "version", "版本号"),
                note=form_str(form, "note"),
                data=data,
                tz=ZoneInfo(get_settings(request).timezone),
            )
            uow.commit()
    except (Invalid, Conflict) as exc:
        return lead_page(
            request,
            db,
            principal,
            lead_id,
            error=exc.message,
            field=exc.field,
            conflict=isinstance(exc, Conflict),
            submitted=submitted,
        )
    except InvalidTransition as exc:
        return lead_page(request, db, principal, lead_id, error=exc.message, conflict=True, submitted=submitted)
    return _private(redirect(f"/inspection/leads/{lead_id}", "已办理"))


def leads_todo(ctx: TodoContext) -> list[TodoItem]:
    """How many leads wait for a step this user may take — one line, naming no lead (the home page is no place for a
    confidential title): the general to-do list leaves the confidential kind out."""
    waiting = 0
    for step in LEAD.spec.workflow.steps:
        if ctx.principal.has(step.grant):
            stmt = select(func.count()).select_from(LeadMatter).where(LeadMatter.status.in_(sorted(step.sources)))
            waiting += ctx.session.scalar(restrict(stmt, ctx.principal, step.grant, LeadMatter)) or 0
    return [TodoItem(f"问题线索：{waiting} 件待办理", "/inspection/leads")] if waiting else []
