"""``zhengwu demo`` tells the seed's second story (湖南日报: 长沙 issued central China's first securitization of IP
pledge loans — 12 “小巨人” enterprises, 1.35亿元, one firm 1500万元 and another 1000万元, a guarantor and 湘江集团's
shortfall undertaking, senior securities paying 2.95 % over 2 years) as stored records: every figure below is read
from the tables the demo wrote, with SQL — never a constant of the demo.

The risk pool's figures follow the shipped rule of issue #7 (pool 45 %, bank and guarantor 45 %, valuer 10 %): the
defaulted loan L13 (8,000,000 元, equal principal, quarterly, 4.8 %, disbursed 2023-03-15) had paid three quarterly
instalments of 1,000,000 元 when it defaulted on 2024-01-22, so its exposure is 5,000,000 + 5,000,000 × 4.8 % ÷ 4 =
5,060,000 元; its disposal recovered 2,100,000 元, leaving 2,960,000 元 to share: 1,332,000 / 1,332,000 / 296,000.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from tests.conftest import ENGINES
from tests.support.demo_db import DEMO_GROUP
from zhengwu.core.db import Database
from zhengwu.finance.model.seed_plan import seed_plan
from zhengwu.finance.service.plan_contract import plan_contract
from zhengwu.finance.tables import Borrower, LoanEvent, LossAllocation, Plan, PlanLoan, PledgeLoan

pytestmark = pytest.mark.xdist_group(DEMO_GROUP)


@pytest.fixture(scope="module", params=ENGINES)
def demo(request: pytest.FixtureRequest, demo_dbs: Callable[[str], Database]) -> Database:
    return demo_dbs(request.param)


def test_the_issued_plan_pools_twelve_little_giants_for_one_point_three_five_yi_yuan(demo: Database) -> None:
    with demo.reading() as s:
        plan = s.scalars(select(Plan)).one()
        pooled = select(PledgeLoan).join(PlanLoan, PlanLoan.loan_id == PledgeLoan.id).where(PlanLoan.plan_id == plan.id)
        loans = list(s.scalars(pooled))
        little_giants = s.scalar(
            select(func.count()).select_from(Borrower).where(Borrower.id.in_([x.borrower_id for x in loans]))
            .where(Borrower.little_giant.is_(True))
        )  # fmt: skip
        assert plan.status == "issued" and len(loans) == 12 == little_giants
        assert sum(x.principal for x in loans) == Decimal("135000000")
        assert {Decimal("15000000"), Decimal("10000000")} <= {x.principal for x in loans}
        assert all(x.status == "disbursed" and x.registration_no for x in loans)
        contract = plan_contract(s, plan)
    # The plan rebuilt from the stored loans is the seed plan (senior 2.95 %, 8 quarters, guarantor, 湘江集团).
    assert contract == seed_plan()


def test_the_defaulted_loan_shares_its_loss_after_disposal_by_the_province_rule(demo: Database) -> None:
    with demo.reading() as s:
        loan = s.scalars(select(PledgeLoan).where(PledgeLoan.code == "L13")).one()
        stages = {
            a.stage: (a.loss, a.pool_amount, a.lender_amount, a.valuer_amount)
            for a in s.scalars(select(LossAllocation).where(LossAllocation.loan_id == loan.id))
        }
        steps = list(s.scalars(select(LoanEvent.status).where(LoanEvent.loan_id == loan.id).order_by(LoanEvent.id)))
    assert loan.status == "disposed" and loan.exposure_at_default == Decimal("5060000")
    assert steps == ["applied", "approved", "disbursed", "defaulted", "disposed"]
    assert stages["default"] == (Decimal("5060000"), Decimal("2277000"), Decimal("2277000"), Decimal("506000"))
    assert stages["disposal"] == (Decimal("2960000"), Decimal("1332000"), Decimal("1332000"), Decimal("296000"))


def test_one_application_waits_for_approval(demo: Database) -> None:
    with demo.reading() as s:
        waiting = list(s.scalars(select(PledgeLoan.code).where(PledgeLoan.status == "applied")))
    assert waiting == ["L14"]
