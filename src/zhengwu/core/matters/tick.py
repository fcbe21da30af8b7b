"""``zhengwu tick`` (run from cron): emit the due-soon and overdue warnings of running deadlines and the reminders,
escalations and missed-report notices of open supervision listings, each once and only once.

Every notice has a unique ``key``; a key already written is never written again, so the tick may run as often as
wanted (and a run that fails writes nothing: the caller's unit of work commits all or none). Keys:

* ``deadline:{id}:due_soon`` when a running deadline's light turns yellow, ``deadline:{id}:overdue`` when red;
* ``listing:{id}:{step code}:{when}`` for each step of a listing's escalation ladder, from the start of its day;
* ``listing:{id}:report_due:{day}`` for each reporting day that ended without a progress report;
* a copy to the supervising unit adds ``:copy``.

Who is told (``MatterNotice.unit_id``): the owner unit gets every notice (it must act). The supervising unit also
gets a copy of the urging notice and the criticism: they go out in its name, and it circulates the criticism.
Reminders, missed reports and deadline warnings are the owner's business; the supervising side sees missed
reports in ``supervision.reports_due``. Each notice, copies apart, appends an event ``notice_<kind>`` (actor
系统) to the matter's history.

What is looked at (candidates are chosen in SQL, not by loading matters into Python):

* running deadlines (``met_at IS NULL``) of matters not paused and not of a confidential kind (a paused
  deadline's ``due_at`` is not current),
  within the window where the light can be yellow (per unit, from the ``due_at`` index) or already red, and without
  their notice yet; the light itself is then computed by ``deadlines.light``. A deadline red before any tick saw it
  yellow gets only the overdue notice. One that fell due more than ``LOOKBACK`` before the tick is not announced
  any more (history, imported records: the light still shows red). An approved extension does not re-arm the
  due-soon warning of the same deadline.
* open listings of matters not resolved: once the owner has resolved the matter, the ball is with the supervising
  unit (sign-off), so neither escalation nor report demands go out. Listings ignore pauses of the matter: the
  supervising body's deadline is its own. A body lists few matters, so every open listing is read.

A day in a year the working calendar does not know is not guessed: the item is skipped and named in
``TickResult.skipped``; it is emitted by a later tick once the year's arrangement is imported.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo
from typing import Any

from sqlalchemy import String, cast, exists, literal, select
from sqlalchemy.orm import Session

from zhengwu.core.calendar.model import CalendarYearUnknown, WorkingCalendar
from zhengwu.core.calendar.service import load_calendar
from zhengwu.core.db import UnitOfWork
from zhengwu.core.errors import Invalid
from zhengwu.core.matters.deadlines import end_of, light
from zhengwu.core.matters.ladder import StepCode, parse_ladder, reporting_days, step_day
from zhengwu.core.matters.model import Light, LimitUnit
from zhengwu.core.matters.registry import KINDS, confidential_codes
from zhengwu.core.matters.service import DEFAULT_TZ
from zhengwu.core.matters.supervision import LISTED
from zhengwu.core.matters.tables import (
    Matter,
    MatterDeadline,
    MatterEvent,
    MatterNotice,
    SupervisionListing,
    SupervisionReport,
)

#: The kinds of notice, in the order they are reported, with their Chinese names.
NOTICE_KINDS: dict[str, str] = {
    "due_soon": "即将到期",
    "overdue": "已逾期",
    StepCode.REMINDER.value: StepCode.REMINDER.label,
    StepCode.URGING.value: StepCode.URGING.label,
    StepCode.CRITICISM.value: StepCode.CRITICISM.label,
    "report_due": "进展报送提醒",
}
COPIED = frozenset({StepCode.URGING.value, StepCode.CRITICISM.value})
LOOKBACK = timedelta(days=30)
#: How far ahead a working-hour deadline is looked at. Yellow means at most a quarter of the limit is left; ten days
#: hold that quarter for any limit up to ~250 office hours in ordinary weeks and ~32 over the longest
#: holiday. A longer limit is warned late, once it enters the window, never missed.
HOURS_WINDOW = timedelta(days=10)
KEY_CHUNK = 500


@dataclass(frozen=True)
class TickResult:
    """Notices emitted per kind (copies counted apart) and items skipped for want of calendar data."""

    counts: Mapping[str, int]
    copies: int = 0
    skipped: tuple[str, ...] = field(default=())

    @property
    def total(self) -> int:
        return sum(self.counts.values())


class _Emitter:
    def __init__(self, session: Session, now: datetime) -> None:
        self.session, self.now = session, now
        self.counts = dict.fromkeys(NOTICE_KINDS, 0)
        self.copies = 0
        self.skipped: list[str] = []

    def emit(
        self,
        key: str,
        kind: str,
        matter_id: int,
        unit_id: int,
        text: str,
        *,
        listing_id: int | None = None,
        copy_to: int | None = None,
    ) -> None:
        notice = dict(matter_id=matter_id, listing_id=listing_id, kind=kind, at=self.now, text=text)
        self.session.add(MatterNotice(key=key, unit_id=unit_id, **notice))
        units = [unit_id]
        if copy_to is not None and copy_to != unit_id:
            self.session.add(MatterNotice(key=f"{key}:copy", unit_id=copy_to, **notice))
            self.copies += 1
            units.append(copy_to)
        data = {"key": key, "units": units, "listing_id": listing_id}
        self.session.add(
            MatterEvent(
                matter_id=matter_id,
                at=self.now,
                actor_id=None,
                actor_name="系统",
                action=f"notice_{kind}",
                note=text,
                data=json.dumps(data, ensure_ascii=False, sort_keys=True),
            )
        )
        self.counts[kind] += 1

    def result(self) -> TickResult:
        return TickResult(dict(self.counts), self.copies, tuple(self.skipped))


def tick(uow: UnitOfWork, now: datetime, *, tz: tzinfo = DEFAULT_TZ, lookback: timedelta = LOOKBACK) -> TickResult:
    """Emit, as of ``now``, every notice that is due and not yet emitted (inside the caller's unit of work)."""
    session = uow.session
    cal = load_calendar(session)
    out = _Emitter(session, now)
    _deadlines(session, cal, now, tz, lookback, out)
    _listings(session, cal, now, tz, out)
    uow.flush()
    return out.result()


# ---------------------------------------------------------------- deadlines


def _limit_label(kind: str, code: str) -> str:
    registered = KINDS.get(kind)
    try:
        return registered.spec.limit(code).label if registered else "办理时限"
    except KeyError:
        return "办理时限"


def _local(moment: datetime, tz: tzinfo) -> str:
    return moment.astimezone(tz).strftime("%Y-%m-%d %H:%M")


def _yellow_until(cal: WorkingCalendar, now: datetime, tz: tzinfo) -> datetime:
    """The latest ``due_at`` of a working-day deadline that is yellow at ``now``: the due date is today or the
    next working day, i.e. before the second working day from today (see ``deadlines.light``)."""
    today = now.astimezone(tz).date()
    try:
        return end_of(cal.add_working_days(today, 2) - timedelta(days=1), tz)
    except CalendarYearUnknown:
        return end_of(today + timedelta(days=14), tz)  # looked at closely (and skipped) one by one below


def _deadlines(
    session: Session, cal: WorkingCalendar, now: datetime, tz: tzinfo, lookback: timedelta, out: _Emitter
) -> None:
    d = MatterDeadline

    def unnoticed(kind: str) -> Any:
        key = literal("deadline:", String) + cast(d.id, String) + literal(f":{kind}", String)
        return ~exists().where(MatterNotice.key == key)

    base = (
        select(d, Matter.kind, Matter.serial, Matter.title, Matter.owner_unit_id)
        .join(Matter, Matter.id == d.matter_id)
        .where(d.met_at.is_(None), Matter.paused_since.is_(None))
        # A confidential kind's deadlines raise no notice: the inbox is a general list and the text names the matter.
        .where(Matter.kind.not_in(confidential_codes()))
        .order_by(d.id)
    )
    overdue = base.where(d.due_at < now, d.due_at >= now - lookback, unnoticed("overdue"))
    # One range of the due_at index per unit: the window in which a deadline of that unit can be yellow.
    horizons = {
        LimitUnit.WORKING_DAYS: _yellow_until(cal, now, tz),
        LimitUnit.NATURAL_DAYS: now + timedelta(days=1),
        LimitUnit.WORKING_HOURS: now + HOURS_WINDOW,
    }
    queries = [(overdue, Light.RED, "overdue")]
    for unit, horizon in horizons.items():
        soon = base.where(d.unit == unit, d.due_at >= now, d.due_at <= horizon, unnoticed("due_soon"))
        queries.append((soon, Light.YELLOW, "due_soon"))
    for stmt, wanted, kind in queries:
        for row in session.execute(stmt):
            deadline, kind_code, serial, title, owner = row
            label = _limit_label(kind_code, deadline.limit_code)
            try:
                lamp = light(cal, deadline.due_at, now, deadline.unit, deadline.amount + deadline.extended, tz)
            except CalendarYearUnknown as exc:
                out.skipped.append(f"{serial}「{title}」的{label}：{exc}")
                continue
            if lamp is not wanted:
                continue
            due = _local(deadline.due_at, tz)
            text = (
                f"{serial}「{title}」的{label}将于 {due} 到期，请抓紧办理。"
                if kind == "due_soon"
                else f"{serial}「{title}」的{label}已于 {due} 到期，现已逾期。"
            )
            out.emit(f"deadline:{deadline.id}:{kind}", kind, deadline.matter_id, owner, text)


# ---------------------------------------------------------------- supervision listings


@dataclass(frozen=True)
class _Due:
    key: str
    kind: str
    listing: SupervisionListing
    owner: int
    text: str


def _existing(session: Session, keys: Iterable[str]) -> set[str]:
    keys = list(keys)
    found: set[str] = set()
    for i in range(0, len(keys), KEY_CHUNK):
        found.update(session.scalars(select(MatterNotice.key).where(MatterNotice.key.in_(keys[i : i + KEY_CHUNK]))))
    return found


def _steps_due(
    cal: WorkingCalendar, listing: SupervisionListing, head: str, owner: int, today: date, tz: tzinfo
) -> list[_Due]:
    deadline_day = listing.due_at.astimezone(tz).date()
    due: list[_Due] = []
    for step in parse_ladder(listing.ladder):
        if step_day(cal, deadline_day, step.when) > today:
            continue
        if step.code is StepCode.REMINDER:
            left = cal.working_days_between(today, deadline_day)
            what = f"应于 {deadline_day} 前办结，距督办期限还有 {left} 个工作日。"
        elif step.code is StepCode.URGING:
            what = f"已超过督办期限（{deadline_day}）仍未办结，请抓紧办理并报告。"
        else:
            late = cal.working_days_between(deadline_day, today)
            what = f"逾期 {late} 个工作日仍未办结，予以通报批评。"
        key = f"listing:{listing.id}:{step.code.value}:{step.when}"
        due.append(_Due(key, step.code.value, listing, owner, f"【{step.label}】{head}{what}"))
    return due


def _reports_due(
    cal: WorkingCalendar,
    listing: SupervisionListing,
    last: datetime | None,
    head: str,
    owner: int,
    today: date,
    tz: tzinfo,
) -> list[_Due]:
    if listing.report_every <= 0:
        return []
    anchor = (last or listing.listed_at).astimezone(tz).date()
    missed, _ = reporting_days(cal, anchor, listing.report_every, today)
    what = "应于 {} 前报送督办进展，尚未报送，请尽快报送。"
    return [
        _Due(
            f"listing:{listing.id}:report_due:{day.isoformat()}", "report_due", listing, owner, head + what.format(day)
        )
        for day in missed
    ]


def _listings(session: Session, cal: WorkingCalendar, now: datetime, tz: tzinfo, out: _Emitter) -> None:
    today = now.astimezone(tz).date()
    report = SupervisionReport
    last = select(report.at).where(report.listing_id == SupervisionListing.id).order_by(report.at.desc()).limit(1)
    stmt = (
        select(SupervisionListing, Matter.serial, Matter.title, Matter.owner_unit_id, last.scalar_subquery())
        .join(Matter, Matter.id == SupervisionListing.matter_id)
        .where(SupervisionListing.status == LISTED, Matter.resolved_at.is_(None))
        .order_by(SupervisionListing.id)
    )
    due: list[_Due] = []
    for listing, serial, title, owner, last_at in session.execute(stmt):
        head = f"督办函{listing.letter_no}：{serial}「{title}」"
        try:
            due += _steps_due(cal, listing, head, owner, today, tz)
            due += _reports_due(cal, listing, last_at, head, owner, today, tz)
        except (CalendarYearUnknown, Invalid) as exc:
            out.skipped.append(f"{head}{exc}")
    done = _existing(session, (d.key for d in due))
    for d in due:
        if d.key in done:
            continue
        copy_to = d.listing.supervising_unit_id if d.kind in COPIED else None
        out.emit(d.key, d.kind, d.listing.matter_id, d.owner, d.text, listing_id=d.listing.id, copy_to=copy_to)
