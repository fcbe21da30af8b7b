"""The waterfall of issue #7 (steps 1–4): the hand-checkable scenarios of "Done when" with their arithmetic written
out (no defaults; one default covered by the guarantor; the guarantor defaulted and a lagged recovery; provider
draws), the guarantor's cap, carried fees, and the invariants on random plans and default patterns: cash is
conserved every period, balances follow the principal paid, and a vectorised run equals the paths run one by one.
"""

from __future__ import annotations

import copy
import json
from typing import Any

import numpy as np
import pytest

from zhengwu.finance.model.plan import Plan, parse_plan, parse_scenario
from zhengwu.finance.model.waterfall import (
    Defaults,
    WaterfallResult,
    defaults_from_scenario,
    run_waterfall,
    waterfall_json,
)

# Quarterly, one year. Two bullet loans at 8 % a year: L1 600 (interest 12 a quarter, pledged 2,000), L2 400
# (interest 8, pledged 600). Senior A 800 at 4 % (1 % a quarter), residual B 200. Fees 0.4 % a year on the
# performing pool (0.1 % a quarter). Guarantor covers 80 %; recoveries 50 % of pledged value two quarters later.
HAND: dict[str, Any] = {
    "closing_date": "2025-01-01",
    "periods_per_year": 4,
    "legal_final_period": 4,
    "loans": [
        {"id": "L1", "borrower": "甲", "principal": 600, "annual_rate": 0.08, "term_periods": 4,
         "amortization": "bullet", "pd_annual": 0.02, "pledged_value": 2000},
        {"id": "L2", "borrower": "乙", "principal": 400, "annual_rate": 0.08, "term_periods": 4,
         "amortization": "bullet", "pd_annual": 0.02, "pledged_value": 600},
    ],
    "tranches": [
        {"id": "A", "name": "优先级", "balance": 800, "coupon": 0.04},
        {"id": "B", "name": "次级", "balance": 200, "coupon": None},
    ],
    "fees": {"annual_rate_on_pool": 0.004},
    "guarantor": {"name": "担保", "pd_annual": 0.01, "coverage": 0.8, "cap": None},
    "shortfall_provider": {"name": "湘江", "pd_annual": 0.005, "covers": ["senior_interest", "senior_principal"]},
    "recovery": {"rate_of_pledged_value": 0.5, "lag_periods": 2},
    "correlation": 0.0,
}  # fmt: skip


def _run(scenario: dict[str, Any], **changes: Any) -> tuple[Plan, WaterfallResult]:
    data = copy.deepcopy(HAND)
    data.update(changes)
    plan = parse_plan(data)
    return plan, run_waterfall(plan, defaults_from_scenario(plan, parse_scenario(scenario, plan)))


def _row(result: WaterfallResult, name: str) -> list[float]:
    return [float(x) for x in getattr(result, name)[0]]


def _tranche(result: WaterfallResult, name: str, k: int) -> list[float]:
    return [float(x) for x in getattr(result, name)[0, k]]


def _close(actual: list[float], expected: list[float]) -> None:
    assert actual == pytest.approx(expected, abs=1e-9)


# ----------------------------------------------------------------------------------------------- by hand


