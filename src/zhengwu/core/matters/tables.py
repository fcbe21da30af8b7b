"""ORM mapping of matters, their history, deadlines, extensions, pauses and serial counters.

``matters`` is the base of a joined-table hierarchy: a kind maps its own table (its specific, queryable columns)
with ``__mapper_args__ = {"polymorphic_identity": "<kind code>"}`` and a primary key that is a foreign key to
``matters.id``.
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from sqlalchemy import Enum, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from zhengwu.core.db import Base
from zhengwu.core.matters.model import LimitUnit, Priority


def _enum(enum: type[Priority] | type[LimitUnit], name: str) -> Enum:
    return Enum(enum, name=name, native_enum=False, length=32, values_callable=lambda e: [m.value for m in e])


class Matter(Base):
    __tablename__ = "matters"
    __scope_unit__: ClassVar[str] = "owner_unit_id"
    __scope_owner__: ClassVar[str | None] = "handler_id"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    serial: Mapped[str] = mapped_column(String(40))
    year: Mapped[int]
    seq: Mapped[int]
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")
    owner_unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="RESTRICT"))
    handler_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    status: Mapped[str] = mapped_column(String(32))
    priority: Mapped[Priority] = mapped_column(_enum(Priority, "matter_priority"), default=Priority.NORMAL)
    channel: Mapped[str] = mapped_column(String(32), default="")
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("matters.id", ondelete="RESTRICT"), index=True)
    created_at: Mapped[datetime]
    received_at: Mapped[datetime]
    due_at: Mapped[datetime | None] = mapped_column(index=True)
    resolved_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    paused_since: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(default=1)

    __table_args__ = (
        UniqueConstraint("kind", "year", "seq", name="uq_matters_kind_year_seq"),
        UniqueConstraint("serial", name="uq_matters_serial"),
        Index("ix_matters_kind_status", "kind", "status"),
        Index("ix_matters_owner_received", "owner_unit_id", "received_at"),
        Index("ix_matters_kind_received", "kind", "received_at"),
        # The list page: one kind, a unit's scope, often one status, newest first.
        Index("ix_matters_list", "kind", "owner_unit_id", "status", "received_at"),
        # What came in through a channel, newest first (Open311's public list, figures by channel).
        Index("ix_matters_channel_received", "channel", "received_at"),
    )
    __mapper_args__ = {  # noqa: RUF012
        "polymorphic_on": "kind",
        "polymorphic_identity": "matter",
        "version_id_col": version,
    }


class MatterEvent(Base):
    """One line of a matter's history: who did what when, from which state to which, with a note and data."""

    __tablename__ = "matter_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    matter_id: Mapped[int] = mapped_column(ForeignKey("matters.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime]
    actor_id: Mapped[int | None]
    actor_name: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(40))
    from_state: Mapped[str] = mapped_column(String(32), default="")
    to_state: Mapped[str] = mapped_column(String(32), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    data: Mapped[str] = mapped_column(Text, default="{}")


class MatterDeadline(Base):
    """A running (or met) time limit of a matter. ``due_at`` is kept current when pauses or extensions move it."""

    __tablename__ = "matter_deadlines"

    id: Mapped[int] = mapped_column(primary_key=True)
    matter_id: Mapped[int] = mapped_column(ForeignKey("matters.id", ondelete="CASCADE"), index=True)
    limit_code: Mapped[str] = mapped_column(String(40))
    started_at: Mapped[datetime]
    amount: Mapped[int]
    unit: Mapped[LimitUnit] = mapped_column(_enum(LimitUnit, "limit_unit"))
    extended: Mapped[int] = mapped_column(default=0)
    due_at: Mapped[datetime] = mapped_column(index=True)
    met_at: Mapped[datetime | None]


class MatterExtension(Base):
    """A request to extend a deadline; it takes effect only when approved."""

    __tablename__ = "matter_extensions"

    id: Mapped[int] = mapped_column(primary_key=True)
    matter_id: Mapped[int] = mapped_column(ForeignKey("matters.id", ondelete="CASCADE"), index=True)
    deadline_id: Mapped[int] = mapped_column(ForeignKey("matter_deadlines.id", ondelete="CASCADE"))
    amount: Mapped[int]
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="requested")  # requested | approved | refused
    requested_at: Mapped[datetime]
    requested_by: Mapped[str] = mapped_column(String(64))
    decided_at: Mapped[datetime | None]
    decided_by: Mapped[str] = mapped_column(String(64), default="")
    decision_note: Mapped[str] = mapped_column(Text, default="")


