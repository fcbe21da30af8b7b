"""Bulk import of historical matters on SQLite, against a raw ``executemany`` of the same rows into ``matters``.

``run(tmpdir, rows)`` writes a CSV of ``rows`` matters of the test kind (tests/support/three_step.py, the only kind
so far) and imports it through the use case: read the file, check every row, write matters, the kind's table, the
import keys and one event each, commit. Then, into copies of the same empty database, it inserts the same matters
(as SQLite stores them) with one raw sqlite3 ``executemany`` in one transaction: once in file order, once in the
order the import writes them (by time of receipt, which is also the order of their serials). The issue's goal:
import rate ≥ 0.3 × raw rate; ``ratio`` is taken against the faster of the two baselines. For information,
``ratio_vs_all_tables`` compares with a raw ``executemany`` of everything the import writes (the matters plus,
for each, its row in the kind's table, its import key and its history event), prepared beforehand.

The import runs first, so the process's peak memory (``peak_rss_mb``) is the import's own (the baselines' rows are
built afterwards). Run ``python -m benchmarks.matters_import [rows] [repeats]`` for a quick look.
"""

from __future__ import annotations

import random
import resource
import shutil
import sqlite3
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from zhengwu.core.clock import FakeClock
from zhengwu.core.db import Actor, Database
from zhengwu.core.matters.imports import import_matters, read_file
from zhengwu.core.migrate import upgrade
from zhengwu.core.org import auth
from zhengwu.core.org.model import system_principal
from zhengwu.demo import seed_core

NOW = datetime(2025, 3, 1, tzinfo=UTC)
START = datetime(2021, 1, 1, 8, 0)  # local (Beijing) times, spread over 2021–2024
HEADER = "导入编号,标题,内容,责任单位编码,收到时间,期限,状态,办结时间,关闭时间,优先级,渠道,location\n"
STATES = {"已收到": "received", "办理中": "handling", "已办结": "resolved", "已销号": "closed"}
COLUMNS = (
    "id, kind, serial, year, seq, title, body, owner_unit_id, handler_id, status, priority, channel, parent_id,"
    " created_at, received_at, due_at, resolved_at, closed_at, paused_since, version"
)


def _template(tmp: Path) -> Path:
    """A migrated, seeded SQLite database with the test kind's table."""
    auth.use_fast_hasher()
    path = tmp / "template.db"
    db = Database(f"sqlite:///{path}")
    upgrade(db.engine)
    with db.uow(Actor(None, "基准")) as uow:
        seed_core(uow, "Bench@2024")
        uow.commit()
    from tests.support import three_step  # registers the test kind on import

    three_step.install(db)
    with db.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    db.dispose()
    return path


def _matters(units: dict[str, int], n: int) -> Iterator[tuple[str, tuple[Any, ...]]]:
    """Each generated matter as a CSV line and as the raw ``matters`` row SQLite stores (times as UTC text)."""
    rnd = random.Random(20240620)
    codes = sorted(units)
    created = NOW.strftime("%Y-%m-%d %H:%M:%S.%f")
    seqs: dict[int, int] = {}

    def stored(t: datetime | None) -> str | None:
        return None if t is None else (t - timedelta(hours=8)).strftime("%Y-%m-%d %H:%M:%S.%f")

    for i in range(n):
        received = START + timedelta(minutes=rnd.randrange(4 * 365 * 24 * 60))
        due = datetime.combine((received + timedelta(days=15)).date(), datetime.max.time())
        state = rnd.choice(list(STATES))
        resolved = received + timedelta(days=rnd.randrange(1, 20)) if state in ("已办结", "已销号") else None
        closed = resolved + timedelta(days=1) if state == "已销号" and resolved else None
        unit, title, body = codes[i % len(codes)], f"关于第 {i} 号路段路面破损的反映", "群众反映路面坑洼，影响通行。"
        line = (
            f"H{i:07d},{title},{body},{unit},{received:%Y-%m-%d %H:%M},{due:%Y-%m-%d},{state},"
            f"{f'{resolved:%Y-%m-%d %H:%M}' if resolved else ''},{f'{closed:%Y-%m-%d %H:%M}' if closed else ''},"
            f"一般,12345热线,S256 K{i % 100}+{i % 1000:03d}\n"
        )
        seqs[received.year] = seq = seqs.get(received.year, 0) + 1
        raw = (i + 1, "testkind", f"测-{received.year}-{seq:06d}", received.year, seq, title, body, units[unit], None,
               STATES[state], "normal", "12345热线", None, created, stored(received), stored(due), stored(resolved),
               stored(closed), None, 1)  # fmt: skip
        yield line, raw


def _peak_rss_mb() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024 if sys.platform == "darwin" else 1024)


