"""The working-day calendar: ``add_working_days``, ``working_days_between``, ``is_working_day``.

The module-level functions use the built-in data only; services use :func:`load_calendar` (in
``zhengwu.core.calendar.service``) which adds the overrides administrators imported.
"""

from zhengwu.core.calendar.model import (
    CalendarYearUnknown,
    DayKind,
    WorkingCalendar,
    add_working_days,
    default_calendar,
    is_working_day,
    working_days_between,
)

__all__ = [
    "CalendarYearUnknown",
    "DayKind",
    "WorkingCalendar",
    "add_working_days",
    "default_calendar",
    "is_working_day",
    "working_days_between",
]
