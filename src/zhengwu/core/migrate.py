"""Running Alembic from code: upgrade, drift check, and building a fresh database."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy import Connection, Engine, MetaData, inspect

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


@contextmanager
def migrating(engine: Engine) -> Iterator[Connection]:
    """A connection for schema changes. SQLite checks foreign keys off meanwhile, as Alembic's batch mode needs
    (a table is rebuilt by copy and rename) and as dropping a self-referencing table requires."""
    with engine.connect() as conn:
        raw: Any = conn.connection.driver_connection if engine.dialect.name == "sqlite" else None
        if raw is not None:
            raw.execute("PRAGMA foreign_keys=OFF")  # outside any transaction, where SQLite honours it
        try:
            with conn.begin():
                yield conn
        finally:
            if raw is not None:
                raw.execute("PRAGMA foreign_keys=ON")


def upgrade(engine: Engine, revision: str = "head") -> None:
    cfg = alembic_config(str(engine.url.render_as_string(hide_password=False)))
    with migrating(engine) as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)


def downgrade(engine: Engine, revision: str) -> None:
    cfg = alembic_config(str(engine.url.render_as_string(hide_password=False)))
    with migrating(engine) as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, revision)


def _schema_object(obj: object, name: str | None, type_: str, reflected: bool, compare_to: object) -> bool:
    """Tables that tests define for themselves (``info={"test_only": True}``) are not part of the schema."""
    return not (type_ == "table" and getattr(obj, "info", {}).get("test_only"))


def drift(engine: Engine) -> list[object]:
    """Differences between the ORM models and the database (empty when migrations match the models)."""
    from zhengwu.schema import metadata

    with engine.connect() as conn:
        opts = {"compare_type": True, "render_as_batch": True, "include_object": _schema_object}
        ctx = MigrationContext.configure(conn, opts=opts)
        return list(compare_metadata(ctx, metadata))


def drop_everything(engine: Engine) -> None:
    """Remove every table (with the Alembic version table) so the database can be rebuilt from scratch."""
    meta = MetaData()
    meta.reflect(engine)
    with migrating(engine) as conn:
        meta.drop_all(conn)
    assert not inspect(engine).get_table_names()
