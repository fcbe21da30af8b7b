"""Pages of inspection rounds: the list (newest first, by year and type), create and edit a round, and its page with
the stage timeline (the current stage highlighted), teams with members and targets, petitions, the forms to date the
stages, add teams, assign targets and second cadres, and a link to the round's findings. Plans are in
:mod:`zhengwu.inspection.views.plans`, included here."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import FormData

from zhengwu.core.errors import Conflict, Invalid
from zhengwu.core.org.model import Principal
from zhengwu.inspection.model import CADRE_MANAGE, ROUND_MANAGE, RoundType, Stage, StagePeriod, TeamRole
from zhengwu.inspection.service import plans as plan_service
from zhengwu.inspection.service import rounds as service
from zhengwu.inspection.service.cadres import list_cadres
from zhengwu.inspection.views.plans import (
    committee_choices,
    form_date,
    require_manage,
    require_view,
    unit_by_code,
)
from zhengwu.inspection.views.plans import router as plans_router
from zhengwu.web.deps import Db, User, uow_for
from zhengwu.web.pages import form_int, form_str, redirect, render

router = APIRouter(prefix="/inspection", include_in_schema=False)


def _fields(form: FormData) -> dict[str, Any]:
    plan = form_int(form, "plan_id", "巡察规划", required=False)
    return {
        "committee_unit_id": form_int(form, "committee_unit_id", "巡察委员会所在单位") or 0,
        "number": form_int(form, "number", "轮次") or 0,
        "year": form_int(form, "year", "年度") or 0,
        "type": form_str(form, "type"),
        "name": form_str(form, "name"),
        "approval": form_str(form, "approval"),
        "starts_on": form_date(form, "starts_on", "开始日期"),
        "ends_on": form_date(form, "ends_on", "结束日期", required=False),
        "plan_id": plan or None,
    }


def _form(request: Request, db: Any, principal: Principal, ctx: dict[str, Any], status: int = 200) -> HTMLResponse:
    with db.reading() as session:
        ctx["units"] = committee_choices(session, principal)
        ctx["plans"] = [(p.id, p.name) for p, _ in plan_service.list_plans(session, principal)]
    ctx.setdefault("submitted", {})
    ctx["types"] = RoundType.choices()
    return render(request, "inspection/round_form.html", ctx, status=status)


def _submitted(form: FormData) -> dict[str, str]:
    return {k: v for k, v in form.items() if isinstance(v, str)}


@router.get("/rounds", response_class=HTMLResponse)
def round_list(request: Request, principal: User, db: Db) -> HTMLResponse:
    require_view(principal)
    year_text, kind = request.query_params.get("year", ""), request.query_params.get("type", "")
    year = int(year_text) if year_text.isdigit() and 2000 <= int(year_text) <= 2100 else None
    kind = kind if kind in {t.value for t in RoundType} else ""
    with db.reading() as session:
        rows = service.list_rounds(session, principal, year=year, type=kind or None)
        years = service.round_years(session, principal)
    ctx = {"rows": rows, "years": years, "year": year, "type": kind, "types": RoundType.choices()}
    return render(request, "inspection/rounds.html", {**ctx, "may_manage": principal.has(ROUND_MANAGE)})


@router.get("/rounds/new", response_class=HTMLResponse)
def round_new(request: Request, principal: User, db: Db) -> HTMLResponse:
    require_manage(principal)
    return _form(request, db, principal, {"action": "/inspection/rounds/new"})


@router.post("/rounds/new", response_model=None)
async def round_create(request: Request, principal: User, db: Db) -> Response:
    require_manage(principal)
    form = await request.form()
    try:
        with uow_for(db, principal) as uow:
            rnd = service.create_round(uow, principal, **_fields(form))
            uow.commit()
            target = f"/inspection/rounds/{rnd.id}"
    except Invalid as exc:
        ctx = {"action": "/inspection/rounds/new", "submitted": _submitted(form), "error": exc.message}
        return _form(request, db, principal, {**ctx, "field": exc.field}, 422)
    return redirect(target, "已建立巡察轮次")


def round_page(
    request: Request, db: Any, principal: Principal, round_id: int, status: int = 200, **extra: Any
) -> HTMLResponse:
    with db.reading() as session:
        view = service.round_view(session, principal, round_id, service.today(db.clock))
        # The pool offered for a secondment (typed by number or picked by name from the browser's suggestions).
        pool = (
            [(c.id, f"{c.name}（{unit}）") for c, unit, _ in list_cadres(session, principal) if c.active]
            if principal.has(CADRE_MANAGE)
            else []
        )
    by_stage = {p.stage: p for p in view.stages}
    ctx = {
        "view": view,
        "stages": [(s, by_stage.get(s)) for s in Stage],
        "roles": TeamRole.choices(),
        "may_manage": principal.has(ROUND_MANAGE),
        "may_second": principal.has(CADRE_MANAGE),
        "pool": pool,
        **extra,
    }
    return render(request, "inspection/round.html", ctx, status=status)


@router.get("/rounds/{round_id}", response_class=HTMLResponse)
def round_detail(request: Request, round_id: int, principal: User, db: Db) -> HTMLResponse:
    require_view(principal)
    return round_page(request, db, principal, round_id)


@router.get("/rounds/{round_id}/edit", response_class=HTMLResponse)
def round_edit(request: Request, round_id: int, principal: User, db: Db) -> HTMLResponse:
    require_manage(principal)
    with db.reading() as session:
        r = service.get_round(session, principal, round_id, ROUND_MANAGE)
        submitted = {
            "committee_unit_id": str(r.committee_unit_id),
            "number": str(r.number),
            "year": str(r.year),
            "type": r.type.value,
            "name": r.name,
            "approval": r.approval,
            "starts_on": r.starts_on.isoformat(),
            "ends_on": r.ends_on.isoformat() if r.ends_on else "",
            "plan_id": str(r.plan_id or ""),
            "version": str(r.version),
        }
    ctx = {"action": f"/inspection/rounds/{round_id}/edit", "submitted": submitted, "editing": True}
    return _form(request, db, principal, ctx)


@router.post("/rounds/{round_id}/edit", response_model=None)
async def round_update(request: Request, round_id: int, principal: User, db: Db) -> Response:
    require_manage(principal)
    form = await request.form()
    try:
        with uow_for(db, principal) as uow:
            version = form_int(form, "version", "版本号")
            service.update_round(uow, principal, round_id, version=version, **_fields(form))
            uow.commit()
    except (Invalid, Conflict) as exc:
        ctx = {"action": f"/inspection/rounds/{round_id}/edit", "submitted": _submitted(form), "editing": True}
        return _form(request, db, principal, {**ctx, "error": exc.message, "field": exc.field}, exc.status)
    return redirect(f"/inspection/rounds/{round_id}", "已保存巡察轮次")


def stage_periods(form: FormData) -> list[StagePeriod]:
    """The stages filled in on the form (``<stage>_starts_on`` / ``<stage>_ends_on``); a stage without a start date
    is left out (``check_timeline`` then refuses a later stage that needs it)."""
    out = []
    for s in Stage:
        starts = form_date(form, f"{s.value}_starts_on", f"“{s.label}”阶段开始日期", required=False)
        ends = form_date(form, f"{s.value}_ends_on", f"“{s.label}”阶段结束日期", required=False)
        if starts is None:
            if ends is not None:
                raise Invalid(f"请填写“{s.label}”阶段的开始日期。", field=f"{s.value}_starts_on")
            continue
        out.append(StagePeriod(s, starts, ends))
    return out


async def _act(request: Request, db: Any, principal: Principal, round_id: int, notice: str, do: Any) -> Response:
    """Run ``do(uow, form)`` in one unit of work; on bad input show the round's page again with the message."""
    form = await request.form()
    try:
        with uow_for(db, principal) as uow:
            do(uow, form)
            uow.commit()
    except (Invalid, Conflict) as exc:
        extra = {"error": exc.message, "field": exc.field, "submitted": _submitted(form)}
        return round_page(request, db, principal, round_id, exc.status, **extra)
    return redirect(f"/inspection/rounds/{round_id}", notice)


