"""Pages of public requests beyond the generic matter pages, one module per area, gathered into the shell module.

Each area module defines its own ``router``; add it to ``ROUTERS`` below (and its menu entries to ``NAV``)."""

from __future__ import annotations

from pathlib import Path

from zhengwu.requests.api import ROUTERS as API_ROUTERS
from zhengwu.requests.model import CATEGORY_MANAGE, RECEIVE, VIEW
from zhengwu.requests.views import attachments, campaigns, desk, dictionary, figures, imports, intake, projects, public
from zhengwu.web.shell import Module, NavItem

ROUTERS = [
    desk.router,
    intake.router,
    public.router,
    attachments.router,
    projects.router,
    campaigns.router,
    dictionary.router,
    figures.router,
    imports.router,
]
NAV = [NavItem("登记诉求", "/requests/new", RECEIVE), NavItem("批量导入", "/requests/import", RECEIVE)]
NAV += [
    NavItem("整改项目", "/requests/projects", VIEW),
    NavItem("专项行动", "/requests/campaigns", VIEW),
    NavItem("诉求分类", "/requests/categories", CATEGORY_MANAGE),
]
NAV.append(NavItem("诉求统计", "/requests/figures", VIEW, "统计分析"))

module = Module(
    name="requests",
    routers=[*ROUTERS, *API_ROUTERS],
    nav=NAV,
    templates=Path(__file__).resolve().parent.parent / "templates",
)
