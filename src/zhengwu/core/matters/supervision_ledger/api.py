"""JSON API of supervision (督办 / 挂牌督办): a matter's listings with their reports and lights, listing a matter,
progress reports, sign-off (销号), and the ledger of every listing the caller may see.

Who may do what is ``supervision.py``'s (see its docstring); each request is one unit of work.
"""

from __future__ import annotations

import json
import re
from datetime import date, datetime, tzinfo
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, BeforeValidator, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from zhengwu.core.calendar.model import CalendarYearUnknown
from zhengwu.core.calendar.service import load_calendar
from zhengwu.core.errors import NotFound
from zhengwu.core.matters import queries, supervision
from zhengwu.core.matters.api import MAX_ID, Input, PathId, Text
from zhengwu.core.matters.ladder import EARLIEST, LATEST, MAX_STEPS, parse_ladder
from zhengwu.core.matters.registry import Kind, get_kind
from zhengwu.core.matters.supervision_ledger.lists import ledger_for, listing_light, require_ledger, status_label
from zhengwu.core.matters.tables import Matter, SupervisionListing, SupervisionReport
from zhengwu.core.org.model import Principal
from zhengwu.core.org.service import require
from zhengwu.core.org.tables import Unit
from zhengwu.web.deps import Db, User, get_settings, uow_for
from zhengwu.web.listing import fetch_page
from zhengwu.web.problems import PROBLEMS

router = APIRouter(prefix="/api/v1", tags=["督办"], responses=PROBLEMS)
LIGHT_DOC = "green 正常 / yellow 即将到期 / red 已逾期 / done 已销号"


def _iso_date(value: Any) -> Any:
    """A date is written YYYY-MM-DD; anything else that is not already a date is refused by strict validation."""
    if isinstance(value, str):
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            raise ValueError("应为日期（YYYY-MM-DD）")
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise ValueError("应为日期（YYYY-MM-DD）") from None
    return value


OptionalDate = Annotated[date | None, BeforeValidator(_iso_date)]


class LadderStepIn(Input):
    code: Literal["reminder", "urging", "criticism"] = Field(
        description="reminder 到期提醒 / urging 催办 / criticism 通报批评"
    )
    label: Text | None = Field(None, max_length=32, description="名称；省略时用类型的名称")
    when: int = Field(ge=EARLIEST, le=LATEST, description="自督办期限起的工作日数：负数在期限前，正数在期限后")


class ListingIn(Input):
    supervising_unit_id: int = Field(ge=1, le=MAX_ID, description="督办单位 ID")
    letter_no: Text = Field(max_length=64, description="督办函号")
    level: Text = Field(max_length=32, description="督办级别，如 挂牌督办")
    requirements: Text = Field(max_length=20000, description="督办要求")
    due_at: OptionalDate = Field(None, description="督办截止日期（YYYY-MM-DD）；与 due_in 二者选一")
    due_in: int | None = Field(
        None, ge=1, le=supervision.MAX_DUE_IN, description="自今日起的工作日数；与 due_at 二者选一"
    )
    report_every: int = Field(
        0, ge=0, le=supervision.MAX_REPORT_EVERY, description="每隔多少个工作日报送进展；0 表示不要求定期报送"
    )
    ladder: list[LadderStepIn] | None = Field(
        None, max_length=MAX_STEPS, description="督办升级规则；省略时用默认规则，空列表表示不升级"
    )


class ReportIn(Input):
    text: Text = Field(max_length=20000, description="进展情况")


class SignOffIn(Input):
    note: Text = Field(max_length=2000, description="销号意见")
    version: int = Field(ge=1, le=MAX_ID, description="读取时的督办记录版本号")


class ReportOut(BaseModel):
    id: int
    at: datetime
    by: str
    text: str


class LadderStepOut(BaseModel):
    code: str
    label: str
    when: int


