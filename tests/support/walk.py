"""The permission walk's vocabulary: how to call a route (``Call``) and what each kind of caller must get (``Case``).

The walk itself is tests/e2e/test_route_permissions.py; each area's cases live in ``tests.support.walk_cases``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Table, func, inspect, literal, select, union_all

from zhengwu.core.audit.tables import AuditEntry, AuditHead
from zhengwu.core.db import Database
from zhengwu.schema import metadata

Ids = dict[str, Any]


@dataclass(frozen=True)
class Call:
    method: str
    url: str
    data: dict[str, Any] | None = None
    json: Any = None
    files: dict[str, Any] | None = None
    content: str | None = None


@dataclass(frozen=True)
class Case:
    """How to call a route and what each kind of caller must get."""

    action: str | None  # None: any logged-in user; "public": no login needed
    call: Callable[[Ids], Call]
    granted: str = "admin"  # a user holding the action over the 凤凰县 record
    ok: tuple[int, ...] = (200,)
    outsider: str | None = None  # holds the action, not over that record (None: no record scope applies)
    out_status: tuple[int, ...] = (404,)
    hidden: Callable[[Ids], str] | None = None  # for lists: text that must not reach the outsider
    notes: str = ""
    api: bool = field(default=False)


# ---------------------------------------------------------------- what a call that must write nothing may not change


def tables_of(db: Database) -> list[Table]:
    """Every table of the schema present in ``db`` (the test kind's own table included)."""
    present = set(inspect(db.engine).get_table_names())
    return [t for t in metadata.sorted_tables if t.name in present]


def db_state(db: Database, tables: list[Table]) -> dict[str, Any]:
    """The row count of each table and the audit head, in one query: an audited write of any row (insert, update or
    delete) moves the head, and an unaudited insert or delete changes a count."""
    counts = union_all(*(select(literal(t.name).label("name"), func.count().label("n")).select_from(t) for t in tables))
    with db.reading() as s:
        state: dict[str, Any] = {name: n for name, n in s.execute(counts)}
        state["audit_head"] = tuple(s.execute(select(AuditHead.last_id, AuditHead.last_hash)).one())
    return state


#: POST routes that compute from their body and write nothing (calculators): the walk checks, as for a GET, that
#: no call of theirs changes anything. Each area adds its own.
COMPUTING_POSTS: set[tuple[str, str]] = {
    ("POST", "/api/valuation/income"),
    ("POST", "/api/valuation/market"),
    ("POST", "/api/valuation/cost"),
    ("POST", "/api/valuation/sensitivity"),
    ("POST", "/api/v1/valuation/portfolio"),
    ("POST", "/valuation/portfolio"),
    ("POST", "/valuation/calculator"),
    ("POST", "/api/finance/run"),
    ("POST", "/api/v1/finance/plans/{plan_id}/run"),
    ("POST", "/api/v1/finance/plans/{plan_id}/sizing"),
}

#: What a GET may leave in the audit log (an audited read), and nothing else.
AUDITED_READS = frozenset({"export", "view_lead"})


def assert_unchanged(db: Database, tables: list[Table], before: dict[str, Any], reads: frozenset[str]) -> None:
    """Nothing changed since ``before`` but entries in the audit log whose action is one of ``reads``."""
    after = db_state(db, tables)
    logged: list[str] = []
    if after["audit_head"] != before["audit_head"]:  # else an entry added behind the head's back shows in the counts
        with db.reading() as s:
            logged = list(s.scalars(select(AuditEntry.action).where(AuditEntry.id > before["audit_head"][0])))
    wrote = [action for action in logged if action not in reads]
    assert not wrote, f"a call that must write nothing left audit entries: {wrote}"
    ignored = {"audit_entries", "audit_head"} if logged else set()
    changed = {k: f"{v} → {after.get(k)}" for k, v in before.items() if k not in ignored and after.get(k) != v}
    assert not changed, f"a call that must write nothing wrote: {changed}"
