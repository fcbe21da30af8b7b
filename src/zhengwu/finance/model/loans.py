"""A pledge loan's life and figures as pure functions (issue #7, "Pledge loans"): its statuses and the steps between
them, calendar-month dates, the pledge rate against the ceiling, the repayment schedule and the exposure at default.

Money here is ``Decimal`` in 元 rounded to the cent (a ledger figure); the schedule itself is computed by
:mod:`zhengwu.finance.model.schedule` (floats, the same annuity as the waterfall) and rounded only when read out.
Rates and ceilings are fractions (``0.3`` is 30 %).

Statuses and steps (each step has a name used by the API and pages)::

    applied ─approve→ approved ─disburse→ disbursed ─repay→ repaid
       │                 │                    └─default→ defaulted ─dispose→ disposed
       └────decline──────┴─decline→ declined
"""

from __future__ import annotations

import calendar
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from zhengwu.core.errors import Conflict, Invalid
from zhengwu.core.labels import LabelledEnum
from zhengwu.finance.model.plan import Amortization, Loan
from zhengwu.finance.model.schedule import Schedule, loan_schedule

CENT = Decimal("0.01")
PAYMENTS_PER_YEAR = (1, 2, 4, 12)


class LoanStatus(LabelledEnum):
    APPLIED = "applied", "已申请"
    APPROVED = "approved", "已审批"
    DECLINED = "declined", "未获批准"
    DISBURSED = "disbursed", "已放款"
    REPAID = "repaid", "已结清"
    DEFAULTED = "defaulted", "已违约"
    DISPOSED = "disposed", "已处置"


#: The allowed steps: status → the statuses it may move to. Nothing leaves declined, repaid or disposed.
TRANSITIONS: dict[LoanStatus, frozenset[LoanStatus]] = {
    LoanStatus.APPLIED: frozenset({LoanStatus.APPROVED, LoanStatus.DECLINED}),
    LoanStatus.APPROVED: frozenset({LoanStatus.DISBURSED, LoanStatus.DECLINED}),
    LoanStatus.DISBURSED: frozenset({LoanStatus.REPAID, LoanStatus.DEFAULTED}),
    LoanStatus.DEFAULTED: frozenset({LoanStatus.DISPOSED}),
    LoanStatus.DECLINED: frozenset(),
    LoanStatus.REPAID: frozenset(),
    LoanStatus.DISPOSED: frozenset(),
}


class Step(LabelledEnum):
    """A step's name (as the API writes it) with its Chinese verb; :data:`STEP_TARGET` gives the status it leads to."""

    APPROVE = "approve", "审批通过"
    DECLINE = "decline", "不予批准"
    DISBURSE = "disburse", "放款"
    REPAY = "repay", "结清"
    DEFAULT = "default", "登记违约"
    DISPOSE = "dispose", "处置质物"


STEP_TARGET: dict[Step, LoanStatus] = {
    Step.APPROVE: LoanStatus.APPROVED,
    Step.DECLINE: LoanStatus.DECLINED,
    Step.DISBURSE: LoanStatus.DISBURSED,
    Step.REPAY: LoanStatus.REPAID,
    Step.DEFAULT: LoanStatus.DEFAULTED,
    Step.DISPOSE: LoanStatus.DISPOSED,
}
#: While a loan's terms may be edited, and while its pledged patents may be changed (before disbursement).
EDITABLE = frozenset({LoanStatus.APPLIED})
PATENTS_EDITABLE = frozenset({LoanStatus.APPLIED, LoanStatus.APPROVED})


def check_step(current: str, step: Step) -> LoanStatus:
    """The status ``step`` leads to from ``current``; ``Conflict`` naming both statuses when the table forbids it.

    >>> check_step("applied", Step.APPROVE)
    <LoanStatus.APPROVED: 'approved'>
    >>> check_step("repaid", Step.DEFAULT)
    Traceback (most recent call last):
    ...
    zhengwu.core.errors.Conflict: 贷款当前状态为“已结清”，不能改为“已违约”（登记违约）。
    """
    status, wanted = LoanStatus(current), STEP_TARGET[step]
    if wanted not in TRANSITIONS[status]:
        raise Conflict(f"贷款当前状态为“{status.label}”，不能改为“{wanted.label}”（{step.label}）。", field="status")
    return wanted


def allowed_steps(current: str) -> list[Step]:
    """The steps open to a loan in status ``current``, in the order of :class:`Step`.

    >>> [s.value for s in allowed_steps("approved")], allowed_steps("disposed")
    (['decline', 'disburse'], [])
    """
    targets = TRANSITIONS[LoanStatus(current)]
    return [step for step in Step if STEP_TARGET[step] in targets]


# ------------------------------------------------------------------------------------------------------- dates


