"""Test users, each with a role of their own holding exactly the grants a test needs."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import select

from zhengwu.core.db import UnitOfWork
from zhengwu.core.org.model import system_principal
from zhengwu.core.org.service import GrantInput, create_user, save_role
from zhengwu.core.org.tables import Unit

#: username → (unit code, [(action, scope)])
People = Mapping[str, tuple[str, list[tuple[str, str]]]]


def add_users(uow: UnitOfWork, people: People, password: str, role_prefix: str) -> None:
    """Create, in ``uow``, one role ``<role_prefix><username>`` and one user holding it for each entry."""
    sp = system_principal()
    for username, (unit, grants) in people.items():
        role = save_role(
            uow,
            sp,
            None,
            version=None,
            code=f"{role_prefix}{username}",
            name=username,
            description="",
            grants=[GrantInput(a, s) for a, s in grants],
        )
        unit_id = uow.session.scalar(select(Unit.id).where(Unit.code == unit))
        assert unit_id is not None, f"no unit {unit!r}"
        create_user(
            uow, sp, username=username, full_name=username, unit_id=unit_id, password=password, role_ids=[role.id]
        )
