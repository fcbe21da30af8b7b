"""ORM mapping of pledge financing: borrowers, pledge loans with their pledged patents and status history, the
configurable pledge-rate ceilings and risk-pool rules, the risk pool's loss allocations, and securitization plans
with their tranches and pooled loans.

Money is ``Numeric(16, 2)`` in 元 (``Decimal``, never floats); rates and shares are fractions (``0.3`` is 30 %).
Loans, borrowers and plans are scoped by the unit that keeps them (``__scope_unit__``): a bank sees its loans, a
plan manager its plans. A plan keeps its terms (dates, fees, guarantor, provider, recovery, correlation) as columns
and its loans as links; the plan JSON of the contract (docs/finance.md) is built from them when it is run, so the
figures shown always come from the stored records, never from a stored result.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import ClassVar

from sqlalchemy import CheckConstraint, Float, ForeignKey, Index, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from zhengwu.core.db import Base

MONEY = Numeric(16, 2, asdecimal=True)

#: Loan statuses (``zhengwu.finance.model.loans.LoanStatus``).
LOAN_STATUSES = ("applied", "approved", "declined", "disbursed", "repaid", "defaulted", "disposed")
AMORTIZATIONS = ("bullet", "level", "equal_principal")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Borrower(Base):
    """An enterprise borrowing against its patents, with its unified social credit code (统一社会信用代码,
    GB 32100-2015, checked with its check character); unique within the unit that records it."""

    __tablename__ = "finance_borrowers"
    __scope_unit__: ClassVar[str] = "unit_id"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="RESTRICT"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    credit_code: Mapped[str] = mapped_column(String(18))
    industry: Mapped[str] = mapped_column(String(100), default="")
    address: Mapped[str] = mapped_column(String(200), default="")
    little_giant: Mapped[bool] = mapped_column(default=False)  # 专精特新“小巨人”企业
    note: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime]
    version: Mapped[int] = mapped_column(default=1)

    __table_args__ = (UniqueConstraint("unit_id", "credit_code", name="uq_finance_borrowers_unit_code"),)
    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class PledgeCeiling(Base):
    """The highest pledge rate (loan ÷ appraised value) allowed for a patent type (``invention``, ``utility``,
    ``design``) or for every type (``all``); a loan's ceiling is the appraised-value-weighted mean over its patents."""

    __tablename__ = "finance_pledge_ceilings"

    id: Mapped[int] = mapped_column(primary_key=True)
    patent_type: Mapped[str] = mapped_column(String(16), unique=True)
    ceiling: Mapped[float] = mapped_column(Float)
    note: Mapped[str] = mapped_column(String(300), default="")
    version: Mapped[int] = mapped_column(default=1)

    __table_args__ = (
        CheckConstraint("ceiling > 0 AND ceiling <= 1", name="ck_finance_pledge_ceilings_ceiling"),
        CheckConstraint(_in("patent_type", ("all", "invention", "utility", "design")), name="ck_finance_ceiling_type"),
    )
    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class RiskPoolRule(Base):
    """A province's risk-pool rule (知识产权质押融资风险补偿): how the loss of a defaulted loan is shared between
    the compensation pool, the bank and guarantor, and the valuer (shares summing to 1), with the most the pool
    pays for one firm (``per_firm_cap`` 元, over all its loans). Rules are data: retired, never deleted."""

    __tablename__ = "finance_risk_pool_rules"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    pool_share: Mapped[float] = mapped_column(Float)
    lender_share: Mapped[float] = mapped_column(Float)
    valuer_share: Mapped[float] = mapped_column(Float)
    per_firm_cap: Mapped[Decimal | None] = mapped_column(MONEY)
    source: Mapped[str] = mapped_column(String(300), default="")
    retired: Mapped[bool] = mapped_column(default=False)
    version: Mapped[int] = mapped_column(default=1)

    __table_args__ = (
        CheckConstraint(
            "pool_share >= 0 AND lender_share >= 0 AND valuer_share >= 0", name="ck_finance_risk_pool_shares"
        ),
        CheckConstraint("per_firm_cap IS NULL OR per_firm_cap >= 0", name="ck_finance_risk_pool_cap"),
    )
    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class PledgeLoan(Base):
    """A pledge loan (知识产权质押贷款) kept by the lending bank's unit. ``code`` is the bank's loan number (also the
    loan's id in a plan). Repayment: ``payments_per_year`` (1, 2, 4, 12), ``term_months`` a whole number of payment
    periods, ``amortization`` bullet | level | equal_principal. ``pd_annual`` is the bank's one-year default
    probability (its rating). Dates of each step are kept on the loan; the history of its steps is
    :class:`LoanEvent`."""

    __tablename__ = "finance_loans"
    __scope_unit__: ClassVar[str] = "unit_id"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="RESTRICT"), index=True)
    code: Mapped[str] = mapped_column(String(32))
    borrower_id: Mapped[int] = mapped_column(ForeignKey("finance_borrowers.id", ondelete="RESTRICT"), index=True)
    principal: Mapped[Decimal] = mapped_column(MONEY)
    annual_rate: Mapped[float] = mapped_column(Float)
    term_months: Mapped[int]
    payments_per_year: Mapped[int] = mapped_column(default=4)
    amortization: Mapped[str] = mapped_column(String(16))
    pd_annual: Mapped[float] = mapped_column(Float)
    guarantor: Mapped[str] = mapped_column(String(200), default="")
    guarantee_coverage: Mapped[float] = mapped_column(Float, default=0.0)
    risk_pool_rule_id: Mapped[int | None] = mapped_column(ForeignKey("finance_risk_pool_rules.id", ondelete="RESTRICT"))
    status: Mapped[str] = mapped_column(String(16), default="applied")
    applied_on: Mapped[date]
    approved_on: Mapped[date | None]
    registration_no: Mapped[str] = mapped_column(String(64), default="")  # 专利权质押登记号
    registration_date: Mapped[date | None]
    disbursed_on: Mapped[date | None]
    maturity_date: Mapped[date | None]
    closed_on: Mapped[date | None]  # repaid, declined or defaulted on
    exposure_at_default: Mapped[Decimal | None] = mapped_column(MONEY)
    disposed_on: Mapped[date | None]
    disposal_proceeds: Mapped[Decimal | None] = mapped_column(MONEY)
    note: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    version: Mapped[int] = mapped_column(default=1)

    __table_args__ = (
        UniqueConstraint("unit_id", "code", name="uq_finance_loans_unit_code"),
        CheckConstraint(_in("status", LOAN_STATUSES), name="ck_finance_loans_status"),
        CheckConstraint(_in("amortization", AMORTIZATIONS), name="ck_finance_loans_amortization"),
        CheckConstraint("principal > 0", name="ck_finance_loans_principal"),
        CheckConstraint("annual_rate >= 0 AND annual_rate < 1", name="ck_finance_loans_rate"),
        CheckConstraint("pd_annual >= 0 AND pd_annual < 1", name="ck_finance_loans_pd"),
        CheckConstraint("guarantee_coverage >= 0 AND guarantee_coverage <= 1", name="ck_finance_loans_coverage"),
        CheckConstraint("payments_per_year IN (1, 2, 4, 12)", name="ck_finance_loans_payments"),
        CheckConstraint("term_months > 0", name="ck_finance_loans_term"),
        Index("ix_finance_loans_status", "status"),
    )
    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class PledgedPatent(Base):
    """A patent pledged for a loan with its appraised value in 元: from a valuation assessment
    (``assessment_id``, the value copied when chosen) or entered with the valuer's name and the valuation date."""

    __tablename__ = "finance_pledged_patents"

    id: Mapped[int] = mapped_column(primary_key=True)
    loan_id: Mapped[int] = mapped_column(ForeignKey("finance_loans.id", ondelete="CASCADE"), index=True)
    patent_number: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(256))
    patent_type: Mapped[str] = mapped_column(String(16))  # invention | utility | design
    appraised_value: Mapped[Decimal] = mapped_column(MONEY)
    assessment_id: Mapped[int | None] = mapped_column(
        ForeignKey("valuation_assessments.id", ondelete="SET NULL"), index=True
    )
    valuer: Mapped[str] = mapped_column(String(200))
    valued_on: Mapped[date]

    __table_args__ = (
        UniqueConstraint("loan_id", "patent_number", name="uq_finance_pledged_patents_loan_number"),
        CheckConstraint("appraised_value > 0", name="ck_finance_pledged_patents_value"),
        CheckConstraint(_in("patent_type", ("invention", "utility", "design")), name="ck_finance_pledged_type"),
    )


