"""Use cases for units, users and roles. Each runs inside the caller's unit of work and re-checks scope there.

The use cases live in one module per subject (``units``, ``users``, ``roles``) next to what they share
(``common``); this package re-exports them, so callers write ``service.create_unit(...)`` as before.
"""

from __future__ import annotations

from zhengwu.core.imports import ImportRejected, decode_upload
from zhengwu.core.org.service.common import CODE_RE, expect_version, parse_kind, require, touch
from zhengwu.core.org.service.roles import GrantInput, grants_from_codes, save_role
from zhengwu.core.org.service.units import (
    UNIT_CSV_COLUMNS,
    UnitRow,
    create_unit,
    import_units,
    parse_unit_csv,
    update_unit,
)
from zhengwu.core.org.service.users import change_own_password, create_user, set_password, update_user

__all__ = [
    "CODE_RE",
    "UNIT_CSV_COLUMNS",
    "GrantInput",
    "ImportRejected",
    "UnitRow",
    "change_own_password",
    "create_unit",
    "create_user",
    "decode_upload",
    "expect_version",
    "grants_from_codes",
    "import_units",
    "parse_kind",
    "parse_unit_csv",
    "require",
    "save_role",
    "set_password",
    "touch",
    "update_unit",
    "update_user",
]
