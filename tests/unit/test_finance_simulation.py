"""The Monte Carlo of issue #7 ("Simulation and metrics"): default times from the one-factor Gaussian copula against
the closed form 1 − (1 − pd)^(t/ppy) and against Vasicek's large-pool distribution, the simulated senior loss
probability against the closed form within 3 standard errors, reproducibility (same seed, any chunking), the
provider's draws, the JSON output and bad arguments refused in Chinese naming the argument.
"""

from __future__ import annotations

import copy
import json
import math
from typing import Any

import numpy as np
import pytest
from scipy.special import ndtr, ndtri  # type: ignore[import-untyped, unused-ignore]
from scipy.stats import multivariate_normal  # type: ignore[import-untyped, unused-ignore]

from zhengwu.core.errors import Invalid
from zhengwu.finance.model.plan import Plan, parse_plan
from zhengwu.finance.model.simulation import (
    CHUNK_BYTES,
    bytes_per_path,
    default_chunk,
    estimate,
    simulate,
    simulation_json,
)
from zhengwu.finance.model.simulation_draws import default_periods, defaults_from_latent, draw_defaults, draw_latent

# One bullet loan of 1,000,000 at 5 % a year over 24 monthly periods, pd 10 % a year; a senior of 900,000 at 3 %
# and a residual of 100,000; no guarantor, no provider, nothing recovered. Any default leaves the senior short
# (the bullet principal never comes), so P(senior loss) = P(default by period 24) = 1 − 0.9^(24/12) = 0.19.
ONE_LOAN: dict[str, Any] = {
    "closing_date": "2026-01-01",
    "periods_per_year": 12,
    "legal_final_period": 24,
    "loans": [{"id": "L1", "borrower": "甲公司", "principal": 1_000_000, "annual_rate": 0.05, "term_periods": 24,
               "amortization": "bullet", "pd_annual": 0.1, "pledged_value": 3_000_000}],
    "tranches": [
        {"id": "A", "name": "优先级", "balance": 900_000, "coupon": 0.03},
        {"id": "B", "name": "次级", "balance": 100_000, "coupon": None},
    ],
    "fees": {"annual_rate_on_pool": 0.002},
    "guarantor": None,
    "shortfall_provider": None,
    "recovery": {"rate_of_pledged_value": 0.0, "lag_periods": 0},
    "correlation": 0.0,
}  # fmt: skip


def _plan(base: dict[str, Any] = ONE_LOAN, **changes: Any) -> Plan:
    data = copy.deepcopy(base)
    data.update(changes)
    return parse_plan(data)


def _pool(n_loans: int, pd: float, correlation: float, *, years: int = 3) -> Plan:
    """``n_loans`` identical annual bullet loans of 1,000 over ``years`` years."""
    loan = {"borrower": "企业", "principal": 1_000, "annual_rate": 0.05, "term_periods": years,
            "amortization": "bullet", "pd_annual": pd, "pledged_value": 1_000}  # fmt: skip
    return _plan(
        periods_per_year=1,
        legal_final_period=years,
        loans=[{**loan, "id": f"L{k:04d}"} for k in range(n_loans)],
        tranches=[
            {"id": "A", "name": "优先级", "balance": 700 * n_loans, "coupon": 0.03},
            {"id": "B", "name": "次级", "balance": 300 * n_loans, "coupon": None},
        ],
        correlation=correlation,
    )


# ------------------------------------------------------------------------------------------- the copula's draws


def test_with_no_correlation_one_loan_defaults_by_each_period_with_the_closed_form_probability() -> None:
    # F(t) = 1 − (1 − pd)^(t/ppy): pd 10 % a year, monthly; each estimate within 3 standard errors √(F(1 − F)/n).
    n = 40_000
    periods = draw_defaults(_plan(), n, np.random.default_rng(11)).loan_period[:, 0]
    for t in (1, 6, 12, 24):
        closed = 1 - 0.9 ** (t / 12)
        assert abs(float((periods <= t).mean()) - closed) <= 3 * math.sqrt(closed * (1 - closed) / n), t
    assert set(np.unique(periods)) <= set(range(1, 26))  # 25 = legal final + 1 = never


def test_the_default_period_is_the_first_whose_cumulative_probability_exceeds_the_uniform() -> None:
    # pd = 1 − 0.5^(1/2) a year, annual: F(1) = 1 − √0.5 ≈ 0.2929, F(2) = 0.5. U = 0.29 → 1, 0.30 → 2, 0.5 → never
    # (F(2) does not exceed it), 0.6 → never; a pd of 0 never defaults.
    u = np.array([[0.29, 0.30, 0.5, 0.6, 0.01]])
    pd = np.array([1 - 0.5**0.5] * 4 + [0.0])
    periods = default_periods(np.log1p(-u), pd, 1, np.full(5, 2), 3)
    assert periods.tolist() == [[1, 2, 3, 3, 3]]


