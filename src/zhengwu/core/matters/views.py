"""Pages of any matter kind: the list, a matter with its deadlines, history and the actions this user may take,
and the forms that take an action, ask for or decide an extension, and pause or resume the clocks.

A kind with its own page of a matter (``KindSpec.detail_url``) is linked to and redirected to from here, and may
register a renderer in ``DETAIL_PAGES`` so that a form posted here from its page (an extension, a pause, a listing)
shows its error on that page; a kind with its own step handler (``KindSpec.act``) has its steps taken through it.
"""

from __future__ import annotations

from datetime import date as date_type
from datetime import datetime, tzinfo
from pathlib import Path
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response, StreamingResponse
from sqlalchemy import select

from zhengwu.core.errors import Conflict, Invalid, NotFound
from zhengwu.core.matters import queries, service, supervision
from zhengwu.core.matters.deadlines import light
from zhengwu.core.matters.lists import matter_list
from zhengwu.core.matters.model import InvalidTransition, Light
from zhengwu.core.matters.registry import KINDS, Kind, get_kind, public_kinds
from zhengwu.core.matters.tables import MatterExtension, SupervisionListing
from zhengwu.core.org.access import restrict
from zhengwu.core.org.tables import Unit
from zhengwu.core.todo import TodoContext, TodoItem, Urgency
from zhengwu.web.deps import Db, User, get_settings, uow_for
from zhengwu.web.listing import export_xlsx, fetch_page
from zhengwu.web.pages import form_int, form_str, redirect, render
from zhengwu.web.shell import Module

router = APIRouter(prefix="/matters", include_in_schema=False)
BASE_FIELDS = {"id", "kind", "serial", "year", "seq", "version"}


class DetailPage(Protocol):
    """A kind's own page of a matter, rendered with a form's outcome: ``error``, ``field``, ``conflict``,
    ``submitted`` (status 422 for an error, 409 for a conflict)."""

    def __call__(self, request: Request, db: Any, principal: Any, matter_id: int, **extra: Any) -> HTMLResponse: ...


#: Kind code → the kind's own detail page (registered by the kind's views module).
DETAIL_PAGES: dict[str, DetailPage] = {}


def _tz(request: Request) -> ZoneInfo:
    return ZoneInfo(get_settings(request).timezone)


def _kind(code: str, principal: Any) -> Kind:
    kind = get_kind(code)
    if not principal.has(kind.spec.view_grant):
        from zhengwu.core.errors import Forbidden

        raise Forbidden(f"您没有查看“{kind.spec.label}”的权限。")
    return kind


def own_fields(kind: Kind, matter: Any) -> list[tuple[str, Any]]:
    """The kind's own columns (its joined table), for display."""
    table: Any = kind.table.__table__
    if table.name == "matters":
        return []
    # Columns masked in the audit log (a reporter's name and phone) are never shown here either.
    hidden: frozenset[str] = getattr(kind.table, "__audit_mask__", frozenset())
    return [(c.name, getattr(matter, c.name)) for c in table.columns if c.name not in BASE_FIELDS | hidden]


@router.get("/{kind_code}", response_class=HTMLResponse)
def matter_list_page(request: Request, kind_code: str, principal: User, db: Db) -> HTMLResponse:
    kind = _kind(kind_code, principal)
    with db.reading() as session:
        page = fetch_page(session, matter_list(kind), principal, request.query_params, get_settings(request).page_size)
    now = db.clock.now()
    lights = {row.id: _row_light(row.due_at, now) for row in page.rows}
    return render(request, "matters/list.html", {"page": page, "kind": kind, "lights": lights})


def _row_light(due: datetime | None, now: datetime) -> Light | None:
    if due is None:
        return None
    return Light.RED if now > due else None


@router.get("/{kind_code}/export.xlsx")
def matter_export(request: Request, kind_code: str, principal: User, db: Db) -> StreamingResponse:
    kind = _kind(kind_code, principal)
    with uow_for(db, principal) as uow:
        return export_xlsx(db, uow, matter_list(kind), principal, request.query_params)


