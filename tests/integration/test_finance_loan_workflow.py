"""Pledge loans through their services, on SQLite and PostgreSQL: an application recorded by the bank, its pledged
patents (entered, or copied from a concluded valuation assessment in 元), approval against the pledge-rate ceiling,
disbursement with the pledge registration, repayment, and default and disposal sharing the loss under the
risk-pool rule with its per-firm cap. Every step is one transaction with an event and audit entries; a wrong step,
a stale version or bad input writes nothing.

The clock stands at 2024-06-20 09:00 Beijing time. Ceilings: all types 30 %, inventions 40 %; rule R45 shares a
loss 45 % / 45 % / 10 % with a per-firm cap of 5,000,000 元 (the issue's example).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select

from tests.conftest import PASSWORD, principal, unit_id
from tests.support.walk_cases.finance_loans import add_borrower, add_loan, add_reference
from zhengwu.core.audit.tables import AuditEntry
from zhengwu.core.db import Actor, Database
from zhengwu.core.errors import Conflict, Forbidden, Invalid, NotFound
from zhengwu.core.org.model import Principal, system_principal
from zhengwu.finance.people import seed_people
from zhengwu.finance.service import loan_workflow as workflow
from zhengwu.finance.service import loans
from zhengwu.finance.tables import LoanEvent, LossAllocation, PledgedPatent, PledgeLoan

ACTOR = Actor(None, "测试")


@pytest.fixture
def world(db: Database) -> dict[str, Any]:
    from zhengwu.valuation.people import seed_people as seed_valuation_people

    with db.uow(Actor(None, "测试数据")) as uow:
        seed_people(uow, PASSWORD)
        seed_valuation_people(uow, PASSWORD)
        uow.commit()
    rules = add_reference(db)
    people = {name: principal(db, name) for name in ("cs_loan", "cs_abs", "cs_ip_fin", "cs_bank")}
    return {**people, "rules": rules, "borrower": add_borrower(db, "cs-bank", "长沙智能装备有限公司", 1)}


def application(borrower: int, **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "code": "CS-2024-001", "borrower_id": borrower, "principal": "3000000", "annual_rate": 0.0435,
        "term_months": 24, "payments_per_year": 4, "amortization": "bullet", "pd_annual": 0.02,
        "guarantor": "湖南省融资担保集团", "guarantee_coverage": 0.8, "risk_pool_rule_id": None,
        "applied_on": "2024-01-05", "note": "",
    }  # fmt: skip
    return {**data, **changes}


def patent(number: str, kind: str, value: str) -> dict[str, Any]:
    return {"patent_number": number, "title": f"专利{number}", "patent_type": kind, "appraised_value": value,
            "valuer": "湖南湘评资产评估有限公司", "valued_on": "2023-12-20"}  # fmt: skip


def run(db: Database, action: Any) -> Any:
    with db.uow(ACTOR) as uow:
        result = action(uow)
        uow.commit()
        return result


def step(db: Database, who: Principal, loan_id: int, name: str, version: int | None = None, **data: Any) -> Any:
    return run(db, lambda uow: workflow.take_step(uow, who, loan_id, name, data, version=version))


def counts(db: Database) -> tuple[int, ...]:
    with db.reading() as s:
        return tuple(
            s.scalar(select(func.count()).select_from(t)) or 0
            for t in (PledgeLoan, PledgedPatent, LoanEvent, LossAllocation, AuditEntry)
        )


def test_a_loan_goes_from_application_to_repayment_one_event_and_audited_write_per_step(
    db: Database, world: dict[str, Any]
) -> None:
    bank = world["cs_loan"]
    loan = run(db, lambda uow: loans.create_loan(uow, bank, application(world["borrower"])))
    assert (loan.status, loan.unit_id, loan.principal) == ("applied", unit_id(db, "cs-bank"), Decimal("3000000.00"))
    run(db, lambda uow: loans.add_patent(uow, bank, loan.id, patent("ZL1", "发明", "6000000"), version=1))
    run(db, lambda uow: loans.add_patent(uow, bank, loan.id, patent("ZL2", "utility", "2,000,000.50"), version=2))
    edited = run(db, lambda uow: loans.update_loan(uow, bank, loan.id, application(world["borrower"], note="补充材料"),
                                                    version=3))  # fmt: skip
    assert edited.version == 4 and edited.note == "补充材料"
    with db.reading() as s:
        pledge = workflow.pledge_of(s, s.get(PledgeLoan, loan.id))  # type: ignore[arg-type]
    # 6,000,000 at 40 % and 2,000,000.50 at 30 %: ceiling ≈ 37.5 %; rate 3,000,000 ÷ 8,000,000.50 ≈ 37.5 % − a hair
    assert pledge.appraised == Decimal("8000000.50") and pledge.within
    assert pledge.ceiling == pytest.approx(0.375, abs=1e-8) and pledge.rate == pytest.approx(0.37499998, abs=1e-8)

    step(db, bank, loan.id, "approve", 4, approved_on="2024-01-10")
    with pytest.raises(Invalid) as caught:
        run(db, lambda uow: loans.update_loan(uow, bank, loan.id, application(world["borrower"]), version=5))
    assert caught.value.field == "status"
    with pytest.raises(Invalid) as caught:  # registered after disbursement
        step(
            db,
            bank,
            loan.id,
            "disburse",
            5,
            disbursed_on="2024-01-15",
            registration_no="Y1",
            registration_date="2024-01-16",
        )
    assert caught.value.field == "registration_date"
    disbursed = step(db, bank, loan.id, "disburse", 5, disbursed_on="2024-01-31", registration_no="Y2024430000123",
                     registration_date="2024-01-20")  # fmt: skip
    assert disbursed.maturity_date == date(2026, 1, 31) and disbursed.status == "disbursed"
    with pytest.raises(Conflict, match="第 5 版"):
        step(db, bank, loan.id, "repay", 5, closed_on="2024-06-01")
    with pytest.raises(Conflict, match="“已放款”，不能改为“已处置”"):
        step(db, bank, loan.id, "dispose", 6, disposed_on="2024-06-01", disposal_proceeds="0")
    repaid = step(db, bank, loan.id, "结清", 6, closed_on="2024-06-01")
    assert (repaid.status, repaid.closed_on, repaid.version) == ("repaid", date(2024, 6, 1), 7)

    with db.reading() as s:
        detail = workflow.loan_detail(s, world["cs_ip_fin"], loan.id)  # the bureau reads every loan
        audited = {(a.table_name, a.action) for a in s.scalars(select(AuditEntry))}
    assert [(e.status.value, e.on.isoformat(), e.by) for e in detail.events] == [
        ("applied", "2024-01-05", "科技支行质押贷款经办人"),
        ("approved", "2024-01-10", "科技支行质押贷款经办人"),
        ("disbursed", "2024-01-31", "科技支行质押贷款经办人"),
        ("repaid", "2024-06-01", "科技支行质押贷款经办人"),
    ]
    assert detail.steps == [] and len(detail.schedule) == 8 and detail.schedule[0].on == date(2024, 4, 30)
    assert detail.schedule[0].interest == Decimal("32625.00") and detail.schedule[-1].payment == Decimal("3032625.00")
    assert {("finance_loans", "insert"), ("finance_loans", "update"), ("finance_loan_events", "insert"),
            ("finance_pledged_patents", "insert")} <= audited  # fmt: skip


def test_approval_refuses_a_pledge_above_the_ceiling_or_without_patents_and_writes_nothing(
    db: Database, world: dict[str, Any]
) -> None:
    bank = world["cs_loan"]
    loan = run(db, lambda uow: loans.create_loan(uow, bank, application(world["borrower"], principal="3000000.01")))
    before = counts(db)
    with pytest.raises(Invalid) as caught:
        step(db, bank, loan.id, "approve", 1, approved_on="2024-01-10")
    assert caught.value.field == "patents" and "尚未登记质押专利" in caught.value.message
    run(db, lambda uow: loans.add_patent(uow, bank, loan.id, patent("ZL9", "utility", "10000000"), version=1))
    before = counts(db)
    with pytest.raises(Invalid) as caught:
        step(db, bank, loan.id, "approve", 2, approved_on="2024-01-10")
    assert (
        caught.value.field == "principal"
        and "质押率 30.00%" in caught.value.message
        and "上限 30.00%" in caught.value.message
    )
    with pytest.raises(Invalid) as caught:
        step(db, bank, loan.id, "approve", 2, approved_on="2024-01-04")
    assert caught.value.field == "approved_on"
    assert counts(db) == before
    with db.reading() as s:
        assert s.get(PledgeLoan, loan.id).status == "applied"  # type: ignore[union-attr]


def test_a_default_and_its_disposal_share_the_loss_within_the_firms_cap_across_banks(
    db: Database, world: dict[str, Any]
) -> None:
    rule = world["rules"]["R45"]
    # The same firm (same credit code) also borrows from a bank in 凤凰县: its default takes 3,600,000 of the cap.
    other_bank = add_borrower(db, "fh", "长沙智能装备有限公司", 1)
    first = add_loan(db, "fh", other_bank, "FH-1", "disbursed", risk_pool_rule_id=rule)
    admin = system_principal()
    step(db, admin, first, "default", closed_on="2024-03-01", exposure_at_default="8000000")

    bank = world["cs_loan"]
    second = add_loan(db, "cs-bank", world["borrower"], "CS-9", "disbursed", risk_pool_rule_id=rule,
                      principal=Decimal("12000000.00"), annual_rate=0.08)  # fmt: skip
    # Bullet, quarterly from 2024-01-15: the default on 2024-05-01 falls in quarter 2, after one interest payment.
    defaulted = step(db, bank, second, "default", closed_on="2024-05-01")
    assert defaulted.exposure_at_default == Decimal("12240000.00")  # 12,000,000 + 12,000,000 × 8 % ÷ 4
    step(db, bank, second, "dispose", disposed_on="2024-06-10", disposal_proceeds="240000")

    with db.reading() as s:
        rows = {(a.loan_id, a.stage): a for a in s.scalars(select(LossAllocation))}
        detail = workflow.loan_detail(s, bank, second)
    a = rows[(first, "default")]
    assert (a.loss, a.pool_amount, a.lender_amount, a.valuer_amount, a.capped_by) == (
        Decimal("8000000.00"), Decimal("3600000.00"), Decimal("3600000.00"), Decimal("800000.00"), Decimal("0.00"),
    )  # fmt: skip
    b = rows[(second, "default")]  # cap left 1,400,000: the pool's 5,508,000 is cut by 4,108,000
    assert (b.pool_amount, b.lender_amount, b.valuer_amount, b.capped_by) == (
        Decimal("1400000.00"), Decimal("9616000.00"), Decimal("1224000.00"), Decimal("4108000.00"),
    )  # fmt: skip
    c = rows[(second, "disposal")]  # the issue's example: 1,200万 at 45/45/10 with 500万 − 360万 left
    assert (c.loss, c.pool_amount, c.lender_amount, c.valuer_amount, c.capped_by) == (
        Decimal("12000000.00"), Decimal("1400000.00"), Decimal("9400000.00"), Decimal("1200000.00"),
        Decimal("4000000.00"),
    )  # fmt: skip
    assert [stage for (_, _), stage in [((x.id, x.loan_id), x.stage) for x, _ in detail.allocations]] == [
        "default",
        "disposal",
    ]
    assert detail.loan.status == "disposed" and detail.events[-1].status.value == "disposed"


def test_the_issues_example_alone_gives_the_pool_five_the_bank_five_point_eight_the_valuer_one_point_two_million(
    db: Database, world: dict[str, Any]
) -> None:
    loan = add_loan(db, "cs-bank", world["borrower"], "CS-X", "disbursed", risk_pool_rule_id=world["rules"]["R45"])
    step(db, world["cs_loan"], loan, "default", closed_on="2024-06-01", exposure_at_default="12000000")
    with db.reading() as s:
        a = s.scalars(select(LossAllocation)).one()
    assert (a.pool_amount, a.lender_amount, a.valuer_amount, a.capped_by) == (
        Decimal("5000000.00"), Decimal("5800000.00"), Decimal("1200000.00"), Decimal("400000.00"),
    )  # fmt: skip


def test_records_stay_within_the_bank_and_bad_input_names_its_field(db: Database, world: dict[str, Any]) -> None:
    bank, borrower = world["cs_loan"], world["borrower"]
    loan = run(db, lambda uow: loans.create_loan(uow, bank, application(borrower)))
    elsewhere = add_borrower(db, "fh", "凤凰县某公司", 5)
    before = counts(db)
    bad: list[tuple[dict[str, Any], str]] = [
        (application(borrower), "code"),  # the same code in the same bank
        (application(borrower, code="N1", borrower_id=elsewhere), "borrower_id"),
        (application(borrower, code="N1", risk_pool_rule_id=world["rules"]["OLD"]), "risk_pool_rule_id"),
        (application(borrower, code="N1", term_months=13), "term_months"),
        (application(borrower, code="N1", principal="1.005"), "principal"),
        (application(borrower, code="N1", annual_rate=1), "annual_rate"),
        (application(borrower, code="N1", guarantor="", guarantee_coverage=0.5), "guarantor"),
        (application(borrower, code="N1", applied_on="2024-06-21"), "applied_on"),
    ]
    for data, field in bad:
        with pytest.raises(Invalid) as caught:
            run(db, lambda uow, data=data: loans.create_loan(uow, bank, data))
        assert caught.value.field == field, (data, caught.value.message)
    assert counts(db) == before
    run(db, lambda uow: loans.add_patent(uow, bank, loan.id, patent("ZL1", "发明", "1"), version=1))
    with pytest.raises(Invalid) as caught:  # the same patent twice
        run(db, lambda uow: loans.add_patent(uow, bank, loan.id, patent("ZL1", "发明", "1"), version=2))
    assert caught.value.field == "patent_number"

    with db.reading() as s:
        assert [row.code for row, _ in loans.list_loans(s, world["cs_ip_fin"])] == ["CS-2024-001"]
        totals = {status.value: (n, total) for status, n, total in loans.loan_totals(s, bank, borrower="智能装备")}
        assert totals["applied"] == (1, Decimal("3000000.00")) and totals["repaid"] == (0, Decimal(0))
        assert loans.list_loans(s, bank, status="approved") == []
        assert loans.list_loans(s, world["cs_abs"], code="2024-001")[0][1].name == "长沙智能装备有限公司"
    with pytest.raises(Forbidden):  # the bureau reads every loan but keeps none
        step(db, world["cs_ip_fin"], loan.id, "decline", closed_on="2024-06-01", reason="x")
    fh_clerk = add_outsider(db)
    with db.reading() as s, pytest.raises(NotFound):
        loans.get_loan(s, fh_clerk, loan.id)
    with pytest.raises(NotFound):
        step(db, fh_clerk, loan.id, "decline", closed_on="2024-06-01", reason="x")


def add_outsider(db: Database) -> Principal:
    from tests.support.people import add_users
    from zhengwu.finance.model import ALL_FINANCE

    with db.uow(Actor(None, "测试数据")) as uow:
        add_users(uow, {"fin_fh": ("fh", [(a, "subtree") for a in ALL_FINANCE])}, PASSWORD, "role_")
        uow.commit()
    return principal(db, "fin_fh")


def test_a_patent_from_a_concluded_assessment_is_copied_in_yuan_with_its_valuer(
    db: Database, world: dict[str, Any]
) -> None:
    from zhengwu.valuation.service import assessments

    officer = world["cs_bank"]  # the bank's credit officer values the patent in 万元
    header = assessments.Header(
        title="掘进机专利质押评估", patent_number="ZL201510123456.7", patent_title="一种智能掘进机", holder="甲",
        client="科技支行", industry_code="machinery", money_unit="万元",
        facts={"patent_type": "invention", "filing_date": "2015-03-01", "as_of": "2024-03-31"},
    )  # fmt: skip
    cost = {"items": [{"name": "研制成本", "amount": 800}], "price_index": 1.0, "profit_rate": 0.25,
            "years_used": 0, "remaining_life": 10}  # fmt: skip
    a = run(db, lambda uow: assessments.create_assessment(uow, officer, header, profile_code="cnipa2012-finance"))
    bank = world["cs_loan"]
    loan = run(db, lambda uow: loans.create_loan(uow, bank, application(world["borrower"])))
    with pytest.raises(Invalid, match="尚未出具评估结论") as caught:
        run(db, lambda uow: loans.add_patent(uow, bank, loan.id, {"assessment_id": a.id}, version=1))
    assert caught.value.field == "assessment_id"
    run(db, lambda uow: assessments.set_input(uow, officer, a.id, "cost", cost, version=None))
    run(db, lambda uow: assessments.conclude(uow, officer, a.id, "cost", version=None))
    with pytest.raises(Invalid) as caught:
        run(db, lambda uow: loans.add_patent(uow, bank, loan.id, {"assessment_id": a.id, "patent_number": "ZL9"},
                                             version=1))  # fmt: skip
    assert caught.value.field == "patent_number"
    p = run(db, lambda uow: loans.add_patent(uow, bank, loan.id, {"assessment_id": str(a.id)}, version=1))
    assert (p.patent_number, p.title, p.patent_type, p.valuer, p.valued_on) == (
        "ZL201510123456.7", "一种智能掘进机", "invention", "长沙银行麓谷科技支行", date(2024, 3, 31),
    )  # fmt: skip
    assert p.appraised_value == Decimal("10000000.00")  # 800万 × 1.25 × (1 − 0 ÷ 10) = 1,000万 → 元
    with pytest.raises(Invalid) as caught:  # the bureau cannot see the bank's assessments
        run(db, lambda uow: loans.add_patent(uow, system_principal(), loan.id, {"assessment_id": 999}, version=2))
    assert caught.value.field == "assessment_id"
