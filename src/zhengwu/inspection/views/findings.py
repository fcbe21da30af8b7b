"""Pages of findings (巡察发现问题): the list (filters, newest first, Excel export), recording one for a round, and a
finding's own page — details, working paper and its approval, the immediate-rectification notice, the rectification
items with the form to add one, the step forms, deadlines, history.

The step forms post to the generic ``/matters/inspection_finding/{id}/act``, which takes them through
``service.findings.act`` (the kind's ``KindSpec.act``) and comes back here: on success by the kind's ``detail_url``, on
bad input (422) or a stale version (409) through ``DETAIL_PAGES``, which renders this page with the message.
"""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response, StreamingResponse
from sqlalchemy import select
from sqlalchemy.orm import Session

from zhengwu.core.errors import Conflict, Forbidden, Invalid
from zhengwu.core.matters import queries
from zhengwu.core.matters import service as matters
from zhengwu.core.matters.views import DETAIL_PAGES, detail_context
from zhengwu.core.org.access import restrict
from zhengwu.core.org.model import Principal
from zhengwu.core.org.tables import Unit
from zhengwu.core.org.tables import User as UserRow
from zhengwu.inspection.kinds import FINDING, ITEM
from zhengwu.inspection.model import FINDING_MANAGE, RECTIFY, VIEW, rectification_due
from zhengwu.inspection.model.workflows import FINDING_KIND
from zhengwu.inspection.service import findings as service
from zhengwu.inspection.service import items as item_service
from zhengwu.inspection.service.categories import list_categories
from zhengwu.inspection.service.findings import entry_ended_on
from zhengwu.inspection.service.steps import day
from zhengwu.inspection.tables import (
    FindingMatter,
    InspectionCategory,
    InspectionRound,
    InspectionRoundTarget,
    InspectionTeam,
    ItemMatter,
)
from zhengwu.inspection.views.finding_lists import filter_choices, finding_list
from zhengwu.web.deps import Db, User, get_settings, uow_for
from zhengwu.web.listing import export_xlsx, fetch_page
from zhengwu.web.pages import form_int, form_str, redirect, render

router = APIRouter(prefix="/inspection", include_in_schema=False)


def _tz(request: Request) -> ZoneInfo:
    return ZoneInfo(get_settings(request).timezone)


def _require_view(principal: Principal) -> None:
    if not principal.has(VIEW):
        raise Forbidden("您没有查看巡察工作的权限。")


def _require_manage(principal: Principal) -> None:
    if not principal.has(FINDING_MANAGE):
        raise Forbidden("您没有登记巡察发现问题的权限。")


# ------------------------------------------------------------------------------------------------------- list


@router.get("/findings", response_class=HTMLResponse)
def finding_list_page(request: Request, principal: User, db: Db) -> HTMLResponse:
    _require_view(principal)
    with db.reading() as session:
        spec = finding_list(**filter_choices(session, principal, request.query_params))
        page = fetch_page(session, spec, principal, request.query_params, get_settings(request).page_size)
    return render(request, "inspection/findings.html", {"page": page, "may_record": principal.has(FINDING_MANAGE)})


@router.get("/findings/export.xlsx")
def finding_export(request: Request, principal: User, db: Db) -> StreamingResponse:
    _require_view(principal)
    with db.reading() as session:
        spec = finding_list(**filter_choices(session, principal, request.query_params))
    with uow_for(db, principal) as uow:
        return export_xlsx(db, uow, spec, principal, request.query_params)


# ----------------------------------------------------------------------------------------------------- record


def _rounds(session: Session, principal: Principal) -> list[InspectionRound]:
    """Rounds with at least one target in the recorder's scope, newest first."""
    targets = restrict(select(InspectionRoundTarget.round_id), principal, FINDING_MANAGE, Unit).join(
        Unit, Unit.id == InspectionRoundTarget.unit_id
    )
    stmt = select(InspectionRound).where(InspectionRound.id.in_(targets))
    return list(session.scalars(stmt.order_by(InspectionRound.year.desc(), InspectionRound.number.desc())))


def _form_context(session: Session, principal: Principal, round_id: int | None) -> dict[str, Any]:
    rounds = _rounds(session, principal)
    chosen = next((r for r in rounds if r.id == round_id), None)
    targets: list[tuple[int, str]] = []
    teams: list[tuple[int, str]] = []
    if chosen is not None:
        stmt = (
            select(Unit.id, Unit.name)
            .join(InspectionRoundTarget, InspectionRoundTarget.unit_id == Unit.id)
            .where(InspectionRoundTarget.round_id == chosen.id)
            .order_by(Unit.path)
        )
        targets = [(r.id, r.name) for r in session.execute(stmt)]
        team_rows = session.execute(
            select(InspectionTeam.id, InspectionTeam.name).where(InspectionTeam.round_id == chosen.id)
        )
        teams = [(r.id, r.name) for r in team_rows]
    return {
        "rounds": rounds,
        "chosen": chosen,
        "targets": targets,
        "teams": teams,
        "categories": list_categories(session, active_only=True),
    }


