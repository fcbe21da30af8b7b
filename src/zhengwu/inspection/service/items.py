"""Rectification items (整改事项) — child matters of a finding: add one (measure, responsible person, due date), and
take every step of :data:`zhengwu.inspection.model.workflows.ITEM_WORKFLOW` through :func:`act`, the item kind's step
handler (the generic act page and API go through it too, so the sign-off rules cannot be bypassed).

Sign-off (销号): after the inspection office verifies, two approvals in either order — the target's head and the
supervising leader, never the same person — recorded per rectification cycle (``ItemApproval``); the second closes
the item and records ``completed_on``. A send-back (reason required) starts a new cycle: approvals and evidence of
an earlier cycle no longer count, and the engine's re-rectification limit starts. Submitting needs evidence uploaded
in the current cycle (:mod:`zhengwu.inspection.service.evidence`).
"""

from __future__ import annotations

from datetime import date, tzinfo
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from zhengwu.core.db import UnitOfWork
from zhengwu.core.errors import Invalid
from zhengwu.core.matters import service as matters
from zhengwu.core.matters.service import DEFAULT_TZ
from zhengwu.core.org.access import check_write
from zhengwu.core.org.model import Principal
from zhengwu.core.org.service import expect_version
from zhengwu.inspection.kinds import FINDING, ITEM
from zhengwu.inspection.model import RECTIFY
from zhengwu.inspection.model.workflows import (
    Approval,
    Approver,
    FindingState,
    ItemState,
    check_approval,
    check_evidence,
)
from zhengwu.inspection.service.evidence import evidence_count, evidence_names
from zhengwu.inspection.service.steps import check_fields, local_today, text
from zhengwu.inspection.tables import FindingMatter, ItemApproval, ItemMatter

MEASURE_CHARS = 4000
RESPONSIBLE_CHARS = 50
TITLE_MEASURE_CHARS = 80
#: The latest an item may be set due (days after today): a typo guard.
MAX_DUE_DAYS = 3 * 366
ACCEPTING_ITEMS = frozenset({FindingState.FED_BACK.value, FindingState.RECTIFYING.value})
APPROVERS = {"approve_as_head": Approver.HEAD, "approve_as_supervisor": Approver.SUPERVISOR}

#: The data fields each item step takes.
FIELDS: dict[str, frozenset[str]] = {
    "progress": frozenset(),
    "submit": frozenset(),
    "verify": frozenset(),
    "approve_as_head": frozenset(),
    "approve_as_supervisor": frozenset(),
    "send_back": frozenset({"reason"}),
}


def add_item(
    uow: UnitOfWork,
    principal: Principal | None,
    finding_id: int,
    *,
    measure: str,
    responsible: str,
    due_on: date | None = None,
    tz: tzinfo = DEFAULT_TZ,
) -> ItemMatter:
    """A rectification measure for a finding that has been fed back (or is being rectified), owned by the target;
    due by default when the finding's rectification report is."""
    session = uow.session
    finding = matters.load(session, principal, FINDING, finding_id)
    assert isinstance(finding, FindingMatter)
    check_write(session, principal, RECTIFY, finding)
    if finding.status not in ACCEPTING_ITEMS:
        label = FINDING.spec.workflow.label(finding.status)
        raise Invalid(f"问题当前为“{label}”，反馈后才能制定整改事项。", field="finding_id")
    measure = text(measure, "measure", "整改措施", MEASURE_CHARS)
    responsible = text(responsible, "responsible", "责任人", RESPONSIBLE_CHARS)
    due = due_on or finding.report_due_on
    today = local_today(uow, tz)
    if due is None:
        raise Invalid("请填写整改期限。", field="due_on")
    if due <= today:
        raise Invalid("整改期限应晚于今天。", field="due_on")
    if (due - today).days > MAX_DUE_DAYS:
        raise Invalid("整改期限不能超过三年。", field="due_on")
    short = measure if len(measure) <= TITLE_MEASURE_CHARS else measure[: TITLE_MEASURE_CHARS - 1] + "…"
    item = matters.open_matter(
        uow,
        principal,
        ITEM,
        title=short.replace("\r", " ").replace("\n", " "),
        body=measure,
        owner_unit_id=finding.owner_unit_id,
        parent_id=finding.id,
        fields={"finding_id": finding.id, "measure": measure, "responsible": responsible, "due_on": due, "cycle": 0},
        tz=tz,
    )
    assert isinstance(item, ItemMatter)
    return item


def approvals_of(session: Session, item_id: int) -> list[ItemApproval]:
    """Every approval of the item, of every cycle, oldest first."""
    stmt = select(ItemApproval).where(ItemApproval.item_id == item_id).order_by(ItemApproval.id)
    return list(session.scalars(stmt))


def act(
    uow: UnitOfWork,
    principal: Principal | None,
    matter_id: int,
    action: str,
    *,
    version: int | None = None,
    note: str = "",
    data: dict[str, Any] | None = None,
    tz: tzinfo = DEFAULT_TZ,
) -> ItemMatter:
    """Take an item's step named by its code (the item kind's ``KindSpec.act``). The state, the grant, the version
    and the step's own rules (evidence, the two approvals, a reason) are checked before anything is recorded."""
    fields = dict(data or {})
    check_fields(ITEM, action, fields, FIELDS)
    session = uow.session
    item = matters.load(session, principal, ITEM, matter_id)
    assert isinstance(item, ItemMatter)
    expect_version(item, version)
    step = ITEM.spec.workflow.step(item.status, action)
    check_write(session, principal, step.grant, item)
    engine_data: dict[str, Any] = {}
    approval: ItemApproval | None = None
    if action == "submit":
        check_evidence(evidence_count(session, item.id, item.cycle))
        engine_data["attachments"] = evidence_names(session, item.id, item.cycle)
    elif action in APPROVERS:
        user_id = principal.user_id if principal is not None else None
        if not user_id:
            raise Invalid("销号审批须由具体人员办理。", field="approver")
        new = Approval(APPROVERS[action], user_id, item.cycle)
        given = [Approval(a.approver, a.user_id, a.cycle) for a in approvals_of(session, item.id)]
        check_approval(given, new)
        approval = ItemApproval(
            item_id=item.id, approver=new.approver, user_id=user_id, cycle=item.cycle, approved_at=uow.clock.now()
        )
        engine_data["cycle"] = item.cycle
    elif action == "send_back":
        reason = text(fields.get("reason") or note, "reason", "退回理由", MEASURE_CHARS)
        engine_data = {"reason": reason, "cycle": item.cycle + 1}
        note = note.strip() or reason
    done = matters.act(uow, principal, ITEM, matter_id, action, version=None, note=note, data=engine_data, tz=tz)
    assert isinstance(done, ItemMatter)
    if approval is not None:
        session.add(approval)
        if done.status == ItemState.CLOSED.value:
            done.completed_on = local_today(uow, tz)
    if action == "send_back":
        done.cycle += 1
    uow.flush()
    return done
