"""The hotline's figures in SQL (definitions: ``zhengwu.requests.figures``) and its hot spots
(``zhengwu.requests.hotspots``), for a period and an owner unit's subtree, within the reader's ``requests.view``
scope (``restrict()``).

Every count is an aggregate in the database, in one scan of the cohort: a single ``GROUP BY`` on (type, subject
category, owner unit, channel, local month), bounded by ``ix_matters_kind_received`` on the period; the totals
and each breakdown are sums over its cells in Python (their number is bounded by the combinations that occur, not
by the number of requests), categories rolled up to their first and second level. The response rate needs each
request's latest sign-for deadline: an outer join to ``matter_deadlines`` on the greatest ``id`` among the
request's ``sign`` rows (a correlated sub-select on ``ix_matter_deadlines_matter_id``). Local dates come from the
matters statistics' dialect-aware ``local_month``. The overdue list reads at most ``OVERDUE_ROWS`` running
deadlines, oldest due first, with their total; the days overdue are counted by the working calendar. Hot spots
read only the requests of the period that carry a location.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, or_, select
from sqlalchemy.orm import Session, aliased

from zhengwu.core.calendar.service import load_calendar
from zhengwu.core.db import AnySelect
from zhengwu.core.errors import NotFound
from zhengwu.core.matters.stats.service import LOCAL_TZ, UNIT_MISSING, local_midnight, local_month, scoped_units
from zhengwu.core.matters.tables import Matter, MatterDeadline
from zhengwu.core.org.access import restrict
from zhengwu.core.org.model import Principal
from zhengwu.core.org.tables import Unit
from zhengwu.requests.figures import Counts, Period, months
from zhengwu.requests.hotspots import HotSpot, Located, Params, hot_spots
from zhengwu.requests.kinds import KIND
from zhengwu.requests.model import LIMITS, VIEW, Channel, RequestType, State
from zhengwu.requests.tables import RequestCategory, RequestMatter

OVERDUE_ROWS = 200
SIGNED = (State.HANDLING.value, State.RESOLVED.value, State.CLOSED.value)
LIMIT_LABELS = {limit.code: limit.label for limit in LIMITS}


@dataclass(frozen=True)
class Row:
    """One line of a breakdown: its key, its label, its depth (categories: 1 or 2) and its counts."""

    key: str
    label: str
    counts: Counts
    depth: int = 1


@dataclass(frozen=True)
class Overdue:
    request_id: int
    serial: str
    title: str
    unit_name: str
    limit: str
    due_at: datetime
    working_days: int  # working days from the deadline's local date to today; 0: overdue since earlier today


@dataclass(frozen=True)
class RequestFigures:
    period: Period
    unit_id: int | None
    unit_name: str
    as_of: datetime
    totals: Counts
    by_type: list[Row]
    by_category: list[Row]  # first-level categories, each followed by its second-level ones (depth 2)
    by_unit: list[Row]
    by_channel: list[Row]
    by_month: list[Row]
    overdue: list[Overdue]
    overdue_total: int


def _unit(session: Session, principal: Principal | None, unit_id: int) -> Unit:
    """A unit the reader may pick (NotFound naming ``unit_id`` when absent or outside the scope)."""
    unit = session.scalar(scoped_units(principal, KIND).where(Unit.id == unit_id))
    if unit is None:
        raise NotFound(UNIT_MISSING, field="unit_id")
    assert isinstance(unit, Unit)
    return unit


def _cohort(stmt: AnySelect, principal: Principal | None, period: Period, unit: Unit | None) -> AnySelect:
    """``stmt`` (over requests) limited to those received in the period, in the unit's subtree, in scope."""
    stmt = stmt.where(
        Matter.kind == KIND.spec.code,
        Matter.received_at >= local_midnight(period.start),
        Matter.received_at < local_midnight(period.end + timedelta(days=1)),
    )
    if unit is not None:
        stmt = stmt.where(Matter.owner_unit_id.in_(select(Unit.id).where(Unit.path.startswith(unit.path))))
    return restrict(stmt, principal, VIEW, Matter)


Cells = list[tuple[tuple[Any, ...], tuple[int, ...]]]  # grouped keys → the values of ``Counts``, in order


def _count(cond: ColumnElement[bool]) -> ColumnElement[int]:
    return func.count(case((cond, 1)))


def _measures(now: datetime) -> tuple[list[ColumnElement[int]], Any]:
    """The columns of ``Counts`` as SQL aggregates, and the aliased latest sign-for deadline they need joined."""
    sign = aliased(MatterDeadline, name="sign_limit")
    signed = Matter.status.in_(SIGNED)
    waiting_late = and_(Matter.status == State.DISPATCHED.value, sign.met_at.is_(None), sign.due_at < now)
    open_ = Matter.resolved_at.is_(None)
    not_closed = Matter.status.not_in((State.CLOSED.value, State.DECLINED.value))
    columns = [
        func.count(),
        _count(Matter.resolved_at.is_not(None)),
        _count(or_(and_(signed, sign.id.is_not(None)), waiting_late)),
        _count(and_(signed, sign.met_at <= sign.due_at)),
        _count(RequestMatter.callback_solved.is_not(None)),
        _count(RequestMatter.callback_solved.is_(True)),
        _count(RequestMatter.callback_satisfied.is_(True)),
        _count(or_(waiting_late, and_(open_, not_closed, Matter.due_at < now))),
    ]
    return columns, sign


