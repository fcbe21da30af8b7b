"""``tick`` on a frozen clock: every warning, reminder, escalation and missed-report notice is emitted once and only
once, to the right unit, however often the tick runs.

Dates: 2024 National Day (1–7 Oct off; Sun 29 Sep and Sat 12 Oct worked) per 国办发明电〔2023〕7号. The matters are
of the three-step test kind: sign for within 1 working day of receipt, handle within 5 working days of signing.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

import pytest
from sqlalchemy import select

from tests.conftest import unit_id
from tests.support.supervision_people import SYSTEM, add_people, at, open_matter, resolve
from tests.support.three_step import KIND
from zhengwu.core.clock import FakeClock
from zhengwu.core.db import Database
from zhengwu.core.matters import service, supervision
from zhengwu.core.matters.tables import MatterEvent, MatterNotice
from zhengwu.core.matters.tick import TickResult, tick
from zhengwu.core.org.model import Principal, system_principal


@pytest.fixture
def people(db: Database) -> dict[str, Principal]:
    return add_people(db)


def run(db: Database, clock: FakeClock, when: datetime) -> dict[str, int]:
    """Tick at ``when``; the kinds of notice emitted (zeros left out)."""
    clock.set(when)
    with db.uow(SYSTEM) as uow:
        result = tick(uow, clock.now())
        uow.commit()
    return {kind: n for kind, n in result.counts.items() if n}


def notices(db: Database) -> list[tuple[str, str, str]]:
    """(key, kind, unit code) of every notice, in the order emitted."""
    codes = {unit_id(db, c): c for c in ("fh-gl", "fh-jw", "xx-jw")}
    with db.reading() as s:
        rows = s.scalars(select(MatterNotice).order_by(MatterNotice.id))
        return [(n.key, n.kind, codes[n.unit_id]) for n in rows]


def notice_events(db: Database, matter_id: int) -> list[tuple[str, dict[str, Any]]]:
    with db.reading() as s:
        stmt = select(MatterEvent).where(MatterEvent.matter_id == matter_id).order_by(MatterEvent.id)
        return [(e.action, json.loads(e.data)) for e in s.scalars(stmt) if e.action.startswith("notice_")]


def list_it(db: Database, who: Principal, matter_id: int, **kw: Any) -> int:
    fields: dict[str, Any] = {
        "supervising_unit_id": unit_id(db, "fh-jw"),
        "letter_no": "凤纪督〔2024〕12号",
        "level": "县级挂牌督办",
        "requirements": "限期处置并报送结果",
        **kw,
    }
    with db.uow(SYSTEM) as uow:
        listing = supervision.list_for_supervision(uow, who, KIND, matter_id, **fields)
        uow.commit()
    return listing.id


def test_a_deadline_warns_once_when_it_turns_yellow_and_once_when_it_turns_red(
    db: Database, clock: FakeClock, people: dict[str, Principal]
) -> None:
    clock.set(at(2024, 9, 30))
    mid = open_matter(db, people)  # signed for at once; handle by the end of Saturday 12 Oct
    timeline = [
        (at(2024, 9, 30, 11), {}),
        (at(2024, 10, 8), {}),
        (at(2024, 10, 11, 9), {"due_soon": 1}),  # one working day left
        (at(2024, 10, 11, 9), {}),  # the same instant again
        (at(2024, 10, 11, 16), {}),
        (at(2024, 10, 12, 23, 59), {}),
        (at(2024, 10, 13, 0, 1), {"overdue": 1}),
        (at(2024, 10, 13, 0, 1), {}),
        (at(2024, 10, 14), {}),
        (at(2024, 10, 21), {}),
    ]
    assert [run(db, clock, when) for when, _ in timeline] == [emitted for _, emitted in timeline]
    with db.reading() as s:
        deadline = next(d for d in service.running(s, service.load(s, people["s_clerk"], KIND, mid)))
    assert notices(db) == [
        (f"deadline:{deadline.id}:due_soon", "due_soon", "fh-gl"),
        (f"deadline:{deadline.id}:overdue", "overdue", "fh-gl"),
    ]
    assert [a for a, _ in notice_events(db, mid)] == ["notice_due_soon", "notice_overdue"]


def test_a_deadline_first_seen_red_gets_only_the_overdue_notice(
    db: Database, clock: FakeClock, people: dict[str, Principal]
) -> None:
    clock.set(at(2024, 6, 17))  # Monday; the sign-for limit runs out at the end of Tuesday 18 June
    open_matter(db, people, accept=False)
    assert run(db, clock, at(2024, 6, 19)) == {"overdue": 1}
    assert run(db, clock, at(2024, 6, 20)) == {}


def test_the_sign_for_deadline_is_due_soon_from_receipt(
    db: Database, clock: FakeClock, people: dict[str, Principal]
) -> None:
    open_matter(db, people, accept=False)  # Thursday 20 June 2024; sign for by the end of Friday
    assert run(db, clock, at(2024, 6, 20, 9, 5)) == {"due_soon": 1}
    open_matter(db, people)  # signed for at once: no sign-for warning, and 5 working days to handle
    assert run(db, clock, at(2024, 6, 20, 9, 10)) == {}


def test_a_met_or_paused_deadline_is_not_warned_about_until_it_runs_again(
    db: Database, clock: FakeClock, people: dict[str, Principal]
) -> None:
    clock.set(at(2024, 6, 17))  # Monday: handle by the end of Monday 24 June
    done, paused = open_matter(db, people), open_matter(db, people, title="S308 边坡落石")
    resolve(db, people, done)
    with db.uow(SYSTEM) as uow:
        service.pause(uow, people["s_county"], KIND, paused, "等待地勘报告")
        uow.commit()
    assert run(db, clock, at(2024, 6, 25)) == {}
    clock.set(at(2024, 6, 26))  # paused over 18–26 June: 7 working days; now due the end of Wednesday 3 July
    with db.uow(SYSTEM) as uow:
        service.resume(uow, people["s_county"], KIND, paused)
        uow.commit()
    assert run(db, clock, at(2024, 7, 1)) == {}
    assert run(db, clock, at(2024, 7, 2)) == {"due_soon": 1}
    assert run(db, clock, at(2024, 7, 4)) == {"overdue": 1}


def test_a_deadline_that_fell_due_before_the_lookback_is_not_announced(
    db: Database, clock: FakeClock, people: dict[str, Principal]
) -> None:
    clock.set(at(2024, 6, 17))
    open_matter(db, people)  # due the end of Monday 24 June
    assert run(db, clock, at(2024, 7, 25)) == {}  # 31 days late: history, not news
    assert run(db, clock, at(2024, 7, 26)) == {}


def test_the_escalation_ladder_fires_each_step_once_on_its_working_day(
    db: Database, clock: FakeClock, people: dict[str, Principal]
) -> None:
    clock.set(at(2024, 9, 26))  # Thursday
    mid = open_matter(db, people)  # handle by the end of Wednesday 9 Oct (27, 29, 30 Sep, 8, 9 Oct)
    lid = list_it(db, people["s_county"], mid, due_at=date(2024, 9, 30))
    timeline = [
        (at(2024, 9, 27), {}),
        (at(2024, 9, 29, 0, 1), {"reminder": 1}),  # the working Sunday, 1 working day before the deadline
        (at(2024, 9, 29, 17), {}),
        (at(2024, 9, 30), {}),
        (at(2024, 10, 1), {}),  # the holiday: nothing is urged yet
        (at(2024, 10, 7, 23), {}),
        (at(2024, 10, 8, 8), {"urging": 1, "due_soon": 1}),  # the first working day after; handle due tomorrow
        (at(2024, 10, 8, 9), {}),
        (at(2024, 10, 10), {"overdue": 1}),
        (at(2024, 10, 11), {}),
        (at(2024, 10, 12, 7), {"criticism": 1}),  # the 5th working day late is the working Saturday
        (at(2024, 10, 14), {}),
        (at(2024, 11, 30), {}),
    ]
    assert [run(db, clock, when) for when, _ in timeline] == [emitted for _, emitted in timeline]
    told = [(k, kind, unit) for k, kind, unit in notices(db) if k.startswith("listing:")]
    assert told == [
        (f"listing:{lid}:reminder:-1", "reminder", "fh-gl"),
        (f"listing:{lid}:urging:1", "urging", "fh-gl"),
        (f"listing:{lid}:urging:1:copy", "urging", "fh-jw"),  # the supervising unit keeps a copy of what it issued
        (f"listing:{lid}:criticism:5", "criticism", "fh-gl"),
        (f"listing:{lid}:criticism:5:copy", "criticism", "fh-jw"),
    ]
    events = notice_events(db, mid)  # copies add nothing to the history
    assert [a for a, _ in events] == [
        "notice_reminder",
        "notice_due_soon",
        "notice_urging",
        "notice_overdue",
        "notice_criticism",
    ]
    assert events[2][1] == {
        "key": f"listing:{lid}:urging:1",
        "listing_id": lid,
        "units": [unit_id(db, "fh-gl"), unit_id(db, "fh-jw")],
    }


def test_a_resolved_matter_is_no_longer_urged_and_a_signed_off_listing_is_quiet(
    db: Database, clock: FakeClock, people: dict[str, Principal]
) -> None:
    clock.set(at(2024, 9, 26))
    mid = open_matter(db, people)
    lid = list_it(db, people["s_county"], mid, due_at=date(2024, 9, 30), report_every=1)
    assert run(db, clock, at(2024, 9, 29)) == {"reminder": 1, "report_due": 1}  # report due 27 Sep, missed
    clock.set(at(2024, 9, 30, 15))
    resolve(db, people, mid)
    assert run(db, clock, at(2024, 10, 14)) == {}  # resolved: no urging, no criticism, no report demands
    with db.uow(SYSTEM) as uow:
        supervision.sign_off(uow, people["s_county"], lid, "同意销号")
        uow.commit()
    with db.uow(SYSTEM) as uow:
        service.act(uow, system_principal(), KIND, mid, "reopen", note="复查发现仍有积水")
        uow.commit()
    assert run(db, clock, at(2024, 10, 15)) == {}  # reopened after the sign-off: the listing stays signed off


def test_a_missed_report_is_demanded_once_per_reporting_period(
    db: Database, clock: FakeClock, people: dict[str, Principal]
) -> None:
    clock.set(at(2024, 9, 27))  # Friday: handle by the end of 10 Oct; report every 2 working days: 30 Sep, 9 Oct …
    mid = open_matter(db, people)
    lid = list_it(db, people["s_county"], mid, due_in=20, report_every=2, ladder="[]")
    before = [
        (at(2024, 9, 30, 17), {}),  # due today, not missed yet
        (at(2024, 10, 1), {"report_due": 1}),  # 30 Sep ended without a report
        (at(2024, 10, 7), {}),
        (at(2024, 10, 8), {}),
    ]
    assert [run(db, clock, when) for when, _ in before] == [emitted for _, emitted in before]
    with db.uow(SYSTEM) as uow:
        supervision.file_report(uow, people["s_handler"], lid, "已完成路面处置方案")  # 8 Oct: next due end of 10 Oct
        uow.commit()
    after = [
        (at(2024, 10, 9), {"due_soon": 1}),  # the matter's own limit (end of 10 Oct); 9 Oct is no longer demanded
        (at(2024, 10, 10, 17), {}),
        (at(2024, 10, 11), {"overdue": 1, "report_due": 1}),
        (at(2024, 10, 16), {"report_due": 2}),  # 12 Oct (a working Saturday) and 15 Oct went by, unticked
        (at(2024, 10, 16), {}),
    ]
    assert [run(db, clock, when) for when, _ in after] == [emitted for _, emitted in after]
    keys = [k for k, kind, _ in notices(db) if kind == "report_due"]
    assert keys == [f"listing:{lid}:report_due:{d}" for d in ("2024-09-30", "2024-10-10", "2024-10-12", "2024-10-15")]


def test_a_day_in_a_year_the_calendar_does_not_know_is_skipped_and_named_not_guessed(
    db: Database, clock: FakeClock, people: dict[str, Principal]
) -> None:
    clock.set(at(2026, 12, 28))
    mid = open_matter(db, people, accept=False)  # sign for by the end of 29 Dec 2026
    list_it(db, people["s_county"], mid, due_at=date(2027, 1, 20))
    clock.set(at(2026, 12, 29))
    with db.uow(SYSTEM) as uow:
        result: TickResult = tick(uow, clock.now())
        uow.commit()
    assert result.counts["due_soon"] == 1 and result.total == 1
    assert len(result.skipped) == 1 and "凤纪督〔2024〕12号" in result.skipped[0] and "2027" in result.skipped[0]
