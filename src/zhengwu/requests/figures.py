"""Pure side of the hotline's figures (诉求统计): the period asked for, the three rates and the counts they rest on.

Every figure is over the **cohort of requests received in the period** (local dates, Asia/Shanghai, inclusive), as
the matters engine's statistics count (``zhengwu.core.matters.stats``), within the reader's ``requests.view`` scope
and, optionally, an owner unit's subtree. ``now`` is the clock's time when the figures are asked for.

* **response rate (响应率 / 按时签收率)** = signed for on time ÷ due for signing. A request is judged on its latest
  dispatch (a send-back and re-dispatch starts a new sign-for limit, ``SIGN_LIMIT``: 1 working day):
  *signed for on time* when it was signed for (it is handling, resolved or closed) no later than the sign-for
  deadline; *due for signing* (the denominator, "dispatched") when it was signed for, on time or late, or is still
  waiting to be signed for past its deadline. A request still within its sign-for limit is not judged yet, nor is
  one sent back and not dispatched again (the unit answered it; the dispatcher decides).
* **resolution rate (解决率)** = called back and the citizen says it was solved ÷ called back.
* **satisfaction rate (满意率)** = called back and satisfied ÷ called back. Requests not called back yet are in
  neither the numerator nor the denominator.
* **overdue (逾期)**: a running deadline (sign for, handle or rehandle) past due at ``now``; the days overdue are the
  working days from the local date of the deadline to today, through the working calendar.

A rate is ``None`` (shown "—") when its denominator is 0: never a division by zero, never NaN.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, fields
from datetime import date

from zhengwu.core.errors import Invalid
from zhengwu.core.matters.stats.model import FIRST_DAY, LAST_DAY, fill_period

QUARTER_MONTHS = {1: (1, 3), 2: (4, 6), 3: (7, 9), 4: (10, 12)}


def rate(numerator: int, denominator: int) -> float | None:
    """``numerator ÷ denominator``, or None when there is nothing to divide by.

    >>> rate(3, 4), rate(0, 5), rate(0, 0)
    (0.75, 0.0, None)
    """
    if numerator < 0 or denominator < 0 or numerator > denominator:
        raise ValueError(f"a rate needs 0 ≤ numerator ≤ denominator, got {numerator}/{denominator}")
    return numerator / denominator if denominator else None


@dataclass(frozen=True)
class Counts:
    """The counts every row of the figures carries (see the module docstring for each definition)."""

    received: int = 0
    resolved: int = 0
    due_for_signing: int = 0
    signed_on_time: int = 0
    called_back: int = 0
    solved: int = 0
    satisfied: int = 0
    overdue: int = 0

    def __add__(self, other: Counts) -> Counts:
        """
        >>> (Counts(received=2, solved=1) + Counts(received=1)).received
        3
        """
        return Counts(*(getattr(self, f.name) + getattr(other, f.name) for f in fields(self)))

    @property
    def response_rate(self) -> float | None:
        """
        >>> Counts(due_for_signing=4, signed_on_time=3).response_rate, Counts().response_rate
        (0.75, None)
        """
        return rate(self.signed_on_time, self.due_for_signing)

    @property
    def resolution_rate(self) -> float | None:
        return rate(self.solved, self.called_back)

    @property
    def satisfaction_rate(self) -> float | None:
        return rate(self.satisfied, self.called_back)


def total(rows: Iterable[Counts]) -> Counts:
    """
    >>> total([Counts(received=1), Counts(received=2, overdue=1)])
    Counts(received=3, resolved=0, due_for_signing=0, signed_on_time=0, called_back=0, solved=0, satisfied=0, overdue=1)
    """
    out = Counts()
    for row in rows:
        out = out + row
    return out


# ---------------------------------------------------------------------------------------------------- period


@dataclass(frozen=True)
class Period:
    start: date
    end: date
    label: str


def _whole(value: int | None, field: str, label: str, low: int, high: int) -> int | None:
    if value is None:
        return None
    if not low <= value <= high:
        raise Invalid(f"{label}（{field}）应为 {low} 到 {high} 的整数。", field=field)
    return value


def period(
    today: date,
    *,
    year: int | None = None,
    quarter: int | None = None,
    month: int | None = None,
    start: date | None = None,
    end: date | None = None,
) -> Period:
    """The period asked for: a year, a quarter or a month of a year (default: this year), or a date range
    (``from``/``to``; one end alone runs to the rest of its year, as the matters statistics do). Bad or
    conflicting input raises ``Invalid`` naming the parameter.

    >>> today = date(2024, 8, 1)
    >>> period(today).label, period(today, year=2024, quarter=2).end, period(today, month=2).end
    ('2024年', datetime.date(2024, 6, 30), datetime.date(2024, 2, 29))
    >>> period(today, start=date(2024, 6, 20), end=date(2024, 7, 20)).label
    '2024-06-20 至 2024-07-20'
    >>> period(today, quarter=2, month=5)
    Traceback (most recent call last):
    ...
    zhengwu.core.errors.Invalid: 季度（quarter）与月份（month）只能选一个。
    """
    year = _whole(year, "year", "年份", FIRST_DAY.year, LAST_DAY.year)
    quarter = _whole(quarter, "quarter", "季度", 1, 4)
    month = _whole(month, "month", "月份", 1, 12)
    if start is not None or end is not None:
        if year is not None or quarter is not None or month is not None:
            raise Invalid("请按年、季、月或按起止日期选择期间，不能同时使用。", field="from")
        start, end = fill_period(start, end, today)
        for value, field, label in ((start, "from", "起始日期"), (end, "to", "截止日期")):
            if not FIRST_DAY <= value <= LAST_DAY:
                raise Invalid(f"{label}（{field}）应在 {FIRST_DAY} 至 {LAST_DAY} 之间。", field=field)
        if end < start:
            raise Invalid("截止日期（to）不能早于起始日期（from）。", field="to")
        return Period(start, end, f"{start.isoformat()} 至 {end.isoformat()}")
    if quarter is not None and month is not None:
        raise Invalid("季度（quarter）与月份（month）只能选一个。", field="month")
    y = year if year is not None else today.year
    if quarter is not None:
        first, last = QUARTER_MONTHS[quarter]
        return Period(date(y, first, 1), _month_end(y, last), f"{y}年第{quarter}季度")
    if month is not None:
        return Period(date(y, month, 1), _month_end(y, month), f"{y}年{month}月")
    return Period(date(y, 1, 1), date(y, 12, 31), f"{y}年")


def _month_end(year: int, month: int) -> date:
    """
    >>> _month_end(2024, 2), _month_end(2023, 12)
    (datetime.date(2024, 2, 29), datetime.date(2023, 12, 31))
    """
    if month == 12:
        return date(year, 12, 31)
    return date.fromordinal(date(year, month + 1, 1).toordinal() - 1)


def months(start: date, end: date) -> list[tuple[int, int]]:
    """The (year, month) pairs a period touches, in order, so that empty months still get a row.

    >>> months(date(2024, 11, 20), date(2025, 2, 1))
    [(2024, 11), (2024, 12), (2025, 1), (2025, 2)]
    """
    out, y, m = [], start.year, start.month
    while (y, m) <= (end.year, end.month):
        out.append((y, m))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out
