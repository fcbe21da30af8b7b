"""The loans pooled in a plan: choosing them (the whole list at once), the loans that may be chosen, the pool's
figures (totals and principal-weighted averages) that the plan's page and the loan picker show, and issuing the
plan, which fixes its loans.

A loan may be pooled when the caller sees it with ``finance.view`` (``restrict`` on the loans, scoped by the bank
that keeps them) and it is approved or disbursed; its term must be a whole number of the plan's periods and at most
the legal final period (:func:`~zhengwu.finance.service.plans.loan_term`), and its code — the loan's id in the
contract's plan JSON — must differ from the other pooled loans' codes (two banks may use the same number). A plan is
issued only with disbursed loans, none of them in another issued plan (:func:`issue_plan`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from zhengwu.core.db import UnitOfWork
from zhengwu.core.errors import Conflict, Invalid
from zhengwu.core.org.access import restrict
from zhengwu.core.org.model import Principal
from zhengwu.finance.model import VIEW
from zhengwu.finance.model.loans import LoanStatus
from zhengwu.finance.model.plan import PlanStatus
from zhengwu.finance.service.plan_contract import parse_stored, pooled_loans
from zhengwu.finance.service.plans import CENT, changed, loan_term, writable_plan
from zhengwu.finance.tables import Borrower, Plan, PlanLoan, PledgedPatent, PledgeLoan

POOLABLE = (LoanStatus.APPROVED.value, LoanStatus.DISBURSED.value)
MAX_LOANS = 1000
MAX_OFFERED = 5000  # the picker lists at most this many loans
MAX_ID = 2_147_483_647


@dataclass(frozen=True)
class PoolLine:
    """A loan as the pool table shows it: ``term_periods`` in the plan's periods (None when the term is not whole
    periods), ``issued_in`` the code of another issued plan that holds it, if any."""

    loan: PledgeLoan
    borrower: str
    pledged_value: Decimal
    term_periods: int | None = None
    issued_in: str | None = None

    @property
    def pledge_rate(self) -> float | None:
        """Principal ÷ the pledged patents' appraised value (None when nothing is pledged)."""
        return float(self.loan.principal / self.pledged_value) if self.pledged_value > 0 else None


@dataclass(frozen=True)
class PoolTotals:
    """The pool's count and sums (元), its principal-weighted mean rate, term (months) and default probability,
    and its pledge rate (total principal ÷ total pledged value); None for an empty pool."""

    count: int
    principal: Decimal
    pledged_value: Decimal
    annual_rate: float | None
    term_months: float | None
    pd_annual: float | None
    pledge_rate: float | None


def pool_totals(lines: Sequence[PoolLine]) -> PoolTotals:
    """Totals and principal-weighted averages of ``lines``.

    >>> a = PoolLine(PledgeLoan(principal=Decimal(300), annual_rate=0.04, term_months=12, pd_annual=0.01), "甲",
    ...              Decimal(1000))
    >>> b = PoolLine(PledgeLoan(principal=Decimal(100), annual_rate=0.08, term_months=24, pd_annual=0.03), "乙",
    ...              Decimal(1000))
    >>> t = pool_totals([a, b])
    >>> t.principal, round(t.annual_rate, 6), t.term_months, round(t.pd_annual, 6), t.pledge_rate
    (Decimal('400.00'), 0.05, 15.0, 0.015, 0.2)
    >>> pool_totals([]).annual_rate is None
    True
    """
    principal = sum((line.loan.principal for line in lines), Decimal(0)).quantize(CENT)
    pledged = sum((line.pledged_value for line in lines), Decimal(0)).quantize(CENT)
    weights = [float(line.loan.principal) for line in lines]
    total = sum(weights)

    def mean(values: list[float]) -> float | None:
        return sum(w * v for w, v in zip(weights, values, strict=True)) / total if total > 0 else None

    return PoolTotals(
        count=len(lines),
        principal=principal,
        pledged_value=pledged,
        annual_rate=mean([line.loan.annual_rate for line in lines]),
        term_months=mean([float(line.loan.term_months) for line in lines]),
        pd_annual=mean([line.loan.pd_annual for line in lines]),
        pledge_rate=float(principal / pledged) if pledged > 0 else None,
    )


def _periods(loan: PledgeLoan, plan: Plan) -> int | None:
    periods, rest = divmod(loan.term_months * plan.periods_per_year, 12)
    return None if rest else periods


def pool_of(session: Session, plan: Plan) -> list[PoolLine]:
    """The plan's pooled loans as pool lines, in code order."""
    return [
        PoolLine(loan, borrower.name, value, _periods(loan, plan))
        for loan, borrower, value in pooled_loans(session, plan)
    ]


def candidates(session: Session, principal: Principal | None, plan: Plan) -> list[PoolLine]:
    """The loans the picker offers for ``plan``: those the caller sees with ``finance.view`` that are approved or
    disbursed, and the plan's own loans whatever their status (a plan's pool is shown to whoever sees the plan);
    each with the other issued plan holding it, in code order."""
    pledged = (
        select(PledgedPatent.loan_id, func.sum(PledgedPatent.appraised_value).label("value"))
        .group_by(PledgedPatent.loan_id)
        .subquery()
    )
    base = (
        select(PledgeLoan, Borrower.name, pledged.c.value)
        .join(Borrower, Borrower.id == PledgeLoan.borrower_id)
        .outerjoin(pledged, pledged.c.loan_id == PledgeLoan.id)
    )
    offered = restrict(base.where(PledgeLoan.status.in_(POOLABLE)).limit(MAX_OFFERED), principal, VIEW, PledgeLoan)
    own = base.join(PlanLoan, PlanLoan.loan_id == PledgeLoan.id).where(PlanLoan.plan_id == plan.id)
    rows = {loan.id: (loan, name, value) for loan, name, value in [*session.execute(offered), *session.execute(own)]}
    issued = dict(
        session.execute(
            select(PlanLoan.loan_id, Plan.code)
            .join(Plan, Plan.id == PlanLoan.plan_id)
            .where(Plan.status == "issued", Plan.id != plan.id)
        ).all()
    )
    lines = [
        PoolLine(loan, name, Decimal(value or 0), _periods(loan, plan), issued.get(loan.id))
        for loan, name, value in rows.values()
    ]
    return sorted(lines, key=lambda line: (line.loan.code, line.loan.id))


