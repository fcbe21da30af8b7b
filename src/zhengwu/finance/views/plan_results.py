"""Pages of a stored plan's results under ``/finance/plans/{id}``: the waterfall of a scenario (a form of default
periods sent as GET parameters, the per-period table with totals, the tranche metrics and the chart of the tranche
balances), the Monte Carlo summary with the loss and default-count distributions, the senior's size and the
breakeven pool default probability, and the Word report. Reading needs ``finance.view`` on the plan; nothing is
written. Bad input shows the page again with the Chinese message next to the field, status 422."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse, Response

from zhengwu.core.db import Database
from zhengwu.core.errors import Invalid
from zhengwu.core.org.model import Principal
from zhengwu.core.org.service import require
from zhengwu.finance.model import VIEW
from zhengwu.finance.model.charts import BarChart, LineChart, bar_chart, line_chart
from zhengwu.finance.model.plan import Plan as EnginePlan
from zhengwu.finance.model.sizing import METRICS
from zhengwu.finance.service import plan_results as results
from zhengwu.finance.service.plan_contract import get_plan
from zhengwu.finance.service.report import read_plan, report_ask, report_docx
from zhengwu.web.deps import Db, User
from zhengwu.web.pages import render
from zhengwu.web.uploads import content_disposition

router = APIRouter(prefix="/finance", include_in_schema=False)
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
MAX_ID = 2_147_483_647
PlanId = Annotated[int, Path(ge=1, le=MAX_ID)]


def money(value: float | None) -> str:
    """元 with thousands separators and 2 decimals.

    >>> money(128000000), money(-0.001), money(None)
    ('128,000,000.00', '0.00', '—')
    """
    if value is None:
        return "—"
    text = f"{value:,.2f}"
    return "0.00" if text == "-0.00" else text


def pct(value: float | None, digits: int = 2) -> str:
    """A fraction in %.

    >>> pct(0.0295), pct(0.000123, 4), pct(None)
    ('2.95%', '0.0123%', '—')
    """
    return "—" if value is None else f"{value * 100:.{digits}f}%"


FORMATS = {"money": money, "pct": pct, "metrics": METRICS}


def _page(
    request: Request,
    db: Database,
    principal: Principal,
    plan_id: int,
    template: str,
    compute: Callable[[results.Stored], dict[str, Any]],
) -> HTMLResponse:
    """Read the plan, then render ``template`` with what ``compute(stored)`` returns; its ``Invalid`` (bad input)
    shows the page again with the message, status 422. A plan that cannot run yet (no loans, no tranches …) is
    shown with the reason instead of results."""
    with db.reading() as session:
        record = get_plan(session, principal, plan_id, VIEW)
        ctx: dict[str, Any] = {"record": record, "values": dict(request.query_params), **FORMATS}
        ctx["unit"] = results.unit_name(session, record.unit_id)
        try:
            stored = results.prepared(session, record)
        except Invalid as exc:
            ctx.update(blocked=exc.message, field=exc.field)
            return render(request, template, ctx)
    ctx.update(plan=stored.plan, contract=stored.contract)
    status = 200
    try:
        ctx.update(compute(stored))
    except Invalid as exc:
        ctx.update(error=exc.message, field=exc.field)
        status = 422
    return render(request, template, ctx, status=status)


def balance_chart(plan: EnginePlan, table: results.WaterfallTable) -> LineChart:
    """The tranche balances (万元) at closing and after each period's payments."""
    labels = ["成立", *(str(t) for t in range(1, plan.legal_final_period + 1))]
    series = [
        (
            f"{tranche.id} {tranche.name}",
            [tranche.balance / 10_000, *(float(b) / 10_000 for b in table.result.balance[0, k])],
        )
        for k, tranche in enumerate(plan.tranches)
    ]
    return line_chart(labels, series)


