"""The steps of a pledge loan's life and the picture of one loan.

Steps (:class:`~zhengwu.finance.model.loans.Step`, the table of :mod:`zhengwu.finance.model.loans`), each with its
fields, the loan's version read, one unit of work, a :class:`~zhengwu.finance.tables.LoanEvent` and the audit log:

- ``approve`` (``approved_on``): at least one pledged patent, and the pledge rate at most the loan's ceiling;
- ``decline`` (``closed_on``, ``reason``) from applied or approved;
- ``disburse`` (``disbursed_on`` ≥ ``approved_on``, ``registration_no`` 专利权质押登记号, ``registration_date`` ≤
  ``disbursed_on``): the pledge checked again (patents may change after approval, ceilings too), the maturity set;
- ``repay`` (``closed_on``);
- ``default`` (``closed_on`` the default date, ``exposure_at_default`` if entered, else computed by
  :func:`~zhengwu.finance.model.loans.exposure_at_default`): with a risk-pool rule, the loss allocated (stage
  ``default``, on the exposure);
- ``dispose`` (``disposed_on``, ``disposal_proceeds`` ≥ 0): with a rule, the loss allocated again (stage
  ``disposal``, on max(0, exposure − proceeds)).

Dates are business dates, at most today; each step's date is not before the previous step's. The per-firm cap counts
what the pool bears for the same firm — every loan whose borrower has the same unified social credit code, at any
bank — by the latest allocation of each of those loans under the same rule.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from zhengwu.core.db import UnitOfWork
from zhengwu.core.errors import Invalid
from zhengwu.core.org.model import Principal
from zhengwu.core.org.service import require
from zhengwu.core.org.tables import Unit, User
from zhengwu.finance.model import LOAN_MANAGE
from zhengwu.finance.model.loan_fields import blank, date_of, money_of, text_of
from zhengwu.finance.model.loans import (
    LoanStatus,
    ScheduleRow,
    Step,
    allowed_steps,
    check_step,
    exposure_at_default,
    loan_ceiling,
    maturity_date,
    percent,
    pledge_rate,
    repayment_schedule,
)
from zhengwu.finance.model.risk_pool import allocate, cap_left
from zhengwu.finance.service.loans import add_event, for_write, get_loan, local_today, patents_of
from zhengwu.finance.service.rules import ceilings, get_rule
from zhengwu.finance.tables import Borrower, LoanEvent, LossAllocation, PledgedPatent, PledgeLoan, RiskPoolRule

#: A rate within this of the ceiling counts as at the ceiling (float rounding of value-weighted means).
TOLERANCE = 1e-12


@dataclass(frozen=True)
class Pledge:
    """The pledge of a loan: the appraised value of its patents (元), the pledge rate and the ceiling (fractions;
    None with ``problem`` saying why when they cannot be computed)."""

    appraised: Decimal
    rate: float | None
    ceiling: float | None
    problem: str | None = None

    @property
    def within(self) -> bool:
        return self.rate is not None and self.ceiling is not None and self.rate <= self.ceiling + TOLERANCE


def pledge_of(session: Session, loan: PledgeLoan, patents: list[PledgedPatent] | None = None) -> Pledge:
    patents = patents_of(session, loan.id) if patents is None else patents
    appraised = sum((p.appraised_value for p in patents), Decimal(0))
    try:
        rate = pledge_rate(loan.principal, appraised)
        ceiling = loan_ceiling([(p.patent_type, p.appraised_value) for p in patents], ceilings(session))
    except Invalid as exc:
        return Pledge(appraised, None, None, exc.message)
    return Pledge(appraised, rate, ceiling)


def _check_pledge(session: Session, loan: PledgeLoan, doing: str) -> None:
    pledge = pledge_of(session, loan)
    if pledge.problem is not None or pledge.rate is None or pledge.ceiling is None:
        raise Invalid(f"不能{doing}：{pledge.problem}", field="patents")
    if not pledge.within:
        raise Invalid(
            f"质押率 {percent(pledge.rate)}（贷款本金 ÷ 质押专利评估价值 {pledge.appraised:,.2f} 元）超过上限 "
            f"{percent(pledge.ceiling)}，不能{doing}；请降低本金或增加质押专利。",
            field="principal",
        )


# ------------------------------------------------------------------------------------------------- allocations


def _borne_for_firm(session: Session, loan: PledgeLoan, rule_id: int) -> list[Decimal]:
    """The pool part of the latest allocation of each other loan of the same firm (same credit code) under the rule."""
    code = session.scalar(select(Borrower.credit_code).where(Borrower.id == loan.borrower_id))
    # Two defaults of the same firm must not both spend the cap left: lock the firm's borrower rows (PostgreSQL;
    # SQLite lets one writer at a time anyway) before reading what the pool already bears.
    session.execute(select(Borrower.id).where(Borrower.credit_code == code).with_for_update())
    firm_loans = (
        select(PledgeLoan.id)
        .join(Borrower, Borrower.id == PledgeLoan.borrower_id)
        .where(Borrower.credit_code == code, PledgeLoan.id != loan.id)
    )
    latest = (
        select(func.max(LossAllocation.id))
        .where(LossAllocation.loan_id.in_(firm_loans))
        .group_by(LossAllocation.loan_id)
    )
    stmt = select(LossAllocation.pool_amount).where(LossAllocation.id.in_(latest), LossAllocation.rule_id == rule_id)
    return list(session.scalars(stmt))


def _allocate(uow: UnitOfWork, loan: PledgeLoan, stage: str, loss: Decimal) -> None:
    if loan.risk_pool_rule_id is None:
        return
    session = uow.session
    rule = get_rule(session, loan.risk_pool_rule_id)
    left = cap_left(rule.per_firm_cap, _borne_for_firm(session, loan, rule.id))
    a = allocate(loss, rule.pool_share, rule.lender_share, rule.valuer_share, left)
    session.add(
        LossAllocation(
            loan_id=loan.id,
            rule_id=rule.id,
            stage=stage,
            loss=a.loss,
            pool_amount=a.pool,
            lender_amount=a.lender,
            valuer_amount=a.valuer,
            capped_by=a.capped_by,
            at=uow.clock.now(),
        )
    )


# ------------------------------------------------------------------------------------------------------- steps


def _not_before(day: date, earlier: date | None, field: str, label: str, what: str) -> date:
    if earlier is not None and day < earlier:
        raise Invalid(f"{label} {day} 早于{what} {earlier}。", field=field)
    return day


def _note(data: Mapping[str, Any]) -> str:
    return text_of(data.get("note"), "note", 2000, required=False)


def _approve(uow: UnitOfWork, loan: PledgeLoan, data: Mapping[str, Any], today: date) -> tuple[date, str]:
    on = date_of(data.get("approved_on"), "approved_on", today)
    _not_before(on, loan.applied_on, "approved_on", "审批日期", "申请日期")
    _check_pledge(uow.session, loan, "审批通过")
    loan.approved_on = on
    return on, _note(data)


def _decline(uow: UnitOfWork, loan: PledgeLoan, data: Mapping[str, Any], today: date) -> tuple[date, str]:
    on = date_of(data.get("closed_on"), "closed_on", today, "不予批准的日期")
    _not_before(on, loan.approved_on or loan.applied_on, "closed_on", "不予批准的日期", "申请或审批日期")
    reason = text_of(data.get("reason"), "reason", 2000, label="不予批准的理由")
    loan.closed_on = on
    return on, reason


def _disburse(uow: UnitOfWork, loan: PledgeLoan, data: Mapping[str, Any], today: date) -> tuple[date, str]:
    on = date_of(data.get("disbursed_on"), "disbursed_on", today)
    _not_before(on, loan.approved_on, "disbursed_on", "放款日期", "审批日期")
    number = text_of(data.get("registration_no"), "registration_no", 64, label="专利权质押登记号")
    registered = date_of(data.get("registration_date"), "registration_date", today)
    _not_before(registered, loan.applied_on, "registration_date", "质押登记日期", "申请日期")
    if registered > on:
        raise Invalid(
            f"质押登记日期 {registered} 晚于放款日期 {on}：须先办理质押登记再放款。", field="registration_date"
        )
    _check_pledge(uow.session, loan, "放款")
    loan.disbursed_on, loan.registration_no, loan.registration_date = on, number, registered
    loan.maturity_date = maturity_date(on, loan.term_months)
    return on, _note(data)


def _repay(uow: UnitOfWork, loan: PledgeLoan, data: Mapping[str, Any], today: date) -> tuple[date, str]:
    on = date_of(data.get("closed_on"), "closed_on", today, "结清日期")
    _not_before(on, loan.disbursed_on, "closed_on", "结清日期", "放款日期")
    loan.closed_on = on
    return on, _note(data)


def _default(uow: UnitOfWork, loan: PledgeLoan, data: Mapping[str, Any], today: date) -> tuple[date, str]:
    on = date_of(data.get("closed_on"), "closed_on", today, "违约日期")
    disbursed = loan.disbursed_on or on
    _not_before(on, disbursed, "closed_on", "违约日期", "放款日期")
    entered = data.get("exposure_at_default")
    if blank(entered):
        exposure = exposure_at_default(
            loan.principal, loan.annual_rate, loan.term_months, loan.payments_per_year, loan.amortization, disbursed, on
        )
    else:
        exposure = money_of(entered, "exposure_at_default", allow_zero=True)
    loan.closed_on, loan.exposure_at_default = on, exposure
    _allocate(uow, loan, "default", exposure)
    return on, _note(data)


def _dispose(uow: UnitOfWork, loan: PledgeLoan, data: Mapping[str, Any], today: date) -> tuple[date, str]:
    on = date_of(data.get("disposed_on"), "disposed_on", today)
    _not_before(on, loan.closed_on, "disposed_on", "处置日期", "违约日期")
    proceeds = money_of(data.get("disposal_proceeds"), "disposal_proceeds", allow_zero=True)
    loan.disposed_on, loan.disposal_proceeds = on, proceeds
    _allocate(uow, loan, "disposal", max(Decimal(0), (loan.exposure_at_default or Decimal(0)) - proceeds))
    return on, _note(data)


STEPS: dict[Step, Callable[[UnitOfWork, PledgeLoan, Mapping[str, Any], date], tuple[date, str]]] = {
    Step.APPROVE: _approve,
    Step.DECLINE: _decline,
    Step.DISBURSE: _disburse,
    Step.REPAY: _repay,
    Step.DEFAULT: _default,
    Step.DISPOSE: _dispose,
}


def step_of(value: object) -> Step:
    """A step by its name (``approve`` …) or Chinese verb."""
    text = value.strip() if isinstance(value, str) else ""
    for step in Step:
        if text in (step.value, step.label):
            return step
    raise Invalid(
        f"未知的操作“{text[:20]}”，可选：{'、'.join(f'{s.value}（{s.label}）' for s in Step)}。", field="step"
    )


def take_step(
    uow: UnitOfWork,
    principal: Principal | None,
    loan_id: int,
    step: str,
    data: Mapping[str, Any],
    *,
    version: int | None,
) -> PledgeLoan:
    """Move the loan by ``step`` with that step's fields (see the module docstring), the version read; the table of
    :mod:`zhengwu.finance.model.loans` decides whether the step is open (409 naming both statuses otherwise)."""
    chosen = step_of(step)
    who = require(principal, LOAN_MANAGE)
    loan = for_write(uow, who, loan_id, version)
    target = check_step(loan.status, chosen)
    on, note = STEPS[chosen](uow, loan, data, local_today(uow))
    loan.status = target.value
    loan.updated_at = uow.clock.now()
    add_event(uow, who, loan, target, on, note)
    uow.flush()
    return loan


# ------------------------------------------------------------------------------------------------------ picture


@dataclass(frozen=True)
class EventRow:
    status: LoanStatus
    on: date
    note: str
    by: str
    at: Any


@dataclass(frozen=True)
class LoanDetail:
    """Everything a loan's page and the API's detail show (the caller's ``finance.view`` checked)."""

    loan: PledgeLoan
    borrower: Borrower
    unit_name: str
    patents: list[PledgedPatent]
    pledge: Pledge
    schedule: list[ScheduleRow]
    events: list[EventRow]
    allocations: list[tuple[LossAllocation, str]]
    rule: RiskPoolRule | None
    steps: list[Step]


def loan_detail(session: Session, principal: Principal | None, loan_id: int) -> LoanDetail:
    loan = get_loan(session, principal, loan_id)
    borrower = session.get(Borrower, loan.borrower_id)
    assert borrower is not None  # a foreign key with ON DELETE RESTRICT
    patents = patents_of(session, loan.id)
    schedule = repayment_schedule(
        loan.principal, loan.annual_rate, loan.term_months, loan.payments_per_year, loan.amortization, loan.disbursed_on
    )
    stmt = (
        select(LoanEvent, User.full_name)
        .outerjoin(User, User.id == LoanEvent.user_id)
        .where(LoanEvent.loan_id == loan.id)
        .order_by(LoanEvent.id)
    )
    events = [EventRow(LoanStatus(e.status), e.on, e.note, name or "系统", e.at) for e, name in session.execute(stmt)]
    rows = session.execute(
        select(LossAllocation, RiskPoolRule.name)
        .join(RiskPoolRule, RiskPoolRule.id == LossAllocation.rule_id)
        .where(LossAllocation.loan_id == loan.id)
        .order_by(LossAllocation.id)
    )
    rule = None if loan.risk_pool_rule_id is None else session.get(RiskPoolRule, loan.risk_pool_rule_id)
    return LoanDetail(
        loan=loan,
        borrower=borrower,
        unit_name=session.scalar(select(Unit.name).where(Unit.id == loan.unit_id)) or "",
        patents=patents,
        pledge=pledge_of(session, loan, patents),
        schedule=schedule,
        events=events,
        allocations=[(a, name) for a, name in rows],
        rule=rule,
        steps=allowed_steps(loan.status),
    )
