"""Pages of public requests beyond the generic matter pages, one module per area, gathered into the shell module.

Each area module defines its own ``router``; add it to ``ROUTERS`` below (and its menu entries to ``NAV``)."""

from __future__ import annotations

from pathlib import Path

from zhengwu.requests.api import ROUTERS as API_ROUTERS
from zhengwu.requests.model import RECEIVE
from zhengwu.requests.views import intake
from zhengwu.web.shell import Module, NavItem

ROUTERS = [intake.router]
NAV = [NavItem("登记诉求", "/requests/new", RECEIVE)]

module = Module(
    name="requests",
    routers=[*ROUTERS, *API_ROUTERS],
    nav=NAV,
    templates=Path(__file__).resolve().parent.parent / "templates",
)
