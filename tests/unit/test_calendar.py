"""The working-day calendar: official arrangements, conventions, unknown years, overrides, and properties.

Reference dates come from the State Council General Office notices on the holiday arrangements:
国办发明电〔2023〕7号 (2024) and 国办发明电〔2024〕12号 (2025).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from zhengwu.core.calendar.model import CalendarYearUnknown, WorkingCalendar

CAL = WorkingCalendar.builtin()


def days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def naive_between(cal: WorkingCalendar, a: date, b: date) -> int:
    """Slow reference: ask is_working_day about every day of (a, b]; negative when b < a."""
    if b < a:
        return -naive_between(cal, b, a)
    return sum(cal.is_working_day(d) for d in days(a + timedelta(days=1), b)) if b > a else 0


# A fictional 2027 arrangement, for tests only (NOT an official notice): 1 January 2027 (a Friday) off, and
# Saturday 9 January 2027 a swapped working day.
FICTIONAL_2027 = {date(2027, 1, 1): False, date(2027, 1, 9): True}


def cal_with_fictional_2027() -> WorkingCalendar:
    return WorkingCalendar.builtin(FICTIONAL_2027, frozenset({2027}))


# ---------------------------------------------------------------- official arrangements


def test_national_day_2024_is_1_to_7_october_with_sunday_29_september_and_saturday_12_october_worked() -> None:
    # 国办发明电〔2023〕7号: 10月1日至7日放假调休，共7天；9月29日（周日）、10月12日（周六）上班。
    assert not any(CAL.is_working_day(d) for d in days(date(2024, 10, 1), date(2024, 10, 7)))
    assert CAL.is_working_day(date(2024, 9, 29))
    assert CAL.is_working_day(date(2024, 10, 12))
    assert CAL.is_working_day(date(2024, 10, 8))


def test_fifth_working_day_after_30_september_2024_is_saturday_12_october() -> None:
    # 国办发明电〔2023〕7号: 8–11 October are ordinary working days and Saturday 12 October is swapped in.
    assert CAL.add_working_days(date(2024, 9, 30), 5) == date(2024, 10, 12)


def test_spring_festival_2024_is_10_to_17_february_with_sundays_4_and_18_february_worked() -> None:
    # 国办发明电〔2023〕7号: 2月10日至17日放假调休，共8天；2月4日（周日）、2月18日（周日）上班。
    assert not any(CAL.is_working_day(d) for d in days(date(2024, 2, 10), date(2024, 2, 17)))
    assert CAL.is_working_day(date(2024, 2, 4))
    assert CAL.is_working_day(date(2024, 2, 18))


def test_spring_festival_2025_is_28_january_to_4_february_with_26_january_and_8_february_worked() -> None:
    # 国办发明电〔2024〕12号: 1月28日（除夕）至2月4日（正月初七）放假调休，共8天；1月26日（周日）、2月8日（周六）上班。
    assert not any(CAL.is_working_day(d) for d in days(date(2025, 1, 28), date(2025, 2, 4)))
    assert CAL.is_working_day(date(2025, 1, 26))
    assert CAL.is_working_day(date(2025, 2, 8))


def test_20_june_to_18_july_2024_spans_20_working_days() -> None:
    # No holiday falls in (20 June, 18 July] 2024 (Dragon Boat Festival was 10 June, 国办发明电〔2023〕7号):
    # 21 June, then four full weeks less 19 July → 1 + 5 + 5 + 5 + 4.
    assert CAL.working_days_between(date(2024, 6, 20), date(2024, 7, 18)) == 20


# ---------------------------------------------------------------- conventions


def test_adding_zero_working_days_returns_the_start_even_on_a_holiday() -> None:
    assert CAL.add_working_days(date(2024, 10, 3), 0) == date(2024, 10, 3)


def test_adding_a_negative_number_of_working_days_is_refused() -> None:
    with pytest.raises(ValueError, match="非负"):
        CAL.add_working_days(date(2024, 9, 30), -1)


def test_between_is_antisymmetric() -> None:
    a, b = date(2024, 9, 20), date(2024, 10, 20)
    assert CAL.working_days_between(b, a) == -CAL.working_days_between(a, b) != 0


def test_between_a_day_and_itself_is_zero_even_in_an_unknown_year() -> None:
    assert CAL.working_days_between(date(2024, 10, 1), date(2024, 10, 1)) == 0
    assert CAL.working_days_between(date(2027, 5, 1), date(2027, 5, 1)) == 0


def test_next_working_day_is_the_day_itself_or_the_first_working_day_after_it() -> None:
    assert CAL.next_working_day(date(2024, 10, 8)) == date(2024, 10, 8)
    assert CAL.next_working_day(date(2024, 10, 1)) == date(2024, 10, 8)


# ---------------------------------------------------------------- unknown years


def test_a_date_in_2027_raises_calendar_year_unknown_naming_2027() -> None:
    with pytest.raises(CalendarYearUnknown, match="2027 年") as info:
        CAL.is_working_day(date(2027, 3, 1))
    assert info.value.year == 2027


def test_a_deadline_running_into_2027_raises_rather_than_guessing_weekends() -> None:
    # 2026-12-25 + 10 would need January 2027, whose arrangement the built-in data does not have.
    with pytest.raises(CalendarYearUnknown, match="2027"):
        CAL.add_working_days(date(2026, 12, 25), 10)
    with pytest.raises(CalendarYearUnknown, match="2027"):
        CAL.working_days_between(date(2026, 12, 25), date(2027, 1, 11))


def test_a_deadline_that_ends_in_december_2026_does_not_need_2027() -> None:
    # 28–31 December 2026 are Monday to Thursday, ordinary working days.
    assert CAL.add_working_days(date(2026, 12, 25), 4) == date(2026, 12, 31)


def test_a_span_starting_on_the_last_day_of_an_unknown_year_needs_only_the_years_it_counts() -> None:
    # (2003-12-31, 2004-01-05] counts only days of 2004: 1 January 2004 (Thursday) off, 2 and 5 January worked.
    assert CAL.working_days_between(date(2003, 12, 31), date(2004, 1, 5)) == 2
    assert CAL.working_days_between(date(2004, 1, 5), date(2003, 12, 31)) == -2
    assert CAL.add_working_days(date(2003, 12, 31), 2) == date(2004, 1, 5)


def test_a_deadline_after_the_last_representable_date_raises_calendar_year_unknown_not_overflow() -> None:
    with pytest.raises(CalendarYearUnknown):
        CAL.add_working_days(date.max, 1)


def test_an_override_in_a_year_that_was_not_declared_imported_does_not_make_that_year_known() -> None:
    cal = WorkingCalendar.builtin(FICTIONAL_2027)  # overrides, but 2027 not among the imported years
    with pytest.raises(CalendarYearUnknown, match="2027"):
        cal.is_working_day(date(2027, 1, 1))


# ---------------------------------------------------------------- imported overrides


def test_an_imported_2027_arrangement_lets_deadlines_cross_from_2026_into_2027() -> None:
    cal = cal_with_fictional_2027()
    # 28–31 Dec 2026 (4), 1 Jan 2027 off (fictional), 4–8 Jan (5), Saturday 9 Jan swapped in (fictional) → 10.
    assert cal.add_working_days(date(2026, 12, 25), 10) == date(2027, 1, 9)
    assert cal.working_days_between(date(2026, 12, 25), date(2027, 1, 9)) == 10
    assert cal.knows(2027) and not cal.knows(2028)


def test_days_of_an_imported_year_that_the_file_does_not_list_follow_the_weekend_rule() -> None:
    cal = cal_with_fictional_2027()
    assert cal.is_working_day(date(2027, 3, 1))  # a Monday
    assert not cal.is_working_day(date(2027, 3, 6))  # a Saturday


def test_overrides_beat_the_built_in_data() -> None:
    # Built in: Saturday 12 October 2024 is a swapped working day and 1 October a holiday (国办发明电〔2023〕7号).
    cal = WorkingCalendar.builtin({date(2024, 10, 12): False, date(2024, 10, 1): True}, frozenset({2024}))
    assert not cal.is_working_day(date(2024, 10, 12))
    assert cal.is_working_day(date(2024, 10, 1))
    # 1 October now counts, then 8–11 October: the fifth working day is Friday 11 October.
    assert cal.add_working_days(date(2024, 9, 30), 5) == date(2024, 10, 11)


def test_a_calendar_copied_with_other_overrides_does_not_reuse_the_original_counts() -> None:
    cal = WorkingCalendar.builtin()
    before = cal.working_days_between(date(2024, 1, 1), date(2024, 12, 31))  # fills the per-year cache
    changed = replace(cal, overrides={date(2024, 12, 31): False}, imported_years=frozenset({2024}))
    assert changed.working_days_between(date(2024, 1, 1), date(2024, 12, 31)) == before - 1
    assert cal.working_days_between(date(2024, 1, 1), date(2024, 12, 31)) == before


def test_spans_of_many_years_agree_with_the_day_by_day_count() -> None:
    a, b = date(2004, 1, 1), date(2026, 12, 31)
    total = CAL.working_days_between(a, b)
    assert total == naive_between(CAL, a, b)
    last = CAL.add_working_days(a, total)  # the last working day of the span
    assert last <= b and CAL.working_days_between(last, b) == 0


# ---------------------------------------------------------------- properties

builtin_dates = st.dates(date(2004, 1, 1), date(2026, 6, 30))
# Spans may start on 31 December 2003: its year is unknown but none of its days is counted.
span_ends = st.dates(date(2003, 12, 31), date(2026, 12, 31))


@given(builtin_dates, st.integers(0, 60))
def test_between_a_day_and_its_nth_working_day_after_is_n(d: date, n: int) -> None:
    assert CAL.working_days_between(d, CAL.add_working_days(d, n)) == n


@given(builtin_dates, st.integers(1, 60))
def test_the_nth_working_day_after_a_day_is_a_working_day(d: date, n: int) -> None:
    assert CAL.is_working_day(CAL.add_working_days(d, n))


@given(builtin_dates, st.integers(1, 60))
def test_the_nth_working_day_is_the_first_day_at_which_n_working_days_have_passed(d: date, n: int) -> None:
    end = CAL.add_working_days(d, n)
    assert CAL.working_days_between(d, end - timedelta(days=1)) == n - 1


@given(span_ends, st.integers(-400, 400))
def test_between_equals_a_day_by_day_count(a: date, offset: int) -> None:
    b = min(max(a + timedelta(days=offset), date(2003, 12, 31)), date(2026, 12, 31))
    assert CAL.working_days_between(a, b) == naive_between(CAL, a, b)


@given(st.dates(date(2026, 9, 1), date(2027, 12, 31)), st.dates(date(2026, 9, 1), date(2027, 12, 31)))
def test_between_equals_a_day_by_day_count_across_an_imported_year(a: date, b: date) -> None:
    cal = cal_with_fictional_2027()
    assert cal.working_days_between(a, b) == naive_between(cal, a, b)


@given(span_ends, span_ends, span_ends)
def test_between_adds_up_over_consecutive_spans(a: date, b: date, c: date) -> None:
    assert CAL.working_days_between(a, b) + CAL.working_days_between(b, c) == CAL.working_days_between(a, c)
