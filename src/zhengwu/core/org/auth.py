"""Login with argon2 hashes and lock-out, browser sessions, API tokens, and loading the principal."""

from __future__ import annotations

import contextlib
import hashlib
import math
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session, selectinload

from zhengwu.core.audit.service import record
from zhengwu.core.db import UnitOfWork
from zhengwu.core.errors import Invalid, Unauthenticated
from zhengwu.core.org.model import Grant, Principal
from zhengwu.core.org.tables import ApiToken, LoginSession, Role, RoleGrant, User

_hasher = PasswordHasher()
# A hash to verify against when the user does not exist, so timing does not reveal usernames.
_DUMMY_HASH = _hasher.hash("zhengwu-dummy-password")


def use_fast_hasher() -> None:
    """Cheap argon2 parameters, for test suites only (hashes stay valid argon2id and are verified normally)."""
    global _hasher, _DUMMY_HASH  # noqa: PLW0603
    _hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    _DUMMY_HASH = _hasher.hash("zhengwu-dummy-password")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def check_password_policy(password: str, field: str = "password") -> None:
    """At least 8 characters with letters and digits.

    >>> check_password_policy("abc12345")
    >>> check_password_policy("short")
    Traceback (most recent call last):
    ...
    zhengwu.core.errors.Invalid: 密码至少 8 位，且须同时包含字母和数字。
    """
    if len(password) < 8 or not re.search(r"[A-Za-z]", password) or not re.search(r"\d", password):
        raise Invalid("密码至少 8 位，且须同时包含字母和数字。", field=field)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class LoginPolicy:
    max_failures: int
    lockout: timedelta
    session_lifetime: timedelta


def login(uow: UnitOfWork, username: str, password: str, policy: LoginPolicy) -> str:
    """Check the password and open a session; returns the cookie token. Failures count towards lock-out.

    The caller commits in both cases (a failure records the failed attempt), so this raises only after
    the counters are updated; the error message never says whether the username exists.
    """
    session = uow.session
    now = uow.clock.now()
    user = session.scalar(select(User).where(User.username == username.strip()))
    if user is None:
        with contextlib.suppress(VerificationError):
            _hasher.verify(_DUMMY_HASH, password)
        record(session, "login_failed", "users", "-", username=username[:64])
        raise Unauthenticated("用户名或密码错误。")
    if user.locked_until is not None and user.locked_until > now:
        minutes = max(1, math.ceil((user.locked_until - now).total_seconds() / 60))
        record(session, "login_locked", "users", user.id)
        raise Unauthenticated(f"连续登录失败次数过多，账号已锁定，请 {minutes} 分钟后再试或联系管理员解锁。")
    try:
        _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        record(session, "login_failed", "users", user.id, username=user.username)
        if user.failed_logins + 1 >= policy.max_failures:
            _set_login_state(session, user.id, failed_logins=0, locked_until=now + policy.lockout)
            record(session, "account_locked", "users", user.id, until=(now + policy.lockout).isoformat())
            raise Unauthenticated(
                f"连续登录失败 {policy.max_failures} 次，账号已锁定 {int(policy.lockout.total_seconds() // 60)} 分钟。"
            ) from None
        _set_login_state(session, user.id, failed_logins=User.failed_logins + 1)
        left = policy.max_failures - user.failed_logins - 1
        raise Unauthenticated(f"用户名或密码错误。再失败 {left} 次账号将被锁定。") from None
    if not user.active:
        raise Unauthenticated("该账号已停用，请联系管理员。")
    state: dict[str, Any] = {"failed_logins": 0, "locked_until": None, "last_login_at": now}
    if _hasher.check_needs_rehash(user.password_hash):
        state["password_hash"] = hash_password(password)
    _set_login_state(session, user.id, **state)
    token = secrets.token_urlsafe(32)
    # Expired sessions of this user are cleared as they log in again, so the table does not grow without end.
    session.execute(delete(LoginSession).where(LoginSession.user_id == user.id, LoginSession.expires_at <= now))
    session.add(
        LoginSession(
            token_hash=_digest(token),
            user_id=user.id,
            created_at=now,
            expires_at=now + policy.session_lifetime,
        )
    )
    record(session, "login", "users", user.id)
    return token


