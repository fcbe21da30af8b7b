"""JSON API of pledge loans and securitization, one module per area; add each area's ``router`` to ``ROUTERS``. The
plan's calculation is at ``POST /api/finance/run`` as issue #7 names it."""

from __future__ import annotations

from zhengwu.finance.api import run

ROUTERS = [run.router]
