"""A plan run on the contract's JSON (issue #7): ``POST /api/finance/run`` and ``zhengwu finance run PLAN.json`` both
call :func:`run_plan` (the API through :func:`run_request`, which reads the request body). Nothing is read from or
written to the database: the plan, the scenario and the simulation's size come in, the contract's JSON goes out.

The request body (docs/finance.md)::

    {"plan": {...}, "scenario": {...} | null, "simulation": {"paths": N, "seed": S} | null}

The answer is ``{"waterfall": ..., "simulation": ...}``: ``waterfall`` is the deterministic waterfall of the scenario
(:func:`~zhengwu.finance.model.waterfall.waterfall_json`), ``simulation`` the Monte Carlo summary
(:func:`~zhengwu.finance.model.simulation.simulation_json`) with the ``seed`` it was drawn with; the one not asked
for is ``null``. With neither a scenario nor a simulation the waterfall of the scenario without any default is run.

Bad input raises ``Invalid`` naming the field as the body writes it: ``plan.loans[2].pd_annual``,
``scenario.loan_defaults.L1``, ``simulation.paths``, ``simulation.seed``. The size of a run is capped
(:class:`Limits`) so that no request can exhaust the memory or hold a worker for minutes: the plan's
(loans + tranches) × periods, the paths, the paths × (loans + tranches) × periods (the work, about 5 s at the API's
cap) and the per-path results kept for the quantiles, 8 · (3·K + 2) bytes a path.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from zhengwu.core.errors import Invalid
from zhengwu.core.org.model import Principal
from zhengwu.core.org.service import require
from zhengwu.finance.model import STRUCTURE
from zhengwu.finance.model.plan import Plan, parse_plan, parse_scenario
from zhengwu.finance.model.simulation import simulate, simulation_json
from zhengwu.finance.model.waterfall import defaults_from_scenario, run_waterfall, waterfall_json

MAX_SEED = 2**63 - 1


@dataclass(frozen=True)
class Limits:
    """The largest run accepted: ``plan_cells`` = (loans + tranches) × periods of the plan, ``paths``, ``cells`` =
    paths × (loans + tranches) × periods, and ``kept_bytes`` = paths × 8 · (3 · tranches + 2)."""

    plan_cells: int
    paths: int
    cells: int
    kept_bytes: int


#: The API's caps: a simulation takes at most about 5 seconds and 100 MB (measured about 2·10⁷ cells a second).
API_LIMITS = Limits(plan_cells=200_000, paths=100_000, cells=100_000_000, kept_bytes=64 * 2**20)
#: The command line's caps (the operator's own machine): minutes, at most about 1 GB of kept results.
CLI_LIMITS = Limits(plan_cells=200_000, paths=2_000_000, cells=20_000_000_000, kept_bytes=2**30)


def _within(error: Invalid, prefix: str) -> Invalid:
    """``error`` with its field written as a path in the request body (``loans[0].principal`` → ``plan.loans[0]
    .principal``; a whole-object error names ``prefix`` itself)."""
    field = f"{prefix}.{error.field}" if error.field else prefix
    return Invalid(error.message, field=field)


def check_paths(value: Any, plan: Plan, limits: Limits) -> int:
    """The number of simulated paths: an integer from 2 to ``limits.paths``, within the work and memory caps;
    else ``Invalid`` naming ``simulation.paths``."""
    field = "simulation.paths"
    if isinstance(value, bool) or not isinstance(value, int) or value < 2:
        raise Invalid(f"模拟路径数须为不小于 2 的整数，现为 {value}。", field=field)
    if value > limits.paths:
        raise Invalid(f"模拟路径数最多 {limits.paths:,} 条，现为 {value:,}。", field=field)
    size = (len(plan.loans) + len(plan.tranches)) * plan.legal_final_period
    if value * size > limits.cells:
        most = max(limits.cells // size, 0)
        raise Invalid(
            f"计算量过大：路径数 × (贷款笔数 + 证券档数) × 期数 = {value * size:,}，上限 {limits.cells:,}；"
            f"此方案最多可模拟 {most:,} 条路径。",
            field=field,
        )
    kept = value * 8 * (3 * len(plan.tranches) + 2)
    if kept > limits.kept_bytes:
        most = limits.kept_bytes // (8 * (3 * len(plan.tranches) + 2))
        raise Invalid(f"路径数过多：此方案最多可模拟 {most:,} 条路径（逐条保留的结果所需内存）。", field=field)
    return value


def check_seed(value: Any) -> int:
    """The random seed: an integer from 0 to 2⁶³ − 1; else ``Invalid`` naming ``simulation.seed``."""
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_SEED:
        raise Invalid(f"随机种子须为 0 至 {MAX_SEED} 之间的整数，现为 {value}。", field="simulation.seed")
    return value


def check_plan_size(plan: Plan, limits: Limits) -> None:
    size = (len(plan.loans) + len(plan.tranches)) * plan.legal_final_period
    if size > limits.plan_cells:
        raise Invalid(
            f"方案过大：(贷款笔数 + 证券档数) × 法定到期期数 = {size:,}，上限 {limits.plan_cells:,}。", field="plan"
        )


def run_plan(
    principal: Principal | None,
    data: Any,
    scenario: Any = None,
    paths: Any = None,
    seed: Any = None,
    *,
    limits: Limits = API_LIMITS,
) -> dict[str, Any]:
    """The plan JSON ``data`` run through the waterfall of ``scenario`` (JSON) and/or simulated over ``paths``
    paths drawn from ``seed`` (a fresh random seed when None, reported in the answer); with neither, the waterfall
    of no default. Needs ``finance.structure``; writes nothing. See the module docstring for the answer and errors.

    >>> from zhengwu.core.org.model import system_principal
    >>> from zhengwu.finance.model.plan import EXAMPLE
    >>> out = run_plan(system_principal(), EXAMPLE, paths=1_000, seed=7)
    >>> out["waterfall"], out["simulation"]["seed"], out["simulation"]["n_paths"]
    (None, 7, 1000)
    >>> round(run_plan(system_principal(), EXAMPLE)["waterfall"]["residual"], 2)  # no default
    56.5
    """
    require(principal, STRUCTURE)
    try:
        plan = parse_plan(data)
    except Invalid as exc:
        raise _within(exc, "plan") from None
    check_plan_size(plan, limits)
    waterfall = None
    if scenario is not None or paths is None:
        try:
            parsed = parse_scenario({} if scenario is None else scenario, plan)
        except Invalid as exc:
            raise _within(exc, "scenario") from None
        result = run_waterfall(plan, defaults_from_scenario(plan, parsed))
        waterfall = waterfall_json(plan, result)
    simulation = None
    if paths is not None:
        n = check_paths(paths, plan, limits)
        used = secrets.randbits(53) if seed is None else check_seed(seed)
        simulation = {**simulation_json(simulate(plan, n, np.random.default_rng(used))), "seed": used}
    elif seed is not None:
        raise Invalid("只有在模拟（给出路径数）时才能指定随机种子。", field="simulation.seed")
    return {"waterfall": waterfall, "simulation": simulation}


def run_request(principal: Principal | None, body: Any, limits: Limits = API_LIMITS) -> dict[str, Any]:
    """:func:`run_plan` on the request body ``{"plan": …, "scenario": … | null, "simulation": {"paths", "seed"} |
    null}``; an unknown key or a body that is no object is ``Invalid`` naming it."""
    require(principal, STRUCTURE)
    if not isinstance(body, Mapping):
        raise Invalid('请求内容须为 JSON 对象：{"plan": {...}, "scenario": ..., "simulation": ...}。', field="body")
    for key in body:
        if key not in ("plan", "scenario", "simulation"):
            raise Invalid(f"无法识别的字段“{key}”（可用 plan、scenario、simulation）。", field=str(key))
    if body.get("plan") is None:
        raise Invalid("请填写方案（plan）。", field="plan")
    simulation = body.get("simulation")
    paths = seed = None
    if simulation is not None:
        if not isinstance(simulation, Mapping):
            raise Invalid('模拟设置须为 JSON 对象：{"paths": 路径数, "seed": 随机种子}。', field="simulation")
        for key in simulation:
            if key not in ("paths", "seed"):
                raise Invalid(f"无法识别的字段“{key}”（可用 paths、seed）。", field=f"simulation.{key}")
        if simulation.get("paths") is None:
            raise Invalid("请填写模拟路径数。", field="simulation.paths")
        paths, seed = simulation["paths"], simulation.get("seed")
    return run_plan(principal, body["plan"], body.get("scenario"), paths, seed, limits=limits)
