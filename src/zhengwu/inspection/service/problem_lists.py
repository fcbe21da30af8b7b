"""Common-problem lists (共性问题清单): the inspection office issues a list of problem templates to many units at once
so that they fix those problems before being inspected (未巡先改) and fix the same kind everywhere (同类同改); each
unit self-checks — problems found and rectified per template, plus livelihood matters solved (民生实事) and
regulations made (建章立制) — and the list's page aggregates them.

Scopes: issuing needs ``inspection.round.manage`` over the committee unit, and every unit issued to lies in the
committee unit's subtree; a self-check needs ``inspection.rectify`` over the unit reporting. A reader sees a list
when ``inspection.view`` covers its committee unit or any unit it was issued to, and its figures count only the
units in that scope (the office sees them all, a district its own).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import ClassVar

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session

from zhengwu.core.db import UnitOfWork
from zhengwu.core.errors import Invalid, NotFound
from zhengwu.core.org.access import check_write, restrict
from zhengwu.core.org.model import Principal
from zhengwu.core.org.service import expect_version, require, touch
from zhengwu.core.org.tables import Unit
from zhengwu.inspection.model import RECTIFY, ROUND_MANAGE, VIEW, completion_rate
from zhengwu.inspection.tables import (
    InspectionCategory,
    ProblemList,
    ProblemListUnit,
    ProblemTemplate,
    SelfCheck,
)

MAX_TEMPLATES = 100
MAX_UNITS = 500
MAX_TEXT = 1000
MAX_GROUP = 32
MAX_COUNT = 1_000_000


@dataclass(frozen=True)
class _Committee:
    """The committee unit as a record ``check_write`` can place in a scope."""

    __scope_unit__: ClassVar[str] = "unit_id"
    unit_id: int


def _templates(session: Session, templates: Sequence[str | tuple[str, int | None]]) -> list[tuple[str, int | None]]:
    if not templates:
        raise Invalid("请至少填写一个问题。", field="templates")
    if len(templates) > MAX_TEMPLATES:
        raise Invalid(f"问题最多 {MAX_TEMPLATES} 个。", field="templates")
    out: list[tuple[str, int | None]] = []
    for given in templates:
        text, category_id = (given, None) if isinstance(given, str) else given
        text = (text or "").strip()
        if not text:
            raise Invalid("问题内容不能为空。", field="templates")
        if len(text) > MAX_TEXT:
            raise Invalid(f"每个问题不能超过 {MAX_TEXT} 个字。", field="templates")
        if category_id is not None and session.get(InspectionCategory, category_id) is None:
            raise Invalid("问题分类不存在。", field="templates")
        out.append((text, category_id))
    return out


def _units(session: Session, committee: Unit, units: Sequence[tuple[int, str]]) -> list[tuple[int, str]]:
    if not units:
        raise Invalid("请至少选择一个下发单位。", field="units")
    if len(units) > MAX_UNITS:
        raise Invalid(f"下发单位最多 {MAX_UNITS} 个。", field="units")
    ids = [u for u, _ in units]
    if len(set(ids)) != len(ids):
        raise Invalid("下发单位重复。", field="units")
    found = {
        i: (path, active)
        for i, path, active in session.execute(select(Unit.id, Unit.path, Unit.active).where(Unit.id.in_(ids)))
    }
    out: list[tuple[int, str]] = []
    for unit_id, given in units:
        if unit_id not in found or not found[unit_id][1]:
            raise Invalid("下发单位不存在或已停用。", field="units")
        if not found[unit_id][0].startswith(committee.path):
            raise Invalid(f"下发单位须是{committee.name}所辖单位。", field="units")
        group = (given or "").strip()
        if len(group) > MAX_GROUP:
            raise Invalid(f"单位分组不能超过 {MAX_GROUP} 个字。", field="units")
        out.append((unit_id, group))
    return out


def issue_list(
    uow: UnitOfWork,
    principal: Principal | None,
    *,
    committee_unit_id: int,
    title: str,
    issued_on: date,
    due_on: date | None,
    templates: Sequence[str | tuple[str, int | None]],
    units: Sequence[tuple[int, str]],
) -> ProblemList:
    """Issue a list: its templates in order (text, or text with a category id) to ``units`` (unit id, group label
    such as 区县（市）, 园区, 市直单位), in one flush whatever the number of units."""
    require(principal, ROUND_MANAGE)
    session = uow.session
    committee = session.get(Unit, committee_unit_id)
    if committee is None or not committee.active:
        raise Invalid("下发单位（党委）不存在或已停用。", field="committee_unit_id")
    check_write(session, principal, ROUND_MANAGE, _Committee(committee_unit_id))
    title = (title or "").strip()
    if not title:
        raise Invalid("请填写清单名称。", field="title")
    if len(title) > 200:
        raise Invalid("清单名称不能超过 200 个字。", field="title")
    if not isinstance(issued_on, date):
        raise Invalid("请填写有效的下发日期。", field="issued_on")
    if due_on is not None and (not isinstance(due_on, date) or due_on < issued_on):
        raise Invalid("完成时限不能早于下发日期。", field="due_on")
    checked_templates = _templates(session, templates)
    checked_units = _units(session, committee, units)
    problem_list = ProblemList(committee_unit_id=committee_unit_id, title=title, issued_on=issued_on, due_on=due_on)
    session.add(problem_list)
    uow.flush()
    session.add_all(
        ProblemTemplate(list_id=problem_list.id, position=i, text=text, category_id=category)
        for i, (text, category) in enumerate(checked_templates, start=1)
    )
    session.add_all(ProblemListUnit(list_id=problem_list.id, unit_id=u, group=g) for u, g in checked_units)
    uow.flush()
    return problem_list


def _visible(principal: Principal | None) -> ColumnElement[bool]:
    """The condition: the reader's ``inspection.view`` covers the list's committee unit or a unit it went to."""
    issued = restrict(select(ProblemListUnit.list_id), principal, VIEW, ProblemListUnit)
    own = restrict(select(ProblemList.id), principal, VIEW, ProblemList)
    return or_(ProblemList.id.in_(own), ProblemList.id.in_(issued))


def get_list(session: Session, principal: Principal | None, list_id: int) -> ProblemList:
    found = session.scalar(select(ProblemList).where(ProblemList.id == list_id, _visible(principal)))
    if found is None:
        raise NotFound("共性问题清单不存在或不在您的数据范围内。")
    return found


@dataclass(frozen=True)
class ListRow:
    problem_list: ProblemList
    committee: str
    units: int  # issued to, in the reader's scope
    reported: int

    @property
    def id(self) -> int:
        return self.problem_list.id

    @property
    def title(self) -> str:
        return self.problem_list.title

    @property
    def issued_on(self) -> date:
        return self.problem_list.issued_on

    @property
    def due_on(self) -> date | None:
        return self.problem_list.due_on


def list_lists(session: Session, principal: Principal | None) -> list[ListRow]:
    """The lists the reader may see, newest first, with how many of their units (in scope) have reported."""
    units = restrict(
        select(ProblemListUnit.list_id, ProblemListUnit.reported_at), principal, VIEW, ProblemListUnit
    ).subquery()
    stmt = (
        select(ProblemList, Unit.name, func.count(units.c.list_id), func.count(units.c.reported_at))
        .join(Unit, Unit.id == ProblemList.committee_unit_id)
        .outerjoin(units, units.c.list_id == ProblemList.id)
        .where(_visible(principal))
        .group_by(ProblemList.id, Unit.name)
        .order_by(ProblemList.issued_on.desc(), ProblemList.id.desc())
    )
    return [ListRow(pl, str(name), int(n), int(r)) for pl, name, n, r in session.execute(stmt)]


@dataclass
class Figures:
    """Problems found and rectified, livelihood matters and regulations, over some units."""

    units: int = 0
    reported: int = 0
    found: int = 0
    rectified: int = 0
    livelihood: int = 0
    regulations: int = 0

    @property
    def completion_rate(self) -> float | None:
        """Rectified ÷ found (None when nothing was found)."""
        return completion_rate(self.rectified, self.found)


@dataclass(frozen=True)
class UnitRow:
    unit_id: int
    unit: str
    group: str
    figures: Figures
    reported: bool
    version: int


@dataclass(frozen=True)
class TemplateRow:
    id: int
    position: int
    text: str
    category: str
    found: int
    rectified: int

    @property
    def completion_rate(self) -> float | None:
        return completion_rate(self.rectified, self.found)


@dataclass
class Summary:
    problem_list: ProblemList
    committee: str
    total: Figures
    groups: dict[str, Figures] = field(default_factory=dict)
    templates: list[TemplateRow] = field(default_factory=list)
    rows: list[UnitRow] = field(default_factory=list)  # per unit, in tree order

    @property
    def not_reported(self) -> list[UnitRow]:
        return [u for u in self.rows if not u.reported]

    # the list's own fields, for readers of a summary as one record
    id = property(lambda self: self.problem_list.id)
    title = property(lambda self: self.problem_list.title)
    issued_on = property(lambda self: self.problem_list.issued_on)
    due_on = property(lambda self: self.problem_list.due_on)
    committee_unit_id = property(lambda self: self.problem_list.committee_unit_id)
    units = property(lambda self: self.total.units)
    reported = property(lambda self: self.total.reported)


def list_summary(session: Session, principal: Principal | None, list_id: int) -> Summary:
    """A list's figures over the units in the reader's scope: totals, per group (in the order first issued), per
    template (in order) and per unit, and the units that have not reported yet."""
    problem_list = get_list(session, principal, list_id)
    committee = session.scalar(select(Unit.name).where(Unit.id == problem_list.committee_unit_id)) or ""
    in_scope = restrict(
        select(ProblemListUnit.unit_id).where(ProblemListUnit.list_id == list_id), principal, VIEW, ProblemListUnit
    )
    sums = dict(
        (
            (u, (int(f), int(r)))
            for u, f, r in session.execute(
                select(SelfCheck.unit_id, func.sum(SelfCheck.found), func.sum(SelfCheck.rectified))
                .where(SelfCheck.list_id == list_id, SelfCheck.unit_id.in_(in_scope))
                .group_by(SelfCheck.unit_id)
            )
        )
    )
    summary = Summary(problem_list, committee, Figures())
    rows = session.execute(
        select(ProblemListUnit, Unit.name)
        .join(Unit, Unit.id == ProblemListUnit.unit_id)
        .where(ProblemListUnit.list_id == list_id, ProblemListUnit.unit_id.in_(in_scope))
        .order_by(Unit.path)
    )
    for plu, name in rows:
        found, rectified = sums.get(plu.unit_id, (0, 0))
        reported = plu.reported_at is not None
        figures = Figures(1, int(reported), found, rectified, plu.livelihood, plu.regulations)
        summary.rows.append(UnitRow(plu.unit_id, str(name), plu.group, figures, reported, plu.version))
        for target in (summary.total, summary.groups.setdefault(plu.group, Figures())):
            target.units += 1
            target.reported += int(reported)
            target.found += found
            target.rectified += rectified
            target.livelihood += plu.livelihood
            target.regulations += plu.regulations
    per_template = dict(
        (
            (t, (int(f), int(r)))
            for t, f, r in session.execute(
                select(SelfCheck.template_id, func.sum(SelfCheck.found), func.sum(SelfCheck.rectified))
                .where(SelfCheck.list_id == list_id, SelfCheck.unit_id.in_(in_scope))
                .group_by(SelfCheck.template_id)
            )
        )
    )
    for template, category in session.execute(
        select(ProblemTemplate, InspectionCategory.name)
        .outerjoin(InspectionCategory, InspectionCategory.id == ProblemTemplate.category_id)
        .where(ProblemTemplate.list_id == list_id)
        .order_by(ProblemTemplate.position)
    ):
        found, rectified = per_template.get(template.id, (0, 0))
        summary.templates.append(
            TemplateRow(template.id, template.position, template.text, str(category or ""), found, rectified)
        )
    return summary


@dataclass(frozen=True)
class CheckRow:
    template_id: int
    position: int
    text: str
    found: int
    rectified: int


@dataclass(frozen=True)
class SelfCheckForm:
    problem_list: ProblemList
    unit_id: int
    unit: str
    group: str
    reported: bool
    livelihood: int
    regulations: int
    version: int
    checks: list[CheckRow]


def self_check(session: Session, principal: Principal | None, list_id: int, unit_id: int) -> SelfCheckForm:
    """One unit's self-check against a list (every template, 0 where nothing was recorded), as the reader
    (``inspection.view`` over the unit) may see it."""
    plu = session.scalar(
        restrict(
            select(ProblemListUnit).where(ProblemListUnit.list_id == list_id, ProblemListUnit.unit_id == unit_id),
            principal,
            VIEW,
        )
    )
    if plu is None:
        raise NotFound("该单位未收到此清单，或不在您的数据范围内。")
    problem_list = session.get(ProblemList, list_id)
    assert problem_list is not None
    rows = session.execute(
        select(ProblemTemplate, SelfCheck.found, SelfCheck.rectified)
        .outerjoin(
            SelfCheck,
            (SelfCheck.template_id == ProblemTemplate.id) & (SelfCheck.unit_id == unit_id),
        )
        .where(ProblemTemplate.list_id == list_id)
        .order_by(ProblemTemplate.position)
    )
    checks = [CheckRow(t.id, t.position, t.text, int(f or 0), int(r or 0)) for t, f, r in rows]
    name = session.scalar(select(Unit.name).where(Unit.id == unit_id)) or ""
    reported = plu.reported_at is not None
    return SelfCheckForm(
        problem_list, unit_id, name, plu.group, reported, plu.livelihood, plu.regulations, plu.version, checks
    )


def _count(value: object, field: str, label: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise Invalid(f"{label}应为整数。", field=field)
    if value < 0:
        raise Invalid(f"{label}不能为负数。", field=field)
    if value > MAX_COUNT:
        raise Invalid(f"{label}过大，请核对。", field=field)
    return value


def report_self_check(
    uow: UnitOfWork,
    principal: Principal | None,
    list_id: int,
    unit_id: int,
    *,
    checks: Mapping[int, tuple[int, int]],
    livelihood: int,
    regulations: int,
    version: int | None,
) -> ProblemListUnit:
    """Record (or replace) a unit's self-check: per template id (found, rectified) — a template left out counts
    as nothing found — plus livelihood matters solved and regulations made. Fields are named ``found_<template
    id>``, ``rectified_<template id>``, ``livelihood`` and ``regulations`` in the messages."""
    require(principal, RECTIFY)
    session = uow.session
    plu = session.get(ProblemListUnit, (list_id, unit_id))
    if plu is None:
        raise NotFound("该单位未收到此清单。")
    check_write(session, principal, RECTIFY, plu)
    expect_version(plu, version)
    templates = set(session.scalars(select(ProblemTemplate.id).where(ProblemTemplate.list_id == list_id)))
    unknown = [t for t in checks if t not in templates]
    if unknown:
        raise Invalid("自查填报的问题不属于此清单。", field="checks")
    values: dict[int, tuple[int, int]] = {}
    for template_id in sorted(checks):
        found_given, rectified_given = checks[template_id]
        found = _count(found_given, f"found_{template_id}", "查摆问题数")
        rectified = _count(rectified_given, f"rectified_{template_id}", "已整改数")
        if rectified > found:
            raise Invalid("已整改数不能大于查摆问题数。", field=f"rectified_{template_id}")
        values[template_id] = (found, rectified)
    plu.livelihood = _count(livelihood, "livelihood", "解决民生实事数")
    plu.regulations = _count(regulations, "regulations", "建章立制数")
    existing = {
        c.template_id: c
        for c in session.scalars(select(SelfCheck).where(SelfCheck.list_id == list_id, SelfCheck.unit_id == unit_id))
    }
    for template_id in templates:
        found, rectified = values.get(template_id, (0, 0))
        check = existing.get(template_id)
        if check is None:
            if found or rectified:
                session.add(
                    SelfCheck(
                        list_id=list_id, unit_id=unit_id, template_id=template_id, found=found, rectified=rectified
                    )
                )
        elif (check.found, check.rectified) != (found, rectified):
            check.found, check.rectified = found, rectified
    plu.reported_at = uow.clock.now()
    touch(plu)
    uow.flush()
    return plu
