"""The finance story in the demo: the Changsha securitization built from stored records, as its users would.

The bank's pledge lender (``cs_loan``) records the twelve "little giant" borrowers of the seed plan
(:func:`~zhengwu.finance.model.seed_plan.seed_plan`), applies, pledges a patent for, approves and disburses each
loan under the shipped 30 % ceiling and the province's risk-pool rule; the plan manager (``cs_abs``) creates the
plan with the seed's terms, sets its tranches, pools the twelve loans and issues it — so the plan that runs on the
pages is exactly the seed plan (a test checks the contract it rebuilds equals ``seed_plan()``). Beside the plan, the
bank has one loan that defaulted and was disposed (its loss shared by the risk pool) and one application waiting
for approval.

Borrowers' names are the seed plan's placeholders; their credit codes are made up with a correct check character;
patents, registration numbers and dates are made up for the demo, consistently with the plan's closing date.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select

from zhengwu.core.db import Actor, Database, UnitOfWork
from zhengwu.core.org.model import Principal
from zhengwu.core.org.seeding import principal_of
from zhengwu.finance.defaults import HUNAN_RULE
from zhengwu.finance.model.borrowers import check_character
from zhengwu.finance.model.seed_plan import seed_plan
from zhengwu.finance.people import seed_people
from zhengwu.finance.service import borrowers, loan_workflow, loans, plan_loans, plans
from zhengwu.finance.tables import RiskPoolRule

APPLIED, APPROVED, DISBURSED = date(2023, 5, 15), date(2023, 6, 9), date(2023, 7, 1)
VALUER = "湖南湘评资产评估有限公司"
GUARANTOR = "湖南省融资担保集团（示例）"
#: The loan beside the plan that defaulted: (code, borrower, principal, disbursed, defaulted, disposed, proceeds).
DEFAULTED = (
    "L13",
    "长沙某智能装备有限公司（演示）",
    8_000_000,
    date(2023, 3, 15),
    date(2024, 1, 22),
    date(2024, 6, 28),
)
DISPOSAL_PROCEEDS = 2_100_000
PENDING = ("L14", "湘江新区某新材料有限公司（演示）", 5_000_000, date(2024, 3, 11))


def credit_code(k: int) -> str:
    """A made-up unified social credit code with a correct check character, distinct for each ``k`` < 100.

    >>> from zhengwu.finance.model.borrowers import credit_code as checked
    >>> checked(credit_code(1)) == credit_code(1) != credit_code(2)
    True
    """
    first17 = f"91430100MA4T0Y{k:02d}1"
    return first17 + check_character(first17)


def _borrower(uow: UnitOfWork, bank: Principal, k: int, name: str) -> int:
    data = {"name": name, "credit_code": credit_code(k), "industry": "高端装备制造", "little_giant": True,
            "address": "湖南湘江新区", "note": ""}  # fmt: skip
    return borrowers.add_borrower(uow, bank, data).id


def _loan(uow: UnitOfWork, bank: Principal, terms: dict[str, Any], patent: dict[str, Any]) -> int:
    loan = loans.create_loan(uow, bank, terms)
    loans.add_patent(uow, bank, loan.id, patent, version=loan.version)
    return loan.id


def _step(uow: UnitOfWork, bank: Principal, loan_id: int, step: str, data: dict[str, Any]) -> None:
    version = loans.get_loan(uow.session, bank, loan_id).version
    loan_workflow.take_step(uow, bank, loan_id, step, data, version=version)


def _seed_loans(uow: UnitOfWork, bank: Principal, rule_id: int) -> list[int]:
    """The seed plan's twelve loans, each disbursed on the plan's closing date."""
    plan = seed_plan()
    months = 12 // plan["periods_per_year"]
    ids = []
    for k, item in enumerate(plan["loans"], start=1):
        borrower_id = _borrower(uow, bank, k, item["borrower"])
        terms = {"code": item["id"], "borrower_id": borrower_id, "principal": item["principal"],
                 "annual_rate": item["annual_rate"], "term_months": item["term_periods"] * months,
                 "payments_per_year": plan["periods_per_year"], "amortization": item["amortization"],
                 "pd_annual": item["pd_annual"], "guarantor": GUARANTOR, "guarantee_coverage": 1.0,
                 "risk_pool_rule_id": rule_id, "applied_on": APPLIED, "note": ""}  # fmt: skip
        patent = {"patent_number": f"ZL2021{k:04d}5678.{k % 10}", "title": f"{item['borrower']}核心发明专利",
                  "patent_type": "invention", "appraised_value": item["pledged_value"], "valuer": VALUER,
                  "valued_on": date(2023, 4, 28)}  # fmt: skip
        loan_id = _loan(uow, bank, terms, patent)
        _step(uow, bank, loan_id, "approve", {"approved_on": APPROVED})
        registration = {"disbursed_on": DISBURSED, "registration_no": f"Y2023980{k:05d}",
                        "registration_date": date(2023, 6, 20)}  # fmt: skip
        _step(uow, bank, loan_id, "disburse", registration)
        ids.append(loan_id)
    return ids


def _other_loans(uow: UnitOfWork, bank: Principal, rule_id: int) -> None:
    """A loan that defaulted and was disposed (the risk pool shares its loss), and an application."""
    code, name, principal, disbursed, defaulted, disposed = DEFAULTED
    terms = {"code": code, "borrower_id": _borrower(uow, bank, 13, name), "principal": principal,
             "annual_rate": 0.048, "term_months": 24, "payments_per_year": 4, "amortization": "equal_principal",
             "pd_annual": 0.03, "guarantor": GUARANTOR, "guarantee_coverage": 0.5, "risk_pool_rule_id": rule_id,
             "applied_on": date(2023, 2, 1), "note": ""}  # fmt: skip
    patent = {"patent_number": "ZL202010654321.9", "title": "一种工程机械臂架振动主动抑制方法",
              "patent_type": "invention", "appraised_value": 30_000_000, "valuer": VALUER,
              "valued_on": date(2023, 1, 16)}  # fmt: skip
    loan_id = _loan(uow, bank, terms, patent)
    _step(uow, bank, loan_id, "approve", {"approved_on": date(2023, 2, 24)})
    _step(uow, bank, loan_id, "disburse", {"disbursed_on": disbursed, "registration_no": "Y2023980000013",
                                            "registration_date": date(2023, 3, 10)})  # fmt: skip
    _step(uow, bank, loan_id, "default", {"closed_on": defaulted})
    _step(uow, bank, loan_id, "dispose", {"disposed_on": disposed, "disposal_proceeds": DISPOSAL_PROCEEDS})
    code, name, principal, applied = PENDING
    terms = {"code": code, "borrower_id": _borrower(uow, bank, 14, name), "principal": principal,
             "annual_rate": 0.045, "term_months": 12, "payments_per_year": 12, "amortization": "level",
             "pd_annual": 0.02, "guarantor": GUARANTOR, "guarantee_coverage": 1.0, "risk_pool_rule_id": rule_id,
             "applied_on": applied, "note": "待补充质押登记材料"}  # fmt: skip
    patent = {"patent_number": "ZL202110987654.3", "title": "一种高导热石墨烯复合膜的制备方法",
              "patent_type": "invention", "appraised_value": 18_000_000, "valuer": VALUER,
              "valued_on": date(2024, 2, 27)}  # fmt: skip
    _loan(uow, bank, terms, patent)


def _plan(uow: UnitOfWork, manager: Principal, loan_ids: list[int]) -> None:
    terms, tranches = plans.seed_terms()
    plan = plans.create_plan(uow, manager, terms)
    plan = plans.set_tranches(uow, manager, plan.id, tranches, version=plan.version)
    plan = plan_loans.set_loans(uow, manager, plan.id, loan_ids, version=plan.version)
    plan_loans.issue_plan(uow, manager, plan.id, version=plan.version)


def seed_finance(db: Database, password: str) -> list[tuple[str, str, str, str]]:
    """Add the finance story to a database holding the seed's bodies and the valuation story's; returns the
    logins."""
    with db.uow(Actor(None, "演示数据")) as uow:
        logins = seed_people(uow, password)
        uow.commit()
    with db.uow(Actor(None, "演示数据")) as uow:
        rule_id = uow.session.scalars(select(RiskPoolRule.id).where(RiskPoolRule.code == HUNAN_RULE["code"])).one()
        bank = principal_of(uow, "cs_loan")
        loan_ids = _seed_loans(uow, bank, rule_id)
        _other_loans(uow, bank, rule_id)
        _plan(uow, principal_of(uow, "cs_abs"), loan_ids)
        uow.commit()
    return logins