def test_no_defaults() -> None:
    # Collections 12 + 8 = 20 a quarter, + 1,000 of principal in quarter 4; fees 0.1 % × 1,000 = 1.
    # q1: A interest 800 × 1 % = 8, A principal 20 − 1 − 8 = 11, A balance 789.
    # q2: interest 7.89, principal 11.11, balance 777.89.   q3: interest 7.7789, principal 11.2211, balance 766.6689.
    # q4: 1,020 − 1 − 7.666689 = 1,011.333311 → A principal 766.6689, B principal 200, residual 44.664411.
    _, r = _run({})
    _close(_row(r, "collections"), [20, 20, 20, 1020])
    _close(_row(r, "fees"), [1, 1, 1, 1])
    _close(_tranche(r, "interest", 0), [8, 7.89, 7.7789, 7.666689])
    _close(_tranche(r, "principal", 0), [11, 11.11, 11.2211, 766.6689])
    _close(_tranche(r, "balance", 0), [789, 777.89, 766.6689, 0])
    _close(_tranche(r, "principal", 1), [0, 0, 0, 200])
    _close(_row(r, "residual"), [0, 0, 0, 44.664411])
    _close(_row(r, "defaults") + _row(r, "guarantor_paid") + _row(r, "recoveries") + _row(r, "provider_draw"), [0] * 16)
    assert r.loss[0].tolist() == [0.0, 0.0]
    # WAL of A = Σ (t / 4) · principal_t ÷ 800; B repaid at once at 1 year.
    wal_a = (0.25 * 11 + 0.5 * 11.11 + 0.75 * 11.2211 + 1.0 * 766.6689) / 800
    assert r.wal_years[0].tolist() == pytest.approx([wal_a, 1.0], rel=1e-12)
    # B: −200 at closing, 244.664411 after four quarters (one year) → 244.664411 / 200 − 1 a year.
    assert r.irr[0, 1] == pytest.approx(244.664411 / 200 - 1, rel=1e-10)
    # A: the quarterly rate r of its flows has NPV 0, annual (1 + r)^4 − 1; paid in full, A earns its 4 % coupon.
    quarterly = (1 + r.irr[0, 0]) ** 0.25 - 1
    flows = np.array([19, 19, 19, 774.335589])
    assert float((flows / (1 + quarterly) ** np.arange(1, 5)).sum()) == pytest.approx(800, rel=1e-10)
    assert quarterly == pytest.approx(0.01, rel=1e-10)


def test_one_default_covered_by_the_guarantor() -> None:
    # L2 defaults in q2: claim = balance 400 + that quarter's interest 8 = 408; the guarantor pays 0.8 × 408 = 326.4;
    # the unpaid 81.6 is recovered as min(81.6, 0.5 × 600 = 300) = 81.6 in q4 (lag 2).
    # q1 as without defaults. q2: collections 12 (L1), fees 0.1 % × 600 = 0.6, available 12 + 326.4 = 338.4,
    #   A interest 7.89, principal 338.4 − 0.6 − 7.89 = 329.91, balance 459.09.
    # q3: collections 12, fees 0.6, A interest 4.5909, principal 6.8091, balance 452.2809.
    # q4: 612 + 81.6 = 693.6; fees 0.6; A interest 4.522809; A principal 452.2809; B 200; residual 36.196291.
    _, r = _run({"loan_defaults": {"L2": 2}})
    _close(_row(r, "collections"), [20, 12, 12, 612])
    _close(_row(r, "defaults"), [0, 408, 0, 0])
    _close(_row(r, "guarantor_paid"), [0, 326.4, 0, 0])
    _close(_row(r, "recoveries"), [0, 0, 0, 81.6])
    _close(_row(r, "fees"), [1, 0.6, 0.6, 0.6])
    _close(_tranche(r, "interest", 0), [8, 7.89, 4.5909, 4.522809])
    _close(_tranche(r, "principal", 0), [11, 329.91, 6.8091, 452.2809])
    _close(_tranche(r, "principal", 1), [0, 0, 0, 200])
    _close(_row(r, "residual"), [0, 0, 0, 36.196291])
    assert r.loss[0].tolist() == [0.0, 0.0]


def test_the_guarantor_in_default_and_a_lagged_recovery() -> None:
    # The guarantor defaults from q1, so it pays nothing; L2 defaults in q2 with claim 408, recovered as
    # min(408, 0.5 × 600) = 300 in q4. q2: 12 − 0.6 − 7.89 = 3.51 to A (balance 785.49).
    # q3: A interest 7.8549, principal 12 − 0.6 − 7.8549 = 3.5451 (balance 781.9449).
    # q4: 612 + 300 = 912; fees 0.6; A interest 7.819449; A principal 781.9449; B gets 121.635651 of its 200.
    _, r = _run({"loan_defaults": {"L2": 2}, "guarantor_default_period": 1})
    _close(_row(r, "guarantor_paid"), [0, 0, 0, 0])
    _close(_row(r, "recoveries"), [0, 0, 0, 300])
    _close(_tranche(r, "principal", 0), [11, 3.51, 3.5451, 781.9449])
    _close(_tranche(r, "principal", 1), [0, 0, 0, 121.635651])
    _close(_row(r, "residual"), [0, 0, 0, 0])
    assert r.loss[0].tolist() == pytest.approx([0.0, 200 - 121.635651], abs=1e-9)
    # B recovers only part of its 200 in one year: IRR 121.635651 / 200 − 1.
    assert r.irr[0, 1] == pytest.approx(121.635651 / 200 - 1, rel=1e-10)


