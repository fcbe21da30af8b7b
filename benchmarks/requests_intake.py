"""Intake of public requests through the service layer on SQLite, against the matters engine's raw bulk path.

``run(tmpdir, requests)`` takes ``requests`` generated requests in (every field a clerk fills: channel, type,
subject category, description, address, road code with a kilometre range, coordinates, reporter's name and phone,
one in ten anonymous) through ``receive_request`` as the clerk's intake page does it: one unit of work per request
(open, check every field, write the matter, its request row with the reporter encrypted, its history event and
audit entries, commit; no HTTP: the page's form parsing and redirect are not counted). For information it also
runs the same requests as one documented batch: all in a single unit of work, one commit (how an import or a
replay would do it).

The baseline is the one ``matters_import`` uses for the engine's bulk import: the same ``matters`` rows (read back
from the database intake wrote, so they are exactly what SQLite stores) inserted with one raw sqlite3
``executemany`` in one transaction into a copy of the same empty database. ``ratio`` = intake rate ÷ raw rate.
``ratio_vs_all_tables`` compares with a raw ``executemany`` of every row intake added, in every table (the matters,
the request rows, the history events, the audit entries, the serial counter), prepared beforehand.

Each figure is the best of ``repeats`` runs on a fresh copy of the database. Run
``python -m benchmarks.requests_intake [requests] [repeats]`` for a quick look.
"""

from __future__ import annotations

import random
import shutil
import sqlite3
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select

from zhengwu.core import crypto
from zhengwu.core.clock import FakeClock
from zhengwu.core.db import Actor, Database
from zhengwu.core.migrate import upgrade
from zhengwu.core.org import auth
from zhengwu.core.org.auth import load_principal
from zhengwu.core.org.model import Principal
from zhengwu.core.org.tables import User
from zhengwu.demo import seed_core
from zhengwu.requests import model
from zhengwu.requests.model import CategoryKind
from zhengwu.requests.service import receive_request, seed_categories
from zhengwu.requests.tables import RequestCategory
from zhengwu.schema import metadata

#: 2024-06-20 09:00 Beijing time, the day the Fenghuang commission received the S256 report.
NOW = datetime(2024, 6, 20, 1, 0, tzinfo=UTC)
KEY = bytes(range(32))
CLERK = "bench_hotline"
#: Channels a clerk takes requests from by hand (the intake page's choices).
CLERK_CHANNELS = ("phone", "walk_in", "letter", "web")
ROADS = ("S256", "G209", "X041", "S308")
PLACES = ("腊尔山镇", "禾库镇", "山江镇", "千工坪镇", "沱江镇", "阿拉营镇")
PROBLEMS = ("路面坑洼，雨天积水", "护栏缺失", "路灯不亮", "标线模糊", "边沟堵塞", "落石未清理")


def keyring() -> crypto.Keyring:
    return crypto.Keyring(KEY)


def template(tmp: Path) -> Path:
    """A migrated, seeded SQLite database with the seed categories and a hotline clerk (``CLERK``) of 凤凰县 who
    may receive requests."""
    from tests.support.people import add_users

    auth.use_fast_hasher()
    path = tmp / "template.db"
    db = Database(f"sqlite:///{path}", keyring=keyring())
    upgrade(db.engine)
    with db.uow(Actor(None, "基准")) as uow:
        seed_core(uow, "Bench@2024")
        seed_categories(uow)
        add_users(uow, {CLERK: ("fh", [(model.VIEW, "subtree"), (model.RECEIVE, "unit")])}, "Bench@2024", "bench_")
        uow.commit()
    with db.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    db.dispose()
    return path


def clerk(db: Database) -> Principal:
    with db.reading() as s:
        user_id = s.scalar(select(User.id).where(User.username == CLERK))
        assert user_id is not None
        found = load_principal(s, user_id)
    assert found is not None
    return found


def subject_ids(db: Database) -> list[int]:
    with db.reading() as s:
        return list(s.scalars(select(RequestCategory.id).where(RequestCategory.kind == CategoryKind.SUBJECT)))


def inputs(categories: list[int], n: int, seed: int = 20240620) -> list[dict[str, Any]]:
    """``n`` requests as a clerk would fill them in (deterministic)."""
    rnd = random.Random(seed)
    types = [t.value for t in model.RequestType]
    out = []
    for i in range(n):
        start = rnd.randrange(0, 80_000)
        anonymous = i % 10 == 9
        out.append(
            {
                "channel": CLERK_CHANNELS[i % len(CLERK_CHANNELS)],
                "type": rnd.choice(types),
                "category_id": rnd.choice(categories),
                "description": f"群众反映{rnd.choice(PLACES)}{rnd.choice(PROBLEMS)}，请尽快处理。（第 {i} 件）",
                "address": f"凤凰县{rnd.choice(PLACES)}",
                "road_code": rnd.choice(ROADS),
                "km_from": start,
                "km_to": start + rnd.randrange(0, 2_000),
                "latitude": round(27.9 + rnd.random() * 0.3, 5),
                "longitude": round(109.3 + rnd.random() * 0.3, 5),
                "reporter_name": None if anonymous else f"群众{i % 1000:03d}",
                "reporter_phone": None if anonymous else f"138{i:08d}",
                "anonymous": anonymous,
            }
        )
    return out