@router.get("/findings/new", response_class=HTMLResponse)
def finding_new(request: Request, principal: User, db: Db) -> HTMLResponse:
    _require_manage(principal)
    text = request.query_params.get("round_id", "")
    round_id = int(text) if text.isdigit() and len(text) < 10 else None
    with db.reading() as session:
        ctx = _form_context(session, principal, round_id)
    return render(request, "inspection/finding_form.html", {**ctx, "submitted": {}})


@router.post("/findings/new", response_model=None)
async def finding_create(request: Request, principal: User, db: Db) -> Response:
    _require_manage(principal)
    form = await request.form()
    round_id = form_int(form, "round_id", "巡察轮次") or 0
    try:
        with uow_for(db, principal) as uow:
            found = service.record_finding(
                uow,
                principal,
                round_id=round_id,
                target_unit_id=form_int(form, "target_unit_id", "被巡察党组织") or 0,
                category_id=form_int(form, "category_id", "问题分类") or 0,
                team_id=form_int(form, "team_id", "巡察组", required=False),
                title=form_str(form, "title"),
                description=form_str(form, "description"),
                paper=form_str(form, "paper"),
                tz=_tz(request),
            )
            uow.commit()
            target = f"/inspection/findings/{found.id}"
    except Invalid as exc:
        with db.reading() as session:
            ctx = _form_context(session, principal, round_id)
        submitted = {k: v for k, v in form.items() if isinstance(v, str) and k != "csrf_token"}
        ctx.update(submitted=submitted, error=exc.message, field=exc.field)
        return render(request, "inspection/finding_form.html", ctx, status=422)
    return redirect(target, "已登记发现问题")


# ------------------------------------------------------------------------------------------------ the finding


def _name(session: Session, table: Any, key: int | None, attr: str = "name") -> str:
    row = session.get(table, key) if key is not None else None
    return str(getattr(row, attr)) if row is not None else ""


def finding_page(request: Request, db: Any, principal: Any, matter_id: int, **extra: Any) -> HTMLResponse:
    """The page, optionally with a form's outcome (``error``, ``field``, ``conflict``, ``submitted``)."""
    _require_view(principal)
    tz = _tz(request)
    with db.reading() as session:
        found = matters.load(session, principal, FINDING, matter_id)
        assert isinstance(found, FindingMatter)
        ctx = detail_context(session, principal, FINDING, found, db.clock.now(), tz)
        rows = session.scalars(select(ItemMatter).where(ItemMatter.finding_id == found.id).order_by(ItemMatter.id))
        today = db.clock.now().astimezone(tz).date()
        ctx.update(
            step_codes={s.code for s in ctx["steps"]},
            round=session.get(InspectionRound, found.round_id),
            team=_name(session, InspectionTeam, found.team_id),
            category=_name(session, InspectionCategory, found.category_id),
            approver=_name(session, UserRow, found.paper_approved_by, "full_name"),
            entry_ended_on=entry_ended_on(session, found.round_id),
            items=list(rows),
            item_label=ITEM.spec.workflow.label,
            may_add_item=found.status in item_service.ACCEPTING_ITEMS
            and queries.may(session, principal, RECTIFY, found),
            default_report_due=rectification_due(today),
            submitted=extra.get("submitted") or {},
            **{k: v for k, v in extra.items() if k != "submitted"},
        )
    status = 409 if extra.get("conflict") else 422 if extra.get("error") else 200
    return render(request, "inspection/finding.html", ctx, status=status)


DETAIL_PAGES[FINDING_KIND] = finding_page


@router.get("/findings/{finding_id:int}", response_class=HTMLResponse)
def finding_detail(request: Request, finding_id: int, principal: User, db: Db) -> HTMLResponse:
    return finding_page(request, db, principal, finding_id)


@router.post("/findings/{finding_id:int}/items", response_model=None)
async def item_create(request: Request, finding_id: int, principal: User, db: Db) -> Response:
    """Add a rectification item from the finding's page; back to the page with the message on bad input."""
    _require_view(principal)
    if not principal.has(RECTIFY):
        raise Forbidden("您没有填报整改措施的权限。")
    form = await request.form()
    try:
        with uow_for(db, principal) as uow:
            item = item_service.add_item(
                uow,
                principal,
                finding_id,
                measure=form_str(form, "measure"),
                responsible=form_str(form, "responsible"),
                due_on=day(form_str(form, "due_on"), "due_on", "整改期限"),
                tz=_tz(request),
            )
            uow.commit()
            target = f"/inspection/items/{item.id}"
    except (Invalid, Conflict) as exc:
        submitted = {k: v for k, v in form.items() if isinstance(v, str) and k != "csrf_token"}
        return finding_page(request, db, principal, finding_id, error=exc.message, field=exc.field, submitted=submitted)
    return redirect(target, "已制定整改事项")