def test_a_recovery_lag_past_legal_final_is_paid_at_legal_final() -> None:
    _, r = _run({"loan_defaults": {"L2": 3}, "guarantor_default_period": 1})
    _close(_row(r, "recoveries"), [0, 0, 0, 300])  # due in q5, paid in q4


def test_the_provider_pays_the_senior_interest_gap() -> None:
    # Both loans default in q1 and the guarantor is in default: nothing comes in during q1 and q2 (fees are 0, no
    # loan performs), so the provider pays A's interest 800 × 1 % = 8 both quarters. In q3 the recoveries arrive:
    # min(612, 1,000) + min(408, 300) = 912 → A interest 8, A principal 800, B principal 104. B loses 96.
    _, r = _run({"loan_defaults": {"L1": 1, "L2": 1}, "guarantor_default_period": 1})
    _close(_row(r, "defaults"), [1020, 0, 0, 0])
    _close(_row(r, "recoveries"), [0, 0, 912, 0])
    _close(_row(r, "provider_draw"), [8, 8, 0, 0])
    _close(_tranche(r, "interest", 0), [8, 8, 8, 0])
    _close(_tranche(r, "principal", 0), [0, 0, 800, 0])
    _close(_tranche(r, "principal", 1), [0, 0, 104, 0])
    assert r.loss[0].tolist() == pytest.approx([0.0, 96.0], abs=1e-9)


def test_the_provider_pays_the_senior_principal_left_at_legal_final() -> None:
    # As above with recoveries at 10 % of pledged value: min(612, 200) + min(408, 60) = 260 in q3 → A interest 8,
    # A principal 252 (balance 548). q4: nothing comes in; the provider pays A's interest 5.48 and its 548.
    recovery = {"rate_of_pledged_value": 0.1, "lag_periods": 2}
    _, r = _run({"loan_defaults": {"L1": 1, "L2": 1}, "guarantor_default_period": 1}, recovery=recovery)
    _close(_row(r, "provider_draw"), [8, 8, 0, 5.48 + 548])
    _close(_tranche(r, "principal", 0), [0, 0, 252, 548])
    assert r.loss[0].tolist() == pytest.approx([0.0, 200.0], abs=1e-9)
    assert r.irr[0, 1] == -1.0  # B receives nothing: −100 %, not NaN


def test_a_provider_in_default_pays_nothing_and_the_senior_loses() -> None:
    # Same, provider in default from q1: A's interest is carried, q1 unpaid 8, q2 16; q3: 8 + 16 = 24 paid from the
    # 260, principal 236 (balance 564); q4: interest 5.64 unpaid. A's loss = 564 + 5.64 = 569.64.
    recovery = {"rate_of_pledged_value": 0.1, "lag_periods": 2}
    scenario = {"loan_defaults": {"L1": 1, "L2": 1}, "guarantor_default_period": 1, "provider_default_period": 1}
    _, r = _run(scenario, recovery=recovery)
    _close(_row(r, "provider_draw"), [0, 0, 0, 0])
    _close(_tranche(r, "interest", 0), [0, 0, 24, 0])
    assert r.loss[0, 0] == pytest.approx(569.64, abs=1e-9)
    assert r.interest_unpaid[0, 0] == pytest.approx(5.64, abs=1e-9)


def test_the_guarantor_pays_within_its_cap() -> None:
    # Cap 100: of the 326.4 wanted in q2 it pays 100; the unpaid 308 is recovered as min(308, 300) = 300.
    guarantor = {"name": "担保", "pd_annual": 0.01, "coverage": 0.8, "cap": 100}
    _, r = _run({"loan_defaults": {"L2": 2}}, guarantor=guarantor)
    _close(_row(r, "guarantor_paid"), [0, 100, 0, 0])
    _close(_row(r, "recoveries"), [0, 0, 0, 300])
    # Once spent, the cap covers nothing more: L1 defaulting in q3 gets no guarantee.
    _, r = _run({"loan_defaults": {"L2": 2, "L1": 3}}, guarantor=guarantor)
    _close(_row(r, "guarantor_paid"), [0, 100, 0, 0])


