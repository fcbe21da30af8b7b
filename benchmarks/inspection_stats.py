"""The inspection figures per district on a generated city on SQLite (issue #5: 200 rounds, 100,000 findings, under
the matters engine's goal of a 200 ms median for one year × one county's statistics).

``run(tmpdir, rows)`` builds a migrated SQLite database with the core seed and adds, with raw ``executemany`` in one
transaction, a generated city (``bm``, under 湖南省) of 10 districts, each with 10 towns of 20 villages (2,000
villages), and, for ``rows`` findings (100,000 by default; the other counts scale with it):

* 200 rounds of the city's committee over 2020–2024 (40 a year), each inspecting 10 villages (2,000 targets) with
  two teams (petitions 0–300 each) of five cadres from a pool of 1,000 (2,000 secondments);
* ``rows`` findings (``matters`` + ``inspection_finding_matters``) spread over the targets, 1 % withdrawn, 10 % with
  an immediate rectification (80 % of them done); ``rows / 5`` rectification items (70 % closed; most open ones past
  due at ``NOW``); ``rows × 206 / 5,985`` leads (the seed's ratio); ``rows / 20`` accountability records
  with an outcome and money.

It then times, as the median of ``repeats`` runs in a fresh read session as a request would have:

* ``district_year``: ``inspection_figures`` for 2024, grouped by district, as the system principal;
* ``district_year_scoped``: the same as the city's inspection office with ``inspection.view`` over the city subtree
  (``restrict()`` does the narrowing on the rounds);
* ``district_all``: every year, grouped by district;
* ``baseline``: a plain ``COUNT(*)`` of 2024's findings joined to their target units — the floor any statistic that
  reads a year's findings by unit must pay.

``ratio`` is ``district_year`` over ``baseline``; ``met`` says whether both one-year figures stay under 200 ms.
Run ``python -m benchmarks.inspection_stats [rows] [repeats]`` for a quick look.
"""

from __future__ import annotations

import random
import sqlite3
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from zhengwu.core.clock import FakeClock
from zhengwu.core.db import Actor, Database
from zhengwu.core.migrate import upgrade
from zhengwu.core.org import auth
from zhengwu.core.org.model import Grant, Principal, Scope, system_principal
from zhengwu.core.org.tables import Unit
from zhengwu.demo import seed_core
from zhengwu.inspection.model import VIEW
from zhengwu.inspection.service.figures import Figures, inspection_figures
from zhengwu.inspection.tables import FindingMatter, InspectionRound

NOW = datetime(2025, 1, 15, 2, 0, tzinfo=UTC)  # 10:00 in Beijing
YEARS = (2020, 2021, 2022, 2023, 2024)
FMT = "%Y-%m-%d %H:%M:%S.%f"
GOAL_MS = 200.0
MATTER_COLUMNS = (
    "id, kind, serial, year, seq, title, body, owner_unit_id, handler_id, status, priority, channel, parent_id,"
    " created_at, received_at, due_at, resolved_at, closed_at, paused_since, version"
)
OUTCOMES = ("criticism", "admonishment", "conversation", "removal", "sanction")


def _database(path: Path) -> Database:
    auth.use_fast_hasher()
    db = Database(f"sqlite:///{path}", FakeClock(NOW))
    upgrade(db.engine)
    with db.uow(Actor(None, "基准")) as uow:
        seed_core(uow, "Bench@2024")
        uow.commit()
    return db