def test_a_loan_defaults_only_within_its_term_and_an_absent_guarantor_or_provider_never() -> None:
    plan = _plan(
        loans=[
            {**ONE_LOAN["loans"][0], "id": "short", "term_periods": 6, "pd_annual": 0.5},
            {**ONE_LOAN["loans"][0], "id": "safe", "pd_annual": 0.0},
        ]
    )
    d = draw_defaults(plan, 5_000, np.random.default_rng(3))
    short = d.loan_period[:, 0]
    assert set(np.unique(short)) == {*range(1, 7), plan.never}
    assert (d.loan_period[:, 1] == plan.never).all()
    assert (d.guarantor_period == plan.never).all() and (d.provider_period == plan.never).all()


def test_strong_correlation_makes_identical_loans_default_together() -> None:
    # With ρ → 1 the latents coincide: P(both) → P(one); with ρ = 0 P(both) = P(one)².
    loans = [{**ONE_LOAN["loans"][0], "id": f"L{k}", "principal": 500_000} for k in range(2)]
    for rho, check in ((0.0, lambda both, one: abs(both - one**2) < 0.01), (0.99, lambda both, one: both > 0.85 * one)):
        d = draw_defaults(_plan(loans=loans, correlation=rho), 20_000, np.random.default_rng(5))
        hit = d.loan_period <= 24
        assert check(float(hit.all(axis=1).mean()), float(hit[:, 0].mean())), rho


