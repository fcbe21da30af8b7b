"""Shared fixtures. Database tests run on SQLite and, when ZHENGWU_TEST_POSTGRES_URL is set, on PostgreSQL."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

from zhengwu.core.clock import FakeClock
from zhengwu.core.db import Actor, Database
from zhengwu.core.migrate import upgrade
from zhengwu.core.org import auth
from zhengwu.core.org.auth import load_principal
from zhengwu.core.org.model import Principal
from zhengwu.core.org.tables import Role, Unit, User
from zhengwu.core.settings import Settings
from zhengwu.demo import seed_core
from zhengwu.schema import metadata

PG_URL = os.environ.get("ZHENGWU_TEST_POSTGRES_URL", "")
PASSWORD = "Zhengwu@2024"
ENGINES = ["sqlite", pytest.param("postgresql", marks=pytest.mark.skipif(not PG_URL, reason="无 PostgreSQL"))]

auth.use_fast_hasher()


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


@pytest.fixture(scope="session")
def pg_database() -> Iterator[str]:
    """A throwaway PostgreSQL database, migrated once; each test empties and reseeds it."""
    base = make_url(PG_URL)
    name = f"zw_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = base.set(database=name).render_as_string(hide_password=False)
    db = Database(url)
    upgrade(db.engine)
    db.dispose()
    try:
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def reset_postgres(url: str) -> None:
    """Empty every table and reseed the demo organisations (as a fresh migrated database would hold them)."""
    engine = create_engine(url)
    tables = ", ".join(f'"{t.name}"' for t in metadata.sorted_tables if not t.info.get("test_only"))
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        conn.execute(text("INSERT INTO audit_head (id, last_id, last_hash) VALUES (1, 0, :h)"), {"h": "0" * 64})
    engine.dispose()
    db = Database(url)
    with db.uow(Actor(None, "测试数据")) as uow:
        seed_core(uow, PASSWORD)
        uow.commit()
    db.dispose()


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
    return Settings(database_url=db_url, secret_key="test-secret", _env_file=None)  # type: ignore[call-arg]


@pytest.fixture
def app_client(settings: Settings, db: Database) -> Iterator[TestClient]:
    from zhengwu.web.app import create_app

    with TestClient(create_app(settings, db)) as client:
        yield client


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


def csrf(client: TestClient) -> str:
    token = client.cookies.get("zw_csrf")
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