def test_unpaid_fees_are_carried() -> None:
    # Interest-free loans pay nothing before q4: fees of 1 a quarter are carried and all 4 are paid in q4.
    data = copy.deepcopy(HAND)
    for loan in data["loans"]:
        loan["annual_rate"] = 0.0
    data["shortfall_provider"] = None
    plan = parse_plan(data)
    r = run_waterfall(plan, defaults_from_scenario(plan, parse_scenario({}, plan)))
    _close(_row(r, "fees"), [0, 0, 0, 4])
    _close(_tranche(r, "interest", 0), [0, 0, 0, 32])  # A's 8 a quarter, carried too
    assert r.fees_unpaid[0] == 0.0


def test_the_json_output_has_the_contracts_keys() -> None:
    plan, r = _run({"loan_defaults": {"L2": 2}})
    out = waterfall_json(plan, r)
    assert list(out) == ["periods", "tranches", "residual"]
    assert list(out["periods"][0]) == [
        "period", "collections", "defaults", "guarantor_paid", "recoveries", "fees", "provider_draw", "tranches",
    ]  # fmt: skip
    assert list(out["periods"][1]["tranches"]["A"]) == ["interest", "principal", "balance"]
    assert list(out["tranches"]["B"]) == ["loss", "wal_years", "irr"]
    assert out["periods"][1]["guarantor_paid"] == pytest.approx(326.4)
    assert out["residual"] == pytest.approx(36.196291)
    assert json.loads(json.dumps(out, allow_nan=False)) == out


# ----------------------------------------------------------------------------------------------- invariants


def _random_plan(rng: np.random.Generator) -> Plan:
    per_year = int(rng.choice([1, 2, 4, 12]))
    final = int(rng.integers(1, 25))
    loans = [
        {"id": f"L{j}", "borrower": "企业", "principal": float(rng.uniform(10, 1000)),
         "annual_rate": float(rng.uniform(0, 0.2)), "term_periods": int(rng.integers(1, final + 1)),
         "amortization": str(rng.choice(["bullet", "level", "equal_principal"])), "pd_annual": 0.05,
         "pledged_value": float(rng.uniform(0, 2000))}
        for j in range(int(rng.integers(1, 9)))
    ]  # fmt: skip
    pool = sum(loan["principal"] for loan in loans)
    shares = rng.dirichlet(np.ones(int(rng.integers(1, 4)))) * pool * rng.uniform(0.5, 1.0)
    tranches = [
        {"id": f"T{k}", "name": f"第{k}档", "balance": float(b), "coupon": float(rng.uniform(0, 0.1))}
        for k, b in enumerate(np.maximum(shares, 1.0))
    ]
    tranches[-1]["coupon"] = None if rng.random() < 0.7 else 0.08
    covers = [c for c in ("senior_interest", "senior_principal") if rng.random() < 0.6]
    cap = None if rng.random() < 0.5 else float(rng.uniform(0, pool / 3))
    return parse_plan(
        {"closing_date": "2025-01-01", "periods_per_year": per_year, "legal_final_period": final, "loans": loans,
         "tranches": tranches, "fees": {"annual_rate_on_pool": float(rng.uniform(0, 0.05))},
         "guarantor": None if rng.random() < 0.2 else
         {"name": "担保", "pd_annual": 0.01, "coverage": float(rng.uniform(0, 1)), "cap": cap},
         "shortfall_provider": None if rng.random() < 0.2 else {"name": "差额", "pd_annual": 0.01, "covers": covers},
         "recovery": {"rate_of_pledged_value": float(rng.uniform(0, 1)), "lag_periods": int(rng.integers(0, 5))},
         "correlation": 0.1}
    )  # fmt: skip


def _random_defaults(rng: np.random.Generator, plan: Plan, paths: int) -> Defaults:
    high = plan.never + 3  # a quarter of the draws or so are "never"
    return Defaults(
        rng.integers(1, high, size=(paths, len(plan.loans)), dtype=np.int64),
        rng.integers(1, high, size=paths, dtype=np.int64),
        rng.integers(1, high, size=paths, dtype=np.int64),
    )


NONNEGATIVE = ("collections", "defaults", "guarantor_paid", "recoveries", "fees", "provider_draw", "residual",
               "interest", "principal", "balance", "interest_unpaid", "fees_unpaid", "loss", "wal_years")  # fmt: skip


