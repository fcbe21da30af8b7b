"""``zhengwu demo`` built once per engine per test worker, for the modules that count the demo's records
(tests/e2e/test_demo_*.py). Those modules share the xdist group ``DEMO_GROUP``, so one worker runs them all and
builds each engine's demo once; the fixture ``demo_dbs`` (in tests/conftest.py) hands out the databases."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager

import pytest

from tests.conftest import scratch_postgres
from zhengwu.core import crypto
from zhengwu.core.db import Database
from zhengwu.core.settings import Settings
from zhengwu.demo import build_demo

DEMO_GROUP = "demo"


@contextmanager
def demo_databases(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[[str], Database]]:
    """A function giving the demo's database on ``"sqlite"`` or ``"postgresql"``, built on first use."""
    built: dict[str, Database] = {}
    with ExitStack() as stack:

        def get(engine: str) -> Database:
            if engine not in built:
                if engine == "postgresql":
                    url = stack.enter_context(scratch_postgres("zw_demo"))
                else:
                    url = f"sqlite:///{tmp_path_factory.mktemp('demo') / 'demo.db'}"
                settings = Settings(database_url=url, secret_key="demo-secret", _env_file=None)  # type: ignore[call-arg]
                build_demo(settings)
                built[engine] = Database(settings.database_url, keyring=crypto.Keyring.from_settings(settings))
                stack.callback(built[engine].dispose)
            return built[engine]

        yield get
