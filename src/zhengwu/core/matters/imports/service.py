"""The import use case: check every row first, then write the new ones in bulk inside the caller's unit of work.

One bad row rejects the whole file (``ImportRejected`` lists row, column and reason of each) unless ``skip_bad``.
A row whose (kind, key) was imported before is skipped, so importing the same file twice adds nothing. Imported
matters are history: one ``imported`` event each, no workflow events, no deadlines started (``due_at`` as given).

The writes are Core ``insert()`` executemany batches of ``BATCH`` rows: matters, the kind's own table, the import
keys, the events. The audit log captures ORM flushes only, so the import records one audit event of its own.

Ids are assigned before the insert rather than read back with RETURNING: every table is then a plain executemany
(SQLite's one prepared statement, psycopg's pipelined executemany) instead of a multi-row VALUES statement rendered
per batch, and a batch's rows of all four tables are built together. On PostgreSQL the ids come from the
``matters`` sequence (``nextval`` over ``generate_series``: safe beside concurrent writers, which simply get other
numbers); on SQLite from ``max(id)`` once this transaction holds the write lock, which it takes when it writes the
serial counters (SQLite has one writer at a time, so no one can insert a matter until this one commits).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Any

from sqlalchemy import Table, exists, func, insert, inspect, select, text
from sqlalchemy.orm import Session

from zhengwu.core.audit.service import record
from zhengwu.core.db import UnitOfWork
from zhengwu.core.errors import Forbidden
from zhengwu.core.imports import ImportRejected, RowError
from zhengwu.core.matters.imports.rows import Row, RowParser, kind_columns
from zhengwu.core.matters.imports.sheets import Sheet
from zhengwu.core.matters.model import KindSpec
from zhengwu.core.matters.registry import Kind
from zhengwu.core.matters.service import DEFAULT_TZ
from zhengwu.core.matters.tables import Matter, MatterEvent, MatterImportKey, MatterSerial
from zhengwu.core.org.model import ACTIONS, Principal
from zhengwu.core.org.tables import Unit

BATCH = 1000

#: ``progress(phase, done, total)``: the phase is "校验", "写入" or "导入编号"; the total is None when unknown.
Progress = Callable[[str, int, int | None], None]


@dataclass(frozen=True)
class ImportResult:
    rows: int  # data rows in the file (blank rows not counted)
    imported: int
    skipped: int  # rows whose key had been imported before
    bad: tuple[RowError, ...]  # with skip_bad: what was left out, and why


def import_matters(
    uow: UnitOfWork,
    principal: Principal | None,
    kind: Kind,
    sheet: Sheet,
    *,
    skip_bad: bool = False,
    tz: tzinfo = DEFAULT_TZ,
    progress: Progress | None = None,
) -> ImportResult:
    """Check every row of ``sheet``; unless one is bad (or ``skip_bad``), write those whose key is new."""
    session, spec = uow.session, kind.spec
    scope = principal.scope(spec.create_grant) if principal else None
    if principal is None or scope is None:
        raise Forbidden(f"您没有“{ACTIONS.get(spec.create_grant, spec.create_grant)}”的权限。")
    units: dict[str, int] = {}
    forbidden: set[str] = set()
    for code, unit_id, path in session.execute(select(Unit.code, Unit.id, Unit.path)):
        units[code] = unit_id
        if not scope.covers(unit_id, path, None, principal.user_id):
            forbidden.add(code)
    now = uow.clock.now()
    parser = RowParser(spec, kind_columns(kind), sheet.header, units, now, tz, frozenset(forbidden))
    good: list[Row] = []
    bad: list[RowError] = []
    count = 0
    for line, cells in sheet.rows:
        parsed = parser.parse(line, cells)
        if parsed is None:
            continue
        count += 1
        if isinstance(parsed, Row):
            good.append(parsed)
        else:
            bad.extend(parsed)
        if progress and count % BATCH == 0:
            progress("校验", count, sheet.size)
    if bad and not skip_bad:
        raise ImportRejected(bad)
    if not count:
        raise ImportRejected([RowError(2, "文件", "文件中没有数据行")])
    if progress:
        progress("校验", count, count)
    done = _imported_keys(session, spec.code, [r.key for r in good])
    fresh = [r for r in good if r.key not in done]
    if fresh:
        _write(uow, principal, kind, fresh, now, tz, progress)
    result = ImportResult(count, len(fresh), len(good) - len(fresh), tuple(bad))
    record(
        session, "import", "matters", "-", kind=spec.code, file=sheet.name, rows=count,
        imported=result.imported, skipped=result.skipped, bad=len(bad),
    )  # fmt: skip
    return result


def _imported_keys(session: Session, kind: str, keys: list[str]) -> set[str]:
    """The keys among ``keys`` already imported for ``kind`` (none at all is the common first-import case)."""
    t = MatterImportKey
    if not keys or not session.scalar(select(exists().where(t.kind == kind))):
        return set()
    found: set[str] = set()
    for i in range(0, len(keys), BATCH):
        found.update(session.scalars(select(t.key).where(t.kind == kind, t.key.in_(keys[i : i + BATCH]))))
    return found


def reserve_serials(session: Session, spec: KindSpec, year: int, count: int) -> int:
    """Reserve ``count`` consecutive serials of a kind in a year (``next_serial`` in bulk); returns the first.

    The counter row is locked, as ``next_serial`` locks it, until the transaction ends.
    """
    counter = session.get(MatterSerial, (spec.code, year), with_for_update=True)
    if counter is None:
        counter = MatterSerial(kind=spec.code, year=year, last=0)
        session.add(counter)
    first = counter.last + 1
    counter.last += count
    return first


def _id_taker(session: Session) -> Callable[[int], Sequence[int]]:
    """Hands out ``n`` fresh ids of ``matters`` at a time (the module's docstring says why and how)."""
    if session.connection().dialect.name == "postgresql":
        sql = text("SELECT nextval(pg_get_serial_sequence('matters', 'id')) FROM generate_series(1, :n)")
        return lambda n: list(session.scalars(sql, {"n": n}))
    last = session.scalar(select(func.max(Matter.id))) or 0

    def take(n: int) -> range:
        nonlocal last
        last += n
        return range(last - n + 1, last + 1)

    return take


def _table(entity: type[Any]) -> Table:
    table = inspect(entity).local_table
    assert isinstance(table, Table)
    return table


def _write(
    uow: UnitOfWork,
    principal: Principal,
    kind: Kind,
    rows: list[Row],
    now: datetime,
    tz: tzinfo,
    progress: Progress | None,
) -> None:
    session, spec = uow.session, kind.spec
    rows.sort(key=lambda r: (r.received_at, r.line))  # serials follow the order of receipt within each year
    years = [r.received_at.astimezone(tz).year for r in rows]
    seq = {y: reserve_serials(session, spec, y, n) for y, n in sorted(Counter(years).items())}
    uow.flush()  # the counters are locked from here to the commit (on SQLite: the database's write lock)
    take = _id_taker(session)
    matters, own, keys_table, events_table = (_table(t) for t in (Matter, kind.table, MatterImportKey, MatterEvent))
    names = [c.name for c in kind_columns(kind)]
    # What every row shares; handler, parent and pause are left out of the INSERT, so they are NULL.
    same = {"kind": spec.code, "created_at": now, "version": 1}
    said = {"at": now, "actor_id": principal.user_id or None, "actor_name": principal.full_name, "action": "imported"}
    said |= {"from_state": "", "note": ""}
    pairs: list[tuple[str, int]] = []
    for start in range(0, len(rows), BATCH):
        batch = rows[start : start + BATCH]
        base: list[dict[str, Any]] = []
        extras: list[dict[str, Any]] = []
        events: list[dict[str, Any]] = []
        for r, year, mid in zip(batch, years[start : start + BATCH], take(len(batch)), strict=True):
            n = seq[year]
            seq[year] = n + 1
            base.append(
                {
                    **same, "id": mid, "serial": f"{spec.prefix}-{year}-{n:06d}", "year": year, "seq": n,
                    "title": r.title, "body": r.body, "owner_unit_id": r.unit_id, "status": r.status,
                    "priority": r.priority, "channel": r.channel, "received_at": r.received_at, "due_at": r.due_at,
                    "resolved_at": r.resolved_at, "closed_at": r.closed_at,
                }
            )  # fmt: skip
            extras.append({"id": mid, **dict(zip(names, r.extra, strict=True))})
            pairs.append((r.key, mid))
            data = json.dumps({"key": r.key}, ensure_ascii=False)
            events.append({**said, "matter_id": mid, "to_state": r.status, "data": data})
        session.execute(insert(matters), base)
        if own is not matters:
            session.execute(insert(own), extras)
        session.execute(insert(events_table), events)
        if progress:
            progress("写入", start + len(batch), len(rows))
    pairs.sort()  # in key order the keys' index grows at its end instead of all over
    for start in range(0, len(pairs), BATCH):
        keys = [{"kind": spec.code, "key": k, "matter_id": mid} for k, mid in pairs[start : start + BATCH]]
        session.execute(insert(keys_table), keys)
        if progress:
            progress("导入编号", start + len(keys), len(pairs))
