"""Inspection figures (巡察统计, issue #5 point 9): per round, year or district, computed by SQL aggregates.

A statistic covers the **rounds of one committee unit** (the approving committee, ``inspection_rounds.
committee_unit_id``) in a period — one year (the round's ``year``), one round, or every year — that the reader may
see: the rounds go through ``restrict()`` with ``inspection.view`` on their committee unit, and every figure counts
records attached to those rounds (a finding, lead, item, team or secondment belongs to its round's year, whatever
the date it was recorded on). Rows are grouped by round, by year or by **district**: the unit one level below the
committee unit on the materialised path (``units.path``) of the organisation concerned — the target of a round,
finding, lead or item, the unit of an accountability record; a target that is the committee unit itself or lies
outside its subtree falls in the row “本级及其他”. The committee unit is a parameter (by default the round's, or the
highest committee unit among the rounds the reader sees).

Definitions:

* **organisations inspected (被巡察党组织)**: distinct units among the rounds' targets. The totals count an
  organisation inspected in two rounds once, so rows grouped by round or year may add up to more than the total.
* **findings (发现问题)**: finding matters of the rounds, except withdrawn ones (``withdrawn``).
* **leads (问题线索)**: lead matters of the rounds, in any state. Leads are confidential, their number is published:
  the query reads only ``round_id`` and ``target_unit_id`` of ``inspection_lead_matters`` to count them, and no other
  lead field (not even its matter row) leaves the table — nor needs ``inspection.lead.view``.
* **immediate rectifications (立行立改)**: findings with ``immediate_ordered_on`` set; **completed**: with
  ``immediate_done_on`` set.
* **rectification items (整改事项)**: items of the rounds' findings; **closed**: state ``closed`` (销号);
  **completion rate** = closed ÷ items (``model.completion_rate``, None when there are no items, shown “—”);
  **overdue**: the matters engine's notion of open overdue — not resolved and ``matters.due_at < now``.
* **petitions (信访件)**: the sum of the rounds' teams' ``petitions``.
* **seconded cadres (抽调干部)**: distinct cadres seconded to the rounds' teams, and the number of secondments.
  By district a team counts in each district where it inspected a target (its petitions and cadres are the team's,
  not a target's), so district rows may add up to more than the total; a team with no target falls in no district.
* **accountability (问责)**: records of the rounds counted per ``model.money.Outcome``, and money returned (退缴)
  and recovered (追回) summed exactly as ``Decimal`` in 元 (in SQL as integer 分). A record not tied to a round
  counts when no round is chosen, its unit lies in the committee unit's subtree and in the reader's scope, and its
  ``decided_on`` falls in the year; grouped by round it shows under “未关联轮次”.

How: :mod:`zhengwu.inspection.service.figure_queries`, one aggregate statement per family of figures.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from zhengwu.core.db import AnySelect
from zhengwu.core.errors import Invalid, NotFound
from zhengwu.core.matters.stats.model import percent
from zhengwu.core.org.access import restrict
from zhengwu.core.org.model import Principal
from zhengwu.core.org.tables import Unit
from zhengwu.inspection.model import VIEW, completion_rate
from zhengwu.inspection.model.money import Outcome, format_wan
from zhengwu.inspection.service.figure_queries import TOTAL, GroupBy, Scope, families, make_scope

__all__ = [
    "FigureRow",
    "Figures",
    "GroupBy",
    "Measures",
    "as_dict",
    "cells",
    "committee_choices",
    "headers",
    "inspection_figures",
    "round_choices",
]
from zhengwu.inspection.tables import InspectionRound

OTHER_DISTRICT = "本级及其他"
NO_ROUND = "未关联轮次"


@dataclass(frozen=True)
class Measures:
    """The figures of one row (or the totals); money in 元."""

    organisations: int = 0
    findings: int = 0
    immediate: int = 0
    immediate_done: int = 0
    leads: int = 0
    items: int = 0
    items_closed: int = 0
    items_overdue: int = 0
    petitions: int = 0
    cadres: int = 0
    secondments: int = 0
    outcomes: Mapping[Outcome, int] = field(default_factory=dict)
    returned: Decimal = Decimal("0.00")
    recovered: Decimal = Decimal("0.00")

    @property
    def completion_rate(self) -> float | None:
        return completion_rate(self.items_closed, self.items)


COUNTS = tuple(f.name for f in fields(Measures) if f.type in ("int", int))


@dataclass(frozen=True)
class FigureRow:
    key: str  # the round id, the year or the district unit id; "" for the “other”/“no round” row
    label: str
    measures: Measures


@dataclass(frozen=True)
class Figures:
    committee_unit_id: int | None  # None: the reader sees no round at all
    committee_name: str
    year: int | None
    round_id: int | None
    round_name: str
    group_by: GroupBy
    as_of: datetime
    totals: Measures
    rows: list[FigureRow]
    outcomes: list[Outcome]  # the outcomes that occur, in their order (the table's columns)

    @property
    def period_label(self) -> str:
        if self.round_id is not None:
            return self.round_name
        return f"{self.year}年" if self.year is not None else "全部年度"


# ---------------------------------------------------------------------------------------------- choices, scope


def visible_rounds(principal: Principal | None) -> AnySelect:
    """The rounds the reader may see (``inspection.view`` over the committee unit)."""
    return restrict(select(InspectionRound), principal, VIEW)


def committee_choices(session: Session, principal: Principal | None) -> list[Unit]:
    """The committee units of the rounds the reader sees, highest first (then by id)."""
    ids = visible_rounds(principal).with_only_columns(InspectionRound.committee_unit_id).distinct()
    units = session.scalars(select(Unit).where(Unit.id.in_(ids.scalar_subquery())))
    return sorted(units, key=lambda u: (u.path.count("/"), u.id))


def round_choices(session: Session, principal: Principal | None, committee_unit_id: int) -> list[InspectionRound]:
    stmt = visible_rounds(principal).where(InspectionRound.committee_unit_id == committee_unit_id)
    return list(session.scalars(stmt.order_by(InspectionRound.year.desc(), InspectionRound.number.desc())))


def _measures(session: Session, scope: Scope, by: GroupBy, now: datetime) -> tuple[Measures, dict[Any, Measures]]:
    """The totals and every figure per row key, merged from the families' aggregates."""
    totals, money_total, grouped, money = families(session, scope, by, now)
    return _merged(totals, money_total).get(TOTAL, Measures()), _merged(grouped, money)


