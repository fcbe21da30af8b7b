"""Roles and their grants: an action with a data scope, never beyond what the granting user holds."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from zhengwu.core.db import UnitOfWork
from zhengwu.core.errors import Forbidden, Invalid, NotFound
from zhengwu.core.org.model import ACTIONS, ROLE_MANAGE, Grant, Principal, Scope, can_delegate
from zhengwu.core.org.service.common import CODE_RE, _text, expect_version, touch
from zhengwu.core.org.tables import Role, RoleGrant, RoleGrantUnit, Unit


@dataclass(frozen=True)
class GrantInput:
    action: str
    scope: str
    unit_ids: tuple[int, ...] = ()


def _grants(session: Session, principal: Principal | None, grants: list[GrantInput]) -> list[RoleGrant]:
    out: list[RoleGrant] = []
    seen: set[tuple[str, str]] = set()
    domain: list[Grant] = []
    for i, g in enumerate(grants):
        if g.action not in ACTIONS:
            raise Invalid(f"第 {i + 1} 项授权的操作“{g.action}”不存在。", field="grants")
        try:
            scope = Scope(g.scope)
        except ValueError:
            raise Invalid(f"第 {i + 1} 项授权的数据范围“{g.scope}”无效。", field="grants") from None
        if (g.action, scope) in seen:
            continue
        seen.add((g.action, scope))
        if scope is Scope.LISTED:
            if not g.unit_ids:
                raise Invalid(f"“{ACTIONS[g.action]}”选择了指定单位，但没有选单位。", field="grants")
            found = session.scalar(select(func.count()).select_from(Unit).where(Unit.id.in_(g.unit_ids)))
            if found != len(set(g.unit_ids)):
                raise Invalid("指定的单位不存在。", field="grants")
        row = RoleGrant(action=g.action, scope=scope)
        row.units = [RoleGrantUnit(unit_id=u) for u in sorted(set(g.unit_ids))] if scope is Scope.LISTED else []
        out.append(row)
        domain.append(Grant(g.action, scope, frozenset(g.unit_ids)))
    if principal is None or not principal.has(ROLE_MANAGE):
        raise Forbidden("您没有“管理角色与授权”的权限。")
    if not can_delegate(principal, domain):
        raise Forbidden("只能授予不超过您本人权限的操作和数据范围。")
    return out


def save_role(
    uow: UnitOfWork,
    principal: Principal | None,
    role_id: int | None,
    *,
    version: int | None,
    code: str,
    name: str,
    description: str,
    grants: list[GrantInput],
) -> Role:
    session = uow.session
    if principal is None or not principal.has(ROLE_MANAGE):
        raise Forbidden("您没有“管理角色与授权”的权限。")
    code = _text(code, "code", "角色编码", 64)
    if not CODE_RE.match(code):
        raise Invalid("角色编码只能包含字母、数字、点、横线和下划线。", field="code")
    if role_id is None:
        if session.scalar(select(func.count()).select_from(Role).where(Role.code == code)):
            raise Invalid(f"角色编码“{code}”已存在。", field="code")
        role = Role(code=code)
        session.add(role)
    else:
        found = session.get(Role, role_id, with_for_update=True)
        if found is None:
            raise NotFound("角色不存在。")
        role = found
        expect_version(role, version)
        held = [Grant(g.action, g.scope, frozenset(u.unit_id for u in g.units)) for g in role.grants]
        if not can_delegate(principal, held):
            raise Forbidden("该角色包含超出您本人权限的授权，您不能修改它。")
        if code != role.code:
            taken = select(func.count()).select_from(Role).where(Role.code == code, Role.id != role.id)
            if session.scalar(taken):
                raise Invalid(f"角色编码“{code}”已存在。", field="code")
            role.code = code
    role.name = _text(name, "name", "角色名称", 64)
    role.description = (description or "").strip()
    if len(role.description) > 256 or "\x00" in role.description:
        raise Invalid("角色说明不能超过 256 个字，且不能含控制字符。", field="description")
    wanted = _grants(session, principal, grants)
    if role_id is None:
        role.grants = wanted
    elif _merge_grants(role, wanted):
        touch(role)
    uow.flush()
    return role


def _merge_grants(role: Role, wanted: list[RoleGrant]) -> bool:
    """Make ``role.grants`` equal ``wanted``, keeping the rows that stay; whether anything changed.

    Replacing the whole collection would insert a grant before deleting its twin and break the unique
    ``(role_id, action, scope)`` (and a listed unit's primary key), so unchanged rows are kept as they are.
    """
    have = {(g.action, g.scope): g for g in role.grants}
    changed = len(have) != len(wanted)
    merged: list[RoleGrant] = []
    for w in wanted:
        g = have.get((w.action, w.scope))
        if g is None:
            merged.append(w)
            changed = True
            continue
        want_units = {u.unit_id for u in w.units}
        if {u.unit_id for u in g.units} != want_units:
            kept = [u for u in g.units if u.unit_id in want_units]
            added = sorted(want_units - {u.unit_id for u in kept})
            g.units = kept + [RoleGrantUnit(unit_id=u) for u in added]
            changed = True
        merged.append(g)
    if changed:
        role.grants = merged
    return changed


def grants_from_codes(session: Session, raw: dict[str, dict[str, str]]) -> list[GrantInput]:
    """Grant inputs from a form's ``{action: {"scope": ..., "units": "code1,code2"}}``."""
    wanted = {c.strip() for v in raw.values() for c in v.get("units", "").replace("，", ",").split(",") if c.strip()}
    ids = dict(session.execute(select(Unit.code, Unit.id).where(Unit.code.in_(wanted))).all())
    missing = sorted(wanted - ids.keys())
    if missing:
        raise Invalid(f"指定单位的编码不存在：{'、'.join(missing)}。", field="grants")
    out = []
    for action, v in raw.items():
        codes = [c.strip() for c in v.get("units", "").replace("，", ",").split(",") if c.strip()]
        unit_ids = tuple(ids[c] for c in codes) if v["scope"] == Scope.LISTED else ()
        out.append(GrantInput(action, v["scope"], unit_ids))
    return out
