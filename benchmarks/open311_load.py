"""Open311 ``GET /open311/v2/requests.json`` under 50 concurrent clients, against a trivial endpoint of the same server.

``run(tmpdir, requests)`` prepares a SQLite database of ``requests`` public requests (``prepare``), starts the real
server on it (uvicorn, one process, a free port on 127.0.0.1, access log off) and drives it with locust, headless:
50 users that each send their next request as soon as the last one answered (no think time), all spawned at once
(within a tenth of a second), statistics reset once they are all running, for ``seconds`` seconds. It runs twice
against the same server: first the baseline, the Open311 discovery document (no database work: what the stack
costs, routing, middleware, JSON), then the measured call, as the GeoReport v2 spec writes it::

    /open311/v2/requests.json?service_code=<a service>&status=open&page=1&page_size=50

with a service code drawn at random, per call, from the server's own ``services.json``. Reported: p50 and p95
latency (ms, locust's percentiles, which it rounds to two significant digits above 100 ms) and requests/s of both,
and their ratios, which isolate the cost of our query. Locust runs in its own process on the same machine as the
server, so both share its cores; locust's numbers count from the moment all 50 users run.

The database: ``SEED`` requests are taken in through ``receive_request`` (the service layer, in batches), from the
channels in ``CHANNELS`` (about a third from public channels: the web form and Open311) over a week, then copied in
SQL until there are ``requests`` of them, each copy a week earlier than the last (100,000 requests span about two
years), and their states set in SQL to the mix a county hotline has: the last ten weeks' in every state, older ones
nearly all closed (``RECENT_STATES``, ``OLD_STATES``). Run ``python -m benchmarks.open311_load [requests]
[seconds]`` for a quick look. Without the Open311 routes, ``run`` returns ``{"skipped": <why>}``.
"""

from __future__ import annotations

import base64
import csv
import json
import os
import random
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from benchmarks import requests_intake
from zhengwu.core.clock import FakeClock
from zhengwu.core.db import Actor, Database
from zhengwu.requests.service import receive_request

PATH = "/open311/v2/requests.json"
QUERY = "status=open&page=1&page_size=50"
BASELINES = ("/open311/v2/discovery.json", "/open311/v2/services.json")
USERS = 50
SEED = 1_000
#: (channel, share in percent): a county 12345 hotline still hears most by phone.
CHANNELS = (("phone", 55), ("web", 25), ("open311", 10), ("walk_in", 5), ("letter", 5))
#: (state, share in percent) of the last ``RECENT_DAYS`` days' requests, and of older ones (a few overdue).
RECENT_STATES = (
    ("received", 5),
    ("accepted", 5),
    ("dispatched", 10),
    ("handling", 25),
    ("resolved", 15),
    ("closed", 34),
    ("declined", 6),
)
OLD_STATES = (("handling", 1), ("resolved", 2), ("closed", 91), ("declined", 6))
RECENT_DAYS = 70
#: The seed's requests arrive over a week; each copy is a week earlier than the last.
WEEK_MINUTES = 7 * 24 * 60
#: A request is resolved six days after it came in, and closed three days later (SQLite date modifiers).
SIX_DAYS, NINE_DAYS = "'+6 days'", "'+9 days'"
LOCUSTFILE = """
import random
from locust import FastHttpUser, constant, task

PATHS = {paths!r}


class Client(FastHttpUser):
    wait_time = constant(0)

    @task
    def get(self):
        self.client.get(random.choice(PATHS), name="{name}")
"""


def prepare(tmp: Path, requests: int = 100_000, now: datetime | None = None) -> Path:
    """A SQLite database of ``requests`` requests up to ``now`` (default: the real time, as the server's clock
    decides the list's default window of 90 days); see the module's docstring. Returns its path."""
    now = now or datetime.now(UTC).replace(second=0, microsecond=0)
    template = requests_intake.template(tmp)
    path = tmp / "open311.db"
    template.rename(path)
    db = Database(f"sqlite:///{path}", FakeClock(now), requests_intake.keyring())
    who = requests_intake.clerk(db)
    values = requests_intake.inputs(requests_intake.subject_ids(db), min(SEED, requests), seed=311)
    channels = [c for c, share in CHANNELS for _ in range(share)]
    rnd = random.Random(311)
    for i, v in enumerate(values):
        v["channel"] = channels[(i * 37) % len(channels)]
        v["received_at"] = now - timedelta(minutes=rnd.randrange(WEEK_MINUTES))
    for start in range(0, len(values), 250):
        with db.uow(Actor(who.user_id, who.full_name)) as uow:
            for v in values[start : start + 250]:
                receive_request(uow, who, **v)
            uow.commit()
    db.dispose()
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        _copy(conn, requests, now)
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()
    return path