def _merged(
    parts: list[tuple[dict[Any, tuple[Any, ...]], int]], money: dict[Any, list[tuple[Any, ...]]]
) -> dict[Any, Measures]:
    out: dict[Any, Measures] = {}
    for k in set(money).union(*(found for found, _ in parts)):  # one loop over the groups, not over the records
        counts = [int(v or 0) for found, width in parts for v in found.get(k, (0,) * width)]
        outcomes: dict[Outcome, int] = {}
        for o, n, _r, _c in money.get(k, []):
            if o is not None:
                outcomes[Outcome(o)] = outcomes.get(Outcome(o), 0) + int(n)
        changes: dict[str, Any] = dict(zip(COUNTS, counts, strict=True))
        out[k] = Measures(
            outcomes=outcomes,
            returned=Decimal(sum(int(r) for _o, _n, r, _c in money.get(k, []))).scaleb(-2),
            recovered=Decimal(sum(int(c) for _o, _n, _r, c in money.get(k, []))).scaleb(-2),
            **changes,
        )
    return out


# ------------------------------------------------------------------------------------------------ the figures


def inspection_figures(
    session: Session,
    principal: Principal | None,
    *,
    committee_unit_id: int | None = None,
    year: int | None = None,
    round_id: int | None = None,
    group_by: GroupBy | str = GroupBy.DISTRICT,
    now: datetime,
) -> Figures:
    """Every inspection figure of a committee unit's rounds in a period, grouped (definitions: module docstring)."""
    by = _group_by(group_by)
    rnd: InspectionRound | None = None
    if round_id is not None:
        rnd = session.scalar(visible_rounds(principal).where(InspectionRound.id == round_id))
        if rnd is None:
            raise NotFound("巡察轮次不存在或不在您的数据范围内。", field="round_id")
        if year is not None and rnd.year != year:
            raise Invalid(f"所选轮次是 {rnd.year} 年的轮次，不属于 {year} 年。", field="round_id")
    if committee_unit_id is None:
        if rnd is not None:
            committee_unit_id = rnd.committee_unit_id
        else:
            choices = committee_choices(session, principal)
            if not choices:
                return Figures(None, "", year, None, "", by, now, Measures(), [], [])
            committee_unit_id = choices[0].id
    committee = session.scalar(restrict(select(Unit), principal, VIEW).where(Unit.id == committee_unit_id))
    if committee is None:
        raise NotFound("单位不存在或不在您的数据范围内。", field="committee_unit_id")
    rounds = visible_rounds(principal).with_only_columns(InspectionRound.id)
    chosen = InspectionRound.id == rnd.id if rnd else InspectionRound.committee_unit_id == committee.id
    rounds = rounds.where(chosen)
    if year is not None:
        rounds = rounds.where(InspectionRound.year == year)
    scope = make_scope(session, principal, rounds, committee, year, rnd is not None)
    totals, grouped = _measures(session, scope, by, now)
    rows = _rows(session, by, grouped, rounds)
    outcomes = [o for o in Outcome if totals.outcomes.get(o)]
    rid, name = (rnd.id, rnd.name) if rnd else (None, "")
    return Figures(committee.id, committee.name, year, rid, name, by, now, totals, rows, outcomes)


