"""The Chinese working-day calendar (pure).

A working day is a day that is neither a weekend nor a statutory holiday, counting the weekend days that the
State Council swaps into working days (调休). Data comes from the ``chinese-calendar`` package for the years it
covers, plus overrides an administrator imports when a new year's arrangement is announced. A date in a year
with no data raises :class:`CalendarYearUnknown`; there is never a silent weekends-only guess.

Conventions:

* ``add_working_days(start, n)`` is the n-th working day after ``start``; ``start`` itself is not counted and
  ``n = 0`` gives ``start``.
* ``working_days_between(a, b)`` counts working days in the half-open span (a, b]; it is negative when b < a.
  Hence ``working_days_between(d, add_working_days(d, n)) == n``.
* Only the years whose days are counted must be known: (2003-12-31, 2004-01-05] needs 2004 alone, and an
  empty span is 0 in any year.
* A year is known when it is built in or listed in ``imported_years``; an override counts only in a known year
  (so a stray override never makes its year look known), and there it beats the built-in data.

Both calculations use a per-year cumulative count of working days, built on first use and cached on the
calendar, so a span of many years or a deadline far ahead costs a few additions and one bisection per year.

>>> cal = WorkingCalendar.builtin()
>>> cal.add_working_days(date(2024, 9, 30), 5)   # National Day 2024; Saturday 12 October is a swapped workday
datetime.date(2024, 10, 12)
>>> cal.working_days_between(date(2024, 6, 20), date(2024, 7, 18))
20
"""

from __future__ import annotations

from bisect import bisect_left
from calendar import isleap
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum
from functools import cache
from itertools import accumulate

ONE_DAY = timedelta(days=1)


class CalendarYearUnknown(Exception):
    """No holiday arrangement is known for a year."""

    def __init__(self, year: int) -> None:
        super().__init__(
            f"{year} 年的节假日安排尚未导入，无法计算工作日。请管理员导入 {year} 年的节假日数据"
            f"（zhengwu calendar import-holidays 或“节假日维护”页面）。"
        )
        self.year = year


class DayKind(StrEnum):
    HOLIDAY = "holiday"
    WORKDAY = "workday"


@cache
def _builtin() -> tuple[frozenset[int], Mapping[date, bool]]:
    """Years covered by chinese-calendar and the exceptions to the weekend rule it knows."""
    from chinese_calendar import constants

    years = frozenset(d.year for d in constants.holidays)
    special = {d: False for d in constants.holidays if d.weekday() < 5}
    special.update({d: True for d in constants.workdays if d.weekday() >= 5})
    return years, special


def _day_of_year(d: date) -> int:
    """1 for 1 January."""
    return d.toordinal() - date(d.year, 1, 1).toordinal() + 1


@dataclass(frozen=True)
class WorkingCalendar:
    """Working days from built-in data plus imported overrides (date → True for working, False for off)."""

    overrides: Mapping[date, bool] = field(default_factory=dict)
    imported_years: frozenset[int] = frozenset()
    builtin_years: frozenset[int] = frozenset()
    builtin_special: Mapping[date, bool] = field(default_factory=dict, repr=False)
    # Derived state: not constructor arguments, so dataclasses.replace() never carries a stale cache over.
    known_years: frozenset[int] = field(init=False, compare=False, repr=False)
    _cum: dict[int, tuple[int, ...]] = field(init=False, default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "known_years", frozenset(self.builtin_years) | frozenset(self.imported_years))

    @classmethod
    def builtin(
        cls, overrides: Mapping[date, bool] | None = None, years: frozenset[int] = frozenset()
    ) -> WorkingCalendar:
        """chinese-calendar's data plus ``overrides`` for the imported ``years``."""
        b_years, b_special = _builtin()
        return cls(dict(overrides or {}), frozenset(years), b_years, b_special)

    def knows(self, year: int) -> bool:
        return year in self.known_years

    def is_working_day(self, d: date) -> bool:
        """Whether ``d`` is a working day; raises CalendarYearUnknown for a year with no data."""
        if d.year not in self.known_years:
            raise CalendarYearUnknown(d.year)
        return self._working(d)

    def _working(self, d: date) -> bool:
        """The rule for a day of a known year: override, else built-in exception, else Monday to Friday."""
        flag = self.overrides.get(d)
        if flag is None and d.year in self.builtin_years:
            flag = self.builtin_special.get(d)
        return d.weekday() < 5 if flag is None else flag

    def _cumulative(self, year: int) -> tuple[int, ...]:
        """cum[i] = working days among the first i days of ``year`` (cum[0] = 0, cum[-1] = the year's total)."""
        cached = self._cum.get(year)
        if cached is None:
            if year not in self.known_years:
                raise CalendarYearUnknown(year)
            first = date(year, 1, 1).toordinal()
            flags = (self._working(date.fromordinal(first + i)) for i in range(366 if isleap(year) else 365))
            cached = self._cum[year] = (0, *accumulate(int(f) for f in flags))
        return cached

    def working_days_between(self, a: date, b: date) -> int:
        """Working days in (a, b]; negative when b < a."""
        if b < a:
            return -self.working_days_between(b, a)
        if a == b:
            return 0
        first = a + ONE_DAY  # the first day counted; a may be the last day of a year nobody asked about
        total = 0
        for year in range(first.year, b.year + 1):
            cum = self._cumulative(year)
            lo = _day_of_year(first) - 1 if year == first.year else 0
            hi = _day_of_year(b) if year == b.year else len(cum) - 1
            total += cum[hi] - cum[lo]
        return total

    def add_working_days(self, start: date, n: int) -> date:
        """The n-th working day after ``start`` (n ≥ 0; the start day is not counted)."""
        if n < 0:
            raise ValueError("n 必须是非负整数")
        if n == 0:
            return start
        if start == date.max:  # the days to count would lie in year 10000, which nobody knows
            raise CalendarYearUnknown(date.max.year + 1)
        first = start + ONE_DAY
        year, lo = first.year, _day_of_year(first) - 1  # lo: days of ``year`` before the first counted day
        while True:
            cum = self._cumulative(year)
            target = cum[lo] + n
            if target <= cum[-1]:
                # The first i with cum[i] == target is the day of the year of the n-th working day.
                return date(year, 1, 1) + timedelta(days=bisect_left(cum, target, lo) - 1)
            n = target - cum[-1]
            year, lo = year + 1, 0

    def next_working_day(self, d: date) -> date:
        """``d`` itself when it is a working day, else the first working day after it."""
        return d if self.is_working_day(d) else self.add_working_days(d, 1)


@cache
def default_calendar() -> WorkingCalendar:
    """The calendar of built-in data only (no imported overrides), built on first use."""
    return WorkingCalendar.builtin()


def is_working_day(d: date) -> bool:
    return default_calendar().is_working_day(d)


def add_working_days(start: date, n: int) -> date:
    return default_calendar().add_working_days(start, n)


def working_days_between(a: date, b: date) -> int:
    return default_calendar().working_days_between(a, b)
