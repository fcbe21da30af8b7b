"""The seed plan of the Changsha story (DOMAIN.md story 2, issue #7): it parses as a plan, its 12 loans sum to
1.35亿元 with the two named loans of 1500万 and 1000万, over 2 years, with the senior coupon of 2.95 %, a guarantor
and Xiangjiang Development Group's shortfall undertaking; and it runs through the waterfall and the simulation."""

from __future__ import annotations

import math

import numpy as np

from zhengwu.finance.defaults import DEFAULT_CEILING
from zhengwu.finance.model.plan import parse_plan, parse_scenario
from zhengwu.finance.model.seed_plan import seed_plan
from zhengwu.finance.model.simulation import simulate
from zhengwu.finance.model.waterfall import defaults_from_scenario, run_waterfall


def test_the_seed_plan_parses_and_its_twelve_loans_sum_to_135_million_yuan_with_the_two_named_loans() -> None:
    plan = parse_plan(seed_plan())
    assert len(plan.loans) == 12
    assert plan.pool_principal == 135_000_000
    principals = {loan.id: loan.principal for loan in plan.loans}
    assert principals["L01"] == 15_000_000 and principals["L02"] == 10_000_000
    others = [p for key, p in principals.items() if key not in ("L01", "L02")]
    assert 15_000_000 not in others and 10_000_000 not in others  # the named loans are unambiguous


def test_the_seed_plan_runs_two_years_with_a_senior_coupon_of_2_95_percent_a_guarantor_and_xiangjiang() -> None:
    plan = parse_plan(seed_plan())
    assert plan.legal_final_period / plan.periods_per_year == 2
    assert all(loan.term_periods <= plan.legal_final_period for loan in plan.loans)
    assert plan.tranches[0].coupon == 0.0295 and plan.tranches[-1].coupon is None
    assert math.fsum(t.balance for t in plan.tranches) == plan.pool_principal
    assert plan.guarantor is not None and plan.provider is not None
    assert "湘江" in plan.provider.name and set(plan.provider.covers) == {"senior_interest", "senior_principal"}


def test_every_call_returns_a_fresh_dict_so_callers_may_change_it() -> None:
    first = seed_plan()
    first["loans"][0]["principal"] = 1
    assert seed_plan()["loans"][0]["principal"] == 15_000_000


def test_without_defaults_the_seed_plan_repays_the_senior_in_full_and_leaves_a_residual() -> None:
    plan = parse_plan(seed_plan())
    result = run_waterfall(plan, defaults_from_scenario(plan, parse_scenario({}, plan)))
    assert float(result.loss.sum()) == 0.0 and float(result.provider_draw.sum()) == 0.0
    assert float(result.principal[0, 0].sum()) == plan.tranches[0].balance
    assert float(result.residual.sum()) > 0


def test_the_seed_plan_simulates_with_a_small_senior_loss() -> None:
    result = simulate(parse_plan(seed_plan()), 2_000, np.random.default_rng(7))
    assert result.tranches[0].expected_loss_rate.mean < 0.01
    assert 0 < result.default_count.mean < 12


def test_no_seed_loan_is_pledged_above_the_shipped_ceiling_of_thirty_percent() -> None:
    # zhengwu.finance.defaults.DEFAULT_CEILING: the demo approves every seed loan under it.
    assert all(loan["principal"] / loan["pledged_value"] <= DEFAULT_CEILING for loan in seed_plan()["loans"])