def _group_by(value: GroupBy | str) -> GroupBy:
    try:
        return GroupBy(value)
    except ValueError:
        raise Invalid("分组方式应为 district（按区县）、round（按轮次）或 year（按年度）。", field="group_by") from None


def _rows(session: Session, by: GroupBy, grouped: dict[Any, Measures], rounds: AnySelect) -> list[FigureRow]:
    """The rows in order with their labels: rounds by year and number (every round of the period, even empty),
    years ascending, districts in the order they were created; the “other” row last."""
    ordered: list[tuple[Any, str]] = []
    if by is GroupBy.ROUND:
        stmt = select(InspectionRound.id, InspectionRound.name).where(InspectionRound.id.in_(rounds.scalar_subquery()))
        found = session.execute(stmt.order_by(InspectionRound.year, InspectionRound.number, InspectionRound.id))
        ordered = [(i, name) for i, name in found]
    elif by is GroupBy.YEAR:
        ordered = [(y, f"{y}年") for y in sorted(k for k in grouped if k is not None)]
    else:
        ids = [k for k in grouped if k is not None]
        found = session.execute(select(Unit.id, Unit.name).where(Unit.id.in_(ids)).order_by(Unit.id))
        ordered = [(i, name) for i, name in found]
    known = {k for k, _ in ordered}
    rows = [FigureRow(str(k), label, grouped.get(k, Measures())) for k, label in ordered]
    rest = [k for k in grouped if k not in known]
    if rest:  # NULL keys, and district ids that are no unit (cannot happen with a well-formed tree)
        m = functools.reduce(_add, (grouped[k] for k in rest), Measures())
        rows.append(FigureRow("", NO_ROUND if by is GroupBy.ROUND else OTHER_DISTRICT, m))
    return rows


def _add(a: Measures, b: Measures) -> Measures:
    sums = {f.name: getattr(a, f.name) + getattr(b, f.name) for f in fields(Measures) if f.name != "outcomes"}
    outcomes = {o: a.outcomes.get(o, 0) + b.outcomes.get(o, 0) for o in {*a.outcomes, *b.outcomes}}
    return Measures(**sums, outcomes=outcomes)


# ------------------------------------------------------------------ the figures as a table (page, export, CLI) and JSON

HEAD = {GroupBy.DISTRICT: "区县（单位）", GroupBy.ROUND: "轮次", GroupBy.YEAR: "年度"}
COUNT_HEADERS = (
    "被巡察党组织",
    "发现问题",
    "立行立改",
    "立行立改已完成",
    "问题线索",
    "整改事项",
    "已销号",
    "整改完成率",
    "逾期事项",
    "受理信访",
    "抽调干部（人）",
    "抽调（人次）",
)


def headers(f: Figures) -> list[str]:
    """The table's column headings: the row, the counts, the outcomes that occur, the money in 万元."""
    return [HEAD[f.group_by], *COUNT_HEADERS, *(o.label for o in f.outcomes), "退缴（万元）", "追回（万元）"]


def cells(f: Figures, m: Measures) -> list[Any]:
    """One line of the table after its label: counts as integers, the rate as read (“—” without items) and the
    money in 万元 with two decimals (``format_wan`` without its unit)."""
    return [
        m.organisations,
        m.findings,
        m.immediate,
        m.immediate_done,
        m.leads,
        m.items,
        m.items_closed,
        percent(m.completion_rate),
        m.items_overdue,
        m.petitions,
        m.cadres,
        m.secondments,
        *(m.outcomes.get(o, 0) for o in f.outcomes),
        format_wan(m.returned).removesuffix("万元"),
        format_wan(m.recovered).removesuffix("万元"),
    ]


def as_dict(f: Figures) -> dict[str, Any]:
    """The figures as JSON-ready data (the API's ``FiguresOut``, the CLI's ``--json``): amounts as strings in 元
    with two decimals, never floats; outcomes that occur, with their labels."""

    def measures(m: Measures) -> dict[str, Any]:
        counts = {name: getattr(m, name) for name in COUNTS}
        outcomes = [
            {"outcome": o.value, "label": o.label, "count": m.outcomes[o]} for o in Outcome if m.outcomes.get(o)
        ]
        money = {"returned": f"{m.returned:.2f}", "recovered": f"{m.recovered:.2f}"}
        return {**counts, "completion_rate": m.completion_rate, "outcomes": outcomes, **money}

    return {
        "committee_unit_id": f.committee_unit_id,
        "committee": f.committee_name,
        "year": f.year,
        "round_id": f.round_id,
        "period": f.period_label,
        "group_by": f.group_by.value,
        "as_of": f.as_of.isoformat(),
        "totals": measures(f.totals),
        "rows": [{"key": r.key, "label": r.label, **measures(r.measures)} for r in f.rows],
    }
