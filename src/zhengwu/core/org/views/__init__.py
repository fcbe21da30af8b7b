"""Admin pages for units, users and roles. Forms re-render with the user's input on any error.

Each subject's pages live in their own module and register on the one ``/admin`` router of ``common``; they are
imported here in the order their routes were always registered (units, users, roles).
"""

from __future__ import annotations

from pathlib import Path

# Importing a subject's module registers its routes: this import comes first, in the order they always had.
# isort: off
from zhengwu.core.org.views import units, users, roles

# isort: on
from zhengwu.core.org.model import ROLE_MANAGE, UNIT_VIEW, USER_VIEW
from zhengwu.core.org.views.common import router
from zhengwu.core.org.views.users import locked_accounts_todo
from zhengwu.web.shell import Module, NavItem

__all__ = ["locked_accounts_todo", "module", "roles", "router", "units", "users"]

module = Module(
    name="org",
    routers=[router],
    nav=[
        NavItem("单位管理", "/admin/units", UNIT_VIEW, "系统管理"),
        NavItem("用户管理", "/admin/users", USER_VIEW, "系统管理"),
        NavItem("角色与授权", "/admin/roles", ROLE_MANAGE, "系统管理"),
    ],
    templates=Path(__file__).resolve().parent.parent / "templates",
    todos=[locked_accounts_todo],
)
