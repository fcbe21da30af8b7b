"""Sizing the senior tranche and the breakeven pool default probability (issue #7): with common random numbers the
sized senior's metric is within the target and one 元 more is over it, for both metrics; the breakeven bracket holds
on the same draws and matches the closed form for one loan; the edge answers (the whole, 0, none) and bad
arguments refused in Chinese naming the argument.
"""

from __future__ import annotations

import copy
import math
from typing import Any

import numpy as np
import pytest

from zhengwu.core.errors import Invalid
from zhengwu.finance.model.plan import Plan, parse_plan
from zhengwu.finance.model.simulation import TOLERANCE
from zhengwu.finance.model.simulation_draws import defaults_from_latent, draw_defaults, draw_latent
from zhengwu.finance.model.sizing import (
    breakeven_pd,
    senior_metric,
    size_senior,
    with_senior_balance,
)

# Six loans (元) over two years, monthly: bullet, level and equal-principal, pd 3–8 % a year, correlated 0.3; a
# guarantor covering half of each claim, recoveries of 20 % of the pledged value after 3 months, no provider.
_LOAN = {"borrower": "企业", "annual_rate": 0.06, "term_periods": 24, "pledged_value": 3_000_000}
POOL: dict[str, Any] = {
    "closing_date": "2026-01-01",
    "periods_per_year": 12,
    "legal_final_period": 24,
    "loans": [
        {**_LOAN, "id": "L1", "principal": 1_500_000, "amortization": "bullet", "pd_annual": 0.05},
        {**_LOAN, "id": "L2", "principal": 1_000_000, "amortization": "bullet", "pd_annual": 0.08},
        {**_LOAN, "id": "L3", "principal": 800_000, "amortization": "level", "pd_annual": 0.03},
        {**_LOAN, "id": "L4", "principal": 700_000, "amortization": "equal_principal", "pd_annual": 0.04},
        {**_LOAN, "id": "L5", "principal": 600_000, "amortization": "bullet", "pd_annual": 0.06},
        {**_LOAN, "id": "L6", "principal": 400_000, "amortization": "level", "pd_annual": 0.05},
    ],
    "tranches": [
        {"id": "A", "name": "优先级", "balance": 4_000_000, "coupon": 0.0295},
        {"id": "B", "name": "次级", "balance": 1_000_000, "coupon": None},
    ],
    "fees": {"annual_rate_on_pool": 0.003},
    "guarantor": {"name": "担保公司", "pd_annual": 0.02, "coverage": 0.5, "cap": None},
    "shortfall_provider": None,
    "recovery": {"rate_of_pledged_value": 0.2, "lag_periods": 3},
    "correlation": 0.3,
}
PROVIDER = {"name": "湘江集团", "pd_annual": 0.0, "covers": ["senior_interest", "senior_principal"]}


def _plan(base: dict[str, Any] = POOL, **changes: Any) -> Plan:
    data = copy.deepcopy(base)
    data.update(changes)
    return parse_plan(data)


# ------------------------------------------------------------------------------------------- sizing


@pytest.mark.parametrize(("metric", "target"), [("expected_loss", 0.0005), ("loss_probability", 0.02)])
def test_the_sized_senior_is_within_the_target_and_one_yuan_more_is_over_it(metric: str, target: float) -> None:
    plan, n = _plan(), 2_000
    result = size_senior(plan, target, np.random.default_rng(31), metric=metric, n_paths=n)
    assert result.balance == math.floor(result.balance) and 0 < result.balance < 5_000_000
    assert result.balance + result.residual_balance == 5_000_000
    assert result.metric.mean <= target < result.next_metric.mean  # type: ignore[union-attr]
    assert result.next_balance == result.balance + 1
    # The same draws again (common random numbers: one generator state, drawn once), evaluated independently.
    defaults = draw_defaults(plan, n, np.random.default_rng(31))
    at = senior_metric(with_senior_balance(plan, result.balance), defaults, metric)
    above = senior_metric(with_senior_balance(plan, result.balance + 1), defaults, metric)
    assert at == result.metric and at.mean <= target < above.mean
    assert at.se > 0
    assert result.evaluations <= 30  # bisection over 5,000,000 元 to 1 元: ⌈log₂ 5e6⌉ = 23 halvings, + 2


def test_sizing_is_reproducible_and_moves_with_the_target() -> None:
    plan = _plan()
    first = size_senior(plan, 0.0003, np.random.default_rng(5), n_paths=1_000)
    assert size_senior(plan, 0.0003, np.random.default_rng(5), n_paths=1_000) == first
    looser = size_senior(plan, 0.001, np.random.default_rng(5), n_paths=1_000)
    assert first.balance < looser.balance < 5_000_000


def test_a_senior_within_the_target_at_the_whole_takes_the_whole() -> None:
    # A reliable provider covering interest and principal: the senior never loses, even at 5,000,000.
    result = size_senior(_plan(shortfall_provider=PROVIDER), 0.0, np.random.default_rng(1), n_paths=500)
    assert (result.balance, result.residual_balance, result.metric.mean) == (5_000_000, 0, 0)
    assert result.next_balance is None and result.next_metric is None and result.evaluations == 1


