"""The finance story's bodies, roles and users, added to the core seed by ``zhengwu.demo`` and by the finance tests
(``seed_people``): the bank's technology branch (also a valuation body) keeps its pledge loans, a plan manager
(计划管理人) structures the securitization from loans of every bank, and the city's IP bureau (in the core seed)
keeps the pledge-rate ceilings and the risk-pool rules and sees every loan and plan.

Loans and borrowers are scoped by the bank that keeps them, plans by the plan manager's unit.
"""

from __future__ import annotations

from zhengwu.core.db import UnitOfWork
from zhengwu.core.org.model import UNIT_VIEW, USER_VIEW, Scope
from zhengwu.core.org.seeding import RoleRow, UnitRow, UserRow
from zhengwu.core.org.seeding import seed_people as seed_org_people
from zhengwu.finance import model as m
from zhengwu.valuation import model as valuation

UNITS: list[UnitRow] = [
    ("cs-bank", "长沙银行麓谷科技支行", "enterprise", "cs"),
    ("cs-abs", "兴证证券资产管理有限公司", "enterprise", "cs"),
]

ROLES: list[RoleRow] = [
    (
        "pledge_lender",
        "银行质押贷款经办",
        "银行：登记借款企业与质押贷款、审批放款、记录还款违约与处置；可引用本行的专利评估结论",
        [(UNIT_VIEW, Scope.UNIT), (m.VIEW, Scope.UNIT), (m.LOAN_MANAGE, Scope.UNIT), (valuation.VIEW, Scope.UNIT)],
    ),
    (
        "plan_manager",
        "计划管理人",
        "证券公司：以各行的质押贷款组建资产支持专项计划，测算现金流瀑布、模拟与优先级规模",
        [(UNIT_VIEW, Scope.UNIT), (m.VIEW, Scope.ALL), (m.STRUCTURE, Scope.UNIT)],
    ),
    (
        "finance_bureau",
        "知识产权局质押融资管理",
        "知识产权局：维护质押率上限与风险补偿规则，查看全部质押贷款与证券化方案",
        [(UNIT_VIEW, Scope.ALL), (USER_VIEW, Scope.ALL), (m.VIEW, Scope.ALL), (m.RULES_MANAGE, Scope.ALL)],
    ),
]

USERS: list[UserRow] = [
    ("cs_loan", "科技支行质押贷款经办人", "cs-bank", "pledge_lender"),
    ("cs_abs", "计划管理人经办人", "cs-abs", "plan_manager"),
    ("cs_ip_fin", "知识产权局质押融资管理员", "cs-ip", "finance_bureau"),
]


def seed_people(uow: UnitOfWork, password: str) -> list[tuple[str, str, str, str]]:
    """Add the units, roles and users above; returns the logins. Idempotent."""
    return seed_org_people(uow, password, UNITS, ROLES, USERS)
