"""The escalation ladder of a supervision listing: its default, its JSON form and its working-day date rules.

Dates: 2024 National Day (1–7 Oct off; Sun 29 Sep and Sat 12 Oct worked) per 国办发明电〔2023〕7号; 2025 Spring
Festival (28 Jan–4 Feb off; Sun 26 Jan and Sat 8 Feb worked) per 国办发明电〔2024〕12号. Both are in the
chinese-calendar data that ``WorkingCalendar.builtin()`` reads.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from zhengwu.core.calendar.model import WorkingCalendar
from zhengwu.core.errors import Invalid
from zhengwu.core.matters.ladder import (
    EscalationStep,
    StepCode,
    default_ladder,
    ladder_json,
    parse_ladder,
    reporting_days,
    step_day,
    working_days_before,
)

CAL = WorkingCalendar.builtin()


def test_the_default_ladder_reminds_one_working_day_before_urges_the_day_after_and_criticises_after_five() -> None:
    assert default_ladder() == (
        EscalationStep(StepCode.REMINDER, "到期提醒", -1),
        EscalationStep(StepCode.URGING, "催办通知", 1),
        EscalationStep(StepCode.CRITICISM, "通报批评", 5),
    )
    assert [s.when for s in default_ladder(remind_before=3, criticise_after=10)] == [-3, 1, 10]


def test_steps_are_dated_in_working_days_across_national_day() -> None:
    deadline = date(2024, 9, 30)  # a Monday, the last working day before the holiday
    days = [step_day(CAL, deadline, s.when) for s in default_ladder()]
    # The reminder falls on the swapped working Sunday 29 Sep; urging on 8 Oct, the first day back; criticism on
    # the 5th working day after the deadline: 8, 9, 10, 11 and the swapped working Saturday 12 Oct.
    assert days == [date(2024, 9, 29), date(2024, 10, 8), date(2024, 10, 12)]


def test_a_deadline_on_a_day_off_is_reminded_the_working_day_before_and_urged_the_next_working_day() -> None:
    deadline = date(2025, 1, 29)  # Spring Festival
    assert step_day(CAL, deadline, -1) == date(2025, 1, 27)  # Monday 27 Jan (26 Jan, a worked Sunday, is before it)
    assert step_day(CAL, deadline, -2) == date(2025, 1, 26)
    assert step_day(CAL, deadline, 1) == date(2025, 2, 5)
    assert step_day(CAL, deadline, 0) == deadline


def test_progress_reports_fall_due_every_n_working_days_and_the_passed_ones_are_missed() -> None:
    missed, upcoming = reporting_days(CAL, date(2024, 9, 27), 2, date(2024, 10, 11))
    assert missed == [date(2024, 9, 30), date(2024, 10, 9)]  # 29 Sep (worked) and 30 Sep; then 8 and 9 Oct
    assert upcoming == date(2024, 10, 11)  # 10 and 11 Oct: due today, not missed yet
    assert reporting_days(CAL, date(2024, 9, 27), 2, date(2024, 9, 30)) == ([], date(2024, 9, 30))


@given(start=st.dates(date(2024, 1, 1), date(2025, 11, 30)), n=st.integers(0, 20))
def test_counting_back_undoes_counting_forward_from_a_working_day(start: date, n: int) -> None:
    day = CAL.next_working_day(start)
    assert working_days_before(CAL, CAL.add_working_days(day, n), n) == day
    assert CAL.working_days_between(working_days_before(CAL, day, n), day) == n


@given(start=st.dates(date(2024, 1, 1), date(2025, 11, 30)), every=st.integers(1, 10), span=st.integers(0, 60))
def test_every_reporting_day_is_a_working_day_every_n_working_days_after_the_last(
    start: date, every: int, span: int
) -> None:
    missed, upcoming = reporting_days(CAL, start, every, start + timedelta(days=span))
    days = [start, *missed, upcoming]
    assert all(CAL.working_days_between(a, b) == every for a, b in pairwise(days))
    assert all(d < start + timedelta(days=span) for d in missed) and upcoming >= start + timedelta(days=span)


def test_a_ladder_survives_its_json_form_and_is_ordered_by_day() -> None:
    ladder = (
        EscalationStep(StepCode.CRITICISM, "全县通报", 10),
        EscalationStep(StepCode.REMINDER, "提前提醒", -3),
        EscalationStep(StepCode.REMINDER, "到期提醒", 0),
        EscalationStep(StepCode.URGING, "催办通知", 1),
    )
    parsed = parse_ladder(ladder_json(ladder))
    assert [s.when for s in parsed] == [-3, 0, 1, 10]
    assert set(parsed) == set(ladder)
    assert parse_ladder(ladder_json(default_ladder())) == default_ladder()
    assert "通报批评" in ladder_json(default_ladder())  # stored readable, not \u-escaped


def test_an_empty_ladder_means_no_escalation_and_a_label_defaults_to_the_step_name() -> None:
    assert parse_ladder("[]") == ()
    assert parse_ladder('[{"code": "urging", "when": 2}]') == (EscalationStep(StepCode.URGING, "催办通知", 2),)


BAD = {
    "not_json": ("[{", "不是有效的 JSON"),
    "not_a_list": ('{"code": "urging", "when": 1}', "应为步骤列表"),
    "not_an_object": ('["urging"]', "第 1 步：应为含 code"),
    "unknown_code": ('[{"code": "warning", "when": 1}]', "类型（code）“warning”无效"),
    "missing_code": ('[{"when": 1}]', "类型（code）“None”无效"),
    "unknown_key": ('[{"code": "urging", "when": 1, "days": 2}]', "含未知项“days”"),
    "when_not_integer": ('[{"code": "urging", "when": "1"}]', "工作日数（when）应为整数"),
    "when_fractional": ('[{"code": "urging", "when": 1.5}]', "工作日数（when）应为整数"),
    "when_boolean": ('[{"code": "urging", "when": true}]', "工作日数（when）应为整数"),
    "when_too_late": ('[{"code": "criticism", "when": 61}]', "应在 -30 到 60 之间"),
    "reminder_after_deadline": ('[{"code": "reminder", "when": 1}]', "到期提醒应在期限当日或之前"),
    "urging_before_deadline": ('[{"code": "urging", "when": 0}]', "催办通知应在期限之后"),
    "criticism_before_deadline": ('[{"code": "criticism", "when": -1}]', "通报批评应在期限之后"),
    "empty_label": ('[{"code": "urging", "when": 1, "label": " "}]', "名称（label）应为 1 到 32 个字"),
    "duplicate": ('[{"code": "urging", "when": 1}, {"code": "urging", "when": 1}]', "第 2 步：与前面的步骤重复"),
    "too_many": (json.dumps([{"code": "criticism", "when": w} for w in range(1, 12)]), "最多 10 步"),
}


@pytest.mark.parametrize(("text", "message"), BAD.values(), ids=BAD.keys())
def test_a_bad_ladder_is_refused_in_chinese_naming_the_field_and_the_step(text: str, message: str) -> None:
    with pytest.raises(Invalid) as refused:
        parse_ladder(text)
    assert refused.value.field == "ladder"
    assert message in refused.value.message
