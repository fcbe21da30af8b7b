"""``make bench``: timings printed as ratios to a baseline measured in the same run (machines are shared and noisy).

Each benchmark takes the best of several repeats of both the measured code and its baseline, so the ratio is what
to compare between runs, not the absolute times.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

from benchmarks import scenarios


def best_of(fn: Callable[[], object], repeats: int = 5) -> float:
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def peak_memory(fn: Callable[[], object]) -> int:
    """Peak bytes Python allocated while ``fn`` ran (traced separately: tracing slows the code it watches)."""
    tracemalloc.start()
    fn()
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak


def fmt(seconds: float) -> str:
    if seconds < 1e-3:
        return f"{seconds * 1e6:8.1f} µs"
    return f"{seconds * 1e3:8.2f} ms"


def report(name: str, measured: float, baseline: float, baseline_name: str) -> None:
    print(f"{name:<52} {fmt(measured)}   {baseline_name:<34} {fmt(baseline)}   ×{measured / baseline:8.4f}")


def main() -> int:
    print(f"{'benchmark':<52} {'time':>12}   {'baseline':<34} {'time':>12}   ratio")
    if sys.argv[1:] == ["requests"]:  # python -m benchmarks requests: only the public requests' benchmarks
        requests(int(os.environ.get("ZHENGWU_BENCH_ROWS", "1000000")))
        return 0
    if sys.argv[1:] == ["inspection"]:  # python -m benchmarks inspection: only the inspection figures
        inspection(int(os.environ.get("ZHENGWU_BENCH_ROWS", "1000000")))
        return 0
    if sys.argv[1:] == ["valuation"]:  # python -m benchmarks valuation: only the portfolio valuation
        valuation(int(os.environ.get("ZHENGWU_BENCH_ROWS", "1000000")))
        return 0
    if sys.argv[1:] == ["finance"]:  # python -m benchmarks finance: only the securitization simulation
        finance(int(os.environ.get("ZHENGWU_BENCH_ROWS", "1000000")))
        return 0
    cal = scenarios.calendar()
    a, b = date(2005, 1, 1), date(2026, 12, 31)
    cal.working_days_between(a, b)  # warm the per-year cache, as a long-running server has it
    report(
        "calendar: working days 2005→2026 (22 years)",
        best_of(lambda: cal.working_days_between(a, b)),
        best_of(lambda: scenarios.naive_between(a, b), 3),
        "naive day-by-day chinese_calendar",
    )
    starts = [date(2024, 1, 1) + timedelta(days=i) for i in range(300)]
    report(
        "calendar: 300 deadlines of 13 working days",
        best_of(lambda: [cal.add_working_days(s, 13) for s in starts]),
        best_of(lambda: [scenarios.naive_add(s, 13) for s in starts]),
        "naive day-by-day chinese_calendar",
    )
    with tempfile.TemporaryDirectory() as tmp:
        db, county_admin = scenarios.org_database(Path(tmp) / "bench.db", towns=40, villages=50, users_per_unit=5)
        restricted, everything = scenarios.list_queries(db, county_admin)
        report(
            "access: county admin's user page via restrict()",
            best_of(restricted, 20),
            best_of(everything, 20),
            "same page, no scope (admin)",
        )
        export, fetch = scenarios.export_vs_fetch(db)
        t_export, t_fetch = best_of(export, 3), best_of(fetch, 3)
        peak_export, peak_fetch = peak_memory(export), peak_memory(fetch)
        rows = scenarios.user_count(db)
        report(f"export: {rows} users to .xlsx (streamed)", t_export, t_fetch, "fetch the same rows into a list")
        label, ratio = "  peak Python memory: export vs list of rows", peak_export / peak_fetch
        print(f"{label:<52} {peak_export / 1e6:8.2f} MB   {'':<34} {peak_fetch / 1e6:8.2f} MB   ×{ratio:8.4f}")
        audited, plain, audited_db = scenarios.audit_overhead(Path(tmp))
        report(
            "audit: 500 inserts in one unit of work, audited",
            best_of(audited, 3),
            best_of(plain, 3),
            "same inserts, audit listeners off",
        )
        verify, scan = scenarios.verify_vs_scan(audited_db)
        report(
            f"audit: verify chain of {scenarios.audit_count(audited_db)} entries",
            best_of(verify, 3),
            best_of(scan, 3),
            "read the same rows, no hashing",
        )
    matters(int(os.environ.get("ZHENGWU_BENCH_ROWS", "1000000")))
    requests(int(os.environ.get("ZHENGWU_BENCH_ROWS", "1000000")))
    inspection(int(os.environ.get("ZHENGWU_BENCH_ROWS", "1000000")))
    valuation(int(os.environ.get("ZHENGWU_BENCH_ROWS", "1000000")))
    finance(int(os.environ.get("ZHENGWU_BENCH_ROWS", "1000000")))
    return 0


def matters(rows: int) -> None:
    """The matters engine on ``rows`` matters on SQLite (issue #3): bulk import, statistics, the list page."""
    from benchmarks import matters_import, matters_stats

    with tempfile.TemporaryDirectory() as tmp:
        stats = matters_stats.run(tmp, rows=rows)
    report(
        f"matters: statistics, one year × one county ({rows:,} rows)",
        stats["stats_unit_ms"] / 1000,
        stats["baseline_ms"] / 1000,
        "plain COUNT(*) of the same cohort",
    )
    report(
        f"matters: list page p95, county clerk ({rows:,} rows)",
        stats["list_p95_ms"] / 1000,
        stats["list_baseline_p95_ms"] / 1000,
        "same page, no scope or filter",
    )
    with tempfile.TemporaryDirectory() as tmp:
        imp = matters_import.run(tmp, rows=rows)
    print(
        f"{'matters: bulk import rows/s':<52} {imp.get('import_rows_per_s', 0):12,.0f}   ratio to raw executemany: "
        f"{imp.get('ratio', 0):.2f} (file order {imp.get('ratio_vs_file_order', 0):.2f}; "
        f"to all four tables {imp.get('ratio_vs_all_tables', 0):.2f})"
    )


def requests(rows: int) -> None:
    """Public requests (issue #4): intake through the service layer (at most 500 requests, best of 3), and Open311
    ``GET requests.json`` under 50 concurrent clients against a server on at most 100,000 requests
    (``ZHENGWU_BENCH_SECONDS`` of load each for it and its baseline, default 15)."""
    from benchmarks import open311_load, requests_intake

    n = min(rows, 500)
    with tempfile.TemporaryDirectory() as tmp:
        got = requests_intake.run(tmp, requests=n)
    print(
        f"{f'requests: intake, one unit of work each ({n:,})':<52} {got['intake_per_s']:10,.0f}/s   ratio to raw "
        f"executemany: {got['ratio']:.4f} ({got['raw_per_s']:,.0f}/s; to all tables {got['ratio_vs_all_tables']:.4f})"
    )
    print(
        f"{'  the same as one batch (one unit of work)':<52} {got['batch_per_s']:10,.0f}/s   ratio to raw "
        f"executemany: {got['ratio_batch']:.4f}"
    )
    n = min(rows, 100_000)
    with tempfile.TemporaryDirectory() as tmp:
        load = open311_load.run(tmp, requests=n, seconds=float(os.environ.get("ZHENGWU_BENCH_SECONDS", "15")))
    if "skipped" in load:
        print(f"{'open311: GET requests.json, 50 clients':<52} skipped: {load['skipped']}")
        return
    base = f"{load['baseline_path'].rsplit('/', 1)[-1]}, same load"
    for p in ("p50", "p95"):
        label = f"open311: GET requests.json {p}, 50 clients ({n:,} req.)"
        report(label, load[f"{p}_ms"] / 1000, load[f"baseline_{p}_ms"] / 1000, base)
    print(
        f"{'open311: GET requests.json requests/s':<52} {load['per_s']:10,.0f}/s   {base:<34} "
        f"{load['baseline_per_s']:10,.0f}/s   ×{load['ratio_per_s']:8.4f}"
    )


def inspection(rows: int) -> None:
    """Inspection (issue #5): the figures per district over a generated city of at most 100,000 findings in 200
    rounds, for one year and for all years (goal: one year under the matters engine's 200 ms)."""
    from benchmarks import inspection_stats

    n = min(rows, 100_000)
    with tempfile.TemporaryDirectory() as tmp:
        got = inspection_stats.run(tmp, rows=n)
    base, base_s = "COUNT(*) of the year's findings", got["baseline_ms"] / 1000
    report(f"inspection: by district, one year ({n:,} findings)", got["district_year_ms"] / 1000, base_s, base)
    report("  the same, scoped to the city (restrict)", got["district_year_scoped_ms"] / 1000, base_s, base)
    report("  every year", got["district_all_ms"] / 1000, base_s, base)
    verdict = "met" if got["met"] else "MISSED"
    print(f"{'  goal: one year under':<52} {got['goal_ms']:8.0f} ms   {verdict} (build {got['load_s']:.1f} s)")


def valuation(rows: int) -> None:
    """Portfolio valuation (issue #6): ``rows`` patents (1,000,000 by default) scored and valued from arrays by the
    engine, against a bare NumPy evaluation of the same formula on the same arrays (goal: ratio ≥ 0.5), median of
    5 runs each; and reading plus valuing a CSV file of at most 100,000 rows through the service."""
    from benchmarks import valuation_portfolio

    got = valuation_portfolio.run(rows, repeats=5, csv_rows=min(rows, 100_000))
    report(
        f"valuation: portfolio of {rows:,} patents (engine)", got["engine_s"], got["bare_s"], "bare NumPy, same formula"
    )
    verdict = "met" if got["met"] else "MISSED"
    print(
        f"{'  patents per second':<52} {got['engine_per_s']:10,.0f}/s   {'bare NumPy':<34} {got['bare_per_s']:10,.0f}/s"
        f"   ratio {got['ratio']:.2f} (goal ≥ {valuation_portfolio.GOAL}: {verdict}; same values: {got['same']})"
    )
    label = f"  read + value a CSV of {got['csv_rows']:,} rows ({got['csv_mb']:.0f} MB)"
    report(label, got["csv_s"], got["csv_bare_s"], "csv.reader over the same bytes")


def finance(rows: int) -> None:
    """Securitization simulation (issue #7): paths per second of ``simulate`` for the seed plan (12 loans, 8 quarters;
    ``rows`` ÷ 10 paths, at most 100,000) and for a generated 500-loan, 36-month pool (``rows`` ÷ 200 paths, at most
    5,000), against a bare NumPy pass over (paths × loans × periods) arrays from the same draws (goal: ratio ≥ 0.3),
    median of 5 runs each; and peak memory per million path-loan-periods (tracemalloc)."""
    from benchmarks import finance_waterfall as fw

    got = fw.run(seed_paths=max(2, min(rows // 10, 100_000)), pool_paths=max(2, min(rows // 200, 5_000)), repeats=5)
    for key, label in (("seed", "seed plan"), ("pool", "generated pool")):
        m = got[key]
        name = f"finance: {label} ({m['paths']:,} paths, {m['loans']} loans × {m['periods']})"
        report(name, m["engine_s"], m["bare_s"], "bare NumPy, same draws")
        verdict = "met" if m["met"] else "MISSED"
        print(
            f"{'  paths per second':<52} {m['engine_per_s']:10,.0f}/s   {'bare NumPy':<34} {m['bare_per_s']:10,.0f}/s"
            f"   ratio {m['ratio']:.2f} (goal ≥ {fw.GOAL}: {verdict}; same cash: {m['same']})"
        )
        print(
            f"{'  peak memory per million path-loan-periods':<52} {m['engine_mb_per_million']:8.2f} MB   "
            f"{'bare NumPy':<34} {m['bare_mb_per_million']:8.2f} MB   (peak {m['engine_peak_mb']:.1f} MB; "
            f"chunks of {m['chunk']:,} paths)"
        )
    print(f"{'  load average during the run':<52} {got['load']}")


if __name__ == "__main__":
    sys.exit(main())
