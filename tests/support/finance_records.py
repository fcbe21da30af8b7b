"""Stored finance records for tests: a plan JSON of the contract (by default the Changsha seed plan) written as
borrowers, disbursed pledge loans with one pledged patent each, a plan, its tranches and its pooled loans, straight
into the tables (no service), so that tests of plans and their results need not go through the loans' workflow.

>>> valid_credit_code(1)
'91430100MA4L00011K'
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from zhengwu.core.db import Actor, Database
from zhengwu.core.org.tables import Unit
from zhengwu.finance.model.borrowers import check_character
from zhengwu.finance.model.seed_plan import seed_plan
from zhengwu.finance.tables import Borrower, Plan, PlanLoan, PlanTranche, PledgedPatent, PledgeLoan

AT = datetime(2023, 6, 1, 2, 0, tzinfo=UTC)


def valid_credit_code(k: int) -> str:
    """A unified social credit code with a correct check character, distinct for each ``k`` < 10,000."""
    first17 = f"91430100MA4L{k:04d}1"
    return first17 + check_character(first17)


def store_plan(
    db: Database, contract: dict[str, Any] | None = None, *, bank: str = "fh", manager: str = "fh", code: str = "P1"
) -> int:
    """Store ``contract`` (default :func:`seed_plan`) with its loans kept by unit ``bank`` and the plan by unit
    ``manager``; returns the plan's id. Loan terms are whole years of months (term_periods × 12 ÷ periods_per_year)."""
    plan = contract or seed_plan()
    per_year = plan["periods_per_year"]
    closing = date.fromisoformat(plan["closing_date"])
    with db.uow(Actor(None, "测试数据")) as uow:
        s = uow.session
        bank_id = s.scalars(select(Unit.id).where(Unit.code == bank)).one()
        manager_id = s.scalars(select(Unit.id).where(Unit.code == manager)).one()
        loan_ids = []
        for k, item in enumerate(plan["loans"], start=1):
            borrower = Borrower(
                unit_id=bank_id,
                name=item["borrower"],
                credit_code=valid_credit_code(k),
                created_at=AT,
                little_giant=True,
            )
            s.add(borrower)
            s.flush()
            loan = PledgeLoan(
                unit_id=bank_id,
                code=item["id"],
                borrower_id=borrower.id,
                principal=Decimal(str(item["principal"])),
                annual_rate=item["annual_rate"],
                term_months=item["term_periods"] * 12 // per_year,
                payments_per_year=per_year,
                amortization=item["amortization"],
                pd_annual=item["pd_annual"],
                status="disbursed",
                applied_on=closing,
                approved_on=closing,
                registration_no=f"Y2023430000{k:04d}",
                registration_date=closing,
                disbursed_on=closing,
                created_at=AT,
                updated_at=AT,
            )
            s.add(loan)
            s.flush()
            s.add(
                PledgedPatent(
                    loan_id=loan.id,
                    patent_number=f"ZL2020{k:06d}.X",
                    title=f"{item['borrower']}的质押专利",
                    patent_type="invention",
                    appraised_value=Decimal(str(item["pledged_value"])),
                    valuer="湖南湘评资产评估有限公司",
                    valued_on=closing,
                )
            )
            loan_ids.append(loan.id)
        guarantor, provider = plan.get("guarantor"), plan.get("shortfall_provider")
        stored = Plan(
            unit_id=manager_id,
            code=code,
            name="测试证券化方案",
            closing_date=closing,
            periods_per_year=per_year,
            legal_final_period=plan["legal_final_period"],
            fee_rate=plan["fees"]["annual_rate_on_pool"],
            guarantor_name=guarantor["name"] if guarantor else None,
            guarantor_pd=guarantor["pd_annual"] if guarantor else 0.0,
            guarantor_coverage=guarantor["coverage"] if guarantor else 0.0,
            guarantor_cap=None if not guarantor or guarantor["cap"] is None else Decimal(str(guarantor["cap"])),
            provider_name=provider["name"] if provider else None,
            provider_pd=provider["pd_annual"] if provider else 0.0,
            provider_covers=",".join(provider["covers"]) if provider else "",
            recovery_rate=plan["recovery"]["rate_of_pledged_value"],
            recovery_lag=plan["recovery"]["lag_periods"],
            correlation=plan["correlation"],
            created_at=AT,
            updated_at=AT,
        )
        s.add(stored)
        s.flush()
        for seq, t in enumerate(plan["tranches"], start=1):
            s.add(
                PlanTranche(
                    plan_id=stored.id,
                    seq=seq,
                    code=t["id"],
                    name=t["name"],
                    balance=Decimal(str(t["balance"])),
                    coupon=t["coupon"],
                )
            )
        s.add_all(PlanLoan(plan_id=stored.id, loan_id=loan_id) for loan_id in loan_ids)
        uow.commit()
        return stored.id
