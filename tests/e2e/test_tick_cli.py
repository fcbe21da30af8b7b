"""``zhengwu tick``: run from cron on the system clock, it prints what it emitted, and a second run emits nothing.

The command reads the real clock, so the data here is dated relative to the real now: a matter received 30 days
ago, signed for at once (5 working days to handle), listed with 1 working day to go and the default ladder, so by
now its deadline has passed and every rung of the ladder is reached.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from tests.conftest import unit_id
from tests.support.supervision_people import SYSTEM, TZ, add_people, open_matter
from tests.support.three_step import KIND
from zhengwu.cli import app
from zhengwu.core.calendar.model import DayKind
from zhengwu.core.calendar.service import HolidayRow, import_holidays, load_calendar
from zhengwu.core.clock import FakeClock
from zhengwu.core.db import Database
from zhengwu.core.matters import supervision
from zhengwu.core.matters.tables import MatterNotice
from zhengwu.core.org.model import Principal


def run_tick(db_url: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["tick"], env={"ZHENGWU_DATABASE_URL": db_url})
    # Rich may wrap long lines; compare without whitespace.
    return result.exit_code, "".join((result.output + (result.stderr or "")).split())


def know_the_years_around(db: Database, today: date) -> None:
    """Let the calendar count the weeks around ``today`` even in a year the built-in data has not reached (the
    test must not rot when the clock passes the last year chinese-calendar knows): such a year gets an
    arrangement with New Year's Day only, as an administrator's import would give it."""
    with db.reading() as s:
        cal = load_calendar(s)
    unknown = sorted({y for y in range(today.year - 1, today.year + 2) if not cal.knows(y)})
    if unknown:
        with db.uow(SYSTEM) as uow:
            import_holidays(uow, [HolidayRow(date(y, 1, 1), DayKind.HOLIDAY, "元旦") for y in unknown], "测试")
            uow.commit()


@pytest.fixture
def listed(db: Database, clock: FakeClock) -> tuple[int, int]:
    """(matter id, listing id), received 30 days before the real now."""
    now = datetime.now(UTC)
    know_the_years_around(db, now.astimezone(TZ).date())
    clock.set(now - timedelta(days=30))
    people: dict[str, Principal] = add_people(db)
    mid = open_matter(db, people)
    with db.uow(SYSTEM) as uow:
        listing = supervision.list_for_supervision(
            uow,
            people["s_county"],
            KIND,
            mid,
            supervising_unit_id=unit_id(db, "fh-jw"),
            letter_no="凤纪督〔2026〕1号",
            level="县级挂牌督办",
            requirements="限期处置",
            due_in=1,
        )
        uow.commit()
    return mid, listing.id


def count_notices(db: Database) -> int:
    with db.reading() as s:
        return s.scalar(select(func.count()).select_from(MatterNotice)) or 0


def test_tick_prints_what_it_emitted_and_emits_nothing_the_second_time(
    db: Database, db_url: str, listed: tuple[int, int]
) -> None:
    code, out = run_tick(db_url)
    assert code == 0, out
    # The handling limit ran out weeks ago (overdue); reminder, urging and criticism are all due; the last two
    # are copied to the supervising unit.
    assert "共发出4条提醒：即将到期0条，已逾期1条，到期提醒1条，催办通知1条，通报批评1条，进展报送提醒0条" in out
    assert "另抄送督办单位2条" in out
    assert count_notices(db) == 6

    code, out = run_tick(db_url)
    assert code == 0, out
    assert "共发出0条提醒" in out and "抄送" not in out
    assert count_notices(db) == 6


def test_tick_on_an_empty_database_emits_nothing(db_url: str) -> None:
    code, out = run_tick(db_url)
    assert (code, "共发出0条提醒" in out) == (0, True), out
