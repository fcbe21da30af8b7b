"""Use cases of the matters engine, each inside the caller's unit of work: open a matter, take an action, request
and decide extensions, pause and resume, and read deadlines with their lights.

Every read goes through ``restrict()`` with the kind's view grant; every action is re-checked with its own grant
over the matter's owner unit inside the transaction.
"""

from __future__ import annotations

import json
from datetime import datetime, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from zhengwu.core.calendar.model import WorkingCalendar
from zhengwu.core.calendar.service import load_calendar
from zhengwu.core.db import UnitOfWork
from zhengwu.core.errors import Forbidden, Invalid, NotFound
from zhengwu.core.matters.deadlines import Span, due_at
from zhengwu.core.matters.model import KindSpec, Need, Priority, TimeLimit
from zhengwu.core.matters.registry import Kind, is_confidential
from zhengwu.core.matters.tables import (
    Matter,
    MatterDeadline,
    MatterEvent,
    MatterExtension,
    MatterPause,
    MatterSerial,
)
from zhengwu.core.org.access import check_write, get_scoped
from zhengwu.core.org.model import Principal
from zhengwu.core.org.service import expect_version
from zhengwu.core.org.tables import Unit

DEFAULT_TZ = ZoneInfo("Asia/Shanghai")
MAX_EXTENSION = 365


#: The audit log keeps what a confidential kind's matter and history say as ``***`` (the kind's table may mask more).
AUDIT_MASK = "__audit_mask__"
CONFIDENTIAL_MATTER_MASK = frozenset({"title", "body"})
CONFIDENTIAL_EVENT_MASK = frozenset({"note", "data"})


def _mask(obj: object, fields: frozenset[str]) -> None:
    """Mask ``fields`` of this one record in the audit log (read by the audit listener per object)."""
    setattr(obj, AUDIT_MASK, getattr(obj, AUDIT_MASK, frozenset()) | fields)


def _actor(principal: Principal | None) -> tuple[int | None, str]:
    return (principal.user_id or None, principal.full_name) if principal else (None, "系统")


def _event(
    session: Session,
    matter: Matter,
    principal: Principal | None,
    at: datetime,
    action: str,
    *,
    from_state: str = "",
    to_state: str = "",
    note: str = "",
    data: dict[str, Any] | None = None,
) -> MatterEvent:
    actor_id, actor_name = _actor(principal)
    event = MatterEvent(
        matter_id=matter.id,
        at=at,
        actor_id=actor_id,
        actor_name=actor_name,
        action=action,
        from_state=from_state,
        to_state=to_state,
        note=note,
        data=json.dumps(data or {}, ensure_ascii=False, sort_keys=True, default=str),
    )
    if is_confidential(matter.kind):
        _mask(event, CONFIDENTIAL_EVENT_MASK)
    session.add(event)
    return event


