"""Data and workloads for the benchmarks (see ``benchmarks/__main__.py``)."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import chinese_calendar
from sqlalchemy import func, insert, select
from sqlalchemy.orm import sessionmaker

from zhengwu.core.audit.service import verify
from zhengwu.core.audit.tables import AuditEntry
from zhengwu.core.calendar.model import WorkingCalendar
from zhengwu.core.db import Actor, Database
from zhengwu.core.migrate import upgrade
from zhengwu.core.org import auth
from zhengwu.core.org.auth import load_principal
from zhengwu.core.org.lists import USERS
from zhengwu.core.org.model import Principal
from zhengwu.core.org.tables import Unit, User
from zhengwu.demo import seed_core
from zhengwu.web.listing import fetch_page, statement


def calendar() -> WorkingCalendar:
    return WorkingCalendar.builtin()


def naive_between(a: date, b: date) -> int:
    n, d = 0, a
    while d < b:
        d += timedelta(days=1)
        n += chinese_calendar.is_workday(d)
    return n


def naive_add(start: date, n: int) -> date:
    d = start
    while n:
        d += timedelta(days=1)
        if chinese_calendar.is_workday(d):
            n -= 1
    return d


def org_database(path: Path, towns: int, villages: int, users_per_unit: int) -> tuple[Database, Principal]:
    """The demo organisations plus, under 凤凰县 and 吉首市, towns with villages and users in each."""
    auth.use_fast_hasher()
    db = Database(f"sqlite:///{path}")
    upgrade(db.engine)
    with db.uow(Actor(None, "基准")) as uow:
        seed_core(uow, "Bench@2024")
        uow.commit()
    pw = auth.hash_password("Bench@2024")
    with db.engine.begin() as conn:
        counties = dict(conn.execute(select(Unit.code, Unit.id).where(Unit.code.in_(["fh", "js"]))).all())
        paths = dict(conn.execute(select(Unit.id, Unit.path)).all())
        next_id = (conn.scalar(select(func.max(Unit.id))) or 0) + 1
        units, users = [], []
        for code, county in counties.items():
            for t in range(towns):
                town_id = next_id
                next_id += 1
                paths[town_id] = f"{paths[county]}{town_id}/"
                units.append(
                    {
                        "id": town_id,
                        "code": f"{code}-t{t}",
                        "name": f"{code}镇{t}",
                        "kind": "town",
                        "parent_id": county,
                        "path": paths[town_id],
                        "active": True,
                        "version": 1,
                    }
                )
                for v in range(villages):
                    vid = next_id
                    next_id += 1
                    units.append(
                        {
                            "id": vid,
                            "code": f"{code}-t{t}-v{v}",
                            "name": f"{code}镇{t}村{v}",
                            "kind": "village",
                            "parent_id": town_id,
                            "path": f"{paths[town_id]}{vid}/",
                            "active": True,
                            "version": 1,
                        }
                    )
        for u in units:
            for k in range(users_per_unit):
                users.append(
                    {
                        "username": f"{u['code']}-u{k}",
                        "full_name": f"用户{k}",
                        "unit_id": u["id"],
                        "password_hash": pw,
                        "active": True,
                        "failed_logins": 0,
                        "version": 1,
                    }
                )
        conn.execute(insert(Unit), units)
        conn.execute(insert(User), users)
    with db.reading() as session:
        fh_admin = session.scalar(select(User.id).where(User.username == "fh_admin"))
        principal = load_principal(session, fh_admin or 0)
    assert principal is not None
    return db, principal


def list_queries(db: Database, county_admin: Principal) -> tuple[Callable[[], Any], Callable[[], Any]]:
    with db.reading() as session:
        admin = load_principal(session, session.scalar(select(User.id).where(User.username == "admin")) or 0)

    def page(principal: Principal | None) -> Callable[[], Any]:
        def run() -> Any:
            with db.reading() as session:
                return fetch_page(session, USERS, principal, {"sort": "username", "page": "3"}, 50)

        return run

    return page(county_admin), page(admin)


def user_count(db: Database) -> int:
    with db.reading() as session:
        return session.scalar(select(func.count()).select_from(User)) or 0


def export_vs_fetch(db: Database) -> tuple[Callable[[], Any], Callable[[], Any]]:
    from openpyxl import Workbook

    with db.reading() as session:
        admin = load_principal(session, session.scalar(select(User.id).where(User.username == "admin")) or 0)
    stmt, _ = statement(USERS, admin, {})

    def export() -> int:
        # The same path as web.listing.export_xlsx, minus the HTTP response.
        wb = Workbook(write_only=True)
        ws = wb.create_sheet("用户")
        with db.reading() as session:
            for row in session.execute(stmt.execution_options(yield_per=1000)):
                ws.append([c.show(row) for c in USERS.columns])
        out = io.BytesIO()
        wb.save(out)
        return out.tell()

    def fetch() -> int:
        with db.reading() as session:
            return len(list(session.execute(stmt)))

    return export, fetch


def audit_overhead(tmp: Path) -> tuple[Callable[[], Any], Callable[[], Any], Database]:
    audited = Database(f"sqlite:///{tmp}/audited.db")
    upgrade(audited.engine)
    plain = Database(f"sqlite:///{tmp}/plain.db")
    upgrade(plain.engine)
    plain.sessions = sessionmaker(plain.engine, expire_on_commit=False)  # no audit listeners
    counter = iter(range(10**9))

    def run(db: Database) -> Callable[[], None]:
        def go() -> None:
            batch = next(counter)
            with db.uow() as uow:
                for i in range(500):
                    uow.session.add(Unit(code=f"b{batch}-{i}", name=f"单位{i}", kind="other", path=""))
                uow.commit()

        return go

    return run(audited), run(plain), audited


def audit_count(db: Database) -> int:
    with db.reading() as session:
        return session.scalar(select(func.count()).select_from(AuditEntry)) or 0


def verify_vs_scan(db: Database) -> tuple[Callable[[], Any], Callable[[], Any]]:
    def run_verify() -> Any:
        with db.reading() as session:
            return verify(session)

    def scan() -> int:
        with db.reading() as session:
            return sum(1 for _ in session.scalars(select(AuditEntry).execution_options(yield_per=2000)))

    return run_verify, scan
