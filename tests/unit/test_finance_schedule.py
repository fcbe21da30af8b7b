"""Loan schedules (issue #7, waterfall step 1): the issue's level-payment check, the three amortisation types worked
by hand, and invariants (principal repaid in full, the annuity's present value is the principal).
"""

from __future__ import annotations

import numpy as np
import pytest

from zhengwu.finance.model.plan import Amortization, Loan
from zhengwu.finance.model.schedule import level_payment, loan_schedule, pool_schedule


def _loan(principal: float, rate: float, term: int, kind: Amortization) -> Loan:
    return Loan("L", "甲公司", principal, rate, term, kind, 0.01, 0.0)


def test_the_issues_level_payment_loan_has_3946_27_outstanding_after_the_first_payment() -> None:
    # Issue #7, "Done when": 4,000 at 8.5 % a year over 60 monthly periods leaves 3,946.27. By the annuity formula:
    # r = 0.085 / 12 = 0.00708333, A = 4000 · r / (1 − (1 + r)^−60) = 82.0661, interest 4000 · r = 28.3333,
    # principal 82.0661 − 28.3333 = 53.7328, balance 4000 − 53.7328 = 3946.2672.
    r = 0.085 / 12
    annuity = 4000 * r / (1 - (1 + r) ** -60)
    assert annuity == pytest.approx(82.0661, abs=5e-5)
    s = loan_schedule(_loan(4000, 0.085, 60, Amortization.LEVEL), 12)
    assert s.payment[0, 0] == pytest.approx(annuity, rel=1e-12)
    assert s.interest[0, 0] == pytest.approx(4000 * r, rel=1e-12)
    assert s.balance_start[0, 1] == pytest.approx(4000 - (annuity - 4000 * r), rel=1e-12)
    assert round(float(s.balance_start[0, 1]), 2) == 3946.27


def test_a_level_payment_loan_pays_the_same_every_period_and_its_present_value_is_the_principal() -> None:
    s = loan_schedule(_loan(4000, 0.085, 60, Amortization.LEVEL), 12)
    assert np.allclose(s.payment[0], s.payment[0, 0], rtol=1e-12)
    r = 0.085 / 12
    assert float((s.payment[0] / (1 + r) ** np.arange(1, 61)).sum()) == pytest.approx(4000, rel=1e-12)
    assert float(s.principal.sum()) == pytest.approx(4000, rel=1e-12)
    assert np.all(s.principal >= 0)


def test_an_equal_principal_loan_worked_by_hand() -> None:
    # 1,200 at 12 % a year over 12 months: principal 100 a month, interest 1 % of the balance: 12, 11, ..., 1.
    s = loan_schedule(_loan(1200, 0.12, 12, Amortization.EQUAL_PRINCIPAL), 12)
    assert np.allclose(s.principal[0], 100.0, rtol=1e-12)
    assert np.allclose(s.interest[0], np.arange(12, 0, -1), rtol=1e-12)
    assert np.allclose(s.balance_start[0], np.arange(1200, 0, -100), rtol=1e-12)


def test_a_bullet_loan_pays_interest_then_its_principal_at_term() -> None:
    # 600 at 6 % a year, quarterly, 8 quarters: 9 of interest a quarter, 600 at the end.
    s = loan_schedule(_loan(600, 0.06, 8, Amortization.BULLET), 4)
    assert s.interest[0].tolist() == [9.0] * 8
    assert s.principal[0].tolist() == [0.0] * 7 + [600.0]


def test_a_level_loan_at_zero_rate_repays_in_equal_parts() -> None:
    assert level_payment(1200, 0.0, 12) == 100.0
    s = loan_schedule(_loan(1200, 0.0, 12, Amortization.LEVEL), 12)
    assert np.allclose(s.principal[0], 100.0) and not s.interest.any()


def test_the_pool_schedule_is_zero_after_each_loans_term() -> None:
    loans = (
        _loan(1000, 0.05, 3, Amortization.LEVEL),
        _loan(500, 0.07, 6, Amortization.EQUAL_PRINCIPAL),
        _loan(300, 0.04, 2, Amortization.BULLET),
    )
    s = pool_schedule(loans, 4, 8)
    assert s.principal.shape == (3, 8)
    assert np.allclose(s.principal.sum(axis=1), [1000, 500, 300], rtol=1e-12)
    for row, term in enumerate((3, 6, 2)):
        assert not s.payment[row, term:].any() and not s.balance_start[row, term:].any()
        assert np.allclose(
            s.balance_start[row, 1:term], s.balance_start[row, : term - 1] - s.principal[row, : term - 1]
        )
