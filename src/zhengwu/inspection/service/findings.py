"""Findings (巡察发现问题) — matters of the finding kind: record one for a target of a round, and take every step of
:data:`zhengwu.inspection.model.workflows.FINDING_WORKFLOW` through :func:`act`, the kind's step handler (the generic
act page and API go through it too, so they get the same checks).

What the steps record besides the state: ``approve_paper`` who approved the working paper (底稿) and when;
``order_immediate`` the notice of immediate rectification (立行立改, the step's note) and its day;
``complete_immediate`` its day, with the evidence named in ``data["attachments"]`` — and only while the team is
still in (on or before the last day of the round's entry stage, when that stage has ended); ``feed_back`` the day of
feedback and the rectification report's due date (``data["report_due_on"]``, by default 2 calendar months later),
to which the engine's ``report`` limit runs; ``close`` only when every rectification item is signed off.
"""

from __future__ import annotations

from datetime import date, tzinfo
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from zhengwu.core.db import UnitOfWork
from zhengwu.core.errors import Invalid
from zhengwu.core.matters import service as matters
from zhengwu.core.matters.service import DEFAULT_TZ
from zhengwu.core.org.access import check_write
from zhengwu.core.org.model import Principal
from zhengwu.core.org.service import expect_version, require
from zhengwu.inspection.kinds import FINDING
from zhengwu.inspection.model import FINDING_MANAGE, Stage, rectification_due
from zhengwu.inspection.model.workflows import FindingState, ItemState
from zhengwu.inspection.service.steps import check_fields, day, local_today, text
from zhengwu.inspection.tables import (
    FindingMatter,
    InspectionCategory,
    InspectionRound,
    InspectionRoundStage,
    InspectionRoundTarget,
    InspectionTeam,
    ItemMatter,
)

TITLE_CHARS = 200
TEXT_CHARS = 20_000
#: The latest a rectification report may be set due after feedback (days): a typo guard, not a rule of the domain.
MAX_REPORT_DAYS = 366

#: The data fields each finding step takes.
FIELDS: dict[str, frozenset[str]] = {
    "approve_paper": frozenset(),
    "withdraw": frozenset(),
    "order_immediate": frozenset(),
    "complete_immediate": frozenset(),
    "feed_back": frozenset({"report_due_on"}),
    "start_rectification": frozenset(),
    "close": frozenset(),
    "reopen": frozenset(),
}


def record_finding(
    uow: UnitOfWork,
    principal: Principal | None,
    *,
    round_id: int,
    target_unit_id: int,
    category_id: int,
    title: str,
    description: str,
    paper: str,
    team_id: int | None = None,
    tz: tzinfo = DEFAULT_TZ,
) -> FindingMatter:
    """Record a problem a team found at a target of a round (its working paper awaits approval). The owner unit is
    the target; the team defaults to the one the round assigned to that target. A handful of primary-key reads and
    the engine's insert: cheap enough for the demo's thousands."""
    require(principal, FINDING_MANAGE)
    session = uow.session
    if session.get(InspectionRound, round_id) is None:
        raise Invalid("巡察轮次不存在。", field="round_id")
    target = session.get(InspectionRoundTarget, (round_id, target_unit_id))
    if target is None:
        raise Invalid("该单位不是本轮巡察的被巡察党组织。", field="target_unit_id")
    category = session.get(InspectionCategory, category_id)
    if category is None or not category.active:
        raise Invalid("问题分类不存在或已停用。", field="category_id")
    if team_id is None:
        team_id = target.team_id
    else:
        team = session.get(InspectionTeam, team_id)
        if team is None or team.round_id != round_id:
            raise Invalid("巡察组不属于本轮巡察。", field="team_id")
    fields: dict[str, Any] = {
        "round_id": round_id,
        "team_id": team_id,
        "target_unit_id": target_unit_id,
        "category_id": category_id,
        "paper": text(paper, "paper", "问题底稿", TEXT_CHARS),
    }
    matter = matters.open_matter(
        uow,
        principal,
        FINDING,
        title=text(title, "title", "问题概述", TITLE_CHARS),
        body=text(description, "description", "问题描述", TEXT_CHARS),
        owner_unit_id=target_unit_id,
        fields=fields,
        tz=tz,
    )
    assert isinstance(matter, FindingMatter)
    return matter


