"""The lists of findings and of rectification items (the rectification ledger, 整改台账), shared by the pages, their
Excel exports and the API: filtered, sorted and paged by ``zhengwu.web.listing`` within the reader's
``inspection.view`` scope (the owner unit: the inspected organisation)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import and_, case, select
from sqlalchemy.orm import Session, aliased

from zhengwu.core.db import AnySelect
from zhengwu.core.errors import Invalid
from zhengwu.core.matters.tables import Matter
from zhengwu.core.org.access import restrict
from zhengwu.core.org.model import Principal
from zhengwu.core.org.tables import Unit
from zhengwu.inspection.model import VIEW
from zhengwu.inspection.model.workflows import FINDING_KIND, ITEM_KIND, FindingState, ItemState
from zhengwu.inspection.tables import FindingMatter, InspectionCategory, InspectionRound, ItemMatter
from zhengwu.web.listing import Column, Filter, ListSpec, equals

MAX_ID = 2_147_483_647


def id_equals(expr: Any, label: str, key: str) -> Callable[[AnySelect, str], AnySelect]:
    """A filter on an id column: the text must be a whole number (a word is refused, naming the filter)."""

    def apply(stmt: AnySelect, text: str) -> AnySelect:
        if not text.isdigit() or not 0 < int(text) <= MAX_ID:
            raise Invalid(f"筛选条件“{label}”应为编号（正整数）。", field=key)
        return stmt.where(expr == int(text))

    return apply


def _search(title: Any, serial: Any) -> Callable[[AnySelect, str], AnySelect]:
    def apply(stmt: AnySelect, text: str) -> AnySelect:
        return stmt.where(title.icontains(text, autoescape=True) | serial.icontains(text, autoescape=True))

    return apply


def _finding_label(value: Any) -> str:
    return FindingState(value).label if value in FindingState._value2member_map_ else str(value or "")


def _item_label(value: Any) -> str:
    return ItemState(value).label if value in ItemState._value2member_map_ else str(value or "")


Choices = list[tuple[str, str]] | None


def finding_list(rounds: Choices = None, targets: Choices = None, categories: Choices = None) -> ListSpec:
    """Findings in the reader's scope, newest first. The pages offer the rounds, targets and categories as choices;
    the API takes any id."""
    f = FindingMatter

    def query(principal: Principal | None) -> AnySelect:
        stmt = (
            select(
                f.id.label("id"),
                f.serial.label("serial"),
                f.title.label("title"),
                InspectionRound.name.label("round"),
                Unit.name.label("target"),
                InspectionCategory.name.label("category"),
                f.status.label("status"),
                f.received_at.label("received_at"),
                f.fed_back_on.label("fed_back_on"),
                f.report_due_on.label("report_due_on"),
                f.immediate_done_on.label("immediate_done_on"),
            )
            .join(InspectionRound, InspectionRound.id == f.round_id)
            .join(Unit, Unit.id == f.target_unit_id)
            .join(InspectionCategory, InspectionCategory.id == f.category_id)
            .where(Matter.kind == FINDING_KIND)
        )
        return restrict(stmt, principal, VIEW, f)

    def counted(principal: Principal | None) -> AnySelect:
        return restrict(select(f.id).where(Matter.kind == FINDING_KIND), principal, VIEW, f)

    return ListSpec(
        name="巡察发现问题",
        columns=(
            Column("serial", "编号", f.serial),
            Column("title", "问题概述", f.title),
            Column("round", "巡察轮次", InspectionRound.name),
            Column("target", "被巡察党组织", Unit.name),
            Column("category", "问题分类", InspectionCategory.name),
            Column("status", "状态", f.status, fmt=_finding_label),
            Column("received_at", "登记时间", f.received_at),
            Column("fed_back_on", "反馈日期", f.fed_back_on),
            Column("report_due_on", "整改报告期限", f.report_due_on),
            Column("immediate_done_on", "立行立改完成", f.immediate_done_on),
        ),
        query=query,
        count_query=counted,
        filters=(
            Filter("q", "概述或编号", _search(f.title, f.serial)),
            Filter("round_id", "巡察轮次", id_equals(f.round_id, "巡察轮次", "round_id"), rounds),
            Filter("target", "被巡察党组织", id_equals(f.target_unit_id, "被巡察党组织", "target"), targets),
            Filter("category", "问题分类", id_equals(f.category_id, "问题分类", "category"), categories),
            Filter("status", "状态", equals(f.status), [(s.value, s.label) for s in FindingState]),
        ),
        default_sort="-received_at",
        tiebreak=f.id.desc(),
    )


def item_ledger(now: datetime, rounds: Choices = None, targets: Choices = None) -> ListSpec:
    """The rectification ledger: items in the reader's scope, the most pressing due date first; ``overdue`` = "1"
    keeps those past their due date and not signed off."""
    i = ItemMatter
    finding = aliased(Matter, name="finding")
    overdue_cond = and_(i.due_at < now, i.status != ItemState.CLOSED.value)
    overdue = case((overdue_cond, "已逾期"), else_="")

    def overdue_filter(stmt: AnySelect, text: str) -> AnySelect:
        return stmt.where(overdue_cond) if text == "1" else stmt.where(~overdue_cond)

    def query(principal: Principal | None) -> AnySelect:
        stmt = (
            select(
                i.id.label("id"),
                i.serial.label("serial"),
                i.title.label("title"),
                finding.serial.label("finding"),
                i.finding_id.label("finding_id"),
                Unit.name.label("target"),
                i.responsible.label("responsible"),
                i.due_on.label("due_on"),
                i.due_at.label("due_at"),
                i.status.label("status"),
                i.cycle.label("cycle"),
                i.completed_on.label("completed_on"),
                overdue.label("overdue"),
            )
            .join(finding, finding.id == i.finding_id)
            .join(Unit, Unit.id == i.owner_unit_id)
            .where(i.kind == ITEM_KIND)
        )
        return restrict(stmt, principal, VIEW, i)

    def counted(principal: Principal | None) -> AnySelect:
        return restrict(select(i.id).where(i.kind == ITEM_KIND), principal, VIEW, i)

    return ListSpec(
        name="整改台账",
        columns=(
            Column("serial", "编号", i.serial),
            Column("title", "整改措施", i.title),
            Column("finding", "问题编号", finding.serial),
            Column("target", "责任单位", Unit.name),
            Column("responsible", "责任人", i.responsible),
            Column("due_on", "整改期限", i.due_on),
            Column("due_at", "当前时限", i.due_at),
            Column("status", "状态", i.status, fmt=_item_label),
            Column("cycle", "退回次数", i.cycle),
            Column("completed_on", "销号日期", i.completed_on),
            Column("overdue", "逾期", overdue, sortable=False),
        ),
        query=query,
        count_query=counted,
        filters=(
            Filter("q", "措施或编号", _search(i.title, i.serial)),
            Filter("round_id", "巡察轮次", _round_filter(i), rounds),
            Filter("target", "责任单位", id_equals(i.owner_unit_id, "责任单位", "target"), targets),
            Filter("status", "状态", equals(i.status), [(s.value, s.label) for s in ItemState]),
            Filter("overdue", "是否逾期", overdue_filter, [("1", "已逾期"), ("0", "未逾期")]),
        ),
        default_sort="due_at",
        tiebreak=i.id.desc(),
    )


def _round_filter(i: Any) -> Callable[[AnySelect, str], AnySelect]:
    def apply(stmt: AnySelect, text: str) -> AnySelect:
        if not text.isdigit() or not 0 < int(text) <= MAX_ID:
            raise Invalid("筛选条件“巡察轮次”应为编号（正整数）。", field="round_id")
        return stmt.where(i.finding_id.in_(select(FindingMatter.id).where(FindingMatter.round_id == int(text))))

    return apply


def filter_choices(
    session: Session, principal: Principal | None, params: Mapping[str, str] | None = None
) -> dict[str, Choices]:
    """The rounds and targets of the findings the reader may see, and every category, as filter choices. An id asked
    for in ``params`` that is not among them (a link from a round without findings yet) is offered too, so that it
    lists nothing rather than being refused; a value that is no id at all is still refused by the filter."""
    seen = restrict(select(FindingMatter.round_id, FindingMatter.target_unit_id), principal, VIEW, FindingMatter)
    pairs = seen.distinct().subquery()
    rounds = session.execute(
        select(InspectionRound.id, InspectionRound.name, InspectionRound.year)
        .where(InspectionRound.id.in_(select(pairs.c.round_id)))
        .order_by(InspectionRound.year.desc(), InspectionRound.number.desc())
    )
    targets = session.execute(
        select(Unit.id, Unit.name).where(Unit.id.in_(select(pairs.c.target_unit_id))).order_by(Unit.path)
    )
    categories = session.execute(
        select(InspectionCategory.id, InspectionCategory.name).order_by(
            InspectionCategory.sort_order, InspectionCategory.id
        )
    )
    out: dict[str, Choices] = {
        "rounds": [(str(r.id), f"{r.year} {r.name}") for r in rounds],
        "targets": [(str(u.id), u.name) for u in targets],
        "categories": [(str(c.id), c.name) for c in categories],
    }
    for key, name in (("round_id", "rounds"), ("target", "targets"), ("category", "categories")):
        asked = ((params or {}).get(key) or "").strip()
        known = out[name] or []
        if asked.isdigit() and 0 < int(asked) <= MAX_ID and asked not in {v for v, _ in known}:
            out[name] = [*known, (asked, f"编号 {asked}")]
    return out
