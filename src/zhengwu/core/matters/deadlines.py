"""Deadline arithmetic (pure): when a time limit falls due, how pauses and extensions move it, and its light.

Conventions (all documented here, tested in tests/unit/test_deadlines.py):

* Instants are timezone-aware; the calendar is read in the local time zone passed as ``tz``.
* **Working days**: the limit falls due at the end (23:59:59.999999 local) of ``add_working_days(start date, n)``.
  A matter received on a Saturday with 1 working day is due at the end of Monday.
* **Natural days**: due at the end of the local day ``start date + n``.
* **Working hours**: office time only, by default 09:00–12:00 and 13:00–17:00 on working days; the limit falls due
  at the instant the n-th office hour ends.
* **Pauses** do not count: a pause of k working days (counted in (pause start date, pause end date]) adds k working
  days; for natural days the paused duration is added; for working hours the office time inside the pause is.
* **Extensions** add their approved amount, in the limit's own unit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo

from zhengwu.core.calendar.model import WorkingCalendar
from zhengwu.core.matters.model import Light, LimitUnit

OFFICE_HOURS: tuple[tuple[time, time], ...] = ((time(9, 0), time(12, 0)), (time(13, 0), time(17, 0)))
END_OF_DAY = time(23, 59, 59, 999999)


@dataclass(frozen=True)
class Span:
    """A pause: ``end`` is None while it lasts."""

    start: datetime
    end: datetime | None


def end_of(day: date, tz: tzinfo) -> datetime:
    return datetime.combine(day, END_OF_DAY, tzinfo=tz)


def _office_intervals(day: date, tz: tzinfo, hours: Sequence[tuple[time, time]]) -> list[tuple[datetime, datetime]]:
    return [(datetime.combine(day, a, tzinfo=tz), datetime.combine(day, b, tzinfo=tz)) for a, b in hours]


def add_working_hours(
    cal: WorkingCalendar, start: datetime, hours: float, tz: tzinfo, office: Sequence[tuple[time, time]] = OFFICE_HOURS
) -> datetime:
    """The instant at which ``hours`` of office time have passed since ``start``.

    >>> from zoneinfo import ZoneInfo
    >>> tz = ZoneInfo("Asia/Shanghai")
    >>> cal = WorkingCalendar.builtin()
    >>> add_working_hours(cal, datetime(2024, 9, 30, 16, 0, tzinfo=tz), 2, tz).isoformat()   # over National Day
    '2024-10-08T10:00:00+08:00'
    """
    left = timedelta(hours=hours)
    moment = start.astimezone(tz)
    day = moment.date()
    while True:
        if cal.is_working_day(day):
            for a, b in _office_intervals(day, tz, office):
                begin = max(a, moment)
                if begin >= b:
                    continue
                if b - begin >= left:
                    return begin + left
                left -= b - begin
        day += timedelta(days=1)
        moment = datetime.combine(day, time(0), tzinfo=tz)


def working_hours_between(
    cal: WorkingCalendar, a: datetime, b: datetime, tz: tzinfo, office: Sequence[tuple[time, time]] = OFFICE_HOURS
) -> float:
    """Office hours inside [a, b)."""
    if b <= a:
        return 0.0
    total = timedelta()
    day = a.astimezone(tz).date()
    last = b.astimezone(tz).date()
    while day <= last:
        if cal.is_working_day(day):
            for x, y in _office_intervals(day, tz, office):
                lo, hi = max(x, a), min(y, b)
                if hi > lo:
                    total += hi - lo
        day += timedelta(days=1)
    return total.total_seconds() / 3600


def due_at(
    cal: WorkingCalendar,
    start: datetime,
    amount: float,
    unit: LimitUnit,
    tz: tzinfo,
    pauses: Sequence[Span] = (),
    now: datetime | None = None,
) -> datetime:
    """When a limit of ``amount`` ``unit`` started at ``start`` falls due, pauses counted out.

    An ongoing pause is counted up to ``now`` (so the figure shown while paused keeps moving).

    >>> from zoneinfo import ZoneInfo
    >>> tz = ZoneInfo("Asia/Shanghai")
    >>> cal = WorkingCalendar.builtin()
    >>> due_at(cal, datetime(2024, 9, 30, 10, tzinfo=tz), 5, LimitUnit.WORKING_DAYS, tz).isoformat()
    '2024-10-12T23:59:59.999999+08:00'
    """
    closed = [(p.start, p.end if p.end is not None else (now or p.start)) for p in pauses]
    local_start = start.astimezone(tz)
    if unit is LimitUnit.WORKING_DAYS:
        extra = sum(cal.working_days_between(ps.astimezone(tz).date(), pe.astimezone(tz).date()) for ps, pe in closed)
        return end_of(cal.add_working_days(local_start.date(), int(amount) + extra), tz)
    if unit is LimitUnit.NATURAL_DAYS:
        paused = sum((pe - ps for ps, pe in closed), timedelta())
        return end_of(local_start.date() + timedelta(days=int(amount)), tz) + paused
    paused_hours = sum(working_hours_between(cal, ps, pe, tz) for ps, pe in closed)
    return add_working_hours(cal, local_start, amount + paused_hours, tz)


def light(
    cal: WorkingCalendar,
    due: datetime,
    now: datetime,
    unit: LimitUnit,
    amount: float,
    tz: tzinfo,
    *,
    met: bool = False,
    paused: bool = False,
) -> Light:
    """Green, yellow (due soon), red (overdue), done or paused, derived at read time.

    Yellow means: for working days, the due date is today or the next working day; for natural days, less than a
    day is left; for working hours, at most a quarter of the limit (and at least one hour) is left.

    >>> from zoneinfo import ZoneInfo
    >>> tz = ZoneInfo("Asia/Shanghai")
    >>> cal = WorkingCalendar.builtin()
    >>> due = end_of(date(2024, 10, 12), tz)
    >>> [light(cal, due, datetime(2024, 10, d, 9, tzinfo=tz), LimitUnit.WORKING_DAYS, 5, tz).value for d in (8, 11, 13)]
    ['green', 'yellow', 'red']
    """
    if met:
        return Light.DONE
    if paused:
        return Light.PAUSED
    if now > due:
        return Light.RED
    if unit is LimitUnit.WORKING_DAYS:
        today, due_day = now.astimezone(tz).date(), due.astimezone(tz).date()
        return Light.YELLOW if cal.working_days_between(today, due_day) <= 1 else Light.GREEN
    if unit is LimitUnit.NATURAL_DAYS:
        return Light.YELLOW if due - now <= timedelta(days=1) else Light.GREEN
    left = working_hours_between(cal, now, due, tz)
    return Light.YELLOW if left <= max(1.0, amount / 4) else Light.GREEN
