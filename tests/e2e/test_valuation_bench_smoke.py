"""The portfolio valuation benchmark (``python -m benchmarks valuation``) runs end to end at a tiny size: arrays are
generated, the engine and the bare NumPy evaluation are timed and agree, and a small CSV file is read and valued
through the service. No timing is asserted (machines are shared)."""

from __future__ import annotations

from benchmarks import valuation_portfolio


def test_the_benchmark_times_the_engine_against_bare_numpy_on_the_same_arrays_and_they_agree() -> None:
    got = valuation_portfolio.run(patents=2_000, repeats=1, csv_rows=200)
    assert got["same"] and got["patents"] == 2_000
    assert 0 < got["gated"] < 2_000 and got["total_value"] > 0
    assert got["engine_s"] > 0 and got["bare_s"] > 0 and got["ratio"] == got["bare_s"] / got["engine_s"]
    assert got["csv_rows"] == 200 and got["csv_s"] > 0 and got["csv_bare_s"] > 0
