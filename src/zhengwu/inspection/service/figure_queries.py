"""The statements behind the inspection figures (definitions: :mod:`zhengwu.inspection.service.figures`).

One aggregate statement per family of figures — targets, findings, leads, items, teams, secondments,
accountability — grouped by the row key (round, year or district). The totals of the counts that add up (findings,
leads, items, accountability) are the sums of their groups; the distinct counts (organisations, cadres) and the
teams' (a team counts in every district it inspected) are asked for once more without grouping. By district the
additive families are counted per unit first and the units' counts summed per district, so that the district is cut
from a few hundred unit paths (``district_of``, in SQL) rather than from every record's. The work is bounded by
the number of records of the period; Python only merges one line per group (``benchmarks/inspection_stats.py``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Integer,
    Subquery,
    and_,
    case,
    cast,
    distinct,
    extract,
    func,
    literal_column,
    or_,
    select,
)
from sqlalchemy.orm import Session

from zhengwu.core.db import AnySelect
from zhengwu.core.labels import LabelledEnum
from zhengwu.core.matters.tables import Matter
from zhengwu.core.org.access import restrict
from zhengwu.core.org.model import Principal
from zhengwu.core.org.tables import Unit
from zhengwu.inspection.model import VIEW
from zhengwu.inspection.model.workflows import FindingState, ItemState
from zhengwu.inspection.tables import (
    Accountability,
    FindingMatter,
    InspectionRound,
    InspectionRoundTarget,
    InspectionSecondment,
    InspectionTeam,
    ItemMatter,
    LeadMatter,
)

Found = dict[Any, tuple[Any, ...]]  # row key → the aggregates of one family
Money = dict[Any, list[tuple[Any, ...]]]  # row key → [(outcome, count, returned 分, recovered 分)]


class GroupBy(LabelledEnum):
    DISTRICT = "district", "按区县（单位）"
    ROUND = "round", "按轮次"
    YEAR = "year", "按年度"


def district_of(path: Any, committee_path: str, dialect: str) -> ColumnElement[int]:
    """The id of the unit one level below the committee unit (path ``committee_path``) on a path below it: the
    first path segment after the committee's, as an integer (constants inlined)."""
    start: ColumnElement[Any] = literal_column(str(len(committee_path) + 1))
    rest = func.substr(path, start)
    segment: ColumnElement[Any]
    if dialect == "postgresql":
        segment = func.split_part(rest, literal_column("'/'"), literal_column("1"))
    elif dialect == "sqlite":
        segment = func.substr(rest, literal_column("1"), func.instr(rest, literal_column("'/'")) - 1)
    else:
        raise ValueError(f"unsupported database dialect: {dialect} (SQLite and PostgreSQL only)")
    return cast(segment, Integer)


@dataclass(frozen=True)
class Scope:
    rounds: Any  # scalar subquery of the round ids in the period
    districts: Subquery  # unit_id → district_id over the committee unit's subtree
    team_districts: Subquery  # distinct (team_id, district_id)
    committee_path: str
    year: int | None
    round_chosen: bool
    principal: Principal | None


def _key(by: GroupBy | None, scope: Scope, stmt: AnySelect, round_col: Any, unit_col: Any) -> tuple[AnySelect, Any]:
    """``stmt`` joined as the row key needs, and the key (None: the totals)."""
    if by is None:
        return stmt, None
    if by is GroupBy.ROUND:
        return stmt, round_col
    if by is GroupBy.YEAR:
        return stmt.join(InspectionRound, InspectionRound.id == round_col), InspectionRound.year
    d = scope.districts
    return stmt.outerjoin(d, d.c.unit_id == unit_col), d.c.district_id


def _run(session: Session, stmt: AnySelect, key: Any) -> dict[Any, tuple[Any, ...]]:
    """Row key → the aggregates (the key column last when grouped; the totals under the key ``TOTAL``)."""
    if key is None:
        return {TOTAL: tuple(session.execute(stmt).one())}
    return {row[-1]: tuple(row[:-1]) for row in session.execute(stmt.add_columns(key).group_by(key))}


TOTAL = "total"