def _grouped(
    session: Session, principal: Principal | None, period: Period, unit: Unit | None, now: datetime, *keys: Any
) -> Cells:
    """The values of ``Counts`` per combination of ``keys`` that occurs, in one aggregate statement."""
    columns, sign = _measures(now)
    latest = (
        select(func.max(MatterDeadline.id))
        .where(MatterDeadline.matter_id == Matter.id, MatterDeadline.limit_code == "sign")
        .correlate(Matter)
        .scalar_subquery()
    )
    stmt = (
        select(*keys, *columns)
        .select_from(RequestMatter)
        .outerjoin(sign, and_(sign.matter_id == Matter.id, sign.id == latest))
    )
    stmt = _cohort(stmt, principal, period, unit)
    if keys:
        stmt = stmt.group_by(*keys)
    n = len(keys)
    return [(tuple(row[:n]), tuple(int(v or 0) for v in row[n:])) for row in session.execute(stmt)]


def _rollup(cells: Cells, position: int | None, key: Callable[[Any], Any] = lambda k: k) -> dict[Any, Counts]:
    """The counts of the grouped cells added up per value of one of their keys (``position`` None: all in one,
    under the key None). Plain integer lists, since there may be many cells."""
    sums: dict[Any, list[int]] = {}
    for keys, values in cells:
        k = None if position is None else key(keys[position])
        acc = sums.get(k)
        if acc is None:
            sums[k] = list(values)
        else:
            for i, v in enumerate(values):
                acc[i] += v
    return {k: Counts(*v) for k, v in sums.items()}


def _rows(found: dict[Any, Counts], label: Callable[[Any], str], order: Sequence[Any]) -> list[Row]:
    ranked = [k for k in order if k in found] + sorted((k for k in found if k not in order), key=str)
    return [Row(str(k), label(k), found[k]) for k in ranked]


def _by_category(session: Session, per_category: dict[Any, Counts]) -> list[Row]:
    """Counts per category rolled up to the first level, each first level followed by its second-level ones (a
    deeper category counts for its second-level ancestor)."""
    cats = {c.id: c for c in session.scalars(select(RequestCategory))}

    def ancestry(cid: int) -> list[RequestCategory]:
        chain: list[RequestCategory] = []
        current = cats.get(cid)
        while current is not None and len(chain) < 32:
            chain.append(current)
            current = cats.get(current.parent_id) if current.parent_id is not None else None
        return list(reversed(chain))  # top first

    top: dict[int, Counts] = defaultdict(Counts)
    second: dict[int, dict[int, Counts]] = defaultdict(lambda: defaultdict(Counts))
    for cid, counts in per_category.items():
        chain = ancestry(int(cid))
        if not chain:
            continue
        top[chain[0].id] += counts
        if len(chain) > 1:
            second[chain[0].id][chain[1].id] += counts

    def order(cid: int) -> tuple[int, str]:
        return (cats[cid].sort_order, cats[cid].code)

    out = []
    for tid in sorted(top, key=order):
        out.append(Row(cats[tid].code, cats[tid].name, top[tid]))
        out.extend(Row(cats[s].code, cats[s].name, second[tid][s], 2) for s in sorted(second[tid], key=order))
    return out


def _by_month(per_month: dict[Any, Counts], period: Period) -> list[Row]:
    return [
        Row(f"{y}-{m:02d}", f"{y}年{m}月", per_month.get(f"{y}-{m:02d}", Counts()))
        for y, m in months(period.start, period.end)
    ]


def _overdue(
    session: Session, principal: Principal | None, period: Period, unit: Unit | None, now: datetime
) -> tuple[list[Overdue], int]:
    running = and_(
        MatterDeadline.matter_id == Matter.id,
        MatterDeadline.met_at.is_(None),
        MatterDeadline.due_at < now,
        Matter.status.not_in((State.CLOSED.value, State.DECLINED.value)),
    )
    base = select(Matter.id).select_from(RequestMatter).join(MatterDeadline, running)
    total = session.scalar(select(func.count()).select_from(_cohort(base, principal, period, unit).subquery())) or 0
    stmt = (
        select(Matter.id, Matter.serial, Matter.title, Unit.name, MatterDeadline.limit_code, MatterDeadline.due_at)
        .select_from(RequestMatter)
        .join(MatterDeadline, running)
        .join(Unit, Unit.id == Matter.owner_unit_id)
        .order_by(MatterDeadline.due_at, Matter.id)
        .limit(OVERDUE_ROWS)
    )
    cal = load_calendar(session)
    today = now.astimezone(LOCAL_TZ).date()
    rows = [
        Overdue(
            int(mid),
            serial,
            title,
            unit_name,
            LIMIT_LABELS.get(code, code),
            due,
            cal.working_days_between(due.astimezone(LOCAL_TZ).date(), today),
        )
        for mid, serial, title, unit_name, code, due in session.execute(_cohort(stmt, principal, period, unit))
    ]
    return rows, int(total)


