"""Workflows of the inspection matter kinds (pure): findings, leads (问题线索) and rectification items with their
two-approval sign-off (销号). The kinds are registered with the engine together with their tables.

::

    finding:  drafted ─approve_paper→ paper_approved ─feed_back→ fed_back ─start_rectification→ rectifying ─close→
              closed;  drafted ─withdraw→ withdrawn;
              paper_approved ─order_immediate→ immediate (立行立改) ─complete_immediate→ closed,
              immediate ─feed_back→ fed_back (not done before the team left);
              closed ─reopen→ rectifying (the follow-up evaluation finds the rectification did not hold)
    lead:     handed_over ─receive→ received ─feed_back→ fed_back ─close→ closed
    item:     rectifying ─submit (evidence)→ submitted ─verify→ verified ─approve_as_head / approve_as_supervisor→
              head_approved | supervisor_approved ─the other approval→ closed (销号)
              submitted, verified, head_approved, supervisor_approved ─send_back→ rectifying (重新整改)

Time limits run in natural days; those counted in calendar months (:data:`MONTH_LIMITS`) get their real length from
the kind's ``limit_for`` through :func:`zhengwu.inspection.model.months_as_days`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from zhengwu.core.errors import Invalid
from zhengwu.core.labels import LabelledEnum
from zhengwu.core.matters.model import LimitUnit, Need, Step, TimeLimit, workflow_from_enum
from zhengwu.inspection.model import (
    FINDING_APPROVE,
    FINDING_MANAGE,
    ITEM_APPROVE_HEAD,
    ITEM_APPROVE_SUPERVISOR,
    ITEM_SEND_BACK,
    ITEM_VERIFY,
    LEAD_MANAGE,
    LEAD_MONTHS,
    LEAD_RECEIVE,
    RECTIFICATION_MONTHS,
    RECTIFY,
)

FINDING_KIND, LEAD_KIND, ITEM_KIND = "inspection_finding", "inspection_lead", "inspection_item"


# ------------------------------------------------------------------------------------------------- findings


class FindingState(LabelledEnum):
    DRAFTED = "drafted", "底稿待审批"
    PAPER_APPROVED = "paper_approved", "底稿已审批"
    IMMEDIATE = "immediate", "立行立改中"
    WITHDRAWN = "withdrawn", "已撤销"
    FED_BACK = "fed_back", "已反馈"
    RECTIFYING = "rectifying", "整改中"
    CLOSED = "closed", "已整改"


_F = FindingState
FINDING_WORKFLOW = workflow_from_enum(
    FindingState,
    _F.DRAFTED,
    [
        Step("approve_paper", "审批底稿", frozenset({_F.DRAFTED}), _F.PAPER_APPROVED, FINDING_APPROVE),
        Step("withdraw", "撤销", frozenset({_F.DRAFTED}), _F.WITHDRAWN, FINDING_APPROVE, frozenset({Need.NOTE})),
        Step(
            "order_immediate",
            "下发立行立改通知",
            frozenset({_F.PAPER_APPROVED}),
            _F.IMMEDIATE,
            FINDING_MANAGE,
            frozenset({Need.NOTE}),
        ),
        Step(
            "complete_immediate",
            "立行立改完成",
            frozenset({_F.IMMEDIATE}),
            _F.CLOSED,
            FINDING_MANAGE,
            frozenset({Need.NOTE, Need.ATTACHMENT}),
        ),
        Step("feed_back", "反馈", frozenset({_F.PAPER_APPROVED, _F.IMMEDIATE}), _F.FED_BACK, FINDING_MANAGE),
        Step("start_rectification", "制定整改方案", frozenset({_F.FED_BACK}), _F.RECTIFYING, RECTIFY),
        Step("close", "整改完成", frozenset({_F.RECTIFYING}), _F.CLOSED, FINDING_MANAGE),
        Step(
            "reopen", "督查评估重新整改", frozenset({_F.CLOSED}), _F.RECTIFYING, FINDING_MANAGE, frozenset({Need.NOTE})
        ),
    ],
    resolved=[_F.CLOSED],
    closed=[_F.CLOSED, _F.WITHDRAWN],
)

#: The engine counts natural days from the start date; a kind's ``limit_for`` replaces these nominal amounts by
#: :func:`months_as_days` of the months in :data:`MONTH_LIMITS` (calendar months do not have a fixed length).
FINDING_LIMITS = (
    TimeLimit(
        "report",
        "整改报告时限",
        61,
        LimitUnit.NATURAL_DAYS,
        frozenset({_F.FED_BACK, _F.RECTIFYING}),
        start="feed_back",
        main=True,
    ),
)


# ---------------------------------------------------------------------------------------------------- leads


class Recipient(LabelledEnum):
    """Who a lead is handed over to."""

    DISCIPLINE_COMMISSION = "discipline_commission", "纪委监委"
    ORGANISATION_DEPARTMENT = "organisation_department", "组织部"


class Disposal(LabelledEnum):
    """How the recipient disposed of a lead (问题线索的四类处置方式)."""

    INQUIRY = "inquiry", "谈话函询"
    PRELIMINARY = "preliminary", "初步核实"
    HELD = "held", "暂存待查"
    CONCLUDED = "concluded", "予以了结"


class LeadState(LabelledEnum):
    HANDED_OVER = "handed_over", "已移交"
    RECEIVED = "received", "已接收"
    FED_BACK = "fed_back", "已反馈"
    CLOSED = "closed", "已办结"


_L = LeadState
LEAD_WORKFLOW = workflow_from_enum(
    LeadState,
    _L.HANDED_OVER,
    [
        Step("receive", "接收", frozenset({_L.HANDED_OVER}), _L.RECEIVED, LEAD_RECEIVE),
        Step(
            "feed_back",
            "反馈处置情况",
            frozenset({_L.RECEIVED}),
            _L.FED_BACK,
            LEAD_RECEIVE,
            frozenset({Need.NOTE}),
            ("disposal",),
        ),
        Step("close", "办结", frozenset({_L.FED_BACK}), _L.CLOSED, LEAD_MANAGE),
    ],
    resolved=[_L.FED_BACK, _L.CLOSED],
    closed=[_L.CLOSED],
)
LEAD_LIMITS = (
    TimeLimit(
        "feedback", "线索处置反馈时限", 183, LimitUnit.NATURAL_DAYS, frozenset({_L.HANDED_OVER, _L.RECEIVED}), main=True
    ),
)


# ------------------------------------------------------------------------------------ rectification items


class ItemState(LabelledEnum):
    RECTIFYING = "rectifying", "整改中"
    SUBMITTED = "submitted", "待核实"
    VERIFIED = "verified", "已核实待审批"
    HEAD_APPROVED = "head_approved", "主要负责人已审批"
    SUPERVISOR_APPROVED = "supervisor_approved", "督导领导已审批"
    CLOSED = "closed", "已销号"


class Approver(LabelledEnum):
    """The two approvals a sign-off (销号) needs, in any order, after the inspection office verified the item."""

    HEAD = "head", "被巡察党组织主要负责人"
    SUPERVISOR = "supervisor", "督导领导"


_I = ItemState
_AWAITING = frozenset({_I.SUBMITTED, _I.VERIFIED, _I.HEAD_APPROVED, _I.SUPERVISOR_APPROVED})
ITEM_WORKFLOW = workflow_from_enum(
    ItemState,
    _I.RECTIFYING,
    [
        Step("progress", "报送整改进展", frozenset({_I.RECTIFYING}), _I.RECTIFYING, RECTIFY, frozenset({Need.NOTE})),
        Step(
            "submit",
            "提交整改完成情况",
            frozenset({_I.RECTIFYING}),
            _I.SUBMITTED,
            RECTIFY,
            frozenset({Need.NOTE, Need.ATTACHMENT}),
        ),
        Step("verify", "核实", frozenset({_I.SUBMITTED}), _I.VERIFIED, ITEM_VERIFY),
        # The same action from two states: the first approval moves on, the second closes the item.
        Step(
            "approve_as_head", "销号审批（主要负责人）", frozenset({_I.VERIFIED}), _I.HEAD_APPROVED, ITEM_APPROVE_HEAD
        ),
        Step(
            "approve_as_head",
            "销号审批（主要负责人）",
            frozenset({_I.SUPERVISOR_APPROVED}),
            _I.CLOSED,
            ITEM_APPROVE_HEAD,
        ),
        Step(
            "approve_as_supervisor",
            "销号审批（督导领导）",
            frozenset({_I.VERIFIED}),
            _I.SUPERVISOR_APPROVED,
            ITEM_APPROVE_SUPERVISOR,
        ),
        Step(
            "approve_as_supervisor",
            "销号审批（督导领导）",
            frozenset({_I.HEAD_APPROVED}),
            _I.CLOSED,
            ITEM_APPROVE_SUPERVISOR,
        ),
        Step(
            "send_back", "退回重新整改", _AWAITING, _I.RECTIFYING, ITEM_SEND_BACK, frozenset({Need.NOTE}), ("reason",)
        ),
    ],
    resolved=[_I.CLOSED],
    closed=[_I.CLOSED],
)
#: Days to rectify again after a send-back (natural days; a proposal, editable when the kind is registered).
RERECTIFY_DAYS = 30
#: "rectify" runs from the item's opening to its due date (by default :func:`rectification_due` of the finding's
#: feedback): ``limit_for`` gives the natural days between the two.
ITEM_LIMITS = (
    TimeLimit("rectify", "整改时限", 61, LimitUnit.NATURAL_DAYS, frozenset({_I.RECTIFYING}), main=True),
    TimeLimit(
        "rerectify",
        "重新整改时限",
        RERECTIFY_DAYS,
        LimitUnit.NATURAL_DAYS,
        frozenset({_I.RECTIFYING}),
        start="send_back",
        main=True,
    ),
)
#: Limits counted in calendar months: limit code → months (see :func:`months_as_days`).
MONTH_LIMITS = {"report": RECTIFICATION_MONTHS, "feedback": LEAD_MONTHS}


@dataclass(frozen=True)
class Approval:
    """A sign-off approval given by ``user_id`` as ``approver`` in rectification ``cycle`` (0 at first, one more
    after each send-back: approvals of an earlier cycle no longer count)."""

    approver: Approver
    user_id: int
    cycle: int = 0


def missing_approvals(approvals: Iterable[Approval], cycle: int) -> tuple[Approver, ...]:
    """The approvals still needed in ``cycle``, in :class:`Approver` order.

    >>> missing_approvals([Approval(Approver.SUPERVISOR, 8, 0)], 0)
    (<Approver.HEAD: 'head'>,)
    >>> missing_approvals([Approval(Approver.HEAD, 7, 0), Approval(Approver.SUPERVISOR, 8, 0)], 1)
    (<Approver.HEAD: 'head'>, <Approver.SUPERVISOR: 'supervisor'>)
    """
    given = {a.approver for a in approvals if a.cycle == cycle}
    return tuple(a for a in Approver if a not in given)


def sign_off_complete(approvals: Iterable[Approval], cycle: int) -> bool:
    """Whether both approvals of ``cycle`` are recorded (the item may be signed off).

    >>> sign_off_complete([Approval(Approver.HEAD, 7), Approval(Approver.SUPERVISOR, 8)], 0)
    True
    """
    return not missing_approvals(approvals, cycle)


def check_approval(approvals: Iterable[Approval], new: Approval) -> None:
    """Refuse an approval given twice in the same role, or by the person who already approved in the other role.

    >>> check_approval([Approval(Approver.HEAD, 7)], Approval(Approver.SUPERVISOR, 7))
    Traceback (most recent call last):
    ...
    zhengwu.core.errors.Invalid: 同一人不能同时以被巡察党组织主要负责人和督导领导身份审批销号。
    """
    for a in approvals:
        if a.cycle != new.cycle:
            continue
        if a.approver is new.approver:
            raise Invalid(f"该整改事项已由{a.approver.label}审批，不能重复审批。", field="approver")
        if a.user_id == new.user_id:
            raise Invalid(f"同一人不能同时以{a.approver.label}和{new.approver.label}身份审批销号。", field="approver")


def check_evidence(evidence_count: int) -> None:
    """Refuse submitting an item as rectified without evidence (佐证材料).

    >>> check_evidence(0)
    Traceback (most recent call last):
    ...
    zhengwu.core.errors.Invalid: 提交整改完成情况须上传佐证材料。
    """
    if evidence_count <= 0:
        raise Invalid("提交整改完成情况须上传佐证材料。", field="attachments")
