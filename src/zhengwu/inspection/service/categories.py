"""The editable dictionary of finding categories (问题分类): seed it, list it, add, rename, deactivate and reactivate
an entry (``inspection.category.manage``, with the version read). A finding keeps the category it was recorded
under even when that category is later deactivated; only active categories are offered for new findings."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from zhengwu.core.db import UnitOfWork
from zhengwu.core.errors import Invalid, NotFound
from zhengwu.core.org.model import Principal
from zhengwu.core.org.service import CODE_RE, expect_version, require
from zhengwu.inspection.model import CATEGORY_MANAGE, SEED_CATEGORIES
from zhengwu.inspection.tables import InspectionCategory

NAME_CHARS = 64
MAX_SORT = 100_000


def seed_categories(uow: UnitOfWork) -> int:
    """Add whichever seed categories (:data:`zhengwu.inspection.model.SEED_CATEGORIES`) are missing, by code;
    returns how many were added (0 the second time)."""
    session = uow.session
    present = set(session.scalars(select(InspectionCategory.code)))
    added = 0
    for position, (code, name) in enumerate(SEED_CATEGORIES):
        if code not in present:
            session.add(InspectionCategory(code=code, name=name, sort_order=position, active=True))
            added += 1
    uow.flush()
    return added


def list_categories(session: Session, *, active_only: bool = False) -> list[InspectionCategory]:
    """The dictionary in its order (active first when all are listed)."""
    stmt = select(InspectionCategory)
    if active_only:
        stmt = stmt.where(InspectionCategory.active.is_(True))
    order = (InspectionCategory.active.desc(), InspectionCategory.sort_order, InspectionCategory.id)
    return list(session.scalars(stmt.order_by(*order)))


def _name(value: str) -> str:
    value = (value or "").strip()
    if not value:
        raise Invalid("请填写分类名称。", field="name")
    if len(value) > NAME_CHARS or any(not ch.isprintable() for ch in value):
        raise Invalid(f"分类名称不能超过 {NAME_CHARS} 个字，且不能含控制字符。", field="name")
    return value


def _sort(value: int | None, session: Session) -> int:
    if value is None:
        last = session.scalar(select(func.max(InspectionCategory.sort_order)))
        return int(last or 0) + 1
    if isinstance(value, bool) or not isinstance(value, int) or not -MAX_SORT <= value <= MAX_SORT:
        raise Invalid(f"排序应为 {-MAX_SORT} 到 {MAX_SORT} 之间的整数。", field="sort_order")
    return value


def _get(session: Session, category_id: int) -> InspectionCategory:
    found = session.get(InspectionCategory, category_id)
    if found is None:
        raise NotFound("问题分类不存在。")
    return found


def add_category(
    uow: UnitOfWork, principal: Principal | None, *, code: str, name: str, sort_order: int | None = None
) -> InspectionCategory:
    """A new entry; the code is unique and never changes (the demo and imports refer to it)."""
    require(principal, CATEGORY_MANAGE)
    session = uow.session
    code = (code or "").strip()
    if not CODE_RE.match(code):
        raise Invalid("分类编码只能包含字母、数字、点、横线和下划线（1 到 64 个字符）。", field="code")
    if session.scalar(select(InspectionCategory.id).where(InspectionCategory.code == code)) is not None:
        raise Invalid(f"分类编码“{code}”已存在。", field="code")
    category = InspectionCategory(code=code, name=_name(name), sort_order=_sort(sort_order, session), active=True)
    session.add(category)
    uow.flush()
    return category


def rename_category(
    uow: UnitOfWork,
    principal: Principal | None,
    category_id: int,
    *,
    version: int | None,
    name: str,
    sort_order: int | None = None,
) -> InspectionCategory:
    """Change an entry's name (and order); findings recorded under it show the new name."""
    require(principal, CATEGORY_MANAGE)
    category = _get(uow.session, category_id)
    expect_version(category, version)
    category.name = _name(name)
    if sort_order is not None:
        category.sort_order = _sort(sort_order, uow.session)
    uow.flush()
    return category


def set_active(
    uow: UnitOfWork, principal: Principal | None, category_id: int, *, version: int | None, active: bool
) -> InspectionCategory:
    """Stop offering an entry for new findings (``active=False``), or offer it again."""
    require(principal, CATEGORY_MANAGE)
    category = _get(uow.session, category_id)
    expect_version(category, version)
    if category.active == active:
        raise Invalid("该分类已经是" + ("启用" if active else "停用") + "状态。", field="active")
    category.active = active
    uow.flush()
    return category


def deactivate_category(
    uow: UnitOfWork, principal: Principal | None, category_id: int, *, version: int | None
) -> InspectionCategory:
    return set_active(uow, principal, category_id, version=version, active=False)
