"""``zhengwu demo`` built once per engine per test worker, for the modules that count the demo's records
(tests/e2e/test_demo_*.py) and for the test of the command itself (tests/e2e/test_cli_admin.py). Those share the
xdist group ``DEMO_GROUP``, so one worker runs them all and builds each engine's demo once; the fixture ``demo_dbs``
(in tests/conftest.py) hands out the databases.

The SQLite demo is built by the command ``zhengwu demo`` itself, over a copy of the seeded test database holding one
more user (``LEFTOVER``): the command's test reads what it printed and checks that it rebuilt the database from
nothing. The PostgreSQL demo is built by ``build_demo`` on a fresh migrated database.
"""

from __future__ import annotations

import shutil
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from tests.conftest import PASSWORD, scratch_postgres
from zhengwu.core import crypto
from zhengwu.core.db import Actor, Database
from zhengwu.core.org.model import system_principal
from zhengwu.core.org.service import create_user
from zhengwu.core.org.tables import Unit
from zhengwu.core.settings import Settings
from zhengwu.demo import build_demo

DEMO_GROUP = "demo"

#: A user of the database the command rebuilds, which the demo does not have.
LEFTOVER = "leftover"

#: The keys the demo is written and read with, given to the command explicitly (a developer's .env cannot change
#: them): base64 of 32 bytes.
SECRET_KEY = "demo-secret"
DATA_KEY = "emhlbmd3dS1kZW1vLXRlc3QtZGF0YS1rZXktMzJieSE="


@dataclass(frozen=True)
class DemoCommand:
    """What ``zhengwu demo`` answered when it built the SQLite demo."""

    exit_code: int
    output: str


class DemoDatabases:
    """Called with an engine (``"sqlite"``, ``"postgresql"``): the demo's database there, built on first use and
    read only."""

    def __init__(self, tmp_path_factory: pytest.TempPathFactory, seeded: Path, stack: ExitStack) -> None:
        self._tmp = tmp_path_factory
        self._seeded = seeded
        self._stack = stack
        self._built: dict[str, Database] = {}
        self._command: DemoCommand | None = None

    def __call__(self, engine: str) -> Database:
        if engine not in self._built:
            url = self._build_sqlite() if engine == "sqlite" else self._build_postgres()
            settings = _settings(url)
            self._built[engine] = Database(url, keyring=crypto.Keyring.from_settings(settings))
            self._stack.callback(self._built[engine].dispose)
        return self._built[engine]

    def command(self) -> DemoCommand:
        """The run of ``zhengwu demo`` that built the SQLite demo (building it if not yet done)."""
        self("sqlite")
        assert self._command is not None
        return self._command

    def _build_sqlite(self) -> str:
        path = self._tmp.mktemp("demo") / "demo.db"
        shutil.copy(self._seeded, path)
        url = f"sqlite:///{path}"
        _add_leftover(url)
        from zhengwu.cli import app

        env = {"ZHENGWU_DATABASE_URL": url, "ZHENGWU_SECRET_KEY": SECRET_KEY, "ZHENGWU_DATA_KEY": DATA_KEY}
        result = CliRunner().invoke(app, ["demo"], env=env)
        self._command = DemoCommand(result.exit_code, result.output)
        assert result.exit_code == 0, result.output
        return url

    def _build_postgres(self) -> str:
        url = self._stack.enter_context(scratch_postgres("zw_demo"))
        build_demo(_settings(url))
        return url


def _settings(url: str) -> Settings:
    return Settings(database_url=url, secret_key=SECRET_KEY, data_key=DATA_KEY, _env_file=None)


def _add_leftover(url: str) -> None:
    db = Database(url)
    with db.uow(Actor(None, "测试数据")) as uow:
        fh = uow.session.scalar(select(Unit.id).where(Unit.code == "fh"))
        assert fh is not None
        create_user(
            uow, system_principal(), username=LEFTOVER, full_name="旧数据", unit_id=fh, password=PASSWORD, role_ids=[]
        )
        uow.commit()
    db.dispose()