def _intake(template_db: Path, target: Path, values: list[dict[str, Any]], batch: bool) -> float:
    """Seconds to take ``values`` in: one unit of work each, or (``batch``) all in one. ``target`` is kept."""
    shutil.copy(template_db, target)
    db = Database(f"sqlite:///{target}", FakeClock(NOW), keyring())
    who = clerk(db)
    actor = Actor(who.user_id, who.full_name)
    t0 = time.perf_counter()
    if batch:
        with db.uow(actor) as uow:
            for v in values:
                receive_request(uow, who, **v)
            uow.commit()
    else:
        for v in values:
            with db.uow(actor) as uow:
                receive_request(uow, who, **v)
                uow.commit()
    elapsed = time.perf_counter() - t0
    db.dispose()
    return elapsed


def _added_rows(template_db: Path, written: Path) -> list[tuple[str, list[str], list[tuple[Any, ...]]]]:
    """Every row ``written`` holds beyond ``template_db``, per table in dependency order (by rowid)."""
    out = []
    with sqlite3.connect(template_db) as before, sqlite3.connect(written) as after:
        for table in metadata.sorted_tables:
            name = table.name
            try:
                last = before.execute(f'SELECT COALESCE(MAX(rowid), 0) FROM "{name}"').fetchone()[0]
                cur = after.execute(f'SELECT * FROM "{name}" WHERE rowid > ? ORDER BY rowid', (last,))
            except sqlite3.OperationalError:  # a table of another module not migrated here
                continue
            rows = cur.fetchall()
            if rows:
                out.append((name, [d[0] for d in cur.description], rows))
    return out


def _raw(template_db: Path, target: Path, tables: list[tuple[str, list[str], list[tuple[Any, ...]]]]) -> float:
    """Raw ``executemany`` of ``tables``' rows, in one transaction, as ``matters_import``'s baseline does."""
    shutil.copy(template_db, target)
    conn = sqlite3.connect(target, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA foreign_keys=ON")
    t0 = time.perf_counter()
    conn.execute("BEGIN")
    for name, columns, rows in tables:
        cols = ", ".join(f'"{c}"' for c in columns)
        conn.executemany(f'INSERT INTO "{name}" ({cols}) VALUES ({", ".join("?" * len(columns))})', rows)
    conn.execute("COMMIT")
    elapsed = time.perf_counter() - t0
    conn.close()
    target.unlink()
    return elapsed


def run(tmpdir: Path | str, requests: int = 2_000, repeats: int = 3) -> dict[str, float]:
    """Take ``requests`` requests in (best of ``repeats``) and insert their rows raw; rates in requests/s."""
    tmp = Path(tmpdir)
    template_db = template(tmp)
    probe = Database(f"sqlite:///{template_db}", keyring=keyring())
    values = inputs(subject_ids(probe), requests)
    probe.dispose()
    written = tmp / "intake.db"
    each = min(_intake(template_db, written, values, batch=False) for _ in range(repeats))
    added = _added_rows(template_db, written)
    batch = min(_intake(template_db, tmp / "batch.db", values, batch=True) for _ in range(repeats))
    matters_only = [t for t in added if t[0] == "matters"]
    assert matters_only and len(matters_only[0][2]) == requests, "intake did not write one matter per request"
    raw = min(_raw(template_db, tmp / "raw.db", matters_only) for _ in range(repeats))
    everything = min(_raw(template_db, tmp / "raw.db", added) for _ in range(repeats))
    return {
        "requests": requests,
        "intake_s": each,
        "intake_per_s": requests / each,
        "batch_s": batch,
        "batch_per_s": requests / batch,
        "raw_s": raw,
        "raw_per_s": requests / raw,
        "ratio": raw / each,
        "ratio_batch": raw / batch,
        "raw_all_tables_s": everything,
        "ratio_vs_all_tables": everything / each,
        "rows_written_per_request": sum(len(rows) for _n, _c, rows in added) / requests,
    }


if __name__ == "__main__":
    import tempfile

    n = int(sys.argv[1]) if len(sys.argv) > 1 else 2_000
    repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    with tempfile.TemporaryDirectory() as d:
        for k, v in run(d, n, repeats).items():
            print(f"{k:<28} {v:12.4f}")