def _additive(
    session: Session, scope: Scope, by: GroupBy | None, stmt: AnySelect, round_col: Any, unit_col: Any
) -> dict[Any, tuple[Any, ...]]:
    """Counts (which add up) per row key. By district they are counted per unit first and the units' counts
    summed per district: the district is then cut from a few hundred unit paths, not from every record's."""
    if by is not GroupBy.DISTRICT:
        return _run(session, *_key(by, scope, stmt, round_col, unit_col))
    per_unit = stmt.add_columns(unit_col.label("unit_id")).group_by(unit_col).subquery()
    d = scope.districts
    sums = [func.sum(c) for c in per_unit.c if c.name != "unit_id"]
    rolled = select(*sums).select_from(per_unit).outerjoin(d, d.c.unit_id == per_unit.c.unit_id)
    return _run(session, rolled, d.c.district_id)


def _summed(found: dict[Any, tuple[Any, ...]], width: int) -> dict[Any, tuple[Any, ...]]:
    """The totals of an additive family: its groups' counts added up."""
    return {TOTAL: tuple(sum(int(v or 0) for v in column) for column in zip(*found.values(), strict=True))
            or (0,) * width}  # fmt: skip


def _count(cond: ColumnElement[bool]) -> ColumnElement[int]:
    return func.count(case((cond, 1)))


def _cents(column: Any) -> ColumnElement[int]:
    """Exact sum of a money column in 分 (SQLite holds NUMERIC as floating point: each amount is rounded to whole 分
    before adding, which is exact for amounts below 10¹² 元)."""
    return func.coalesce(func.sum(cast(func.round(column * 100), BigInteger)), 0)


def _targets(session: Session, scope: Scope, by: GroupBy | None) -> dict[Any, tuple[Any, ...]]:
    rt = InspectionRoundTarget
    stmt = select(func.count(distinct(rt.unit_id))).select_from(rt).where(rt.round_id.in_(scope.rounds))
    return _run(session, *_key(by, scope, stmt, rt.round_id, rt.unit_id))


def _findings(session: Session, scope: Scope, by: GroupBy | None) -> dict[Any, tuple[Any, ...]]:
    f = FindingMatter
    stmt = (
        select(func.count(), _count(f.immediate_ordered_on.is_not(None)), _count(f.immediate_done_on.is_not(None)))
        .select_from(f)
        .where(f.round_id.in_(scope.rounds), f.status != FindingState.WITHDRAWN.value)
    )
    return _additive(session, scope, by, stmt, f.round_id, f.target_unit_id)


def _leads(session: Session, scope: Scope, by: GroupBy | None) -> dict[Any, tuple[Any, ...]]:
    t = LeadMatter.__table__  # the lead table alone: only round_id and target_unit_id are read
    stmt = select(func.count()).select_from(t).where(t.c.round_id.in_(scope.rounds))
    return _additive(session, scope, by, stmt, t.c.round_id, t.c.target_unit_id)


def _items(session: Session, scope: Scope, by: GroupBy | None, now: datetime) -> dict[Any, tuple[Any, ...]]:
    f = FindingMatter.__table__
    stmt = (
        select(
            func.count(),
            _count(ItemMatter.status == ItemState.CLOSED.value),
            _count(and_(Matter.resolved_at.is_(None), Matter.due_at < now)),
        )
        .select_from(ItemMatter)
        .join(f, f.c.id == ItemMatter.finding_id)
        .where(f.c.round_id.in_(scope.rounds))
    )
    return _additive(session, scope, by, stmt, f.c.round_id, f.c.target_unit_id)


def _team_key(by: GroupBy | None, scope: Scope, stmt: AnySelect) -> tuple[AnySelect, Any]:
    if by is GroupBy.DISTRICT:
        td = scope.team_districts
        return stmt.join(td, td.c.team_id == InspectionTeam.id), td.c.district_id
    return _key(by, scope, stmt, InspectionTeam.round_id, None)


def _teams(session: Session, scope: Scope, by: GroupBy | None) -> dict[Any, tuple[Any, ...]]:
    stmt = select(func.coalesce(func.sum(InspectionTeam.petitions), 0)).where(InspectionTeam.round_id.in_(scope.rounds))
    return _run(session, *_team_key(by, scope, stmt))


