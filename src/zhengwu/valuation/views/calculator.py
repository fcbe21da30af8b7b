"""The income calculator (收益法计算器): the income contract as a form and its result table, stateless — the POST
computes through :func:`zhengwu.valuation.service.income.run_income` and writes nothing. It opens on the worked
example of issue #6 (168.6114万元)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from zhengwu.core.errors import Invalid
from zhengwu.core.org.model import Principal
from zhengwu.core.org.service import require
from zhengwu.valuation.model import ASSESS
from zhengwu.valuation.service.income import run_income
from zhengwu.valuation.service.reference import industry_table
from zhengwu.valuation.views.assessment_forms import FORMATS, field_of, income_from_form, income_values, submitted
from zhengwu.web.deps import Db, User
from zhengwu.web.pages import render

router = APIRouter(prefix="/valuation", include_in_schema=False)

#: The worked example of issue #6: PVD 70, machinery, revenue in 万元, tax 25 %, i built up to 9.5 %.
EXAMPLE = {
    "income": {"basis": "revenue", "amounts": [2000, 2200, 2400, 2500, 2500]},
    "share_rate": {"method": "score", "industry": "machinery", "score": 70},
    "tax_rate": 0.25,
    "discount_rate": {
        "risk_free": 0.025,
        "premia": {"technology": 0.03, "market": 0.02, "funding": 0.01, "management": 0.01},
    },
    "years": 5,
    "timing": "end",
}


def _render(request: Request, db: Any, ctx: dict[str, Any], status: int = 200) -> HTMLResponse:
    with db.reading() as session:
        ctx["industries"] = industry_table(session)
    return render(request, "valuation/calculator.html", {**FORMATS, **ctx}, status=status)


@router.get("/calculator", response_class=HTMLResponse)
def calculator(request: Request, principal: User, db: Db) -> HTMLResponse:
    require(principal, ASSESS)
    return _render(request, db, {"values": income_values(EXAMPLE)})


def _run(db: Any, principal: Principal, data: dict[str, Any]) -> dict[str, Any]:
    with db.reading() as session:
        return run_income(session, principal, data)


@router.post("/calculator", response_class=HTMLResponse)
async def calculate(request: Request, principal: User, db: Db) -> HTMLResponse:
    require(principal, ASSESS)
    form = await request.form()
    values = submitted(form)
    try:
        data = income_from_form(form, from_assessment=False)
        result = _run(db, principal, data)
    except Invalid as exc:
        ctx = {"values": values, "error": exc.message, "field": exc.field, "field_name": field_of(exc.field)}
        return _render(request, db, ctx, 422)
    return _render(request, db, {"values": values, "result": result, "request_json": data})
