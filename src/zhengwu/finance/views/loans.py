"""Pages of pledge loans (质押贷款): the list with its filters (status, borrower, loan code), its totals by status and
its Excel export, the import of applications from a file (every row checked first), and the application's form
(new, and edit while applied). Rates are entered and shown in %; money in 元. A loan's own page, its patents and its
steps are :mod:`zhengwu.finance.views.loan_actions`."""

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
from zhengwu.core.errors import Conflict, Invalid
from zhengwu.core.imports import ImportRejected
from zhengwu.core.matters.imports.sheets import read_file
from zhengwu.core.org.access import check_write, restrict
from zhengwu.core.org.model import Principal
from zhengwu.core.org.service import require
from zhengwu.finance.model import LOAN_MANAGE, VIEW
from zhengwu.finance.model.loan_fields import LABELS
from zhengwu.finance.model.loans import PAYMENTS_PER_YEAR, LoanStatus
from zhengwu.finance.model.plan import Amortization
from zhengwu.finance.service import loans as service
from zhengwu.finance.service.loan_imports import COLUMNS, REQUIRED, export_rows, import_loans
from zhengwu.finance.service.loan_imports import export_records as loan_records
from zhengwu.finance.service.rules import active_rules
from zhengwu.finance.tables import Borrower, PledgeLoan, RiskPoolRule
from zhengwu.web.deps import Db, User, get_settings, uow_for
from zhengwu.web.listing import Column, Filter, ListSpec, fetch_page
from zhengwu.web.listing import export_records as export_list
from zhengwu.web.pages import form_int, form_str, redirect, render
from zhengwu.web.uploads import read_import_file

router = APIRouter(prefix="/finance", include_in_schema=False)
LIST = "/finance/loans"
PERCENT_FIELDS = ("annual_rate", "pd_annual", "guarantee_coverage")


def money(value: Any) -> str:
    """An amount in 元 with thousands separators and two decimals.

    >>> money(Decimal("3000000")), money(None)
    ('3,000,000.00', '')
    """
    return "" if value is None else f"{Decimal(value):,.2f}"


def pct_input(fraction: float) -> str:
    """A fraction as the number a % field shows (``0.0435`` → ``4.35``).

    >>> pct_input(0.0435), pct_input(0.8), pct_input(0.0)
    ('4.35', '80', '0')
    """
    return f"{round(fraction * 100, 8):g}"


def _status(value: Any) -> str:
    return LoanStatus(value).label if value in LoanStatus._value2member_map_ else str(value or "")


def loan_list() -> ListSpec:
    loan = PledgeLoan

    def query(principal: Principal | None) -> AnySelect:
        stmt = select(
            loan.id.label("id"),
            loan.code.label("code"),
            Borrower.name.label("borrower"),
            loan.principal.label("principal"),
            loan.annual_rate.label("annual_rate"),
            loan.term_months.label("term_months"),
            loan.amortization.label("amortization"),
            loan.status.label("status"),
            loan.applied_on.label("applied_on"),
            loan.disbursed_on.label("disbursed_on"),
            loan.maturity_date.label("maturity_date"),
        ).join(Borrower, Borrower.id == loan.borrower_id)
        return restrict(stmt, principal, VIEW, PledgeLoan)

    return ListSpec(
        name="质押贷款",
        columns=(
            Column("code", "贷款编号", loan.code),
            Column("borrower", "借款企业", Borrower.name),
            Column("principal", "本金（元）", loan.principal, fmt=money),
            Column("annual_rate", "年利率", loan.annual_rate, fmt=lambda v: f"{pct_input(v)}%"),
            Column("term_months", "期限（月）", loan.term_months),
            Column("amortization", "还款方式", loan.amortization, fmt=lambda v: Amortization(v).label),
            Column("status", "状态", loan.status, fmt=_status),
            Column("applied_on", "申请日期", loan.applied_on),
            Column("disbursed_on", "放款日期", loan.disbursed_on),
            Column("maturity_date", "到期日", loan.maturity_date),
        ),
        query=query,
        filters=(
            Filter("status", "状态", lambda s, t: service.loan_filters(s, status=t), LoanStatus.choices()),
            Filter("borrower", "借款企业（名称或信用代码）", lambda s, t: service.loan_filters(s, borrower=t)),
            Filter("code", "贷款编号", lambda s, t: service.loan_filters(s, code=t)),
        ),
        default_sort="-applied_on",
        tiebreak=loan.id.desc(),
    )


def _filters(request: Request) -> dict[str, str]:
    return {k: request.query_params.get(k, "").strip() for k in ("status", "borrower", "code")}


def _list_page(request: Request, db: Database, principal: Principal, status: int = 200, **extra: Any) -> HTMLResponse:
    with db.reading() as session:
        page = fetch_page(session, loan_list(), principal, request.query_params, get_settings(request).page_size)
        totals = service.loan_totals(session, principal, **_filters(request))
    ctx = {
        "page": page,
        "totals": [(s.label, n, money(total)) for s, n, total in totals],
        "all_count": sum(n for _, n, _ in totals),
        "all_principal": money(sum((t for _, _, t in totals), Decimal(0))),
        "may_manage": principal.has(LOAN_MANAGE),
        "columns": [(key, label, key in REQUIRED) for key, label in COLUMNS.items()],
        "errors": [],
        **extra,
    }
    return render(request, "finance/loans.html", ctx, status=status)


@router.get("/loans", response_class=HTMLResponse)
def loan_list_page(request: Request, principal: User, db: Db) -> HTMLResponse:
    require(principal, VIEW)
    return _list_page(request, db, principal)


