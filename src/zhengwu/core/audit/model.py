"""Pure hashing of audit entries.

``hash = SHA-256(prev_hash ‖ canonical JSON of [id, at, actor_id, actor_name, action, table, row, before, after])``.
The first entry's ``prev_hash`` is :data:`GENESIS`. Changing, deleting or reordering any entry breaks the
link from the next one, and the head record catches a cut tail.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime

GENESIS = "0" * 64


@dataclass(frozen=True)
class EntryData:
    id: int
    at: datetime
    actor_id: int | None
    actor_name: str
    action: str
    table_name: str
    row_id: str
    before: str | None
    after: str | None


def entry_hash(prev_hash: str, e: EntryData) -> str:
    """The chained hash of an entry.

    >>> from datetime import UTC
    >>> e = EntryData(1, datetime(2024, 6, 20, tzinfo=UTC), None, "系统", "insert", "units", "1", None, "{}")
    >>> len(entry_hash(GENESIS, e)), entry_hash(GENESIS, e) == entry_hash("1" * 64, e)
    (64, False)
    """
    at = e.at.isoformat(timespec="microseconds")
    body = json.dumps(
        [e.id, at, e.actor_id, e.actor_name, e.action, e.table_name, e.row_id, e.before, e.after],
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256((prev_hash + body).encode()).hexdigest()


@dataclass(frozen=True)
class Break:
    """The first entry at which the chain fails, and why (in Chinese)."""

    entry_id: int | None
    reason: str
