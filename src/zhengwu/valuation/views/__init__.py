"""Pages of patent valuation (专利价值评估) under ``/valuation``, one module per area, gathered into the shell module.

Each area module defines its own ``router`` (fixed paths before a path with an id) and is added to ``ROUTERS``; its
navigation entries go in ``NAV``. Pages import nothing of the JSON API (``zhengwu.valuation.api``)."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter

from zhengwu.web.shell import Module, NavItem

ROUTERS: list[APIRouter] = []
GROUP = "专利评估"
NAV: list[NavItem] = []

module = Module(
    name="valuation",
    routers=ROUTERS,
    nav=NAV,
    templates=Path(__file__).resolve().parent.parent / "templates",
)
