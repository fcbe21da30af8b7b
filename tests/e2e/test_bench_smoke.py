"""The public requests' benchmarks (``python -m benchmarks requests``) run end to end at a tiny size: intake through
the service layer against the raw bulk path, and Open311 ``GET requests.json`` under load from locust against a
real server process. Only that they run and measure something: no timing is asserted (machines are shared)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from benchmarks import open311_load, requests_intake


def test_intake_benchmark_takes_every_request_in_and_compares_with_the_raw_bulk_path(tmp_path: Path) -> None:
    got = requests_intake.run(tmp_path, requests=12, repeats=1)
    assert got["requests"] == 12
    assert got["intake_per_s"] > 0 and got["batch_per_s"] > 0 and got["raw_per_s"] > 0
    assert got["ratio"] == pytest.approx(got["intake_per_s"] / got["raw_per_s"])
    # one matter, its request row and its history at least, for each request
    assert got["rows_written_per_request"] >= 3


def test_prepared_database_holds_the_requested_number_with_public_channels_and_open_and_closed_states(
    tmp_path: Path,
) -> None:
    path = open311_load.prepare(tmp_path, requests=130)
    with sqlite3.connect(path) as conn:
        count, serials = conn.execute("SELECT COUNT(*), COUNT(DISTINCT serial) FROM matters").fetchone()
        own = conn.execute("SELECT COUNT(*) FROM request_matters").fetchone()[0]
        channels = dict(conn.execute("SELECT channel, COUNT(*) FROM matters GROUP BY channel").fetchall())
        states = {row[0] for row in conn.execute("SELECT DISTINCT status FROM matters")}
    assert count == serials == own == 130
    assert channels.get("web", 0) + channels.get("open311", 0) > 0
    assert {"closed", "handling"} <= states


def test_open311_load_benchmark_runs_locust_against_a_real_server(tmp_path: Path) -> None:
    got = open311_load.run(tmp_path, requests=120, seconds=2, users=5)
    if "skipped" in got:
        pytest.skip(got["skipped"])
    assert got["requests"] > 0 and got["baseline_requests"] > 0
    assert got["failures"] == 0 and got["baseline_failures"] == 0
    assert got["p95_ms"] >= got["p50_ms"] > 0