@router.get("/plans/{plan_id}/waterfall", response_class=HTMLResponse)
def plan_waterfall(request: Request, plan_id: PlanId, principal: User, db: Db) -> HTMLResponse:
    require(principal, VIEW)

    def compute(stored: results.Stored) -> dict[str, Any]:
        plan = stored.plan
        scenario = results.checked_scenario(results.scenario_from_query(request.query_params, plan), plan)
        table = results.waterfall_table(plan, scenario)
        return {"table": table, "out": table.json, "chart": balance_chart(plan, table)}

    return _page(request, db, principal, plan_id, "finance/plan_waterfall.html", compute)


def loss_charts(sim: dict[str, Any]) -> dict[str, BarChart]:
    """Per tranche id with any loss, the bars of its loss-rate distribution (probability in %)."""
    charts = {}
    for tid, h in sim["loss_distribution"].items():
        if h["no_loss"] >= 1.0:
            continue
        width = h["upper"] / len(h["bins"]) * 100
        labels = [f"{k * width:g}–{(k + 1) * width:g}%" for k in range(len(h["bins"]))]
        charts[tid] = bar_chart(labels, [p * 100 for p in h["bins"]], suffix="%", most_labels=5)
    return charts


def count_chart(sim: dict[str, Any]) -> BarChart:
    distribution = sim["default_count"]["distribution"]
    return bar_chart([str(k) for k in range(len(distribution))], [p * 100 for p in distribution], suffix="%")


def _simulation_inputs(params: Mapping[str, str], plan: EnginePlan) -> tuple[int, int]:
    paths = results.query_value(params.get("paths"))
    paths = results.checked_paths(results.DEFAULT_PATHS if paths is None else paths, plan, "paths")
    return paths, results.checked_seed(results.query_value(params.get("seed")))


@router.get("/plans/{plan_id}/simulation", response_class=HTMLResponse)
def plan_simulation(request: Request, plan_id: PlanId, principal: User, db: Db) -> HTMLResponse:
    require(principal, VIEW)

    def compute(stored: results.Stored) -> dict[str, Any]:
        paths, seed = _simulation_inputs(request.query_params, stored.plan)
        sim = results.simulation_of(stored.plan, paths, seed)
        again = f"?{urlencode({'paths': paths, 'seed': seed})}"
        return {"sim": sim, "loss_charts": loss_charts(sim), "count_chart": count_chart(sim), "again": again}

    return _page(request, db, principal, plan_id, "finance/plan_simulation.html", compute)


@router.get("/plans/{plan_id}/sizing", response_class=HTMLResponse)
def plan_sizing(request: Request, plan_id: PlanId, principal: User, db: Db) -> HTMLResponse:
    require(principal, VIEW)
    params = request.query_params

    def compute(stored: results.Stored) -> dict[str, Any]:
        if "target" not in params:
            return {}
        plan = stored.plan
        target = results.percent_value(params.get("target"), "target", "目标", 0.001)
        metric = results.checked_metric(params.get("metric") or "expected_loss")
        threshold = results.percent_value(params.get("threshold"), "threshold", "损失概率的门槛", 0.0)
        paths = results.query_value(params.get("paths"))
        limits = results.SIZING_LIMITS
        paths = results.checked_paths(results.DEFAULT_SIZING_PATHS if paths is None else paths, plan, "paths", limits)
        seed = results.checked_seed(results.query_value(params.get("seed")))
        found = results.sizing_of(plan, target, metric, paths, seed, threshold)
        report = {"seed": seed, "target": target, "metric": metric, "threshold": threshold, "sizing_paths": paths}
        return {"found": found, "report_query": urlencode(report), "again": urlencode({**params, "seed": seed})}

    return _page(request, db, principal, plan_id, "finance/plan_sizing.html", compute)


@router.get("/plans/{plan_id}/report.docx")
def plan_report(request: Request, plan_id: PlanId, principal: User, db: Db) -> Response:
    require(principal, VIEW)
    with db.reading() as session:
        stored, unit = read_plan(session, principal, plan_id)
    ask = report_ask(request.query_params, stored.plan)
    filename, body = report_docx(stored, unit, ask, principal, db.clock.now())
    headers = {"Content-Disposition": content_disposition(filename), "X-Content-Type-Options": "nosniff"}
    return Response(body, media_type=DOCX, headers=headers)
