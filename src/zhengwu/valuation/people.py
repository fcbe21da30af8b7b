"""The valuation story's bodies, roles and users, added to the core seed by ``zhengwu.demo`` and by the valuation
tests (``seed_people``): a valuation firm, a bank's technology branch and a university's IP office in Changsha, each
working on its own assessments, and the city's IP bureau (长沙市知识产权局, in the core seed) which keeps the indicator
profiles, the industries' royalty ranges and the comparable deals, and sees every assessment.

Profiles, industry ranges and deals are reference data every holder of ``valuation.view`` reads; assessments are
scoped by the unit that made them.
"""

from __future__ import annotations

from zhengwu.core.db import UnitOfWork
from zhengwu.core.org.model import UNIT_VIEW, USER_VIEW, Scope
from zhengwu.core.org.seeding import RoleRow, UnitRow, UserRow
from zhengwu.core.org.seeding import seed_people as seed_org_people
from zhengwu.valuation import model as m

UNITS: list[UnitRow] = [
    ("cs-pg", "湖南湘评资产评估有限公司", "enterprise", "cs"),
    ("cs-bank", "长沙银行麓谷科技支行", "enterprise", "cs"),
    ("cs-univ", "中南大学知识产权中心", "office", "cs"),
]

ROLES: list[RoleRow] = [
    (
        "valuer",
        "专利评估师",
        "资产评估机构：对本机构受托的专利评分、估值、出具评估报告，登记可比交易",
        [(UNIT_VIEW, Scope.UNIT), (m.VIEW, Scope.UNIT), (m.ASSESS, Scope.UNIT), (m.DEAL_MANAGE, Scope.UNIT)],
    ),
    (
        "credit_officer",
        "银行信贷经理",
        "银行：对质押专利测算估值、查看本行的评估项目",
        [(UNIT_VIEW, Scope.UNIT), (m.VIEW, Scope.UNIT), (m.ASSESS, Scope.UNIT)],
    ),
    (
        "ip_bureau",
        "知识产权局评估管理",
        "知识产权局：维护评价指标方案、行业分成率区间与可比交易，查看全部评估项目",
        [
            (UNIT_VIEW, Scope.ALL),
            (USER_VIEW, Scope.ALL),
            (m.VIEW, Scope.ALL),
            (m.PROFILE_MANAGE, Scope.ALL),
            (m.DEAL_MANAGE, Scope.ALL),
        ],
    ),
    (
        "university_ip",
        "高校知识产权办",
        "高校：对本校专利库分级评分、批量估值",
        [(UNIT_VIEW, Scope.UNIT), (m.VIEW, Scope.UNIT), (m.ASSESS, Scope.UNIT)],
    ),
]

USERS: list[UserRow] = [
    ("cs_valuer", "评估师李明", "cs-pg", "valuer"),
    ("cs_bank", "科技支行信贷经理", "cs-bank", "credit_officer"),
    ("cs_ip_val", "知识产权局评估管理员", "cs-ip", "ip_bureau"),
    ("cs_univ", "高校知识产权办经办人", "cs-univ", "university_ip"),
]


def seed_people(uow: UnitOfWork, password: str) -> list[tuple[str, str, str, str]]:
    """Add the units, roles and users above; returns the logins. Idempotent."""
    return seed_org_people(uow, password, UNITS, ROLES, USERS)
