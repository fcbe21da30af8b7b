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

>>> cal = WorkingCalendar.builtin()
>>> cal.add_working_days(date(2024, 9, 30), 5)   # National Day 2024; Saturday 12 October is a swapped workday
datetime.date(2024, 10, 12)
>>> cal.working_days_between(date(2024, 6, 20), date(2024, 7, 18))
20
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum
from functools import cache
from itertools import accumulate


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
def _builtin() -> tuple[frozenset[int], dict[date, bool]]:
    """Years covered by chinese-calendar and the exceptions to the weekend rule it knows."""
    from chinese_calendar import constants

    years = frozenset(d.year for d in constants.holidays)
    special = {d: False for d in constants.holidays if d.weekday() < 5}
    special.update({d: True for d in constants.workdays if d.weekday() >= 5})
    return years, special


@dataclass(frozen=True)
class WorkingCalendar:
    """Working days from built-in data plus imported overrides (date → True for working, False for off)."""

    overrides: Mapping[date, bool] = field(default_factory=dict)
    imported_years: frozenset[int] = frozenset()
    builtin_years: frozenset[int] = frozenset()
    builtin_special: Mapping[date, bool] = field(default_factory=dict)
    _cum: dict[int, tuple[int, ...]] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def builtin(
        cls, overrides: Mapping[date, bool] | None = None, years: frozenset[int] = frozenset()
    ) -> WorkingCalendar:
        b_years, b_special = _builtin()
        return cls(dict(overrides or {}), years, b_years, b_special)

    @property
    def known_years(self) -> frozenset[int]:
        return self.builtin_years | self.imported_years

    def knows(self, year: int) -> bool:
        return year in self.known_years

    def is_working_day(self, d: date) -> bool:
        """Whether ``d`` is a working day; raises CalendarYearUnknown for a year with no data."""
        if d in self.overrides:
            return self.overrides[d]
        if not self.knows(d.year):
            raise CalendarYearUnknown(d.year)
        special = self.builtin_special.get(d) if d.year in self.builtin_years else None
        if special is not None:
            return special
        return d.weekday() < 5

    def _cumulative(self, year: int) -> tuple[int, ...]:
        """cum[i] = working days among the first i days of ``year`` (cum[0] = 0)."""
        cached = self._cum.get(year)
        if cached is None:
            first = date(year, 1, 1)
            days = (date(year + 1, 1, 1) - first).days
            flags = (1 if self.is_working_day(first + timedelta(days=i)) else 0 for i in range(days))
            cached = self._cum[year] = (0, *accumulate(flags))
        return cached

    def working_days_between(self, a: date, b: date) -> int:
        """Working days in (a, b]; negative when b < a."""
        if b < a:
            return -self.working_days_between(b, a)
        total = 0
        for year in range(a.year, b.year + 1):
            cum = self._cumulative(year)
            lo = a.timetuple().tm_yday if year == a.year else 0
            hi = b.timetuple().tm_yday if year == b.year else len(cum) - 1
            total += cum[hi] - cum[lo]
        return total

    def add_working_days(self, start: date, n: int) -> date:
        """The n-th working day after ``start`` (n ≥ 0; the start day is not counted)."""
        if n < 0:
            raise ValueError("n 必须是非负整数")
        d = start
        while n > 0:
            d += timedelta(days=1)
            if self.is_working_day(d):
                n -= 1
        return d

    def next_working_day(self, d: date) -> date:
        """``d`` itself when it is a working day, else the first working day after it."""
        while not self.is_working_day(d):
            d += timedelta(days=1)
        return d


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
