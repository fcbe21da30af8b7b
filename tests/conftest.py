"""Shared fixtures. Database tests run on SQLite and, when ZHENGWU_TEST_POSTGRES_URL is set, on PostgreSQL."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import Connection, make_url

from zhengwu.core.clock import FakeClock
from zhengwu.core.db import Actor, Database
from zhengwu.core.migrate import upgrade
from zhengwu.core.org import auth
from zhengwu.core.org.auth import load_principal
from zhengwu.core.org.model import Principal
from zhengwu.core.org.tables import Role, Unit, User
from zhengwu.core.settings import Settings
from zhengwu.demo import seed_core
from zhengwu.schema import insert_reference_data, metadata

if TYPE_CHECKING:
    from tests.support.demo_db import DemoDatabases

PG_URL = os.environ.get("ZHENGWU_TEST_POSTGRES_URL", "")
PASSWORD = "Zhengwu@2024"
ENGINES = ["sqlite", pytest.param("postgresql", marks=pytest.mark.skipif(not PG_URL, reason="无 PostgreSQL"))]

auth.use_fast_hasher()


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "engines(*names): run only on these engines; the test's runs on the others are deselected"
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Deselect the runs of a test marked ``engines(...)`` on an engine it does not name."""
    kept: list[pytest.Item] = []
    dropped: list[pytest.Item] = []
    for item in items:
        marker = item.get_closest_marker("engines")
        callspec = getattr(item, "callspec", None)
        params = callspec.params.values() if marker is not None and callspec is not None else ()
        engine = next((value for value in params if isinstance(value, str) and value in ("sqlite", "postgresql")), None)
        (dropped if marker is not None and engine is not None and engine not in marker.args else kept).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated and seeded SQLite file, copied for each test."""
    path = tmp_path_factory.mktemp("template") / "zhengwu.db"
    db = Database(f"sqlite:///{path}")
    upgrade(db.engine)
    with db.uow(Actor(None, "测试数据")) as uow:
        seed_core(uow, PASSWORD)
        uow.commit()
    with db.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    db.dispose()
    return path


@contextmanager
def scratch_postgres(prefix: str = "zw_test") -> Iterator[str]:
    """A new PostgreSQL database with a unique name (so parallel workers never meet), migrated; dropped afterwards."""
    base = make_url(PG_URL)
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = base.set(database=name).render_as_string(hide_password=False)
    try:
        db = Database(url)
        upgrade(db.engine)
        db.dispose()
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@contextmanager
def own_database(engine: str, request: pytest.FixtureRequest, prefix: str) -> Iterator[str]:
    """A migrated and seeded database of its own on ``engine`` (``"sqlite"``, ``"postgresql"``), for a fixture wider
    than a test: a copy of the SQLite template, or a new PostgreSQL database (dropped afterwards) rather than
    ``pg_database``, which the tests of ``db_url`` empty and reseed between them."""
    if engine == "sqlite":
        path = request.getfixturevalue("tmp_path_factory").mktemp(prefix) / "zhengwu.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite:///{path}"
        return
    with scratch_postgres(prefix) as url:
        reset_postgres(url)
        yield url


@pytest.fixture(scope="session")
def pg_database() -> Iterator[str]:
    """A throwaway PostgreSQL database, migrated once; each test empties and reseeds it."""
    with scratch_postgres() as url:
        yield url


#: The schema in each test database that keeps the seeded rows and sequence values, to restore them from.
SEED = "zw_seed"


def reset_postgres(url: str, prepare: Callable[[str], None] | None = None, snapshot: str = "") -> None:
    """Bring the database back to what a fresh migrated and seeded one holds: the demo organisations, plus what
    ``prepare(url)`` adds to them, if given (then kept under the schema name ``snapshot``).

    The first call empties every table, seeds (and prepares) through the application and copies the rows and the
    sequence values into a schema of their own; later calls delete every row (children first) and copy those back,
    on the server in one transaction: several times faster than TRUNCATE and seeding again.
    """
    if prepare is None:
        _restore_or_build(url, SEED, lambda: _seed(url))
    else:
        _restore_or_build(url, f"{SEED}_{snapshot}", lambda: _seed_and_prepare(url, prepare))


def _seed_and_prepare(url: str, prepare: Callable[[str], None]) -> None:
    reset_postgres(url)
    prepare(url)


def _seed(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        tables = ", ".join(f'public."{name}"' for name in _public_tables(conn))
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        conn.execute(text("INSERT INTO audit_head (id, last_id, last_hash) VALUES (1, 0, :h)"), {"h": "0" * 64})
        insert_reference_data(conn)
    engine.dispose()
    db = Database(url)
    with db.uow(Actor(None, "测试数据")) as uow:
        seed_core(uow, PASSWORD)
        uow.commit()
    db.dispose()


def _restore_or_build(url: str, schema: str, build: Callable[[], object]) -> None:
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            if conn.scalar(text("SELECT count(*) FROM pg_namespace WHERE nspname = :s"), {"s": schema}):
                conn.exec_driver_sql(_restore_sql(conn, schema))
                return
        build()
        with engine.begin() as conn:
            conn.exec_driver_sql(_snapshot_sql(conn, schema))
    finally:
        engine.dispose()


def _public_tables(conn: Connection) -> list[str]:
    """The tables of the public schema, children before the tables they refer to (unknown ones first)."""
    present = set(conn.scalars(text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")))
    present.discard("alembic_version")
    known = [t.name for t in reversed(metadata.sorted_tables) if t.name in present]
    return sorted(present - set(known)) + known


def _snapshot_sql(conn: Connection, schema: str) -> str:
    statements = [f'CREATE SCHEMA "{schema}"']
    for name in _public_tables(conn):
        statements.append(f'CREATE TABLE "{schema}"."{name}" AS SELECT * FROM public."{name}"')
    statements.append(
        f'CREATE TABLE "{schema}".zw_sequences AS SELECT sequencename, last_value FROM pg_sequences'
        " WHERE schemaname = 'public'"
    )
    return ";\n".join(statements)


def _restore_sql(conn: Connection, schema: str) -> str:
    tables = _public_tables(conn)
    saved = set(conn.scalars(text("SELECT tablename FROM pg_tables WHERE schemaname = :s"), {"s": schema}))
    statements = [f'DELETE FROM public."{name}"' for name in tables]
    statements += [
        f'INSERT INTO public."{name}" OVERRIDING SYSTEM VALUE SELECT * FROM "{schema}"."{name}"'
        for name in reversed(tables)
        if name in saved
    ]
    statements.append(
        "SELECT setval('public.' || quote_ident(s.sequencename), coalesce(z.last_value, s.start_value),"
        f' z.last_value IS NOT NULL) FROM pg_sequences s LEFT JOIN "{schema}".zw_sequences z USING (sequencename)'
        " WHERE s.schemaname = 'public'"
    )
    return ";\n".join(statements)


@pytest.fixture
def clock() -> FakeClock:
    # 2024-06-20 09:00 Beijing time: the day the Fenghuang commission received the S256 report.
    return FakeClock(datetime(2024, 6, 20, 1, 0, tzinfo=UTC))


@pytest.fixture(params=ENGINES)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")
        target = tmp_path / "zhengwu.db"
        shutil.copy(template, target)
        return f"sqlite:///{target}"
    url: str = request.getfixturevalue("pg_database")
    reset_postgres(url)
    return url


@pytest.fixture
def db(db_url: str, clock: FakeClock) -> Iterator[Database]:
    database = Database(db_url, clock)
    yield database
    database.dispose()


@pytest.fixture
def settings(db_url: str) -> Settings:
    return Settings(database_url=db_url, secret_key="test-secret", _env_file=None)


@pytest.fixture
def app_client(settings: Settings, db: Database) -> Iterator[TestClient]:
    with TestClient(shared_app(settings, db)) as client:
        yield client


#: One application per distinct settings (the database URL aside), by their JSON: see ``shared_app``.
_APPS: dict[str, FastAPI] = {}


def shared_app(settings: Settings, db: Database) -> FastAPI:
    """The application of ``create_app(settings, db)``, built once per test process for equal settings (whatever
    their database URL) and pointed at ``settings`` and ``db`` for this test.

    FastAPI builds the request models of an application's routes on the first request that reaches them: about
    0.3 s for a fresh application's first request to a late route, which every test paid. The application keeps
    nothing else between requests — pages and routes read the database and the settings from ``app.state`` on each
    request — so a test gets the same application as a fresh one; the middlewares' options (cookie flag, body
    limits) come from the settings that are part of the key.
    """
    from zhengwu.core import crypto
    from zhengwu.web.app import create_app

    key = settings.model_dump_json(exclude={"database_url"})
    app = _APPS.get(key)
    if app is None:
        app = _APPS[key] = create_app(settings, db)
        return app
    if crypto.installed(db.engine) is None:  # as create_app does for a database given without a keyring
        crypto.install(db.engine, crypto.Keyring.from_settings(settings))
    app.state.settings = settings
    app.state.db = db
    return app


def login(client: TestClient, username: str, password: str = PASSWORD) -> TestClient:
    """Log ``client`` in through the real form (CSRF included); returns the client."""
    client.get("/login")
    token = client.cookies.get("zw_csrf")
    r = client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": token},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    return client


def api_login(client: TestClient, username: str, password: str = PASSWORD) -> TestClient:
    """``client`` switched to ``username`` for the JSON API: the previous user's cookies and CSRF header dropped,
    logged in through the real form, the CSRF token sent in the header of every request; returns the client."""
    client.cookies.clear()
    client.headers.pop("X-CSRF-Token", None)
    login(client, username, password)
    client.headers["X-CSRF-Token"] = csrf(client)
    return client


def csrf(client: TestClient) -> str:
    token: str | None = client.cookies.get("zw_csrf")
    assert token
    return token


# ---------------------------------------------------------------- look-ups of the seeded records


def unit_id(db: Database, code: str) -> int:
    with db.reading() as s:
        found = s.scalar(select(Unit.id).where(Unit.code == code))
    assert found is not None, code
    return found


def user_id(db: Database, username: str) -> int:
    with db.reading() as s:
        found = s.scalar(select(User.id).where(User.username == username))
    assert found is not None, username
    return found


def role_ids(db: Database) -> dict[str, int]:
    with db.reading() as s:
        return {code: id_ for code, id_ in s.execute(select(Role.code, Role.id))}


def role_id(db: Database, code: str) -> int:
    return role_ids(db)[code]


def principal(db: Database, username: str) -> Principal:
    """The principal of a seeded user, as a request would load it."""
    with db.reading() as s:
        found = load_principal(s, user_id(db, username))
    assert found is not None, username
    return found


@pytest.fixture(scope="session")
def demo_dbs(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path) -> Iterator[DemoDatabases]:
    """``zhengwu demo`` on an engine (``"sqlite"``, ``"postgresql"``), built once per worker on first use and read
    only (tests/support/demo_db.py)."""
    from tests.support.demo_db import DemoDatabases

    with ExitStack() as stack:
        yield DemoDatabases(tmp_path_factory, sqlite_template, stack)
