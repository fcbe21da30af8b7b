"""Problem leads (问题线索): handed over by the inspection office to the discipline commission or the organisation
department, received, disposed of with feedback, closed — confidential throughout.

* **Hand over** (``inspection.lead.manage`` over the round's committee unit and over the receiving unit, which
  becomes the owner unit): a target of the round, optionally one of its findings, the recipient, the handover date
  (today by default, not in the future nor before the round began) and the feedback deadline (6 calendar months
  later by default, :func:`zhengwu.inspection.model.lead_due`).
* **Steps** (:func:`act`, the kind's ``KindSpec.act``): ``receive`` and ``feed_back`` (a disposal from
  :class:`~zhengwu.inspection.model.workflows.Disposal` and the feedback as the note) by ``inspection.lead.receive``,
  ``close`` by ``inspection.lead.manage``, each over the receiving unit.
* **Seeing** (``inspection.lead.view`` over the receiving unit): every view of a lead, or of a page of the list,
  writes an audit record ``view_lead`` (who, which serials — never the text); the caller commits, even for a read.
  ``inspection.view`` never covers leads, and the engine's general lists never show them (the kind is confidential).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, tzinfo
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from zhengwu.core.audit.service import record
from zhengwu.core.db import UnitOfWork
from zhengwu.core.errors import Forbidden, Invalid, NotFound
from zhengwu.core.matters import service as matters
from zhengwu.core.matters.service import DEFAULT_TZ
from zhengwu.core.org.access import restrict
from zhengwu.core.org.model import Principal
from zhengwu.core.org.tables import Unit
from zhengwu.inspection.kinds import LEAD
from zhengwu.inspection.model import LEAD_MANAGE, LEAD_VIEW, lead_due
from zhengwu.inspection.model.workflows import Disposal, LeadState, Recipient
from zhengwu.inspection.tables import FindingMatter, InspectionRound, InspectionRoundTarget, LeadMatter

MAX_DESCRIPTION = 20000
#: The data fields each step takes (the names of the step forms' inputs and of the API's body fields).
FIELDS: dict[str, frozenset[str]] = {"receive": frozenset(), "feed_back": frozenset({"disposal"}), "close": frozenset()}
AUDIT_ACTION = "view_lead"


def require_view(principal: Principal | None) -> Principal:
    if principal is None or not principal.has(LEAD_VIEW):
        raise Forbidden("您没有查看问题线索的权限。")
    return principal


def require_manage(principal: Principal | None) -> Principal:
    if principal is None or not principal.has(LEAD_MANAGE):
        raise Forbidden("您没有移交问题线索的权限。")
    return principal


def _choice(enum: Any, value: Any, field: str, what: str) -> Any:
    found = next((m for m in enum if value in (m, m.value, m.label)), None)
    if found is None:
        raise Invalid(f"请选择{what}：{'、'.join(m.label for m in enum)}。", field=field)
    return found


def _date(value: Any, field: str, label: str) -> date | None:
    if value is None or (isinstance(value, date) and not isinstance(value, datetime)):
        return value
    if isinstance(value, str):
        if not value.strip():
            return None
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise Invalid(f"{label}应为日期（YYYY-MM-DD）。", field=field)


def hand_over(
    uow: UnitOfWork,
    principal: Principal | None,
    *,
    round_id: int,
    target_unit_id: int,
    recipient: Recipient | str,
    receiving_unit_id: int,
    title: str,
    description: str,
    finding_id: int | None = None,
    handed_over_on: date | str | None = None,
    due_on: date | str | None = None,
    tz: tzinfo = DEFAULT_TZ,
) -> LeadMatter:
    """Hand a lead over to the receiving unit (see the module docstring); returns the new lead."""
    require_manage(principal)
    session = uow.session
    rnd = session.scalar(
        restrict(select(InspectionRound).where(InspectionRound.id == round_id), principal, LEAD_MANAGE)
    )
    if rnd is None:
        raise NotFound("巡察轮次不存在或不在您的数据范围内。", field="round_id")
    if session.get(InspectionRoundTarget, (rnd.id, target_unit_id)) is None:
        raise Invalid("该单位不是本轮巡察的被巡察党组织。", field="target_unit_id")
    if finding_id is not None:
        finding = session.get(FindingMatter, finding_id)
        if finding is None or finding.round_id != rnd.id or finding.target_unit_id != target_unit_id:
            raise Invalid("所选问题不是本轮巡察对该单位发现的问题。", field="finding_id")
    who = _choice(Recipient, recipient, "recipient", "移交对象")
    receiving = session.get(Unit, receiving_unit_id)
    if receiving is None or not receiving.active:
        raise Invalid("承办单位不存在或已停用。", field="receiving_unit_id")
    if receiving.id == target_unit_id:
        raise Invalid("问题线索不能移交给被巡察党组织本身。", field="receiving_unit_id")
    description = (description or "").strip()
    if not description:
        raise Invalid("请填写线索内容。", field="description")
    if len(description) > MAX_DESCRIPTION or "\x00" in description:
        raise Invalid(f"线索内容不能超过 {MAX_DESCRIPTION} 个字，且不能含控制字符。", field="description")
    now = uow.clock.now()
    today = now.astimezone(tz).date()
    handed = _date(handed_over_on, "handed_over_on", "移交日期") or today
    if handed > today:
        raise Invalid("移交日期不能晚于今天。", field="handed_over_on")
    if handed < rnd.starts_on:
        raise Invalid(f"移交日期不能早于本轮巡察开始日期（{rnd.starts_on.isoformat()}）。", field="handed_over_on")
    due = _date(due_on, "due_on", "反馈期限") or lead_due(handed)
    if due <= handed:
        raise Invalid("反馈期限应晚于移交日期。", field="due_on")
    received = now if handed == today else datetime.combine(handed, time(0), tzinfo=tz)
    lead = matters.open_matter(
        uow,
        principal,
        LEAD,
        title=title,
        body=description,
        owner_unit_id=receiving.id,
        received_at=received,
        fields={
            "round_id": rnd.id,
            "finding_id": finding_id,
            "target_unit_id": target_unit_id,
            "recipient": who,
            "receiving_unit_id": receiving.id,
            "handed_over_on": handed,
            "due_on": due,
        },
        tz=tz,
    )
    assert isinstance(lead, LeadMatter)
    return lead


def act(
    uow: UnitOfWork,
    principal: Principal | None,
    matter_id: int,
    action: str,
    *,
    version: int | None = None,
    note: str = "",
    data: Mapping[str, Any] | None = None,
    tz: tzinfo = DEFAULT_TZ,
) -> LeadMatter:
    """Take a lead's step ``receive``, ``feed_back`` (``data["disposal"]``, the feedback as ``note``) or ``close``."""
    fields = dict(data or {})
    if action not in FIELDS:
        raise Invalid(f"未知的办理动作“{action[:32]}”，可选：{'、'.join(FIELDS)}。", field="action")
    for name in fields:
        if name not in FIELDS[action]:
            raise Invalid(f"“{LEAD.spec.action_label(action)}”不接受字段“{name[:32]}”。", field=name)
    step_data: dict[str, Any] = {}
    if action == "feed_back":
        step_data["disposal"] = _choice(Disposal, fields.get("disposal"), "disposal", "处置方式")
    lead = matters.act(uow, principal, LEAD, matter_id, action, version=version, note=note, data=step_data, tz=tz)
    assert isinstance(lead, LeadMatter)
    if action == "feed_back":
        lead.feedback = (note or "").strip()
        uow.flush()
    return lead