@pytest.mark.parametrize("seed", range(40))
def test_cash_is_conserved_every_period_on_random_plans_and_defaults(seed: int) -> None:
    rng = np.random.default_rng(seed)
    plan = _random_plan(rng)
    d = _random_defaults(rng, plan, 64)
    r = run_waterfall(plan, d)
    cash_in = r.collections + r.guarantor_paid + r.recoveries + r.provider_draw
    cash_out = r.fees + r.interest.sum(axis=1) + r.principal.sum(axis=1) + r.residual
    assert np.allclose(cash_in, cash_out, rtol=1e-12, atol=1e-9 * plan.pool_principal)
    for name in NONNEGATIVE:
        array = getattr(r, name)
        assert np.all(np.isfinite(array)) and np.all(array >= -1e-9), name
    # Balances follow the principal paid, and the loss is what is left owed at legal final.
    opening = np.array([t.balance for t in plan.tranches])
    assert np.allclose(r.balance, opening[None, :, None] - np.cumsum(r.principal, axis=2), atol=1e-9 * opening.sum())
    assert np.allclose(r.loss, r.balance[:, :, -1] + r.interest_unpaid)
    assert np.all(np.isfinite(r.irr)) and np.all(r.irr >= -1)
    # The guarantor never pays above its cap, nor more than coverage × claims.
    if plan.guarantor is not None:
        paid = r.guarantor_paid.sum(axis=1)
        assert np.all(paid <= (plan.guarantor.cap if plan.guarantor.cap is not None else np.inf) + 1e-9)
        assert np.all(r.guarantor_paid <= plan.guarantor.coverage * r.defaults + 1e-9)
    # A provider standing at legal final leaves no senior principal unpaid, and no senior interest unpaid if it
    # stood all along.
    standing = d.provider_period > plan.legal_final_period
    covers = () if plan.provider is None else plan.provider.covers
    if "senior_principal" in covers:
        assert np.all(r.balance[standing, 0, -1] == 0)
    if "senior_interest" in covers:
        assert np.all(r.interest_unpaid[standing, 0] <= 1e-9)


@pytest.mark.parametrize("seed", range(5))
def test_a_vectorised_run_equals_each_path_run_alone(seed: int) -> None:
    rng = np.random.default_rng(100 + seed)
    plan = _random_plan(rng)
    d = _random_defaults(rng, plan, 12)
    together = run_waterfall(plan, d)
    for p in range(d.paths):
        alone = run_waterfall(
            plan, Defaults(d.loan_period[p : p + 1], d.guarantor_period[p : p + 1], d.provider_period[p : p + 1])
        )
        for name in ("collections", "fees", "provider_draw", "residual", "interest", "principal", "loss", "irr"):
            assert np.allclose(getattr(together, name)[p], getattr(alone, name)[0], rtol=1e-12, atol=1e-12), name


def test_periods_past_legal_final_mean_never_and_bad_arrays_are_refused() -> None:
    plan = parse_plan(HAND)
    never = run_waterfall(plan, Defaults(np.array([[5, 99]]), np.array([5]), np.array([1000])))
    base = run_waterfall(plan, defaults_from_scenario(plan, parse_scenario({}, plan)))
    assert np.array_equal(never.principal, base.principal)
    with pytest.raises(ValueError, match="paths"):
        run_waterfall(plan, Defaults(np.array([5, 5]), np.array([5]), np.array([5])))
    with pytest.raises(ValueError, match="start at 1"):
        run_waterfall(plan, Defaults(np.array([[0, 5]]), np.array([5]), np.array([5])))


def test_a_tranche_with_nothing_invested_at_closing_gets_an_irr_of_zero_never_nan() -> None:
    # A sizing candidate can give the senior the whole pool and leave the residual tranche at balance 0; it may still
    # receive the residual cash. No rate of return exists; 0 by convention (zhengwu.finance.model.waterfall_metrics).
    import warnings

    from zhengwu.finance.model.waterfall_metrics import annual_irr

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        irr = annual_irr(np.array([0.0, 100.0]), np.array([[3.0, 4.0], [0.0, 110.0]]), 1)
    assert irr.tolist() == pytest.approx([0.0, 0.0488088482], abs=1e-9)