def _detail(request: Request, db: Any, principal: Any, kind: Kind, matter_id: int, **extra: Any) -> HTMLResponse:
    own = DETAIL_PAGES.get(kind.spec.code)
    if own is not None:
        return own(request, db, principal, matter_id, **extra)
    with db.reading() as session:
        matter = service.load(session, principal, kind, matter_id)
        ctx = {**detail_context(session, principal, kind, matter, db.clock.now(), _tz(request)), **extra}
    status = 409 if extra.get("conflict") else 422 if extra.get("error") else 200
    return render(request, "matters/detail.html", ctx, status=status)


def detail_context(session: Any, principal: Any, kind: Kind, matter: Any, now: datetime, tz: tzinfo) -> dict[str, Any]:
    """What the page of a matter shows (its deadlines, history, the steps this user may take, extensions, pauses
    and supervision listings), for ``matters/detail.html`` and for a kind's own page that includes its partials
    ``matters/_timing.html`` and ``matters/_supervision.html``."""
    extensions = list(
        session.scalars(
            select(MatterExtension).where(MatterExtension.matter_id == matter.id).order_by(MatterExtension.id)
        )
    )
    return {
        "kind": kind,
        "matter": matter,
        "owner": session.get(Unit, matter.owner_unit_id),
        "fields": own_fields(kind, matter),
        "deadlines": queries.deadlines(session, kind, matter, now, tz),
        "history": queries.history(session, matter),
        "steps": queries.available_steps(session, principal, kind, matter),
        "extensions": extensions,
        "may_extend": queries.may(session, principal, kind.spec.extend_grant, matter),
        "may_request": any(
            queries.may(session, principal, s.grant, matter) for s in kind.spec.workflow.available(matter.status)
        ),
        "may_pause": queries.may(session, principal, kind.spec.pause_grant, matter),
        "listings": [
            (
                listing,
                session.get(Unit, listing.supervising_unit_id),
                supervision.reports(session, principal, listing.id),
            )
            for listing in supervision.listings_of(session, principal, matter)
        ],
        "supervisors": _supervising_units(session, principal),
        "may_report": queries.may(session, principal, supervision.SUPERVISION_REPORT, matter),
        "resolved": kind.spec.workflow.is_resolved(matter.status),
        "tz": tz,
    }


@router.get("/{kind_code}/{matter_id}", response_model=None)
def matter_page(request: Request, kind_code: str, matter_id: int, principal: User, db: Db) -> Response:
    kind = _kind(kind_code, principal)
    if kind.spec.detail_url is not None:  # the kind has a page of its own
        query = f"?{request.url.query}" if request.url.query else ""
        return redirect(kind.spec.url_of(matter_id) + query)
    return _detail(request, db, principal, kind, matter_id)


def _supervising_units(session: Any, principal: Any) -> list[tuple[int, str]]:
    """Units this principal may list matters for (the scope of ``supervision.list``)."""
    if not principal.has(supervision.SUPERVISION_LIST):
        return []
    stmt = restrict(select(Unit.id, Unit.name), principal, supervision.SUPERVISION_LIST, Unit).order_by(Unit.path)
    return [(r.id, r.name) for r in session.execute(stmt)]


def take_step(
    uow: Any,
    principal: Any,
    kind: Kind,
    matter_id: int,
    action: str,
    *,
    version: int | None,
    note: str,
    data: dict[str, Any],
    tz: tzinfo = service.DEFAULT_TZ,
) -> Any:
    """Take a workflow step from the generic page or API: through the kind's own handler (``KindSpec.act``) when it
    has one, so its checks cannot be bypassed, else the engine's ``service.act``."""
    if kind.spec.act is not None:
        return kind.spec.act(uow, principal, matter_id, action, version=version, note=note, data=data, tz=tz)
    return service.act(uow, principal, kind, matter_id, action, version=version, note=note, data=data, tz=tz)


def _fields_from_form(form: Any, kind: Kind, action: str) -> dict[str, Any]:
    step = next((s for s in kind.spec.workflow.steps if s.code == action), None)
    data: dict[str, Any] = {}
    for name in step.fields if step else ():
        data[name] = form_str(form, f"field__{name}")
    if kind.spec.act is not None:  # the kind's handler parses whatever fields its steps take
        for key in form:
            if key.startswith("field__"):
                data[key.removeprefix("field__")] = form_str(form, key)
    attachments = [a for a in form_str(form, "attachments").split("\n") if a.strip()]
    if attachments:
        data["attachments"] = attachments
    return data