def get_lead(uow: UnitOfWork, principal: Principal | None, lead_id: int) -> LeadMatter:
    """A lead within the principal's ``inspection.lead.view`` scope (NotFound otherwise); the view is audited."""
    require_view(principal)
    lead = matters.load(uow.session, principal, LEAD, lead_id)
    assert isinstance(lead, LeadMatter)
    record(uow.session, AUDIT_ACTION, LeadMatter.__tablename__, lead.id, serial=lead.serial)
    return lead


# ------------------------------------------------------------------------------------------------ the list


@dataclass(frozen=True)
class LeadRow:
    id: int
    serial: str
    title: str
    target: str
    recipient: Recipient
    receiving: str
    status: str
    handed_over_on: date
    due_on: date

    @property
    def status_label(self) -> str:
        return LEAD.spec.workflow.label(self.status)


@dataclass(frozen=True)
class LeadPage:
    items: list[LeadRow]
    total: int
    page: int
    pages: int


def list_leads(
    uow: UnitOfWork,
    principal: Principal | None,
    *,
    q: str = "",
    status: str = "",
    round_id: int | None = None,
    page: int = 1,
    size: int = 20,
) -> LeadPage:
    """One page of the leads the principal may see, latest handover first; a page showing any lead is audited with
    the serials on it."""
    require_view(principal)
    if status and status not in LeadState.__members__.values():
        raise Invalid(f"状态“{status[:32]}”无效。", field="status")
    if not 1 <= page <= 1_000_000:
        raise Invalid("页码应为正整数。", field="page")
    t, target = LeadMatter, Unit.__table__.alias("target_unit")
    receiving = Unit.__table__.alias("receiving_unit")
    stmt = (
        select(
            t.id, t.serial, t.title, target.c.name, t.recipient, receiving.c.name, t.status, t.handed_over_on, t.due_on
        )
        .join(target, target.c.id == t.target_unit_id)
        .join(receiving, receiving.c.id == t.owner_unit_id)
    )
    stmt = restrict(stmt, principal, LEAD_VIEW, t)
    if q.strip():
        text = q.strip()[:200]
        stmt = stmt.where(t.title.icontains(text, autoescape=True) | t.serial.icontains(text, autoescape=True))
    if status:
        stmt = stmt.where(t.status == status)
    if round_id is not None:
        stmt = stmt.where(t.round_id == round_id)
    session = uow.session
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    pages = max(1, math.ceil(total / size))
    rows = session.execute(stmt.order_by(t.handed_over_on.desc(), t.id.desc()).limit(size).offset((page - 1) * size))
    items = [LeadRow(*row) for row in rows]
    if items:  # a page that shows no lead has nothing to account for
        record(session, AUDIT_ACTION, LeadMatter.__tablename__, "list", serials=[r.serial for r in items])
    return LeadPage(items, total, page, pages)