class ListingOut(BaseModel):
    id: int
    matter_id: int
    supervising_unit_id: int
    supervising_unit: str = Field(description="督办单位")
    letter_no: str
    level: str
    requirements: str
    due_at: datetime
    light: str = Field(description=LIGHT_DOC)
    status: str = Field(description="listed 督办中 / signed_off 已销号")
    status_label: str
    report_every: int
    next_report_due: date | None = Field(description="下次进展报送的截止日期（当日结束前）；无需报送时为空")
    missed_reports: list[date] = Field(description="已错过的报送日期")
    ladder: list[LadderStepOut]
    listed_at: datetime
    listed_by: str
    signed_off_at: datetime | None
    signed_off_by: str
    sign_off_note: str
    version: int
    reports: list[ReportOut]


class LedgerItem(BaseModel):
    id: int
    matter_id: int
    kind: str
    serial: str
    title: str
    supervising_unit: str
    letter_no: str
    level: str
    due_at: datetime
    light: str = Field(description=LIGHT_DOC)
    last_report_at: datetime | None
    status: str
    status_label: str
    version: int


class LedgerPage(BaseModel):
    items: list[LedgerItem]
    total: int
    page: int
    pages: int


def _tz(request: Request) -> ZoneInfo:
    return ZoneInfo(get_settings(request).timezone)


def _ladder_text(steps: list[LadderStepIn] | None) -> str | None:
    if steps is None:
        return None
    items = [{"code": s.code, "when": s.when, **({"label": s.label} if s.label is not None else {})} for s in steps]
    return json.dumps(items, ensure_ascii=False)


def _listing_out(
    session: Session, principal: Principal, listing: SupervisionListing, now: datetime, tz: tzinfo
) -> ListingOut:
    unit = session.get(Unit, listing.supervising_unit_id)
    try:
        schedule = supervision.reports_due(session, principal, listing.id, now, tz)
    except CalendarYearUnknown:
        schedule = None
    return ListingOut(
        id=listing.id,
        matter_id=listing.matter_id,
        supervising_unit_id=listing.supervising_unit_id,
        supervising_unit=unit.name if unit else "",
        letter_no=listing.letter_no,
        level=listing.level,
        requirements=listing.requirements,
        due_at=listing.due_at,
        light=listing_light(load_calendar(session), listing, now, tz).value,
        status=listing.status,
        status_label=status_label(listing.status),
        report_every=listing.report_every,
        next_report_due=schedule.next_due if schedule else None,
        missed_reports=list(schedule.missed) if schedule else [],
        ladder=[LadderStepOut(code=s.code.value, label=s.label, when=s.when) for s in parse_ladder(listing.ladder)],
        listed_at=listing.listed_at,
        listed_by=listing.listed_by,
        signed_off_at=listing.signed_off_at,
        signed_off_by=listing.signed_off_by,
        sign_off_note=listing.sign_off_note,
        version=listing.version,
        reports=[
            ReportOut(id=r.id, at=r.at, by=r.by, text=r.text)
            for r in supervision.reports(session, principal, listing.id)
        ],
    )


def _matter_of(session: Session, principal: Principal, kind: Kind, matter_id: int) -> Matter:
    """The matter, if the principal sees it or one of its listings (seeing a listing does not open the matter)."""
    matter = session.get(Matter, matter_id)
    if matter is not None and matter.kind == kind.spec.code:
        if queries.may(session, principal, kind.spec.view_grant, matter):
            return matter
        if supervision.listings_of(session, principal, matter):
            return matter
    raise NotFound("事项不存在或不在您的数据范围内。")


def _listing_of(
    session: Session, principal: Principal, kind: Kind, matter_id: int, listing_id: int
) -> SupervisionListing:
    """A visible listing of this very matter (of this kind)."""
    found = session.scalar(
        select(SupervisionListing)
        .join(Matter, Matter.id == SupervisionListing.matter_id)
        .where(
            SupervisionListing.id == listing_id,
            SupervisionListing.matter_id == matter_id,
            Matter.kind == kind.spec.code,
            supervision.visible(principal),
        )
    )
    if found is None:
        raise NotFound("督办记录不存在或不在您的数据范围内。")
    return found


