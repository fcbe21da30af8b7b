"""A stored plan's results: the waterfall of a scenario, the Monte Carlo summary, the senior's size and the
breakeven pool default probability — computed from the stored records at the time of asking, never stored. Reading
needs ``finance.view`` on the plan (:func:`load`); nothing is written.

The pages and the API share the checks here, so both name the same fields: ``loan_defaults.L03``,
``guarantor_default_period``, ``provider_default_period`` (the scenario), ``paths`` and ``seed`` (``simulation.paths``
and ``simulation.seed`` in the run's body, as ``POST /api/finance/run`` names them), ``target``, ``metric``,
``threshold``. Paths and seeds are checked by :mod:`zhengwu.finance.service.run` so the messages and caps match the
calculator's. A blank seed draws one (53 bits, as the calculator does), reported with the results so a run can be
repeated exactly.

Sizing and the breakeven search run the waterfall about ``SIZING_RUNS`` times on the same paths, so their work cap
(:data:`SIZING_LIMITS`) is the API's divided by that: at most about 5 seconds as for one simulation.
"""

from __future__ import annotations

import calendar
import math
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from zhengwu.core.errors import Invalid
from zhengwu.core.org.model import Principal
from zhengwu.core.org.tables import Unit
from zhengwu.finance.model import VIEW
from zhengwu.finance.model.plan import Plan as EnginePlan
from zhengwu.finance.model.plan import Scenario, parse_scenario
from zhengwu.finance.model.simulation import simulate, simulation_json
from zhengwu.finance.model.sizing import METRICS, BreakevenResult, SizingResult, breakeven_pd, size_senior
from zhengwu.finance.model.waterfall import WaterfallResult, defaults_from_scenario, run_waterfall, waterfall_json
from zhengwu.finance.service.plan_contract import get_plan, parse_stored, plan_contract
from zhengwu.finance.service.run import API_LIMITS, Limits, check_paths, check_plan_size, check_seed
from zhengwu.finance.tables import Plan

