"""Pages of comparable deals (可比交易): the list with filters (industry, patent type, deal type, date range, text),
its Excel export in the import's columns, a deal's page, the add and edit forms, and the import of an ``.xlsx`` or
``.csv`` file (every row checked first; nothing written on any error). Everyone with ``valuation.view`` reads all
deals; writing needs ``valuation.deal.manage`` over the deal's unit. Prices show in 元 with thousands separators."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response, StreamingResponse
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from zhengwu.core.db import AnySelect
from zhengwu.core.errors import Conflict, Forbidden, Invalid
from zhengwu.core.imports import ImportRejected
from zhengwu.core.matters.imports.sheets import read_file
from zhengwu.core.org.access import check_write
from zhengwu.core.org.model import Principal
from zhengwu.core.org.service import require
from zhengwu.core.org.tables import Unit
from zhengwu.valuation.model import DEAL_MANAGE, VIEW
from zhengwu.valuation.model.indicators import PatentType
from zhengwu.valuation.service import deals as service
from zhengwu.valuation.service.deal_imports import REQUIRED, export_rows, import_deals
from zhengwu.valuation.service.deals import LABELS, DealType, industry_names
from zhengwu.valuation.tables import ComparableDeal, ValuationIndustry
from zhengwu.web.deps import Db, User, get_settings, uow_for
from zhengwu.web.listing import Column, Filter, ListSpec, equals, export_records, fetch_page
from zhengwu.web.pages import form_int, form_str, redirect, render
from zhengwu.web.uploads import read_import_file

router = APIRouter(prefix="/valuation", include_in_schema=False)
LIST = "/valuation/deals"


def money(value: Any) -> str:
    """A price in 元 with thousands separators and two decimals.

    >>> money(Decimal("1250000.5"))
    '1,250,000.50'
    """
    return "" if value is None else f"{Decimal(value):,.2f}"


def _day(label: str, key: str, after: bool) -> Any:
    def apply(stmt: AnySelect, text: str) -> AnySelect:
        try:
            day = date.fromisoformat(text)
        except ValueError:
            raise Invalid(f"筛选条件“{label}”应为 YYYY-MM-DD 格式的日期。", field=key) from None
        return stmt.where(ComparableDeal.deal_date >= day if after else ComparableDeal.deal_date <= day)

    return apply


def _text(stmt: AnySelect, text: str) -> AnySelect:
    return service.deal_filters(stmt, q=text)


def deal_list(industries: dict[str, str]) -> ListSpec:
    d = ComparableDeal

    def query(principal: Principal | None) -> AnySelect:
        return select(
            d.id.label("id"),
            d.deal_date.label("deal_date"),
            d.patent_number.label("patent_number"),
            d.title.label("title"),
            d.patent_type.label("patent_type"),
            d.industry_code.label("industry_code"),
            ValuationIndustry.name.label("industry"),
            d.ipc.label("ipc"),
            d.deal_type.label("deal_type"),
            d.price.label("price"),
            d.pvd.label("pvd"),
            d.source.label("source"),
            d.note.label("note"),
        ).outerjoin(ValuationIndustry, ValuationIndustry.code == d.industry_code)

    def patent_type(v: Any) -> str:
        return PatentType(v).label if v in PatentType._value2member_map_ else str(v or "")

    def deal_type(v: Any) -> str:
        return DealType(v).label if v in DealType._value2member_map_ else str(v or "")

    return ListSpec(
        name="可比交易",
        columns=(
            Column("deal_date", "交易日期", d.deal_date),
            Column("patent_number", "专利号", d.patent_number),
            Column("title", "专利名称", d.title),
            Column("patent_type", "专利类型", d.patent_type, fmt=patent_type),
            Column("industry", "行业", ValuationIndustry.name),
            Column("deal_type", "交易类型", d.deal_type, fmt=deal_type),
            Column("price", "成交价（元）", d.price, fmt=money),
            Column("pvd", "价值度", d.pvd, fmt=lambda v: "" if v is None else f"{v:g}"),
            Column("source", "来源", d.source, sortable=False),
        ),
        query=query,
        filters=(
            Filter("industry", "行业", equals(d.industry_code), list(industries.items())),
            Filter("patent_type", "专利类型", equals(d.patent_type), PatentType.choices()),
            Filter("deal_type", "交易类型", equals(d.deal_type), DealType.choices()),
            Filter("date_from", "交易日期起", _day("交易日期起", "date_from", True)),
            Filter("date_to", "交易日期止", _day("交易日期止", "date_to", False)),
            Filter("q", "专利号、名称、IPC、来源", _text),
        ),
        default_sort="-deal_date",
        tiebreak=d.id.desc(),
    )


def _list_page(request: Request, db: Any, principal: Principal, status: int = 200, **extra: Any) -> HTMLResponse:
    with db.reading() as session:
        spec = deal_list(industry_names(session))
        page = fetch_page(session, spec, principal, request.query_params, get_settings(request).page_size)
    columns = [(key, label, key in REQUIRED) for key, label in LABELS.items()]
    ctx = {"page": page, "may_manage": principal.has(DEAL_MANAGE), "columns": columns, "errors": [], **extra}
    return render(request, "valuation/deals.html", ctx, status=status)


@router.get("/deals", response_class=HTMLResponse)
def deal_list_page(request: Request, principal: User, db: Db) -> HTMLResponse:
    require(principal, VIEW)
    return _list_page(request, db, principal)


@router.get("/deals/export.xlsx")
def deal_export(request: Request, principal: User, db: Db) -> StreamingResponse:
    """The filtered list in the import's columns (the price a number), so the file imports again."""
    require(principal, VIEW)
    with db.reading() as session:
        spec = deal_list(industry_names(session))

    def rows_of(session: Session, ids: list[int]) -> Iterable[list[Any]]:
        found = {d.id: d for d in session.scalars(select(ComparableDeal).where(ComparableDeal.id.in_(ids)))}
        return export_rows(found[i] for i in ids)

    with uow_for(db, principal) as uow:
        return export_records(db, uow, spec, principal, request.query_params, rows_of)


