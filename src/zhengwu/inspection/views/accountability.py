"""Pages of accountability and money (问责 · 退缴 · 追回): the ledger with its totals by outcome and the money in 万元,
filtered by round, year and unit; and the form to record an outcome (or money alone) for a person or a unit."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from zhengwu.core.errors import Forbidden, Invalid
from zhengwu.core.org.access import restrict
from zhengwu.core.org.model import Principal
from zhengwu.core.org.tables import Unit
from zhengwu.inspection.model import ACCOUNTABILITY_MANAGE, VIEW, SubjectKind
from zhengwu.inspection.model.money import FAMILY, Outcome, format_wan, format_yuan
from zhengwu.inspection.service import accountability as service
from zhengwu.inspection.tables import InspectionRound
from zhengwu.web.deps import Db, User, uow_for
from zhengwu.web.pages import form_int, form_str, redirect, render

router = APIRouter(prefix="/inspection", include_in_schema=False)


def form_day(form: FormData, name: str, label: str) -> date:
    text = form_str(form, name)
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise Invalid(f"请填写有效的{label}（如 2024-09-10）。", field=name) from None


def unit_choices(session: Session, principal: Principal, action: str) -> list[tuple[int, str]]:
    """Active units in the caller's scope of ``action``, in tree order."""
    stmt = select(Unit.id, Unit.name).where(Unit.active.is_(True)).order_by(Unit.path)
    return [(i, n) for i, n in session.execute(restrict(stmt, principal, action, Unit))]


def round_choices(session: Session, principal: Principal) -> list[tuple[int, str]]:
    stmt = select(InspectionRound.id, InspectionRound.name).order_by(
        InspectionRound.year.desc(), InspectionRound.number.desc()
    )
    return [(i, n) for i, n in session.execute(restrict(stmt, principal, VIEW, InspectionRound))]


def _filter(request: Request, name: str, low: int, high: int) -> int | None:
    """A numeric filter of the query string; anything else is ignored (shown as 全部)."""
    text = request.query_params.get(name, "").strip()
    return int(text) if text.isdigit() and low <= int(text) <= high else None


@router.get("/accountability", response_class=HTMLResponse)
def accountability_list(request: Request, principal: User, db: Db) -> HTMLResponse:
    if not principal.has(VIEW):
        raise Forbidden("您没有查看巡察工作的权限。")
    round_id = _filter(request, "round_id", 1, 2_147_483_647)
    year = _filter(request, "year", 2000, 2100)
    unit_id = _filter(request, "unit_id", 1, 2_147_483_647)
    with db.reading() as session:
        ledger = service.ledger(session, principal, round_id=round_id, year=year, unit_id=unit_id)
        ctx: dict[str, Any] = {
            "ledger": ledger,
            "rounds": round_choices(session, principal),
            "units": unit_choices(session, principal, VIEW),
        }
    ctx.update(
        round_id=round_id,
        year=year,
        unit_id=unit_id,
        family=FAMILY,
        wan=format_wan,
        yuan=format_yuan,
        may_manage=principal.has(ACCOUNTABILITY_MANAGE),
    )
    return render(request, "inspection/accountability.html", ctx)


def _form(request: Request, db: Any, principal: Principal, ctx: dict[str, Any], status: int = 200) -> HTMLResponse:
    with db.reading() as session:
        ctx["units"] = unit_choices(session, principal, ACCOUNTABILITY_MANAGE)
        ctx["rounds"] = round_choices(session, principal) if principal.has(VIEW) else []
    ctx.setdefault("submitted", {})
    ctx.update(kinds=SubjectKind.choices(), outcomes=Outcome.choices())
    return render(request, "inspection/accountability_form.html", ctx, status=status)


@router.get("/accountability/new", response_class=HTMLResponse)
def accountability_new(request: Request, principal: User, db: Db) -> HTMLResponse:
    if not principal.has(ACCOUNTABILITY_MANAGE):
        raise Forbidden("您没有登记问责处理与资金退缴追回的权限。")
    return _form(request, db, principal, {"submitted": {"subject_kind": "person"}})


@router.post("/accountability/new", response_model=None)
async def accountability_create(request: Request, principal: User, db: Db) -> Response:
    if not principal.has(ACCOUNTABILITY_MANAGE):
        raise Forbidden("您没有登记问责处理与资金退缴追回的权限。")
    form = await request.form()
    try:
        with uow_for(db, principal) as uow:
            service.record_accountability(
                uow,
                principal,
                unit_id=form_int(form, "unit_id", "所在单位") or 0,
                subject_kind=form_str(form, "subject_kind"),
                subject_name=form_str(form, "subject_name"),
                outcome=form_str(form, "outcome") or None,
                decided_on=form_day(form, "decided_on", "处理日期"),
                returned=form_str(form, "returned") or "0",
                recovered=form_str(form, "recovered") or "0",
                round_id=form_int(form, "round_id", "巡察轮次", required=False) or None,
                note=form_str(form, "note"),
            )
            uow.commit()
    except Invalid as exc:
        submitted = {k: v for k, v in form.items() if isinstance(v, str)}
        return _form(request, db, principal, {"submitted": submitted, "error": exc.message, "field": exc.field}, 422)
    return redirect("/inspection/accountability", "已登记问责记录")
