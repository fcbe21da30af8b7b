"""Pages of securitization plans (证券化方案): the list, a plan's page (terms, the pool table with totals and
principal-weighted averages, the tranches with their share of the pool, links to its results), the forms of its
terms (new — blank or with the Changsha seed's terms — and edit), of its tranches and of its pooled loans (a picker
with running totals), issuing and deleting a draft, and the download of its contract JSON.

Reading needs ``finance.view`` over the plan's unit, writing ``finance.structure`` (and the version read). Rates are
typed and shown in %, money in 元 with thousands separators; the correlation is a plain number in [0, 1).
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from zhengwu.core.errors import Conflict, Forbidden, Invalid
from zhengwu.core.org.access import check_write
from zhengwu.core.org.model import Principal
from zhengwu.core.org.service import require
from zhengwu.core.org.tables import Unit
from zhengwu.finance.model import STRUCTURE, VIEW
from zhengwu.finance.model.loans import LoanStatus
from zhengwu.finance.model.plan import PERIODS_PER_YEAR, Amortization, Cover, PlanStatus
from zhengwu.finance.service import plan_loans, plans
from zhengwu.finance.service.plan_contract import get_plan, list_plans, plan_contract, tranches_of
from zhengwu.finance.service.plans import from_percent, percent_text
from zhengwu.finance.tables import Plan
from zhengwu.web.deps import Db, User, uow_for
from zhengwu.web.pages import form_int, form_ints, form_str, redirect, render

router = APIRouter(prefix="/finance", include_in_schema=False)
LIST = "/finance/plans"
#: The text fields of the terms' form (the rates in %, the cap in 元); the covers are check boxes.
FIELDS = ("code", "name", "closing_date", "periods_per_year", "legal_final_period", "fees.annual_rate_on_pool",
          "guarantor.name", "guarantor.pd_annual", "guarantor.coverage", "guarantor.cap", "shortfall_provider.name",
          "shortfall_provider.pd_annual", "recovery.rate_of_pledged_value", "recovery.lag_periods", "correlation",
          "note")  # fmt: skip
COVERS = "shortfall_provider.covers"
RESULTS = (("waterfall", "现金流瀑布"), ("simulation", "蒙特卡洛模拟"), ("sizing", "优先级规模与盈亏平衡"))


def money(value: Any) -> str:
    """An amount in 元 with thousands separators and two decimals.

    >>> money(Decimal("135000000")), money(None)
    ('135,000,000.00', '—')
    """
    return "—" if value is None else f"{Decimal(value):,.2f}"


def pct(value: float | None, digits: int = 2) -> str:
    """A fraction shown in %.

    >>> pct(0.0295), pct(None), pct(1 / 3, 1)
    ('2.95%', '—', '33.3%')
    """
    return "—" if value is None else f"{value * 100:.{digits}f}%"


HELPERS = {"money": money, "pct": pct, "percent_text": percent_text, "amortizations": dict(Amortization.choices()),
           "loan_statuses": dict(LoanStatus.choices()), "plan_statuses": dict(PlanStatus.choices()),
           "covers": Cover.choices(), "periods": PERIODS_PER_YEAR}  # fmt: skip


def _may_edit(session: Session, principal: Principal, plan: Plan) -> bool:
    if plan.status != PlanStatus.DRAFT or not principal.has(STRUCTURE):
        return False
    try:
        check_write(session, principal, STRUCTURE, plan)
    except Forbidden:
        return False
    return True


def _editable(session: Session, principal: Principal, plan_id: int) -> Plan:
    """The plan for a form page: seen (else 404), written over its unit (else 403), still a draft (else 409)."""
    require(principal, STRUCTURE)
    plan = get_plan(session, principal, plan_id)
    check_write(session, principal, STRUCTURE, plan)
    if plan.status != PlanStatus.DRAFT:
        raise Conflict(f"方案 {plan.code} 已发行，不能再修改。")
    return plan


# ------------------------------------------------------------------------------------------------ list and page


@router.get("/plans", response_class=HTMLResponse)
def plan_list(request: Request, principal: User, db: Db) -> HTMLResponse:
    require(principal, VIEW)
    status = request.query_params.get("status", "")
    with db.reading() as session:
        rows = list_plans(session, principal, status=status or None)
    ctx = {"rows": rows, "status": status, "may_structure": principal.has(STRUCTURE), **HELPERS}
    return render(request, "finance/plans.html", ctx)


def _plan_page(
    request: Request, session: Session, principal: Principal, plan_id: int, status: int = 200, **extra: Any
) -> HTMLResponse:
    plan = get_plan(session, principal, plan_id)
    pool = plan_loans.pool_of(session, plan)
    totals = plan_loans.pool_totals(pool)
    tranches = tranches_of(session, plan)
    tranche_total = sum((t.balance for t in tranches), Decimal(0))
    ctx = {
        "plan": plan,
        "unit": session.scalar(select(Unit.name).where(Unit.id == plan.unit_id)) or "",
        "terms": plans.terms_of(plan),
        "pool": pool,
        "totals": totals,
        "tranches": tranches,
        "tranche_total": tranche_total,
        "may_edit": _may_edit(session, principal, plan),
        "results": RESULTS,
        **HELPERS,
        **extra,
    }
    return render(request, "finance/plan.html", ctx, status=status)


@router.get("/plans/{plan_id:int}", response_class=HTMLResponse)
def plan_page(request: Request, plan_id: int, principal: User, db: Db) -> HTMLResponse:
    with db.reading() as session:
        return _plan_page(request, session, principal, plan_id)


@router.get("/plans/{plan_id:int}/contract.json")
def plan_contract_file(plan_id: int, principal: User, db: Db) -> Response:
    """The plan as the contract's plan JSON, to run with ``zhengwu finance run`` or ``POST /api/finance/run``."""
    with db.reading() as session:
        plan = get_plan(session, principal, plan_id)
        body = json.dumps(plan_contract(session, plan), ensure_ascii=False, indent=2)
        headers = {"Content-Disposition": f"attachment; filename*=UTF-8''{quote(plan.code + '.json')}"}
    return Response(body + "\n", media_type="application/json", headers=headers)


