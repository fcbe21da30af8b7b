"""The responsibility list (主体责任清单): one editable list of the responsibilities an inspected party organisation
carries, and where each organisation stands on each item (待确认, 已确认, 落实中, 已落实).

The list is one for the whole deployment: editing it needs ``inspection.round.manage`` over everything (the city's
inspection office). An organisation records its standing with ``inspection.rectify`` over its unit; a reader sees
the standings of the units in their ``inspection.view`` scope. The organisations tracked are the targets of the
rounds and every unit that has recorded a standing, within that scope.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import func, select, union
from sqlalchemy.orm import Session

from zhengwu.core.db import UnitOfWork
from zhengwu.core.errors import Conflict, Forbidden, Invalid, NotFound
from zhengwu.core.org.access import check_write, restrict
from zhengwu.core.org.model import ACTIONS, Principal
from zhengwu.core.org.service import expect_version, require
from zhengwu.core.org.tables import Unit
from zhengwu.inspection.model import RECTIFY, ROUND_MANAGE, VIEW, Progress
from zhengwu.inspection.tables import InspectionRoundTarget, ResponsibilityItem, ResponsibilityStatus

MAX_AREA = 64
MAX_TEXT = 1000
MAX_NOTE = 1000
MAX_POSITION = 10_000
CONFIRMED = (Progress.CONFIRMED, Progress.IN_PROGRESS, Progress.DONE)


def require_list_manage(principal: Principal | None) -> Principal:
    """The principal, if they may edit the list: ``inspection.round.manage`` over everything."""
    principal = require(principal, ROUND_MANAGE)
    scope = principal.scope(ROUND_MANAGE)
    if scope is None or not scope.all:
        raise Forbidden(f"责任清单全市统一，修改须具备全部数据范围的“{ACTIONS[ROUND_MANAGE]}”权限。")
    return principal


def list_items(session: Session, principal: Principal | None, *, active_only: bool = False) -> list[ResponsibilityItem]:
    require(principal, VIEW)
    stmt = select(ResponsibilityItem).order_by(ResponsibilityItem.position, ResponsibilityItem.id)
    if active_only:
        stmt = stmt.where(ResponsibilityItem.active.is_(True))
    return list(session.scalars(stmt))


def get_item(session: Session, principal: Principal | None, item_id: int) -> ResponsibilityItem:
    require(principal, VIEW)
    item = session.get(ResponsibilityItem, item_id)
    if item is None:
        raise NotFound("责任清单事项不存在。")
    return item


def _checked(position: int, area: str, text: str) -> tuple[int, str, str]:
    if isinstance(position, bool) or not isinstance(position, int) or not 1 <= position <= MAX_POSITION:
        raise Invalid(f"序号应为 1 至 {MAX_POSITION} 的整数。", field="position")
    area, text = (area or "").strip(), (text or "").strip()
    if len(area) > MAX_AREA:
        raise Invalid(f"责任类别不能超过 {MAX_AREA} 个字。", field="area")
    if not text:
        raise Invalid("请填写责任内容。", field="text")
    if len(text) > MAX_TEXT:
        raise Invalid(f"责任内容不能超过 {MAX_TEXT} 个字。", field="text")
    return position, area, text


def create_item(
    uow: UnitOfWork, principal: Principal | None, *, position: int, area: str, text: str, active: bool = True
) -> ResponsibilityItem:
    require_list_manage(principal)
    position, area, text = _checked(position, area, text)
    item = ResponsibilityItem(position=position, area=area, text=text, active=bool(active))
    uow.session.add(item)
    uow.flush()
    return item


def update_item(
    uow: UnitOfWork,
    principal: Principal | None,
    item_id: int,
    *,
    position: int,
    area: str,
    text: str,
    active: bool,
    version: int | None,
) -> ResponsibilityItem:
    """Edit an item; an inactive item leaves the tracking (standings recorded on it are kept)."""
    require_list_manage(principal)
    item = uow.session.get(ResponsibilityItem, item_id)
    if item is None:
        raise NotFound("责任清单事项不存在。")
    expect_version(item, version)
    item.position, item.area, item.text = _checked(position, area, text)
    item.active = bool(active)
    uow.flush()
    return item


def seed_items(uow: UnitOfWork, items: Sequence[tuple[str, str]] | None = None) -> int:
    """Load the illustrative list of :mod:`zhengwu.inspection.responsibility_seed` (or ``items``: area, text) into
    an empty list (system use: the demo and set-up); returns how many were added (0 when the list has items)."""
    if uow.session.scalar(select(func.count()).select_from(ResponsibilityItem)):
        return 0
    if items is None:
        from zhengwu.inspection.responsibility_seed import ITEMS

        items = ITEMS
    uow.session.add_all(
        ResponsibilityItem(position=i, area=area, text=text) for i, (area, text) in enumerate(items, start=1)
    )
    uow.flush()
    return len(items)


def _unit_in_scope(session: Session, principal: Principal | None, action: str, unit_id: int) -> Unit:
    unit = session.scalar(restrict(select(Unit).where(Unit.id == unit_id), principal, action, Unit))
    if unit is None:
        raise NotFound("单位不存在或不在您的数据范围内。")
    return unit


def set_progress(
    uow: UnitOfWork,
    principal: Principal | None,
    item_id: int,
    unit_id: int,
    *,
    progress: Progress | str,
    note: str = "",
    version: int | None = None,
) -> ResponsibilityStatus:
    """Record where ``unit_id`` stands on an active item; ``version`` is the standing's as loaded (None: none was
    recorded yet; once one is, its version must be given and current)."""
    require(principal, RECTIFY)
    session = uow.session
    item = session.get(ResponsibilityItem, item_id)
    if item is None:
        raise NotFound("责任清单事项不存在。")
    unit = session.get(Unit, unit_id)
    if unit is None:
        raise NotFound("单位不存在。")
    try:
        value = Progress(progress)
    except ValueError:
        raise Invalid("落实情况无效。", field="progress") from None
    note = (note or "").strip()
    if len(note) > MAX_NOTE:
        raise Invalid(f"说明不能超过 {MAX_NOTE} 个字。", field="note")
    status = session.get(ResponsibilityStatus, (item_id, unit_id))
    if status is None:
        status = ResponsibilityStatus(item_id=item_id, unit_id=unit_id, progress=value)
        check_write(session, principal, RECTIFY, status)
        if not item.active:
            raise Invalid("该事项已停用，无需填报。", field="progress")
        session.add(status)
    else:
        check_write(session, principal, RECTIFY, status)
        if not item.active:
            raise Invalid("该事项已停用，无需填报。", field="progress")
        if version is None:
            raise Conflict("该单位已填报此事项，请刷新页面查看最新内容后重新提交。")
        expect_version(status, version)
    status.progress, status.note = value, note
    status.updated_by, status.updated_at = (principal.user_id if principal else None), uow.clock.now()
    uow.flush()
    return status


@dataclass(frozen=True)
class Standing:
    item: ResponsibilityItem
    status: ResponsibilityStatus | None

    @property
    def progress(self) -> Progress:
        return self.status.progress if self.status else Progress.PENDING


def unit_standings(session: Session, principal: Principal | None, unit_id: int) -> tuple[Unit, list[Standing]]:
    """Where one unit (in the reader's ``inspection.view`` scope) stands on each active item."""
    unit = _unit_in_scope(session, principal, VIEW, unit_id)
    statuses = {
        s.item_id: s
        for s in session.scalars(select(ResponsibilityStatus).where(ResponsibilityStatus.unit_id == unit_id))
    }
    return unit, [Standing(i, statuses.get(i.id)) for i in list_items(session, principal, active_only=True)]


@dataclass(frozen=True)
class UnitTracking:
    unit_id: int
    unit: str
    confirmed: int  # confirmed, in progress or done
    done: int
    total: int  # active items


@dataclass(frozen=True)
class ItemTracking:
    item: ResponsibilityItem
    counts: dict[Progress, int]  # units in scope per progress (pending: none recorded)


@dataclass
class Tracking:
    units: list[UnitTracking] = field(default_factory=list)
    items: list[ItemTracking] = field(default_factory=list)


def tracking(session: Session, principal: Principal | None) -> Tracking:
    """Per tracked unit in the reader's scope, how many active items it confirmed and carried out; per active item,
    how many of those units stand at each progress."""
    items = list_items(session, principal, active_only=True)
    tracked = union(
        select(InspectionRoundTarget.unit_id.label("unit_id")),
        select(ResponsibilityStatus.unit_id.label("unit_id")),
    ).subquery()
    units = list(
        session.execute(
            restrict(
                select(Unit.id, Unit.name).where(Unit.id.in_(select(tracked.c.unit_id))).order_by(Unit.path),
                principal,
                VIEW,
                Unit,
            )
        )
    )
    unit_ids = [u for u, _ in units]
    active = {i.id for i in items}
    rows = session.execute(
        select(ResponsibilityStatus.unit_id, ResponsibilityStatus.item_id, ResponsibilityStatus.progress).where(
            ResponsibilityStatus.unit_id.in_(unit_ids)
        )
    )
    per_unit: dict[int, Counter[Progress]] = {u: Counter() for u in unit_ids}
    per_item: dict[int, Counter[Progress]] = {i: Counter() for i in active}
    for unit_id, item_id, progress in rows:
        if item_id in active:
            per_unit[unit_id][progress] += 1
            per_item[item_id][progress] += 1
    result = Tracking()
    for unit_id, name in units:
        c = per_unit[unit_id]
        result.units.append(
            UnitTracking(unit_id, str(name), sum(c[p] for p in CONFIRMED), c[Progress.DONE], len(items))
        )
    for item in items:
        c = per_item[item.id]
        recorded = sum(c.values())
        counts = {p: c[p] for p in Progress}
        counts[Progress.PENDING] += len(unit_ids) - recorded
        result.items.append(ItemTracking(item, counts))
    return result


def item_standings(
    session: Session, principal: Principal | None, item_id: int
) -> tuple[ResponsibilityItem, list[tuple[int, str, ResponsibilityStatus | None]]]:
    """One item across the tracked units in the reader's scope: (unit id, name, standing or None)."""
    item = get_item(session, principal, item_id)
    units = {u.unit_id: u.unit for u in tracking(session, principal).units}
    statuses = {
        s.unit_id: s
        for s in session.scalars(
            select(ResponsibilityStatus).where(
                ResponsibilityStatus.item_id == item_id, ResponsibilityStatus.unit_id.in_(list(units))
            )
        )
    }
    return item, [(u, name, statuses.get(u)) for u, name in units.items()]
