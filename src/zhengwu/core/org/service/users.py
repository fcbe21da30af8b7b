"""Users: accounts, their roles (never beyond what the granting user holds) and passwords."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from zhengwu.core.db import UnitOfWork
from zhengwu.core.errors import Forbidden, Invalid, NotFound
from zhengwu.core.org.access import check_write, get_scoped
from zhengwu.core.org.auth import check_password_policy, hash_password, verify_password
from zhengwu.core.org.model import USER_MANAGE, Grant, Principal, can_delegate
from zhengwu.core.org.service.common import CODE_RE, _text, expect_version, touch
from zhengwu.core.org.tables import Role, RoleGrant, Unit, User


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