def add_months(d: date, n: int) -> date:
    """``d`` plus ``n`` calendar months, the day clipped to the last day of the month reached (not a working-day
    deadline: a loan's term is counted in calendar months).

    >>> add_months(date(2024, 1, 31), 1), add_months(date(2023, 11, 30), 3), add_months(date(2024, 2, 29), 12)
    (datetime.date(2024, 2, 29), datetime.date(2024, 2, 29), datetime.date(2025, 2, 28))
    """
    months = d.year * 12 + d.month - 1 + n
    year, month = divmod(months, 12)
    return date(year, month + 1, min(d.day, calendar.monthrange(year, month + 1)[1]))


def maturity_date(disbursed_on: date, term_months: int) -> date:
    """The maturity: the disbursement date plus the term in calendar months.

    >>> maturity_date(date(2024, 3, 31), 24)
    datetime.date(2026, 3, 31)
    """
    return add_months(disbursed_on, term_months)


def payment_dates(disbursed_on: date, payments_per_year: int, periods: int) -> list[date]:
    """The k-th payment falls ``k × 12 ÷ payments_per_year`` months after disbursement (k = 1..periods), each
    counted from the disbursement date so that a clipped month end does not drift.

    >>> payment_dates(date(2024, 1, 31), 4, 3)
    [datetime.date(2024, 4, 30), datetime.date(2024, 7, 31), datetime.date(2024, 10, 31)]
    """
    step = 12 // payments_per_year
    return [add_months(disbursed_on, k * step) for k in range(1, periods + 1)]


def term_periods(term_months: int, payments_per_year: int) -> int:
    """The number of payments in the term; ``Invalid`` naming ``term_months`` when it is not a whole number.

    >>> term_periods(24, 4)
    8
    >>> term_periods(13, 4)
    Traceback (most recent call last):
    ...
    zhengwu.core.errors.Invalid: 贷款期限 13 个月不是还款间隔 3 个月的整数倍。
    """
    periods, rest = divmod(term_months * payments_per_year, 12)
    if rest or periods < 1:
        step = 12 // payments_per_year
        raise Invalid(f"贷款期限 {term_months} 个月不是还款间隔 {step} 个月的整数倍。", field="term_months")
    return periods


# ------------------------------------------------------------------------------------------ pledge rate and ceiling


def loan_ceiling(patents: Sequence[tuple[str, Decimal]], ceilings: Mapping[str, float]) -> float:
    """The loan's pledge-rate ceiling: the appraised-value-weighted mean Σ vᵢ·cᵢ ÷ Σ vᵢ of each patent's ceiling cᵢ
    (its type's if set, else ``all``). ``patents`` are (patent type, appraised value 元). ``Invalid`` when there is
    no patent or a patent's type has no ceiling and there is no ``all``.

    >>> loan_ceiling([("invention", Decimal(3000000)), ("utility", Decimal(1000000))], {"all": 0.3, "invention": 0.4})
    0.375
    >>> loan_ceiling([("design", Decimal(10))], {"invention": 0.4})
    Traceback (most recent call last):
    ...
    zhengwu.core.errors.Invalid: 尚未设置外观设计专利的质押率上限（也没有适用于全部类型的上限），请先由知识产权局设置。
    """
    if not patents:
        raise Invalid("尚未登记质押专利，无法确定质押率上限。", field="patents")
    weighted, total = Decimal(0), Decimal(0)
    for kind, value in patents:
        ceiling = ceilings.get(kind, ceilings.get("all"))
        if ceiling is None:
            label = {"invention": "发明", "utility": "实用新型", "design": "外观设计"}.get(kind, kind)
            raise Invalid(
                f"尚未设置{label}专利的质押率上限（也没有适用于全部类型的上限），请先由知识产权局设置。",
                field="patents",
            )
        weighted += value * Decimal(repr(ceiling))
        total += value
    if total <= 0:
        raise Invalid("质押专利的评估价值合计须大于 0。", field="patents")
    return float(weighted / total)


def pledge_rate(principal: Decimal, total_appraised: Decimal) -> float:
    """Loan ÷ appraised value of the pledged patents (质押率).

    >>> pledge_rate(Decimal("3000000"), Decimal("10000000"))
    0.3
    """
    if total_appraised <= 0:
        raise Invalid("尚未登记质押专利（评估价值合计为 0），无法计算质押率。", field="patents")
    return float(principal / total_appraised)


def percent(fraction: float) -> str:
    """A rate as pages show it.

    >>> percent(0.375), percent(0.3)
    ('37.50%', '30.00%')
    """
    return f"{fraction * 100:.2f}%"


# ------------------------------------------------------------------------------------- schedule and exposure


def cents(x: float) -> Decimal:
    """A float amount of the schedule rounded to the cent (half up).

    >>> cents(3946.2666), cents(0.005)
    (Decimal('3946.27'), Decimal('0.01'))
    """
    return Decimal(repr(x)).quantize(CENT, rounding=ROUND_HALF_UP)


def _schedule(principal: Decimal, annual_rate: float, periods: int, payments_per_year: int, kind: str) -> Schedule:
    loan = Loan("L", "", float(principal), annual_rate, periods, Amortization(kind), 0.0, 0.0)
    return loan_schedule(loan, payments_per_year)


