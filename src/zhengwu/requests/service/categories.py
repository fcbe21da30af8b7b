"""The categories dictionary and the routing rules: add, edit, deactivate, seed; look up a category's chain and
suggest a request's owner unit. Writes are audited by the unit of work's flush listener."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from zhengwu.core.db import UnitOfWork
from zhengwu.core.errors import Invalid, NotFound
from zhengwu.core.matters.model import LimitUnit
from zhengwu.core.org.model import Principal
from zhengwu.core.org.service import CODE_RE, expect_version, require
from zhengwu.core.org.tables import Unit
from zhengwu.requests.model import (
    CATEGORY_MANAGE,
    SEED_CATEGORIES,
    CategoryKind,
    CategoryLimit,
    RoutingRule,
    suggest_unit,
)
from zhengwu.requests.tables import RequestCategory, RequestRoutingRule

MAX_DEPTH = 4
MAX_PRIORITY = 1000
MAX_LIMIT = {LimitUnit.WORKING_DAYS: 120, LimitUnit.WORKING_HOURS: 240, LimitUnit.NATURAL_DAYS: 180}


def _name(value: str) -> str:
    value = (value or "").strip()
    if not value:
        raise Invalid("请填写分类名称。", field="name")
    if len(value) > 64:
        raise Invalid("分类名称不能超过 64 个字。", field="name")
    return value


def _limit(amount: int | None, unit: LimitUnit | str | None) -> tuple[int | None, LimitUnit | None]:
    if amount is None:
        return None, None
    try:
        parsed = LimitUnit(unit) if unit else LimitUnit.WORKING_DAYS
    except ValueError:
        raise Invalid(f"时限单位“{unit}”无效。", field="limit_unit") from None
    if not 1 <= amount <= MAX_LIMIT[parsed]:
        raise Invalid(f"办理时限应在 1 到 {MAX_LIMIT[parsed]} {parsed.label}之间。", field="limit_amount")
    return amount, parsed


def create_category(
    uow: UnitOfWork,
    principal: Principal | None,
    *,
    code: str,
    name: str,
    kind: CategoryKind | str = CategoryKind.SUBJECT,
    parent_id: int | None = None,
    limit_amount: int | None = None,
    limit_unit: LimitUnit | str | None = None,
    urgent: bool = False,
    sort_order: int = 0,
) -> RequestCategory:
    require(principal, CATEGORY_MANAGE)
    session = uow.session
    code = (code or "").strip()
    if not CODE_RE.match(code):
        raise Invalid("分类编码只能包含字母、数字、点、横线和下划线（1 到 64 个字符）。", field="code")
    if session.scalar(select(func.count()).select_from(RequestCategory).where(RequestCategory.code == code)):
        raise Invalid(f"分类编码“{code}”已存在。", field="code")
    try:
        kind = CategoryKind(kind)
    except ValueError:
        raise Invalid(f"分类种类“{kind}”无效。", field="kind") from None
    level = 1
    if parent_id is not None:
        parent = session.get(RequestCategory, parent_id)
        if parent is None or parent.kind != kind:
            raise Invalid("上级分类不存在，或与本分类不是同一种类。", field="parent_id")
        if parent.level >= MAX_DEPTH:
            raise Invalid(f"分类最多 {MAX_DEPTH} 级。", field="parent_id")
        level = parent.level + 1
    amount, unit = _limit(limit_amount, limit_unit)
    category = RequestCategory(
        kind=kind,
        code=code,
        name=_name(name),
        parent_id=parent_id,
        level=level,
        limit_amount=amount,
        limit_unit=unit,
        urgent=urgent,
        active=True,
        sort_order=sort_order,
    )
    session.add(category)
    uow.flush()
    return category


def update_category(
    uow: UnitOfWork,
    principal: Principal | None,
    category_id: int,
    *,
    version: int | None,
    name: str,
    limit_amount: int | None,
    limit_unit: LimitUnit | str | None,
    urgent: bool,
    active: bool = True,
    sort_order: int = 0,
) -> RequestCategory:
    """Edit a category's name, time-limit override, urgency, order and whether it is offered."""
    require(principal, CATEGORY_MANAGE)
    category = uow.session.get(RequestCategory, category_id)
    if category is None:
        raise NotFound("诉求分类不存在。")
    expect_version(category, version)
    category.name = _name(name)
    category.limit_amount, category.limit_unit = _limit(limit_amount, limit_unit)
    category.urgent, category.active, category.sort_order = urgent, active, sort_order
    uow.flush()
    return category


def deactivate_category(
    uow: UnitOfWork, principal: Principal | None, category_id: int, *, version: int | None
) -> RequestCategory:
    """Stop offering a category (requests already filed under it keep it)."""
    require(principal, CATEGORY_MANAGE)
    category = uow.session.get(RequestCategory, category_id)
    if category is None:
        raise NotFound("诉求分类不存在。")
    expect_version(category, version)
    category.active = False
    uow.flush()
    return category