# ------------------------------------------------------------------------------------------------ display


@dataclass(frozen=True)
class LeadView:
    """What a lead's page and the API show of it (names resolved)."""

    lead: LeadMatter
    round_name: str
    target: str
    receiving: str
    finding_serial: str

    @property
    def status_label(self) -> str:
        return LEAD.spec.workflow.label(self.lead.status)


def lead_view(session: Session, lead: LeadMatter) -> LeadView:
    rnd = session.get(InspectionRound, lead.round_id)
    finding = session.get(FindingMatter, lead.finding_id) if lead.finding_id is not None else None
    target, receiving = session.get(Unit, lead.target_unit_id), session.get(Unit, lead.owner_unit_id)
    return LeadView(
        lead,
        rnd.name if rnd else "",
        target.name if target else "",
        receiving.name if receiving else "",
        finding.serial if finding else "",
    )


# ------------------------------------------------------------------------------------------------ form choices


def round_choices(session: Session, principal: Principal | None) -> list[tuple[int, str]]:
    """Rounds the principal may hand leads over from, newest first."""
    stmt = restrict(select(InspectionRound), principal, LEAD_MANAGE).order_by(
        InspectionRound.year.desc(), InspectionRound.number.desc(), InspectionRound.id.desc()
    )
    return [(r.id, f"{r.year}年 {r.name}") for r in session.scalars(stmt)]


def target_choices(session: Session, round_id: int) -> list[tuple[int, str]]:
    stmt = (
        select(Unit.id, Unit.name)
        .join(InspectionRoundTarget, InspectionRoundTarget.unit_id == Unit.id)
        .where(InspectionRoundTarget.round_id == round_id)
        .order_by(Unit.path)
    )
    return [(r.id, r.name) for r in session.execute(stmt)]


def finding_choices(session: Session, round_id: int) -> list[tuple[int, str, int]]:
    """The round's findings as (id, "serial title", target unit id)."""
    stmt = (
        select(FindingMatter.id, FindingMatter.serial, FindingMatter.title, FindingMatter.target_unit_id)
        .where(FindingMatter.round_id == round_id)
        .order_by(FindingMatter.id)
    )
    return [(r.id, f"{r.serial} {r.title}", r.target_unit_id) for r in session.execute(stmt)]


def receiving_choices(session: Session, principal: Principal | None) -> list[tuple[int, str]]:
    """Active commissions and offices (纪委监委、组织部) within the principal's scope; any active unit if none."""
    base = restrict(select(Unit.id, Unit.name).where(Unit.active.is_(True)), principal, LEAD_MANAGE, Unit)
    rows = list(session.execute(base.where(Unit.kind.in_(("commission", "office"))).order_by(Unit.path)))
    if not rows:
        rows = list(session.execute(base.order_by(Unit.path)))
    return [(r.id, r.name) for r in rows]
