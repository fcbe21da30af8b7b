"""The expected completion date of a rectification project: start date is day 0, the duration counts the days
after it (the seed: 2024-06-30 + 20 days → 2024-07-20, "mid-July")."""

from __future__ import annotations

from datetime import date

import pytest

from zhengwu.core.calendar.model import WorkingCalendar
from zhengwu.requests.model import expected_completion


def test_the_seed_start_2024_06_30_plus_20_natural_days_is_2024_07_20() -> None:
    assert expected_completion(date(2024, 6, 30), 20) == date(2024, 7, 20)


def test_one_natural_day_ends_the_day_after_the_start() -> None:
    assert expected_completion(date(2024, 6, 30), 1) == date(2024, 7, 1)


def test_working_days_skip_the_national_day_holiday_and_count_the_swapped_sunday() -> None:
    calendar = WorkingCalendar.builtin()
    assert expected_completion(date(2024, 9, 27), 5, working_days=True, calendar=calendar) == date(2024, 10, 10)


@pytest.mark.parametrize("days", [0, -1])
def test_a_duration_that_is_not_positive_is_refused(days: int) -> None:
    with pytest.raises(ValueError, match="positive"):
        expected_completion(date(2024, 6, 30), days)
