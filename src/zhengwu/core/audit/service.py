"""Capturing writes into the audit log, appending to the chain, and verifying it.

Every flush records what changed (inserts with their values, updates with before/after of the changed
columns, deletes with what was removed). Many-to-many links (a user's roles) count as a value of the record
that holds them, listed by the linked records' ids. At commit the pending entries are chained under a lock on
the head row, in the same transaction as the writes: an action and its audit trail commit or fail together; a
rollback discards what was collected.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from sqlalchemy import inspect, select
from sqlalchemy.orm import InstanceState, Session, sessionmaker
from sqlalchemy.orm.base import NO_VALUE

from zhengwu.core.audit.model import GENESIS, Break, EntryData, entry_hash
from zhengwu.core.audit.tables import AuditEntry, AuditHead
from zhengwu.core.clock import Clock, SystemClock
from zhengwu.core.db import SYSTEM, Actor

PENDING = "audit_pending"
MASK = "***"


@dataclass
class Pending:
    action: str
    table_name: str
    row_id: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None


def install(sessions: sessionmaker[Session]) -> None:
    """Attach the audit listeners to a session factory (done once per ``Database``)."""
    from sqlalchemy import event

    event.listen(sessions, "after_flush", _collect)
    event.listen(sessions, "before_commit", _append)
    event.listen(sessions, "after_rollback", _discard)


def record(session: Session, action: str, table_name: str, row_id: object, **data: Any) -> None:
    """Record an event that is not a row write (a login, a view of protected data, an export)."""
    session.info.setdefault(PENDING, []).append(Pending(action, table_name, str(row_id), None, data or None))


def _jsonable(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bytes):
        return f"<{len(value)} 字节>"
    return value


def _audited(obj: object) -> bool:
    return getattr(obj, "__audited__", True)


def _columns(obj: object, *, inserted: bool) -> dict[str, Any]:
    """The column values of ``obj`` and its many-to-many links (as the linked records' ids).

    A column never loaded is NULL after an insert that left it unset (no table here has a server default);
    before a delete its value is unknown, so it is left out.
    """
    mask: frozenset[str] = getattr(obj, "__audit_mask__", frozenset())
    state = inspect(obj)
    out: dict[str, Any] = {}
    for attr in state.mapper.column_attrs:
        key = attr.key
        value = state.attrs[key].loaded_value
        if value is NO_VALUE:
            if not inserted:
                continue
            value = None
        out[key] = MASK if key in mask else _jsonable(value)
    for key in _links(state):
        linked = state.attrs[key].loaded_value
        if linked is not NO_VALUE:
            out[key] = _refs(linked)
    return out


def _links(state: InstanceState[Any]) -> list[str]:
    """The many-to-many relationships of a mapped object (rows of a ``secondary`` table are not ORM objects)."""
    return [rel.key for rel in state.mapper.relationships if rel.secondary is not None and not rel.viewonly]


def _refs(objs: Any) -> list[Any]:
    ids = []
    for o in objs:
        pk = inspect(o).mapper.primary_key_from_instance(o)
        ids.append(pk[0] if len(pk) == 1 else list(pk))
    return sorted(ids)  # one relationship links one kind of record: all ids compare alike


def _row_id(obj: object) -> str:
    state = inspect(obj)
    values = state.mapper.primary_key_from_instance(obj)
    return ",".join(str(v) for v in values)


def _collect(session: Session, _ctx: Any) -> None:
    pending: list[Pending] = session.info.setdefault(PENDING, [])
    for obj in session.new:
        if _audited(obj):
            pending.append(Pending("insert", obj.__tablename__, _row_id(obj), None, _columns(obj, inserted=True)))
    for obj in session.dirty:
        if not _audited(obj):
            continue
        mask: frozenset[str] = getattr(obj, "__audit_mask__", frozenset())
        skip: frozenset[str] = getattr(obj, "__audit_skip__", frozenset())
        state = inspect(obj)
        before: dict[str, Any] = {}
        after: dict[str, Any] = {}
        for attr in state.mapper.column_attrs:
            key = attr.key
            hist = state.attrs[key].history
            if not hist.has_changes() or key in skip or key == "version":
                continue
            old = hist.deleted[0] if hist.deleted else None
            new = hist.added[0] if hist.added else None
            before[key] = MASK if key in mask else _jsonable(old)
            after[key] = MASK if key in mask else _jsonable(new)
        for key in _links(state):
            hist = state.attrs[key].history
            if hist.has_changes():
                before[key] = _refs([*hist.unchanged, *hist.deleted])
                after[key] = _refs([*hist.unchanged, *hist.added])
        if after:
            pending.append(Pending("update", obj.__tablename__, _row_id(obj), before, after))
    for obj in session.deleted:
        if _audited(obj):
            pending.append(Pending("delete", obj.__tablename__, _row_id(obj), _columns(obj, inserted=False), None))


def _discard(session: Session) -> None:
    """A rolled-back transaction wrote nothing, so nothing it collected may reach the log."""
    session.info.pop(PENDING, None)


def _dump(data: dict[str, Any] | None) -> str | None:
    if data is None:
        return None
    return json.dumps(data, ensure_ascii=False, sort_keys=True, default=str)


def _append(session: Session) -> None:
    session.flush()
    pending: list[Pending] = session.info.pop(PENDING, [])
    if not pending:
        return
    actor: Actor = session.info.get("actor", SYSTEM)
    clock: Clock = session.info.get("clock") or SystemClock()
    head = session.execute(select(AuditHead).where(AuditHead.id == 1).with_for_update()).scalar_one_or_none()
    if head is None:
        head = AuditHead(id=1, last_id=0, last_hash=GENESIS)
        session.add(head)
    # Hash the instant as it will be read back (UTC), whatever zone the clock reports it in.
    now = clock.now().astimezone(UTC)
    for p in pending:
        data = EntryData(
            head.last_id + 1,
            now,
            actor.user_id,
            actor.name,
            p.action,
            p.table_name,
            p.row_id,
            _dump(p.before),
            _dump(p.after),
        )
        digest = entry_hash(head.last_hash, data)
        session.add(AuditEntry(**data.__dict__, prev_hash=head.last_hash, hash=digest))
        head.last_id, head.last_hash = data.id, digest
    session.flush()
    session.info.pop(PENDING, None)


def _entries(session: Session) -> Iterator[AuditEntry]:
    stmt = select(AuditEntry).order_by(AuditEntry.id).execution_options(yield_per=2000)
    yield from session.scalars(stmt)


@dataclass(frozen=True)
class Verification:
    checked: int
    broken: Break | None


def verify(session: Session) -> Verification:
    """Walk the chain from the first entry; report the first entry that fails and why.

    The head record is read before the walk: entries appended while the walk runs (each statement may see newer
    commits on PostgreSQL) are checked as links of the chain but cannot raise a false alarm of a cut tail.
    """
    head = session.get(AuditHead, 1)
    head_hash = GENESIS if head is not None and head.last_id == 0 else None
    prev_hash = GENESIS
    expected_id = 1
    count = 0
    for e in _entries(session):
        if e.id != expected_id:
            return Verification(count, Break(expected_id, f"缺少第 {expected_id} 条记录（已被删除或顺序被改动）"))
        if e.prev_hash != prev_hash:
            return Verification(count, Break(e.id, f"第 {e.id} 条记录的前序哈希与上一条不符（记录被删除或调换顺序）"))
        data = EntryData(e.id, e.at, e.actor_id, e.actor_name, e.action, e.table_name, e.row_id, e.before, e.after)
        if entry_hash(prev_hash, data) != e.hash:
            return Verification(count, Break(e.id, f"第 {e.id} 条记录的内容与其哈希不符（记录被篡改）"))
        if head is not None and e.id == head.last_id:
            head_hash = e.hash
        prev_hash = e.hash
        expected_id += 1
        count += 1
    last_id = expected_id - 1
    if head is None:
        if count:
            return Verification(count, Break(last_id, f"链头记录缺失（日志共 {last_id} 条，链头被删除）"))
        return Verification(count, None)
    if head.last_id > last_id:
        return Verification(
            count, Break(last_id + 1, f"日志在第 {last_id} 条之后被截断（链头记录为第 {head.last_id} 条）")
        )
    if head_hash != head.last_hash:
        return Verification(
            count, Break(head.last_id, f"第 {head.last_id} 条记录与链头记录不符（记录被篡改后重算了哈希）")
        )
    return Verification(count, None)
