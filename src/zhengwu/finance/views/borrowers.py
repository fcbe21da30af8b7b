"""Pages of finance: Borrowers (借款企业): the list with filters (name, credit code, little giant), its Excel export in
the import's columns, the import of an ``.xlsx`` or ``.csv`` file (every row checked first; nothing written on any
error), a borrower's page with its loans, the add and edit forms and the deletion of a borrower without loans.
Reading needs ``finance.view`` over the borrower's unit, writing ``finance.loan.manage`` over it."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response, StreamingResponse
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from zhengwu.core.db import AnySelect, Database
from zhengwu.core.errors import Conflict, Forbidden, Invalid
from zhengwu.core.imports import ImportRejected
from zhengwu.core.matters.imports.sheets import read_file
from zhengwu.core.org.access import check_write, restrict
from zhengwu.core.org.model import Principal
from zhengwu.core.org.service import require
from zhengwu.core.org.tables import Unit
from zhengwu.finance.model import LOAN_MANAGE, VIEW
from zhengwu.finance.model.loans import LoanStatus
from zhengwu.finance.service import borrowers as service
from zhengwu.finance.service.borrowers import LABELS, REQUIRED, export_rows, import_borrowers
from zhengwu.finance.tables import Borrower
from zhengwu.web.deps import Db, User, get_settings, uow_for
from zhengwu.web.listing import Column, Filter, ListSpec, export_records, fetch_page
from zhengwu.web.pages import form_bool, form_int, form_str, redirect, render
from zhengwu.web.uploads import read_import_file

router = APIRouter(prefix="/finance", include_in_schema=False)
LIST = "/finance/borrowers"


def money(value: Any) -> str:
    """An amount in 元 with thousands separators and two decimals.

    >>> money(Decimal("15000000"))
    '15,000,000.00'
    """
    return "" if value is None else f"{Decimal(value):,.2f}"


def _text(stmt: AnySelect, text: str) -> AnySelect:
    return service.borrower_filters(stmt, q=text)


def _code(stmt: AnySelect, text: str) -> AnySelect:
    return service.borrower_filters(stmt, credit_code=text)


def _giant(stmt: AnySelect, text: str) -> AnySelect:
    return service.borrower_filters(stmt, little_giant=text == "1")


def borrower_list() -> ListSpec:
    b = Borrower

    def query(principal: Principal | None) -> AnySelect:
        stmt = select(
            b.id.label("id"),
            b.name.label("name"),
            b.credit_code.label("credit_code"),
            b.industry.label("industry"),
            b.little_giant.label("little_giant"),
            b.address.label("address"),
            Unit.name.label("unit"),
        ).join(Unit, Unit.id == b.unit_id)
        return restrict(stmt, principal, VIEW, Borrower)

    return ListSpec(
        name="借款企业",
        columns=(
            Column("name", "企业名称", b.name),
            Column("credit_code", "统一社会信用代码", b.credit_code),
            Column("industry", "所属行业", b.industry),
            Column("little_giant", "“小巨人”", b.little_giant),
            Column("address", "地址", b.address, sortable=False),
            Column("unit", "登记单位", Unit.name),
        ),
        query=query,
        filters=(
            Filter("q", "企业名称", _text),
            Filter("credit_code", "统一社会信用代码", _code),
            Filter("little_giant", "专精特新“小巨人”", _giant, [("1", "是"), ("0", "否")]),
        ),
        default_sort="name",
        tiebreak=b.id,
    )


def _list_page(request: Request, db: Database, principal: Principal, status: int = 200, **extra: Any) -> HTMLResponse:
    with db.reading() as session:
        page = fetch_page(session, borrower_list(), principal, request.query_params, get_settings(request).page_size)
    columns = [(key, label, key in REQUIRED) for key, label in LABELS.items()]
    ctx = {"page": page, "may_manage": principal.has(LOAN_MANAGE), "columns": columns, "errors": [], **extra}
    return render(request, "finance/borrowers.html", ctx, status=status)


@router.get("/borrowers", response_class=HTMLResponse)
def borrower_list_page(request: Request, principal: User, db: Db) -> HTMLResponse:
    require(principal, VIEW)
    return _list_page(request, db, principal)


@router.get("/borrowers/export.xlsx")
def borrower_export(request: Request, principal: User, db: Db) -> StreamingResponse:
    """The filtered list in the import's columns, so the file imports again."""
    require(principal, VIEW)

    def rows_of(session: Session, ids: list[int]) -> Iterable[list[Any]]:
        found = {b.id: b for b in session.scalars(select(Borrower).where(Borrower.id.in_(ids)))}
        return export_rows(found[i] for i in ids)

    with uow_for(db, principal) as uow:
        return export_records(db, uow, borrower_list(), principal, request.query_params, rows_of)


@router.post("/borrowers/import", response_model=None)
async def borrower_import(request: Request, principal: User, db: Db) -> Response:
    require(principal, LOAN_MANAGE)
    form = await request.form()
    try:
        filename, data = await read_import_file(form, "请选择要导入的 .xlsx 或 .csv 文件。")
        sheet = read_file(filename, data)
        with uow_for(db, principal) as uow:
            created = import_borrowers(uow, principal, sheet)
            uow.commit()
    except ImportRejected as exc:
        return _list_page(request, db, principal, 422, errors=exc.errors, error=exc.message[:200])
    except Invalid as exc:
        return _list_page(request, db, principal, 422, error=exc.message, field=exc.field)
    return redirect(LIST, f"已导入 {len(created)} 家借款企业")