class MatterPause(Base):
    """A span during which a matter's clocks stop (e.g. waiting for the reporter)."""

    __tablename__ = "matter_pauses"

    id: Mapped[int] = mapped_column(primary_key=True)
    matter_id: Mapped[int] = mapped_column(ForeignKey("matters.id", ondelete="CASCADE"), index=True)
    started_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]
    reason: Mapped[str] = mapped_column(Text)
    by: Mapped[str] = mapped_column(String(64))


class MatterSerial(Base):
    """The last serial number handed out per kind and year (locked while a new one is taken)."""

    __tablename__ = "matter_serials"

    kind: Mapped[str] = mapped_column(String(32), primary_key=True)
    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    last: Mapped[int] = mapped_column(default=0)


class SupervisionListing(Base):
    """A supervising unit's listing of a matter (督办 / 挂牌督办): its letter number, level, requirements, own
    deadline, reporting interval and escalation ladder. Only the supervising unit signs it off, after the matter
    is resolved. A matter may be listed by several bodies.
    """

    __tablename__ = "supervision_listings"
    __scope_unit__: ClassVar[str] = "supervising_unit_id"
    __scope_owner__: ClassVar[str | None] = None

    id: Mapped[int] = mapped_column(primary_key=True)
    matter_id: Mapped[int] = mapped_column(ForeignKey("matters.id", ondelete="CASCADE"), index=True)
    supervising_unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="RESTRICT"), index=True)
    letter_no: Mapped[str] = mapped_column(String(64))
    level: Mapped[str] = mapped_column(String(32))
    requirements: Mapped[str] = mapped_column(Text, default="")
    due_at: Mapped[datetime] = mapped_column(index=True)
    report_every: Mapped[int] = mapped_column(default=0)  # working days between progress reports; 0 = none
    ladder: Mapped[str] = mapped_column(Text, default="[]")  # JSON list of escalation steps
    status: Mapped[str] = mapped_column(String(16), default="listed")  # listed | signed_off
    listed_at: Mapped[datetime]
    listed_by: Mapped[str] = mapped_column(String(64))
    signed_off_at: Mapped[datetime | None]
    signed_off_by: Mapped[str] = mapped_column(String(64), default="")
    sign_off_note: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class SupervisionReport(Base):
    """A progress report the owner unit files on a listed matter."""

    __tablename__ = "supervision_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    listing_id: Mapped[int] = mapped_column(ForeignKey("supervision_listings.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime]
    by: Mapped[str] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text)


class MatterNotice(Base):
    """A reminder, warning or escalation emitted for a matter (by ``zhengwu tick``); ``key`` makes each one
    happen once only, however often the tick runs."""

    __tablename__ = "matter_notices"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(120), unique=True)
    matter_id: Mapped[int] = mapped_column(ForeignKey("matters.id", ondelete="CASCADE"), index=True)
    listing_id: Mapped[int | None] = mapped_column(ForeignKey("supervision_listings.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(32))  # due_soon | overdue | reminder | urging | criticism | report_due
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="RESTRICT"), index=True)  # who is told
    at: Mapped[datetime]
    text: Mapped[str] = mapped_column(Text)
    read_at: Mapped[datetime | None]
    read_by: Mapped[str] = mapped_column(String(64), default="")


class MatterImportKey(Base):
    """The idempotency key of an imported row, so importing the same file twice adds nothing."""

    __tablename__ = "matter_import_keys"

    kind: Mapped[str] = mapped_column(String(32), primary_key=True)
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    matter_id: Mapped[int] = mapped_column(ForeignKey("matters.id", ondelete="CASCADE"))
