"""Pages of multi-year inspection plans (巡察规划): the list, create a plan, and its page with the coverage by district
(planned, covered by a round of the plan, rate) and the form to add targets by unit code. Also the form helpers the
rounds' and cadres' pages share. Its routes are served with the rounds' router."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from zhengwu.core.errors import Conflict, Forbidden, Invalid
from zhengwu.core.org.access import restrict
from zhengwu.core.org.model import Principal
from zhengwu.core.org.tables import Unit
from zhengwu.inspection.model import ROUND_MANAGE, VIEW
from zhengwu.inspection.service import plans as service
from zhengwu.web.deps import Db, User, uow_for
from zhengwu.web.pages import form_int, form_str, redirect, render

router = APIRouter(prefix="/inspection", include_in_schema=False)  # its routes join views.rounds.router
MAX_CODES = service.MAX_TARGETS_PER_CALL


def require_view(principal: Principal) -> None:
    if not principal.has(VIEW):
        raise Forbidden("您没有查看巡察工作的权限。")


def require_manage(principal: Principal) -> None:
    if not principal.has(ROUND_MANAGE):
        raise Forbidden("您没有维护巡察规划、轮次与巡察组的权限。")


def form_date(form: FormData, name: str, label: str, *, required: bool = True) -> date | None:
    """A ``YYYY-MM-DD`` field; ``Invalid`` naming it when missing (if required) or not a date."""
    text = form_str(form, name)
    if not text:
        if required:
            raise Invalid(f"请填写{label}。", field=name)
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise Invalid(f"{label}应为有效日期（如 2024-06-30）。", field=name) from None


def unit_by_code(session: Session, code: str, field: str, label: str) -> int:
    """The id of the active unit with that code (``Invalid`` naming the field otherwise)."""
    if not code:
        raise Invalid(f"请填写{label}的单位编码。", field=field)
    found = session.scalar(select(Unit.id).where(Unit.code == code, Unit.active.is_(True)))
    if found is None:
        raise Invalid(f"单位编码“{code}”不存在或已停用。", field=field)
    return found


def committee_choices(session: Session, principal: Principal) -> list[tuple[int, str]]:
    """Active units within the caller's ``inspection.round.manage`` scope, in tree order."""
    stmt = select(Unit.id, Unit.name).where(Unit.active.is_(True)).order_by(Unit.path)
    return [(i, n) for i, n in session.execute(restrict(stmt, principal, ROUND_MANAGE, Unit))]


def _submitted(form: FormData) -> dict[str, str]:
    return {k: v for k, v in form.items() if isinstance(v, str)}


@router.get("/plans", response_class=HTMLResponse)
def plan_list(request: Request, principal: User, db: Db) -> HTMLResponse:
    require_view(principal)
    with db.reading() as session:
        rows = service.list_plans(session, principal)
    return render(request, "inspection/plans.html", {"rows": rows, "may_manage": principal.has(ROUND_MANAGE)})


def _form(request: Request, db: Any, principal: Principal, ctx: dict[str, Any], status: int = 200) -> HTMLResponse:
    with db.reading() as session:
        ctx["units"] = committee_choices(session, principal)
    ctx.setdefault("submitted", {})
    return render(request, "inspection/plan_form.html", ctx, status=status)


@router.get("/plans/new", response_class=HTMLResponse)
def plan_new(request: Request, principal: User, db: Db) -> HTMLResponse:
    require_manage(principal)
    return _form(request, db, principal, {})


@router.post("/plans/new", response_model=None)
async def plan_create(request: Request, principal: User, db: Db) -> Response:
    require_manage(principal)
    form = await request.form()
    try:
        with uow_for(db, principal) as uow:
            plan = service.create_plan(
                uow,
                principal,
                committee_unit_id=form_int(form, "committee_unit_id", "巡察委员会所在单位") or 0,
                name=form_str(form, "name"),
                first_year=form_int(form, "first_year", "起始年度") or 0,
                last_year=form_int(form, "last_year", "终止年度") or 0,
            )
            uow.commit()
            target = f"/inspection/plans/{plan.id}"
    except Invalid as exc:
        ctx = {"submitted": _submitted(form), "error": exc.message, "field": exc.field}
        return _form(request, db, principal, ctx, 422)
    return redirect(target, "已建立巡察规划")


def plan_page(
    request: Request, db: Any, principal: Principal, plan_id: int, status: int = 200, **extra: Any
) -> HTMLResponse:
    with db.reading() as session:
        coverage = service.plan_coverage(session, principal, plan_id)
    ctx = {"c": coverage, "rate": service.format_rate, "may_manage": principal.has(ROUND_MANAGE), **extra}
    return render(request, "inspection/plan.html", ctx, status=status)


@router.get("/plans/{plan_id}", response_class=HTMLResponse)
def plan_detail(request: Request, plan_id: int, principal: User, db: Db) -> HTMLResponse:
    require_view(principal)
    return plan_page(request, db, principal, plan_id)


def unit_codes(text: str) -> list[str]:
    """Unit codes separated by commas, spaces or new lines (Chinese commas too).

    >>> unit_codes("cs-fr, cs-tx，cs-yl\\ncs-sj")
    ['cs-fr', 'cs-tx', 'cs-yl', 'cs-sj']
    """
    return [c for c in re.split(r"[\s,，、;；]+", text) if c]


@router.post("/plans/{plan_id}/targets", response_model=None)
async def plan_targets(request: Request, plan_id: int, principal: User, db: Db) -> Response:
    require_manage(principal)
    form = await request.form()
    try:
        with uow_for(db, principal) as uow:
            codes = unit_codes(form_str(form, "unit_codes"))
            if len(codes) > MAX_CODES:
                raise Invalid(f"一次最多添加 {MAX_CODES} 个单位。", field="unit_codes")
            found = dict(uow.session.execute(select(Unit.code, Unit.id).where(Unit.code.in_(codes))).all())
            if missing := [c for c in codes if c not in found]:
                raise Invalid(f"单位编码“{missing[0]}”不存在。", field="unit_codes")
            planned = form_int(form, "planned_round", "计划轮次", required=False)
            added = service.add_plan_targets(uow, principal, plan_id, [found[c] for c in codes], planned)
            uow.commit()
    except (Invalid, Conflict) as exc:
        extra = {"error": exc.message, "field": exc.field, "submitted": _submitted(form)}
        return plan_page(request, db, principal, plan_id, exc.status, **extra)
    return redirect(f"/inspection/plans/{plan_id}", f"已添加 {added} 个规划巡察单位")
