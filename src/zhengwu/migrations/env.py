"""Alembic environment: the URL and an optional open connection come from ``zhengwu.core.migrate``."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine, pool

from zhengwu.schema import metadata

config = context.config


def include_object(obj: object, name: str | None, type_: str, reflected: bool, compare_to: object) -> bool:
    """Tables that tests define for themselves (``info={"test_only": True}``) are not part of the schema."""
    return not (type_ == "table" and getattr(obj, "info", {}).get("test_only"))


def _configure(connection: object) -> None:
    context.configure(
        connection=connection,  # type: ignore[arg-type]
        target_metadata=metadata,
        render_as_batch=True,
        compare_type=True,
        include_object=include_object,
    )


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = create_engine(config.get_main_option("sqlalchemy.url") or "", poolclass=pool.NullPool)
    with engine.connect() as conn:
        _configure(conn)
        with context.begin_transaction():
            context.run_migrations()


run_migrations_online()
