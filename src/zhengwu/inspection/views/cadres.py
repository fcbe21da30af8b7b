"""Pages of the talent pool (巡察人才库): the pool filtered by specialty and unit, add and edit a cadre, a cadre's page
(declared conflicts, secondment history with the evaluation form), the figures of seconded cadres per round and over
time, and seconding a cadre from a round's page (refused with the reason on a conflict of interest)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select
from starlette.datastructures import FormData

from zhengwu.core.errors import Conflict, Forbidden, Invalid
from zhengwu.core.org.model import Principal
from zhengwu.core.org.tables import Unit
from zhengwu.inspection.model import CADRE_MANAGE, VIEW, Evaluation, Specialty, TeamRole
from zhengwu.inspection.service import cadres as service
from zhengwu.inspection.service import rounds as round_service
from zhengwu.inspection.views.plans import form_date, unit_by_code
from zhengwu.inspection.views.rounds import round_page
from zhengwu.web.deps import Db, User, uow_for
from zhengwu.web.pages import form_bool, form_int, form_str, redirect, render

router = APIRouter(prefix="/inspection", include_in_schema=False)


def _require_manage(principal: Principal) -> None:
    if not principal.has(CADRE_MANAGE):
        raise Forbidden("您没有维护巡察人才库与干部抽调的权限。")


def _submitted(form: FormData) -> dict[str, str]:
    return {k: v for k, v in form.items() if isinstance(v, str)}


def _specialties(form: FormData) -> list[str]:
    return [v for v in form.getlist("specialties") if isinstance(v, str) and v]


@router.get("/cadres", response_class=HTMLResponse)
def cadre_list(request: Request, principal: User, db: Db) -> HTMLResponse:
    _require_manage(principal)
    specialty = request.query_params.get("specialty", "")
    specialty = specialty if specialty in {s.value for s in Specialty} else ""
    code = request.query_params.get("unit", "").strip()[:64]
    with db.reading() as session:
        unit_id = session.scalar(select(Unit.id).where(Unit.code == code)) if code else None
        rows = (
            []
            if code and unit_id is None
            else service.list_cadres(session, principal, specialty=specialty or None, unit_id=unit_id)
        )
    ctx = {"rows": rows, "specialty": specialty, "unit": code, "specialties": Specialty.choices()}
    return render(request, "inspection/cadres.html", ctx)


def _form(request: Request, ctx: dict[str, Any], status: int = 200) -> HTMLResponse:
    ctx.setdefault("submitted", {})
    ctx.setdefault("chosen", [])
    ctx["specialties"] = Specialty.choices()
    return render(request, "inspection/cadre_form.html", ctx, status=status)


@router.get("/cadres/new", response_class=HTMLResponse)
def cadre_new(request: Request, principal: User) -> HTMLResponse:
    _require_manage(principal)
    return _form(request, {"action": "/inspection/cadres/new"})


@router.post("/cadres/new", response_model=None)
async def cadre_create(request: Request, principal: User, db: Db) -> Response:
    _require_manage(principal)
    form = await request.form()
    try:
        with uow_for(db, principal) as uow:
            cadre = service.add_cadre(
                uow,
                principal,
                name=form_str(form, "name"),
                unit_id=unit_by_code(uow.session, form_str(form, "unit_code"), "unit_code", "所在单位"),
                post=form_str(form, "post"),
                specialties=_specialties(form),
            )
            uow.commit()
            target = f"/inspection/cadres/{cadre.id}"
    except Invalid as exc:
        ctx = {"action": "/inspection/cadres/new", "submitted": _submitted(form), "chosen": _specialties(form)}
        return _form(request, {**ctx, "error": exc.message, "field": exc.field}, 422)
    return redirect(target, "已加入巡察人才库")


@router.get("/cadres/figures", response_class=HTMLResponse)
def cadre_figures(request: Request, principal: User, db: Db) -> HTMLResponse:
    if not principal.has(VIEW):
        raise Forbidden("您没有查看巡察工作的权限。")
    with db.reading() as session:
        per_round, total = service.cadre_figures(session, principal)
    ctx = {"per_round": per_round, "total": total, "evaluations": list(Evaluation)}
    return render(request, "inspection/cadre_figures.html", ctx)


def cadre_page(
    request: Request, db: Any, principal: Principal, cadre_id: int, status: int = 200, **extra: Any
) -> HTMLResponse:
    with db.reading() as session:
        view = service.cadre_view(session, principal, cadre_id)
    ctx = {"view": view, "evaluations": Evaluation.choices(), **extra}
    return render(request, "inspection/cadre.html", ctx, status=status)


@router.get("/cadres/{cadre_id}", response_class=HTMLResponse)
def cadre_detail(request: Request, cadre_id: int, principal: User, db: Db) -> HTMLResponse:
    _require_manage(principal)
    return cadre_page(request, db, principal, cadre_id)


@router.get("/cadres/{cadre_id}/edit", response_class=HTMLResponse)
def cadre_edit(request: Request, cadre_id: int, principal: User, db: Db) -> HTMLResponse:
    _require_manage(principal)
    with db.reading() as session:
        v = service.cadre_view(session, principal, cadre_id)
        code = session.scalar(select(Unit.code).where(Unit.id == v.cadre.unit_id)) or ""
    submitted = {
        "name": v.cadre.name,
        "unit_code": code,
        "post": v.cadre.post,
        "active": "1" if v.cadre.active else "",
        "version": str(v.cadre.version),
    }
    ctx = {"action": f"/inspection/cadres/{cadre_id}/edit", "submitted": submitted, "editing": True}
    return _form(request, {**ctx, "chosen": [s.value for s in v.specialties]})


@router.post("/cadres/{cadre_id}/edit", response_model=None)
async def cadre_update(request: Request, cadre_id: int, principal: User, db: Db) -> Response:
    _require_manage(principal)
    form = await request.form()
    try:
        with uow_for(db, principal) as uow:
            service.update_cadre(
                uow,
                principal,
                cadre_id,
                name=form_str(form, "name"),
                unit_id=unit_by_code(uow.session, form_str(form, "unit_code"), "unit_code", "所在单位"),
                post=form_str(form, "post"),
                specialties=_specialties(form),
                active=form_bool(form, "active"),
                version=form_int(form, "version", "版本号"),
            )
            uow.commit()
    except (Invalid, Conflict) as exc:
        ctx = {"action": f"/inspection/cadres/{cadre_id}/edit", "submitted": _submitted(form), "editing": True}
        ctx.update(chosen=_specialties(form), error=exc.message, field=exc.field)
        return _form(request, ctx, exc.status)
    return redirect(f"/inspection/cadres/{cadre_id}", "已保存")


@router.post("/cadres/{cadre_id}/conflicts", response_model=None)
async def cadre_conflict(request: Request, cadre_id: int, principal: User, db: Db) -> Response:
    _require_manage(principal)
    form = await request.form()
    try:
        with uow_for(db, principal) as uow:
            service.declare_conflict(
                uow,
                principal,
                cadre_id,
                unit_id=unit_by_code(uow.session, form_str(form, "unit_code"), "unit_code", "申报回避的单位"),
                reason=form_str(form, "reason"),
                declared_on=form_date(form, "declared_on", "申报日期"),  # type: ignore[arg-type]
            )
            uow.commit()
    except Invalid as exc:
        extra = {"error": exc.message, "field": exc.field, "submitted": _submitted(form)}
        return cadre_page(request, db, principal, cadre_id, 422, **extra)
    return redirect(f"/inspection/cadres/{cadre_id}", "已登记回避申报")


@router.post("/cadres/{cadre_id}/secondments/{secondment_id}", response_model=None)
async def cadre_evaluate(request: Request, cadre_id: int, secondment_id: int, principal: User, db: Db) -> Response:
    """Record a secondment's evaluation, commendation and promotion date."""
    _require_manage(principal)
    form = await request.form()
    try:
        with uow_for(db, principal) as uow:
            service.cadre_view(uow.session, principal, cadre_id)
            s = service.evaluate(
                uow,
                principal,
                secondment_id,
                evaluation=form_str(form, "evaluation") or None,
                commended=form_bool(form, "commended"),
                promoted_on=form_date(form, "promoted_on", "提拔任用日期", required=False),
                version=form_int(form, "version", "版本号"),
            )
            if s.cadre_id != cadre_id:
                raise Invalid("抽调记录不属于该干部。", field="secondment_id")
            uow.commit()
    except (Invalid, Conflict) as exc:
        extra = {"error": exc.message, "field": exc.field}
        return cadre_page(request, db, principal, cadre_id, exc.status, **extra)
    return redirect(f"/inspection/cadres/{cadre_id}", "已保存考核与表扬情况")


@router.post("/rounds/{round_id}/secondments", response_model=None)
async def round_second(request: Request, round_id: int, principal: User, db: Db) -> Response:
    """Second a cadre of the pool (by id) to a team of the round."""
    _require_manage(principal)
    form = await request.form()
    try:
        with uow_for(db, principal) as uow:
            team_id = form_int(form, "team_id", "巡察组") or 0
            team = round_service.team_for_write(uow, principal, team_id, CADRE_MANAGE)
            if team.round_id != round_id:
                raise Invalid("巡察组不属于本轮巡察。", field="team_id")
            cadre_id = form_int(form, "cadre_id", "干部编号") or 0
            role = form_str(form, "role") or TeamRole.MEMBER.value
            service.second(uow, principal, cadre_id, team_id, role)
            uow.commit()
    except Invalid as exc:
        extra = {"error": exc.message, "field": exc.field, "submitted": _submitted(form)}
        return round_page(request, db, principal, round_id, 422, **extra)
    return redirect(f"/inspection/rounds/{round_id}", "已抽调干部")