@router.get("/loans/export.xlsx")
def loan_export(request: Request, principal: User, db: Db) -> StreamingResponse:
    """The filtered list in the import's columns and then the read-only ones (status, dates, pledge)."""
    require(principal, VIEW)

    def rows_of(session: Session, ids: list[int]) -> Iterable[list[Any]]:
        return export_rows(loan_records(session, ids))

    with uow_for(db, principal) as uow:
        return export_list(db, uow, loan_list(), principal, request.query_params, rows_of)


@router.post("/loans/import", response_model=None)
async def loan_import(request: Request, principal: User, db: Db) -> Response:
    require(principal, LOAN_MANAGE)
    form = await request.form()
    try:
        filename, data = await read_import_file(form, "请选择要导入的 .xlsx 或 .csv 文件。")
        sheet = read_file(filename, data)
        with uow_for(db, principal) as uow:
            created = import_loans(uow, principal, sheet)
            uow.commit()
    except ImportRejected as exc:
        return _list_page(request, db, principal, 422, errors=exc.errors, error=exc.message[:200])
    except (Invalid, Conflict) as exc:
        return _list_page(request, db, principal, exc.status, error=exc.message, field=exc.field)
    return redirect(LIST, f"已导入 {len(created)} 笔贷款申请")


# ------------------------------------------------------------------------------------------------ new and edit


def _form(
    request: Request, session: Session, principal: Principal, ctx: dict[str, Any], status: int = 200
) -> HTMLResponse:
    borrowers = session.execute(
        restrict(select(Borrower.id, Borrower.name, Borrower.credit_code), principal, VIEW).order_by(Borrower.name)
    ).all()
    rules = [(r.id, f"{r.name}（{r.code}）") for r in active_rules(session)]
    current = ctx.get("submitted", {}).get("risk_pool_rule_id")
    if current and str(current).isdigit() and int(current) not in {rid for rid, _ in rules}:
        rule = session.get(RiskPoolRule, int(current))
        if rule is not None:
            rules.append((rule.id, f"{rule.name}（{rule.code}，已停用）"))
    ctx.setdefault("submitted", {})
    ctx.update(
        borrowers=[(str(i), f"{name}（{code}）") for i, name, code in borrowers],
        rules=[(str(i), label) for i, label in rules],
        amortizations=Amortization.choices(),
        payments=[(str(n), {1: "每年", 2: "每半年", 4: "每季度", 12: "每月"}[n]) for n in PAYMENTS_PER_YEAR],
        labels=LABELS,
    )
    return render(request, "finance/loan_form.html", ctx, status=status)


def _fields(form: FormData) -> dict[str, str]:
    return {key: form_str(form, key) for key in LABELS}


@router.get("/loans/new", response_class=HTMLResponse)
def loan_new(request: Request, principal: User, db: Db) -> HTMLResponse:
    require(principal, LOAN_MANAGE)
    with db.reading() as session:
        defaults = {"payments_per_year": "4", "amortization": "bullet", "guarantee_coverage": "0"}
        return _form(request, session, principal, {"action": f"{LIST}/new", "submitted": defaults})


@router.post("/loans/new", response_model=None)
async def loan_create(request: Request, principal: User, db: Db) -> Response:
    require(principal, LOAN_MANAGE)
    form = await request.form()
    try:
        with uow_for(db, principal) as uow:
            loan = service.create_loan(uow, principal, _fields(form), percent=True)
            uow.commit()
            target = f"{LIST}/{loan.id}"
    except (Invalid, Conflict) as exc:
        with db.reading() as session:
            ctx = {"action": f"{LIST}/new", "submitted": _fields(form), "error": exc.message, "field": exc.field}
            return _form(request, session, principal, ctx, exc.status)
    return redirect(target, "已登记贷款申请，请登记质押专利")


def _submitted(loan: PledgeLoan) -> dict[str, str]:
    values = {key: getattr(loan, key) for key in LABELS}
    for key in PERCENT_FIELDS:
        values[key] = pct_input(values[key])
    out = {k: "" if v is None else str(v) for k, v in values.items()}
    return {**out, "version": str(loan.version)}


@router.get("/loans/{loan_id:int}/edit", response_class=HTMLResponse)
def loan_edit(request: Request, loan_id: int, principal: User, db: Db) -> HTMLResponse:
    require(principal, LOAN_MANAGE)
    with db.reading() as session:
        loan = service.get_loan(session, principal, loan_id)
        check_write(session, principal, LOAN_MANAGE, loan)
        ctx = {"action": f"{LIST}/{loan_id}/edit", "submitted": _submitted(loan), "editing": True}
        if loan.status != LoanStatus.APPLIED:
            ctx.update(error=f"贷款已{LoanStatus(loan.status).label}，条款不能再修改。", field="status")
        return _form(request, session, principal, ctx)


@router.post("/loans/{loan_id:int}/edit", response_model=None)
async def loan_update(request: Request, loan_id: int, principal: User, db: Db) -> Response:
    require(principal, LOAN_MANAGE)
    form = await request.form()
    try:
        with uow_for(db, principal) as uow:
            version = form_int(form, "version", "版本号")
            service.update_loan(uow, principal, loan_id, _fields(form), version=version, percent=True)
            uow.commit()
    except (Invalid, Conflict) as exc:
        submitted = {**_fields(form), "version": form_str(form, "version")}
        with db.reading() as session:
            ctx = {"action": f"{LIST}/{loan_id}/edit", "submitted": submitted, "editing": True}
            ctx.update(error=exc.message, field=exc.field, conflict=exc.status == 409)
            return _form(request, session, principal, ctx, exc.status)
    return redirect(f"{LIST}/{loan_id}", "已保存")