def _city(conn: sqlite3.Connection) -> tuple[int, list[int]]:
    """The city ``bm`` under 湖南省 with 10 districts × 10 towns × 20 villages; returns its id and the villages."""
    hn, hn_path = conn.execute("SELECT id, path FROM units WHERE code = 'hn'").fetchone()
    next_id = conn.execute("SELECT MAX(id) FROM units").fetchone()[0] + 1
    rows: list[tuple[Any, ...]] = []

    def add(code: str, name: str, kind: str, parent: int, parent_path: str) -> tuple[int, str]:
        nonlocal next_id
        uid, next_id = next_id, next_id + 1
        rows.append((uid, code, name, kind, parent, f"{parent_path}{uid}/", 1, 1))
        return uid, f"{parent_path}{uid}/"

    city, city_path = add("bm", "基准市", "government", hn, hn_path)
    villages = []
    for d in range(10):
        district, d_path = add(f"bm-{d}", f"基准区{d:02d}", "government", city, city_path)
        for t in range(10):
            town, t_path = add(f"bm-{d}-{t}", f"示例街道{d:02d}{t:02d}", "town", district, d_path)
            villages += [add(f"bm-{d}-{t}-{v}", f"示例社区{d:02d}{t:02d}{v:02d}", "village", town, t_path)[0]
                         for v in range(20)]  # fmt: skip
    conn.executemany(
        "INSERT INTO units (id, code, name, kind, parent_id, path, active, version) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        rows,
    )
    return city, villages


def _at(day: date, hours: int = 2) -> str:
    return datetime(day.year, day.month, day.day, hours, tzinfo=UTC).strftime(FMT)


