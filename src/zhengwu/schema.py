"""Every ORM table of the platform, imported so ``Base.metadata`` is complete (for Alembic and tests)."""

from sqlalchemy.engine import Connection

from zhengwu.core.audit import tables as audit_tables
from zhengwu.core.calendar import tables as calendar_tables
from zhengwu.core.db import Base
from zhengwu.core.matters import tables as matters_tables
from zhengwu.core.org import tables as org_tables
from zhengwu.finance import tables as finance_tables
from zhengwu.inspection import tables as inspection_tables
from zhengwu.requests import tables as requests_tables
from zhengwu.valuation import tables as valuation_tables

metadata = Base.metadata


def insert_reference_data(conn: Connection) -> None:
    """Put back the reference data the migrations insert (each system's shipped defaults) into emptied tables."""
    from zhengwu.finance.defaults import insert_defaults as insert_finance_defaults
    from zhengwu.valuation.defaults import insert_defaults

    insert_defaults(conn)
    insert_finance_defaults(conn)


__all__ = [
    "audit_tables",
    "calendar_tables",
    "finance_tables",
    "insert_reference_data",
    "inspection_tables",
    "matters_tables",
    "metadata",
    "org_tables",
    "requests_tables",
    "valuation_tables",
]
