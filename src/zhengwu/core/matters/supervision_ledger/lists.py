"""The supervision ledger (督办台账): the listings a principal may see, shared by the page, its Excel export and the
JSON list; and the deadline light of a listing, the same on the ledger and on a matter's listings.

Scope is ``supervision.visible()`` (the module docstring of ``supervision.py`` says who sees which listing).

A listing's deadline counts in working days and falls due at the end of a local day, so its light follows
``deadlines.light`` for working days: red once past, yellow when the due date is today or the next working day,
green otherwise; a signed-off listing is done. On the ledger the light is a SQL ``CASE`` over ``due_at`` with the
yellow horizon worked out once per request from the working calendar, so it can be filtered and exported.
"""

from __future__ import annotations

from datetime import datetime, timedelta, tzinfo
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session, aliased

from zhengwu.core.calendar.model import CalendarYearUnknown, WorkingCalendar
from zhengwu.core.calendar.service import load_calendar
from zhengwu.core.db import AnySelect
from zhengwu.core.errors import Forbidden
from zhengwu.core.matters import supervision
from zhengwu.core.matters.deadlines import end_of, light
from zhengwu.core.matters.model import Light, LimitUnit
from zhengwu.core.matters.registry import public_kinds
from zhengwu.core.matters.tables import Matter, SupervisionListing, SupervisionReport
from zhengwu.core.org.model import Principal
from zhengwu.core.org.tables import Unit
from zhengwu.web.listing import LOCAL_TZ, Column, Filter, ListSpec, equals

STATUSES: list[tuple[str, str]] = [(supervision.LISTED, "督办中"), (supervision.SIGNED_OFF, "已销号")]
#: The lights one may filter the ledger by (a signed-off listing is found through the status filter).
LIGHTS: list[tuple[str, str]] = [(x.value, x.label) for x in (Light.RED, Light.YELLOW, Light.GREEN)]


def status_label(status: str) -> str:
    """
    >>> status_label("listed"), status_label("signed_off")
    ('督办中', '已销号')
    """
    return dict(STATUSES).get(status, status)


def light_label(value: str) -> str:
    """
    >>> light_label("red"), light_label("done")
    ('已逾期', '已完成')
    """
    return Light(value).label


def may_see_listings(principal: Principal | None) -> bool:
    """Whether the principal holds any grant through which ``supervision.visible()`` can show a listing."""
    if principal is None:
        return False
    grants = {supervision.SUPERVISION_LIST, supervision.SUPERVISION_SIGNOFF, supervision.SUPERVISION_REPORT}
    grants |= {k.spec.view_grant for k in public_kinds().values() if k.spec.view_grant}
    return any(principal.has(g) for g in grants)


def require_ledger(principal: Principal | None) -> Principal:
    """The principal, if some listing could be visible to them; Forbidden otherwise."""
    if principal is None or not may_see_listings(principal):
        raise Forbidden("您没有查看督办事项的权限。")
    return principal


def due_soon_until(cal: WorkingCalendar, now: datetime, tz: tzinfo) -> datetime:
    """The latest deadline that is yellow at ``now``: the end of the day before the second working day from today
    (so the due date is today or the next working day, as ``deadlines.light`` has it)."""
    today = now.astimezone(tz).date()
    try:
        return end_of(cal.add_working_days(today, 2) - timedelta(days=1), tz)
    except CalendarYearUnknown:
        return end_of(today + timedelta(days=1), tz)  # this year's calendar is missing: today and tomorrow


def listing_light(cal: WorkingCalendar, listing: SupervisionListing, now: datetime, tz: tzinfo) -> Light:
    """The light of one listing as of ``now`` (what the ledger's ``CASE`` computes in SQL)."""
    if listing.status != supervision.LISTED:
        return Light.DONE
    try:
        return light(cal, listing.due_at, now, LimitUnit.WORKING_DAYS, 1, tz)
    except CalendarYearUnknown:
        return Light.RED if now > listing.due_at else Light.GREEN


def light_expr(now: datetime, soon_until: datetime) -> Any:
    """The light of each listing as a SQL expression (``green``/``yellow``/``red``/``done``)."""
    listing = SupervisionListing
    return case(
        (listing.status != supervision.LISTED, Light.DONE.value),
        (listing.due_at < now, Light.RED.value),
        (listing.due_at <= soon_until, Light.YELLOW.value),
        else_=Light.GREEN.value,
    )


def _local_date(value: datetime | None) -> str:
    return value.astimezone(LOCAL_TZ).strftime("%Y-%m-%d") if value else ""


def ledger(now: datetime, soon_until: datetime) -> ListSpec:
    """The ledger's spec as of ``now`` (``soon_until`` from ``due_soon_until``)."""
    listing, matter = SupervisionListing, Matter
    body = aliased(Unit, name="supervising_body")
    lamp = light_expr(now, soon_until)
    last_report = (
        select(func.max(SupervisionReport.at))
        .where(SupervisionReport.listing_id == listing.id)
        .correlate(listing)
        .scalar_subquery()
    )

    def query(principal: Principal | None) -> AnySelect:
        stmt = (
            select(
                listing.id.label("id"),
                listing.matter_id.label("matter_id"),
                matter.kind.label("kind"),
                matter.serial.label("serial"),
                matter.title.label("title"),
                body.name.label("supervising_unit"),
                listing.letter_no.label("letter_no"),
                listing.level.label("level"),
                listing.due_at.label("due_at"),
                lamp.label("light"),
                last_report.label("last_report_at"),
                listing.status.label("status"),
                listing.version.label("version"),
            )
            .select_from(listing)
            .join(matter, matter.id == listing.matter_id)
            .join(body, body.id == listing.supervising_unit_id)
        )
        return stmt.where(supervision.visible(principal))

    def count_query(principal: Principal | None) -> AnySelect:
        # The same scope and filters, without the supervising body and the last report (display only).
        stmt = select(listing.id).select_from(listing).join(matter, matter.id == listing.matter_id)
        return stmt.where(supervision.visible(principal))

    def search(stmt: AnySelect, text: str) -> AnySelect:
        return stmt.where(
            listing.letter_no.icontains(text, autoescape=True)
            | matter.title.icontains(text, autoescape=True)
            | matter.serial.icontains(text, autoescape=True)
        )

    return ListSpec(
        name="督办台账",
        columns=(
            Column("serial", "事项编号", matter.serial),
            Column("title", "事项标题", matter.title),
            Column("supervising_unit", "督办单位", body.name),
            Column("letter_no", "督办函号", listing.letter_no),
            Column("level", "督办级别", listing.level),
            Column("due_at", "督办期限", listing.due_at, fmt=_local_date),
            Column("light", "期限状态", lamp, sortable=False, fmt=light_label),
            Column("last_report_at", "最近报送", last_report),
            Column("status", "状态", listing.status, fmt=status_label),
        ),
        query=query,
        filters=(
            Filter("q", "督办函号、事项编号或标题", search),
            Filter("status", "状态", equals(listing.status), STATUSES),
            Filter("light", "期限状态", equals(lamp), LIGHTS),
        ),
        default_sort="due_at",
        tiebreak=listing.id.desc(),
        count_query=count_query,
    )


def ledger_for(session: Session, now: datetime, tz: tzinfo) -> ListSpec:
    """The ledger as of ``now``, its yellow horizon read from the working calendar."""
    return ledger(now, due_soon_until(load_calendar(session), now, tz))