@router.post("/deals/import", response_model=None)
async def deal_import(request: Request, principal: User, db: Db) -> Response:
    require(principal, DEAL_MANAGE)
    form = await request.form()
    try:
        filename, data = await read_import_file(form, "请选择要导入的 .xlsx 或 .csv 文件。")
        sheet = read_file(filename, data)
        with uow_for(db, principal) as uow:
            created = import_deals(uow, principal, sheet)
            uow.commit()
    except ImportRejected as exc:
        return _list_page(request, db, principal, 422, errors=exc.errors, error=exc.message[:200])
    except Invalid as exc:
        return _list_page(request, db, principal, 422, error=exc.message, field=exc.field)
    return redirect(LIST, f"已导入 {len(created)} 条可比交易")


# ------------------------------------------------------------------------------------------------ add and edit


def _form(request: Request, session: Session, ctx: dict[str, Any], status: int = 200) -> HTMLResponse:
    ctx.setdefault("submitted", {})
    ctx.update(
        industries=list(industry_names(session).items()),
        patent_types=PatentType.choices(),
        deal_types=DealType.choices(),
        labels=LABELS,
    )
    return render(request, "valuation/deal_form.html", ctx, status=status)


def _fields(form: FormData) -> dict[str, str]:
    return {key: form_str(form, key) for key in LABELS}


@router.get("/deals/new", response_class=HTMLResponse)
def deal_new(request: Request, principal: User, db: Db) -> HTMLResponse:
    require(principal, DEAL_MANAGE)
    with db.reading() as session:
        return _form(request, session, {"action": "/valuation/deals/new"})


@router.post("/deals/new", response_model=None)
async def deal_create(request: Request, principal: User, db: Db) -> Response:
    require(principal, DEAL_MANAGE)
    form = await request.form()
    try:
        with uow_for(db, principal) as uow:
            deal = service.add_deal(uow, principal, _fields(form))
            uow.commit()
            target = f"/valuation/deals/{deal.id}"
    except Invalid as exc:
        with db.reading() as session:
            ctx = {"action": "/valuation/deals/new", "submitted": _fields(form), "error": exc.message}
            return _form(request, session, {**ctx, "field": exc.field}, 422)
    return redirect(target, "已登记可比交易")


def _may_edit(session: Session, principal: Principal, deal: ComparableDeal) -> bool:
    if not principal.has(DEAL_MANAGE):
        return False
    try:
        check_write(session, principal, DEAL_MANAGE, deal)
    except Forbidden:
        return False
    return True


@router.get("/deals/{deal_id:int}", response_class=HTMLResponse)
def deal_page(request: Request, deal_id: int, principal: User, db: Db) -> HTMLResponse:
    with db.reading() as session:
        deal = service.get_deal(session, principal, deal_id)
        ctx = {
            "deal": deal,
            "unit": session.scalar(select(Unit.name).where(Unit.id == deal.unit_id)) or "",
            "industry": industry_names(session).get(deal.industry_code or ""),
            "patent_type": PatentType(deal.patent_type).label,
            "deal_type": DealType(deal.deal_type).label,
            "price": money(deal.price),
            "may_edit": _may_edit(session, principal, deal),
        }
        return render(request, "valuation/deal.html", ctx)


def _submitted(deal: ComparableDeal) -> dict[str, str]:
    values = {key: getattr(deal, key) for key in LABELS}
    values["pvd"] = "" if deal.pvd is None else f"{deal.pvd:g}"
    out = {k: "" if v is None else str(v) for k, v in values.items()}
    return {**out, "version": str(deal.version)}


@router.get("/deals/{deal_id:int}/edit", response_class=HTMLResponse)
def deal_edit(request: Request, deal_id: int, principal: User, db: Db) -> HTMLResponse:
    require(principal, DEAL_MANAGE)
    with db.reading() as session:
        deal = service.get_deal(session, principal, deal_id)
        check_write(session, principal, DEAL_MANAGE, deal)
        ctx = {"action": f"/valuation/deals/{deal_id}/edit", "submitted": _submitted(deal), "editing": True}
        return _form(request, session, ctx)


@router.post("/deals/{deal_id:int}/edit", response_model=None)
async def deal_update(request: Request, deal_id: int, principal: User, db: Db) -> Response:
    require(principal, DEAL_MANAGE)
    form = await request.form()
    try:
        with uow_for(db, principal) as uow:
            version = form_int(form, "version", "版本号")
            service.update_deal(uow, principal, deal_id, _fields(form), version=version)
            uow.commit()
    except (Invalid, Conflict) as exc:
        submitted = {**_fields(form), "version": form_str(form, "version")}
        with db.reading() as session:
            ctx = {"action": f"/valuation/deals/{deal_id}/edit", "submitted": submitted, "editing": True}
            ctx.update(error=exc.message, field=exc.field, conflict=exc.status == 409)
            return _form(request, session, ctx, exc.status)
    return redirect(f"/valuation/deals/{deal_id}", "已保存")
