"""Loan applications imported from an ``.xlsx`` or ``.csv`` file (validate first), and the rows of the list's export.

The header row names the columns by their key or Chinese label (:data:`COLUMNS`): ``code`` 贷款编号, ``borrower``
借款企业 (its unified social credit code, or its exact name, among the borrowers the importer sees — the one kept by
the importing bank first), ``principal`` 贷款本金（元）, ``annual_rate`` 年利率（%）, ``term_months`` 期限（月）,
``payments_per_year`` 每年还款次数, ``amortization`` 还款方式 (code or 到期一次还本 / 等额本息 / 等额本金),
``pd_annual`` 年违约概率（%）, ``guarantor`` 担保机构, ``guarantee_coverage`` 担保比例（%）, ``risk_pool_rule``
风险补偿规则 (a rule's code, or empty), ``applied_on`` 申请日期, ``note`` 备注. Rates are in % as on the pages.

Every row is checked before anything is written; any bad cell rejects the file (``ImportRejected``: row, column,
reason). Each row becomes an application (status applied) through :func:`~zhengwu.finance.service.loans.create_loan`,
all in one unit of work. The export (:func:`export_rows`) writes these columns first and then read-only columns
(status, dates, pledge), which an import ignores, so an exported file imports again (into another bank).
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from zhengwu.core.db import UnitOfWork
from zhengwu.core.errors import Invalid
from zhengwu.core.imports import ImportRejected, RowError, map_header
from zhengwu.core.matters.imports.rows import clean
from zhengwu.core.matters.imports.sheets import Sheet
from zhengwu.core.org.access import check_write, restrict
from zhengwu.core.org.model import Principal
from zhengwu.core.org.service import require
from zhengwu.finance.model import LOAN_MANAGE, VIEW
from zhengwu.finance.model.loan_fields import check_fields
from zhengwu.finance.model.loans import LoanStatus
from zhengwu.finance.model.plan import Amortization
from zhengwu.finance.service.loans import create_loan, loan_unit, local_today
from zhengwu.finance.service.rules import active_rules
from zhengwu.finance.tables import Borrower, PledgedPatent, PledgeLoan, RiskPoolRule

COLUMNS: dict[str, str] = {
    "code": "贷款编号",
    "borrower": "借款企业",
    "principal": "贷款本金（元）",
    "annual_rate": "年利率（%）",
    "term_months": "期限（月）",
    "payments_per_year": "每年还款次数",
    "amortization": "还款方式",
    "pd_annual": "年违约概率（%）",
    "guarantor": "担保机构",
    "guarantee_coverage": "担保比例（%）",
    "risk_pool_rule": "风险补偿规则",
    "applied_on": "申请日期",
    "note": "备注",
}
REQUIRED = ("code", "borrower", "principal", "annual_rate", "term_months", "amortization", "pd_annual", "applied_on")
#: The export's read-only columns after :data:`COLUMNS`; an import ignores them.
EXTRA: dict[str, str] = {
    "status": "状态",
    "approved_on": "审批日期",
    "disbursed_on": "放款日期",
    "maturity_date": "到期日",
    "closed_on": "结清、违约或不予批准日期",
    "exposure_at_default": "违约时风险敞口（元）",
    "disposal_proceeds": "处置回收金额（元）",
    "appraised": "质押专利评估价值（元）",
    "pledge_rate": "质押率（%）",
}
MAX_ROWS = 2000


def _borrowers(session: Session, principal: Principal) -> dict[str, list[Borrower]]:
    """The borrowers the importer sees, by credit code and by name."""
    found: dict[str, list[Borrower]] = {}
    for b in session.scalars(restrict(select(Borrower), principal, VIEW)):
        found.setdefault(b.credit_code, []).append(b)
        found.setdefault(b.name, []).append(b)
    return found


def _borrower(value: Any, known: dict[str, list[Borrower]], unit_id: int) -> int:
    text = str(value).strip() if value is not None else ""
    matches = known.get(text) or known.get(text.upper()) or []
    ours = [b for b in matches if b.unit_id == unit_id]
    if len(ours) == 1 or (not ours and len(matches) == 1):
        return (ours or matches)[0].id
    if not text:
        raise Invalid("请填写借款企业的统一社会信用代码（或名称）。", field="borrower")
    if matches:
        raise Invalid(f"借款企业“{text[:40]}”对应多家企业，请改填统一社会信用代码。", field="borrower")
    raise Invalid(f"借款企业“{text[:40]}”不存在或不在您的数据范围内，请先登记借款企业。", field="borrower")


def read_rows(uow: UnitOfWork, principal: Principal, sheet: Sheet, unit_id: int) -> list[dict[str, Any]]:
    """Every data row checked: the application's data for :func:`create_loan` (rates in %), or ``ImportRejected``
    with every problem."""
    session = uow.session
    fields, errors = map_header(list(sheet.header), {**COLUMNS, **EXTRA}, REQUIRED)
    if errors:
        raise ImportRejected(errors)
    known, today = _borrowers(session, principal), local_today(uow)
    rules = {r.code: r.id for r in active_rules(session)}
    taken = set(session.scalars(select(PledgeLoan.code).where(PledgeLoan.unit_id == unit_id)))
    good: list[dict[str, Any]] = []
    rows = 0
    for line, raw in sheet.rows:
        cells = {key: clean(raw[i]) if i < len(raw) else "" for i, key in fields.items() if key in COLUMNS}
        if all(v == "" for v in cells.values()):
            continue
        rows += 1
        if rows > MAX_ROWS:
            raise ImportRejected([RowError(line, "文件", f"一次最多导入 {MAX_ROWS} 行，请分批导入")])
        values, bad = check_fields(cells, today, percent=True)
        row_errors = [RowError(line, _column(e.field), e.message) for e in bad]
        try:
            values["borrower_id"] = _borrower(cells.get("borrower"), known, unit_id)
        except Invalid as exc:
            row_errors.append(RowError(line, COLUMNS["borrower"], exc.message))
        rule = str(cells.get("risk_pool_rule") or "").strip()
        if rule and rule not in rules:
            row_errors.append(RowError(line, COLUMNS["risk_pool_rule"], f"风险补偿规则“{rule[:30]}”不存在或已停用"))
        code = values.get("code")
        if code in taken:
            row_errors.append(RowError(line, COLUMNS["code"], f"贷款编号“{code}”已存在（本单位或文件中重复）"))
        if code:
            taken.add(code)
        errors += row_errors
        if not row_errors:
            good.append({**cells, "borrower_id": values["borrower_id"], "risk_pool_rule_id": rules.get(rule)})
    if not rows:
        raise ImportRejected([RowError(2, "文件", "文件中没有数据行")])
    if errors:
        raise ImportRejected(errors)
    return good


def _column(field: str | None) -> str:
    return COLUMNS.get(field or "", field or "—")


def import_loans(
    uow: UnitOfWork, principal: Principal | None, sheet: Sheet, *, unit_id: int | None = None
) -> list[int]:
    """Record every row of ``sheet`` as an application kept by ``unit_id`` (default: the importer's unit); returns
    the new loans' ids in row order. Nothing is written when any row is bad."""
    who = require(principal, LOAN_MANAGE)
    unit = loan_unit(uow.session, who, unit_id)
    check_write(uow.session, who, LOAN_MANAGE, PledgeLoan(unit_id=unit))
    rows = read_rows(uow, who, sheet, unit)
    return [create_loan(uow, who, data, unit_id=unit, percent=True).id for data in rows]


def _pct(fraction: float | None) -> float | None:
    return None if fraction is None else round(fraction * 100, 10)


def export_rows(
    rows: Iterable[tuple[PledgeLoan, Borrower, str, Decimal]],
) -> Iterable[list[Any]]:
    """The header (Chinese labels) and one row per (loan, borrower, rule code, appraised value 元): the import's
    columns, then :data:`EXTRA`. Money stays ``Decimal`` and dates dates (numbers and dates in the workbook)."""
    yield [*COLUMNS.values(), *EXTRA.values()]
    for loan, b, rule, appraised in rows:
        rate = float(loan.principal / appraised) if appraised > 0 else None
        yield [
            loan.code, b.credit_code, loan.principal, _pct(loan.annual_rate), loan.term_months,
            loan.payments_per_year, Amortization(loan.amortization).label, _pct(loan.pd_annual), loan.guarantor,
            _pct(loan.guarantee_coverage), rule, loan.applied_on, loan.note,
            LoanStatus(loan.status).label, loan.approved_on, loan.disbursed_on, loan.maturity_date, loan.closed_on,
            loan.exposure_at_default, loan.disposal_proceeds, appraised, _pct(rate),
        ]  # fmt: skip


def export_records(session: Session, ids: list[int]) -> list[tuple[PledgeLoan, Borrower, str, Decimal]]:
    """(loan, borrower, rule code, appraised value 元) of the loans ``ids`` in that order, for :func:`export_rows`."""
    appraised = dict(
        session.execute(
            select(PledgedPatent.loan_id, func.sum(PledgedPatent.appraised_value))
            .where(PledgedPatent.loan_id.in_(ids))
            .group_by(PledgedPatent.loan_id)
        ).all()
    )
    stmt = (
        select(PledgeLoan, Borrower, RiskPoolRule.code)
        .join(Borrower, Borrower.id == PledgeLoan.borrower_id)
        .outerjoin(RiskPoolRule, RiskPoolRule.id == PledgeLoan.risk_pool_rule_id)
        .where(PledgeLoan.id.in_(ids))
    )
    found = {
        loan.id: (loan, b, code or "", Decimal(appraised.get(loan.id) or 0)) for loan, b, code in session.execute(stmt)
    }
    return [found[i] for i in ids]
