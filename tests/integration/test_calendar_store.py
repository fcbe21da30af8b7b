"""Importing holiday arrangements into the database: known years, re-imports, rejected files, the audit log."""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import func, select

from zhengwu.core.audit.service import verify
from zhengwu.core.audit.tables import AuditEntry
from zhengwu.core.calendar.model import CalendarYearUnknown
from zhengwu.core.calendar.service import ImportResult, import_holidays, load_calendar, parse_holiday_csv
from zhengwu.core.calendar.tables import CalendarDay, CalendarYear
from zhengwu.core.db import Actor, Database
from zhengwu.core.imports import ImportRejected

ADMIN = Actor(None, "节假日管理员")

# A fictional 2027 arrangement for tests only (NOT an official notice): New Year's Day off, Spring Festival
# 6–12 February off with Sunday 14 February worked.
CSV_2027 = """date,kind,name
2027-01-01,holiday,元旦（测试用虚构安排）
2027-02-06,holiday,春节（测试用虚构安排）
2027-02-07,holiday,春节（测试用虚构安排）
2027-02-08,holiday,春节（测试用虚构安排）
2027-02-09,holiday,春节（测试用虚构安排）
2027-02-10,holiday,春节（测试用虚构安排）
2027-02-11,holiday,春节（测试用虚构安排）
2027-02-12,holiday,春节（测试用虚构安排）
2027-02-14,workday,春节调休上班（测试用虚构安排）
"""


def import_csv(db: Database, text: str, source: str = "测试文件.csv") -> ImportResult:
    with db.uow(ADMIN) as uow:
        result = import_holidays(uow, parse_holiday_csv(text), source)
        uow.commit()
    return result


def counts(db: Database) -> tuple[int, int, int]:
    with db.reading() as s:
        return (
            s.scalar(select(func.count()).select_from(CalendarDay)) or 0,
            s.scalar(select(func.count()).select_from(CalendarYear)) or 0,
            s.scalar(select(func.count()).select_from(AuditEntry)) or 0,
        )


def test_before_any_import_2027_is_unknown_to_the_loaded_calendar(db: Database) -> None:
    with db.reading() as s:
        cal = load_calendar(s)
    assert not cal.knows(2027)
    with pytest.raises(CalendarYearUnknown, match="2027"):
        cal.add_working_days(date(2026, 12, 25), 10)


def test_importing_a_csv_makes_its_year_known_to_the_loaded_calendar(db: Database) -> None:
    result = import_csv(db, CSV_2027)
    assert result == ImportResult((2027,), 9, 0)
    with db.reading() as s:
        cal = load_calendar(s)
        year = s.get(CalendarYear, 2027)
    assert cal.knows(2027)
    assert year is not None and year.source == "测试文件.csv"
    assert not cal.is_working_day(date(2027, 2, 8))  # a Monday made a holiday
    assert cal.is_working_day(date(2027, 2, 14))  # a Sunday made a working day
    # 28–31 Dec 2026 (4), 1 Jan 2027 off, 4–8 Jan (5), 11 Jan → the 10th working day.
    assert cal.add_working_days(date(2026, 12, 25), 10) == date(2027, 1, 11)


def test_reimporting_a_year_updates_its_days_rather_than_duplicating_them(db: Database) -> None:
    import_csv(db, CSV_2027)
    corrected = CSV_2027.replace("2027-02-14,workday,春节调休上班", "2027-02-14,workday,春节调休上班（已更正）")
    import_csv(db, corrected, "更正.csv")
    with db.reading() as s:
        assert s.scalar(select(func.count()).select_from(CalendarDay)) == 9
        assert s.scalar(select(func.count()).select_from(CalendarYear)) == 1
        day = s.get(CalendarDay, date(2027, 2, 14))
        year = s.get(CalendarYear, 2027)
    assert day is not None and "已更正" in day.name
    assert year is not None and year.source == "更正.csv"


def test_reimporting_a_year_drops_the_days_the_corrected_file_no_longer_lists(db: Database) -> None:
    import_csv(db, CSV_2027)
    without_12_feb = "\n".join(line for line in CSV_2027.splitlines() if not line.startswith("2027-02-12"))
    result = import_csv(db, without_12_feb)
    assert result.removed == 1
    with db.reading() as s:
        cal = load_calendar(s)
    assert cal.is_working_day(date(2027, 2, 12))  # a Friday again