@router.get("/matters/{kind_code}/{matter_id}/listings", summary="事项的督办记录")
def matter_listings(request: Request, kind_code: str, matter_id: PathId, principal: User, db: Db) -> list[ListingOut]:
    require_ledger(principal)
    kind = get_kind(kind_code)
    now, tz = db.clock.now(), _tz(request)
    with db.reading() as session:
        matter = _matter_of(session, principal, kind, matter_id)
        return [
            _listing_out(session, principal, x, now, tz) for x in supervision.listings_of(session, principal, matter)
        ]


@router.post("/matters/{kind_code}/{matter_id}/listings", status_code=201, summary="挂牌督办")
def create_listing(
    request: Request, kind_code: str, matter_id: PathId, body: ListingIn, principal: User, db: Db
) -> ListingOut:
    require(principal, supervision.SUPERVISION_LIST)
    kind = get_kind(kind_code)
    tz = _tz(request)
    with uow_for(db, principal) as uow:
        listing = supervision.list_for_supervision(
            uow,
            principal,
            kind,
            matter_id,
            supervising_unit_id=body.supervising_unit_id,
            letter_no=body.letter_no,
            level=body.level,
            requirements=body.requirements,
            due_at=body.due_at,
            due_in=body.due_in,
            report_every=body.report_every,
            ladder=_ladder_text(body.ladder),
            tz=tz,
        )
        out = _listing_out(uow.session, principal, listing, uow.clock.now(), tz)
        uow.commit()
        return out


@router.post("/matters/{kind_code}/{matter_id}/listings/{listing_id}/reports", status_code=201, summary="报送督办进展")
def file_report(
    kind_code: str, matter_id: PathId, listing_id: PathId, body: ReportIn, principal: User, db: Db
) -> ReportOut:
    require(principal, supervision.SUPERVISION_REPORT)
    kind = get_kind(kind_code)
    with uow_for(db, principal) as uow:
        _listing_of(uow.session, principal, kind, matter_id, listing_id)
        report: SupervisionReport = supervision.file_report(uow, principal, listing_id, body.text)
        out = ReportOut(id=report.id, at=report.at, by=report.by, text=report.text)
        uow.commit()
        return out


@router.post("/matters/{kind_code}/{matter_id}/listings/{listing_id}/signoff", summary="督办销号")
def sign_off(
    request: Request,
    kind_code: str,
    matter_id: PathId,
    listing_id: PathId,
    body: SignOffIn,
    principal: User,
    db: Db,
) -> ListingOut:
    require(principal, supervision.SUPERVISION_SIGNOFF)
    kind = get_kind(kind_code)
    tz = _tz(request)
    with uow_for(db, principal) as uow:
        _listing_of(uow.session, principal, kind, matter_id, listing_id)
        listing = supervision.sign_off(uow, principal, listing_id, body.note, version=body.version)
        out = _listing_out(uow.session, principal, listing, uow.clock.now(), tz)
        uow.commit()
        return out


@router.get("/supervision/listings", summary="督办台账")
def ledger_list(
    request: Request,
    principal: User,
    db: Db,
    q: Annotated[str | None, Query(max_length=200, pattern=r"^[^\x00]*$")] = None,
    status: Annotated[str | None, Query(max_length=32, description="listed 督办中 / signed_off 已销号")] = None,
    light: Annotated[str | None, Query(max_length=32, description="red 已逾期 / yellow 即将到期 / green 正常")] = None,
    sort: Annotated[str | None, Query(max_length=40)] = None,
    page: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
) -> LedgerPage:
    require_ledger(principal)
    given = {"q": q, "status": status, "light": light, "sort": sort, "page": page}
    params = {k: str(v) for k, v in given.items() if v is not None}
    with db.reading() as session:
        spec = ledger_for(session, db.clock.now(), _tz(request))
        found = fetch_page(session, spec, principal, params, get_settings(request).page_size)
    items = [LedgerItem(**dict(r._mapping), status_label=status_label(r.status)) for r in found.rows]
    return LedgerPage(items=items, total=found.total, page=found.page, pages=found.pages)
