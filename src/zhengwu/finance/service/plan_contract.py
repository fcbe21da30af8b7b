"""A stored plan read back as the contract's plan JSON (docs/finance.md), so that the stored plan runs through the
same pure core as ``POST /api/finance/run``: :func:`get_plan` finds a plan within the caller's scope,
:func:`plan_contract` builds the JSON from its columns, its tranches and its pooled loans, and :func:`parse_stored`
parses it into the engine's :class:`~zhengwu.finance.model.plan.Plan`. :func:`list_plans` lists the plans in scope
with their pools' figures and :func:`find_plan` finds one by code or id (the command line's look-up).

Each pooled loan enters with its stored terms as of the plan's closing date: ``id`` is the bank's loan code,
``principal`` the loan's principal, ``term_periods`` its term in the plan's periods (``term_months`` ×
``periods_per_year`` ÷ 12, which must be whole), ``pledged_value`` the sum of its pledged patents' appraised values.
Money is in 元 as floats (the engine's unit); the stored figures are exact decimals.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from zhengwu.core.errors import Invalid, NotFound
from zhengwu.core.org.access import get_scoped, restrict
from zhengwu.core.org.model import Principal
from zhengwu.core.org.tables import Unit
from zhengwu.finance.model import VIEW
from zhengwu.finance.model.plan import Plan as EnginePlan
from zhengwu.finance.model.plan import parse_plan
from zhengwu.finance.tables import Borrower, Plan, PlanLoan, PlanTranche, PledgedPatent, PledgeLoan


def get_plan(session: Session, principal: Principal | None, plan_id: int, action: str = VIEW) -> Plan:
    """The plan ``plan_id`` if ``action`` reaches it, else ``NotFound`` (a plan outside the scope is not shown)."""
    plan: Plan = get_scoped(session, principal, action, Plan, plan_id)
    return plan


def tranches_of(session: Session, plan: Plan) -> list[PlanTranche]:
    """The plan's tranches in priority order."""
    return list(session.scalars(select(PlanTranche).where(PlanTranche.plan_id == plan.id).order_by(PlanTranche.seq)))


def pooled_loans(session: Session, plan: Plan) -> list[tuple[PledgeLoan, Borrower, Decimal]]:
    """The plan's loans in code order, each with its borrower and the sum of its pledged patents' values (元)."""
    pledged = (
        select(PledgedPatent.loan_id, func.sum(PledgedPatent.appraised_value).label("value"))
        .group_by(PledgedPatent.loan_id)
        .subquery()
    )
    rows = session.execute(
        select(PledgeLoan, Borrower, pledged.c.value)
        .join(PlanLoan, PlanLoan.loan_id == PledgeLoan.id)
        .join(Borrower, Borrower.id == PledgeLoan.borrower_id)
        .outerjoin(pledged, pledged.c.loan_id == PledgeLoan.id)
        .where(PlanLoan.plan_id == plan.id)
        .order_by(PledgeLoan.code, PledgeLoan.id)
    ).all()
    return [(loan, borrower, Decimal(value or 0)) for loan, borrower, value in rows]


def term_periods(loan: PledgeLoan, periods_per_year: int) -> int:
    """The loan's term in periods of ``periods_per_year``; ``Invalid`` naming the loan if it is not whole.

    >>> term_periods(PledgeLoan(code="L01", term_months=24), 4)
    8
    >>> term_periods(PledgeLoan(code="L02", term_months=13), 4)
    Traceback (most recent call last):
    ...
    zhengwu.core.errors.Invalid: 贷款 L02 的期限 13 个月不是方案每期 3 个月的整数倍，不能入池。
    """
    periods, rest = divmod(loan.term_months * periods_per_year, 12)
    if rest:
        raise Invalid(
            f"贷款 {loan.code} 的期限 {loan.term_months} 个月不是方案每期 {12 // periods_per_year} 个月的整数倍，"
            "不能入池。",
            field="loans",
        )
    return periods