DEFAULT_PATHS = 20_000
DEFAULT_SIZING_PATHS = 10_000
SIZING_RUNS = 50  # bisections of the senior's size (~28 for 1亿元) and of the pool pd (~20 to 1e-6)
SIZING_LIMITS = Limits(API_LIMITS.plan_cells, API_LIMITS.paths, API_LIMITS.cells // SIZING_RUNS, API_LIMITS.kept_bytes)
SCENARIO_KEYS = ("guarantor_default_period", "provider_default_period")
_INTEGER = re.compile(r"[+-]?\d+")


@dataclass(frozen=True)
class Stored:
    """A stored plan (``record``), its contract JSON and the engine's plan parsed from it."""

    record: Plan
    contract: dict[str, Any]
    plan: EnginePlan


def load(session: Session, principal: Principal | None, plan_id: int) -> Stored:
    """The plan ``plan_id`` if ``finance.view`` reaches it (else ``NotFound``), :func:`prepared` to run."""
    return prepared(session, get_plan(session, principal, plan_id, VIEW))


def prepared(session: Session, record: Plan) -> Stored:
    """The stored plan read as the engine's plan; ``Invalid`` naming the contract's field when it cannot run yet
    (no loans, no tranches, tranches larger than the pool …) or is beyond the API's size cap."""
    contract = plan_contract(session, record)
    plan = parse_stored(session, record)
    check_plan_size(plan, API_LIMITS)
    return Stored(record, contract, plan)


def unit_name(session: Session, unit_id: int) -> str:
    return session.scalar(select(Unit.name).where(Unit.id == unit_id)) or ""


def period_end(closing: date, period: int, periods_per_year: int) -> date:
    """The last day of ``period``: the closing date moved on by period × 12 ÷ periods_per_year calendar months
    (the same day of the month, clamped to the month's last day).

    >>> period_end(date(2023, 7, 1), 1, 4), period_end(date(2023, 8, 31), 2, 4), period_end(date(2024, 1, 31), 1, 12)
    (datetime.date(2023, 10, 1), datetime.date(2024, 2, 29), datetime.date(2024, 2, 29))
    """
    index = closing.month - 1 + period * (12 // periods_per_year)
    year, month = closing.year + index // 12, index % 12 + 1
    return date(year, month, min(closing.day, calendar.monthrange(year, month)[1]))


# ------------------------------------------------------------------------------------------------ reading inputs


def query_value(text: str | None) -> Any:
    """A query string's value for the checks: None when blank, an int when it reads as one (commas allowed), a
    float when it reads as one, else the text itself (the check then names the field).

    >>> query_value(""), query_value(" 20,000 "), query_value("0.5"), query_value("abc")
    (None, 20000, 0.5, 'abc')
    """
    if text is None or not text.strip():
        return None
    cleaned = text.replace(",", "").replace("，", "").strip()
    if _INTEGER.fullmatch(cleaned):
        return int(cleaned)
    try:
        value = float(cleaned)
    except ValueError:
        return text
    return value if math.isfinite(value) else text


def scenario_from_query(params: Mapping[str, str], plan: EnginePlan) -> dict[str, Any]:
    """The scenario JSON of the waterfall page's form: ``loan_defaults.<loan id>`` and the two default periods of
    the guarantor and the provider, each a period number or blank (never). Other parameters are ignored."""
    loans = {}
    for loan in plan.loans:
        value = query_value(params.get(f"loan_defaults.{loan.id}"))
        if value is not None:
            loans[loan.id] = value
    return {"loan_defaults": loans, **{key: query_value(params.get(key)) for key in SCENARIO_KEYS}}


def checked_scenario(data: Any, plan: EnginePlan, prefix: str = "") -> Scenario:
    """``data`` parsed as the plan's scenario; ``Invalid`` naming its field after ``prefix`` (``scenario.`` in a
    body)."""
    try:
        return parse_scenario({} if data is None else data, plan)
    except Invalid as exc:
        raise _renamed(exc, prefix) from None


def checked_paths(value: Any, plan: EnginePlan, field: str = "paths", limits: Limits = API_LIMITS) -> int:
    """The number of paths (the calculator's check and caps), ``Invalid`` naming ``field``."""
    try:
        return check_paths(value, plan, limits)
    except Invalid as exc:
        raise Invalid(exc.message, field=field) from None


def checked_seed(value: Any, field: str = "seed") -> int:
    """The seed given, or a new one drawn when it is None; ``Invalid`` naming ``field`` when it is no seed."""
    if value is None:
        return secrets.randbits(53)
    try:
        return check_seed(value)
    except Invalid as exc:
        raise Invalid(exc.message, field=field) from None


def checked_fraction(value: Any, field: str, label: str) -> float:
    """A target or threshold in [0, 1)."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value < 1:
        raise Invalid(f"{label}须为 [0, 1) 之间的小数，现为 {value}。", field=field)
    return float(value)


def percent_value(text: str | None, field: str, label: str, default: float) -> float:
    """A page's percentage (``0.1`` is 0.1 %) as a fraction in [0, 1); ``default`` (a fraction) when blank.

    >>> percent_value("0.1", "target", "目标", 0.0), percent_value("", "target", "目标", 0.002)
    (0.001, 0.002)
    """
    value = query_value(text)
    if value is None:
        return default
    if isinstance(value, str) or not 0 <= value < 100:
        raise Invalid(f"{label}须为 0 至 100 之间的百分数（不含 100），现为 {value}。", field=field)
    return float(value) / 100


def checked_metric(value: Any, field: str = "metric") -> str:
    if not isinstance(value, str) or value not in METRICS:
        raise Invalid(
            f"未知的指标“{value}”，可选：expected_loss（预期损失率）、loss_probability（发生损失的概率）。", field=field
        )
    return value


def _renamed(exc: Invalid, prefix: str) -> Invalid:
    if not prefix:
        return exc
    return Invalid(exc.message, field=f"{prefix}.{exc.field}" if exc.field else prefix)


# ------------------------------------------------------------------------------------------------ results


@dataclass(frozen=True)
class WaterfallTable:
    """The waterfall of one scenario for a page or the report: ``result`` (one path), its contract JSON, the end
    date of each period (``ends``), the totals over the periods of the pool's columns and of each tranche's interest
    and principal, and the per-period residual."""

    result: WaterfallResult
    json: dict[str, Any]
    ends: tuple[date, ...]
    totals: dict[str, float]
    tranche_totals: dict[str, dict[str, float]]
    residual: tuple[float, ...]


def waterfall_table(plan: EnginePlan, scenario: Scenario) -> WaterfallTable:
    """The scenario's waterfall with dates and totals (see :class:`WaterfallTable`)."""
    result = run_waterfall(plan, defaults_from_scenario(plan, scenario))
    out = waterfall_json(plan, result)
    ends = tuple(period_end(plan.closing_date, t, plan.periods_per_year) for t in range(1, plan.legal_final_period + 1))
    columns = ("collections", "defaults", "guarantor_paid", "recoveries", "fees", "provider_draw")
    totals = {key: float(sum(row[key] for row in out["periods"])) for key in columns}
    totals["residual"] = out["residual"]
    tranche_totals = {
        tranche.id: {
            key: float(sum(row["tranches"][tranche.id][key] for row in out["periods"]))
            for key in ("interest", "principal")
        }
        for tranche in plan.tranches
    }
    residual = tuple(float(x) for x in result.residual[0])
    return WaterfallTable(result, out, ends, totals, tranche_totals, residual)


def no_default(plan: EnginePlan) -> Scenario:
    return parse_scenario({}, plan)


def simulation_of(plan: EnginePlan, paths: int, seed: int) -> dict[str, Any]:
    """The simulation JSON of ``paths`` paths drawn from ``seed`` (checked by the caller), with the seed."""
    return {**simulation_json(simulate(plan, paths, np.random.default_rng(seed))), "seed": seed}


def sizing_of(
    plan: EnginePlan, target: float, metric: str, paths: int, seed: int, threshold: float = 0.0
) -> dict[str, Any]:
    """The senior's largest size meeting ``target`` on ``metric`` and the breakeven pool pd (above ``threshold``),
    each on ``paths`` paths drawn from ``seed`` (a generator of its own for each, so each repeats alone)."""
    sized = size_senior(plan, target, np.random.default_rng(seed), metric=metric, n_paths=paths)
    breakeven = breakeven_pd(plan, np.random.default_rng(seed), n_paths=paths, threshold=threshold)
    return {
        "n_paths": paths,
        "seed": seed,
        "sizing": sizing_json(sized),
        "breakeven": breakeven_json(breakeven, threshold),
    }


def sizing_json(r: SizingResult) -> dict[str, Any]:
    def est(e: Any) -> dict[str, float] | None:
        return None if e is None else {"mean": e.mean, "se": e.se}

    return {
        "metric": r.metric_name,
        "target": r.target,
        "balance": r.balance,
        "residual_balance": r.residual_balance,
        "value": est(r.metric),
        "next_balance": r.next_balance,
        "next_value": est(r.next_metric),
        "evaluations": r.evaluations,
    }


def breakeven_json(r: BreakevenResult, threshold: float) -> dict[str, Any]:
    def est(e: Any) -> dict[str, float] | None:
        return None if e is None else {"mean": e.mean, "se": e.se}

    return {
        "threshold": threshold,
        "pool_pd": r.pool_pd,
        "lower": r.lower,
        "plan_pd": r.plan_pd,
        "multiple": r.multiple,
        "loss_probability": est(r.loss_probability),
        "expected_loss_rate": est(r.expected_loss_rate),
        "evaluations": r.evaluations,
    }


# ------------------------------------------------------------------------------------------------ the API's bodies


def _object(body: Any, keys: tuple[str, ...], field: str, example: str) -> Mapping[str, Any]:
    if not isinstance(body, Mapping):
        raise Invalid(f"{'请求内容' if field == 'body' else '模拟设置'}须为 JSON 对象：{example}。", field=field)
    for key in body:
        if key not in keys:
            where = str(key) if field == "body" else f"{field}.{key}"
            raise Invalid(f"无法识别的字段“{key}”（可用 {'、'.join(keys)}）。", field=where)
    return body


def run_body(plan: EnginePlan, body: Any) -> dict[str, Any]:
    """``POST /api/v1/finance/plans/{id}/run``: the body ``{"scenario": … | null, "simulation": {"paths", "seed"} |
    null}`` run as ``POST /api/finance/run`` runs it with the plan's contract — the scenario's waterfall (the
    no-default one when neither is given) and the simulation with its seed."""
    top = _object(body, ("scenario", "simulation"), "body", '{"scenario": ..., "simulation": ...}')
    waterfall = simulation = None
    sim = top.get("simulation")
    if top.get("scenario") is not None or sim is None:
        scenario = checked_scenario(top.get("scenario"), plan, "scenario")
        waterfall = waterfall_json(plan, run_waterfall(plan, defaults_from_scenario(plan, scenario)))
    if sim is not None:
        settings = _object(sim, ("paths", "seed"), "simulation", '{"paths": 路径数, "seed": 随机种子}')
        if settings.get("paths") is None:
            raise Invalid("请填写模拟路径数。", field="simulation.paths")
        paths = checked_paths(settings["paths"], plan, "simulation.paths")
        simulation = simulation_of(plan, paths, checked_seed(settings.get("seed"), "simulation.seed"))
    return {"waterfall": waterfall, "simulation": simulation}


def sizing_body(plan: EnginePlan, body: Any) -> dict[str, Any]:
    """``POST /api/v1/finance/plans/{id}/sizing``: the body ``{"target", "metric", "paths", "seed", "threshold"}``
    (``metric`` expected_loss by default, ``paths`` 10,000, ``seed`` drawn, ``threshold`` 0)."""
    keys = ("target", "metric", "paths", "seed", "threshold")
    top = _object(body, keys, "body", '{"target": 0.001, "metric": "expected_loss", "paths": 10000, "seed": 1}')
    if top.get("target") is None:
        raise Invalid("请填写目标（预期损失率或发生损失的概率的上限，小数）。", field="target")
    target = checked_fraction(top["target"], "target", "目标")
    metric = checked_metric("expected_loss" if top.get("metric") is None else top["metric"])
    threshold = top.get("threshold")
    threshold = 0.0 if threshold is None else checked_fraction(threshold, "threshold", "损失概率的门槛")
    paths = top.get("paths")
    paths = checked_paths(DEFAULT_SIZING_PATHS if paths is None else paths, plan, "paths", SIZING_LIMITS)
    return sizing_of(plan, target, metric, paths, checked_seed(top.get("seed")), threshold)