class LoanEvent(Base):
    """One step of a loan's life (applied, approved, declined, disbursed, repaid, defaulted, disposed), with who
    took it, when and why; appended, never edited."""

    __tablename__ = "finance_loan_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    loan_id: Mapped[int] = mapped_column(ForeignKey("finance_loans.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(16))
    on: Mapped[date]  # the business date of the step (approval date, disbursement date …)
    note: Mapped[str] = mapped_column(Text, default="")
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    at: Mapped[datetime]

    __table_args__ = (CheckConstraint(_in("status", LOAN_STATUSES), name="ck_finance_loan_events_status"),)


class LossAllocation(Base):
    """The risk pool's sharing of a defaulted loan's loss under its rule: at default on the exposure (outstanding
    principal and accrued interest), then again at disposal on what the disposal did not recover; the latest row of a
    loan counts. ``pool_amount`` is after the per-firm cap; what the cap cuts falls to the bank and guarantor."""

    __tablename__ = "finance_loss_allocations"

    id: Mapped[int] = mapped_column(primary_key=True)
    loan_id: Mapped[int] = mapped_column(ForeignKey("finance_loans.id", ondelete="CASCADE"), index=True)
    rule_id: Mapped[int] = mapped_column(ForeignKey("finance_risk_pool_rules.id", ondelete="RESTRICT"))
    stage: Mapped[str] = mapped_column(String(16))  # default | disposal
    loss: Mapped[Decimal] = mapped_column(MONEY)
    pool_amount: Mapped[Decimal] = mapped_column(MONEY)
    lender_amount: Mapped[Decimal] = mapped_column(MONEY)
    valuer_amount: Mapped[Decimal] = mapped_column(MONEY)
    capped_by: Mapped[Decimal] = mapped_column(MONEY)  # what the per-firm cap moved from the pool to the lender
    at: Mapped[datetime]

    __table_args__ = (CheckConstraint("stage IN ('default', 'disposal')", name="ck_finance_loss_allocations_stage"),)