def test_resizing_keeps_the_middle_tranches_and_the_total() -> None:
    tranches = [
        {"id": "A", "name": "优先级", "balance": 3_500_000, "coupon": 0.03},
        {"id": "M", "name": "夹层", "balance": 500_000, "coupon": 0.05},
        {"id": "B", "name": "次级", "balance": 1_000_000, "coupon": None},
    ]
    plan = with_senior_balance(_plan(tranches=tranches), 2_000_000)
    assert [(t.id, t.balance) for t in plan.tranches] == [("A", 2_000_000), ("M", 500_000), ("B", 2_500_000)]
    assert plan.tranches[0].coupon == 0.03 and plan.tranches[2].coupon is None


@pytest.mark.parametrize(
    ("changes", "arguments", "field"),
    [
        ({}, {"metric": "var"}, "metric"),
        ({}, {"target": -0.01}, "target"),
        ({}, {"target": 1.0}, "target"),
        ({}, {"n_paths": 1}, "n_paths"),
        ({"tranches": [{"id": "A", "name": "单一", "balance": 5_000_000, "coupon": None}]}, {}, "tranches"),
    ],
)
def test_bad_sizing_arguments_are_refused_naming_the_argument(
    changes: dict[str, Any], arguments: dict[str, Any], field: str
) -> None:
    kwargs = {"target": 0.01, "n_paths": 100, **arguments}
    target = kwargs.pop("target")
    with pytest.raises(Invalid) as caught:
        size_senior(_plan(**changes), target, np.random.default_rng(1), **kwargs)
    assert caught.value.field == field


# ------------------------------------------------------------------------------------------- breakeven


def test_the_breakeven_bracket_holds_on_the_same_draws() -> None:
    plan, n, tolerance = _plan(), 2_000, 1e-5
    result = breakeven_pd(plan, np.random.default_rng(17), n_paths=n, tolerance=tolerance)
    assert result.pool_pd is not None and result.lower is not None
    assert result.lower < result.pool_pd <= result.lower + tolerance
    latent = draw_latent(plan, n, np.random.default_rng(17))  # the same uniforms: common random numbers
    for pd, loses in ((result.lower, False), (result.pool_pd, True)):
        defaults = defaults_from_latent(plan, latent, loan_pd=pd)
        assert (senior_metric(plan, defaults, "loss_probability").mean > 0) is loses, pd
    assert result.loss_probability is not None and result.loss_probability.mean >= 1 / n
    assert result.plan_pd == pytest.approx((1.5 * 5 + 8 + 0.8 * 3 + 0.7 * 4 + 0.6 * 6 + 0.4 * 5) / 5 / 100)
    assert result.multiple == pytest.approx(result.pool_pd / result.plan_pd)


def test_the_breakeven_of_one_bullet_loan_matches_the_closed_form() -> None:
    # One bullet loan, no correlation, guarantor, provider or recovery: the senior loses exactly when the loan
    # defaults by period 24, P = 1 − (1 − p)^(24/12); it passes the threshold α = 10 % at p* = 1 − 0.9^(1/2) ≈
    # 5.132 %. The estimate crosses α where P̂ does: standard error √(α(1 − α)/n) / (dP/dp = 2(1 − p*)) ≈ 0.0016
    # for n = 10,000; the tolerance is 3 of those.
    loan = {**POOL["loans"][0], "principal": 5_000_000}
    plan = _plan(loans=[loan], guarantor=None, correlation=0.0,
                 recovery={"rate_of_pledged_value": 0.0, "lag_periods": 0})  # fmt: skip
    n, alpha = 10_000, 0.1
    result = breakeven_pd(plan, np.random.default_rng(2002), n_paths=n, threshold=alpha, tolerance=1e-5)
    closed = 1 - (1 - alpha) ** 0.5
    assert result.pool_pd == pytest.approx(closed, abs=3 * math.sqrt(alpha * (1 - alpha) / n) / (2 * (1 - closed)))
    assert result.loss_probability is not None and result.loss_probability.mean > alpha


def test_a_senior_losing_without_any_default_breaks_even_at_zero() -> None:
    # A senior coupon of 50 % a year cannot be paid from loans at 6 %: unpaid interest is a loss at legal final.
    tranches = copy.deepcopy(POOL["tranches"])
    tranches[0]["coupon"] = 0.5
    result = breakeven_pd(_plan(tranches=tranches), np.random.default_rng(3), n_paths=200)
    assert result.pool_pd == 0.0 and result.lower is None and result.evaluations == 1
    assert result.loss_probability is not None and result.loss_probability.mean == 1.0


def test_a_senior_backed_by_a_reliable_provider_never_breaks_even() -> None:
    result = breakeven_pd(_plan(shortfall_provider=PROVIDER), np.random.default_rng(3), n_paths=200)
    assert result.pool_pd is None and result.multiple is None and result.loss_probability is None
    assert result.evaluations == 2


@pytest.mark.parametrize(
    ("arguments", "field"),
    [({"tolerance": 0}, "tolerance"), ({"threshold": 1}, "threshold"), ({"threshold": -0.1}, "threshold")],
)
def test_bad_breakeven_arguments_are_refused_naming_the_argument(arguments: dict[str, Any], field: str) -> None:
    with pytest.raises(Invalid) as caught:
        breakeven_pd(_plan(), np.random.default_rng(1), n_paths=100, **arguments)
    assert caught.value.field == field


def test_a_loss_counts_only_above_half_a_fen() -> None:
    assert TOLERANCE == 0.005