def _secondments(session: Session, scope: Scope, by: GroupBy | None) -> dict[Any, tuple[Any, ...]]:
    s = InspectionSecondment
    stmt = (
        select(func.count(distinct(s.cadre_id)), func.count())
        .select_from(s)
        .join(InspectionTeam, InspectionTeam.id == s.team_id)
        .where(InspectionTeam.round_id.in_(scope.rounds))
    )
    return _run(session, *_team_key(by, scope, stmt))


def _accountability(session: Session, scope: Scope, by: GroupBy | None) -> dict[Any, list[tuple[Any, ...]]]:
    """Row key → [(outcome, count, returned 分, recovered 分)]."""
    a = Accountability
    population: ColumnElement[bool] = a.round_id.in_(scope.rounds)
    if not scope.round_chosen:
        unlinked: list[ColumnElement[bool]] = [
            a.round_id.is_(None),
            a.unit_id.in_(select(Unit.id).where(Unit.path.startswith(scope.committee_path))),
            a.id.in_(restrict(select(a.id), scope.principal, VIEW)),
        ]
        if scope.year is not None:
            unlinked += [a.decided_on >= date(scope.year, 1, 1), a.decided_on <= date(scope.year, 12, 31)]
        population = or_(population, and_(*unlinked))
    stmt = select(a.outcome, func.count(), _cents(a.returned), _cents(a.recovered)).where(population)
    key: Any = None
    if by is GroupBy.YEAR:
        year = func.coalesce(InspectionRound.year, cast(extract("year", a.decided_on), Integer))
        stmt, key = stmt.outerjoin(InspectionRound, InspectionRound.id == a.round_id), year
    elif by is not None:
        stmt, key = _key(by, scope, stmt, a.round_id, a.unit_id)
    out: dict[Any, list[tuple[Any, ...]]] = {}
    if key is None:
        stmt = stmt.add_columns(literal_column(f"'{TOTAL}'")).group_by(a.outcome)
    else:
        stmt = stmt.add_columns(key).group_by(a.outcome, key)
    for row in session.execute(stmt):
        out.setdefault(row[-1], []).append(tuple(row[:-1]))
    return out


def make_scope(
    session: Session, principal: Principal | None, rounds: AnySelect, committee: Unit, year: int | None, one_round: bool
) -> Scope:
    """The statements' common parts: ``rounds`` (a select of round ids), the districts of the committee unit's
    subtree and the districts each team inspected in."""
    dialect = session.get_bind().dialect.name
    districts = (
        select(Unit.id.label("unit_id"), district_of(Unit.path, committee.path, dialect).label("district_id"))
        .where(Unit.path.startswith(committee.path), Unit.path != committee.path)
        .subquery("districts")
    )
    rt = InspectionRoundTarget
    team_districts = (
        select(rt.team_id.label("team_id"), districts.c.district_id)
        .select_from(rt)
        .outerjoin(districts, districts.c.unit_id == rt.unit_id)
        .where(rt.round_id.in_(rounds.scalar_subquery()), rt.team_id.is_not(None))
        .distinct()
        .subquery("team_districts")
    )
    return Scope(rounds.scalar_subquery(), districts, team_districts, committee.path, year, one_round, principal)


def families(
    session: Session, scope: Scope, by: GroupBy, now: datetime
) -> tuple[list[tuple[Found, int]], Money, list[tuple[Found, int]], Money]:
    """The totals and the groups of every family, each with its number of columns, in the order of the counts of
    ``Measures``, and the accountability lines of both."""
    findings, leads, items = _findings(session, scope, by), _leads(session, scope, by), _items(session, scope, by, now)
    money = _accountability(session, scope, by)
    grouped = [  # in the order of the counts of ``Measures``, with their number of columns
        (_targets(session, scope, by), 1),
        (findings, 3),
        (leads, 1),
        (items, 3),
        (_teams(session, scope, by), 1),
        (_secondments(session, scope, by), 2),
    ]
    totals = [
        (_targets(session, scope, None), 1),
        (_summed(findings, 3), 3),
        (_summed(leads, 1), 1),
        (_summed(items, 3), 3),
        (_teams(session, scope, None), 1),
        (_secondments(session, scope, None), 2),
    ]
    money_total = {TOTAL: [line for lines in money.values() for line in lines]}
    return totals, money_total, grouped, money