async def _plan_action(request: Request, plan_id: int, principal: Principal, db: Any, issue: bool) -> Response:
    require(principal, STRUCTURE)
    form = await request.form()
    try:
        with uow_for(db, principal) as uow:
            version = form_int(form, "version", "版本号")
            if issue:
                plan_loans.issue_plan(uow, principal, plan_id, version=version)
            else:
                code = plans.delete_plan(uow, principal, plan_id, version=version)
            uow.commit()
    except (Invalid, Conflict) as exc:
        with db.reading() as session:
            return _plan_page(request, session, principal, plan_id, exc.status, error=exc.message, field=exc.field)
    if issue:
        return redirect(f"{LIST}/{plan_id}", "方案已发行")
    return redirect(LIST, f"已删除方案 {code}")


@router.post("/plans/{plan_id:int}/issue", response_model=None)
async def plan_issue(request: Request, plan_id: int, principal: User, db: Db) -> Response:
    return await _plan_action(request, plan_id, principal, db, issue=True)


@router.post("/plans/{plan_id:int}/delete", response_model=None)
async def plan_delete(request: Request, plan_id: int, principal: User, db: Db) -> Response:
    return await _plan_action(request, plan_id, principal, db, issue=False)


# ------------------------------------------------------------------------------------------- the terms' form


def _number(text: str, field: str, label: str, integer: bool) -> Any:
    if not text:
        return None
    try:
        return int(text) if integer else float(Decimal(text))
    except (ValueError, ArithmeticError):
        raise Invalid(f"{label}须为{'整数' if integer else '数字'}，现为“{text[:20]}”。", field=field) from None


