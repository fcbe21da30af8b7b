"""Reading and marking notices, each read through ``visible()`` and each marking inside the caller's unit of work.

``visible()`` is the one place that says which notices a principal may see (see the package docstring); it is
built from ``scope_condition``, the access choke-point's WHERE clause, once per matter kind the principal may view.
``addressed()`` narrows that to the notices told to the principal's own unit: those alone count as unread for them,
go on their to-do list and may be marked read by them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, false, func, or_, select, update
from sqlalchemy.orm import Session, aliased

from zhengwu.core.audit.service import record
from zhengwu.core.db import UnitOfWork
from zhengwu.core.errors import Forbidden, Invalid, NotFound
from zhengwu.core.matters.notices.model import NoticeKind, label
from zhengwu.core.matters.registry import public_kinds
from zhengwu.core.matters.service import _actor
from zhengwu.core.matters.tables import Matter, MatterNotice
from zhengwu.core.org.access import scope_condition
from zhengwu.core.org.model import Principal
from zhengwu.core.org.tables import Unit

MAX_PAGE_SIZE = 500
NOT_FOUND = "提醒不存在或不在您的数据范围内。"
NOT_YOURS = "只能由被通知单位标为已读：这条提醒是发给{unit}的，您可以查看，但不能替该单位标为已读。"


def visible(principal: Principal | None, notice: Any = MatterNotice) -> ColumnElement[bool]:
    """The WHERE clause of the notices (``notice``, joined to their ``Matter``) that ``principal`` may see: per
    kind, the kind's view scope must cover the unit told and the matter."""
    if principal is None:
        raise Forbidden("请先登录。")
    conds: list[ColumnElement[bool]] = []
    for code, kind in sorted(public_kinds().items()):  # a confidential kind's notices are never shown
        scope = principal.scope(kind.spec.view_grant) if kind.spec.view_grant else None
        if scope is None:
            continue
        told = scope_condition(principal, scope, notice.unit_id, None)
        seen = scope_condition(principal, scope, Matter.owner_unit_id, Matter.handler_id)
        conds.append(and_(Matter.kind == code, *(c for c in (told, seen) if c is not None)))
    return or_(*conds) if conds else false()


def addressed(principal: Principal | None, notice: Any = MatterNotice) -> ColumnElement[bool]:
    """The WHERE clause of the notices told to ``principal``'s own unit (to be combined with ``visible()``)."""
    if principal is None:
        raise Forbidden("请先登录。")
    return notice.unit_id == principal.unit_id  # type: ignore[no-any-return]


@dataclass(frozen=True)
class NoticeView:
    """A notice as the inbox, the API and the to-do list show it."""

    id: int
    kind: str
    matter_id: int
    matter_kind: str
    serial: str
    title: str
    unit_id: int
    unit_name: str
    at: datetime
    text: str
    read_at: datetime | None
    read_by: str
    mine: bool = False  # told to the reader's own unit: only then may the reader mark it read

    @property
    def label(self) -> str:
        return label(self.kind)

    @property
    def unread(self) -> bool:
        return self.read_at is None

    @property
    def href(self) -> str:
        return f"/matters/{self.matter_kind}/{self.matter_id}"


@dataclass(frozen=True)
class NoticePage:
    items: list[NoticeView]
    total: int
    page: int
    pages: int


def notice_kind(value: str | None) -> NoticeKind | None:
    """The kind filter: empty means every kind; anything else must be a known kind."""
    if value is None or not value.strip():
        return None
    try:
        return NoticeKind(value.strip())
    except ValueError:
        raise Invalid(f"提醒类型“{value[:32]}”无效。", field="kind") from None


def _rows(principal: Principal | None) -> Any:
    return (
        select(MatterNotice, Matter.kind, Matter.serial, Matter.title, Unit.name)
        .join(Matter, Matter.id == MatterNotice.matter_id)
        .join(Unit, Unit.id == MatterNotice.unit_id)
        .where(visible(principal))
    )


def _view(row: Any, principal: Principal | None) -> NoticeView:
    n, matter_kind, serial, title, unit_name = row
    mine = principal is not None and n.unit_id == principal.unit_id
    return NoticeView(
        n.id,
        n.kind,
        n.matter_id,
        matter_kind,
        serial,
        title,
        n.unit_id,
        unit_name,
        n.at,
        n.text,
        n.read_at,
        n.read_by,
        mine,
    )


def _filtered(
    stmt: Any, principal: Principal | None, unread_only: bool, kind: NoticeKind | None, mine: bool = False
) -> Any:
    if mine:
        stmt = stmt.where(addressed(principal))
    if unread_only:
        stmt = stmt.where(MatterNotice.read_at.is_(None))
    if kind is not None:
        stmt = stmt.where(MatterNotice.kind == kind.value)
    return stmt