async def _attempt(request: Request, db: Any, principal: Any, kind: Kind, matter_id: int, work: Any) -> Response:
    """Run one form's use case; on bad input or a stale version show the matter again with the message."""
    form = await request.form()
    try:
        with uow_for(db, principal) as uow:
            notice = work(uow, form)
            uow.commit()
    except (Invalid, Conflict) as exc:
        return _detail(
            request,
            db,
            principal,
            kind,
            matter_id,
            error=exc.message,
            field=exc.field,
            conflict=isinstance(exc, Conflict),
            submitted=dict(form),
        )
    except InvalidTransition as exc:
        return _detail(request, db, principal, kind, matter_id, error=exc.message, conflict=True, submitted=dict(form))
    with db.reading() as session:
        try:
            service.load(session, principal, kind, matter_id)
        except NotFound:  # the step moved it out of the user's sight (e.g. sent back): back to the list
            return redirect(f"/matters/{kind.spec.code}", notice)
    return redirect(kind.spec.url_of(matter_id), notice)


@router.post("/{kind_code}/{matter_id}/act", response_model=None)
async def matter_act(request: Request, kind_code: str, matter_id: int, principal: User, db: Db) -> Response:
    kind = _kind(kind_code, principal)

    def work(uow: Any, form: Any) -> str:
        action = form_str(form, "action")
        take_step(
            uow,
            principal,
            kind,
            matter_id,
            action,
            version=form_int(form, "version", "版本号"),
            note=form_str(form, "note"),
            data=_fields_from_form(form, kind, action),
            tz=_tz(request),
        )
        return "已办理"

    return await _attempt(request, db, principal, kind, matter_id, work)


@router.post("/{kind_code}/{matter_id}/extensions", response_model=None)
async def matter_extension_request(
    request: Request, kind_code: str, matter_id: int, principal: User, db: Db
) -> Response:
    kind = _kind(kind_code, principal)

    def work(uow: Any, form: Any) -> str:
        service.request_extension(
            uow,
            principal,
            kind,
            matter_id,
            form_str(form, "limit_code"),
            form_int(form, "amount", "延期数量") or 0,
            form_str(form, "reason"),
        )
        return "延期申请已提交，待审批"

    return await _attempt(request, db, principal, kind, matter_id, work)


@router.post("/{kind_code}/{matter_id}/extensions/{extension_id}", response_model=None)
async def matter_extension_decide(
    request: Request, kind_code: str, matter_id: int, extension_id: int, principal: User, db: Db
) -> Response:
    kind = _kind(kind_code, principal)

    def work(uow: Any, form: Any) -> str:
        approve = form_str(form, "decision") == "approve"
        ext = uow.session.get(MatterExtension, extension_id)
        if ext is None or ext.matter_id != matter_id:
            raise Invalid("延期申请不存在。", field="extension_id")
        service.decide_extension(
            uow, principal, kind, extension_id, approve=approve, note=form_str(form, "note"), tz=_tz(request)
        )
        return "已批准延期" if approve else "已驳回延期申请"

    return await _attempt(request, db, principal, kind, matter_id, work)


@router.post("/{kind_code}/{matter_id}/pause", response_model=None)
async def matter_pause(request: Request, kind_code: str, matter_id: int, principal: User, db: Db) -> Response:
    kind = _kind(kind_code, principal)

    def work(uow: Any, form: Any) -> str:
        service.pause(uow, principal, kind, matter_id, form_str(form, "reason"))
        return "已暂停计时"

    return await _attempt(request, db, principal, kind, matter_id, work)


@router.post("/{kind_code}/{matter_id}/resume", response_model=None)
async def matter_resume(request: Request, kind_code: str, matter_id: int, principal: User, db: Db) -> Response:
    kind = _kind(kind_code, principal)

    def work(uow: Any, form: Any) -> str:
        service.resume(uow, principal, kind, matter_id, tz=_tz(request))
        return "已恢复计时"

    return await _attempt(request, db, principal, kind, matter_id, work)


# ---------------------------------------------------------------- supervision (督办)


