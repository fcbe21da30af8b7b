"""Pages of pledge financing and securitization (知识产权质押融资) under ``/finance``, one module per area, gathered
into the shell module.

Each area module defines its own ``router`` (fixed paths before a path with an id) and is added to ``ROUTERS``; its
navigation entries go in ``NAV``. Pages import nothing of the JSON API (``zhengwu.finance.api``)."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter

from zhengwu.finance.model import VIEW
from zhengwu.finance.views import borrowers, loan_actions, loans, plan_results, plans, rules
from zhengwu.web.shell import Module, NavItem

ROUTERS: list[APIRouter] = [
    rules.router,
    borrowers.router,
    loans.router,
    loan_actions.router,
    plans.router,
    plan_results.router,
]
GROUP = "质押融资"
NAV: list[NavItem] = [
    NavItem("质押贷款", "/finance/loans", VIEW, GROUP),
    NavItem("借款企业", "/finance/borrowers", VIEW, GROUP),
    NavItem("证券化方案", "/finance/plans", VIEW, GROUP),
    NavItem("质押率与风险补偿", "/finance/rules", VIEW, GROUP),
]

module = Module(
    name="finance",
    routers=ROUTERS,
    nav=NAV,
    templates=Path(__file__).resolve().parent.parent / "templates",
)