def list_notices(
    session: Session,
    principal: Principal | None,
    *,
    unread_only: bool = False,
    kind: NoticeKind | None = None,
    mine: bool = False,
    page: int = 1,
    size: int = 20,
) -> NoticePage:
    """One page of the notices the principal may see (with ``mine``, only those told to their own unit): unread
    first, then newest first."""
    if not 1 <= size <= MAX_PAGE_SIZE:
        raise Invalid(f"每页条数应在 1 到 {MAX_PAGE_SIZE} 之间。", field="size")
    if page < 1:
        raise Invalid("页码应为正整数。", field="page")
    counted = select(func.count()).select_from(MatterNotice).join(Matter, Matter.id == MatterNotice.matter_id)
    total = session.scalar(_filtered(counted.where(visible(principal)), principal, unread_only, kind, mine)) or 0
    pages = max(1, math.ceil(total / size))
    page = min(page, pages)
    stmt = _filtered(_rows(principal), principal, unread_only, kind, mine).order_by(
        MatterNotice.read_at.is_not(None), MatterNotice.at.desc(), MatterNotice.id.desc()
    )
    items = [_view(r, principal) for r in session.execute(stmt.limit(size).offset((page - 1) * size))]
    return NoticePage(items, total, page, pages)


def unread_count(session: Session, principal: Principal | None, *, mine: bool = True) -> int:
    """How many notices told to the principal's own unit (they may see) are still unread; with ``mine=False``,
    how many of all the notices they may see (other units' included) are."""
    stmt = (
        select(func.count())
        .select_from(MatterNotice)
        .join(Matter, Matter.id == MatterNotice.matter_id)
        .where(MatterNotice.read_at.is_(None), visible(principal))
    )
    if mine:
        stmt = stmt.where(addressed(principal))
    return session.scalar(stmt) or 0


def unread(session: Session, principal: Principal | None, limit: int = 200) -> list[NoticeView]:
    """The newest ``limit`` unread notices told to the principal's own unit that they may see (the to-do list):
    another unit's notice is that unit's to read, so it never lands on a supervisor's list."""
    stmt = _rows(principal).where(MatterNotice.read_at.is_(None), addressed(principal))
    stmt = stmt.order_by(MatterNotice.at.desc(), MatterNotice.id.desc()).limit(limit)
    return [_view(r, principal) for r in session.execute(stmt)]


def get_notice(session: Session, principal: Principal | None, notice_id: int) -> NoticeView:
    row = session.execute(_rows(principal).where(MatterNotice.id == notice_id)).first()
    if row is None:
        raise NotFound(NOT_FOUND)
    return _view(row, principal)


def mark_read(uow: UnitOfWork, principal: Principal | None, notice_id: int) -> NoticeView:
    """Mark one visible notice told to the principal's own unit read (``read_at`` now, ``read_by`` the user's
    name). A notice already read keeps its first reader: marking it again writes nothing. A notice the principal
    may see but that was told to another unit is refused (Forbidden, whether read or not): its read state is that
    unit's. The row is locked while it is checked, so two readers at once cannot both record themselves (the audit
    log records the change, as every ORM write)."""
    session = uow.session
    stmt = (
        select(MatterNotice)
        .join(Matter, Matter.id == MatterNotice.matter_id)
        .where(MatterNotice.id == notice_id, visible(principal))
        .with_for_update(of=MatterNotice)
    )
    notice = session.scalar(stmt)
    if notice is None:
        raise NotFound(NOT_FOUND)
    if principal is None or notice.unit_id != principal.unit_id:  # (None never gets here: visible() refuses it)
        unit = session.scalar(select(Unit.name).where(Unit.id == notice.unit_id)) or "其他单位"
        raise Forbidden(NOT_YOURS.format(unit=unit))
    if notice.read_at is None:
        notice.read_at, notice.read_by = uow.clock.now(), _actor(principal)[1][:64]
        uow.flush()
    return get_notice(session, principal, notice_id)


def mark_all_read(uow: UnitOfWork, principal: Principal | None) -> int:
    """Mark every unread notice told to the principal's own unit that they may see read, in one statement; returns
    how many. Other units' notices in their scope are left as they are. Being a bulk write, it records itself in the
    audit log (which notices, by whom)."""
    session = uow.session
    now, name = uow.clock.now(), _actor(principal)[1][:64]
    n = aliased(MatterNotice)
    ours = (
        select(n.id)
        .join(Matter, Matter.id == n.matter_id)
        .where(n.read_at.is_(None), visible(principal, n), addressed(principal, n))
    )
    stmt = (
        update(MatterNotice)
        .where(MatterNotice.id.in_(ours), MatterNotice.read_at.is_(None))
        .values(read_at=now, read_by=name)
        .returning(MatterNotice.id)
        .execution_options(synchronize_session=False)
    )
    ids = sorted(session.scalars(stmt))
    if ids:
        record(session, "read_all", "matter_notices", "-", count=len(ids), ids=ids, read_by=name)
    return len(ids)
