"""JSON API of patent valuation, one module per area; add each area's ``router`` to ``ROUTERS`` (fixed paths before a
path with an id). The income calculation is at ``POST /api/valuation/income`` as issue #6 names it; the stored
records are under ``/api/v1/valuation``."""

from __future__ import annotations

from zhengwu.valuation.api import approaches, assessments, deals, income, industries, portfolio, profiles

ROUTERS = [
    portfolio.router,
    income.router,
    approaches.router,
    profiles.router,
    industries.router,
    deals.router,
    assessments.router,
]
