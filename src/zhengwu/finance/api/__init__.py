"""JSON API of pledge loans and securitization, one module per area; add each area's ``router`` to ``ROUTERS`` (fixed
paths before a path with an id). The plan's calculation is at ``POST /api/finance/run`` as issue #7 names it; the
stored records are under ``/api/v1/finance``."""

from __future__ import annotations

from zhengwu.finance.api import borrowers, loans, plan_results, plans, rules, run

ROUTERS = [run.router, rules.router, borrowers.router, loans.router, plans.router, plan_results.router]
