"""The inspection figures benchmark (``python -m benchmarks inspection``) runs end to end at a tiny size: the
generated city is built, the figures per district are asked for one year and for all years, and the baseline is
measured. Only that it runs and counts what it built: no timing is asserted (machines are shared)."""

from __future__ import annotations

from pathlib import Path

from benchmarks import inspection_stats


def test_the_benchmark_builds_a_city_and_times_the_figures_against_a_baseline(tmp_path: Path) -> None:
    got = inspection_stats.run(tmp_path, rows=600, repeats=1)
    assert (got["findings"], got["rounds"], got["targets"]) == (600, 5, 50)
    assert got["items"] == 120 and got["leads"] == 600 * 206 // 5985 and got["secondments"] == 50
    # A year holds one of the five years' rounds; withdrawn findings are left out of the figures, not the baseline.
    assert 0 < got["year_findings"] <= got["baseline_count"] < 600
    assert 0 < got["year_districts"] <= 10
    assert got["district_year_ms"] > 0 and got["district_all_ms"] > 0 and got["baseline_ms"] > 0
    assert got["ratio"] == got["district_year_ms"] / got["baseline_ms"]
