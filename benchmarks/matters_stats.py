"""The statistics query on 1,000,000 matters on SQLite: one year, one county subtree (issue goal: median < 200 ms).

``run(tmpdir)`` builds a migrated, seeded SQLite database, adds the counties of 湘西州 (eight, each with 35
departments and towns) and inserts ``rows`` matters of the test kind with one raw ``executemany`` (in order of
receipt, as they arrive in life; times as SQLite stores them, UTC text), received over 2021–2024 (so a year holds a
quarter of them and one county-year about 1/32), most of the older ones resolved. ``matters`` and the kind's own
table are filled (the statistics read only the first; the list page joins both).

It then times, each as the median of ``repeats`` runs in a fresh read session as a request would have:

* ``stats_unit``: ``matter_stats`` for 2024 and unit 凤凰县 (with its subtree), as a principal who sees everything;
* ``stats_scoped``: the same year as a 凤凰县 clerk whose view grant covers the county subtree (no unit picked),
  so the scope condition of ``restrict()`` does the narrowing;
* ``baseline``: a plain ``SELECT count(*)`` with the same filter (kind, period, unit subtree): the floor any
  statistics over that cohort must pay to find its rows;
* ``stats_year_all``: 2024 for every unit (a quarter of the table), for information.

Both statistics statements (the aggregate and the grouping by date pair) are captured and their SQLite query plans
returned, with the cohort's size and the number of distinct (receipt date, resolution date) pairs. The figures
are medians in milliseconds; ``ratio`` is ``stats_unit`` over ``baseline``. Run
``python -m benchmarks.matters_stats [rows] [repeats]`` for a quick look.
"""

from __future__ import annotations

import dataclasses
import random
import sqlite3
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import event, func, select

from zhengwu.core.clock import FakeClock
from zhengwu.core.db import Actor, Database
from zhengwu.core.matters.registry import Kind
from zhengwu.core.matters.stats.model import make_query
from zhengwu.core.matters.stats.service import local_date, local_midnight, matter_stats
from zhengwu.core.matters.tables import Matter
from zhengwu.core.migrate import upgrade
from zhengwu.core.org import auth
from zhengwu.core.org.model import Grant, Principal, Scope, system_principal
from zhengwu.core.org.tables import Unit
from zhengwu.demo import seed_core

NOW = datetime(2025, 1, 15, 2, 0, tzinfo=UTC)  # 10:00 in Beijing
FIRST = datetime(2021, 1, 1, tzinfo=UTC) - timedelta(hours=8)  # local midnight of 1 January 2021
SPAN_MINUTES = 4 * 365 * 24 * 60
NEW_COUNTIES = ("泸溪县", "花垣县", "保靖县", "古丈县", "永顺县", "龙山县")
CHANNELS = ("12345热线", "网站", "来信", "来访")
STATES = ("received", "handling", "resolved", "closed")
COLUMNS = (
    "id, kind, serial, year, seq, title, body, owner_unit_id, handler_id, status, priority, channel, parent_id,"
    " created_at, received_at, due_at, resolved_at, closed_at, paused_since, version"
)
FMT = "%Y-%m-%d %H:%M:%S.%f"


def _database(path: Path) -> tuple[Database, Kind]:
    auth.use_fast_hasher()
    db = Database(f"sqlite:///{path}", FakeClock(NOW))
    upgrade(db.engine)
    with db.uow(Actor(None, "基准")) as uow:
        seed_core(uow, "Bench@2024")
        uow.commit()
    from tests.support import three_step  # registers the test kind on import

    three_step.install(db)
    return db, three_step.KIND


