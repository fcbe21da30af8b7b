"""Pages of patent valuation (专利价值评估) under ``/valuation``, one module per area, gathered into the shell module.

Each area module defines its own ``router`` (fixed paths before a path with an id) and is added to ``ROUTERS``; its
navigation entries go in ``NAV``. Pages import nothing of the JSON API (``zhengwu.valuation.api``)."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter

from zhengwu.valuation.model import ASSESS, VIEW
from zhengwu.valuation.views import (
    assessment_inputs,
    assessment_scores,
    assessments,
    calculator,
    deals,
    industries,
    portfolio,
    profiles,
)
from zhengwu.web.shell import Module, NavItem

ROUTERS: list[APIRouter] = [
    assessments.router,
    assessment_scores.router,
    assessment_inputs.router,
    calculator.router,
    portfolio.router,
    profiles.router,
    industries.router,
    deals.router,
]
GROUP = "专利评估"
NAV: list[NavItem] = [
    NavItem("评估项目", "/valuation/assessments", VIEW, GROUP),
    NavItem("收益法计算器", "/valuation/calculator", ASSESS, GROUP),
    NavItem("批量估值", "/valuation/portfolio", ASSESS, GROUP),
    NavItem("评价方案", "/valuation/profiles", VIEW, GROUP),
    NavItem("行业分成率", "/valuation/industries", VIEW, GROUP),
    NavItem("可比交易", "/valuation/deals", VIEW, GROUP),
]

module = Module(
    name="valuation",
    routers=ROUTERS,
    nav=NAV,
    templates=Path(__file__).resolve().parent.parent / "templates",
)