def check_loan_ids(value: Any) -> list[int]:
    """A list of loan ids (each once, in the order given); ``Invalid`` naming ``loans`` or ``loans[k]``.

    >>> check_loan_ids([3, 1, 3])
    [3, 1]
    >>> check_loan_ids([1, "2"])
    Traceback (most recent call last):
    ...
    zhengwu.core.errors.Invalid: 贷款 ID 须为正整数。
    """
    if not isinstance(value, list):
        raise Invalid("入池贷款须为贷款 ID 的列表。", field="loans")
    if len(value) > MAX_LOANS:
        raise Invalid(f"一个方案最多纳入 {MAX_LOANS} 笔贷款，现为 {len(value)} 笔。", field="loans")
    for k, item in enumerate(value):
        if isinstance(item, bool) or not isinstance(item, int) or not 0 < item <= MAX_ID:
            raise Invalid("贷款 ID 须为正整数。", field=f"loans[{k}]")
    return list(dict.fromkeys(value))


def set_loans(
    uow: UnitOfWork, principal: Principal | None, plan_id: int, loan_ids: Any, *, version: int | None
) -> Plan:
    """Make ``loan_ids`` the loans pooled in a draft plan. A loan not yet in it must be seen with ``finance.view``
    and be approved or disbursed; every loan must last whole periods, at most the legal final period, and no two
    may share a code. ``Invalid`` names ``loans[k]`` and says which loan."""
    plan = writable_plan(uow, principal, plan_id, version)
    ids = check_loan_ids(loan_ids)
    session = uow.session
    links = {link.loan_id: link for link in session.scalars(select(PlanLoan).where(PlanLoan.plan_id == plan.id))}
    added = [i for i in ids if i not in links]
    seen = session.scalars(restrict(select(PledgeLoan).where(PledgeLoan.id.in_(added)), principal, VIEW)).all()
    kept = session.scalars(select(PledgeLoan).where(PledgeLoan.id.in_([i for i in ids if i in links]))).all()
    loans = {loan.id: loan for loan in [*seen, *kept]}
    codes: dict[str, int] = {}
    for k, loan_id in enumerate(ids):
        field = f"loans[{k}]"
        loan = loans.get(loan_id)
        if loan is None:
            raise Invalid(f"贷款（ID {loan_id}）不存在或不在您的查看范围内。", field=field)
        if loan_id not in links and loan.status not in POOLABLE:
            status = LoanStatus(loan.status).label
            raise Invalid(f"贷款 {loan.code} 的状态为“{status}”，只有已审批或已放款的贷款可以入池。", field=field)
        loan_term(loan, plan.periods_per_year, plan.legal_final_period, field)
        if loan.code in codes:
            raise Invalid(f"贷款编号 {loan.code} 与另一笔入池贷款相同（不同银行的编号重复），方案中的贷款编号须唯一。",
                          field=field)  # fmt: skip
        codes[loan.code] = loan_id
    for loan_id, link in links.items():
        if loan_id not in codes.values():
            session.delete(link)
    session.add_all(PlanLoan(plan_id=plan.id, loan_id=loan_id) for loan_id in added)
    changed(uow, plan)
    return plan


def issue_plan(uow: UnitOfWork, principal: Principal | None, plan_id: int, *, version: int | None) -> Plan:
    """Issue a draft plan: every pooled loan disbursed, the plan runs (the contract parses it), and no loan is in
    another issued plan (Conflict naming it). The pooled loans are locked meanwhile, so two plans issued at once
    cannot both take the same loan."""
    plan = writable_plan(uow, principal, plan_id, version)
    session = uow.session
    loans = list(
        session.scalars(
            select(PledgeLoan)
            .join(PlanLoan, PlanLoan.loan_id == PledgeLoan.id)
            .where(PlanLoan.plan_id == plan.id)
            .order_by(PledgeLoan.code)
            .with_for_update(of=PledgeLoan)
        )
    )
    pending = [f"{loan.code}（{LoanStatus(loan.status).label}）" for loan in loans if loan.status != "disbursed"]
    if pending:
        raise Invalid(f"以下贷款尚未放款或已结清、违约，不能发行：{'、'.join(pending[:20])}。", field="loans")
    parse_stored(session, plan)
    taken = session.execute(
        select(PledgeLoan.code, Plan.code)
        .join(PlanLoan, PlanLoan.loan_id == PledgeLoan.id)
        .join(Plan, Plan.id == PlanLoan.plan_id)
        .where(PlanLoan.loan_id.in_([loan.id for loan in loans]), Plan.id != plan.id, Plan.status == "issued")
        .order_by(PledgeLoan.code)
    ).first()
    if taken is not None:
        raise Conflict(f"贷款 {taken[0]} 已在已发行的方案 {taken[1]} 中，不能再发行。")
    plan.status = PlanStatus.ISSUED.value
    plan.updated_at = uow.clock.now()
    uow.flush()
    return plan