def terms_from_form(form: FormData) -> dict[str, Any]:
    """The terms (as :func:`~zhengwu.finance.service.plans.check_terms` takes them) from the form: rates from %,
    an empty guarantor or provider name meaning none, an empty cap no cap."""
    f = {key: form_str(form, key) for key in FIELDS}
    covers = [v for v in form.getlist(COVERS) if isinstance(v, str)]

    def rate(key: str, label: str, upper_open: bool = False) -> float | None:
        return from_percent(f[key], key, label, upper_open=upper_open)

    guarantor = provider = None
    if f["guarantor.name"]:
        guarantor = {"name": f["guarantor.name"], "pd_annual": rate("guarantor.pd_annual", "担保机构违约概率", True),
                     "coverage": rate("guarantor.coverage", "担保比例"), "cap": f["guarantor.cap"] or None}  # fmt: skip
    if f["shortfall_provider.name"]:
        pd = rate("shortfall_provider.pd_annual", "差额支付承诺人违约概率", True)
        provider = {"name": f["shortfall_provider.name"], "pd_annual": pd, "covers": covers}
    return {
        "code": f["code"],
        "name": f["name"],
        "closing_date": f["closing_date"],
        "periods_per_year": _number(f["periods_per_year"], "periods_per_year", "每年期数", True),
        "legal_final_period": _number(f["legal_final_period"], "legal_final_period", "法定到期期数", True),
        "fees": {"annual_rate_on_pool": rate("fees.annual_rate_on_pool", "费率")},
        "guarantor": guarantor,
        "shortfall_provider": provider,
        "recovery": {
            "rate_of_pledged_value": rate("recovery.rate_of_pledged_value", "质押物回收率"),
            "lag_periods": _number(f["recovery.lag_periods"], "recovery.lag_periods", "回收滞后期数", True),
        },
        "correlation": _number(f["correlation"], "correlation", "相关系数", False),
        "note": f["note"],
    }


def form_of(terms: dict[str, Any]) -> dict[str, Any]:
    """The form's values of ``terms`` (rates in %)."""
    g, p, r = terms["guarantor"] or {}, terms["shortfall_provider"] or {}, terms["recovery"]
    out = {
        "code": terms["code"], "name": terms["name"], "closing_date": terms["closing_date"],
        "periods_per_year": str(terms["periods_per_year"]), "legal_final_period": str(terms["legal_final_period"]),
        "fees.annual_rate_on_pool": percent_text(terms["fees"]["annual_rate_on_pool"]),
        "guarantor.name": g.get("name", ""), "guarantor.pd_annual": percent_text(g.get("pd_annual")),
        "guarantor.coverage": percent_text(g.get("coverage")),
        "guarantor.cap": "" if g.get("cap") is None else str(g["cap"]),
        "shortfall_provider.name": p.get("name", ""), "shortfall_provider.pd_annual": percent_text(p.get("pd_annual")),
        "recovery.rate_of_pledged_value": percent_text(r["rate_of_pledged_value"]),
        "recovery.lag_periods": str(r["lag_periods"]), "correlation": f"{terms['correlation']:g}",
        "note": terms.get("note", ""),
    }  # fmt: skip
    return {**out, COVERS: list(p.get("covers", []))}


def _submitted(form: FormData) -> dict[str, Any]:
    values: dict[str, Any] = {key: v if isinstance(v := form.get(key), str) else "" for key in (*FIELDS, "version")}
    return {**values, COVERS: [v for v in form.getlist(COVERS) if isinstance(v, str)]}


def _terms_form(request: Request, ctx: dict[str, Any], status: int = 200) -> HTMLResponse:
    return render(request, "finance/plan_form.html", {**HELPERS, **ctx}, status=status)


BLANK = {"periods_per_year": "4", "legal_final_period": "8", "fees.annual_rate_on_pool": "0",
         "recovery.rate_of_pledged_value": "0", "recovery.lag_periods": "0", "correlation": "0.2",
         COVERS: [c.value for c in Cover]}  # fmt: skip