def seed_categories(uow: UnitOfWork) -> int:
    """Add whichever seed categories are missing (by code); returns how many were added. Migration 0004 holds
    the same rows, so a fresh database has them already."""
    session = uow.session
    by_code = {c.code: c for c in session.scalars(select(RequestCategory))}
    added = 0
    for order, (code, name, kind, parent, limit, urgent) in enumerate(SEED_CATEGORIES, start=1):
        if code in by_code:
            continue
        parent_row = by_code[parent] if parent else None
        row = RequestCategory(
            kind=kind,
            code=code,
            name=name,
            parent_id=parent_row.id if parent_row else None,
            level=parent_row.level + 1 if parent_row else 1,
            limit_amount=limit[0] if limit else None,
            limit_unit=limit[1] if limit else None,
            urgent=urgent,
            active=True,
            sort_order=order,
        )
        session.add(row)
        uow.flush()
        by_code[code] = row
        added += 1
    return added


def category_by_code(session: Session, code: str) -> RequestCategory:
    found = session.scalar(select(RequestCategory).where(RequestCategory.code == code))
    if found is None:
        raise NotFound(f"诉求分类“{code}”不存在。")
    return found


def chain(session: Session, category: RequestCategory) -> list[RequestCategory]:
    """The category and its ancestors, nearest first."""
    out = [category]
    while out[-1].parent_id is not None and len(out) <= MAX_DEPTH:
        parent = session.get(RequestCategory, out[-1].parent_id)
        if parent is None:
            break
        out.append(parent)
    return out


def limit_setting(category: RequestCategory) -> CategoryLimit:
    return CategoryLimit(category.limit_amount, category.limit_unit, category.urgent)


# --------------------------------------------------------------------------------------------- routing rules


def add_routing_rule(
    uow: UnitOfWork,
    principal: Principal | None,
    *,
    target_unit_id: int,
    category_id: int | None = None,
    area_unit_id: int | None = None,
    priority: int = 0,
) -> RequestRoutingRule:
    require(principal, CATEGORY_MANAGE)
    session = uow.session
    if category_id is not None and session.get(RequestCategory, category_id) is None:
        raise Invalid("诉求分类不存在。", field="category_id")
    if area_unit_id is not None and session.get(Unit, area_unit_id) is None:
        raise Invalid("区域单位不存在。", field="area_unit_id")
    target = session.get(Unit, target_unit_id)
    if target is None or not target.active:
        raise Invalid("承办单位不存在或已停用。", field="target_unit_id")
    if isinstance(priority, bool) or not isinstance(priority, int) or not -MAX_PRIORITY <= priority <= MAX_PRIORITY:
        raise Invalid(f"优先级应为 {-MAX_PRIORITY} 到 {MAX_PRIORITY} 之间的整数。", field="priority")
    rule = RequestRoutingRule(
        category_id=category_id, area_unit_id=area_unit_id, target_unit_id=target_unit_id, priority=priority
    )
    session.add(rule)
    uow.flush()
    return rule


@dataclass(frozen=True)
class RuleRow:
    """A routing rule as the dictionary page lists it: names instead of ids (None: any category, anywhere)."""

    rule: RequestRoutingRule
    category: str | None
    area: str | None
    target: str


def routing_rules(session: Session) -> list[RuleRow]:
    """Every routing rule, active first, then by category code, area, priority (highest first) and age."""
    area, target = aliased(Unit, name="area"), aliased(Unit, name="target")
    rows = session.execute(
        select(RequestRoutingRule, RequestCategory.name, area.name, target.name)
        .outerjoin(RequestCategory, RequestCategory.id == RequestRoutingRule.category_id)
        .outerjoin(area, area.id == RequestRoutingRule.area_unit_id)
        .join(target, target.id == RequestRoutingRule.target_unit_id)
        .order_by(
            RequestRoutingRule.active.desc(),
            RequestCategory.code,
            area.path,
            RequestRoutingRule.priority.desc(),
            RequestRoutingRule.id,
        )
    )
    return [RuleRow(rule, category, area_name, target_name) for rule, category, area_name, target_name in rows]


def deactivate_routing_rule(uow: UnitOfWork, principal: Principal | None, rule_id: int) -> RequestRoutingRule:
    """Stop applying a routing rule (kept for the record; deactivating it twice changes nothing)."""
    require(principal, CATEGORY_MANAGE)
    rule = uow.session.get(RequestRoutingRule, rule_id)
    if rule is None:
        raise NotFound("派单规则不存在。")
    rule.active = False
    uow.flush()
    return rule


def suggest_owner(session: Session, category_id: int, area_unit_id: int | None) -> int | None:
    """The unit the most specific active routing rule names for a category and area (None: no rule applies)."""
    category = session.get(RequestCategory, category_id)
    if category is None:
        return None
    category_chain = [c.id for c in chain(session, category)]
    area_path = session.scalar(select(Unit.path).where(Unit.id == area_unit_id)) if area_unit_id else None
    rows = session.execute(
        select(RequestRoutingRule, Unit.path)
        .outerjoin(Unit, Unit.id == RequestRoutingRule.area_unit_id)
        .where(RequestRoutingRule.active.is_(True))
    )
    rules = [
        RoutingRule(r.id, r.category_id, path if r.area_unit_id is not None else None, r.target_unit_id, r.priority)
        for r, path in rows
    ]
    return suggest_unit(rules, category_chain, area_path)
