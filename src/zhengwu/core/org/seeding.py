"""Adding a story's units, roles and users to a database that holds the core seed (``zhengwu.demo.seed_core``):
each system lists its own in plain tables and calls :func:`seed_people` from its demo and its tests."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select

from zhengwu.core.db import UnitOfWork
from zhengwu.core.org.auth import load_principal
from zhengwu.core.org.model import Principal, Scope, system_principal
from zhengwu.core.org.service import GrantInput, create_unit, create_user, save_role
from zhengwu.core.org.tables import Role, Unit, User

#: code, name, kind, parent code
UnitRow = tuple[str, str, str, str | None]
#: code, name, description, grants
RoleRow = tuple[str, str, str, list[tuple[str, Scope]]]
#: username, full name, unit code, role code
UserRow = tuple[str, str, str, str]


def seed_people(
    uow: UnitOfWork, password: str, units: Sequence[UnitRow], roles: Sequence[RoleRow], users: Sequence[UserRow]
) -> list[tuple[str, str, str, str]]:
    """Add ``units`` (parents first), ``roles`` and ``users``; returns the logins as (username, full name, unit name,
    role name). Idempotent: a unit, role or user already there (by code or username) is left as it is."""
    system = system_principal()
    session = uow.session
    for code, name, kind, parent in units:
        if session.scalar(select(Unit.id).where(Unit.code == code)) is None:
            parent_id = session.scalar(select(Unit.id).where(Unit.code == parent)) if parent else None
            create_unit(uow, system, code=code, name=name, kind=kind, parent_id=parent_id)
    role_ids: dict[str, tuple[int, str]] = {}
    for code, name, description, grants in roles:
        existing = session.scalar(select(Role).where(Role.code == code))
        role = existing or save_role(
            uow,
            system,
            None,
            version=None,
            code=code,
            name=name,
            description=description,
            grants=[GrantInput(a, s.value) for a, s in grants],
        )
        role_ids[code] = (role.id, name)
    logins = []
    for username, full_name, unit_code, role_code in users:
        unit = session.scalars(select(Unit).where(Unit.code == unit_code)).one()
        if session.scalar(select(User.id).where(User.username == username)) is None:
            create_user(
                uow,
                system,
                username=username,
                full_name=full_name,
                unit_id=unit.id,
                password=password,
                role_ids=[role_ids[role_code][0]],
            )
        logins.append((username, full_name, unit.name, role_ids[role_code][1]))
    return logins


def principal_of(uow: UnitOfWork, username: str) -> Principal:
    """The principal of a seeded user, for a demo acting as that user through the services."""
    user_id = uow.session.scalar(select(User.id).where(User.username == username))
    found = load_principal(uow.session, user_id or 0)
    if found is None:
        raise LookupError(f"no active user {username!r}")
    return found