def _counties(conn: sqlite3.Connection, per_county: int = 35) -> dict[str, list[int]]:
    """Add six more counties under 湘西州 and bring each county to ``per_county`` departments and towns; return
    county code → the ids of the units of its subtree (the county itself included)."""
    paths: dict[int, str] = dict(conn.execute("SELECT id, path FROM units"))
    codes: dict[str, int] = dict(conn.execute("SELECT code, id FROM units"))
    next_id = max(paths) + 1
    rows = []

    def add(code: str, name: str, kind: str, parent: int) -> int:
        nonlocal next_id
        uid, next_id = next_id, next_id + 1
        paths[uid] = f"{paths[parent]}{uid}/"
        codes[code] = uid
        rows.append((uid, code, name, kind, parent, paths[uid], 1, 1))
        return uid

    for i, name in enumerate(NEW_COUNTIES):
        add(f"c{i}", name, "government", codes["xx"])
    counties = ["fh", "js", *(f"c{i}" for i in range(len(NEW_COUNTIES)))]
    for county in counties:
        have = sum(1 for p in paths.values() if p.startswith(paths[codes[county]])) - 1
        for k in range(per_county - have):
            add(f"{county}-d{k}", f"部门或乡镇{k}", "department" if k % 2 else "town", codes[county])
    conn.executemany(
        "INSERT INTO units (id, code, name, kind, parent_id, path, active, version) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        rows,
    )
    return {c: [u for u, p in paths.items() if p.startswith(paths[codes[c]])] for c in counties}


def _matters(units: list[int], n: int) -> Iterator[tuple[Any, ...]]:
    """``n`` raw ``matters`` rows in order of receipt, as SQLite stores them."""
    rnd = random.Random(20240620)
    received = sorted(FIRST + timedelta(minutes=rnd.randrange(SPAN_MINUTES)) for _ in range(n))
    created = NOW.strftime(FMT)
    seqs: dict[int, int] = {}
    for i, at in enumerate(received, start=1):
        year = (at + timedelta(hours=8)).year
        seqs[year] = seq = seqs.get(year, 0) + 1
        due = at + timedelta(days=9 + rnd.randrange(5))
        age = (NOW - at).days
        done = rnd.random() < (0.95 if age > 60 else 0.5)
        resolved = at + timedelta(days=rnd.triangular(0, 40, 6)) if done else None
        status = rnd.choice(STATES[2:] if done else STATES[:2])
        yield (i, "testkind", f"测-{year}-{seq:06d}", year, seq, f"生成的事项 {i}", "", rnd.choice(units), None,
               status, "normal", rnd.choice(CHANNELS), None, created, at.strftime(FMT), due.strftime(FMT),
               resolved.strftime(FMT) if resolved else None, None, None, 1)  # fmt: skip


def _median_ms(fn: Callable[[], object], repeats: int) -> float:
    fn()  # warm: the page cache, SQLAlchemy's statement cache, the calendar's per-year counts
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1000


def _plans(db: Database, path: Path, ask: Callable[[], object]) -> list[str]:
    """The SQLite query plans of the statements ``ask`` runs on ``matters``."""
    seen: list[tuple[str, Any]] = []

    def capture(_conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any, _many: bool) -> None:
        if "FROM matters" in statement:
            seen.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", capture)
    try:
        ask()
    finally:
        event.remove(db.engine, "before_cursor_execute", capture)
    out = []
    with sqlite3.connect(path) as conn:
        for statement, parameters in seen:
            plan = conn.execute(f"EXPLAIN QUERY PLAN {statement}", parameters).fetchall()
            out.append(" | ".join(row[-1] for row in plan))
    return out


def _p95_ms(fn: Callable[[], object], repeats: int = 60) -> float:
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return sorted(times)[int(0.95 * (len(times) - 1))] * 1000


def _list_page(db: Database, kind: Kind, clerk: Principal) -> dict[str, float]:
    """p95 of the matter list page's query (issue goal < 50 ms): a county clerk's list filtered to one status,
    page 5, sorted by receipt (the page's default); baseline: the same page of the whole table with no scope or
    filter, for the system principal."""
    from zhengwu.core.matters.lists import matter_list
    from zhengwu.web.listing import fetch_page

    spec = matter_list(kind)

    def page(principal: Principal, params: dict[str, str]) -> Callable[[], object]:
        def ask() -> object:
            with db.reading() as session:
                return fetch_page(session, spec, principal, params, 20)

        return ask

    return {
        "list_p95_ms": _p95_ms(page(clerk, {"status": "handling", "page": "5"})),
        "list_baseline_p95_ms": _p95_ms(page(system_principal(), {"page": "5"})),
        "list_goal_ms": 50.0,
    }