def plan_contract(session: Session, plan: Plan) -> dict[str, Any]:
    """The contract's plan JSON of ``plan`` (see the module docstring); not yet checked (:func:`parse_stored`)."""
    per_year = plan.periods_per_year
    loans = [
        {
            "id": loan.code,
            "borrower": borrower.name,
            "principal": float(loan.principal),
            "annual_rate": loan.annual_rate,
            "term_periods": term_periods(loan, per_year),
            "amortization": loan.amortization,
            "pd_annual": loan.pd_annual,
            "pledged_value": float(value),
        }
        for loan, borrower, value in pooled_loans(session, plan)
    ]
    tranches = [
        {"id": t.code, "name": t.name, "balance": float(t.balance), "coupon": t.coupon}
        for t in tranches_of(session, plan)
    ]
    guarantor = None
    if plan.guarantor_name:
        cap = None if plan.guarantor_cap is None else float(plan.guarantor_cap)
        guarantor = {
            "name": plan.guarantor_name,
            "pd_annual": plan.guarantor_pd,
            "coverage": plan.guarantor_coverage,
            "cap": cap,
        }
    provider = None
    if plan.provider_name:
        covers = [c for c in plan.provider_covers.split(",") if c]
        provider = {"name": plan.provider_name, "pd_annual": plan.provider_pd, "covers": covers}
    return {
        "closing_date": plan.closing_date.isoformat(),
        "periods_per_year": per_year,
        "legal_final_period": plan.legal_final_period,
        "loans": loans,
        "tranches": tranches,
        "fees": {"annual_rate_on_pool": plan.fee_rate},
        "guarantor": guarantor,
        "shortfall_provider": provider,
        "recovery": {"rate_of_pledged_value": plan.recovery_rate, "lag_periods": plan.recovery_lag},
        "correlation": plan.correlation,
    }


def parse_stored(session: Session, plan: Plan) -> EnginePlan:
    """The stored plan as the engine's plan; ``Invalid`` (naming the contract's field) if it cannot run yet — no
    loans, no tranches, tranches larger than the pool, a loan longer than the legal final period."""
    contract = plan_contract(session, plan)
    if not contract["loans"]:
        raise Invalid("方案尚未纳入贷款，请先选择入池贷款。", field="loans")
    if not contract["tranches"]:
        raise Invalid("方案尚未设置证券分层。", field="tranches")
    return parse_plan(contract)


# ---------------------------------------------------------------------------------------------- lists and look-ups


@dataclass(frozen=True)
class PlanSummary:
    """A plan with its unit's name and its pool's and tranches' figures (元)."""

    plan: Plan
    unit: str
    loans: int
    pool_principal: Decimal
    tranches: int
    tranche_total: Decimal


def list_plans(
    session: Session, principal: Principal | None, *, status: str | None = None, limit: int = 500
) -> list[PlanSummary]:
    """The plans ``finance.view`` reaches, latest closing first, with their figures; ``status`` draft or issued."""
    if status is not None and status not in ("draft", "issued"):
        raise Invalid("状态须为 draft（设计中）或 issued（已发行）。", field="status")
    pool = (
        select(PlanLoan.plan_id, func.count().label("n"), func.sum(PledgeLoan.principal).label("total"))
        .join(PledgeLoan, PledgeLoan.id == PlanLoan.loan_id)
        .group_by(PlanLoan.plan_id)
        .subquery()
    )
    tranches = (
        select(PlanTranche.plan_id, func.count().label("n"), func.sum(PlanTranche.balance).label("total"))
        .group_by(PlanTranche.plan_id)
        .subquery()
    )
    stmt = (
        select(Plan, Unit.name, pool.c.n, pool.c.total, tranches.c.n, tranches.c.total)
        .join(Unit, Unit.id == Plan.unit_id)
        .outerjoin(pool, pool.c.plan_id == Plan.id)
        .outerjoin(tranches, tranches.c.plan_id == Plan.id)
    )
    if status is not None:
        stmt = stmt.where(Plan.status == status)
    stmt = restrict(stmt, principal, VIEW, Plan).order_by(Plan.closing_date.desc(), Plan.id.desc()).limit(limit)
    return [
        PlanSummary(plan, unit, n or 0, _cents(total), m or 0, _cents(balance))
        for plan, unit, n, total, m, balance in session.execute(stmt)
    ]


def _cents(value: Any) -> Decimal:
    return Decimal(str(value or 0)).quantize(Decimal("0.01"))


def find_plan(session: Session, principal: Principal | None, key: str, unit_code: str | None = None) -> Plan:
    """The plan named by ``key`` — its code (within ``unit_code`` if given) or its id — within ``finance.view``;
    ``Invalid`` when a code is shared by plans of several units and no unit is given."""
    stmt = restrict(select(Plan).join(Unit, Unit.id == Plan.unit_id).where(Plan.code == key), principal, VIEW, Plan)
    if unit_code:
        stmt = stmt.where(Unit.code == unit_code)
    found = list(session.scalars(stmt.order_by(Plan.id)))
    if len(found) > 1:
        many = f"有 {len(found)} 个单位的方案代码都是“{key}”，请用 --unit 指定单位，或改用方案 ID。"
        raise Invalid(many, field="plan")
    if found:
        return found[0]
    if key.isdigit() and len(key) <= 9 and not unit_code:
        return get_plan(session, principal, int(key))
    raise NotFound(f"没有代码为“{key}”的方案{f'（单位 {unit_code}）' if unit_code else ''}。")