@router.get("/plans/new", response_class=HTMLResponse)
def plan_new(request: Request, principal: User) -> HTMLResponse:
    require(principal, STRUCTURE)
    sample = request.query_params.get("sample") == "1"
    submitted = form_of(plans.seed_terms()[0]) if sample else dict(BLANK)
    return _terms_form(request, {"action": f"{LIST}/new", "submitted": submitted, "sample": sample})


@router.post("/plans/new", response_model=None)
async def plan_create(request: Request, principal: User, db: Db) -> Response:
    require(principal, STRUCTURE)
    form = await request.form()
    try:
        with uow_for(db, principal) as uow:
            plan = plans.create_plan(uow, principal, terms_from_form(form))
            uow.commit()
            target = f"{LIST}/{plan.id}"
    except Invalid as exc:
        ctx = {"action": f"{LIST}/new", "submitted": _submitted(form), "error": exc.message, "field": exc.field}
        return _terms_form(request, ctx, 422)
    return redirect(target, "已新建方案，请设置证券分层并选择入池贷款")


@router.get("/plans/{plan_id:int}/edit", response_class=HTMLResponse)
def plan_edit(request: Request, plan_id: int, principal: User, db: Db) -> HTMLResponse:
    with db.reading() as session:
        plan = _editable(session, principal, plan_id)
        submitted = {**form_of(plans.terms_of(plan)), "version": str(plan.version)}
    return _terms_form(request, {"action": f"{LIST}/{plan_id}/edit", "submitted": submitted, "plan": plan})


@router.post("/plans/{plan_id:int}/edit", response_model=None)
async def plan_update(request: Request, plan_id: int, principal: User, db: Db) -> Response:
    require(principal, STRUCTURE)
    form = await request.form()
    try:
        with uow_for(db, principal) as uow:
            version = form_int(form, "version", "版本号")
            plans.update_plan(uow, principal, plan_id, terms_from_form(form), version=version)
            uow.commit()
    except (Invalid, Conflict) as exc:
        with db.reading() as session:
            plan = get_plan(session, principal, plan_id)
        ctx = {"action": f"{LIST}/{plan_id}/edit", "submitted": _submitted(form), "plan": plan}
        ctx.update(error=exc.message, field=exc.field, conflict=exc.status == 409)
        return _terms_form(request, ctx, exc.status)
    return redirect(f"{LIST}/{plan_id}", "已保存方案条款")


# ------------------------------------------------------------------------------------------------ the tranches


def _tranche_rows(form: FormData) -> tuple[list[dict[str, Any]], list[int]]:
    """The filled rows of the tranches' form (coupon from %, empty meaning none) and each one's row number."""
    rows, where = [], []
    for k in range(plans.MAX_TRANCHES + 5):
        cells = {key: form_str(form, f"tranches[{k}].{key}") for key in ("code", "name", "balance", "coupon")}
        if any(cells.values()):
            coupon = from_percent(cells["coupon"], f"tranches[{k}].coupon", "票面利率")
            rows.append({**cells, "coupon": coupon})
            where.append(k)
    return rows, where


def _tranches_page(request: Request, session: Session, plan: Plan, ctx: dict[str, Any], status: int = 200) -> Response:
    totals = plan_loans.pool_totals(plan_loans.pool_of(session, plan))
    ctx = {"plan": plan, "pool_principal": totals.principal if totals.count else None, **HELPERS, **ctx}
    return render(request, "finance/plan_tranches.html", ctx, status=status)


@router.get("/plans/{plan_id:int}/tranches", response_class=HTMLResponse)
def tranches_form(request: Request, plan_id: int, principal: User, db: Db) -> Response:
    sample = request.query_params.get("sample") == "1"
    with db.reading() as session:
        plan = _editable(session, principal, plan_id)
        stored = [{"code": t.code, "name": t.name, "balance": str(t.balance), "coupon": percent_text(t.coupon)}
                  for t in tranches_of(session, plan)]  # fmt: skip
        if sample:
            stored = [{**t, "balance": str(t["balance"]), "coupon": percent_text(t["coupon"])}
                      for t in plans.seed_terms()[1]]  # fmt: skip
        rows = stored + [{}] * 2
        return _tranches_page(request, session, plan, {"rows": rows, "version": plan.version, "sample": sample})


