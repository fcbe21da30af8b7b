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

from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, tzinfo
from json.encoder import encode_basestring
from typing import Any

from sqlalchemy import Table, bindparam, exists, func, insert, inspect, select, text
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
BIG_CACHE_KB = 256 * 1024

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
        with _big_page_cache(session):
            _write(uow, principal, kind, fresh, now, tz, progress, sheet.name)
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


@contextmanager
def _big_page_cache(session: Session) -> Iterator[None]:
    """On SQLite, a 256 MB page cache for this connection while the import writes (the default 2 MB thrashes when
    the import keys' foreign keys look up a million matters in key order), then the connection's own again."""
    conn = session.connection()
    if conn.dialect.name != "sqlite":
        yield
        return
    before = conn.exec_driver_sql("PRAGMA cache_size").scalar()
    conn.exec_driver_sql(f"PRAGMA cache_size={-BIG_CACHE_KB}")
    try:
        yield
    finally:
        conn.exec_driver_sql(f"PRAGMA cache_size={int(before or -2000)}")


def _driver_value(session: Session, table: Table, name: str, value: Any) -> Any:
    """``value`` as the driver receives it for column ``name`` (what SQLAlchemy's bind processor makes of it)."""
    process = table.c[name].type.bind_processor(session.connection().dialect)
    return value if process is None or value is None else process(value)


def _inserter(
    session: Session, table: Table, names: Sequence[str], ready: Sequence[str] = ()
) -> Callable[[list[tuple[Any, ...]]], None]:
    """An ``executemany`` of rows (tuples in ``names`` order) straight to the driver.

    The statement is compiled once and the columns' own bind processors (``UTCDateTime``, enums …) convert the
    values, exactly as SQLAlchemy would row by row, but without building a parameter dictionary per row. The
    columns named in ``ready`` come already converted (constants converted once with ``_driver_value``).
    """
    conn = session.connection()
    dialect = conn.dialect
    compiled = insert(table).values({n: bindparam(n) for n in names}).compile(dialect=dialect)
    sql = str(compiled)
    procs = [
        (i, p)
        for i, n in enumerate(names)
        if n not in ready and (p := table.c[n].type.bind_processor(dialect)) is not None
    ]
    order = list(compiled.positiontup or ()) if dialect.positional else None
    if order == list(names):
        order = None  # already in the statement's order: tuples go as they are

    def put(rows: list[tuple[Any, ...]]) -> None:
        if not rows:
            return
        params: list[Any] = []
        for row in rows:
            values = list(row)
            for i, p in procs:
                if values[i] is not None:
                    values[i] = p(values[i])
            params.append(tuple(values))
        if order is not None:
            params = [tuple(v[names.index(n)] for n in order) for v in params]
        elif not dialect.positional:
            params = [dict(zip(names, v, strict=True)) for v in params]
        conn.exec_driver_sql(sql, params)

    return put


def _write(
    uow: UnitOfWork,
    principal: Principal,
    kind: Kind,
    rows: list[Row],
    now: datetime,
    tz: tzinfo,
    progress: Progress | None,
    file_name: str,
) -> None:
    session, spec = uow.session, kind.spec
    rows.sort(key=lambda r: (r.received_at, r.line))  # serials follow the order of receipt within each year
    years = [r.received_at.astimezone(tz).year for r in rows]
    seq = {y: reserve_serials(session, spec, y, n) for y, n in sorted(Counter(years).items())}
    uow.flush()  # the counters are locked from here to the commit (on SQLite: the database's write lock)
    take = _id_taker(session)
    matters, own, keys_table, events_table = (_table(t) for t in (Matter, kind.table, MatterImportKey, MatterEvent))
    names = [c.name for c in kind_columns(kind)]
    base_names = (
        "id", "kind", "serial", "year", "seq", "title", "body", "owner_unit_id", "status", "priority", "channel",
        "created_at", "received_at", "due_at", "resolved_at", "closed_at", "version",
    )  # fmt: skip
    event_names = ("matter_id", "at", "actor_id", "actor_name", "action", "from_state", "to_state", "note", "data")
    put_matters = _inserter(session, matters, base_names, ready=("created_at",))
    put_own = _inserter(session, own, ("id", *names)) if own is not matters else None
    put_events = _inserter(session, events_table, event_names, ready=("at",))
    put_keys = _inserter(session, keys_table, ("kind", "key", "matter_id"))
    created = _driver_value(session, matters, "created_at", now)
    # What every event shares: handler, parent and pause are left out of the INSERTs, so they are NULL.
    at = _driver_value(session, events_table, "at", now)
    actor = (at, principal.user_id or None, principal.full_name, "imported", "")
    said = '{"file": ' + encode_basestring(file_name) + ', "key": '  # + the row's key + "}"
    pairs: list[tuple[str, int]] = []
    for start in range(0, len(rows), BATCH):
        batch = rows[start : start + BATCH]
        base: list[tuple[Any, ...]] = []
        extras: list[tuple[Any, ...]] = []
        events: list[tuple[Any, ...]] = []
        for r, year, mid in zip(batch, years[start : start + BATCH], take(len(batch)), strict=True):
            n = seq[year]
            seq[year] = n + 1
            base.append(
                (
                    mid, spec.code, f"{spec.prefix}-{year}-{n:06d}", year, n, r.title, r.body, r.unit_id, r.status,
                    r.priority, r.channel, created, r.received_at, r.due_at, r.resolved_at, r.closed_at, 1,
                )
            )  # fmt: skip
            extras.append((mid, *r.extra))
            pairs.append((r.key, mid))
            events.append((mid, *actor, r.status, "", said + encode_basestring(r.key) + "}"))
        put_matters(base)
        if put_own is not None:
            put_own(extras)
        put_events(events)
        if progress:
            progress("写入", start + len(batch), len(rows))
    pairs.sort()  # in key order the keys' index grows at its end instead of all over
    for start in range(0, len(pairs), BATCH):
        put_keys([(spec.code, k, mid) for k, mid in pairs[start : start + BATCH]])
        if progress:
            progress("导入编号", start + BATCH, len(pairs))