def entry_ended_on(session: Session, round_id: int) -> date | None:
    """The last day of the round's entry stage (进驻), or None while it has no end date."""
    stage = session.get(InspectionRoundStage, (round_id, Stage.ENTRY))
    return stage.ends_on if stage is not None else None


def _during_entry(uow: UnitOfWork, finding: FindingMatter, today: date, what: str) -> None:
    ended = entry_ended_on(uow.session, finding.round_id)
    if ended is not None and today > ended:
        raise Invalid(
            f"巡察组已于 {ended.isoformat()} 结束进驻，{what}应在进驻期间办理；未完成的请反馈后按整改程序办理。",
            field="action",
        )


def open_items(uow: UnitOfWork, finding_id: int) -> tuple[int, int]:
    """How many rectification items the finding has, and how many of them are not signed off."""
    total, open_ = uow.session.execute(
        select(func.count(), func.count().filter(ItemMatter.status != ItemState.CLOSED.value)).where(
            ItemMatter.finding_id == finding_id
        )
    ).one()
    return int(total or 0), int(open_ or 0)


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
) -> FindingMatter:
    """Take a finding's step named by its code (the finding kind's ``KindSpec.act``). The state, the grant and the
    version are checked before anything is recorded; a refusal changes nothing."""
    fields = dict(data or {})
    check_fields(FINDING, action, fields, FIELDS)
    session = uow.session
    finding = matters.load(session, principal, FINDING, matter_id)
    assert isinstance(finding, FindingMatter)
    expect_version(finding, version)
    step = FINDING.spec.workflow.step(finding.status, action)
    check_write(session, principal, step.grant, finding)
    today, now = local_today(uow, tz), uow.clock.now()
    engine_data: dict[str, Any] = {k: v for k, v in fields.items() if k == "attachments"}
    if action == "approve_paper":
        finding.paper_approved_by = principal.user_id if principal is not None and principal.user_id else None
        finding.paper_approved_at = now
    elif action == "order_immediate":
        _during_entry(uow, finding, today, "立行立改通知")
        finding.immediate_notice = text(note, "note", "立行立改通知", TEXT_CHARS)
        finding.immediate_ordered_on = today
    elif action == "complete_immediate":
        _during_entry(uow, finding, today, "立行立改")
        finding.immediate_done_on = today
    elif action == "feed_back":
        due = day(fields.get("report_due_on"), "report_due_on", "整改报告期限") or rectification_due(today)
        if due <= today:
            raise Invalid("整改报告期限应晚于反馈日期。", field="report_due_on")
        if (due - today).days > MAX_REPORT_DAYS:
            raise Invalid(f"整改报告期限不能超过反馈后 {MAX_REPORT_DAYS} 天。", field="report_due_on")
        finding.fed_back_on, finding.report_due_on = today, due
        engine_data["report_due_on"] = due.isoformat()
    elif action == "close":
        total, not_closed = open_items(uow, finding.id)
        if total == 0:
            raise Invalid("该问题还没有整改事项，不能办结；请先制定整改措施。", field="action")
        if not_closed:
            raise Invalid(f"还有 {not_closed} 项整改事项未销号，不能办结该问题。", field="action")
    # The version was checked above; the fields set here must not count as someone else's change.
    done = matters.act(uow, principal, FINDING, matter_id, action, version=None, note=note, data=engine_data, tz=tz)
    assert isinstance(done, FindingMatter)
    return done


def state_label(status: str) -> str:
    return FindingState(status).label
