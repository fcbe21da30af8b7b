"""Supervision (督办 / 挂牌督办): a supervising unit lists a matter, the owner unit reports progress, and only the
supervising unit signs the listing off (销号), once the matter is resolved. A matter may be listed by several
bodies, but not twice by the same body while its earlier listing is open; a letter number (督办函号) is unique per
supervising unit.

The escalation ladder and its working-day date rules are pure, in ``ladder.py``; the use cases here run inside
the caller's unit of work.

Who sees and does what (grants are checked with ``check_write`` inside the transaction):

* **List** (``supervision.list`` over the supervising unit): the principal must also see the matter through its
  kind's view grant, so nobody lists, or probes the existence of, a matter they cannot see.
* **See a listing**: whoever sees its matter (the kind's view grant over the owner unit), the owner side
  (``supervision.report`` over the owner unit) and the supervising side (``supervision.list`` or
  ``supervision.signoff`` over the supervising unit). A listing shows its matter's id only; the matter's detail
  stays behind the kind's view grant. A confidential kind's matter is never listed, whoever asks.
* **Report progress** (``supervision.report`` over the matter's owner unit), while the listing is open.
* **Sign off** (``supervision.signoff`` over the supervising unit), only when the kind's workflow counts the
  matter's status as resolved.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, tzinfo

from sqlalchemy import ColumnElement, and_, false, func, or_, select
from sqlalchemy.orm import Session

from zhengwu.core.calendar.model import CalendarYearUnknown, WorkingCalendar
from zhengwu.core.calendar.service import load_calendar
from zhengwu.core.db import UnitOfWork
from zhengwu.core.errors import Forbidden, Invalid, NotFound
from zhengwu.core.matters.deadlines import end_of
from zhengwu.core.matters.ladder import EscalationStep, default_ladder, ladder_json, parse_ladder, reporting_days
from zhengwu.core.matters.registry import Kind, confidential_codes, get_kind, public_kinds
from zhengwu.core.matters.service import DEFAULT_TZ, _actor, _text, load, record_event
from zhengwu.core.matters.tables import Matter, SupervisionListing, SupervisionReport
from zhengwu.core.org.access import check_write, scope_condition
from zhengwu.core.org.model import Principal, register_action
from zhengwu.core.org.service import expect_version
from zhengwu.core.org.tables import Unit

SUPERVISION_LIST = register_action("supervision.list", "挂牌督办")
SUPERVISION_SIGNOFF = register_action("supervision.signoff", "督办销号")
SUPERVISION_REPORT = register_action("supervision.report", "报送督办进展")

LISTED, SIGNED_OFF = "listed", "signed_off"
MAX_DUE_IN = 365
MAX_REPORT_EVERY = 60


def visible(principal: Principal | None) -> ColumnElement[bool]:
    """The WHERE clause of the listings (joined to their matter) a principal may see; see the module docstring."""
    if principal is None:
        raise Forbidden("请先登录。")
    conds: list[ColumnElement[bool]] = []
    for code, kind in sorted(public_kinds().items()):
        scope = principal.scope(kind.spec.view_grant) if kind.spec.view_grant else None
        if scope is not None:
            cond = scope_condition(principal, scope, Matter.owner_unit_id, Matter.handler_id)
            conds.append(Matter.kind == code if cond is None else and_(Matter.kind == code, cond))
    sides = (
        (SUPERVISION_REPORT, Matter.owner_unit_id, Matter.handler_id),
        (SUPERVISION_LIST, SupervisionListing.supervising_unit_id, None),
        (SUPERVISION_SIGNOFF, SupervisionListing.supervising_unit_id, None),
    )
    # A confidential kind's matters are never listed, whichever side one is on.
    public = Matter.kind.not_in(confidential_codes())
    for action, unit_col, owner_col in sides:
        scope = principal.scope(action)
        if scope is not None:
            cond = scope_condition(principal, scope, unit_col, owner_col)
            if cond is None:
                return public
            conds.append(and_(public, cond))
    return or_(*conds) if conds else false()


def _load(session: Session, principal: Principal | None, listing_id: int) -> tuple[SupervisionListing, Matter]:
    listing = session.scalar(
        select(SupervisionListing)
        .join(Matter, Matter.id == SupervisionListing.matter_id)
        .where(SupervisionListing.id == listing_id, visible(principal))
    )
    if listing is None:
        raise NotFound("督办记录不存在或不在您的数据范围内。")
    matter = session.get(Matter, listing.matter_id)
    assert matter is not None
    return listing, matter


def _deadline(cal: WorkingCalendar, now: datetime, due_at: date | None, due_in: int | None, tz: tzinfo) -> datetime:
    """A listing falls due at the end of a local day: the given date, or ``due_in`` working days from today."""
    today = now.astimezone(tz).date()
    if (due_at is None) == (due_in is None):
        raise Invalid("请填写督办期限：截止日期或自今日起的工作日数，二者选一。", field="due_at")
    if due_in is not None:
        if isinstance(due_in, bool) or not 1 <= due_in <= MAX_DUE_IN:
            raise Invalid(f"督办期限的工作日数应在 1 到 {MAX_DUE_IN} 之间。", field="due_in")
        try:
            return end_of(cal.add_working_days(today, due_in), tz)
        except CalendarYearUnknown as exc:
            raise Invalid(str(exc), field="due_in") from None
    assert due_at is not None
    if isinstance(due_at, datetime):
        if due_at.tzinfo is None:
            raise Invalid("督办截止时间须带时区。", field="due_at")
        due_at = due_at.astimezone(tz).date()
    if due_at < today:
        raise Invalid("督办截止日期不能早于今天。", field="due_at")
    return end_of(due_at, tz)


def _ladder(ladder: str | Sequence[EscalationStep] | None) -> str:
    if ladder is None:
        return ladder_json(default_ladder())
    text = ladder if isinstance(ladder, str) else ladder_json(ladder)
    return ladder_json(parse_ladder(text))


def list_for_supervision(
    uow: UnitOfWork,
    principal: Principal | None,
    kind: Kind,
    matter_id: int,
    *,
    supervising_unit_id: int,
    letter_no: str,
    level: str,
    requirements: str,
    due_at: date | None = None,
    due_in: int | None = None,
    report_every: int = 0,
    ladder: str | Sequence[EscalationStep] | None = None,
    tz: tzinfo = DEFAULT_TZ,
) -> SupervisionListing:
    """List a matter for supervision by ``supervising_unit_id``: letter number, level, requirements, a deadline
    (a date, or ``due_in`` working days from today; due at the end of that day), progress reports every
    ``report_every`` working days (0: none) and an escalation ladder (default: ``default_ladder()``)."""
    session = uow.session
    now = uow.clock.now()
    if kind.spec.confidential:  # never listed: a listing would show it in the ledger
        raise NotFound("事项不存在或不在您的数据范围内。")
    matter = load(session, principal, kind, matter_id)  # the lister must see the matter
    if session.get(Unit, supervising_unit_id) is None:
        raise Invalid("督办单位不存在。", field="supervising_unit_id")
    listing = SupervisionListing(matter_id=matter.id, supervising_unit_id=supervising_unit_id, status=LISTED)
    check_write(session, principal, SUPERVISION_LIST, listing)
    if kind.spec.workflow.is_resolved(matter.status):
        raise Invalid("事项已办结，无需挂牌督办。", field="matter_id")
    listing.letter_no = _text(letter_no, "letter_no", "督办函号", 64)
    listing.level = _text(level, "level", "督办级别", 32)
    listing.requirements = _text(requirements, "requirements", "督办要求", 20000)
    if isinstance(report_every, bool) or not 0 <= report_every <= MAX_REPORT_EVERY:
        raise Invalid(
            f"报送间隔应在 0 到 {MAX_REPORT_EVERY} 个工作日之间（0 表示不要求定期报送）。", field="report_every"
        )
    listing.report_every = report_every
    listing.due_at = _deadline(load_calendar(session), now, due_at, due_in, tz)
    listing.ladder = _ladder(ladder)
    listing.listed_at, listing.listed_by = now, _actor(principal)[1]
    # One body's listings are taken one at a time (PostgreSQL; SQLite serialises writers anyway), so the two
    # checks below cannot race. NO KEY UPDATE leaves rows that merely refer to the unit unblocked.
    session.execute(select(Unit.id).where(Unit.id == supervising_unit_id).with_for_update(key_share=True))
    same_body = SupervisionListing.supervising_unit_id == supervising_unit_id
    open_one = session.scalar(
        select(SupervisionListing.letter_no).where(
            same_body, SupervisionListing.matter_id == matter.id, SupervisionListing.status == LISTED
        )
    )
    if open_one is not None:
        raise Invalid(f"本单位已对该事项挂牌督办（{open_one}），尚未销号，不能重复督办。", field="matter_id")
    if session.scalar(
        select(SupervisionListing.id).where(same_body, SupervisionListing.letter_no == listing.letter_no)
    ):
        raise Invalid(f"督办函号“{listing.letter_no}”已被本单位使用。", field="letter_no")
    session.add(listing)
    uow.flush()
    record_event(
        session,
        matter,
        principal,
        now,
        "listed",
        note=listing.requirements,
        data={
            "listing_id": listing.id,
            "letter_no": listing.letter_no,
            "level": listing.level,
            "supervising_unit_id": supervising_unit_id,
            "due_at": listing.due_at.isoformat(),
            "report_every": report_every,
        },
    )
    uow.flush()
    return listing


def file_report(uow: UnitOfWork, principal: Principal | None, listing_id: int, text: str) -> SupervisionReport:
    """The owner unit reports progress on an open listing (this restarts its reporting interval)."""
    session = uow.session
    listing, matter = _load(session, principal, listing_id)
    check_write(session, principal, SUPERVISION_REPORT, matter)
    if listing.status != LISTED:
        raise Invalid("该督办已销号，无需再报送进展。", field="listing_id")
    now = uow.clock.now()
    _, name = _actor(principal)
    report = SupervisionReport(listing_id=listing.id, at=now, by=name, text=_text(text, "text", "进展情况", 20000))
    session.add(report)
    uow.flush()
    record_event(
        session,
        matter,
        principal,
        now,
        "supervision_reported",
        note=report.text,
        data={"listing_id": listing.id, "letter_no": listing.letter_no, "report_id": report.id},
    )
    uow.flush()
    return report


def sign_off(
    uow: UnitOfWork, principal: Principal | None, listing_id: int, note: str, *, version: int | None = None
) -> SupervisionListing:
    """The supervising unit verifies and closes its listing; only once the matter is resolved."""
    session = uow.session
    listing, matter = _load(session, principal, listing_id)
    expect_version(listing, version)
    check_write(session, principal, SUPERVISION_SIGNOFF, listing)
    if listing.status != LISTED:
        raise Invalid("该督办已经销号。", field="listing_id")
    # Read the status under a lock so a concurrent reopening cannot slip between the check and the sign-off.
    status = session.scalar(select(Matter.status).where(Matter.id == matter.id).with_for_update())
    workflow = get_kind(matter.kind).spec.workflow
    if status is None or not workflow.is_resolved(status):
        raise Invalid(f"事项尚未办结（当前状态：{workflow.label(status or '')}），不能销号。", field="listing_id")
    now = uow.clock.now()
    _, name = _actor(principal)
    listing.sign_off_note = _text(note, "note", "销号意见", 2000)
    listing.status, listing.signed_off_at, listing.signed_off_by = SIGNED_OFF, now, name
    record_event(
        session,
        matter,
        principal,
        now,
        "supervision_signed_off",
        note=listing.sign_off_note,
        data={"listing_id": listing.id, "letter_no": listing.letter_no},
    )
    uow.flush()
    return listing


def listings_of(session: Session, principal: Principal | None, matter: Matter) -> list[SupervisionListing]:
    """The listings of a matter that the principal may see, oldest first."""
    stmt = (
        select(SupervisionListing)
        .join(Matter, Matter.id == SupervisionListing.matter_id)
        .where(SupervisionListing.matter_id == matter.id, visible(principal))
        .order_by(SupervisionListing.id)
    )
    return list(session.scalars(stmt))


def reports(session: Session, principal: Principal | None, listing_id: int) -> list[SupervisionReport]:
    """The progress reports filed on a listing, oldest first."""
    listing, _ = _load(session, principal, listing_id)
    stmt = select(SupervisionReport).where(SupervisionReport.listing_id == listing.id).order_by(SupervisionReport.id)
    return list(session.scalars(stmt))


@dataclass(frozen=True)
class ReportSchedule:
    """When a listing's next progress report is due (by the end of ``next_due``) and which were missed."""

    every: int
    last_report_at: datetime | None
    next_due: date
    missed: tuple[date, ...]


def _last_report_at(session: Session, listing: SupervisionListing) -> datetime | None:
    return session.scalar(select(func.max(SupervisionReport.at)).where(SupervisionReport.listing_id == listing.id))


def reports_due(
    session: Session, principal: Principal | None, listing_id: int, now: datetime, tz: tzinfo = DEFAULT_TZ
) -> ReportSchedule | None:
    """The reporting schedule of a listing as of ``now``: every ``report_every`` working days from the listing or
    the last report. None when the listing asks for no reports or is signed off."""
    listing, _ = _load(session, principal, listing_id)
    if listing.report_every <= 0 or listing.status != LISTED:
        return None
    last = _last_report_at(session, listing)
    anchor = (last or listing.listed_at).astimezone(tz).date()
    cal = load_calendar(session)
    missed, upcoming = reporting_days(cal, anchor, listing.report_every, now.astimezone(tz).date())
    return ReportSchedule(listing.report_every, last, upcoming, tuple(missed))