def _build(conn: sqlite3.Connection, rows: int) -> dict[str, int]:
    """Every generated record (module docstring); returns how many of each."""
    rnd = random.Random(20240620)
    city, villages = _city(conn)
    conn.execute("INSERT INTO inspection_categories (code, name, active, sort_order, version) VALUES (?, ?, 1, 0, 1)",
                 ("conduct", "作风建设"))  # fmt: skip
    category = conn.execute("SELECT id FROM inspection_categories WHERE code = 'conduct'").fetchone()[0]
    n_rounds = max(5, min(200, rows // 500))
    per_year = -(-n_rounds // len(YEARS))
    targets = rnd.sample(villages, min(len(villages), n_rounds * 10))
    rounds: list[tuple[Any, ...]] = []
    teams: list[tuple[Any, ...]] = []
    round_targets: list[tuple[int, int, int]] = []
    team_of: dict[int, tuple[int, int, int]] = {}
    for r in range(n_rounds):
        year, number = YEARS[r // per_year % len(YEARS)], r % per_year + 1
        rounds.append((r + 1, city, year, number, "regular", f"基准市委{year}年第{number}轮巡察", date(year, 3, 1)))
        mine = targets[r * 10 : r * 10 + 10] or [villages[r]]
        for k in range(2):
            team = len(teams) + 1
            teams.append((team, r + 1, f"第{k + 1}巡察组", rnd.randrange(300), 1))
            for unit in mine[k::2]:
                round_targets.append((r + 1, unit, team))
                team_of[unit] = (r + 1, team, year)
    conn.executemany("INSERT INTO inspection_rounds (id, committee_unit_id, year, number, type, name, starts_on,"
                     " approval, version) VALUES (?, ?, ?, ?, ?, ?, ?, '', 1)", rounds)  # fmt: skip
    conn.executemany("INSERT INTO inspection_teams (id, round_id, name, petitions, version) VALUES (?, ?, ?, ?, ?)",
                     teams)  # fmt: skip
    conn.executemany("INSERT INTO inspection_round_targets (round_id, unit_id, team_id) VALUES (?, ?, ?)",
                     round_targets)  # fmt: skip
    cadres = [(i, f"干部{i:04d}", rnd.choice(villages), "", 1, 1) for i in range(1, 1001)]
    conn.executemany("INSERT INTO inspection_cadres (id, name, unit_id, post, active, version)"
                     " VALUES (?, ?, ?, ?, ?, ?)", cadres)  # fmt: skip
    secondments = [(c, team_id, "member", 0, 1) for team_id, *_ in teams for c in rnd.sample(range(1, 1001), 5)]
    conn.executemany("INSERT INTO inspection_secondments (cadre_id, team_id, role, commended, version)"
                     " VALUES (?, ?, ?, ?, ?)", secondments)  # fmt: skip

    inspected = [u for _r, u, _t in round_targets]
    n_items, n_leads, n_acc = rows // 5, rows * 206 // 5985, max(1, rows // 20)
    ids = iter(range(1, rows + n_items + n_leads + 1))
    seqs: dict[tuple[str, int], int] = {}

    def matter(kind: str, prefix: str, unit: int, year: int, status: str, **t: Any) -> tuple[Any, ...]:
        mid = next(ids)
        seqs[kind, year] = seq = seqs.get((kind, year), 0) + 1
        return (mid, kind, f"{prefix}{year}-{seq:06d}", year, seq, f"生成的{prefix}{mid}", "", unit, None, status,
                "normal", "", t.get("parent"), _at(date(year, 4, 1)), _at(date(year, 4, 1)), t.get("due"),
                t.get("resolved"), t.get("resolved"), None, 1)  # fmt: skip

    findings, finding_rows = [], []
    for i in range(rows):
        unit = inspected[i % len(inspected)]
        round_id, team, year = team_of[unit]
        status = "withdrawn" if rnd.random() < 0.01 else rnd.choice(("rectifying", "closed", "fed_back"))
        immediate = rnd.random() < 0.1
        findings.append(matter("inspection_finding", "巡", unit, year, status))
        finding_rows.append((findings[-1][0], round_id, team, unit, category, "", "通知" if immediate else None,
                             date(year, 4, 20) if immediate else None,
                             date(year, 4, 28) if immediate and rnd.random() < 0.8 else None))  # fmt: skip
    conn.executemany(f"INSERT INTO matters ({MATTER_COLUMNS}) VALUES ({', '.join('?' * 20)})", findings)
    conn.executemany("INSERT INTO inspection_finding_matters (id, round_id, team_id, target_unit_id, category_id,"
                     " paper, immediate_notice, immediate_ordered_on, immediate_done_on)"
                     " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", finding_rows)  # fmt: skip

    items, item_rows = [], []
    for i in range(n_items):
        fid, _r, _team, unit, *_ = finding_rows[rnd.randrange(len(finding_rows))]
        year = findings[fid - 1][3]
        due = date(year, 6, 30) if rnd.random() < 0.9 else NOW.date() + timedelta(days=30 - 3 * (i % 20))
        closed = rnd.random() < 0.7
        resolved = _at(due - timedelta(days=5)) if closed else None
        items.append(matter("inspection_item", "改", unit, year, "closed" if closed else "rectifying", parent=fid,
                            due=_at(due, 15), resolved=resolved))  # fmt: skip
        item_rows.append((items[-1][0], fid, "整改措施", "负责人", due, 0))
    conn.executemany(f"INSERT INTO matters ({MATTER_COLUMNS}) VALUES ({', '.join('?' * 20)})", items)
    conn.executemany("INSERT INTO inspection_item_matters (id, finding_id, measure, responsible, due_on, cycle)"
                     " VALUES (?, ?, ?, ?, ?, ?)", item_rows)  # fmt: skip

    jw = conn.execute("SELECT id FROM units WHERE code = 'hn'").fetchone()[0]
    leads, lead_rows = [], []
    for _ in range(n_leads):
        unit = rnd.choice(inspected)
        round_id, _team, year = team_of[unit]
        leads.append(matter("inspection_lead", "线", jw, year, "handed_over"))
        lead_rows.append(
            (leads[-1][0], round_id, unit, "discipline_commission", jw, date(year, 6, 1), date(year, 12, 1))
        )
    conn.executemany(f"INSERT INTO matters ({MATTER_COLUMNS}) VALUES ({', '.join('?' * 20)})", leads)
    conn.executemany("INSERT INTO inspection_lead_matters (id, round_id, target_unit_id, recipient, receiving_unit_id,"
                     " handed_over_on, due_on) VALUES (?, ?, ?, ?, ?, ?, ?)", lead_rows)  # fmt: skip

    accountability = []
    for _ in range(n_acc):
        unit = rnd.choice(inspected)
        round_id, _team, year = team_of[unit]
        accountability.append((round_id, unit, "person", "某某", rnd.choice(OUTCOMES), date(year, 9, 1),
                               f"{rnd.randrange(0, 10_000_000) / 100:.2f}", f"{rnd.randrange(0, 500_000) / 100:.2f}",
                               "", 1))  # fmt: skip
    conn.executemany("INSERT INTO inspection_accountability (round_id, unit_id, subject_kind, subject_name, outcome,"
                     " decided_on, returned, recovered, note, version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                     accountability)  # fmt: skip
    return {"city": city, "rounds": n_rounds, "targets": len(round_targets), "findings": rows, "items": n_items,
            "leads": n_leads, "secondments": len(secondments), "accountability": n_acc}  # fmt: skip


def _median_ms(fn: Callable[[], object], repeats: int) -> float:
    fn()  # warm: the page cache and SQLAlchemy's statement cache
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1000


def run(tmpdir: Path | str, rows: int = 100_000, repeats: int = 9) -> dict[str, Any]:
    path = Path(tmpdir) / "inspection.db"
    db = _database(path)
    t0 = time.perf_counter()
    with sqlite3.connect(path, isolation_level=None) as conn:
        conn.execute("BEGIN")
        built = _build(conn, rows)
        conn.execute("COMMIT")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    load_s = time.perf_counter() - t0
    city = built["city"]
    with db.reading() as s:
        city_path = s.scalar(select(Unit.path).where(Unit.id == city))
    office = Principal(0, "bm_office", "基准市巡察办", city, str(city_path), "基准市", (Grant(VIEW, Scope.SUBTREE),))

    def figures(principal: Principal, year: int | None) -> Callable[[], Figures]:
        def ask() -> Figures:
            with db.reading() as session:
                return inspection_figures(
                    session, principal, committee_unit_id=city, year=year, group_by="district", now=NOW
                )

        return ask

    counted = (
        select(func.count())
        .select_from(FindingMatter.__table__)
        .join(InspectionRound, InspectionRound.id == FindingMatter.__table__.c.round_id)
        .join(Unit, Unit.id == FindingMatter.__table__.c.target_unit_id)
        .where(InspectionRound.year == YEARS[-1], InspectionRound.committee_unit_id == city)
    )

    def baseline() -> int:
        with db.reading() as session:
            return int(session.scalar(counted) or 0)

    year = figures(system_principal(), YEARS[-1])()
    assert year.totals == figures(office, YEARS[-1])().totals, "the office's scope and the system must agree"
    out: dict[str, Any] = {
        **built,
        "load_s": load_s,
        "year_findings": year.totals.findings,
        "year_districts": len(year.rows),
        "baseline_count": baseline(),
        "district_year_ms": _median_ms(figures(system_principal(), YEARS[-1]), repeats),
        "district_year_scoped_ms": _median_ms(figures(office, YEARS[-1]), repeats),
        "district_all_ms": _median_ms(figures(system_principal(), None), max(3, repeats // 3)),
        "baseline_ms": _median_ms(baseline, repeats),
        "goal_ms": GOAL_MS,
    }
    out["ratio"] = out["district_year_ms"] / out["baseline_ms"]
    out["met"] = max(out["district_year_ms"], out["district_year_scoped_ms"]) < GOAL_MS
    db.dispose()
    return out


def _print(items: Iterator[tuple[str, Any]]) -> None:
    for k, v in items:
        print(f"{k:<24} {v:12.2f}" if isinstance(v, float) else f"{k:<24} {v!s:>12}")


if __name__ == "__main__":
    import tempfile

    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 9
    with tempfile.TemporaryDirectory() as d:
        _print(iter(run(d, n, repeats).items()))
