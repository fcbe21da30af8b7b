"""Sizing the senior tranche and the breakeven default probability (issue #7, "Simulation and metrics"), by
bisection on Monte Carlo estimates with common random numbers: the default draws are made once and every candidate
is run on the same draws, so the estimated metric moves only with the candidate, not with the noise, and the search
is deterministic for a given generator.

Sizing: the largest senior balance S in whole money units (元) whose senior metric stays ≤ the target, the last
(residual) tranche absorbing the difference: senior + residual = their sum in the plan, unchanged; the tranches in
between are left as they are. The metric is ``expected_loss`` — the expected loss rate E[L] ÷ S (0 at S = 0) — or
``loss_probability`` — P(L > 0.005) — of the senior on the same default paths (L as in
:mod:`~zhengwu.finance.model.simulation`). Bisection keeps lo feasible and hi not, starting from lo = 0 (no senior,
no loss) and hi = the whole senior + residual (if that is feasible it is the answer), and halves until hi − lo ≤ 1:
so S + 1 is over the target (or S is the whole). The result reports the metric at S with its standard error.

Breakeven: one annual default probability p given to every loan (the guarantor's and the provider's are kept), the
smallest at which the senior first loses: its estimated loss probability P̂(L > 0.005) exceeds ``threshold``. The
default threshold 0 means a loss on at least one of the n paths (the expected loss is then > 0 and the loss
probability ≥ 1/n); when a single default can hurt the senior that answer shrinks as n grows, and a rating-style
question sets a threshold such as 0.001. A common pool pd (not a multiple of each loan's pd) makes the answer the
"pool default probability" of the issue, defined even when some loans have pd 0; ``multiple`` compares it with the
plan's principal-weighted mean pd. With the uniforms of the copula held fixed
(:class:`~zhengwu.finance.model.simulation_draws.Latent`), raising p only brings default periods earlier, loan by
loan, so the search is monotone on the draws. It bisects p on [0, 1) to ``tolerance`` (default 1e-6) and reports
the bracket; when the senior loses with no loan default at all, the answer is 0, and when it never loses even as
p → 1 (every loan defaulting in period 1) there is no breakeven (None).
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from zhengwu.core.errors import Invalid
from zhengwu.finance.model.plan import MAX_PD, Plan
from zhengwu.finance.model.simulation import TOLERANCE, Estimate, check_chunk, estimate, run_outcomes
from zhengwu.finance.model.simulation_draws import check_paths, defaults_from_latent, draw_latent
from zhengwu.finance.model.waterfall import Defaults

RECOVERY_10 = {"rate_of_pledged_value": 0.1, "lag_periods": 2}  # for the doctests: 10 % of the pledged value
METRICS = {"expected_loss": "预期损失率", "loss_probability": "发生损失的概率"}


@dataclass(frozen=True)
class SizingResult:
    """The largest senior ``balance`` (the residual tranche's becomes ``residual_balance``) with its ``metric``
    ≤ ``target``; ``next_metric`` is the metric, over the target, at ``next_balance`` = ``balance`` + 1 (or the
    whole senior + residual when that is nearer); both None when the whole is within the target."""

    metric_name: str
    target: float
    balance: float
    residual_balance: float
    metric: Estimate
    next_balance: float | None
    next_metric: Estimate | None
    n_paths: int
    evaluations: int


@dataclass(frozen=True)
class BreakevenResult:
    """``pool_pd``: the annual pd of every loan at which the senior first loses — its loss probability exceeds
    ``threshold`` — to within ``tolerance`` (0 if it loses without defaults, None if it never does); ``lower`` the
    largest pd found at which it does not; ``plan_pd`` the plan's principal-weighted mean loan pd and ``multiple``
    = pool_pd ÷ plan_pd (None if either is 0 or None); the senior's loss probability and expected loss rate at
    ``pool_pd`` (None when there is no breakeven)."""

    pool_pd: float | None
    lower: float | None
    plan_pd: float
    multiple: float | None
    loss_probability: Estimate | None
    expected_loss_rate: Estimate | None
    n_paths: int
    evaluations: int


def with_senior_balance(plan: Plan, balance: float) -> Plan:
    """The plan with the senior (first) tranche's balance set to ``balance`` and the last (residual) tranche's to
    the rest of their sum.

    >>> from zhengwu.finance.model.plan import EXAMPLE, parse_plan
    >>> [t.balance for t in with_senior_balance(parse_plan(EXAMPLE), 700).tranches]
    [700.0, 300.0]
    """
    senior, residual = plan.tranches[0], plan.tranches[-1]
    rest = senior.balance + residual.balance - balance
    return dataclasses.replace(
        plan,
        tranches=(
            dataclasses.replace(senior, balance=float(balance)),
            *plan.tranches[1:-1],
            dataclasses.replace(residual, balance=rest),
        ),
    )


def senior_metric(plan: Plan, defaults: Defaults, metric: str, chunk_paths: int | None = None) -> Estimate:
    """The senior's ``expected_loss`` rate or ``loss_probability`` on the given default paths."""
    loss = _senior_loss(plan, defaults, check_chunk(chunk_paths, plan))
    if metric == "loss_probability":
        return estimate((loss > TOLERANCE).astype(np.float64))
    balance = plan.tranches[0].balance
    return estimate(loss / balance) if balance > 0 else Estimate(0.0, 0.0)


def size_senior(
    plan: Plan,
    target: float,
    rng: np.random.Generator,
    *,
    metric: str = "expected_loss",
    n_paths: int = 10_000,
    chunk_paths: int | None = None,
) -> SizingResult:
    """The largest senior balance whose ``metric`` stays ≤ ``target`` (see the module docstring).

    >>> from zhengwu.finance.model.plan import EXAMPLE, parse_plan
    >>> plan = parse_plan({**EXAMPLE, "shortfall_provider": None, "guarantor": None, "recovery": RECOVERY_10})
    >>> r = size_senior(plan, 0.01, np.random.default_rng(5), metric="loss_probability", n_paths=2_000)
    >>> r.metric.mean <= 0.01 < r.next_metric.mean, r.balance + r.residual_balance
    (True, 1000.0)
    """
    _check_sizing(plan, target, metric)
    n, chunk = check_paths(n_paths, minimum=2), check_chunk(chunk_paths, plan)
    defaults = defaults_from_latent(plan, draw_latent(plan, n, rng))
    whole = plan.tranches[0].balance + plan.tranches[-1].balance
    evaluations = 0

    def at(balance: float) -> Estimate:
        nonlocal evaluations
        evaluations += 1
        return senior_metric(with_senior_balance(plan, balance), defaults, metric, chunk)

    top = at(whole)
    if top.mean <= target:
        return SizingResult(metric, target, whole, 0.0, top, None, None, n, evaluations)
    lo, hi, lo_metric, hi_metric = 0.0, whole, at(0.0), top
    while hi - lo > 1:  # lo whole yuan and within the target, hi over it
        mid = lo + max(1.0, float(math.floor((hi - lo) / 2)))
        value = at(mid)
        if value.mean <= target:
            lo, lo_metric = mid, value
        else:
            hi, hi_metric = mid, value
    return SizingResult(metric, target, lo, whole - lo, lo_metric, hi, hi_metric, n, evaluations)


def breakeven_pd(
    plan: Plan,
    rng: np.random.Generator,
    *,
    n_paths: int = 10_000,
    threshold: float = 0.0,
    tolerance: float = 1e-6,
    chunk_paths: int | None = None,
) -> BreakevenResult:
    """The common annual loan pd at which the senior's loss probability first exceeds ``threshold`` (see the
    module docstring). Without the guarantor and the provider, a default of the doctest plan's loan L1 (600 of
    the pool's 1000, recovering 10 % of its pledged 2000) leaves the senior (800) short, and so does an early one
    of L2: P(loss) is a little over 1 − (1 − p)² ≈ 2p and passes 5 % near p = 2 %.

    >>> from zhengwu.finance.model.plan import EXAMPLE, parse_plan
    >>> plan = parse_plan({**EXAMPLE, "shortfall_provider": None, "guarantor": None, "recovery": RECOVERY_10})
    >>> r = breakeven_pd(plan, np.random.default_rng(5), n_paths=4_000, threshold=0.05, tolerance=1e-4)
    >>> r.lower < r.pool_pd <= r.lower + 1e-4, r.loss_probability.mean > 0.05, round(r.pool_pd, 2)
    (True, True, 0.02)
    """
    n, chunk = check_paths(n_paths, minimum=2), check_chunk(chunk_paths, plan)
    if isinstance(tolerance, bool) or not isinstance(tolerance, int | float) or not 0 < tolerance < 1:
        raise Invalid(f"违约概率的求解精度须在 (0, 1) 之间，现为 {tolerance}。", field="tolerance")
    if isinstance(threshold, bool) or not isinstance(threshold, int | float) or not 0 <= threshold < 1:
        raise Invalid(f"损失概率的门槛须在 [0, 1) 之间，现为 {threshold}。", field="threshold")
    latent = draw_latent(plan, n, rng)
    weights = np.array([loan.principal for loan in plan.loans])
    plan_pd = float(np.dot(weights, [loan.pd_annual for loan in plan.loans]) / weights.sum())
    evaluations = 0

    def loss_at(pd: float) -> NDArray[np.float64]:
        nonlocal evaluations
        evaluations += 1
        return _senior_loss(plan, defaults_from_latent(plan, latent, loan_pd=pd), chunk)

    def loses(loss: NDArray[np.float64]) -> bool:
        return float((loss > TOLERANCE).mean()) > threshold

    def result(pd: float | None, lower: float | None, loss: NDArray[np.float64] | None) -> BreakevenResult:
        multiple = pd / plan_pd if pd is not None and pd > 0 and plan_pd > 0 else None
        if loss is None:
            return BreakevenResult(pd, lower, plan_pd, multiple, None, None, n, evaluations)
        balance = plan.tranches[0].balance
        return BreakevenResult(
            pd,
            lower,
            plan_pd,
            multiple,
            estimate((loss > TOLERANCE).astype(np.float64)),
            estimate(loss / balance),
            n,
            evaluations,
        )

    zero = loss_at(0.0)
    if loses(zero):
        return result(0.0, None, zero)
    lo, hi, hi_loss = 0.0, MAX_PD, loss_at(MAX_PD)
    if not loses(hi_loss):
        return result(None, MAX_PD, None)
    while hi - lo > tolerance:
        mid = (lo + hi) / 2
        loss = loss_at(mid)
        if loses(loss):
            hi, hi_loss = mid, loss
        else:
            lo = mid
    return result(hi, lo, hi_loss)


def _senior_loss(plan: Plan, defaults: Defaults, chunk: int) -> NDArray[np.float64]:
    def rows(start: int, stop: int) -> Defaults:
        return Defaults(
            defaults.loan_period[start:stop],
            defaults.guarantor_period[start:stop],
            defaults.provider_period[start:stop],
        )

    return run_outcomes(plan, defaults.paths, rows, chunk).loss[:, 0]


def _check_sizing(plan: Plan, target: float, metric: str) -> None:
    if metric not in METRICS:
        raise Invalid(f"未知的指标“{metric}”，可选：expected_loss（预期损失率）、loss_probability（发生损失的概率）。",
                      field="metric")  # fmt: skip
    if isinstance(target, bool) or not isinstance(target, int | float) or not 0 <= target < 1:
        raise Invalid(f"{METRICS[metric]}的目标须在 [0, 1) 之间，现为 {target}。", field="target")
    if len(plan.tranches) < 2:
        raise Invalid("确定优先级规模至少需要优先级和次级两档证券。", field="tranches")
