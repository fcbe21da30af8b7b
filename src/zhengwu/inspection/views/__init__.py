"""Pages of inspection (巡察 · 整改) under ``/inspection``, one module per area, gathered into the shell module.

Each area module defines its own ``router``; fixed paths come before a path with an id in each module. The JSON API
(``zhengwu.inspection.api``) is a module of its own in the shell: pages import nothing of the API, so that either
side may import the other's helpers without a cycle."""

from __future__ import annotations

from pathlib import Path

from zhengwu.inspection import model as m
from zhengwu.inspection.views import (
    accountability,
    cadres,
    categories,
    figures,
    findings,
    items,
    leads,
    problem_lists,
    responsibilities,
    rounds,
)
from zhengwu.web.shell import Module, NavItem

ROUTERS = [
    figures.router,
    rounds.router,
    cadres.router,
    categories.router,
    findings.router,
    items.router,
    leads.router,
    responsibilities.router,
    problem_lists.router,
    accountability.router,
]
GROUP = "巡察整改"
NAV = [
    NavItem("巡察轮次", "/inspection/rounds", m.VIEW, GROUP),
    NavItem("巡察规划", "/inspection/plans", m.VIEW, GROUP),
    NavItem("巡察人才库", "/inspection/cadres", m.CADRE_MANAGE, GROUP),
    NavItem("发现问题", "/inspection/findings", m.VIEW, GROUP),
    NavItem("整改台账", "/inspection/items", m.VIEW, GROUP),
    NavItem("问题线索", "/inspection/leads", m.LEAD_VIEW, GROUP),
    NavItem("责任清单", "/inspection/responsibilities", m.VIEW, GROUP),
    NavItem("共性问题清单", "/inspection/problem-lists", m.VIEW, GROUP),
    NavItem("问责与资金", "/inspection/accountability", m.VIEW, GROUP),
    NavItem("问题分类", "/inspection/categories", m.CATEGORY_MANAGE, GROUP),
    NavItem("巡察统计", "/inspection/figures", m.VIEW, "统计分析"),
]

module = Module(
    name="inspection",
    routers=ROUTERS,
    nav=NAV,
    templates=Path(__file__).resolve().parent.parent / "templates",
    todos=[leads.leads_todo],
)