@router.post("/plans/{plan_id:int}/tranches", response_model=None)
async def tranches_save(request: Request, plan_id: int, principal: User, db: Db) -> Response:
    require(principal, STRUCTURE)
    form = await request.form()
    where: list[int] = []
    try:
        with uow_for(db, principal) as uow:
            version = form_int(form, "version", "版本号")
            rows, where = _tranche_rows(form)
            plans.set_tranches(uow, principal, plan_id, rows, version=version)
            uow.commit()
    except (Invalid, Conflict) as exc:
        field = exc.field or ""
        if field.startswith("tranches[") and where:  # the k-th filled row is the form's row where[k]
            k = int(field[9 : field.index("]")])
            field = f"tranches[{where[k] if k < len(where) else k}]{field[field.index(']') + 1 :]}"
        keys = ("code", "name", "balance", "coupon")
        rows = [{key: form_str(form, f"tranches[{k}].{key}") for key in keys} for k in range(plans.MAX_TRANCHES + 5)]
        while len(rows) > 2 and not any(rows[-1].values()) and not any(rows[-2].values()):
            rows.pop()
        with db.reading() as session:
            plan = get_plan(session, principal, plan_id)
            ctx = {"rows": rows, "version": form_str(form, "version"), "error": exc.message, "field": field}
            return _tranches_page(request, session, plan, {**ctx, "conflict": exc.status == 409}, exc.status)
    return redirect(f"{LIST}/{plan_id}", "已保存证券分层")


# ------------------------------------------------------------------------------------------------ the loans


def _loans_page(
    request: Request, session: Session, principal: Principal, plan: Plan, ctx: dict[str, Any], status: int = 200
) -> Response:
    lines = plan_loans.candidates(session, principal, plan)
    chosen = set(ctx["chosen"])
    picked = [line for line in lines if line.loan.id in chosen]
    tranche_total = sum((t.balance for t in tranches_of(session, plan)), Decimal(0))
    ctx = {"plan": plan, "lines": lines, "totals": plan_loans.pool_totals(picked), "chosen": chosen,
           "tranche_total": tranche_total, **HELPERS, **ctx}  # fmt: skip
    return render(request, "finance/plan_loans.html", ctx, status=status)


@router.get("/plans/{plan_id:int}/loans", response_class=HTMLResponse)
def loans_form(request: Request, plan_id: int, principal: User, db: Db) -> Response:
    with db.reading() as session:
        plan = _editable(session, principal, plan_id)
        chosen = [line.loan.id for line in plan_loans.pool_of(session, plan)]
        return _loans_page(request, session, principal, plan, {"chosen": chosen, "version": plan.version})


@router.post("/plans/{plan_id:int}/loans", response_model=None)
async def loans_save(request: Request, plan_id: int, principal: User, db: Db) -> Response:
    require(principal, STRUCTURE)
    form = await request.form()
    chosen: list[int] = []
    try:
        chosen = form_ints(form, "loan", "贷款")
        if form_str(form, "preview"):  # the running totals of the ticked loans, without saving
            with db.reading() as session:
                plan = _editable(session, principal, plan_id)
                ctx = {"chosen": chosen, "version": form_str(form, "version"), "preview": True}
                return _loans_page(request, session, principal, plan, ctx)
        with uow_for(db, principal) as uow:
            version = form_int(form, "version", "版本号")
            plan_loans.set_loans(uow, principal, plan_id, chosen, version=version)
            uow.commit()
    except (Invalid, Conflict) as exc:
        with db.reading() as session:
            plan = get_plan(session, principal, plan_id)
            ctx = {"chosen": chosen, "version": form_str(form, "version"), "error": exc.message, "field": exc.field}
            return _loans_page(request, session, principal, plan, {**ctx, "conflict": exc.status == 409}, exc.status)
    return redirect(f"{LIST}/{plan_id}", f"已保存入池贷款（{len(set(chosen))} 笔）")