def _states(shares: tuple[tuple[str, int], ...]) -> str:
    """SQL choosing a state for each row by its id, in the given shares (percent)."""
    cases, low = [], 0
    for state, share in shares:
        low += share
        cases.append(f"WHEN (id * 7919) % 100 < {low} THEN '{state}'")
    return f"CASE {' '.join(cases)} END"


def _columns(conn: sqlite3.Connection, table: str) -> list[str]:
    return [row[1] for row in conn.execute(f'PRAGMA table_info("{table}")')]


def _shifted(column: str, by: str) -> str:
    """SQL for ``column`` moved ``by`` (an SQLite modifier), kept in the text form SQLAlchemy stores (with µs)."""
    return f"strftime('%Y-%m-%d %H:%M:%S', {column}, {by}) || substr({column}, 20)"


def _copy(conn: sqlite3.Connection, total: int, now: datetime) -> None:
    """Copy the requests taken in until there are ``total``, then set their states (``RECENT_STATES``,
    ``OLD_STATES``; their history is left as taken in)."""
    conn.execute("BEGIN")
    seed = conn.execute("SELECT COUNT(*), MAX(id) FROM matters WHERE kind = 'request'").fetchone()
    count, top = seed
    replace = {
        "id": "id + :shift",
        "seq": "seq + :copy * :count",
        "year": "CAST(strftime('%Y', received_at, :days) AS INTEGER)",
        "serial": "printf('诉-%s-%06d', strftime('%Y', received_at, :days), seq + :copy * :count)",
        **{c: _shifted(c, ":days") for c in ("received_at", "created_at", "due_at")},
    }
    matters = _columns(conn, "matters")
    own = _columns(conn, "request_matters")
    events = [c for c in _columns(conn, "matter_events") if c != "id"]
    for copy in range(1, -(-total // count)):
        n = min(count, total - copy * count)
        args = {"shift": copy * top, "copy": copy, "count": count, "days": f"-{copy * 7} days", "n": n, "top": top}
        chosen = "SELECT id FROM matters WHERE kind = 'request' AND id <= :top ORDER BY id LIMIT :n"
        conn.execute(
            f"INSERT INTO matters ({', '.join(matters)}) SELECT {', '.join(replace.get(c, c) for c in matters)} "
            f"FROM matters WHERE id IN ({chosen})",
            args,
        )
        conn.execute(
            f"INSERT INTO request_matters ({', '.join(own)}) SELECT "
            f"{', '.join('id + :shift' if c == 'id' else c for c in own)} FROM request_matters WHERE id IN ({chosen})",
            args,
        )
        conn.execute(
            f"INSERT INTO matter_events ({', '.join(events)}) SELECT "
            f"{', '.join('matter_id + :shift' if c == 'matter_id' else c for c in events)} "
            f"FROM matter_events WHERE matter_id IN ({chosen})",
            args,
        )
    recent = now - timedelta(days=RECENT_DAYS)
    conn.execute(
        f"UPDATE matters SET status = CASE WHEN received_at >= :recent THEN {_states(RECENT_STATES)} "
        f"ELSE {_states(OLD_STATES)} END WHERE kind = 'request'",
        {"recent": recent.strftime("%Y-%m-%d %H:%M:%S")},
    )
    conn.execute(
        f"UPDATE matters SET resolved_at = {_shifted('received_at', SIX_DAYS)} "
        "WHERE kind = 'request' AND status IN ('resolved', 'closed')"
    )
    conn.execute(
        f"UPDATE matters SET closed_at = {_shifted('received_at', NINE_DAYS)} "
        "WHERE kind = 'request' AND status = 'closed'"
    )
    conn.execute("COMMIT")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=30) as r:
            return int(r.status), r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def start_server(db_path: Path, port: int, log: Path) -> subprocess.Popen[bytes]:
    """The application under uvicorn on ``db_path`` (one worker, no access log), once it answers."""
    env = {
        **os.environ,
        "ZHENGWU_DATABASE_URL": f"sqlite:///{db_path}",
        "ZHENGWU_SECRET_KEY": "bench-secret-key-not-for-production",
        "ZHENGWU_DATA_KEY": base64.b64encode(requests_intake.KEY).decode(),
    }
    cmd = [sys.executable, "-m", "uvicorn", "zhengwu.web.app:create_app", "--factory", "--host", "127.0.0.1"]
    cmd += ["--port", str(port), "--no-access-log", "--log-level", "warning"]
    with log.open("wb") as out:
        server = subprocess.Popen(cmd, env=env, stdout=out, stderr=subprocess.STDOUT, cwd=db_path.parent)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"server exited ({server.returncode}): {log.read_text(errors='replace')[-2000:]}")
        try:
            _get(f"http://127.0.0.1:{port}/login")
            return server
        except OSError:
            time.sleep(0.2)
    stop(server)
    raise RuntimeError("server did not answer within 60 s")