def _text(value: str, field: str, label: str, max_len: int, *, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise Invalid(f"请填写{label}。", field=field)
    if len(value) > max_len or "\x00" in value:
        raise Invalid(f"{label}不能超过 {max_len} 个字，且不能含控制字符。", field=field)
    return value


def next_serial(session: Session, spec: KindSpec, year: int) -> tuple[int, str]:
    """The next serial of a kind in a year, e.g. ``诉-2024-000123`` (the counter row is locked meanwhile)."""
    counter = session.get(MatterSerial, (spec.code, year), with_for_update=True)
    if counter is None:
        counter = MatterSerial(kind=spec.code, year=year, last=0)
        session.add(counter)
    counter.last += 1
    return counter.last, f"{spec.prefix}-{year}-{counter.last:06d}"


def _start_limit(
    session: Session,
    spec: KindSpec,
    matter: Matter,
    limit: TimeLimit,
    start: datetime,
    cal: WorkingCalendar,
    tz: tzinfo,
) -> MatterDeadline:
    amount, unit = spec.amount_of(matter, limit)  # the kind may size a limit per matter (``KindSpec.limit_for``)
    deadline = MatterDeadline(
        matter_id=matter.id,
        limit_code=limit.code,
        started_at=start,
        amount=amount,
        unit=unit,
        extended=0,
        due_at=due_at(cal, start, amount, unit, tz),
    )
    session.add(deadline)
    if limit.main:
        matter.due_at = deadline.due_at
    return deadline


def open_matter(
    uow: UnitOfWork,
    principal: Principal | None,
    kind: Kind,
    *,
    title: str,
    owner_unit_id: int,
    body: str = "",
    received_at: datetime | None = None,
    priority: Priority = Priority.NORMAL,
    channel: str = "",
    parent_id: int | None = None,
    handler_id: int | None = None,
    fields: dict[str, Any] | None = None,
    tz: tzinfo = DEFAULT_TZ,
) -> Matter:
    """Open a matter of ``kind`` for an owner unit: serial, initial state, the clocks that start on receipt."""
    session, spec = uow.session, kind.spec
    now = uow.clock.now()
    received = received_at or now
    if received > now:
        raise Invalid("收到时间不能晚于当前时间。", field="received_at")
    if session.get(Unit, owner_unit_id) is None:
        raise Invalid("责任单位不存在。", field="owner_unit_id")
    if parent_id is not None and session.get(Matter, parent_id) is None:
        raise Invalid("上级事项不存在。", field="parent_id")
    year = received.astimezone(tz).year
    seq, serial = next_serial(session, spec, year)
    matter = kind.table(
        title=_text(title, "title", "标题", 200),
        body=_text(body, "body", "内容", 20000, required=False),
        owner_unit_id=owner_unit_id,
        handler_id=handler_id,
        status=spec.workflow.initial,
        priority=priority,
        channel=_text(channel, "channel", "渠道", 32, required=False),
        parent_id=parent_id,
        created_at=now,
        received_at=received,
        year=year,
        seq=seq,
        serial=serial,
        **(fields or {}),
    )
    if spec.confidential:
        _mask(matter, CONFIDENTIAL_MATTER_MASK)
    session.add(matter)
    uow.flush()
    check_write(session, principal, spec.create_grant, matter)
    cal = load_calendar(session)
    for limit in spec.limits_starting("received", matter.status):
        _start_limit(session, spec, matter, limit, received, cal, tz)
    _event(session, matter, principal, now, "open", to_state=matter.status)
    uow.flush()
    return matter


def load(session: Session, principal: Principal | None, kind: Kind, matter_id: int) -> Matter:
    """A matter of ``kind`` within the principal's view scope (NotFound otherwise)."""
    matter: Matter = get_scoped(session, principal, kind.spec.view_grant, kind.table, matter_id)
    return matter


def running(session: Session, matter: Matter) -> list[MatterDeadline]:
    return list(
        session.scalars(
            select(MatterDeadline)
            .where(MatterDeadline.matter_id == matter.id, MatterDeadline.met_at.is_(None))
            .order_by(MatterDeadline.id)
        )
    )


def act(
    uow: UnitOfWork,
    principal: Principal | None,
    kind: Kind,
    matter_id: int,
    action: str,
    *,
    version: int | None = None,
    note: str = "",
    data: dict[str, Any] | None = None,
    tz: tzinfo = DEFAULT_TZ,
) -> Matter:
    """Take ``action`` on a matter: check the table, the grant, what the action needs; move and record it."""
    session, spec = uow.session, kind.spec
    matter = load(session, principal, kind, matter_id)
    expect_version(matter, version)
    step = spec.workflow.step(matter.status, action)
    check_write(session, principal, step.grant, matter)
    if matter.paused_since is not None:
        raise Invalid("事项计时已暂停，请先恢复再办理。", field="action")
    data = dict(data or {})
    note = _text(note, "note", "说明", 20000, required=Need.NOTE in step.needs)
    if Need.ATTACHMENT in step.needs and not data.get("attachments"):
        raise Invalid(f"“{step.label}”须附上附件。", field="attachments")
    for name in step.fields:
        value = data.get(name)
        if value is None or (isinstance(value, str) and not value.strip()):
            raise Invalid(f"“{step.label}”须填写“{name}”。", field=name)
        if hasattr(type(matter), name):
            setattr(matter, name, value)
    now = uow.clock.now()
    old, new = matter.status, step.target
    matter.status = new
    if spec.workflow.is_resolved(new) and matter.resolved_at is None:
        matter.resolved_at = now
    elif not spec.workflow.is_resolved(new) and spec.workflow.is_resolved(old):
        matter.resolved_at = None  # reopened
    if spec.workflow.is_closed(new):
        matter.closed_at = now
    cal = load_calendar(session)
    for deadline in running(session, matter):
        if new not in spec.limit(deadline.limit_code).states:
            deadline.met_at = now
    for limit in spec.limits_starting(action, new):
        _start_limit(session, spec, matter, limit, now, cal, tz)
    _event(session, matter, principal, now, action, from_state=old, to_state=new, note=note, data=data)
    uow.flush()
    return matter


def refresh_due(
    session: Session, matter: Matter, deadline: MatterDeadline, cal: WorkingCalendar, tz: tzinfo, now: datetime
) -> None:
    """Recompute a deadline's due time from its start, amount, approved extensions and pauses since it started."""
    pauses = [
        Span(max(p.started_at, deadline.started_at), p.ended_at)
        for p in session.scalars(select(MatterPause).where(MatterPause.matter_id == matter.id))
        if p.ended_at is None or p.ended_at > deadline.started_at
    ]
    deadline.due_at = due_at(
        cal, deadline.started_at, deadline.amount + deadline.extended, deadline.unit, tz, pauses, now
    )


def _sync_main_due(session: Session, kind: Kind, matter: Matter) -> None:
    mains = {lim.code for lim in kind.spec.limits if lim.main}
    latest = session.scalar(
        select(MatterDeadline)
        .where(MatterDeadline.matter_id == matter.id, MatterDeadline.limit_code.in_(mains))
        .order_by(MatterDeadline.id.desc())
        .limit(1)
    )
    if latest is not None:
        matter.due_at = latest.due_at


def _holds(session: Session, principal: Principal | None, grant: str, matter: Matter) -> bool:
    try:
        check_write(session, principal, grant, matter)
    except Forbidden:
        return False
    return True


def request_extension(
    uow: UnitOfWork,
    principal: Principal | None,
    kind: Kind,
    matter_id: int,
    limit_code: str,
    amount: int,
    reason: str,
) -> MatterExtension:
    """Ask for more time on a running limit, before it falls due; nothing changes until it is approved."""
    session = uow.session
    matter = load(session, principal, kind, matter_id)
    grants = {s.grant for s in kind.spec.workflow.available(matter.status)}
    if not any(_holds(session, principal, g, matter) for g in grants):
        raise Forbidden("只有当前负责办理的一方可以申请延期。")
    now = uow.clock.now()
    deadline = next((d for d in running(session, matter) if d.limit_code == limit_code), None)
    if deadline is None:
        raise Invalid("该时限没有在计时，不能申请延期。", field="limit_code")
    if now > deadline.due_at:
        raise Invalid("期限已过，不能再申请延期；延期须在到期前申请。", field="limit_code")
    if not 1 <= amount <= MAX_EXTENSION:
        raise Invalid(f"延期数量应在 1 到 {MAX_EXTENSION} 之间。", field="amount")
    pending = session.scalar(
        select(MatterExtension).where(MatterExtension.deadline_id == deadline.id, MatterExtension.status == "requested")
    )
    if pending is not None:
        raise Invalid("已有一项延期申请待审批。", field="limit_code")
    _, name = _actor(principal)
    ext = MatterExtension(
        matter_id=matter.id,
        deadline_id=deadline.id,
        amount=amount,
        reason=_text(reason, "reason", "延期理由", 2000),
        requested_at=now,
        requested_by=name,
    )
    session.add(ext)
    _event(
        session,
        matter,
        principal,
        now,
        "extension_requested",
        note=ext.reason,
        data={"limit": limit_code, "amount": amount, "unit": deadline.unit.value},
    )
    uow.flush()
    return ext


def decide_extension(
    uow: UnitOfWork,
    principal: Principal | None,
    kind: Kind,
    extension_id: int,
    *,
    approve: bool,
    note: str = "",
    tz: tzinfo = DEFAULT_TZ,
) -> MatterExtension:
    """Approve (the deadline moves) or refuse (it stays) a pending extension."""
    session = uow.session
    ext = session.get(MatterExtension, extension_id)
    if ext is None:
        raise NotFound("延期申请不存在。")
    matter = load(session, principal, kind, ext.matter_id)
    check_write(session, principal, kind.spec.extend_grant, matter)
    if ext.status != "requested":
        raise Invalid("该延期申请已经处理过了。", field="extension_id")
    now = uow.clock.now()
    _, name = _actor(principal)
    ext.status = "approved" if approve else "refused"
    ext.decided_at, ext.decided_by = now, name
    ext.decision_note = _text(note, "note", "审批意见", 2000, required=not approve)
    deadline = session.get(MatterDeadline, ext.deadline_id)
    assert deadline is not None
    if approve:
        deadline.extended += ext.amount
        refresh_due(session, matter, deadline, load_calendar(session), tz, now)
        _sync_main_due(session, kind, matter)
    _event(
        session,
        matter,
        principal,
        now,
        f"extension_{ext.status}",
        note=ext.decision_note,
        data={"limit": deadline.limit_code, "amount": ext.amount, "due_at": deadline.due_at.isoformat()},
    )
    uow.flush()
    return ext


def pause(uow: UnitOfWork, principal: Principal | None, kind: Kind, matter_id: int, reason: str) -> MatterPause:
    """Stop a matter's clocks (the paused span will not count against any of its limits)."""
    session = uow.session
    matter = load(session, principal, kind, matter_id)
    check_write(session, principal, kind.spec.pause_grant, matter)
    if matter.paused_since is not None:
        raise Invalid("事项已经处于暂停状态。", field="action")
    if kind.spec.workflow.is_closed(matter.status):
        raise Invalid("事项已办结关闭，不能暂停。", field="action")
    now = uow.clock.now()
    _, name = _actor(principal)
    span = MatterPause(matter_id=matter.id, started_at=now, reason=_text(reason, "reason", "暂停理由", 2000), by=name)
    session.add(span)
    matter.paused_since = now
    _event(session, matter, principal, now, "paused", note=span.reason)
    uow.flush()
    return span


def resume(
    uow: UnitOfWork, principal: Principal | None, kind: Kind, matter_id: int, *, tz: tzinfo = DEFAULT_TZ
) -> Matter:
    """Restart the clocks; every running deadline moves by the paused span."""
    session = uow.session
    matter = load(session, principal, kind, matter_id)
    check_write(session, principal, kind.spec.pause_grant, matter)
    if matter.paused_since is None:
        raise Invalid("事项没有暂停。", field="action")
    now = uow.clock.now()
    span = session.scalar(select(MatterPause).where(MatterPause.matter_id == matter.id, MatterPause.ended_at.is_(None)))
    assert span is not None
    span.ended_at = now
    matter.paused_since = None
    uow.flush()
    cal = load_calendar(session)
    for deadline in running(session, matter):
        refresh_due(session, matter, deadline, cal, tz, now)
    _sync_main_due(session, kind, matter)
    _event(session, matter, principal, now, "resumed", data={"paused_since": span.started_at.isoformat()})
    uow.flush()
    return matter


def record_event(
    session: Session,
    matter: Matter,
    principal: Principal | None,
    at: datetime,
    action: str,
    *,
    note: str = "",
    data: dict[str, Any] | None = None,
) -> MatterEvent:
    """Append a line to a matter's history for something that is not a workflow step (a listing, a notice …)."""
    return _event(session, matter, principal, at, action, note=note, data=data)
