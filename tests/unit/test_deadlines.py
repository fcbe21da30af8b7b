"""Deadline arithmetic of the matters engine (pure): units, pauses, extensions and lights.

Reference dates: 2024 National Day (1–7 Oct off; Sun 29 Sep and Sat 12 Oct worked) per 国办发明电〔2023〕7号;
2025 Spring Festival (28 Jan–4 Feb off; Sun 26 Jan and Sat 8 Feb worked) per 国办发明电〔2024〕12号.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zhengwu.core.calendar.model import WorkingCalendar
from zhengwu.core.matters.deadlines import (
    Span,
    add_working_hours,
    due_at,
    end_of,
    light,
    working_hours_between,
)
from zhengwu.core.matters.model import Light, LimitUnit

TZ = ZoneInfo("Asia/Shanghai")
CAL = WorkingCalendar.builtin()


def t(y: int, m: int, d: int, h: int = 10, minute: int = 0) -> datetime:
    return datetime(y, m, d, h, minute, tzinfo=TZ)


def test_a_saturday_receipt_with_one_working_day_is_due_at_the_end_of_monday() -> None:
    assert due_at(CAL, t(2024, 6, 22), 1, LimitUnit.WORKING_DAYS, TZ) == end_of(date(2024, 6, 24), TZ)


def test_working_days_skip_the_spring_festival_and_count_its_swapped_saturday() -> None:
    # From Friday 24 Jan 2025: Sun 26 Jan (1), Mon 27 (2), then 28 Jan–4 Feb off, Wed 5 (3), Thu 6 (4), Fri 7 (5),
    # Sat 8 Feb (6, a swapped working day).
    assert due_at(CAL, t(2025, 1, 24), 6, LimitUnit.WORKING_DAYS, TZ) == end_of(date(2025, 2, 8), TZ)


def test_natural_days_count_every_day_and_end_at_midnight() -> None:
    assert due_at(CAL, t(2024, 9, 30), 3, LimitUnit.NATURAL_DAYS, TZ) == end_of(date(2024, 10, 3), TZ)


def test_working_hours_skip_lunch_nights_and_holidays() -> None:
    assert add_working_hours(CAL, t(2024, 6, 20, 11, 30), 1, TZ) == t(2024, 6, 20, 13, 30)  # over lunch
    assert add_working_hours(CAL, t(2024, 6, 21, 16, 0), 2, TZ) == t(2024, 6, 24, 10, 0)  # over a weekend
    assert add_working_hours(CAL, t(2024, 6, 20, 7, 0), 2, TZ) == t(2024, 6, 20, 11, 0)  # before office hours
    assert add_working_hours(CAL, t(2024, 9, 30, 16, 0), 2, TZ) == t(2024, 10, 8, 10, 0)  # over National Day


def test_urgent_matters_of_two_hours_fall_due_within_office_time() -> None:
    assert due_at(CAL, t(2024, 6, 20, 16, 30), 2, LimitUnit.WORKING_HOURS, TZ) == t(2024, 6, 21, 10, 30)


def test_a_pause_adds_the_working_days_it_spans() -> None:
    pauses = [Span(t(2024, 6, 18), t(2024, 6, 20))]  # Wednesday 19 and Thursday 20
    assert due_at(CAL, t(2024, 6, 17), 5, LimitUnit.WORKING_DAYS, TZ, pauses) == end_of(date(2024, 6, 26), TZ)


def test_a_pause_over_a_weekend_adds_no_working_day() -> None:
    pauses = [Span(t(2024, 6, 21, 18), t(2024, 6, 23, 20))]  # Friday evening to Sunday
    assert due_at(CAL, t(2024, 6, 17), 5, LimitUnit.WORKING_DAYS, TZ, pauses) == end_of(date(2024, 6, 24), TZ)


def test_a_pause_of_natural_days_adds_its_duration_and_a_running_pause_counts_up_to_now() -> None:
    start = t(2024, 6, 17)
    assert due_at(CAL, start, 3, LimitUnit.NATURAL_DAYS, TZ, [Span(t(2024, 6, 18), t(2024, 6, 19, 12))]) == end_of(
        date(2024, 6, 20), TZ
    ) + timedelta(days=1, hours=2)
    running = [Span(t(2024, 6, 18), None)]
    assert due_at(CAL, start, 3, LimitUnit.NATURAL_DAYS, TZ, running, now=t(2024, 6, 19)) == end_of(
        date(2024, 6, 20), TZ
    ) + timedelta(days=1)


def test_working_hours_paused_inside_office_time_are_given_back() -> None:
    pauses = [Span(t(2024, 6, 20, 9), t(2024, 6, 20, 11))]  # two office hours
    assert due_at(CAL, t(2024, 6, 20, 9), 2, LimitUnit.WORKING_HOURS, TZ, pauses) == t(2024, 6, 20, 14, 0)


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (t(2024, 10, 8), Light.GREEN),
        (t(2024, 10, 11), Light.YELLOW),  # the due date (Saturday 12, worked) is the next working day
        (t(2024, 10, 12, 23), Light.YELLOW),
        (t(2024, 10, 13, 0, 1), Light.RED),
    ],
)
def test_the_light_of_a_working_day_deadline(now: datetime, expected: Light) -> None:
    assert light(CAL, end_of(date(2024, 10, 12), TZ), now, LimitUnit.WORKING_DAYS, 5, TZ) is expected


def test_a_met_or_paused_deadline_has_its_own_light() -> None:
    due = end_of(date(2024, 10, 12), TZ)
    assert light(CAL, due, t(2024, 10, 20), LimitUnit.WORKING_DAYS, 5, TZ, met=True) is Light.DONE
    assert light(CAL, due, t(2024, 10, 20), LimitUnit.WORKING_DAYS, 5, TZ, paused=True) is Light.PAUSED


def test_hour_deadlines_turn_yellow_in_their_last_quarter() -> None:
    due = t(2024, 6, 20, 17)
    assert light(CAL, due, t(2024, 6, 20, 9), LimitUnit.WORKING_HOURS, 8, TZ) is Light.GREEN
    assert light(CAL, due, t(2024, 6, 20, 15), LimitUnit.WORKING_HOURS, 8, TZ) is Light.YELLOW


@settings(max_examples=200, deadline=None)
@given(
    start=st.datetimes(min_value=datetime(2004, 1, 1), max_value=datetime(2026, 6, 1)),
    hours=st.integers(min_value=0, max_value=80),
)
def test_the_office_hours_between_start_and_the_due_instant_are_the_limit(start: datetime, hours: int) -> None:
    begin = start.replace(tzinfo=TZ)
    due = add_working_hours(CAL, begin, hours, TZ)
    assert working_hours_between(CAL, begin, due, TZ) == pytest.approx(hours)


@settings(max_examples=200, deadline=None)
@given(
    start=st.dates(min_value=date(2004, 1, 1), max_value=date(2026, 6, 1)),
    n=st.integers(min_value=0, max_value=40),
    pause_at=st.integers(min_value=0, max_value=30),
    pause_days=st.integers(min_value=0, max_value=20),
)
def test_a_pause_moves_a_working_day_deadline_by_exactly_the_working_days_it_covers(
    start: date, n: int, pause_at: int, pause_days: int
) -> None:
    begin = datetime(start.year, start.month, start.day, 10, tzinfo=TZ)
    ps, pe = begin + timedelta(days=pause_at), begin + timedelta(days=pause_at + pause_days)
    plain = due_at(CAL, begin, n, LimitUnit.WORKING_DAYS, TZ)
    paused = due_at(CAL, begin, n, LimitUnit.WORKING_DAYS, TZ, [Span(ps, pe)])
    assert CAL.working_days_between(plain.date(), paused.date()) == CAL.working_days_between(ps.date(), pe.date())
