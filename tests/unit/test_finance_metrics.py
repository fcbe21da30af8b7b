"""XIRR and WAL on ACT/365F (``zhengwu.finance.metrics`` of issue #7) against Microsoft's published XIRR example and
invariants, and the waterfall's vectorised tranche IRR and WAL: equal to XIRR on 365-day years, −100 % for a tranche
paid nothing, never NaN.
"""

from __future__ import annotations

import math
from datetime import date, timedelta

import numpy as np
import pytest

from zhengwu.core.errors import Invalid
from zhengwu.finance import metrics
from zhengwu.finance.model.waterfall_metrics import annual_irr, period_irr_log, wal_years

# Microsoft Support, "XIRR function" (Excel), the example table: =XIRR(A3:A7, B3:B7, 0.1) returns 0.373362535.
MS_DATES = [date(2008, 1, 1), date(2008, 3, 1), date(2008, 10, 30), date(2009, 2, 15), date(2009, 4, 1)]
MS_AMOUNTS = [-10000.0, 2750.0, 4250.0, 3250.0, 2750.0]


def _npv(rate: float, dates: list[date], amounts: list[float]) -> float:
    return math.fsum(a / (1 + rate) ** ((d - dates[0]).days / 365) for d, a in zip(dates, amounts, strict=True))


def test_xirr_reproduces_microsofts_published_example() -> None:
    # Excel iterates to 0.000001 %: its 0.373362535 and the exact root agree to 1e-8.
    assert metrics.xirr(MS_DATES, MS_AMOUNTS) == pytest.approx(0.373362535, abs=1e-8)


def test_the_npv_at_the_xirr_is_zero_whatever_the_order_of_the_flows() -> None:
    rate = metrics.xirr(MS_DATES, MS_AMOUNTS)
    assert _npv(rate, MS_DATES, MS_AMOUNTS) == pytest.approx(0.0, abs=1e-8)
    order = [0, 3, 1, 4, 2]  # dates in any order after the first (Excel's rule)
    assert metrics.xirr([MS_DATES[k] for k in order], [MS_AMOUNTS[k] for k in order]) == pytest.approx(rate, rel=1e-12)


def test_xirr_of_one_year_on_act_365f() -> None:
    # 365 days apart is one year on ACT/365F: −100 then 110 is 10 %; a leap year's 366 days are 366/365 of a year.
    assert metrics.xirr([date(2023, 1, 1), date(2024, 1, 1)], [-100, 110]) == pytest.approx(0.10, rel=1e-12)
    leap = metrics.xirr([date(2024, 1, 1), date(2025, 1, 1)], [-100, 110])
    assert leap == pytest.approx(1.1 ** (365 / 366) - 1, rel=1e-12)


def test_xirr_finds_negative_and_very_high_rates() -> None:
    assert metrics.xirr([date(2023, 1, 1), date(2024, 1, 1)], [-100, 40]) == pytest.approx(-0.6, rel=1e-12)
    assert metrics.xirr([date(2023, 1, 1), date(2024, 1, 1)], [-1, 5000]) == pytest.approx(4999, rel=1e-10)


@pytest.mark.parametrize(
    ("dates", "amounts", "field"),
    [
        ([date(2023, 1, 1), date(2024, 1, 1)], [100, 50], "amounts"),  # no sign change
        ([date(2023, 1, 1), date(2024, 1, 1)], [-100, 0], "amounts"),
        ([date(2023, 1, 1)], [-100, 110], "dates"),  # lengths differ
        ([], [], "amounts"),
        ([date(2023, 1, 1), date(2024, 1, 1)], [-100, math.nan], "amounts[1]"),
        ([date(2023, 1, 1), date(2024, 1, 1)], [-100, True], "amounts[1]"),
        ([date(2023, 1, 1), "2024-01-01"], [-100, 110], "dates[1]"),
    ],
)
def test_xirr_refuses_flows_without_an_answer_in_chinese(dates: list[date], amounts: list[float], field: str) -> None:
    with pytest.raises(Invalid) as caught:
        metrics.xirr(dates, amounts)
    assert caught.value.field == field


def test_xirr_refuses_flows_whose_equation_has_no_root() -> None:
    # 100 − 300 / (1 + r)^1 + 300 / (1 + r)^2 > 0 for every r > −1 (its discriminant is negative).
    days = [date(2023, 1, 1), date(2024, 1, 1), date(2025, 1, 1)]
    with pytest.raises(Invalid, match="无解"):
        metrics.xirr(days, [100, -300, 300])


def test_wal_worked_by_hand() -> None:
    # 2024 is a leap year: 366 days to 2025-01-01, 731 to 2026-01-01; (366 · 50 + 731 · 50) / 100 / 365 years.
    start = date(2024, 1, 1)
    assert metrics.wal(start, [date(2025, 1, 1), date(2026, 1, 1)], [50, 50]) == pytest.approx(548.5 / 365)
    assert metrics.wal(start, [start + timedelta(days=365)], [7]) == 1.0


@pytest.mark.parametrize(
    ("dates", "amounts", "field"),
    [
        ([date(2023, 12, 31)], [10], "dates[0]"),  # before the start
        ([date(2025, 1, 1)], [-10], "amounts[0]"),
        ([date(2025, 1, 1)], [0], "amounts"),
    ],
)
def test_wal_refuses_bad_flows(dates: list[date], amounts: list[float], field: str) -> None:
    with pytest.raises(Invalid) as caught:
        metrics.wal(date(2024, 1, 1), dates, amounts)
    assert caught.value.field == field


# ----------------------------------------------------------------------------------------------- the waterfall's


def test_the_tranche_irr_equals_xirr_on_365_day_years() -> None:
    # With one period a year and flows on 365-day anniversaries (2021–2023 have no 29 February), the waterfall's
    # period IRR and XIRR solve the same equation.
    rng = np.random.default_rng(7)
    flows = rng.uniform(0, 60, size=(20, 3))
    balance = rng.uniform(50, 150, size=20)
    days = [date(2020, 1, 1) + timedelta(days=365 * k) for k in range(4)]
    vectorised = annual_irr(balance, flows, 1)
    for row in range(20):
        expected = metrics.xirr(days, [-balance[row], *flows[row]])
        assert vectorised[row] == pytest.approx(expected, rel=1e-9, abs=1e-12)


def test_the_tranche_irr_is_annual_effective_and_never_nan() -> None:
    # Quarterly 1 % coupons and par at the end: (1.01)^4 − 1 a year. Nothing paid: −1. A residual of 1e12 a year
    # after 1e-9 was invested: 1e21 − 1, large but exact and finite.
    irr = annual_irr(
        np.array([100.0, 100.0, 1e-9]),
        np.array([[1.0, 1.0, 1.0, 101.0], [0.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 1e12]]),
        4,
    )
    assert irr[0] == pytest.approx(1.01**4 - 1, rel=1e-12)
    assert irr[1] == -1.0
    assert np.all(np.isfinite(irr)) and irr[2] == pytest.approx(1e21, rel=1e-9)
    assert period_irr_log(np.array([5.0]), np.zeros((1, 3)))[0] == -np.inf


def test_the_wal_of_tranche_principal() -> None:
    principal = np.array([[[0.0, 100.0, 0.0, 100.0], [0.0, 0.0, 0.0, 0.0]]])
    assert wal_years(principal, 4).tolist() == [[0.75, 0.0]]  # (0.5 · 100 + 1 · 100) / 200; nothing repaid: 0
