"""List definitions for units, users and roles, shared by pages, Excel exports and the API."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import aliased

from zhengwu.core.db import AnySelect
from zhengwu.core.org.access import restrict
from zhengwu.core.org.model import ROLE_MANAGE, UNIT_VIEW, USER_VIEW, Principal, UnitKind
from zhengwu.core.org.tables import Role, Unit, User
from zhengwu.web.listing import Column, Filter, ListSpec, equals, like

Parent = aliased(Unit)


def _depth(path: str) -> str:
    return str(path.count("/") - 1)


def _search(*exprs: Any) -> Any:
    def apply(stmt: AnySelect, text: str) -> AnySelect:
        cond = exprs[0].icontains(text, autoescape=True)
        for e in exprs[1:]:
            cond = cond | e.icontains(text, autoescape=True)
        return stmt.where(cond)

    return apply


def _units(principal: Principal | None) -> AnySelect:
    stmt = select(
        Unit.id.label("id"),
        Unit.code.label("code"),
        Unit.name.label("name"),
        Unit.kind.label("kind"),
        Parent.name.label("parent"),
        Unit.path.label("path"),
        Unit.active.label("active"),
    ).outerjoin(Parent, Parent.id == Unit.parent_id)
    return restrict(stmt, principal, UNIT_VIEW, Unit)


UNITS = ListSpec(
    name="单位",
    columns=(
        Column("path", "层级", Unit.path, fmt=_depth),
        Column("code", "编码", Unit.code),
        Column("name", "名称", Unit.name),
        Column("kind", "类型", Unit.kind),
        Column("parent", "上级单位", Parent.name),
        Column("active", "启用", Unit.active),
    ),
    query=_units,
    filters=(
        Filter("q", "名称或编码", _search(Unit.name, Unit.code)),
        Filter("kind", "类型", equals(Unit.kind), UnitKind.choices()),
    ),
    default_sort="path",
    tiebreak=Unit.id,
)


def _users(principal: Principal | None) -> AnySelect:
    stmt = select(
        User.id.label("id"),
        User.username.label("username"),
        User.full_name.label("full_name"),
        Unit.name.label("unit"),
        User.active.label("active"),
        User.locked_until.label("locked_until"),
        User.last_login_at.label("last_login_at"),
    ).join(Unit, Unit.id == User.unit_id)
    return restrict(stmt, principal, USER_VIEW, User)


USERS = ListSpec(
    name="用户",
    columns=(
        Column("username", "用户名", User.username),
        Column("full_name", "姓名", User.full_name),
        Column("unit", "所属单位", Unit.name),
        Column("active", "启用", User.active),
        Column("locked_until", "锁定至", User.locked_until),
        Column("last_login_at", "最近登录", User.last_login_at),
    ),
    query=_users,
    filters=(Filter("q", "用户名、姓名或单位", _search(User.username, User.full_name, Unit.name)),),
    default_sort="username",
    tiebreak=User.id,
)


def _roles(principal: Principal | None) -> AnySelect:
    if principal is None or not principal.has(ROLE_MANAGE):
        from zhengwu.core.errors import Forbidden

        raise Forbidden("您没有“管理角色与授权”的权限。")
    return select(
        Role.id.label("id"),
        Role.code.label("code"),
        Role.name.label("name"),
        Role.description.label("description"),
    )


ROLES = ListSpec(
    name="角色",
    columns=(
        Column("code", "编码", Role.code),
        Column("name", "名称", Role.name),
        Column("description", "说明", Role.description, sortable=False),
    ),
    query=_roles,
    filters=(Filter("q", "编码或名称", like(Role.name)),),
    default_sort="code",
    tiebreak=Role.id,
)
