"""Use cases for units, users and roles. Each runs inside the caller's unit of work and re-checks scope there."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from zhengwu.core.db import UnitOfWork
from zhengwu.core.errors import Conflict, Forbidden, Invalid, NotFound
from zhengwu.core.imports import ImportRejected, RowError, decode_upload
from zhengwu.core.org.access import check_write, get_scoped
from zhengwu.core.org.auth import check_password_policy, hash_password, verify_password
from zhengwu.core.org.model import (
    ACTIONS,
    ROLE_MANAGE,
    UNIT_MANAGE,
    USER_MANAGE,
    Grant,
    Principal,
    Scope,
    UnitKind,
    can_delegate,
    path_for,
)
from zhengwu.core.org.tables import Role, RoleGrant, RoleGrantUnit, Unit, User

CODE_RE = re.compile(r"^[A-Za-z0-9_.\-]{1,64}$")

__all__ = ["ImportRejected", "decode_upload"]


def require(principal: Principal | None, action: str) -> Principal:
    """The principal, if they hold ``action`` at all (pages that only offer a form check this)."""
    if principal is None or not principal.has(action):
        raise Forbidden(f"您没有“{ACTIONS.get(action, action)}”的权限。")
    return principal


def expect_version(record: Any, version: int | None) -> None:
    """Optimistic locking for forms: the version the user loaded must still be current."""
    if version is not None and record.version != version:
        raise Conflict(
            f"该记录已被他人修改（您编辑的是第 {version} 版，当前为第 {record.version} 版），"
            "您的修改未保存。请刷新页面查看最新内容后重新提交。"
        )


def touch(record: Any) -> None:
    """Count a change that lives in another table (a user's roles, a role's grants) as an edit of ``record``.

    Setting the version counter by hand makes SQLAlchemy emit ``UPDATE … SET version = n + 1 WHERE version = n``,
    so a concurrent edit still conflicts, without marking a column as changed (which would lose its old value
    in the audit log).
    """
    record.version = record.version + 1


def _text(value: str | None, field: str, label: str, max_len: int) -> str:
    value = (value or "").strip()
    if not value:
        raise Invalid(f"请填写{label}。", field=field)
    if len(value) > max_len:
        raise Invalid(f"{label}不能超过 {max_len} 个字符。", field=field)
    return value


def parse_kind(value: str, field: str = "kind") -> UnitKind:
    for k in UnitKind:
        if value.strip() in (k.value, k.label):
            return k
    raise Invalid(f"单位类型“{value}”无效，可选：{'、'.join(k.label for k in UnitKind)}。", field=field)


# ---------------------------------------------------------------- units


def create_unit(
    uow: UnitOfWork, principal: Principal | None, *, code: str, name: str, kind: str, parent_id: int | None
) -> Unit:
    session = uow.session
    code = _text(code, "code", "单位编码", 64)
    if not CODE_RE.match(code):
        raise Invalid("单位编码只能包含字母、数字、点、横线和下划线。", field="code")
    unit = Unit(code=code, name=_text(name, "name", "单位名称", 128), kind=parse_kind(kind), parent_id=parent_id)
    parent = _parent(session, parent_id)
    if session.scalar(select(func.count()).select_from(Unit).where(Unit.code == code)):
        raise Invalid(f"单位编码“{code}”已存在。", field="code")
    session.add(unit)
    uow.flush()
    unit.path = path_for(parent.path if parent else None, unit.id)
    uow.flush()
    check_write(session, principal, UNIT_MANAGE, unit)
    return unit


def _parent(session: Session, parent_id: int | None) -> Unit | None:
    if parent_id is None:
        return None
    # Locked, so a concurrent move of the parent cannot leave the new child with a stale path.
    parent = session.get(Unit, parent_id, with_for_update=True)
    if parent is None:
        raise Invalid("上级单位不存在。", field="parent_id")
    return parent


def update_unit(
    uow: UnitOfWork,
    principal: Principal | None,
    unit_id: int,
    *,
    version: int | None,
    name: str,
    kind: str,
    parent_id: int | None,
    active: bool,
) -> Unit:
    session = uow.session
    unit: Unit = get_scoped(session, principal, UNIT_MANAGE, Unit, unit_id)
    session.refresh(unit, with_for_update=True)  # a concurrent move or child creation waits for this one
    expect_version(unit, version)
    unit.name = _text(name, "name", "单位名称", 128)
    unit.kind = parse_kind(kind)
    unit.active = active
    if parent_id != unit.parent_id:
        parent = _parent(session, parent_id)
        if parent is not None and parent.path.startswith(unit.path):
            raise Invalid("不能把单位移到它自己或它的下级单位之下。", field="parent_id")
        old = unit.path
        new = path_for(parent.path if parent else None, unit.id)
        for d in session.scalars(select(Unit).where(Unit.path.startswith(old), Unit.id != unit.id)):
            d.path = new + d.path[len(old) :]
        unit.parent_id, unit.path = parent_id, new
    uow.flush()
    check_write(session, principal, UNIT_MANAGE, unit)
    return unit


UNIT_CSV_COLUMNS = ("code", "name", "kind", "parent_code")


@dataclass(frozen=True)
class UnitRow:
    line: int
    code: str
    name: str
    kind: UnitKind
    parent_code: str


def parse_unit_csv(text: str, existing_codes: set[str]) -> list[UnitRow]:
    """Validate a unit CSV (``code,name,kind,parent_code``) in full; parents precede their children or exist.

    >>> [r.code for r in parse_unit_csv("code,name,kind,parent_code\\nA,甲县,人民政府,\\nB,乙镇,town,A\\n", set())]
    ['A', 'B']
    """
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    header = tuple(h.strip().lower() for h in next(reader, []))
    if header[:4] != UNIT_CSV_COLUMNS:
        raise ImportRejected([RowError(1, "表头", "表头必须是 code,name,kind,parent_code")])
    rows: list[UnitRow] = []
    errors: list[RowError] = []
    known = set(existing_codes)
    for line, raw in enumerate(reader, start=2):
        if not any(c.strip() for c in raw):
            continue
        code, name, kind_text, parent = ([*[c.strip() for c in raw], "", "", "", ""])[:4]
        bad = len(errors)
        if not CODE_RE.match(code):
            errors.append(RowError(line, "code", "单位编码为空或含有非法字符"))
        elif code in known:
            errors.append(RowError(line, "code", f"单位编码“{code}”已存在"))
        if not name or len(name) > 128:
            errors.append(RowError(line, "name", "单位名称为空或超过 128 字"))
        try:
            kind = parse_kind(kind_text)
        except Invalid as exc:
            errors.append(RowError(line, "kind", exc.message))
            kind = UnitKind.OTHER
        if parent and parent not in known:
            errors.append(RowError(line, "parent_code", f"上级单位“{parent}”不存在（须已存在或在本文件前面出现）"))
        if len(errors) == bad:
            rows.append(UnitRow(line, code, name, kind, parent))
        known.add(code)
    if errors:
        raise ImportRejected(errors)
    if not rows:
        raise ImportRejected([RowError(2, "code", "文件中没有数据行")])
    return rows


def import_units(uow: UnitOfWork, principal: Principal | None, text: str) -> list[Unit]:
    session = uow.session
    rows = parse_unit_csv(text, set(session.scalars(select(Unit.code))))
    by_code = {u.code: u for u in session.scalars(select(Unit).where(Unit.code.in_({r.parent_code for r in rows})))}
    created = []
    for r in rows:
        parent = by_code.get(r.parent_code) if r.parent_code else None
        unit = create_unit(
            uow,
            principal,
            code=r.code,
            name=r.name,
            kind=r.kind.value,
            parent_id=parent.id if parent else None,
        )
        by_code[unit.code] = unit
        created.append(unit)
    return created


# ---------------------------------------------------------------- users


def _roles(
    session: Session, principal: Principal | None, role_ids: list[int], already: frozenset[int] = frozenset()
) -> list[Role]:
    """The roles of ``role_ids``; the principal must be able to hand out each role not ``already`` held."""
    roles = list(
        session.scalars(
            select(Role).where(Role.id.in_(role_ids)).options(selectinload(Role.grants).selectinload(RoleGrant.units))
        )
    )
    if len(roles) != len(set(role_ids)):
        raise Invalid("所选角色不存在。", field="role_ids")
    added = [r for r in roles if r.id not in already]
    grants = [Grant(g.action, g.scope, frozenset(u.unit_id for u in g.units)) for r in added for g in r.grants]
    if principal is None or not can_delegate(principal, grants):
        raise Forbidden("只能分配权限不超过您本人权限的角色。")
    return roles


def create_user(
    uow: UnitOfWork,
    principal: Principal | None,
    *,
    username: str,
    full_name: str,
    unit_id: int,
    password: str,
    role_ids: list[int],
) -> User:
    session = uow.session
    username = _text(username, "username", "用户名", 64)
    if not CODE_RE.match(username):
        raise Invalid("用户名只能包含字母、数字、点、横线和下划线。", field="username")
    if session.scalar(select(func.count()).select_from(User).where(User.username == username)):
        raise Invalid(f"用户名“{username}”已被使用。", field="username")
    if session.get(Unit, unit_id) is None:
        raise Invalid("所属单位不存在。", field="unit_id")
    check_password_policy(password)
    user = User(
        username=username,
        full_name=_text(full_name, "full_name", "姓名", 64),
        unit_id=unit_id,
        password_hash=hash_password(password),
        roles=_roles(session, principal, role_ids),
    )
    session.add(user)
    uow.flush()
    check_write(session, principal, USER_MANAGE, user)
    return user


def update_user(
    uow: UnitOfWork,
    principal: Principal | None,
    user_id: int,
    *,
    version: int | None,
    full_name: str,
    unit_id: int,
    active: bool,
    role_ids: list[int],
) -> User:
    session = uow.session
    user: User = get_scoped(session, principal, USER_MANAGE, User, user_id)
    expect_version(user, version)
    if session.get(Unit, unit_id) is None:
        raise Invalid("所属单位不存在。", field="unit_id")
    user.full_name = _text(full_name, "full_name", "姓名", 64)
    user.unit_id = unit_id
    user.active = active
    if sorted(r.id for r in user.roles) != sorted(set(role_ids)):
        user.roles = _roles(session, principal, role_ids, frozenset(r.id for r in user.roles))
        touch(user)
    uow.flush()
    check_write(session, principal, USER_MANAGE, user)
    return user


def set_password(
    uow: UnitOfWork, principal: Principal | None, user_id: int, password: str, *, unlock: bool = True
) -> User:
    user: User = get_scoped(uow.session, principal, USER_MANAGE, User, user_id)
    check_password_policy(password)
    user.password_hash = hash_password(password)
    if unlock:
        user.locked_until, user.failed_logins = None, 0
    return user


def change_own_password(uow: UnitOfWork, principal: Principal, old: str, new: str) -> None:
    user = uow.session.get(User, principal.user_id)
    if user is None:
        raise NotFound("用户不存在。")
    if not verify_password(user.password_hash, old):
        raise Invalid("原密码不正确。", field="old_password")
    check_password_policy(new, "new_password")
    user.password_hash = hash_password(new)


# ---------------------------------------------------------------- roles


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
    role.description = (description or "").strip()[:256]
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