def outstanding(
    principal: Decimal,
    annual_rate: float,
    term_periods: int,
    payments_per_year: int,
    amortization: str,
    periods_paid: int,
) -> tuple[Decimal, Decimal]:
    """(balance after ``periods_paid`` scheduled payments, interest of the next period), in 元 to the cent; both 0
    once the term is paid. The schedule is :func:`zhengwu.finance.model.schedule.loan_schedule`.

    The issue's check: 4,000 at 8.5 % over 60 monthly level payments leaves 3,946.27 after the first payment, whose
    next month's interest is 3,946.27 × 0.085 ÷ 12 = 27.95:

    >>> outstanding(Decimal(4000), 0.085, 60, 12, "level", 1)
    (Decimal('3946.27'), Decimal('27.95'))
    >>> outstanding(Decimal(1000), 0.08, 8, 4, "bullet", 8)
    (Decimal('0.00'), Decimal('0.00'))
    """
    if periods_paid >= term_periods:
        return Decimal("0.00"), Decimal("0.00")
    s = _schedule(principal, annual_rate, term_periods, payments_per_year, amortization)
    k = max(0, periods_paid)
    return cents(float(s.balance_start[0, k])), cents(float(s.interest[0, k]))


def periods_paid_by(disbursed_on: date, payments_per_year: int, periods: int, on: date) -> int:
    """How many payments fall due on or before ``on``.

    >>> start = date(2024, 1, 15)
    >>> periods_paid_by(start, 4, 8, date(2024, 7, 15)), periods_paid_by(start, 4, 8, date(2024, 7, 14))
    (2, 1)
    """
    return sum(1 for d in payment_dates(disbursed_on, payments_per_year, periods) if d <= on)


def exposure_at_default(
    principal: Decimal,
    annual_rate: float,
    term_months: int,
    payments_per_year: int,
    amortization: str,
    disbursed_on: date,
    default_on: date,
) -> Decimal:
    """The claim of a loan defaulting on ``default_on`` (the contract's "balance at the start of the period plus
    that period's interest"): the balance after the payments due on or before that date, plus the interest of the
    period in which it falls. The last payment is never counted as paid — a loan that made it is repaid, not in
    default — so a default on or after maturity claims the final payment (balance at the start of the last period
    plus its interest).

    >>> exposure_at_default(Decimal(1000000), 0.08, 24, 4, "bullet", date(2024, 1, 15), date(2024, 5, 1))
    Decimal('1020000.00')
    >>> exposure_at_default(Decimal(4000), 0.085, 60, 12, "level", date(2024, 1, 15), date(2024, 2, 20))
    Decimal('3974.22')
    >>> exposure_at_default(Decimal(1000000), 0.08, 24, 4, "bullet", date(2024, 1, 15), date(2027, 1, 1))
    Decimal('1020000.00')
    """
    periods = term_periods(term_months, payments_per_year)
    paid = min(periods_paid_by(disbursed_on, payments_per_year, periods, default_on), periods - 1)
    balance, interest = outstanding(principal, annual_rate, periods, payments_per_year, amortization, paid)
    return balance + interest


@dataclass(frozen=True)
class ScheduleRow:
    """One period of the repayment schedule in 元 (``on`` None before disbursement): the payment, its interest and
    principal, and the balance after it."""

    period: int
    on: date | None
    payment: Decimal
    interest: Decimal
    principal: Decimal
    balance: Decimal


def repayment_schedule(
    principal: Decimal,
    annual_rate: float,
    term_months: int,
    payments_per_year: int,
    amortization: str,
    disbursed_on: date | None,
) -> list[ScheduleRow]:
    """The loan's schedule period by period, each figure rounded to the cent from the exact schedule (so a column
    may differ from its total by a cent of rounding).

    >>> rows = repayment_schedule(Decimal(4000), 0.085, 60, 12, "level", date(2024, 1, 31))
    >>> r = rows[0]; (r.period, r.on, r.payment, r.interest, r.principal, r.balance)
    (1, datetime.date(2024, 2, 29), Decimal('82.07'), Decimal('28.33'), Decimal('53.73'), Decimal('3946.27'))
    >>> rows[-1].balance, len(rows)
    (Decimal('0.00'), 60)
    """
    periods = term_periods(term_months, payments_per_year)
    s = _schedule(principal, annual_rate, periods, payments_per_year, amortization)
    dates: list[date | None] = (
        list(payment_dates(disbursed_on, payments_per_year, periods)) if disbursed_on else [None] * periods
    )
    rows = []
    for k in range(periods):
        interest, repaid = float(s.interest[0, k]), float(s.principal[0, k])
        after = float(s.balance_start[0, k]) - repaid
        rows.append(
            ScheduleRow(k + 1, dates[k], cents(interest + repaid), cents(interest), cents(repaid), cents(max(after, 0)))
        )
    return rows
