"""JSON API of inspection under ``/api/v1/inspection``, one module per area; add each area's ``router`` to
``ROUTERS`` (fixed paths before a path with an id)."""

from __future__ import annotations

from zhengwu.inspection.api import cadres, categories, figures, findings, items, leads, ledgers, plans, rounds

ROUTERS = [
    figures.router,
    rounds.router,
    plans.router,
    cadres.router,
    categories.router,
    findings.router,
    items.router,
    leads.router,
    ledgers.router,
]
