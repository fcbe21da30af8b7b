"""Every ORM table of the platform, imported so ``Base.metadata`` is complete (for Alembic and tests)."""

from zhengwu.core.audit import tables as audit_tables
from zhengwu.core.calendar import tables as calendar_tables
from zhengwu.core.db import Base
from zhengwu.core.matters import tables as matters_tables
from zhengwu.core.org import tables as org_tables
from zhengwu.inspection import tables as inspection_tables
from zhengwu.requests import tables as requests_tables
from zhengwu.valuation import tables as valuation_tables

metadata = Base.metadata

__all__ = [
    "audit_tables",
    "calendar_tables",
    "inspection_tables",
    "matters_tables",
    "metadata",
    "org_tables",
    "requests_tables",
    "valuation_tables",
]