# ------------------------------------------------------------------------------------------------ add and edit


def _form(request: Request, ctx: dict[str, Any], status: int = 200) -> HTMLResponse:
    ctx.setdefault("submitted", {})
    ctx["labels"] = LABELS
    return render(request, "finance/borrower_form.html", ctx, status=status)


def _fields(form: FormData) -> dict[str, Any]:
    values: dict[str, Any] = {key: form_str(form, key) for key in LABELS}
    values["little_giant"] = form_bool(form, "little_giant")
    return values


def _echo(form: FormData) -> dict[str, str]:
    """The submitted values to show again in the form (without NUL characters)."""
    return {key: str(form.get(key) or "").replace("\x00", "") for key in LABELS}


@router.get("/borrowers/new", response_class=HTMLResponse)
def borrower_new(request: Request, principal: User) -> HTMLResponse:
    require(principal, LOAN_MANAGE)
    return _form(request, {"action": "/finance/borrowers/new"})


@router.post("/borrowers/new", response_model=None)
async def borrower_create(request: Request, principal: User, db: Db) -> Response:
    require(principal, LOAN_MANAGE)
    form = await request.form()
    try:
        with uow_for(db, principal) as uow:
            borrower = service.add_borrower(uow, principal, _fields(form))
            uow.commit()
            target = f"/finance/borrowers/{borrower.id}"
    except Invalid as exc:
        submitted = _echo(form)
        ctx = {"action": "/finance/borrowers/new", "submitted": submitted, "error": exc.message, "field": exc.field}
        return _form(request, ctx, 422)
    return redirect(target, "已登记借款企业")


def _may_write(session: Session, principal: Principal, borrower: Borrower) -> bool:
    if not principal.has(LOAN_MANAGE):
        return False
    try:
        check_write(session, principal, LOAN_MANAGE, borrower)
    except Forbidden:
        return False
    return True


def _detail(
    request: Request, db: Database, principal: Principal, borrower_id: int, status: int = 200, error: str = ""
) -> HTMLResponse:
    with db.reading() as session:
        borrower = service.get_borrower(session, principal, borrower_id)
        loans = [
            {
                "id": loan.id,
                "code": loan.code,
                "principal": money(loan.principal),
                "status": LoanStatus(loan.status).label,
            }
            for loan in service.loans_of(session, principal, borrower.id)
        ]
        ctx = {
            "borrower": borrower,
            "unit": session.scalar(select(Unit.name).where(Unit.id == borrower.unit_id)) or "",
            "loans": loans,
            "loan_total": service.loan_count(session, borrower.id),
            "may_edit": _may_write(session, principal, borrower),
            "error": error,
        }
        return render(request, "finance/borrower.html", ctx, status=status)


@router.get("/borrowers/{borrower_id:int}", response_class=HTMLResponse)
def borrower_page(request: Request, borrower_id: int, principal: User, db: Db) -> HTMLResponse:
    return _detail(request, db, principal, borrower_id)


def _submitted(borrower: Borrower) -> dict[str, str]:
    values = {key: str(getattr(borrower, key) or "") for key in LABELS}
    values["little_giant"] = "1" if borrower.little_giant else ""
    return {**values, "version": str(borrower.version)}


def _editable(session: Session, principal: Principal, borrower_id: int) -> Borrower:
    borrower = service.get_borrower(session, principal, borrower_id)
    check_write(session, principal, LOAN_MANAGE, borrower)
    return borrower


@router.get("/borrowers/{borrower_id:int}/edit", response_class=HTMLResponse)
def borrower_edit(request: Request, borrower_id: int, principal: User, db: Db) -> HTMLResponse:
    require(principal, LOAN_MANAGE)
    with db.reading() as session:
        borrower = _editable(session, principal, borrower_id)
        ctx = {"action": f"/finance/borrowers/{borrower_id}/edit", "submitted": _submitted(borrower), "editing": True}
        return _form(request, ctx)


@router.post("/borrowers/{borrower_id:int}/edit", response_model=None)
async def borrower_update(request: Request, borrower_id: int, principal: User, db: Db) -> Response:
    require(principal, LOAN_MANAGE)
    form = await request.form()
    try:
        with uow_for(db, principal) as uow:
            version = form_int(form, "version", "版本号")
            service.update_borrower(uow, principal, borrower_id, _fields(form), version=version)
            uow.commit()
    except (Invalid, Conflict) as exc:
        with db.reading() as session:
            _editable(session, principal, borrower_id)  # a borrower out of reach stays 404 / 403, never a form
        submitted = {**_echo(form), "version": str(form.get("version") or "").replace("\x00", "")}
        ctx = {"action": f"/finance/borrowers/{borrower_id}/edit", "submitted": submitted, "editing": True}
        ctx.update(error=exc.message, field=exc.field, conflict=exc.status == 409)
        return _form(request, ctx, exc.status)
    return redirect(f"/finance/borrowers/{borrower_id}", "已保存")


@router.post("/borrowers/{borrower_id:int}/delete", response_model=None)
async def borrower_delete(request: Request, borrower_id: int, principal: User, db: Db) -> Response:
    require(principal, LOAN_MANAGE)
    form = await request.form()
    try:
        with uow_for(db, principal) as uow:
            version = form_int(form, "version", "版本号")
            borrower = service.delete_borrower(uow, principal, borrower_id, version=version)
            name = borrower.name
            uow.commit()
    except (Invalid, Conflict) as exc:
        return _detail(request, db, principal, borrower_id, exc.status, exc.message)
    return redirect(LIST, f"已删除借款企业“{name}”")