def _set_login_state(session: Session, user_id: int, **values: Any) -> None:
    """Update login counters without bumping the user's version.

    They are bookkeeping, not an edit of the user: an administrator who has the user's form open must not get a
    conflict because the user logged in meanwhile. Each change is recorded in the audit log as an event.
    """
    session.execute(
        update(User).where(User.id == user_id).values(**values).execution_options(synchronize_session=False)
    )


def logout(uow: UnitOfWork, token: str) -> None:
    uow.session.execute(delete(LoginSession).where(LoginSession.token_hash == _digest(token)))


def load_principal(session: Session, user_id: int) -> Principal | None:
    user = session.scalar(
        select(User)
        .where(User.id == user_id, User.active.is_(True))
        .options(
            selectinload(User.unit),
            selectinload(User.roles).selectinload(Role.grants).selectinload(RoleGrant.units),
        )
    )
    if user is None:
        return None
    grants = tuple(
        Grant(g.action, g.scope, frozenset(u.unit_id for u in g.units)) for role in user.roles for g in role.grants
    )
    return Principal(user.id, user.username, user.full_name, user.unit_id, user.unit.path, user.unit.name, grants)


def principal_for_session(session: Session, token: str, now: datetime) -> Principal | None:
    row = session.get(LoginSession, _digest(token))
    if row is None or row.expires_at <= now:
        return None
    return load_principal(session, row.user_id)


def principal_for_api_token(session: Session, token: str, now: datetime) -> Principal | None:
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == _digest(token)))
    if row is None or row.revoked_at is not None or (row.expires_at is not None and row.expires_at <= now):
        return None
    return load_principal(session, row.user_id)


#: How stale "last used" may get before a call records it again (a busy client must not write on every call).
TOKEN_TOUCH_INTERVAL = timedelta(minutes=1)


def touch_api_token(uow: UnitOfWork, token: str) -> bool:
    """Record that a token was used; at most once a minute per token. Whether anything was written."""
    now = uow.clock.now()
    row = uow.session.scalar(select(ApiToken).where(ApiToken.token_hash == _digest(token)))
    if row is None or (row.last_used_at is not None and now - row.last_used_at < TOKEN_TOUCH_INTERVAL):
        return False
    row.last_used_at = now
    return True


def create_api_token(uow: UnitOfWork, user_id: int, name: str, days: int | None) -> tuple[ApiToken, str]:
    """A new token for ``user_id``; the clear token is returned once and never stored."""
    name = name.strip()
    if not name:
        raise Invalid("请填写令牌名称。", field="name")
    if len(name) > 64 or "\x00" in name:
        raise Invalid("令牌名称不能超过 64 个字，且不能含控制字符。", field="name")
    if days is not None and not 1 <= days <= 3650:
        raise Invalid("有效天数须在 1 到 3650 之间。", field="days")
    now = uow.clock.now()
    token = "zw_" + secrets.token_urlsafe(32)
    row = ApiToken(
        user_id=user_id,
        name=name,
        prefix=token[:10],
        token_hash=_digest(token),
        created_at=now,
        expires_at=now + timedelta(days=days) if days else None,
    )
    uow.session.add(row)
    uow.flush()
    return row, token


def revoke_api_token(uow: UnitOfWork, principal: Principal, token_id: int) -> None:
    """Revoke one of the principal's own tokens (a token of someone else is reported as not found)."""
    from zhengwu.core.errors import NotFound

    row = uow.session.get(ApiToken, token_id)
    if row is None or row.user_id != principal.user_id:
        raise NotFound("令牌不存在。")
    if row.revoked_at is None:
        row.revoked_at = uow.clock.now()