def _date(text: str, field: str) -> date_type | None:
    if not text:
        return None
    try:
        return date_type.fromisoformat(text)
    except ValueError:
        raise Invalid(f"“{text}”不是有效日期，应为 YYYY-MM-DD。", field=field) from None


@router.post("/{kind_code}/{matter_id}/listings", response_model=None)
async def matter_list_for_supervision(
    request: Request, kind_code: str, matter_id: int, principal: User, db: Db
) -> Response:
    kind = _kind(kind_code, principal)

    def work(uow: Any, form: Any) -> str:
        supervision.list_for_supervision(
            uow,
            principal,
            kind,
            matter_id,
            supervising_unit_id=form_int(form, "supervising_unit_id", "督办单位") or 0,
            letter_no=form_str(form, "letter_no"),
            level=form_str(form, "level"),
            requirements=form_str(form, "requirements"),
            due_at=_date(form_str(form, "due_at"), "due_at"),
            due_in=form_int(form, "due_in", "督办期限（工作日）", required=False),
            report_every=form_int(form, "report_every", "进展报送间隔", required=False) or 0,
            tz=_tz(request),
        )
        return "已挂牌督办"

    return await _attempt(request, db, principal, kind, matter_id, work)


@router.post("/{kind_code}/{matter_id}/listings/{listing_id}/reports", response_model=None)
async def matter_supervision_report(
    request: Request, kind_code: str, matter_id: int, listing_id: int, principal: User, db: Db
) -> Response:
    kind = _kind(kind_code, principal)

    def work(uow: Any, form: Any) -> str:
        _listing_of(uow, listing_id, matter_id)
        supervision.file_report(uow, principal, listing_id, form_str(form, "text"))
        return "进展已报送"

    return await _attempt(request, db, principal, kind, matter_id, work)


@router.post("/{kind_code}/{matter_id}/listings/{listing_id}/signoff", response_model=None)
async def matter_supervision_sign_off(
    request: Request, kind_code: str, matter_id: int, listing_id: int, principal: User, db: Db
) -> Response:
    kind = _kind(kind_code, principal)

    def work(uow: Any, form: Any) -> str:
        _listing_of(uow, listing_id, matter_id)
        supervision.sign_off(
            uow,
            principal,
            listing_id,
            form_str(form, "note"),
            version=form_int(form, "version", "版本号", required=False),
        )
        return "督办已销号"

    return await _attempt(request, db, principal, kind, matter_id, work)


def _listing_of(uow: Any, listing_id: int, matter_id: int) -> SupervisionListing:
    listing: SupervisionListing | None = uow.session.get(SupervisionListing, listing_id)
    if listing is None or listing.matter_id != matter_id:
        raise Invalid("督办记录不存在。", field="listing_id")
    return listing


def matters_todo(ctx: TodoContext) -> list[TodoItem]:
    """Matters waiting for an action the user may take, most urgent first."""
    items = []
    for matter in queries.waiting_for(ctx.session, ctx.principal, public_kinds().values()):
        kind = KINDS[matter.kind]
        urgency = Urgency.NORMAL
        if matter.due_at is not None:
            lamp = light(ctx.calendar, matter.due_at, ctx.now, _main_unit(kind), 1, ZoneInfo("Asia/Shanghai"))
            urgency = {Light.RED: Urgency.OVERDUE, Light.YELLOW: Urgency.SOON}.get(lamp, Urgency.NORMAL)
        due = matter.due_at.astimezone(ZoneInfo("Asia/Shanghai")).date() if matter.due_at else None
        items.append(
            TodoItem(
                f"{kind.spec.label} {matter.serial}：{matter.title}",
                kind.spec.url_of(matter.id),
                urgency,
                due,
                f"当前状态：{kind.spec.workflow.label(matter.status)}",
            )
        )
    return items


def _main_unit(kind: Kind) -> Any:
    from zhengwu.core.matters.model import LimitUnit

    mains = [lim.unit for lim in kind.spec.limits if lim.main]
    return mains[0] if mains else LimitUnit.WORKING_DAYS


def _api_router() -> APIRouter:
    from zhengwu.core.matters.api import router as api

    return api


module = Module(
    name="matters",
    routers=[router, _api_router()],
    templates=Path(__file__).resolve().parent / "templates",
    todos=[matters_todo],
)