def test_importing_one_year_leaves_the_imported_days_of_other_years_alone(db: Database) -> None:
    import_csv(db, CSV_2027)
    import_csv(db, "date,kind,name\n2028-01-03,holiday,元旦（测试用虚构安排）\n")
    with db.reading() as s:
        cal = load_calendar(s)
    assert cal.known_years >= {2027, 2028}
    assert not cal.is_working_day(date(2027, 1, 1))
    assert not cal.is_working_day(date(2028, 1, 3))


def test_imported_days_beat_the_built_in_data(db: Database) -> None:
    # Built in (国办发明电〔2023〕7号): Saturday 12 October 2024 is a swapped working day.
    import_csv(db, "date,kind,name\n2024-10-12,holiday,测试：改为休息\n")
    with db.reading() as s:
        cal = load_calendar(s)
    assert not cal.is_working_day(date(2024, 10, 12))
    assert cal.is_working_day(date(2024, 9, 29))  # other built-in exceptions of 2024 still hold


BAD_ROWS = """date,kind,name
2027-01-01,holiday,元旦
2027-02-30,holiday,不存在的日期
2027-02-06,rest,错误的类型
2027-01-01,workday,重复的日期
2027-02-07,holiday,正常行
"""


def test_an_invalid_csv_is_rejected_listing_every_bad_row_with_its_field_and_nothing_is_written(db: Database) -> None:
    import_csv(db, CSV_2027)
    before = counts(db)
    with pytest.raises(ImportRejected) as info, db.uow(ADMIN) as uow:
        import_holidays(uow, parse_holiday_csv(BAD_ROWS), "坏文件.csv")
        uow.commit()
    assert [(e.row, e.field) for e in info.value.errors] == [(3, "date"), (4, "kind"), (5, "date")]
    assert "第 5 行" in str(info.value) and "与第 2 行日期重复" in info.value.errors[2].reason
    assert counts(db) == before


@pytest.mark.parametrize(
    ("text", "row", "field"),
    [
        ("day,type,title\n2027-01-01,holiday,元旦\n", 1, "表头"),
        ("", 1, "表头"),
        ("\ufeff \n", 1, "表头"),
        ("date,kind,name\n", 2, "date"),
        ("date,kind,name\n2207-01-01,holiday,年份笔误\n", 2, "date"),
        ("date,kind,name\n2027-01-01,holiday," + "长" * 65 + "\n", 2, "name"),
    ],
    ids=["wrong header", "empty file", "only a byte-order mark", "header only", "year out of range", "long name"],
)
def test_a_malformed_file_is_rejected_naming_the_row_and_field_and_nothing_is_written(
    db: Database, text: str, row: int, field: str
) -> None:
    before = counts(db)
    with pytest.raises(ImportRejected) as info:
        import_csv(db, text)
    assert [(e.row, e.field) for e in info.value.errors] == [(row, field)]
    assert counts(db) == before


def test_dates_as_excel_saves_them_are_accepted() -> None:
    rows = parse_holiday_csv("\ufeffDate,Kind,Name\n2027/1/1,Holiday,元旦\n2027-2-14,workday,调休\n")
    assert [(r.day, r.kind.value) for r in rows] == [(date(2027, 1, 1), "holiday"), (date(2027, 2, 14), "workday")]


def test_the_import_is_recorded_in_the_audit_log_with_the_actor_and_the_source(db: Database) -> None:
    import_csv(db, CSV_2027, "2027年安排.csv")
    with db.reading() as s:
        entries = list(s.scalars(select(AuditEntry).order_by(AuditEntry.id)))
        chain = verify(s)
    mine = [e for e in entries if e.actor_name == ADMIN.name]
    event = next(e for e in mine if e.action == "import")
    assert event.table_name == "calendar_years" and event.row_id == "2027"
    assert json.loads(event.after or "{}") == {"source": "2027年安排.csv", "days": 9, "removed": 0, "years": [2027]}
    inserted = {e.row_id for e in mine if e.action == "insert" and e.table_name == "calendar_days"}
    assert "2027-02-14" in inserted and len(inserted) == 9
    assert any(e.action == "insert" and e.table_name == "calendar_years" for e in mine)
    assert chain.broken is None
