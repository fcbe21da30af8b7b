"""The inspection system's pure domain: stages, conflicts of interest, the three workflows, sign-off, dates, money.

Reference values cite issue #5 and the seed (湖南日报, 2024, the Changsha story: ../shared/seed/).
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from zhengwu.core.errors import Invalid
from zhengwu.core.matters.model import InvalidTransition, Need, Workflow
from zhengwu.core.org.model import ACTIONS
from zhengwu.inspection import model as m
from zhengwu.inspection.model import (
    SEED_CATEGORIES,
    STAGES,
    RoundType,
    Stage,
    StagePeriod,
    add_months,
    check_timeline,
    completion_rate,
    conflict,
    current_stage,
    lead_due,
    months_as_days,
    rectification_due,
)
from zhengwu.inspection.model.money import FAMILY, MAX_YUAN, Outcome, OutcomeFamily, format_wan, format_yuan, parse_yuan
from zhengwu.inspection.model.workflows import (
    FINDING_WORKFLOW,
    ITEM_WORKFLOW,
    LEAD_WORKFLOW,
    Approval,
    Approver,
    FindingState,
    ItemState,
    LeadState,
    check_approval,
    check_evidence,
    missing_approvals,
    sign_off_complete,
)

D = date

# ----------------------------------------------------------------------------------------------- rounds, stages


def test_round_types_are_the_four_of_the_issue() -> None:
    assert [t.label for t in RoundType] == ["常规巡察", "专项巡察", "提级巡察", "交叉巡察"]


def test_stages_run_from_preparation_to_follow_up_evaluation() -> None:
    assert [s.label for s in STAGES] == ["准备", "进驻", "报告", "反馈", "移交", "整改督促", "督查评估"]


def _round(*ends: tuple[date, date | None]) -> list[StagePeriod]:
    return [StagePeriod(stage, start, end) for stage, (start, end) in zip(STAGES, ends, strict=False)]


FULL = _round(
    (D(2024, 3, 18), D(2024, 4, 7)),
    (D(2024, 4, 8), D(2024, 5, 31)),
    (D(2024, 6, 3), D(2024, 6, 14)),
    (D(2024, 6, 20), D(2024, 6, 20)),
    (D(2024, 6, 21), D(2024, 7, 5)),
    (D(2024, 6, 21), D(2024, 8, 20)),  # overlaps the handover: both follow the feedback
    (D(2024, 11, 1), D(2024, 11, 30)),
)


def test_a_full_timeline_is_accepted_in_stage_order_whatever_order_it_comes_in() -> None:
    assert [p.stage for p in check_timeline(reversed(FULL))] == list(STAGES)


def test_only_the_last_started_stage_may_be_open_ended() -> None:
    assert check_timeline(_round((D(2024, 3, 18), D(2024, 4, 7)), (D(2024, 4, 8), None)))
    with pytest.raises(Invalid, match="请填写“准备”阶段的结束日期") as err:
        check_timeline(_round((D(2024, 3, 18), None), (D(2024, 4, 8), None)))
    assert err.value.field == "preparation_ends_on"


@pytest.mark.parametrize(
    ("periods", "field"),
    [
        ([StagePeriod(Stage.ENTRY, D(2024, 4, 8))], "preparation_starts_on"),  # no stage without the one before
        (_round((D(2024, 3, 18), D(2024, 3, 1))), "preparation_ends_on"),  # ends before it starts
        (_round((D(2024, 3, 18), D(2024, 4, 7)), (D(2024, 3, 17), None)), "entry_starts_on"),  # before the previous
        ([StagePeriod(Stage.PREPARATION, D(2024, 3, 18))] * 2, "preparation_starts_on"),  # twice
    ],
)
def test_a_bad_timeline_is_refused_naming_the_field(periods: list[StagePeriod], field: str) -> None:
    with pytest.raises(Invalid) as err:
        check_timeline(periods)
    assert err.value.field == field


@pytest.mark.parametrize(
    ("day", "stage"),
    [
        (D(2024, 3, 17), None),  # before preparation
        (D(2024, 3, 18), Stage.PREPARATION),
        (D(2024, 5, 31), Stage.ENTRY),  # the seed: the first team was still in entry on 31 May
        (D(2024, 6, 1), Stage.ENTRY),  # a gap counts as the earlier stage
        (D(2024, 6, 21), Stage.RECTIFICATION),  # two stages start together: the later one
        (D(2024, 11, 30), Stage.EVALUATION),
        (D(2024, 12, 1), None),  # done
    ],
)
def test_the_current_stage_is_the_last_one_started(day: date, stage: Stage | None) -> None:
    assert current_stage(FULL, day) == stage


def test_an_open_ended_follow_up_evaluation_is_current_for_ever() -> None:
    periods = [*FULL[:-1], StagePeriod(Stage.EVALUATION, D(2024, 11, 1))]
    assert current_stage(periods, D(2030, 1, 1)) is Stage.EVALUATION


# ------------------------------------------------------------------------------------------- conflicts (回避)


def test_a_cadre_may_not_inspect_their_own_unit() -> None:
    assert conflict("/1/5/9/", [], 9, "/1/5/9/") == "不得巡察本人所在单位。"


def test_a_cadre_may_not_inspect_a_unit_above_or_below_their_own() -> None:
    assert "上级单位" in (conflict("/1/5/9/", [], 5, "/1/5/") or "")
    assert "下级单位" in (conflict("/1/5/", [], 12, "/1/5/9/12/") or "")


def test_a_declared_conflict_covers_that_unit_only() -> None:
    assert "已申报" in (conflict("/1/3/", [5], 5, "/1/5/") or "")
    assert conflict("/1/3/", [5], 9, "/1/5/9/") is None


def test_a_cadre_may_inspect_a_sibling_or_cousin_unit() -> None:
    assert conflict("/1/3/", [], 5, "/1/5/") is None
    assert conflict("/1/3/7/", [], 9, "/1/5/9/") is None


def test_paths_sharing_a_prefix_of_digits_are_not_related() -> None:
    assert conflict("/1/5/", [], 55, "/1/55/") is None


def test_a_target_id_that_does_not_end_its_path_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="does not end"):
        conflict("/1/3/", [], 5, "/1/6/")


_paths = st.lists(st.integers(1, 6), min_size=1, max_size=4).map(lambda ids: "/" + "".join(f"{i}/" for i in ids))


@given(_paths, _paths)
def test_without_declarations_a_conflict_is_exactly_being_on_one_line_of_the_tree(cadre: str, target: str) -> None:
    related = cadre.startswith(target) or target.startswith(cadre)
    assert (conflict(cadre, [], m.path_ids(target)[-1], target) is not None) == related


# ------------------------------------------------------------------------------------------------ findings


def test_finding_categories_seed_the_kinds_named_in_the_issue() -> None:
    codes = [code for code, _ in SEED_CATEGORIES]
    assert len(codes) == len(set(codes))
    assert {"political", "organisational", "conduct", "discipline"} <= set(codes)


def _walk(workflow: Workflow, path: list[tuple[str, str, str]]) -> None:
    for source, action, target in path:
        assert workflow.step(source, action).target == target


def test_a_finding_goes_from_draft_to_closed() -> None:
    f = FindingState
    _walk(
        FINDING_WORKFLOW,
        [
            (f.DRAFTED, "approve_paper", f.PAPER_APPROVED),
            (f.PAPER_APPROVED, "feed_back", f.FED_BACK),
            (f.FED_BACK, "start_rectification", f.RECTIFYING),
            (f.RECTIFYING, "close", f.CLOSED),
            (f.CLOSED, "reopen", f.RECTIFYING),  # the follow-up evaluation finds it did not hold
        ],
    )
    assert FINDING_WORKFLOW.is_closed(f.WITHDRAWN) and not FINDING_WORKFLOW.is_resolved(f.WITHDRAWN)


def test_immediate_rectification_is_ordered_on_an_approved_paper_and_closes_with_evidence() -> None:
    f = FindingState
    step = FINDING_WORKFLOW.step(f.IMMEDIATE, "complete_immediate")
    assert step.target == f.CLOSED and Need.ATTACHMENT in step.needs
    assert FINDING_WORKFLOW.step(f.PAPER_APPROVED, "order_immediate").target == f.IMMEDIATE
    assert FINDING_WORKFLOW.step(f.IMMEDIATE, "feed_back").target == f.FED_BACK  # not done before the team left
    with pytest.raises(InvalidTransition):
        FINDING_WORKFLOW.step(f.DRAFTED, "order_immediate")


@pytest.mark.parametrize(
    ("state", "action"),
    [(FindingState.DRAFTED, "feed_back"), (FindingState.FED_BACK, "close"), (FindingState.WITHDRAWN, "reopen")],
)
def test_a_finding_refuses_steps_out_of_order(state: str, action: str) -> None:
    with pytest.raises(InvalidTransition):
        FINDING_WORKFLOW.step(state, action)


# ---------------------------------------------------------------------------------------------------- leads


def test_a_lead_is_handed_over_received_fed_back_and_closed() -> None:
    s = LeadState
    _walk(
        LEAD_WORKFLOW,
        [
            (s.HANDED_OVER, "receive", s.RECEIVED),
            (s.RECEIVED, "feed_back", s.FED_BACK),
            (s.FED_BACK, "close", s.CLOSED),
        ],
    )
    assert LEAD_WORKFLOW.step(s.RECEIVED, "feed_back").fields == ("disposal",)


def test_a_lead_is_due_six_calendar_months_after_handover() -> None:  # issue #5: "deadline (default 6 months)"
    assert lead_due(D(2024, 6, 21)) == D(2024, 12, 21)
    assert lead_due(D(2024, 8, 31)) == D(2025, 2, 28)


def test_leads_have_their_own_grants_apart_from_the_general_view() -> None:
    assert {m.LEAD_VIEW, m.LEAD_MANAGE, m.LEAD_RECEIVE}.isdisjoint({m.VIEW})
    assert {s.grant for s in LEAD_WORKFLOW.steps} <= {m.LEAD_MANAGE, m.LEAD_RECEIVE}


# --------------------------------------------------------------------------------- rectification items, 销号

IS = ItemState


@pytest.mark.parametrize(
    ("first", "second", "middle"),
    [
        ("approve_as_head", "approve_as_supervisor", IS.HEAD_APPROVED),
        ("approve_as_supervisor", "approve_as_head", IS.SUPERVISOR_APPROVED),
    ],
)
def test_an_item_closes_after_verification_and_both_approvals_in_either_order(
    first: str, second: str, middle: str
) -> None:
    _walk(
        ITEM_WORKFLOW,
        [
            (IS.RECTIFYING, "submit", IS.SUBMITTED),
            (IS.SUBMITTED, "verify", IS.VERIFIED),
            (IS.VERIFIED, first, middle),
            (middle, second, IS.CLOSED),
        ],
    )
    assert not ITEM_WORKFLOW.is_closed(middle)


def test_one_approval_cannot_be_given_twice_nor_before_verification() -> None:
    for state, action in [
        (IS.HEAD_APPROVED, "approve_as_head"),
        (IS.SUPERVISOR_APPROVED, "approve_as_supervisor"),
        (IS.SUBMITTED, "approve_as_head"),
        (IS.RECTIFYING, "verify"),
    ]:
        with pytest.raises(InvalidTransition):
            ITEM_WORKFLOW.step(state, action)


def test_submitting_an_item_needs_evidence() -> None:
    assert Need.ATTACHMENT in ITEM_WORKFLOW.step(IS.RECTIFYING, "submit").needs
    with pytest.raises(Invalid, match="佐证材料") as err:
        check_evidence(0)
    assert err.value.field == "attachments"  # the name the engine gives Need.ATTACHMENT
    check_evidence(1)


@pytest.mark.parametrize("state", [IS.SUBMITTED, IS.VERIFIED, IS.HEAD_APPROVED, IS.SUPERVISOR_APPROVED])
def test_an_item_awaiting_verification_or_approval_can_be_sent_back_with_a_reason(state: str) -> None:
    step = ITEM_WORKFLOW.step(state, "send_back")
    assert step.target == IS.RECTIFYING and step.grant == m.ITEM_SEND_BACK and Need.NOTE in step.needs


@pytest.mark.parametrize("state", [IS.RECTIFYING, IS.CLOSED])
def test_an_item_being_rectified_or_signed_off_cannot_be_sent_back(state: str) -> None:
    with pytest.raises(InvalidTransition):
        ITEM_WORKFLOW.step(state, "send_back")


def test_each_approval_needs_its_own_grant() -> None:
    head = {s.grant for s in ITEM_WORKFLOW.steps if s.code == "approve_as_head"}
    supervisor = {s.grant for s in ITEM_WORKFLOW.steps if s.code == "approve_as_supervisor"}
    assert head == {m.ITEM_APPROVE_HEAD} and supervisor == {m.ITEM_APPROVE_SUPERVISOR}


def test_sign_off_is_complete_only_with_both_approvals_of_the_current_cycle() -> None:
    head, supervisor = Approval(Approver.HEAD, 7, 0), Approval(Approver.SUPERVISOR, 8, 0)
    assert not sign_off_complete([], 0)
    assert missing_approvals([head], 0) == (Approver.SUPERVISOR,)
    assert sign_off_complete([head, supervisor], 0)
    # sent back once: the earlier approvals no longer count
    assert missing_approvals([head, supervisor, Approval(Approver.HEAD, 7, 1)], 1) == (Approver.SUPERVISOR,)


def test_an_approval_twice_in_one_role_or_by_one_person_in_both_is_refused() -> None:
    given_ = [Approval(Approver.HEAD, 7, 0)]
    with pytest.raises(Invalid, match="不能重复审批") as err:
        check_approval(given_, Approval(Approver.HEAD, 9, 0))
    assert err.value.field == "approver"
    with pytest.raises(Invalid, match="同一人"):
        check_approval(given_, Approval(Approver.SUPERVISOR, 7, 0))
    check_approval(given_, Approval(Approver.SUPERVISOR, 8, 0))
    check_approval(given_, Approval(Approver.HEAD, 7, 1))  # a new cycle after a send-back


# ------------------------------------------------------------------------------------------------ dates


@pytest.mark.parametrize(
    ("fed_back", "due"),
    [
        (D(2024, 6, 20), D(2024, 8, 20)),  # issue #5: the report is due 2 months after feedback
        (D(2024, 12, 31), D(2025, 2, 28)),  # clamped to the end of February
        (D(2023, 12, 31), D(2024, 2, 29)),  # leap year
        (D(2024, 11, 15), D(2025, 1, 15)),  # over the year's end
    ],
)
def test_the_rectification_report_is_due_two_calendar_months_after_feedback(fed_back: date, due: date) -> None:
    assert rectification_due(fed_back) == due


@given(st.dates(D(2000, 1, 1), D(2099, 12, 31)), st.integers(0, 36))
def test_adding_months_keeps_the_day_or_clamps_to_the_months_end(day: date, months: int) -> None:
    later = add_months(day, months)
    assert (later.year * 12 + later.month) - (day.year * 12 + day.month) == months
    assert later.day == day.day or (later.day < day.day and (later + timedelta(days=1)).day == 1)
    assert months_as_days(day, months) == (later - day).days


def test_every_limit_counted_in_months_exists() -> None:
    from zhengwu.inspection.model.workflows import FINDING_LIMITS, ITEM_LIMITS, LEAD_LIMITS, MONTH_LIMITS

    codes = {lim.code for lim in (*FINDING_LIMITS, *LEAD_LIMITS, *ITEM_LIMITS)}
    assert set(MONTH_LIMITS) <= codes


# ------------------------------------------------------------------------------------------------ access


def test_every_step_needs_a_registered_inspection_action() -> None:
    grants = {s.grant for wf in (FINDING_WORKFLOW, LEAD_WORKFLOW, ITEM_WORKFLOW) for s in wf.steps}
    assert all(g.startswith("inspection.") and g in ACTIONS for g in grants)
    assert all(ACTIONS[g] for g in grants)


# ---------------------------------------------------------------------------------- accountability, money


def test_the_seeds_outcomes_are_organisational_actions() -> None:  # seed: 1 removed, 4 admonished, 29 criticised
    for outcome in (Outcome.REMOVAL, Outcome.ADMONISHMENT, Outcome.CRITICISM):
        assert FAMILY[outcome] is OutcomeFamily.ORGANISATIONAL
    assert FAMILY[Outcome.SANCTION] is OutcomeFamily.DISCIPLINARY
    assert set(FAMILY) == set(Outcome)


@pytest.mark.parametrize(
    ("text", "yuan"),
    [
        ("223.04万", "2230400.00"),  # seed: 退缴资金 223.04 万元
        ("223.04万元", "2230400.00"),
        ("2230400", "2230400.00"),
        ("2,230,400.00", "2230400.00"),
        ("191.62万元", "1916200.00"),  # seed: 追回 191.62 万元
        ("¥1,916,200元", "1916200.00"),
        ("0", "0.00"),
        ("0.5", "0.50"),
        ("1.5亿", "150000000.00"),
        (" 12.30 ", "12.30"),
    ],
)
def test_amounts_are_read_as_clerks_write_them(text: str, yuan: str) -> None:
    assert parse_yuan(text) == Decimal(yuan)
    assert str(parse_yuan(text)) == yuan


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("", "请填写"),
        ("12.345", "两位小数"),
        ("1.2345678万", "两位小数"),  # 12,345.678 元
        ("-5", "负数"),
        ("-0.01万", "负数"),
        ("1000000000000", "过大"),
        ("10000亿", "过大"),
        ("1e5", "格式不对"),
        ("12,34", "格式不对"),
        ("１２３", "格式不对"),  # full-width digits
        ("NaN", "格式不对"),
        ("三百元", "格式不对"),
        (Decimal("NaN"), "有效数字"),
        (Decimal("-1"), "负数"),
        (True, "数字"),
    ],
)
def test_bad_amounts_are_refused_naming_the_field(value: str | Decimal, message: str) -> None:
    with pytest.raises(Invalid, match=message) as err:
        parse_yuan(value, field="returned_yuan", label="退缴金额")
    assert err.value.field == "returned_yuan"
    assert "退缴金额" in err.value.message


def test_the_cap_is_just_below_one_trillion_yuan() -> None:
    assert parse_yuan("999,999,999,999.99") == MAX_YUAN - Decimal("0.01")


def test_numbers_are_taken_as_they_are() -> None:
    assert parse_yuan(2230400) == Decimal("2230400.00")
    assert parse_yuan(Decimal("223.1")) == Decimal("223.10")


@given(st.integers(0, 10**14 - 1))
def test_formatted_yuan_reads_back_to_the_same_amount(cents: int) -> None:
    amount = Decimal(cents).scaleb(-2)
    assert parse_yuan(format_yuan(amount)) == amount


def test_amounts_are_shown_in_wan_yuan_as_the_seed_writes_them() -> None:
    assert format_wan(parse_yuan("2230400")) == "223.04万元"
    assert format_wan(parse_yuan("1916200")) == "191.62万元"


# ----------------------------------------------------------------------------------------------- figures


def test_the_parks_list_completion_rate_from_the_seed() -> None:  # seed: 1,539 problems found, 1,499 completed
    rate = completion_rate(1499, 1539)
    assert rate == pytest.approx(0.97401, abs=1e-5)


def test_a_rate_over_nothing_is_none_never_nan() -> None:
    assert completion_rate(0, 0) is None
    assert completion_rate(0, 1417) == 0.0  # seed: 1,417 villages and communities planned, none covered yet


@pytest.mark.parametrize(("done", "total"), [(-1, 5), (6, 5), (0, -1)])
def test_an_impossible_rate_is_a_programming_error(done: int, total: int) -> None:
    with pytest.raises(ValueError, match="completion rate"):
        completion_rate(done, total)
