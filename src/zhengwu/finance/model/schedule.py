"""The scheduled cash flows of performing pledge loans (issue #7, waterfall step 1), as (loans × periods) arrays.

Per period t = 1..n (n the loan's ``term_periods``), with B_{t−1} the balance at the start of t and
r = annual_rate ÷ periods_per_year the rate per period:

- interest_t = B_{t−1} · r;
- ``bullet``: principal_t = 0 for t < n and B_{n−1} = P at t = n;
- ``level`` (等额本息): the annuity A = P · r / (1 − (1 + r)^−n) (A = P / n when r = 0) is paid every period,
  principal_t = A − interest_t;
- ``equal_principal`` (等额本金): principal_t = P / n;
- in the last period the whole remaining balance is repaid (no rounding residue is left), and after the term
  everything is 0.

A loan that performs to its term follows this schedule whatever happens to the others, so the schedule does not
depend on the simulated path: the waterfall only masks it by each loan's default period. Money is a float in the
plan's unit (元 or 万元), unrounded. Reference: the annuity formula of any loan textbook, e.g. 《金融数学》 or the
PMT function of Excel; the issue's check (4,000 at 8.5 % over 60 months leaves 3,946.27 after the first payment)
is a doctest of :func:`loan_schedule`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from zhengwu.finance.model.plan import Amortization, Loan

Floats = NDArray[np.float64]


@dataclass(frozen=True)
class Schedule:
    """Arrays of shape (loans, periods); column t − 1 is period t. ``balance_start`` is the balance at the start of
    the period (before its payment); interest + principal is what the loan pays if it performs in that period."""

    balance_start: Floats
    interest: Floats
    principal: Floats

    @property
    def payment(self) -> Floats:
        return self.interest + self.principal


def level_payment(principal: float, rate_per_period: float, periods: int) -> float:
    """The annuity A = P · r / (1 − (1 + r)^−n) paying off P in n periods at r a period (P / n when r = 0).

    >>> round(level_payment(4000, 0.085 / 12, 60), 2)  # the issue's level-payment loan: 82.07 a month
    82.07
    >>> level_payment(1200, 0.0, 12)
    100.0
    """
    if rate_per_period == 0:
        return principal / periods
    return float(principal * rate_per_period / -np.expm1(-periods * np.log1p(rate_per_period)))


def pool_schedule(loans: Sequence[Loan], periods_per_year: int, periods: int) -> Schedule:
    """The schedule of every loan over periods 1..``periods`` (loans whose term is shorter are 0 afterwards),
    computed with arrays over the loans and a loop over the periods only.

    >>> from zhengwu.finance.model.plan import EXAMPLE, parse_plan
    >>> plan = parse_plan(EXAMPLE)
    >>> s = pool_schedule(plan.loans, plan.periods_per_year, plan.legal_final_period)
    >>> s.interest[0, :3].tolist(), s.principal[0].tolist()  # L1: 600 at 6 % a year, bullet over 8 quarters
    ([9.0, 9.0, 9.0], [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 600.0])
    >>> round(float(s.principal[1].sum()), 9), s.principal[1, 4:].tolist()  # L2: level over 4 quarters
    (400.0, [0.0, 0.0, 0.0, 0.0])
    """
    count = len(loans)
    principal = np.array([loan.principal for loan in loans], dtype=np.float64)
    rate = np.array([loan.annual_rate / periods_per_year for loan in loans], dtype=np.float64)
    term = np.array([loan.term_periods for loan in loans], dtype=np.int64)
    kind = [loan.amortization for loan in loans]
    annuity = np.array(
        [level_payment(loan.principal, r, loan.term_periods) for loan, r in zip(loans, rate, strict=True)]
    )
    level = np.array([k is Amortization.LEVEL for k in kind], dtype=bool)
    equal = np.array([k is Amortization.EQUAL_PRINCIPAL for k in kind], dtype=bool)
    straight = principal / term

    start = np.zeros((count, periods))
    interest = np.zeros((count, periods))
    repaid = np.zeros((count, periods))
    balance = principal.copy()
    for t in range(1, periods + 1):
        due = balance * rate
        part = np.where(level, annuity - due, np.where(equal, straight, 0.0))
        part = np.where(t >= term, balance, np.minimum(np.maximum(part, 0.0), balance))
        start[:, t - 1], interest[:, t - 1], repaid[:, t - 1] = balance, due, part
        balance = np.where(t >= term, 0.0, balance - part)
    return Schedule(start, interest, repaid)


def loan_schedule(loan: Loan, periods_per_year: int) -> Schedule:
    """One loan's schedule over its own term (arrays of shape (1, term_periods)).

    The issue's check: a level-payment loan of 4,000 at 8.5 % a year over 60 monthly periods has 3,946.27
    outstanding after the first payment (interest 4,000 · 0.085 / 12 = 28.33, payment 82.07, principal 53.73).

    >>> loan = Loan("L", "甲公司", 4000, 0.085, 60, Amortization.LEVEL, 0.0, 0.0)
    >>> s = loan_schedule(loan, 12)
    >>> round(float(s.balance_start[0, 1]), 2), round(float(s.interest[0, 0]), 2), round(float(s.principal[0, 0]), 2)
    (3946.27, 28.33, 53.73)
    """
    return pool_schedule((loan,), periods_per_year, loan.term_periods)
