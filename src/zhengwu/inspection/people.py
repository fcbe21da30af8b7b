"""The inspection story's bodies, roles and users, added to the core seed by ``zhengwu.demo`` and by the inspection
tests (``seed_people``): Changsha's committee units, three districts with a town and a village each, an economic park
and two city departments, and one user per inspection role.

Scopes: the inspection office, its teams and the supervising leader work over the whole city; a city-wide office
has no narrower scope than "all" in the tree (it sits beside the units it inspects), as the requests commission.
Leads are seen only by the office (which hands them over) and by the receiving unit.
"""

from __future__ import annotations

from zhengwu.core.db import UnitOfWork
from zhengwu.core.org.model import UNIT_VIEW, USER_VIEW, Scope
from zhengwu.core.org.seeding import seed_people as seed_org_people
from zhengwu.inspection import model as m

# code, name, kind, parent code
UNITS: list[tuple[str, str, str, str | None]] = [
    ("cs-sw", "中共长沙市委", "committee", "cs"),
    ("cs-jw", "长沙市纪委监委", "commission", "cs"),
    ("cs-zzb", "长沙市委组织部", "office", "cs"),
    ("cs-fr", "芙蓉区", "government", "cs"),
    ("cs-fr-dh", "定王台街道", "town", "cs-fr"),
    ("cs-fr-dh-hl", "荷花池社区", "village", "cs-fr-dh"),
    ("cs-tx", "天心区", "government", "cs"),
    ("cs-tx-ps", "坡子街街道", "town", "cs-tx"),
    ("cs-yl", "岳麓区", "government", "cs"),
    ("cs-yl-lsh", "莲花镇", "town", "cs-yl"),
    ("cs-yl-lsh-xj", "新街村", "village", "cs-yl-lsh"),
    ("cs-jk", "长沙经济技术开发区", "government", "cs"),
    ("cs-zjj", "长沙市住房和城乡建设局", "department", "cs"),
    ("cs-sj", "长沙市审计局", "department", "cs"),
]

ALL_INSPECTION = (
    m.VIEW,
    m.ROUND_MANAGE,
    m.CADRE_MANAGE,
    m.CATEGORY_MANAGE,
    m.FINDING_MANAGE,
    m.FINDING_APPROVE,
    m.RECTIFY,
    m.ITEM_VERIFY,
    m.ITEM_APPROVE_HEAD,
    m.ITEM_APPROVE_SUPERVISOR,
    m.ITEM_SEND_BACK,
    m.LEAD_VIEW,
    m.LEAD_MANAGE,
    m.LEAD_RECEIVE,
    m.ACCOUNTABILITY_MANAGE,
)

# code, name, description, grants
ROLES: list[tuple[str, str, str, list[tuple[str, Scope]]]] = [
    (
        "inspection_office",
        "巡察办",
        "市委巡察办：规划轮次、抽调干部、审批底稿、核实整改、移交问题线索、登记问责",
        [
            (UNIT_VIEW, Scope.ALL),
            (USER_VIEW, Scope.ALL),
            *(
                (a, Scope.ALL)
                for a in (
                    m.VIEW,
                    m.ROUND_MANAGE,
                    m.CADRE_MANAGE,
                    m.CATEGORY_MANAGE,
                    m.FINDING_MANAGE,
                    m.FINDING_APPROVE,
                    m.ITEM_VERIFY,
                    m.ITEM_SEND_BACK,
                    m.LEAD_VIEW,
                    m.LEAD_MANAGE,
                    m.ACCOUNTABILITY_MANAGE,
                )
            ),
        ],
    ),
    (
        "inspection_team",
        "巡察组",
        "巡察组组长、组员：登记发现问题与底稿，下发立行立改通知，反馈",
        [(UNIT_VIEW, Scope.ALL), (m.VIEW, Scope.ALL), (m.FINDING_MANAGE, Scope.ALL)],
    ),
    (
        "inspected_org",
        "被巡察党组织",
        "被巡察党组织：确认责任清单，制定整改措施、报送佐证，主要负责人审批销号，填报共性问题自查",
        [
            (UNIT_VIEW, Scope.UNIT),
            (m.VIEW, Scope.SUBTREE),
            (m.RECTIFY, Scope.SUBTREE),
            (m.ITEM_APPROVE_HEAD, Scope.SUBTREE),
        ],
    ),
    (
        "inspection_supervisor",
        "整改督导领导",
        "市委督导领导：审批整改销号",
        [(UNIT_VIEW, Scope.ALL), (m.VIEW, Scope.ALL), (m.ITEM_APPROVE_SUPERVISOR, Scope.ALL)],
    ),
    (
        "lead_receiver",
        "问题线索承办",
        "纪委监委、组织部：接收巡察移交的问题线索并反馈处置情况",
        [(UNIT_VIEW, Scope.UNIT), (m.LEAD_VIEW, Scope.UNIT), (m.LEAD_RECEIVE, Scope.UNIT)],
    ),
]

# username, name, unit code, role code
USERS: list[tuple[str, str, str, str]] = [
    ("cs_xcb_office", "巡察办主任", "cs-xcb", "inspection_office"),
    ("cs_team1", "第一巡察组组长", "cs-xcb", "inspection_team"),
    ("cs_fr_head", "芙蓉区委书记", "cs-fr", "inspected_org"),
    ("cs_supervisor", "市委督导领导", "cs-sw", "inspection_supervisor"),
    ("cs_jw_leads", "市纪委线索承办人", "cs-jw", "lead_receiver"),
    ("cs_zzb_leads", "市委组织部线索承办人", "cs-zzb", "lead_receiver"),
]


def seed_people(uow: UnitOfWork, password: str) -> list[tuple[str, str, str, str]]:
    """Add the units, roles and users above to a database holding the core seed (``zhengwu.demo.seed_core``);
    returns the logins as (username, full name, unit name, role name). Idempotent for units and roles."""
    return seed_org_people(uow, password, UNITS, ROLES, USERS)
