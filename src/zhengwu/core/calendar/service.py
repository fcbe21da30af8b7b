"""Calendar use cases: load the calendar with its overrides; validate and import a holiday CSV."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from zhengwu.core.audit.service import record
from zhengwu.core.calendar.model import DayKind, WorkingCalendar
from zhengwu.core.calendar.tables import CalendarDay, CalendarYear
from zhengwu.core.db import UnitOfWork
from zhengwu.core.imports import ImportRejected, RowError

CSV_COLUMNS = ("date", "kind", "name")
#: Years an import may name; anything else is a typo (2207 for 2027) that would otherwise become a "known" year.
YEARS = range(2000, 2100)
NAME_MAX = 64
# YYYY-MM-DD, and the YYYY/M/D that Excel on Chinese Windows writes when it saves a CSV it opened.
_DATE = re.compile(r"(\d{4})([-/])(\d{1,2})\2(\d{1,2})")


#: Calendars already built, by their overrides and imported years: a calendar is immutable once built, and keeping
#: it keeps the per-year working-day tables it computed, which every deadline computation would otherwise redo.
_BUILT: dict[tuple[frozenset[tuple[date, bool]], frozenset[int]], WorkingCalendar] = {}
_BUILT_MAX = 16


def load_calendar(session: Session) -> WorkingCalendar:
    """The working calendar: built-in data plus every imported override (read each time, built once per content)."""
    overrides = {d.day: d.kind == DayKind.WORKDAY for d in session.scalars(select(CalendarDay))}
    years = frozenset(session.scalars(select(CalendarYear.year)))
    key = (frozenset(overrides.items()), years)
    found = _BUILT.get(key)
    if found is None:
        if len(_BUILT) >= _BUILT_MAX:
            _BUILT.clear()
        found = _BUILT[key] = WorkingCalendar.builtin(overrides, years)
    return found


@dataclass(frozen=True)
class HolidayRow:
    day: date
    kind: DayKind
    name: str


def _parse_day(text: str) -> date | None:
    m = _DATE.fullmatch(text)
    if m is None:
        return None
    try:
        return date(int(m[1]), int(m[3]), int(m[4]))
    except ValueError:
        return None


def parse_holiday_csv(text: str) -> list[HolidayRow]:
    """Validate a CSV with columns ``date,kind,name`` (kind ``holiday`` or ``workday``) in full.

    Raises ImportRejected listing every bad row; the header is row 1. Dates are ``YYYY-MM-DD`` (``YYYY/M/D`` as
    Excel saves them is accepted too).

    >>> parse_holiday_csv("date,kind,name\\n2027-01-01,holiday,元旦\\n")[0].kind
    <DayKind.HOLIDAY: 'holiday'>
    >>> parse_holiday_csv("date,kind,name\\n2027-02-30,rest,\\n")
    Traceback (most recent call last):
    ...
    zhengwu.core.imports.ImportRejected: 导入失败，未写入任何数据：第 2 行，字段“date”：...
    """
    text = text.lstrip("\ufeff")
    if not text.strip():
        raise ImportRejected([RowError(1, "表头", "文件是空的；第 1 行应为表头 date,kind,name")])
    reader = csv.reader(io.StringIO(text))
    header = [h.strip().lower() for h in next(reader, [])]
    if tuple(header[:3]) != CSV_COLUMNS:
        raise ImportRejected([RowError(1, "表头", f"表头必须是 date,kind,name，实际为“{','.join(header)}”")])
    rows: list[HolidayRow] = []
    errors: list[RowError] = []
    seen: dict[date, int] = {}
    for lineno, raw in enumerate(reader, start=2):
        if not any(c.strip() for c in raw):
            continue
        day_text, kind_text, name = (c.strip() for c in [*raw, "", "", ""][:3])
        day = _parse_day(day_text)
        if day is None:
            errors.append(RowError(lineno, "date", f"“{day_text}”不是有效日期，应为 YYYY-MM-DD"))
        elif day.year not in YEARS:
            errors.append(RowError(lineno, "date", f"年份 {day.year} 超出范围（{YEARS[0]}–{YEARS[-1]}）"))
            day = None
        kind = kind_text.lower()
        if kind not in (DayKind.HOLIDAY, DayKind.WORKDAY):
            errors.append(RowError(lineno, "kind", f"“{kind_text}”无效，应为 holiday（放假）或 workday（调休上班）"))
        if len(name) > NAME_MAX:
            errors.append(RowError(lineno, "name", f"名称不能超过 {NAME_MAX} 个字"))
        if day is not None:
            if day in seen:
                errors.append(RowError(lineno, "date", f"{day.isoformat()} 与第 {seen[day]} 行日期重复"))
            else:
                seen[day] = lineno
            if not errors:
                rows.append(HolidayRow(day, DayKind(kind), name))
    if errors:
        raise ImportRejected(errors)
    if not rows:
        raise ImportRejected([RowError(2, "date", "文件中没有数据行")])
    return rows


@dataclass(frozen=True)
class ImportResult:
    years: tuple[int, ...]
    days: int
    removed: int = 0


def import_holidays(uow: UnitOfWork, rows: list[HolidayRow], source: str) -> ImportResult:
    """Write validated rows as the complete imported arrangement of each year they name.

    Each year present becomes known (its days not listed follow the built-in data, else the weekend rule).
    Importing a year again replaces what was imported for it before: changed days are updated, and days of that
    year the new file no longer lists are removed, so a corrected file leaves no stale holiday behind. The
    import is recorded in the audit log as an event besides the row writes.
    """
    if not rows:
        return ImportResult((), 0)
    session = uow.session
    now = uow.clock.now()
    source = source[:128]
    years = sorted({r.day.year for r in rows})
    listed = {r.day for r in rows}
    in_years = or_(*(CalendarDay.day.between(date(y, 1, 1), date(y, 12, 31)) for y in years))
    existing = {d.day: d for d in session.scalars(select(CalendarDay).where(in_years))}
    stale = [d for day, d in existing.items() if day not in listed]
    for d in stale:
        session.delete(d)
    for r in rows:
        day = existing.get(r.day)
        if day is None:
            session.add(CalendarDay(day=r.day, kind=r.kind.value, name=r.name))
        elif (day.kind, day.name) != (r.kind.value, r.name):
            day.kind, day.name = r.kind.value, r.name
    for y in years:
        entry = session.get(CalendarYear, y)
        if entry is None:
            session.add(CalendarYear(year=y, imported_at=now, source=source))
        else:
            entry.imported_at, entry.source = now, source
    record(
        session,
        "import",
        CalendarYear.__tablename__,
        ",".join(map(str, years))[:64],
        source=source,
        years=years,
        days=len(rows),
        removed=len(stale),
    )
    return ImportResult(tuple(years), len(rows), len(stale))
