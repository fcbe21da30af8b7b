"""The plans' service on SQLite and PostgreSQL: which loans may be pooled (seen with ``finance.view``, approved or
disbursed, whole periods within the legal final period, no two with the same code), a change of terms checked
against the pooled loans, and every write in the audit log while a refused write leaves nothing. The checks of the
terms and tranches themselves (pure, no database) come first: each bad value is refused naming the contract's field.

The people: ``f_fh`` (every finance action over 凤凰县 and below) and ``f_js`` (over 吉首市), as in the walk.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select, update

from tests.conftest import principal
from tests.support.finance_records import store_plan
from tests.support.walk_cases import finance_run
from zhengwu.core.audit.tables import AuditEntry
from zhengwu.core.db import Actor, Database
from zhengwu.core.errors import Invalid
from zhengwu.core.org.model import system_principal
from zhengwu.finance.model.seed_plan import seed_plan
from zhengwu.finance.service import plan_loans, plans
from zhengwu.finance.tables import Plan, PlanLoan, PledgeLoan

TERMS, TRANCHES = plans.seed_terms()
GUARANTOR, PROVIDER = TERMS["guarantor"], TERMS["shortfall_provider"]

#: (bad terms, the field named) — the same fields and bounds as the contract's plan JSON.
BAD_TERMS: list[tuple[dict[str, Any], str]] = [
    ({"code": "2023-1"}, "code"),
    ({"code": "中文代码"}, "code"),
    ({"name": " "}, "name"),
    ({"closing_date": "2023-02-30"}, "closing_date"),
    ({"periods_per_year": 3}, "periods_per_year"),
    ({"periods_per_year": "4"}, "periods_per_year"),
    ({"legal_final_period": 0}, "legal_final_period"),
    ({"legal_final_period": 601}, "legal_final_period"),
    ({"fees": {"annual_rate_on_pool": -0.01}}, "fees.annual_rate_on_pool"),
    ({"fees": {"rate": 0.01}}, "fees.rate"),
    ({"guarantor": {**GUARANTOR, "pd_annual": 1}}, "guarantor.pd_annual"),
    ({"guarantor": {**GUARANTOR, "coverage": 1.5}}, "guarantor.coverage"),
    ({"guarantor": {**GUARANTOR, "cap": -1}}, "guarantor.cap"),
    ({"guarantor": {**GUARANTOR, "name": ""}}, "guarantor.name"),
    ({"shortfall_provider": {**PROVIDER, "covers": "senior_interest"}}, "shortfall_provider.covers"),
    ({"shortfall_provider": {**PROVIDER, "covers": ["senior_interest", "senior_interest"]}},
     "shortfall_provider.covers"),
    ({"shortfall_provider": {**PROVIDER, "pd_annual": float("nan")}}, "shortfall_provider.pd_annual"),
    ({"recovery": {"rate_of_pledged_value": 0.1, "lag_periods": 1.5}}, "recovery.lag_periods"),
    ({"correlation": 1}, "correlation"),
    ({"correlation": True}, "correlation"),
    ({"note": "a\x00b"}, "note"),
]  # fmt: skip


@pytest.mark.parametrize(("changes", "field"), BAD_TERMS, ids=[f for _, f in BAD_TERMS])
def test_bad_terms_are_refused_naming_the_contracts_field(changes: dict[str, Any], field: str) -> None:
    with pytest.raises(Invalid) as refused:
        plans.check_terms({**TERMS, **changes})
    assert refused.value.field == field


def test_good_terms_become_the_plans_columns_and_tranches_keep_their_money_to_the_cent() -> None:
    values = plans.check_terms({**TERMS, "guarantor": {**GUARANTOR, "cap": "5,000,000.5"}, "shortfall_provider": None})
    assert values["guarantor_cap"] == Decimal("5000000.50") and values["provider_name"] is None
    assert values["provider_covers"] == "" and values["fee_rate"] == 0.003 and values["recovery_lag"] == 2
    rows = plans.check_tranches([{**TRANCHES[0], "balance": 0.1}, TRANCHES[1]])
    assert rows[0]["balance"] == Decimal("0.10") and rows[1]["coupon"] is None
    for bad, field in (
        ([], "tranches"),
        ([{**TRANCHES[0], "balance": "1.005"}, TRANCHES[1]], "tranches[0].balance"),
        ([{k: v for k, v in TRANCHES[0].items() if k != "coupon"}, TRANCHES[1]], "tranches[0].coupon"),
        ([TRANCHES[0], {**TRANCHES[1], "coupon": 1.2}], "tranches[1].coupon"),
        ([TRANCHES[0], {**TRANCHES[1], "code": "x" * 17}], "tranches[1].code"),
        ([TRANCHES[0], {**TRANCHES[1], "seq": 2}], "tranches[1].seq"),
    ):
        with pytest.raises(Invalid) as refused:
            plans.check_tranches(bad)
        assert refused.value.field == field


@pytest.fixture
def walk_people(db: Database) -> None:
    finance_run.prepare(db)


def _loans(db: Database, plan_id: int) -> list[int]:
    with db.reading() as s:
        return sorted(s.scalars(select(PlanLoan.loan_id).where(PlanLoan.plan_id == plan_id)))


def _version(db: Database, plan_id: int) -> int:
    with db.reading() as s:
        return s.scalars(select(Plan.version).where(Plan.id == plan_id)).one()


def test_only_loans_seen_approved_or_disbursed_with_unique_codes_may_be_pooled(db: Database, walk_people: None) -> None:
    fh_plan = store_plan(db, bank="fh", manager="fh", code="P1")
    js_plan = store_plan(db, bank="js", manager="js", code="P2")  # the same loan codes L01…L12, kept by 吉首市
    fh, js = _loans(db, fh_plan), _loans(db, js_plan)
    who = principal(db, "f_fh")
    with db.uow(Actor(None, "测试")) as uow, pytest.raises(Invalid) as refused:
        plan_loans.set_loans(uow, who, fh_plan, [*fh, js[0]], version=1)
    assert refused.value.field == "loans[12]" and "不在您的查看范围内" in refused.value.message

    with db.uow(Actor(None, "测试")) as uow, pytest.raises(Invalid) as refused:  # the system sees every loan
        plan_loans.set_loans(uow, system_principal(), fh_plan, [*fh, js[0]], version=1)
    assert refused.value.field == "loans[12]" and "贷款编号 L01 与另一笔入池贷款相同" in refused.value.message

    with db.uow(Actor(None, "测试")) as uow:  # an applied loan leaves the plan, then cannot come back
        uow.session.execute(update(PledgeLoan).where(PledgeLoan.id == fh[0]).values(status="applied"))
        plan_loans.set_loans(uow, who, fh_plan, fh[1:], version=1)
        uow.commit()
    with db.uow(Actor(None, "测试")) as uow, pytest.raises(Invalid) as refused:
        plan_loans.set_loans(uow, who, fh_plan, fh, version=2)
    assert refused.value.field == "loans[0]" and "状态为“已申请”" in refused.value.message
    with db.reading() as s:
        offered = plan_loans.candidates(s, who, s.get(Plan, fh_plan))
    assert [line.loan.code for line in offered] == [f"L{k:02d}" for k in range(2, 13)]  # not js's, not the applied


def test_a_change_of_periods_is_checked_against_the_pooled_loans(db: Database, walk_people: None) -> None:
    plan_id = store_plan(db)  # quarterly, legal final 8, every loan 24 months
    who = principal(db, "f_fh")
    monthly = {**TERMS, "code": "P1", "periods_per_year": 12, "legal_final_period": 24}
    with db.uow(Actor(None, "测试")) as uow:
        plans.update_plan(uow, who, plan_id, {**monthly, "version": 1}, version=1)
        uow.commit()
    with db.uow(Actor(None, "测试")) as uow, pytest.raises(Invalid) as refused:
        plans.update_plan(uow, who, plan_id, {**monthly, "legal_final_period": 23}, version=2)
    assert refused.value.field == "legal_final_period" and "期限 24 期超过法定到期期数 23 期" in refused.value.message
    with db.uow(Actor(None, "测试")) as uow:
        loan = uow.session.scalars(select(PledgeLoan).where(PledgeLoan.code == "L05")).one()
        loan.term_months = 18
        uow.commit()
    with db.uow(Actor(None, "测试")) as uow, pytest.raises(Invalid) as refused:
        plans.update_plan(uow, who, plan_id, {**monthly, "periods_per_year": 1, "legal_final_period": 2}, version=2)
    assert refused.value.field == "periods_per_year" and "贷款 L05 的期限 18 个月" in refused.value.message


def test_every_write_is_audited_and_a_refused_write_leaves_the_plan_as_it_was(db: Database, walk_people: None) -> None:
    loans = _loans(db, store_plan(db, contract=seed_plan()))
    who = principal(db, "f_fh")
    with db.reading() as s:
        mark = s.scalar(select(func.max(AuditEntry.id))) or 0
    with db.uow(Actor(None, "测试")) as uow:
        plan = plans.create_plan(uow, who, {**TERMS, "code": "NEW"})
        plans.set_tranches(uow, who, plan.id, TRANCHES, version=1)
        plan_loans.set_loans(uow, who, plan.id, loans, version=2)
        plan_id = plan.id
        uow.commit()
    with db.uow(Actor(None, "测试")) as uow, pytest.raises(Invalid):
        plans.set_tranches(uow, who, plan_id, [TRANCHES[0], {**TRANCHES[1], "balance": -1}], version=3)
    with db.uow(Actor(None, "测试")) as uow:
        plans.delete_plan(uow, who, plan_id, version=3)
        uow.commit()
    with db.reading() as s:
        audited = s.execute(
            select(AuditEntry.action, AuditEntry.table_name, func.count())
            .where(AuditEntry.id > mark)
            .group_by(AuditEntry.action, AuditEntry.table_name)
        ).all()
        kept = s.scalar(select(func.count()).select_from(PledgeLoan).where(PledgeLoan.id.in_(loans)))
    counts = {(action, table): n for action, table, n in audited}
    assert counts == {
        ("insert", "finance_plans"): 1,
        ("insert", "finance_plan_tranches"): 2,
        ("insert", "finance_plan_loans"): 12,
        ("delete", "finance_plan_tranches"): 2,
        ("delete", "finance_plan_loans"): 12,
        ("delete", "finance_plans"): 1,
    }  # nothing of the refused write; the plan's version moves on unaudited (the clock stands still here)
    assert kept == 12