def stop(server: subprocess.Popen[bytes]) -> None:
    server.terminate()
    try:
        server.wait(10)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def load(tmp: Path, base: str, paths: list[str], name: str, seconds: float, users: int = USERS) -> dict[str, float]:
    """Locust, headless: ``users`` clients without think time GET ``paths`` (one at random each time)."""
    locustfile = tmp / f"locust_{name}.py"
    locustfile.write_text(LOCUSTFILE.format(paths=paths, name=name), encoding="utf-8")
    prefix = tmp / name
    cmd = [sys.executable, "-m", "locust", "-f", str(locustfile), "--headless", "-u", str(users)]
    cmd += ["-r", str(users * 10)]  # all spawned within a tenth of a second
    cmd += ["-t", f"{max(1, round(seconds))}s", "--host", base, "--csv", str(prefix), "--reset-stats", "--only-summary"]
    cmd += ["--loglevel", "WARNING", "--exit-code-on-error", "0", "--stop-timeout", "5"]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 120, check=False)
    stats = prefix.with_name(f"{name}_stats.csv")
    if done.returncode != 0 or not stats.exists():
        raise RuntimeError(f"locust failed ({done.returncode}): {done.stderr[-2000:]}")
    with stats.open(encoding="utf-8") as f:
        row = next(r for r in csv.DictReader(f) if r["Name"] == "Aggregated")
    if not float(row["Request Count"]):
        raise RuntimeError(f"locust counted no request against {paths[0]} in {seconds} s (too short a run?)")
    return {
        "requests": float(row["Request Count"]),
        "failures": float(row["Failure Count"]),
        "p50_ms": float(row["50%"]),
        "p95_ms": float(row["95%"]),
        "per_s": float(row["Requests/s"]),
    }


def run(tmpdir: Path | str, requests: int = 100_000, seconds: float = 15, users: int = USERS) -> dict[str, Any]:
    """Prepare, serve and load with ``users`` clients (see the module's docstring)."""
    tmp = Path(tmpdir)
    t0 = time.perf_counter()
    db_path = prepare(tmp, requests)
    prepared = time.perf_counter() - t0
    with closing(sqlite3.connect(db_path)) as conn:
        public = conn.execute(
            "SELECT COUNT(*) FROM matters WHERE kind = 'request' AND channel IN ('web', 'open311')"
        ).fetchone()[0]
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = start_server(db_path, port, tmp / "server.log")
    try:
        status, body = _get(f"{base}/open311/v2/services.json")
        if status == 404:
            return {"skipped": "GET /open311/v2/services.json 答复 404：Open311 路由尚未提供"}
        if status != 200:
            raise RuntimeError(f"services.json answered {status}: {body[:300]!r}")
        codes = [s["service_code"] for s in json.loads(body)]
        paths = [f"{PATH}?service_code={c}&{QUERY}" for c in codes]
        status, body = _get(base + paths[0])
        if status == 404:
            return {"skipped": f"GET {PATH} 答复 404：Open311 路由尚未提供"}
        if status != 200 or not isinstance(json.loads(body), list):
            raise RuntimeError(f"{paths[0]} answered {status}: {body[:300]!r}")
        baseline_path = next(p for p in BASELINES if _get(base + p)[0] == 200)
        for path in [*[baseline_path] * 10, *paths]:  # warm up: the first calls compile queries and templates
            _get(base + path)
        baseline = load(tmp, base, [baseline_path], "baseline", seconds, users)
        measured = load(tmp, base, paths, "requests", seconds, users)
    finally:
        stop(server)
    return {
        "requests_in_db": requests,
        "users": users,
        "public_share": public / requests,
        "prepare_s": prepared,
        "services": len(codes),
        "baseline_path": baseline_path,
        **{f"baseline_{k}": v for k, v in baseline.items()},
        **measured,
        "ratio_p50": measured["p50_ms"] / max(baseline["p50_ms"], 1.0),  # locust's times are whole ms
        "ratio_p95": measured["p95_ms"] / max(baseline["p95_ms"], 1.0),
        "ratio_per_s": measured["per_s"] / baseline["per_s"],
    }


if __name__ == "__main__":
    import tempfile

    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    secs = float(sys.argv[2]) if len(sys.argv) > 2 else 15
    with tempfile.TemporaryDirectory() as d:
        for k, v in run(d, n, secs).items():
            print(f"{k:<28} {v}")
