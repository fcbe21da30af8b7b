"""Calendar use cases: load the calendar with its overrides; validate and import a holiday CSV."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from zhengwu.core.calendar.model import DayKind, WorkingCalendar
from zhengwu.core.calendar.tables import CalendarDay, CalendarYear
from zhengwu.core.db import UnitOfWork
from zhengwu.core.imports import ImportRejected, RowError

CSV_COLUMNS = ("date", "kind", "name")


def load_calendar(session: Session) -> WorkingCalendar:
    """The working calendar: built-in data plus every imported override."""
    overrides = {d.day: d.kind == DayKind.WORKDAY for d in session.scalars(select(CalendarDay))}
    years = frozenset(session.scalars(select(CalendarYear.year)))
    return WorkingCalendar.builtin(overrides, years)


@dataclass(frozen=True)
class HolidayRow:
    day: date
    kind: DayKind
    name: str


def parse_holiday_csv(text: str) -> list[HolidayRow]:
    """Validate a CSV with columns ``date,kind,name`` (kind ``holiday`` or ``workday``) in full.

    Raises ImportRejected listing every bad row; the header is row 1.

    >>> parse_holiday_csv("date,kind,name\\n2027-01-01,holiday,元旦\\n")[0].kind
    <DayKind.HOLIDAY: 'holiday'>
    >>> parse_holiday_csv("date,kind,name\\n2027-02-30,rest,\\n")
    Traceback (most recent call last):
    ...
    zhengwu.core.imports.ImportRejected: 导入失败，未写入任何数据：第 2 行，字段“date”：...
    """
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    header = [h.strip().lower() for h in next(reader, [])]
    if tuple(header[:3]) != CSV_COLUMNS:
        raise ImportRejected([RowError(1, "表头", "表头必须是 date,kind,name")])
    rows: list[HolidayRow] = []
    errors: list[RowError] = []
    seen: dict[date, int] = {}
    for lineno, raw in enumerate(reader, start=2):
        if not any(c.strip() for c in raw):
            continue
        cells = [*raw, "", "", ""][:3]
        day_text, kind_text, name = (c.strip() for c in cells)
        try:
            day = date.fromisoformat(day_text)
        except ValueError:
            errors.append(RowError(lineno, "date", f"“{day_text}”不是有效日期，应为 YYYY-MM-DD"))
            day = None
        if kind_text not in (DayKind.HOLIDAY, DayKind.WORKDAY):
            errors.append(RowError(lineno, "kind", f"“{kind_text}”无效，应为 holiday（放假）或 workday（调休上班）"))
        if len(name) > 64:
            errors.append(RowError(lineno, "name", "名称不能超过 64 个字"))
        if day is not None:
            if day in seen:
                errors.append(RowError(lineno, "date", f"与第 {seen[day]} 行日期重复"))
            seen[day] = lineno
            if kind_text in (DayKind.HOLIDAY, DayKind.WORKDAY) and not errors:
                rows.append(HolidayRow(day, DayKind(kind_text), name))
    if errors:
        raise ImportRejected(errors)
    if not rows:
        raise ImportRejected([RowError(2, "date", "文件中没有数据行")])
    return rows


@dataclass(frozen=True)
class ImportResult:
    years: tuple[int, ...]
    days: int


def import_holidays(uow: UnitOfWork, rows: list[HolidayRow], source: str) -> ImportResult:
    """Write validated rows; each year present becomes known (its other days follow the weekend rule)."""
    session = uow.session
    now = uow.clock.now()
    for r in rows:
        existing = session.get(CalendarDay, r.day)
        if existing is None:
            session.add(CalendarDay(day=r.day, kind=r.kind.value, name=r.name))
        else:
            existing.kind, existing.name = r.kind.value, r.name
    years = sorted({r.day.year for r in rows})
    for y in years:
        entry = session.get(CalendarYear, y)
        if entry is None:
            session.add(CalendarYear(year=y, imported_at=now, source=source[:128]))
        else:
            entry.imported_at, entry.source = now, source[:128]
    return ImportResult(tuple(years), len(rows))