def _import(template: Path, target: Path, csv_path: Path) -> dict[str, float]:
    shutil.copy(template, target)
    from tests.support import three_step

    db = Database(f"sqlite:///{target}", FakeClock(NOW))
    marks: dict[str, float] = {}
    t0 = time.perf_counter()
    sheet = read_file(csv_path.name, csv_path.read_bytes())
    with db.uow(Actor(None, "基准")) as uow:
        result = import_matters(
            uow,
            system_principal(),
            three_step.KIND,
            sheet,
            progress=lambda phase, _done, _total: marks.__setitem__(phase, time.perf_counter()),
        )
        written = time.perf_counter()
        uow.commit()
    end = time.perf_counter()
    db.dispose()
    target.unlink()
    assert result.imported == result.rows, result
    return {"total": end - t0, "check": marks["校验"] - t0, "write": written - marks["校验"], "commit": end - written}


def _baseline(template: Path, target: Path, raw: list[tuple[Any, ...]], everything: bool = False) -> float:
    """Raw ``executemany`` of ``raw`` into ``matters`` in one transaction; with ``everything``, also the rows the
    import adds beside each matter (the kind's table, the import key, the history event), built beforehand."""
    shutil.copy(template, target)
    conn = sqlite3.connect(target, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA foreign_keys=ON")
    sql = f"INSERT INTO matters ({COLUMNS}) VALUES ({', '.join('?' * 20)})"
    created = NOW.strftime("%Y-%m-%d %H:%M:%S.%f")
    own = [(r[0], "S256") for r in raw] if everything else []
    keys = sorted(("testkind", f"H{r[0] - 1:07d}", r[0]) for r in raw) if everything else []
    said = '{"file": "matters.csv", "key": "H%07d"}'
    events = (
        [(r[0], created, None, "基准", "imported", "", r[9], "", said % (r[0] - 1)) for r in raw] if everything else []
    )
    t0 = time.perf_counter()
    conn.execute("BEGIN")
    conn.executemany(sql, raw)
    if everything:
        conn.executemany("INSERT INTO test_three_step_matters (id, location) VALUES (?, ?)", own)
        conn.executemany(
            "INSERT INTO matter_events (matter_id, at, actor_id, actor_name, action, from_state, to_state, note, data)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            events,
        )
        conn.executemany("INSERT INTO matter_import_keys (kind, key, matter_id) VALUES (?, ?, ?)", keys)
    conn.execute("COMMIT")
    elapsed = time.perf_counter() - t0
    conn.close()
    target.unlink()
    return elapsed


def _in_import_order(raw: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """The rows as the import writes them: by time of receipt, ids and serials given in that order."""
    out, seqs = [], dict[int, int]()
    for i, r in enumerate(sorted(raw, key=lambda r: (r[14], r[0])), start=1):
        seqs[r[3]] = seq = seqs.get(r[3], 0) + 1
        out.append((i, r[1], f"测-{r[3]}-{seq:06d}", r[3], seq, *r[5:]))
    return out


def run(tmpdir: Path | str, rows: int = 1_000_000, repeats: int = 1) -> dict[str, float]:
    """Import ``rows`` generated matters and insert them raw (best of ``repeats``); rates in rows/s, times in s."""
    tmp = Path(tmpdir)
    template = _template(tmp)
    with sqlite3.connect(template) as conn:
        units = dict(conn.execute("SELECT code, id FROM units").fetchall())
    csv_path = tmp / "matters.csv"
    with csv_path.open("w", encoding="utf-8", newline="") as f:
        f.write(HEADER)
        f.writelines(line for line, _raw in _matters(units, rows))
    rss_start = _peak_rss_mb()
    runs = [_import(template, tmp / "import.db", csv_path) for _ in range(repeats)]
    rss_import = _peak_rss_mb()
    best = min(runs, key=lambda r: r["total"])
    raw = [r for _line, r in _matters(units, rows)]
    file_order = min(_baseline(template, tmp / "raw.db", raw) for _ in range(repeats))
    raw = _in_import_order(raw)
    import_order = min(_baseline(template, tmp / "raw.db", raw) for _ in range(repeats))
    raw_best = min(file_order, import_order)
    everything = min(_baseline(template, tmp / "raw.db", raw, everything=True) for _ in range(repeats))
    return {
        "rows": rows,
        "import_s": best["total"],
        "import_rows_per_s": rows / best["total"],
        "import_read_and_check_s": best["check"],
        "import_write_s": best["write"],
        "import_commit_s": best["commit"],
        "raw_file_order_s": file_order,
        "raw_import_order_s": import_order,
        "raw_rows_per_s": rows / raw_best,
        "ratio": raw_best / best["total"],
        "ratio_vs_file_order": file_order / best["total"],
        "raw_all_tables_s": everything,
        "ratio_vs_all_tables": everything / best["total"],
        "csv_mb": csv_path.stat().st_size / 1e6,
        "peak_rss_before_import_mb": rss_start,
        "peak_rss_mb": rss_import,
    }


if __name__ == "__main__":
    import tempfile

    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    with tempfile.TemporaryDirectory() as d:
        for k, v in run(d, n, repeats).items():
            print(f"{k:<28} {v:12.2f}")