@router.post("/rounds/{round_id}/stages", response_model=None)
async def round_stages(request: Request, round_id: int, principal: User, db: Db) -> Response:
    require_manage(principal)

    def do(uow: Any, form: FormData) -> None:
        version = form_int(form, "version", "版本号")
        service.set_stages(uow, principal, round_id, stage_periods(form), version=version)

    return await _act(request, db, principal, round_id, "已保存各阶段日期", do)


@router.post("/rounds/{round_id}/teams", response_model=None)
async def round_team(request: Request, round_id: int, principal: User, db: Db) -> Response:
    require_manage(principal)

    def do(uow: Any, form: FormData) -> None:
        service.add_team(uow, principal, round_id, form_str(form, "name"))

    return await _act(request, db, principal, round_id, "已新建巡察组", do)


@router.post("/rounds/{round_id}/teams/{team_id}/petitions", response_model=None)
async def round_petitions(request: Request, round_id: int, team_id: int, principal: User, db: Db) -> Response:
    require_manage(principal)

    def do(uow: Any, form: FormData) -> None:
        team = service.team_for_write(uow, principal, team_id, ROUND_MANAGE)
        if team.round_id != round_id:
            raise Invalid("巡察组不属于本轮巡察。", field="team_id")
        count = form_int(form, "petitions", "办理信访件数") or 0
        service.set_petitions(uow, principal, team_id, count, version=form_int(form, "version", "版本号"))

    return await _act(request, db, principal, round_id, "已登记信访件数", do)


@router.post("/rounds/{round_id}/targets", response_model=None)
async def round_target(request: Request, round_id: int, principal: User, db: Db) -> Response:
    require_manage(principal)

    def do(uow: Any, form: FormData) -> None:
        unit_id = unit_by_code(uow.session, form_str(form, "unit_code"), "unit_code", "被巡察单位")
        team = form_int(form, "team_id", "巡察组", required=False)
        service.assign_target(uow, principal, round_id, unit_id, team or None)

    return await _act(request, db, principal, round_id, "已确定被巡察单位", do)


@router.post("/rounds/{round_id}/targets/{unit_id}/remove", response_model=None)
async def round_target_remove(request: Request, round_id: int, unit_id: int, principal: User, db: Db) -> Response:
    require_manage(principal)

    def do(uow: Any, form: FormData) -> None:
        service.remove_target(uow, principal, round_id, unit_id)

    return await _act(request, db, principal, round_id, "已移出被巡察单位", do)


router.routes.extend(plans_router.routes)  # the plans' pages, served with the rounds' router