def run(tmpdir: Path | str, rows: int = 1_000_000, repeats: int = 9) -> dict[str, Any]:
    path = Path(tmpdir) / "stats.db"
    db, kind = _database(path)
    t0 = time.perf_counter()
    with sqlite3.connect(path, isolation_level=None) as conn:
        conn.execute("BEGIN")
        subtrees = _counties(conn)
        everyone = [u for ids in subtrees.values() for u in ids]
        conn.executemany(f"INSERT INTO matters ({COLUMNS}) VALUES ({', '.join('?' * 20)})", _matters(everyone, rows))
        conn.execute(
            "INSERT INTO test_three_step_matters (id, location) SELECT id, '' FROM matters"
        )  # the list joins it
        conn.execute("COMMIT")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    load_s = time.perf_counter() - t0

    with db.reading() as s:
        fh, fh_path = s.execute(select(Unit.id, Unit.path).where(Unit.code == "fh")).one()
    system = system_principal()
    clerk = Principal(
        0, "fh_clerk", "凤凰县统计员", fh, fh_path, "凤凰县", (Grant(kind.spec.view_grant, Scope.SUBTREE),)
    )
    year = make_query(kind.spec, date(2024, 1, 1), date(2024, 12, 31))
    county = make_query(kind.spec, year.start, year.end, unit_id=fh)

    def stats(principal: Principal, q: Any) -> Callable[[], Any]:
        def ask() -> Any:
            with db.reading() as session:
                return matter_stats(session, principal, kind, q, NOW)

        return ask

    subtree = select(Unit.id).where(Unit.path.startswith(fh_path))
    counted = (
        select(func.count())
        .select_from(Matter)
        .where(
            Matter.kind == kind.spec.code,
            Matter.received_at >= local_midnight(year.start),
            Matter.received_at < local_midnight(year.end + timedelta(days=1)),
            Matter.owner_unit_id.in_(subtree),
        )
    )

    def baseline() -> int:
        with db.reading() as session:
            return int(session.scalar(counted) or 0)

    result = stats(system, county)()
    same = dataclasses.replace(stats(clerk, year)(), query=county)
    assert result == same, "the clerk's scope and the unit filter must count the same matters"
    with db.reading() as session:
        pairs = session.scalar(
            select(func.count()).select_from(
                select(local_date(Matter.received_at, "sqlite"), local_date(Matter.resolved_at, "sqlite"))
                .where(Matter.resolved_at.is_not(None), Matter.owner_unit_id.in_(subtree))
                .where(Matter.received_at >= local_midnight(year.start))
                .where(Matter.received_at < local_midnight(year.end + timedelta(days=1)))
                .distinct()
                .subquery()
            )
        )
    figures: dict[str, Any] = {
        "rows": rows,
        "load_s": load_s,
        "cohort": result.received,
        "baseline_count": baseline(),
        "distinct_date_pairs": pairs,
        "stats_unit_ms": _median_ms(stats(system, county), repeats),
        "stats_scoped_ms": _median_ms(stats(clerk, year), repeats),
        "baseline_ms": _median_ms(baseline, repeats),
        "stats_year_all_ms": _median_ms(stats(system, year), max(3, repeats // 3)),
        "goal_ms": 200.0,
        "plans": _plans(db, path, stats(system, county)),
    }
    figures.update(_list_page(db, kind, clerk))
    figures["ratio"] = figures["stats_unit_ms"] / figures["baseline_ms"]
    figures["met"] = max(figures["stats_unit_ms"], figures["stats_scoped_ms"]) < figures["goal_ms"]
    db.dispose()
    return figures


if __name__ == "__main__":
    import tempfile

    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 9
    with tempfile.TemporaryDirectory() as d:
        for k, v in run(d, n, repeats).items():
            if isinstance(v, list):
                print(k)
                for line in v:
                    print(f"    {line}")
            else:
                print(f"{k:<24} {v:12.2f}" if isinstance(v, float) else f"{k:<24} {v!s:>12}")
