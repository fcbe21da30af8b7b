"""Pages of an assessment's approaches: the income input (the contract as a form, the per-year table and the formula
of the result), the market input (comparables picked from the deals table, copied when picked) and the cost input.
Each input is checked whole by the pure parser before it is saved; a refused form comes back with the field named."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from zhengwu.core.errors import Conflict, Invalid, NotFound
from zhengwu.core.org.model import Principal
from zhengwu.core.org.service import require
from zhengwu.valuation.model import ASSESS, VIEW
from zhengwu.valuation.model.income import income_years
from zhengwu.valuation.model.indicators import PatentFacts, PatentType, remaining_years, term_end
from zhengwu.valuation.service import assessments as service
from zhengwu.valuation.service.assessment_results import Picture
from zhengwu.valuation.views.assessment_forms import (
    COST_ROWS,
    cost_from_form,
    cost_values,
    field_of,
    income_from_form,
    income_values,
    number,
    submitted,
)
from zhengwu.valuation.views.assessments import BASE, picture_page
from zhengwu.web.deps import Db, User, uow_for
from zhengwu.web.pages import form_int, form_str, redirect

router = APIRouter(prefix="/valuation", include_in_schema=False)
TEMPLATES = {
    "income": "valuation/assessment_income.html",
    "market": "valuation/assessment_market.html",
    "cost": "valuation/assessment_cost.html",
}
NOTICES = {"income": "已保存收益法参数", "market": "已保存市场法的可比交易", "cost": "已保存成本法参数"}


def _page(
    request: Request,
    db: Any,
    principal: Principal,
    assessment_id: int,
    approach: str,
    status: int = 200,
    filters: dict[str, str] | None = None,
    **extra: Any,
) -> HTMLResponse:
    def more(session: Session, p: Picture) -> dict[str, Any]:
        stored = p.approach(approach).input
        out: dict[str, Any] = {"outcome": p.approach(approach), "cost_rows": COST_ROWS}
        if approach == "income":
            out["values"] = income_values(stored)
            out["term"] = legal_term(p.patent_facts, stored)
        elif approach == "cost":
            out["values"] = cost_values(stored)
        else:
            out.update(_market_context(session, principal, p, filters or {}))
        return out

    if "values" in extra and extra["values"] is None:
        extra.pop("values")
    return picture_page(request, db, principal, assessment_id, TEMPLATES[approach], status, more=more, **extra)


def legal_term(facts: PatentFacts | None, stored: Any) -> dict[str, Any] | None:
    """The remaining legal term on the as-of date, for the hint n = min(remaining legal term, economic life), and
    the income years entered (``years``, else the number of amounts) when they exceed it."""
    if facts is None:
        return None
    years = remaining_years(facts)
    whole = income_years(years, years)
    entered = None
    if isinstance(stored, dict):
        amounts = stored.get("income", {}).get("amounts") if isinstance(stored.get("income"), dict) else None
        entered = stored.get("years", len(amounts) if isinstance(amounts, list) else None)
    exceeded = entered if isinstance(entered, int) and not isinstance(entered, bool) and entered > whole else None
    return {"years": years, "whole": whole, "last_day": term_end(facts) - timedelta(days=1), "exceeded": exceeded}


def _market_context(session: Session, principal: Principal, p: Picture, filters: dict[str, str]) -> dict[str, Any]:
    from zhengwu.valuation.service.deals import list_deals

    industry = filters.get("industry", p.assessment.industry_code or "")
    patent_type = filters.get("patent_type", "")
    q = filters.get("q", "")
    stored = p.approach("market").input or {}
    chosen = {c.get("id") for c in stored.get("comparables", []) if isinstance(c, dict)}
    deals = list_deals(
        session, principal, industry_code=industry or None, patent_type=patent_type or None, q=q or None, limit=200
    )
    return {
        "deals": [d for d in deals if f"D{d.id}" not in chosen],
        "stored": stored,
        "filters": {"industry": industry, "patent_type": patent_type, "q": q},
        "patent_type_labels": {t.value: t.label for t in PatentType},
    }


@router.get("/assessments/{assessment_id}/income", response_class=HTMLResponse)
def income_page(request: Request, assessment_id: int, principal: User, db: Db) -> HTMLResponse:
    require(principal, VIEW)
    return _page(request, db, principal, assessment_id, "income")


@router.get("/assessments/{assessment_id}/cost", response_class=HTMLResponse)
def cost_page(request: Request, assessment_id: int, principal: User, db: Db) -> HTMLResponse:
    require(principal, VIEW)
    return _page(request, db, principal, assessment_id, "cost")


@router.get("/assessments/{assessment_id}/market", response_class=HTMLResponse)
def market_page(
    request: Request,
    assessment_id: int,
    principal: User,
    db: Db,
    industry: Annotated[str | None, Query(max_length=64)] = None,
    patent_type: Annotated[str, Query(max_length=16)] = "",
    q: Annotated[str, Query(max_length=100)] = "",
) -> HTMLResponse:
    require(principal, VIEW)
    filters = {"patent_type": patent_type, "q": q}
    if industry is not None:
        filters["industry"] = industry
    return _page(request, db, principal, assessment_id, "market", filters=filters)


def _weight(form: FormData, name: str) -> float:
    text = form_str(form, name) or "1"
    value = number(text)
    if isinstance(value, str) or not 0 <= value <= 1000:
        raise Invalid("权重须为 0 到 1000 之间的数。", field=name)
    return float(value)


def market_from_form(uow: Any, principal: Principal, a: Any, form: FormData) -> dict[str, Any]:
    """The market input of the form: the kept comparables (their copies as saved, new weights) and the deals
    picked now (copied from the deals table), the as-of date and the yearly price growth."""
    stored = service.stored(a, "market") or {}
    kept = []
    keep = set(form.getlist("keep"))
    for c in stored.get("comparables", []):
        if isinstance(c, dict) and c.get("id") in keep:
            kept.append({**c, "weight": _weight(form, f"weight.{c['id']}")})
    picks = []
    for raw in form.getlist("deal"):
        try:
            deal_id = int(str(raw))
        except ValueError:
            raise Invalid("可比交易选择有误。", field="deal") from None
        picks.append((deal_id, _weight(form, f"dweight.{deal_id}")))
    try:
        added = service.deal_comparables(uow.session, principal, a.money_unit, picks)
    except NotFound as exc:
        raise Invalid(exc.message, field="deal") from None
    data: dict[str, Any] = {"comparables": kept + added}
    if as_of := form_str(form, "as_of"):
        data["as_of"] = as_of
    if growth := form_str(form, "price_growth"):
        data["price_growth"] = number(growth)
    return data


async def _save(request: Request, assessment_id: int, principal: Principal, db: Any, approach: str) -> Response:
    require(principal, ASSESS)
    form = await request.form()
    try:
        with uow_for(db, principal) as uow:
            version = form_int(form, "version", "版本号", required=False)
            data: dict[str, Any] | None
            if form_str(form, "clear"):
                data = None
            elif approach == "income":
                data = income_from_form(form, from_assessment=True)
            elif approach == "cost":
                data = cost_from_form(form)
            else:
                a = service.get_assessment(uow.session, principal, assessment_id)
                data = market_from_form(uow, principal, a, form)
            service.set_input(uow, principal, assessment_id, approach, data, version=version)
            uow.commit()
    except (Invalid, Conflict) as exc:
        extra: dict[str, Any] = {"error": exc.message, "field": exc.field, "field_name": field_of(exc.field)}
        values = submitted(form) if approach != "market" else None
        return _page(request, db, principal, assessment_id, approach, exc.status, values=values, **extra)
    notice = "已清除参数" if form_str(form, "clear") else NOTICES[approach]
    return redirect(f"{BASE}/{assessment_id}/{approach}", notice)


@router.post("/assessments/{assessment_id}/income", response_model=None)
async def income_save(request: Request, assessment_id: int, principal: User, db: Db) -> Response:
    return await _save(request, assessment_id, principal, db, "income")


@router.post("/assessments/{assessment_id}/market", response_model=None)
async def market_save(request: Request, assessment_id: int, principal: User, db: Db) -> Response:
    return await _save(request, assessment_id, principal, db, "market")


@router.post("/assessments/{assessment_id}/cost", response_model=None)
async def cost_save(request: Request, assessment_id: int, principal: User, db: Db) -> Response:
    return await _save(request, assessment_id, principal, db, "cost")
