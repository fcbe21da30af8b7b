"""The finance benchmark (``python -m benchmarks finance``) runs end to end at a tiny size: the seed plan and a
small generated pool are simulated by the engine and by the bare NumPy pass, which agree on the cash collected
and the claims from the same draws, and peak memory is measured. No timing is asserted (machines are shared)."""

from __future__ import annotations

from benchmarks import finance_waterfall

from zhengwu.finance.model.plan import parse_plan


def test_the_benchmark_times_the_engine_against_a_bare_numpy_pass_on_the_same_draws_and_they_agree() -> None:
    got = finance_waterfall.run(seed_paths=300, pool_paths=40, repeats=1, loans=20)
    seed, pool = got["seed"], got["pool"]
    assert (seed["paths"], seed["loans"], seed["periods"]) == (300, 12, 8)
    assert (pool["paths"], pool["loans"], pool["periods"]) == (40, 20, 36)
    for m in (seed, pool):
        assert m["same"]
        assert m["engine_s"] > 0 and m["bare_s"] > 0
        assert m["ratio"] == m["bare_s"] / m["engine_s"] and m["met"] == (m["ratio"] >= finance_waterfall.GOAL)
        assert m["engine_mb_per_million"] > 0 and m["bare_mb_per_million"] > 0
        assert 0 <= m["senior_expected_loss_rate"] < 1


def test_the_generated_pool_is_a_valid_plan_and_the_same_for_the_same_seed() -> None:
    data = finance_waterfall.generated_plan(loans=500, periods=36)
    plan = parse_plan(data)
    assert len(plan.loans) == 500 and plan.legal_final_period == 36 and len(plan.tranches) == 3
    assert data == finance_waterfall.generated_plan(loans=500, periods=36)
