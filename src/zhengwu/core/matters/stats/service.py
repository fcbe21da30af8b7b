"""The statistics queries: SQL aggregates over ``matters`` through ``restrict()`` (definitions: package docstring).

Two statements, each bounded by an index on the period: ``ix_matters_kind_received`` (kind, received_at) or
``ix_matters_owner_received`` (owner unit, received_at) when a unit subtree narrows it; SQLite's planner takes the
first. Each then reads the table rows of the period (the index covers neither the status, channel nor the times it
counts): on SQLite with 1,000,000 matters that is most of the time spent (``benchmarks/matters_stats.py``).
Times are local to Asia/Shanghai throughout.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Date, String, and_, case, cast, func, literal_column, select
from sqlalchemy.orm import Session

from zhengwu.core.calendar.service import load_calendar
from zhengwu.core.db import AnySelect
from zhengwu.core.errors import NotFound
from zhengwu.core.matters.registry import Kind, public_kinds
from zhengwu.core.matters.stats.model import (
    AGE_BOUNDS,
    MatterStats,
    StatsQuery,
    age_cutoffs,
    buckets,
    cycle_time,
    working_days_of_pairs,
)
from zhengwu.core.matters.tables import Matter
from zhengwu.core.org.access import restrict
from zhengwu.core.org.model import Principal
from zhengwu.core.org.tables import Unit

LOCAL_TZ = ZoneInfo("Asia/Shanghai")
#: Asia/Shanghai has kept UTC+8 without daylight saving since 1991; SQLite, which has no time zones, adds it.
SQLITE_OFFSET = "'+8 hours'"
UNIT_MISSING = "单位不存在或不在您的数据范围内。"


def local_midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=LOCAL_TZ)


def local_date(column: Any, dialect: str) -> ColumnElement[date]:
    """The local (Asia/Shanghai) calendar date of a UTC timestamp column, in SQL.

    PostgreSQL converts the ``timestamptz`` with ``timezone()``. SQLite stores ``YYYY-MM-DD HH:MM:SS.ffffff`` in
    UTC: the fraction is cut off first (SQLite rounds times to milliseconds, which would carry 23:59:59.9996 into
    the next day), then eight hours are added. The constants are inlined so that PostgreSQL sees the same
    expression in SELECT and GROUP BY.
    """
    if dialect == "postgresql":
        return cast(func.timezone(literal_column("'Asia/Shanghai'"), column), Date)
    if dialect == "sqlite":
        return func.date(func.substr(column, 1, 19), literal_column(SQLITE_OFFSET), type_=Date)
    raise ValueError(f"unsupported database dialect for local dates: {dialect} (SQLite and PostgreSQL only)")


def local_month(column: Any, dialect: str) -> ColumnElement[str]:
    """``YYYY-MM`` of the local (Asia/Shanghai) date of a UTC timestamp column, in SQL (constants inlined, so that
    PostgreSQL sees the same expression in SELECT and GROUP BY)."""
    if dialect == "postgresql":
        shanghai = func.timezone(literal_column("'Asia/Shanghai'"), column)
        return func.to_char(shanghai, literal_column("'YYYY-MM'"), type_=String)
    return func.substr(local_date(column, dialect), literal_column("1"), literal_column("7"), type_=String)


def stats_kind(code: str) -> Kind:
    """The registered kind ``code`` (NotFound naming the field ``kind`` otherwise, also for a confidential kind)."""
    kind = public_kinds().get(code)
    if kind is None:
        raise NotFound(f"事项类型“{code[:32]}”不存在。", field="kind")
    return kind


def scoped_units(principal: Principal | None, kind: Kind) -> AnySelect:
    """The units a principal may pick for a kind's statistics: those within the kind's view scope."""
    return restrict(select(Unit), principal, kind.spec.view_grant)


def unit_choices(session: Session, principal: Principal | None, kind: Kind) -> list[Unit]:
    """The unit tree within scope, depth first (a unit's path lists its ancestors' ids, so it sorts as numbers)."""
    units = session.scalars(scoped_units(principal, kind))
    return sorted(units, key=lambda u: [int(part) for part in u.path.strip("/").split("/")])


def _unit_path(session: Session, principal: Principal | None, kind: Kind, unit_id: int) -> str:
    """The path of a unit the principal may pick (NotFound naming ``unit_id`` when absent or outside the scope)."""
    path = session.scalar(scoped_units(principal, kind).with_only_columns(Unit.path).where(Unit.id == unit_id))
    if path is None:
        raise NotFound(UNIT_MISSING, field="unit_id")
    return path


def _cohort(
    principal: Principal | None, kind: Kind, q: StatsQuery, unit_path: str | None, stmt: AnySelect
) -> AnySelect:
    """``stmt`` (a select over ``matters``) limited to the query's cohort and to the principal's scope."""
    stmt = stmt.where(
        Matter.kind == kind.spec.code,
        Matter.received_at >= local_midnight(q.start),
        Matter.received_at < local_midnight(q.end + timedelta(days=1)),
    )
    if unit_path is not None:
        stmt = stmt.where(Matter.owner_unit_id.in_(select(Unit.id).where(Unit.path.startswith(unit_path))))
    if q.channel is not None:
        stmt = stmt.where(Matter.channel == q.channel)
    if q.status is not None:
        stmt = stmt.where(Matter.status == q.status)
    return restrict(stmt, principal, kind.spec.view_grant, Matter)


def _count(cond: ColumnElement[bool]) -> ColumnElement[int]:
    return func.count(case((cond, 1)))


def matter_stats(
    session: Session, principal: Principal | None, kind: Kind, q: StatsQuery, now: datetime
) -> MatterStats:
    """Every figure of the statistics for ``q`` as seen by ``principal`` at ``now``."""
    unit_path = _unit_path(session, principal, kind, q.unit_id) if q.unit_id is not None else None
    cal = load_calendar(session)
    cutoffs = [local_midnight(d) for d in age_cutoffs(cal, now.astimezone(LOCAL_TZ).date(), AGE_BOUNDS)]
    resolved, open_ = Matter.resolved_at.is_not(None), Matter.resolved_at.is_(None)
    ages: list[ColumnElement[bool]] = []
    upper: datetime | None = None
    for cut in [*cutoffs, None]:  # newest first: ≤5 is received at or after the first cut-off
        lower = [Matter.received_at >= cut] if cut is not None else []
        below = [Matter.received_at < upper] if upper is not None else []
        ages.append(and_(open_, *lower, *below))
        upper = cut
    counts = select(
        func.count(),
        _count(resolved),
        _count(and_(resolved, Matter.resolved_at <= Matter.due_at)),
        _count(and_(resolved, Matter.resolved_at > Matter.due_at)),
        _count(and_(open_, Matter.due_at < now)),
        *(_count(a) for a in ages),
    ).select_from(Matter)
    row = session.execute(_cohort(principal, kind, q, unit_path, counts)).one()
    received, n_resolved, on_time, late, open_overdue, *aged = (int(v or 0) for v in row)

    dialect = session.get_bind().dialect.name
    pairs = (
        select(
            local_date(Matter.received_at, dialect).label("received_on"),
            local_date(Matter.resolved_at, dialect).label("resolved_on"),
        )
        .select_from(Matter)
        .where(resolved)
    )
    inner = _cohort(principal, kind, q, unit_path, pairs).subquery()
    grouped = select(inner.c.received_on, inner.c.resolved_on, func.count()).group_by(
        inner.c.received_on, inner.c.resolved_on
    )
    distribution = working_days_of_pairs(cal, {(a, b): n for a, b, n in session.execute(grouped)})
    return MatterStats(
        query=q,
        as_of=now,
        received=received,
        resolved=n_resolved,
        on_time=on_time,
        resolved_late=late,
        open_overdue=open_overdue,
        cycle=cycle_time(distribution),
        backlog=buckets(aged),
    )
