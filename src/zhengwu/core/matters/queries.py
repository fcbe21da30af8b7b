"""Read-side questions about matters for pages and to-do lists: may this principal act, what may they do now,
and which matters wait for them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, tzinfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from zhengwu.core.calendar.service import load_calendar
from zhengwu.core.matters.deadlines import light
from zhengwu.core.matters.model import Light, LimitUnit, Step
from zhengwu.core.matters.registry import Kind
from zhengwu.core.matters.service import DEFAULT_TZ, refresh_due
from zhengwu.core.matters.tables import Matter, MatterDeadline, MatterEvent
from zhengwu.core.org.access import restrict
from zhengwu.core.org.model import Principal
from zhengwu.core.org.tables import Unit


def may(session: Session, principal: Principal | None, grant: str, matter: Matter) -> bool:
    """Whether ``principal`` holds ``grant`` over ``matter`` (its owner unit, or as its handler)."""
    if principal is None or not grant:
        return False
    scope = principal.scope(grant)
    if scope is None:
        return False
    path = session.scalar(select(Unit.path).where(Unit.id == matter.owner_unit_id))
    return scope.covers(matter.owner_unit_id, path, matter.handler_id, principal.user_id)


def available_steps(session: Session, principal: Principal | None, kind: Kind, matter: Matter) -> list[Step]:
    """The actions this principal may take on this matter now (what a page offers)."""
    if matter.paused_since is not None:
        return []
    return [s for s in kind.spec.workflow.available(matter.status) if may(session, principal, s.grant, matter)]


def waiting_for(session: Session, principal: Principal, kinds: Iterable[Kind], limit: int = 200) -> list[Matter]:
    """Matters waiting for an action this principal may take, earliest deadline first (the to-do list); a
    confidential kind among ``kinds`` is left out (the to-do list is a general list)."""
    found: dict[int, Matter] = {}
    for kind in (k for k in kinds if not k.spec.confidential):
        by_grant: dict[str, set[str]] = {}
        for step in kind.spec.workflow.steps:
            if principal.has(step.grant):
                by_grant.setdefault(step.grant, set()).update(step.sources)
        for grant, states in by_grant.items():
            stmt = restrict(
                select(kind.table).where(kind.table.status.in_(sorted(states)), kind.table.paused_since.is_(None)),
                principal,
                grant,
                kind.table,
            )
            stmt = stmt.order_by(kind.table.due_at.is_(None), kind.table.due_at, kind.table.id).limit(limit)
            for matter in session.scalars(stmt):
                found.setdefault(matter.id, matter)
    far = datetime.max.replace(tzinfo=DEFAULT_TZ)
    return sorted(found.values(), key=lambda m: (m.due_at or far, m.id))[:limit]


@dataclass(frozen=True)
class DeadlineView:
    code: str
    label: str
    amount: int
    extended: int
    unit: LimitUnit
    due_at: datetime
    light: Light


def deadlines(
    session: Session, kind: Kind, matter: Matter, now: datetime, tz: tzinfo = DEFAULT_TZ
) -> list[DeadlineView]:
    """The matter's deadlines with their lights as of ``now`` (derived, never stored)."""
    cal = load_calendar(session)
    out = []
    for d in session.scalars(
        select(MatterDeadline).where(MatterDeadline.matter_id == matter.id).order_by(MatterDeadline.id)
    ):
        limit = kind.spec.limit(d.limit_code)
        shown = d.due_at
        if matter.paused_since is not None and d.met_at is None:
            probe = MatterDeadline(started_at=d.started_at, amount=d.amount, extended=d.extended, unit=d.unit)
            refresh_due(session, matter, probe, cal, tz, now)
            shown = probe.due_at
        lamp = light(
            cal,
            shown,
            d.met_at or now,
            d.unit,
            d.amount + d.extended,
            tz,
            met=d.met_at is not None and d.met_at <= d.due_at,
            paused=matter.paused_since is not None,
        )
        if d.met_at is not None and d.met_at > d.due_at:
            lamp = Light.RED  # met, but late
        out.append(DeadlineView(d.limit_code, limit.label, d.amount, d.extended, d.unit, shown, lamp))
    return out


def history(session: Session, matter: Matter) -> list[MatterEvent]:
    return list(session.scalars(select(MatterEvent).where(MatterEvent.matter_id == matter.id).order_by(MatterEvent.id)))