def request_figures(
    session: Session, principal: Principal | None, period: Period, unit_id: int | None, now: datetime
) -> RequestFigures:
    """Every figure of the hotline for ``period`` (and the owner unit ``unit_id`` with its subtree) as seen by
    ``principal`` at ``now``."""
    unit = _unit(session, principal, unit_id) if unit_id is not None else None
    dialect = session.get_bind().dialect.name

    # One scan of the cohort, grouped by every breakdown at once; the breakdowns are sums over these cells.
    cells = _grouped(
        session,
        principal,
        period,
        unit,
        now,
        RequestMatter.type,
        RequestMatter.category_id,
        Matter.owner_unit_id,
        Matter.channel,
        local_month(Matter.received_at, dialect),
    )
    types = {t.value: t.label for t in RequestType}
    channels = {c.value: c.label for c in Channel}
    per_unit = _rollup(cells, 2)
    names = {i: n for i, n in session.execute(select(Unit.id, Unit.name).where(Unit.id.in_(list(per_unit))))}
    by_unit = sorted(
        (Row(str(k), names.get(k, str(k)), c) for k, c in per_unit.items()),
        key=lambda r: (-r.counts.received, r.label),
    )
    overdue, overdue_total = _overdue(session, principal, period, unit, now)
    return RequestFigures(
        period=period,
        unit_id=unit.id if unit else None,
        unit_name=unit.name if unit else "",
        as_of=now,
        totals=_rollup(cells, None).get(None, Counts()),
        by_type=_rows(_rollup(cells, 0, _value), lambda k: types.get(k, k), list(types)),
        by_category=_by_category(session, _rollup(cells, 1)),
        by_unit=by_unit,
        by_channel=_rows(_rollup(cells, 3), lambda k: channels.get(k, k or "未注明"), list(channels)),
        by_month=_by_month(_rollup(cells, 4, str), period),
        overdue=overdue,
        overdue_total=overdue_total,
    )


def _value(key: Any) -> str:
    return str(getattr(key, "value", key))


# ---------------------------------------------------------------------------------------------------- hot spots


@dataclass(frozen=True)
class SpotRequest:
    id: int
    serial: str
    title: str
    status: str
    received_at: datetime
    road_code: str
    km_from: int | None
    km_to: int | None
    latitude: float | None
    longitude: float | None


@dataclass(frozen=True)
class HotSpotView:
    spot: HotSpot
    category: str
    requests: list[SpotRequest]


def request_hot_spots(
    session: Session, principal: Principal | None, period: Period, unit_id: int | None, p: Params
) -> list[HotSpotView]:
    """The hot spots among the requests of the period that carry a location (road and kilometres, or
    coordinates), as seen by ``principal``."""
    unit = _unit(session, principal, unit_id) if unit_id is not None else None
    located = or_(
        and_(RequestMatter.road_code != "", RequestMatter.km_from.is_not(None), RequestMatter.km_to.is_not(None)),
        and_(RequestMatter.latitude.is_not(None), RequestMatter.longitude.is_not(None)),
    )
    stmt = select(
        Matter.id,
        Matter.serial,
        Matter.title,
        Matter.status,
        Matter.received_at,
        RequestMatter.category_id,
        RequestMatter.road_code,
        RequestMatter.km_from,
        RequestMatter.km_to,
        RequestMatter.latitude,
        RequestMatter.longitude,
    ).where(located)
    rows = session.execute(_cohort(stmt.select_from(RequestMatter), principal, period, unit)).all()
    found = {
        r.id: SpotRequest(
            r.id, r.serial, r.title, r.status, r.received_at, r.road_code, r.km_from, r.km_to, r.latitude, r.longitude
        )
        for r in rows
    }
    candidates = [
        Located(r.id, r.category_id, r.received_at, r.road_code, r.km_from, r.km_to, r.latitude, r.longitude)
        for r in rows
    ]
    spots = hot_spots(candidates, p)
    ids = {s.category_id for s in spots}
    named = select(RequestCategory.id, RequestCategory.name).where(RequestCategory.id.in_(ids))
    names = {i: n for i, n in session.execute(named)}
    return [HotSpotView(s, names.get(s.category_id, ""), [found[m.id] for m in s.members]) for s in spots]