def test_many_small_identical_loans_follow_the_vasicek_large_pool_distribution() -> None:
    # Vasicek (2002), "The distribution of loan portfolio value", Risk 15(12): for an infinitely granular pool with
    # default probability p and asset correlation ρ, P(L ≤ x) = Φ((√(1 − ρ)·Φ⁻¹(x) − Φ⁻¹(p)) / √ρ), so the
    # q-quantile is x_q = Φ((Φ⁻¹(p) + √ρ·Φ⁻¹(q)) / √(1 − ρ)). Here p = 1 − 0.97³ (3 % a year over 3 years),
    # ρ = 0.2, N = 1,000 loans, n = 4,000 paths (drawn 500 at a time: the same stream as one draw).
    n_paths, n_loans, rho = 4_000, 1_000, 0.2
    p = 1 - 0.97**3
    plan, rng = _pool(n_loans, 0.03, rho), np.random.default_rng(2002)
    fraction = np.concatenate(
        [(draw_defaults(plan, 500, rng).loan_period <= 3).mean(axis=1) for _ in range(n_paths // 500)]
    )
    # Shape: each quantile within 3 × the Monte Carlo error of an empirical quantile, √(q(1 − q)/n) / f(x_q) with
    # f Vasicek's density, plus 3 × the finite-pool noise √(x(1 − x)/N) of the default fraction given the factor
    # (a bound: that noise moves a quantile by much less than its standard deviation).
    for q in (0.05, 0.25, 0.5, 0.75, 0.95, 0.99):
        x = float(ndtr((ndtri(p) + math.sqrt(rho) * ndtri(q)) / math.sqrt(1 - rho)))
        a = (math.sqrt(1 - rho) * ndtri(x) - ndtri(p)) / math.sqrt(rho)
        density = math.sqrt((1 - rho) / rho) * math.exp(-0.5 * a * a) / math.exp(-0.5 * float(ndtri(x)) ** 2)
        tolerance = 3 * math.sqrt(q * (1 - q) / n_paths) / density + 3 * math.sqrt(x * (1 - x) / n_loans)
        assert abs(float(np.quantile(fraction, q)) - x) <= tolerance, (q, x)
    # Scale, exactly for a finite pool: E[L] = p and Var(L) = (Φ₂(k, k; ρ) − p²) + (p − Φ₂(k, k; ρ)) / N with
    # k = Φ⁻¹(p) and Φ₂ the bivariate normal CDF (the large-pool variance, Vasicek 2002, plus the binomial noise
    # given the factor). Within 3 standard errors: √(p(1 − p)/n) for the mean, √((m₄ − s⁴)/n) for the variance.
    # (This check tells ρ = 0.2 from 0.17 or 0.23 by more than 3.5 standard errors on these draws.)
    k = float(ndtri(p))
    joint = float(multivariate_normal(mean=[0, 0], cov=[[1, rho], [rho, 1]]).cdf([k, k]))
    assert abs(float(fraction.mean()) - p) <= 3 * math.sqrt(p * (1 - p) / n_paths)
    variance, centred = float(fraction.var(ddof=1)), fraction - fraction.mean()
    se = math.sqrt((float((centred**4).mean()) - variance**2) / n_paths)
    assert abs(variance - ((joint - p * p) + (p - joint) / n_loans)) <= 3 * se


def test_the_same_seed_draws_the_same_defaults_in_one_call_or_in_chunks() -> None:
    plan = _pool(10, 0.05, 0.3)
    whole = draw_latent(plan, 100, np.random.default_rng(9))
    rng = np.random.default_rng(9)
    parts = [draw_latent(plan, size, rng) for size in (30, 1, 69)]
    assert np.array_equal(whole.loans, np.concatenate([x.loans for x in parts]))
    assert np.array_equal(whole.provider, np.concatenate([x.provider for x in parts]))
    again = defaults_from_latent(plan, draw_latent(plan, 100, np.random.default_rng(9)))
    assert np.array_equal(defaults_from_latent(plan, whole).loan_period, again.loan_period)


# ------------------------------------------------------------------------------------------- the simulation


def test_with_no_correlation_the_senior_loss_probability_converges_to_the_closed_form() -> None:
    result = simulate(_plan(), 20_000, np.random.default_rng(2026))
    senior, residual = result.tranches
    closed = 1 - 0.9 ** (24 / 12)  # 0.19
    assert abs(senior.loss_probability.mean - closed) <= 3 * senior.loss_probability.se
    assert residual.loss_probability == senior.loss_probability  # the same event: any default
    assert result.default_count.mean == senior.loss_probability.mean  # one loan: defaults = losses, path by path
    assert result.provider.drawn_probability == result.provider.total_draws  # no provider: all zero
    assert result.provider.drawn_probability.mean == 0.0


def test_standard_errors_are_the_sample_standard_deviation_over_root_n() -> None:
    result = simulate(_plan(), 2_000, np.random.default_rng(4))
    p, n = result.tranches[0].loss_probability.mean, 2_000
    assert result.tranches[0].loss_probability.se == pytest.approx(math.sqrt(p * (1 - p) / (n - 1)), rel=1e-12)
    assert estimate(np.array([2.0, 4.0, 6.0])).se == pytest.approx(2 / math.sqrt(3), rel=1e-15)  # s = 2
    assert estimate(np.array([5.0])).se == 0.0


def test_a_reliable_shortfall_provider_takes_every_senior_loss_and_is_drawn_on_every_default() -> None:
    provider = {"name": "湘江集团", "pd_annual": 0.0, "covers": ["senior_interest", "senior_principal"]}
    result = simulate(_plan(shortfall_provider=provider), 5_000, np.random.default_rng(8))
    senior = result.tranches[0]
    assert senior.loss_probability.mean == 0.0 and senior.expected_loss.mean == 0.0
    # With the bullet loan in default nothing comes in: the provider pays the senior interest from then on and
    # the senior principal left at legal final, so it is drawn on exactly the paths with a default.
    assert result.provider.drawn_probability.mean == result.default_count.mean > 0.15
    levels = [v for _, v in result.provider.quantiles]
    assert levels == sorted(levels) and levels[-1] <= result.provider.max
    assert result.provider.max <= 900_000 * (1 + 0.03 * 2)  # at most the senior's principal and two years' coupon


def test_the_expected_loss_rate_is_the_expected_loss_over_the_closing_balance() -> None:
    result = simulate(_plan(), 3_000, np.random.default_rng(6))
    for tranche in result.tranches:
        assert tranche.expected_loss_rate.mean == pytest.approx(tranche.expected_loss.mean / tranche.balance)
        assert 0 < tranche.wal_paths <= 3_000


def test_a_seeded_simulation_is_reproducible_whatever_the_chunk_size() -> None:
    plan = _pool(20, 0.05, 0.3)
    first = simulation_json(simulate(plan, 1_000, np.random.default_rng(77)))
    assert simulation_json(simulate(plan, 1_000, np.random.default_rng(77), chunk_paths=7)) == first
    assert simulation_json(simulate(plan, 1_000, np.random.default_rng(78))) != first


def test_the_json_output_is_plain_and_the_default_count_distribution_sums_to_one() -> None:
    plan = _pool(20, 0.05, 0.3)
    out = simulation_json(simulate(plan, 500, np.random.default_rng(1)))
    assert json.loads(json.dumps(out, allow_nan=False)) == out
    assert list(out["provider"]["total_draws"]["quantiles"]) == ["50", "90", "95", "99"]
    distribution = out["default_count"]["distribution"]
    assert len(distribution) == 21 and math.fsum(distribution) == pytest.approx(1.0, abs=1e-12)
    mean = math.fsum(k * share for k, share in enumerate(distribution))
    assert mean == pytest.approx(out["default_count"]["mean"], abs=1e-12)


def test_the_default_chunk_keeps_the_working_memory_under_its_budget() -> None:
    plan = _pool(500, 0.02, 0.2, years=36)
    assert default_chunk(plan) * bytes_per_path(plan) <= CHUNK_BYTES
    assert bytes_per_path(plan) / (500 * 36) < 3  # bytes per path-loan-period: no paths × loans × periods array


@pytest.mark.parametrize(
    ("arguments", "field"),
    [
        ({"n_paths": 0}, "n_paths"),
        ({"n_paths": 1}, "n_paths"),
        ({"n_paths": True}, "n_paths"),
        ({"n_paths": 10.0}, "n_paths"),
        ({"n_paths": 10, "chunk_paths": 0}, "chunk_paths"),
    ],
)
def test_bad_path_counts_are_refused_naming_the_argument(arguments: dict[str, Any], field: str) -> None:
    with pytest.raises(Invalid) as caught:
        simulate(_plan(), rng=np.random.default_rng(1), **arguments)
    assert caught.value.field == field
    assert "模拟路径数" in str(caught.value)
