"""Migrations build exactly the schema the models describe, on SQLite and PostgreSQL, and can be rolled back."""

from __future__ import annotations

from sqlalchemy import inspect

from zhengwu.core.db import Database
from zhengwu.core.migrate import downgrade, drift, upgrade
from zhengwu.schema import metadata


def test_the_migrated_schema_matches_the_models(db: Database) -> None:
    assert drift(db.engine) == []


def test_every_model_table_exists_after_migrating(db: Database) -> None:
    schema = {t.name for t in metadata.sorted_tables if not t.info.get("test_only")}
    assert schema <= set(inspect(db.engine).get_table_names())


def test_downgrading_to_nothing_and_upgrading_again_rebuilds_the_schema(db: Database) -> None:
    db.dispose()
    upgrade(db.engine, "head")  # already at head: a no-op
    for table in metadata.sorted_tables:  # tables that tests made for themselves are not the migrations' to drop
        if table.info.get("test_only"):
            table.drop(db.engine, checkfirst=True)
    downgrade(db.engine, "base")
    assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
    upgrade(db.engine)
    assert drift(db.engine) == []
