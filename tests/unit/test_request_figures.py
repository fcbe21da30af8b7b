"""The hotline's figures, pure side (zhengwu.requests.figures): rates, counts and periods."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from zhengwu.core.errors import Invalid
from zhengwu.core.matters.stats.model import percent
from zhengwu.requests.figures import Counts, months, period, rate, total

TODAY = date(2024, 6, 20)


def test_a_rate_with_nothing_to_divide_by_is_none_not_nan() -> None:
    assert rate(0, 0) is None
    assert percent(rate(0, 0)) == "—"
    assert Counts().response_rate is None and Counts().satisfaction_rate is None


@given(st.integers(0, 10**6), st.integers(0, 10**6))
def test_a_rate_lies_between_zero_and_one(a: int, b: int) -> None:
    num, den = min(a, b), max(a, b)
    value = rate(num, den)
    assert value is None if den == 0 else 0 <= value <= 1


def test_a_numerator_larger_than_its_denominator_is_a_bug_not_a_rate() -> None:
    with pytest.raises(ValueError):
        rate(3, 2)


def test_percent_rounds_half_up_to_one_decimal_as_reports_do() -> None:
    # 1 ÷ 8 = 12.5 %, 2 ÷ 3 = 66.666… %, 0.12345 → 12.345 % → 12.3 %; 0.99995 → 99.995 % → 100.0 %.
    assert [percent(v) for v in (1 / 8, 2 / 3, 0.12345, 0.99995)] == ["12.5%", "66.7%", "12.3%", "100.0%"]


def test_the_three_rates_divide_the_right_counts() -> None:
    c = Counts(due_for_signing=4, signed_on_time=3, called_back=5, solved=4, satisfied=2)
    assert (c.response_rate, c.resolution_rate, c.satisfaction_rate) == (0.75, 0.8, 0.4)


def test_counts_add_field_by_field() -> None:
    rows = [Counts(1, 1, 1, 1, 1, 1, 1, 1), Counts(2, 0, 3, 1, 0, 0, 0, 2)]
    assert total(rows) == Counts(3, 1, 4, 2, 1, 1, 1, 3)
    assert total([]) == Counts()


def test_a_period_is_a_year_quarter_month_or_range() -> None:
    assert (period(TODAY).start, period(TODAY).end) == (date(2024, 1, 1), date(2024, 12, 31))
    q4 = period(TODAY, year=2023, quarter=4)
    assert (q4.start, q4.end, q4.label) == (date(2023, 10, 1), date(2023, 12, 31), "2023年第4季度")
    feb = period(TODAY, year=2023, month=2)
    assert (feb.start, feb.end, feb.label) == (date(2023, 2, 1), date(2023, 2, 28), "2023年2月")
    one_end = period(TODAY, start=date(2024, 6, 20))
    assert one_end.end == date(2024, 12, 31)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"quarter": 5}, "quarter"),
        ({"month": 13}, "month"),
        ({"year": 1899}, "year"),
        ({"quarter": 1, "month": 2}, "month"),
        ({"year": 2024, "start": date(2024, 1, 1)}, "from"),
        ({"start": date(2024, 2, 1), "end": date(2024, 1, 1)}, "to"),
    ],
)
def test_a_bad_period_names_the_parameter(kwargs: dict[str, object], field: str) -> None:
    with pytest.raises(Invalid) as caught:
        period(TODAY, **kwargs)  # type: ignore[arg-type]
    assert caught.value.field == field


def test_months_cover_a_period_across_a_new_year() -> None:
    assert months(date(2024, 12, 31), date(2025, 1, 1)) == [(2024, 12), (2025, 1)]
    assert len(months(date(2024, 1, 1), date(2024, 12, 31))) == 12
