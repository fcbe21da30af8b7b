"""Pure domain of inspection (巡察): access actions, rounds and their stages, teams and conflicts of interest
(回避), the finding categories' seed, the date rules and the figures' rates. The workflows of findings, leads and
rectification items are in :mod:`zhengwu.inspection.model.workflows`, accountability and money in
:mod:`zhengwu.inspection.model.money`.

Dates: the rectification report is due 2 calendar months after feedback, a lead's feedback 6 calendar months after
handover (:func:`add_months`: same day of the month, clamped to the month's last day).
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from zhengwu.core.errors import Invalid
from zhengwu.core.labels import LabelledEnum
from zhengwu.core.org.model import register_action

VIEW = register_action("inspection.view", "查看巡察工作")
ROUND_MANAGE = register_action("inspection.round.manage", "维护巡察规划、轮次与巡察组")
CADRE_MANAGE = register_action("inspection.cadre.manage", "维护巡察人才库与干部抽调")
CATEGORY_MANAGE = register_action("inspection.category.manage", "维护巡察问题分类")
FINDING_MANAGE = register_action("inspection.finding.manage", "登记、反馈巡察发现问题")
FINDING_APPROVE = register_action("inspection.finding.approve", "审批问题底稿")
RECTIFY = register_action("inspection.rectify", "填报整改措施与佐证材料")
ITEM_VERIFY = register_action("inspection.item.verify", "核实整改事项（巡察办）")
ITEM_APPROVE_HEAD = register_action("inspection.item.approve_head", "整改销号审批（被巡察党组织主要负责人）")
ITEM_APPROVE_SUPERVISOR = register_action("inspection.item.approve_supervisor", "整改销号审批（督导领导）")
ITEM_SEND_BACK = register_action("inspection.item.send_back", "退回重新整改")
LEAD_VIEW = register_action("inspection.lead.view", "查看问题线索（保密）")
LEAD_MANAGE = register_action("inspection.lead.manage", "移交问题线索")
LEAD_RECEIVE = register_action("inspection.lead.receive", "接收并反馈问题线索")
ACCOUNTABILITY_MANAGE = register_action("inspection.accountability.manage", "登记问责处理与资金退缴追回")

# ----------------------------------------------------------------------------------------------- rounds, stages


class RoundType(LabelledEnum):
    REGULAR = "regular", "常规巡察"
    SPECIAL = "special", "专项巡察"
    ELEVATED = "elevated", "提级巡察"
    CROSS = "cross", "交叉巡察"


class Stage(LabelledEnum):
    """The stages of a round, in order."""

    PREPARATION = "preparation", "准备"
    ENTRY = "entry", "进驻"
    REPORT = "report", "报告"
    FEEDBACK = "feedback", "反馈"
    HANDOVER = "handover", "移交"
    RECTIFICATION = "rectification", "整改督促"
    EVALUATION = "evaluation", "督查评估"


STAGES: tuple[Stage, ...] = tuple(Stage)


@dataclass(frozen=True)
class StagePeriod:
    """One dated stage of a round; ``ends_on`` None: still going on."""

    stage: Stage
    starts_on: date
    ends_on: date | None = None


def check_timeline(periods: Iterable[StagePeriod]) -> tuple[StagePeriod, ...]:
    """The stages of a round in order, after checking them; bad dates raise ``Invalid`` naming the form field
    ``<stage>_starts_on`` or ``<stage>_ends_on``.

    Rules: each stage at most once; the stages started form a prefix of :data:`STAGES` (no stage without the one
    before it); a stage ends on or after it starts and starts on or after the previous stage started (stages may
    overlap: handover and rectification supervision run side by side after feedback); only the last stage started
    may be open-ended.

    >>> p = check_timeline([StagePeriod(Stage.ENTRY, date(2024, 4, 8)),
    ...                     StagePeriod(Stage.PREPARATION, date(2024, 3, 18), date(2024, 4, 7))])
    >>> [s.stage.value for s in p]
    ['preparation', 'entry']
    >>> check_timeline([StagePeriod(Stage.ENTRY, date(2024, 4, 8))])
    Traceback (most recent call last):
    ...
    zhengwu.core.errors.Invalid: 填写“进驻”阶段前须先填写“准备”阶段。
    """
    by_stage: dict[Stage, StagePeriod] = {}
    for given in periods:
        if given.stage in by_stage:
            raise Invalid(f"“{given.stage.label}”阶段重复填写。", field=f"{given.stage.value}_starts_on")
        by_stage[given.stage] = given
    ordered: list[StagePeriod] = []
    for stage in STAGES:
        p = by_stage.get(stage)
        if p is None:
            later = next((s for s in STAGES[STAGES.index(stage) + 1 :] if s in by_stage), None)
            if later is not None:
                raise Invalid(
                    f"填写“{later.label}”阶段前须先填写“{stage.label}”阶段。", field=f"{stage.value}_starts_on"
                )
            break
        if p.ends_on is not None and p.ends_on < p.starts_on:
            raise Invalid(f"“{stage.label}”阶段的结束日期不能早于开始日期。", field=f"{stage.value}_ends_on")
        if ordered:
            before = ordered[-1]
            if p.starts_on < before.starts_on:
                raise Invalid(
                    f"“{stage.label}”阶段不能早于“{before.stage.label}”阶段开始。", field=f"{stage.value}_starts_on"
                )
            if before.ends_on is None:
                raise Invalid(
                    f"“{stage.label}”阶段已开始，请填写“{before.stage.label}”阶段的结束日期。",
                    field=f"{before.stage.value}_ends_on",
                )
        ordered.append(p)
    return tuple(ordered)


def current_stage(periods: Iterable[StagePeriod], day: date) -> Stage | None:
    """The stage a round is in on ``day``: the last stage started on or before it (a gap between two stages counts
    as the earlier one). None before the round's preparation starts and after its follow-up evaluation has ended.

    >>> p = [StagePeriod(Stage.PREPARATION, date(2024, 3, 18), date(2024, 4, 7)),
    ...      StagePeriod(Stage.ENTRY, date(2024, 4, 8), date(2024, 5, 31))]
    >>> current_stage(p, date(2024, 3, 1)), current_stage(p, date(2024, 5, 31)), current_stage(p, date(2024, 6, 5))
    (None, <Stage.ENTRY: 'entry'>, <Stage.ENTRY: 'entry'>)
    """
    current: StagePeriod | None = None
    for p in check_timeline(periods):
        if p.starts_on <= day:
            current = p
    if current is None:
        return None
    if current.stage is Stage.EVALUATION and current.ends_on is not None and day > current.ends_on:
        return None
    return current.stage


# ------------------------------------------------------------------------------------------- teams, conflicts


class TeamRole(LabelledEnum):
    LEADER = "leader", "组长"
    DEPUTY = "deputy", "副组长"
    MEMBER = "member", "组员"


class Specialty(LabelledEnum):
    """What a cadre of the talent pool is good at."""

    DISCIPLINE = "discipline", "纪检监察"
    ORGANISATION = "organisation", "组织人事"
    AUDIT = "audit", "审计"
    FINANCE = "finance", "财务"
    PROPAGANDA = "propaganda", "宣传"
    LAW = "law", "法律"
    OTHER = "other", "其他"


def path_ids(path: str) -> tuple[int, ...]:
    """The unit ids of a materialised path, root first.

    >>> path_ids("/1/5/9/")
    (1, 5, 9)
    """
    parts = path.strip("/").split("/")
    if not path.startswith("/") or not path.endswith("/") or not all(p.isdigit() for p in parts):
        raise ValueError(f"not a unit path: {path!r}")
    return tuple(int(p) for p in parts)


def conflict(
    cadre_unit_path: str, declared_conflict_unit_ids: Iterable[int], target_unit_id: int, target_unit_path: str
) -> str | None:
    """Why a cadre of the unit at ``cadre_unit_path`` may not inspect the target (回避), or None if they may.

    A cadre may not inspect their own unit, a unit above it (that leads their unit) or below it (that their unit
    leads), nor a unit they declared a conflict with (that unit only, not its subtree). Record cadres on the unit
    they actually work in: one recorded on a whole jurisdiction (e.g. 长沙市) conflicts with everything below it.

    >>> conflict("/1/5/9/", [], 9, "/1/5/9/")
    '不得巡察本人所在单位。'
    >>> conflict("/1/5/9/", [], 5, "/1/5/"), conflict("/1/5/", [], 9, "/1/5/9/")
    ('被巡察单位是本人所在单位的上级单位，应当回避。', '被巡察单位是本人所在单位的下级单位，应当回避。')
    >>> conflict("/1/3/", [7], 7, "/1/5/7/"), conflict("/1/3/", [7], 9, "/1/5/9/")
    ('本人已申报与该单位存在利害关系，应当回避。', None)
    """
    own, target = path_ids(cadre_unit_path), path_ids(target_unit_path)
    if target[-1] != target_unit_id:
        raise ValueError(f"unit {target_unit_id} does not end the path {target_unit_path!r}")
    if own == target:
        return "不得巡察本人所在单位。"
    if target_unit_id in set(declared_conflict_unit_ids):
        return "本人已申报与该单位存在利害关系，应当回避。"
    if own[: len(target)] == target:
        return "被巡察单位是本人所在单位的上级单位，应当回避。"
    if target[: len(own)] == own:
        return "被巡察单位是本人所在单位的下级单位，应当回避。"
    return None


class Evaluation(LabelledEnum):
    """How a seconded cadre was evaluated at the end of a round."""

    EXCELLENT = "excellent", "优秀"
    COMPETENT = "competent", "称职"
    BASIC = "basic", "基本称职"
    INCOMPETENT = "incompetent", "不称职"


#: A secondment counts as followed by a promotion when the cadre was promoted within this many days of the round's
#: end (one year).
PROMOTION_WINDOW_DAYS = 365


# ------------------------------------------------------------------------------------ responsibility list


class Progress(LabelledEnum):
    """Where an organisation stands on one item of the responsibility list (主体责任清单)."""

    PENDING = "pending", "待确认"
    CONFIRMED = "confirmed", "已确认"
    IN_PROGRESS = "in_progress", "落实中"
    DONE = "done", "已落实"


class SubjectKind(LabelledEnum):
    """Who an accountability outcome concerns."""

    PERSON = "person", "个人"
    UNIT = "unit", "单位"


# ------------------------------------------------------------------------------------------------- findings

#: Seed of the editable finding categories: code, Chinese name.
SEED_CATEGORIES: tuple[tuple[str, str], ...] = (
    ("political", "政治建设"),
    ("ideological", "思想建设"),
    ("organisational", "组织建设"),
    ("conduct", "作风建设"),
    ("discipline", "纪律建设"),
    ("integrity", "党风廉政建设和反腐败工作"),
    ("livelihood", "群众身边不正之风和腐败问题"),
    ("rectification", "巡视巡察、审计等整改落实"),
    ("other", "其他"),
)


# ------------------------------------------------------------------------------------------------ dates

#: Calendar months from feedback to the rectification report, and from handover to a lead's feedback.
RECTIFICATION_MONTHS = 2
LEAD_MONTHS = 6


def add_months(day: date, months: int) -> date:
    """The same day ``months`` calendar months later, clamped to the last day of a shorter month.

    >>> add_months(date(2024, 5, 31), 2), add_months(date(2024, 12, 31), 2), add_months(date(2023, 12, 31), 2)
    (datetime.date(2024, 7, 31), datetime.date(2025, 2, 28), datetime.date(2024, 2, 29))
    """
    if months < 0:
        raise ValueError("months must not be negative")
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def rectification_due(fed_back_on: date) -> date:
    """The default due date of the rectification report (and of its items): 2 calendar months after feedback.

    >>> rectification_due(date(2024, 6, 30)), rectification_due(date(2024, 8, 31))
    (datetime.date(2024, 8, 30), datetime.date(2024, 10, 31))
    """
    return add_months(fed_back_on, RECTIFICATION_MONTHS)


def lead_due(handed_over_on: date) -> date:
    """The default feedback deadline of a lead: 6 calendar months after handover.

    >>> lead_due(date(2024, 8, 31))
    datetime.date(2025, 2, 28)
    """
    return add_months(handed_over_on, LEAD_MONTHS)


def months_as_days(start: date, months: int) -> int:
    """The natural days from ``start`` to the same day ``months`` later: the amount a ``limit_for`` hook gives the
    engine, which makes a natural-day limit fall due at the end of that day.

    >>> months_as_days(date(2024, 12, 31), 2), months_as_days(date(2024, 6, 30), 2)
    (59, 61)
    """
    return (add_months(start, months) - start).days


# --------------------------------------------------------------------------------------------------- figures


def completion_rate(completed: int, total: int) -> float | None:
    """``completed ÷ total`` (also plan coverage: inspected ÷ planned); None when ``total`` is 0, never NaN.

    Seed (湖南日报, 2024, the parks' common-problem list): 1,499 of 1,539 problems completed → 97.4 %.

    >>> round(completion_rate(1499, 1539) * 100, 1), completion_rate(0, 0)
    (97.4, None)
    """
    if completed < 0 or total < 0 or completed > total:
        raise ValueError(f"a completion rate needs 0 ≤ completed ≤ total, got {completed}/{total}")
    return completed / total if total else None
