"""The inspection matter kinds — findings (巡-), leads (线-, confidential) and rectification items (改-) — registered
with the matters engine.

Limits counted in calendar months or up to a stored due date get their real length here (``limit_for``): the
engine counts natural days from the day a clock starts, so the amount is the days from that day to the due date the
services stored (by default :func:`zhengwu.inspection.model.rectification_due` and
:func:`zhengwu.inspection.model.lead_due`).
"""

from __future__ import annotations

from datetime import date, tzinfo
from importlib import import_module
from typing import Any

from zhengwu.core.matters.model import KindSpec, LimitUnit, StepHandler, TimeLimit
from zhengwu.core.matters.registry import Kind, register_kind
from zhengwu.core.matters.service import DEFAULT_TZ
from zhengwu.inspection.model import FINDING_MANAGE, ITEM_VERIFY, LEAD_MANAGE, LEAD_VIEW, RECTIFY, VIEW
from zhengwu.inspection.model import workflows as wf
from zhengwu.inspection.tables import FindingMatter, ItemMatter, LeadMatter


def _days_until(start: date, due: date | None, fallback: int) -> int:
    """Natural days from ``start`` to ``due`` (at least 1), or ``fallback`` when no due date is stored."""
    return max(1, (due - start).days) if due is not None else fallback


def limit_for(matter: Any, limit: TimeLimit) -> tuple[int, LimitUnit]:
    """The finding's report limit runs from feedback to ``report_due_on``, a lead's from handover to ``due_on``, an
    item's first rectification from its opening to ``due_on``; other limits (re-rectification) for their amount."""
    unit = LimitUnit.NATURAL_DAYS
    if isinstance(matter, FindingMatter) and limit.code == "report" and matter.fed_back_on is not None:
        return _days_until(matter.fed_back_on, matter.report_due_on, limit.amount), unit
    if isinstance(matter, LeadMatter) and limit.code == "feedback":
        return _days_until(matter.handed_over_on, matter.due_on, limit.amount), unit
    if isinstance(matter, ItemMatter) and limit.code == "rectify":
        opened = matter.received_at.astimezone(DEFAULT_TZ).date()
        return _days_until(opened, matter.due_on, limit.amount), unit
    return limit.amount, limit.unit


def _service_act(module: str) -> StepHandler:
    """The generic act page and API take a kind's steps through its inspection service's ``act`` (imported at call
    time: the services import this module's kinds), never the engine's bare ``act``."""

    def act(
        uow: Any,
        principal: Any,
        matter_id: int,
        action: str,
        *,
        version: int | None,
        note: str,
        data: dict[str, Any],
        tz: tzinfo,
    ) -> Any:
        handler: StepHandler = import_module(f"zhengwu.inspection.service.{module}").act
        return handler(uow, principal, matter_id, action, version=version, note=note, data=data, tz=tz)

    return act


FINDING_SPEC = KindSpec(
    code=wf.FINDING_KIND,
    label="巡察发现问题",
    prefix="巡",
    workflow=wf.FINDING_WORKFLOW,
    limits=wf.FINDING_LIMITS,
    view_grant=VIEW,
    create_grant=FINDING_MANAGE,
    extend_grant=FINDING_MANAGE,
    pause_grant=FINDING_MANAGE,
    limit_for=limit_for,
    act=_service_act("findings"),
    detail_url=lambda i: f"/inspection/findings/{i}",
)
LEAD_SPEC = KindSpec(
    code=wf.LEAD_KIND,
    label="问题线索",
    prefix="线",
    workflow=wf.LEAD_WORKFLOW,
    limits=wf.LEAD_LIMITS,
    view_grant=LEAD_VIEW,
    create_grant=LEAD_MANAGE,
    extend_grant=LEAD_MANAGE,
    pause_grant=LEAD_MANAGE,
    limit_for=limit_for,
    act=_service_act("leads"),
    detail_url=lambda i: f"/inspection/leads/{i}",
    confidential=True,
)
ITEM_SPEC = KindSpec(
    code=wf.ITEM_KIND,
    label="整改事项",
    prefix="改",
    workflow=wf.ITEM_WORKFLOW,
    limits=wf.ITEM_LIMITS,
    view_grant=VIEW,
    create_grant=RECTIFY,
    extend_grant=ITEM_VERIFY,
    pause_grant=ITEM_VERIFY,
    limit_for=limit_for,
    act=_service_act("items"),
    detail_url=lambda i: f"/inspection/items/{i}",
)

FINDING: Kind = register_kind(FINDING_SPEC, FindingMatter)
LEAD: Kind = register_kind(LEAD_SPEC, LeadMatter)
ITEM: Kind = register_kind(ITEM_SPEC, ItemMatter)
