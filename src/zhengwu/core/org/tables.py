"""ORM mapping of units, users, roles, grants, login sessions and API tokens."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from sqlalchemy import Enum, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from zhengwu.core.db import Base
from zhengwu.core.org.model import Scope, UnitKind


def enum_column(enum: type[UnitKind] | type[Scope], name: str) -> Enum:
    return Enum(enum, name=name, native_enum=False, length=32, values_callable=lambda e: [m.value for m in e])


class Unit(Base):
    __tablename__ = "units"
    __scope_unit__: ClassVar[str] = "id"
    __scope_owner__: ClassVar[str | None] = None

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(128))
    kind: Mapped[UnitKind] = mapped_column(enum_column(UnitKind, "unit_kind"))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("units.id", ondelete="RESTRICT"), index=True)
    path: Mapped[str] = mapped_column(String(512), default="")
    active: Mapped[bool] = mapped_column(default=True)
    version: Mapped[int] = mapped_column(default=1)

    parent: Mapped[Unit | None] = relationship(remote_side=[id])

    __table_args__ = (Index("ix_units_path", "path", postgresql_ops={"path": "varchar_pattern_ops"}),)
    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012

    @property
    def depth(self) -> int:
        return self.path.count("/") - 2


class Role(Base):
    __tablename__ = "roles"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(64))
    description: Mapped[str] = mapped_column(String(256), default="")
    version: Mapped[int] = mapped_column(default=1)

    grants: Mapped[list[RoleGrant]] = relationship(
        back_populates="role", cascade="all, delete-orphan", order_by="RoleGrant.action"
    )
    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class RoleGrant(Base):
    __tablename__ = "role_grants"

    id: Mapped[int] = mapped_column(primary_key=True)
    role_id: Mapped[int] = mapped_column(ForeignKey("roles.id", ondelete="CASCADE"), index=True)
    action: Mapped[str] = mapped_column(String(64))
    scope: Mapped[Scope] = mapped_column(enum_column(Scope, "grant_scope"))

    role: Mapped[Role] = relationship(back_populates="grants")
    units: Mapped[list[RoleGrantUnit]] = relationship(cascade="all, delete-orphan")

    __table_args__ = (UniqueConstraint("role_id", "action", "scope"),)


class RoleGrantUnit(Base):
    """The units of a grant whose scope is LISTED."""

    __tablename__ = "role_grant_units"

    grant_id: Mapped[int] = mapped_column(ForeignKey("role_grants.id", ondelete="CASCADE"), primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"), primary_key=True)


class UserRole(Base):
    __tablename__ = "user_roles"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    role_id: Mapped[int] = mapped_column(ForeignKey("roles.id", ondelete="RESTRICT"), primary_key=True)


class User(Base):
    __tablename__ = "users"
    __scope_unit__: ClassVar[str] = "unit_id"
    __scope_owner__: ClassVar[str | None] = "id"
    __audit_mask__: ClassVar[frozenset[str]] = frozenset({"password_hash"})

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    full_name: Mapped[str] = mapped_column(String(64))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="RESTRICT"), index=True)
    password_hash: Mapped[str] = mapped_column(String(256))
    active: Mapped[bool] = mapped_column(default=True)
    failed_logins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None]
    last_login_at: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(default=1)

    unit: Mapped[Unit] = relationship()
    roles: Mapped[list[Role]] = relationship(secondary="user_roles", order_by="Role.code")

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class LoginSession(Base):
    """A browser login. The cookie holds a random token; only its SHA-256 is stored."""

    __tablename__ = "login_sessions"
    __audited__: ClassVar[bool] = False

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]


class ApiToken(Base):
    """A bearer token for machine clients; it acts as its user. Only the SHA-256 of the token is stored."""

    __tablename__ = "api_tokens"
    __audit_mask__: ClassVar[frozenset[str]] = frozenset({"token_hash"})
    __audit_skip__: ClassVar[frozenset[str]] = frozenset({"last_used_at"})

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(64))
    prefix: Mapped[str] = mapped_column(String(16))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
    last_used_at: Mapped[datetime | None]