class Plan(Base):
    """A securitization plan (资产支持专项计划) kept by the plan manager's unit: the terms of the contract's plan
    JSON except loans and tranches, which are :class:`PlanLoan` links and :class:`PlanTranche` rows. ``status``:
    ``draft`` while structured, ``issued`` once issued (an issued plan no longer changes)."""

    __tablename__ = "finance_plans"
    __scope_unit__: ClassVar[str] = "unit_id"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="RESTRICT"), index=True)
    code: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    closing_date: Mapped[date]
    periods_per_year: Mapped[int]
    legal_final_period: Mapped[int]
    fee_rate: Mapped[float] = mapped_column(Float, default=0.0)
    guarantor_name: Mapped[str | None] = mapped_column(String(200))  # None: no guarantor
    guarantor_pd: Mapped[float] = mapped_column(Float, default=0.0)
    guarantor_coverage: Mapped[float] = mapped_column(Float, default=0.0)
    guarantor_cap: Mapped[Decimal | None] = mapped_column(MONEY)
    provider_name: Mapped[str | None] = mapped_column(String(200))  # None: no shortfall undertaking
    provider_pd: Mapped[float] = mapped_column(Float, default=0.0)
    provider_covers: Mapped[str] = mapped_column(String(64), default="senior_interest,senior_principal")
    recovery_rate: Mapped[float] = mapped_column(Float, default=0.0)
    recovery_lag: Mapped[int] = mapped_column(default=0)
    correlation: Mapped[float] = mapped_column(Float, default=0.0)
    status: Mapped[str] = mapped_column(String(16), default="draft")
    note: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    version: Mapped[int] = mapped_column(default=1)

    __table_args__ = (
        UniqueConstraint("unit_id", "code", name="uq_finance_plans_unit_code"),
        CheckConstraint("status IN ('draft', 'issued')", name="ck_finance_plans_status"),
        CheckConstraint("periods_per_year IN (1, 2, 4, 12)", name="ck_finance_plans_periods"),
    )
    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class PlanTranche(Base):
    """A tranche of a plan in priority order (``seq`` from 1); ``coupon`` None only for the last, residual
    subordinated tranche."""

    __tablename__ = "finance_plan_tranches"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("finance_plans.id", ondelete="CASCADE"), index=True)
    seq: Mapped[int]
    code: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(100))
    balance: Mapped[Decimal] = mapped_column(MONEY)
    coupon: Mapped[float | None] = mapped_column(Float)

    __table_args__ = (
        UniqueConstraint("plan_id", "seq", name="uq_finance_plan_tranches_seq"),
        UniqueConstraint("plan_id", "code", name="uq_finance_plan_tranches_code"),
        CheckConstraint("balance > 0", name="ck_finance_plan_tranches_balance"),
    )


class PlanLoan(Base):
    """A loan pooled in a plan. A loan may be in several draft plans (alternative structures) but in one issued
    plan at most (checked by the service when a plan is issued)."""

    __tablename__ = "finance_plan_loans"

    plan_id: Mapped[int] = mapped_column(ForeignKey("finance_plans.id", ondelete="CASCADE"), primary_key=True)
    loan_id: Mapped[int] = mapped_column(ForeignKey("finance_loans.id", ondelete="RESTRICT"), primary_key=True)
