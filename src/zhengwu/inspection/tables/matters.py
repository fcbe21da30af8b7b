"""ORM mapping of the editable finding categories and the three inspection matter kinds (findings, leads,
rectification items), joined one-to-one to ``matters``, with sign-off approvals and evidence."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import ClassVar

from sqlalchemy import (
    Enum,
    ForeignKey,
    Index,
    LargeBinary,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from zhengwu.core.db import Base
from zhengwu.core.matters.tables import Matter
from zhengwu.inspection.model.workflows import FINDING_KIND, ITEM_KIND, LEAD_KIND, Approver, Disposal, Recipient


def _enum(enum: type[StrEnum], name: str) -> Enum:
    return Enum(enum, name=name, native_enum=False, length=32, values_callable=lambda e: [m.value for m in e])


def _money() -> Numeric[Decimal]:
    return Numeric(14, 2, asdecimal=True)


# ------------------------------------------------------------------------------------------------ findings


class InspectionCategory(Base):
    """An entry of the editable finding categories (政治建设 …)."""

    __tablename__ = "inspection_categories"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(64))
    active: Mapped[bool] = mapped_column(default=True)
    sort_order: Mapped[int] = mapped_column(default=0)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class FindingMatter(Matter):
    """A problem found (发现问题): ``matters.title`` and ``body`` hold its summary and description, the owner unit is
    the inspected organisation (``target_unit_id``). ``paper`` is the working paper (底稿); ``immediate_notice`` the
    notice of immediate rectification (立行立改), done on ``immediate_done_on``; ``report_due_on`` the rectification
    report's due date (2 calendar months after ``fed_back_on`` by default)."""

    __tablename__ = "inspection_finding_matters"

    id: Mapped[int] = mapped_column(ForeignKey("matters.id", ondelete="CASCADE"), primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("inspection_rounds.id", ondelete="RESTRICT"))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("inspection_teams.id", ondelete="RESTRICT"))
    target_unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="RESTRICT"), index=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("inspection_categories.id", ondelete="RESTRICT"), index=True)
    paper: Mapped[str] = mapped_column(Text, default="")
    paper_approved_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    paper_approved_at: Mapped[datetime | None]
    immediate_notice: Mapped[str | None] = mapped_column(Text)
    immediate_ordered_on: Mapped[date | None]
    immediate_done_on: Mapped[date | None]
    fed_back_on: Mapped[date | None]
    report_due_on: Mapped[date | None]

    __mapper_args__ = {"polymorphic_identity": FINDING_KIND}  # noqa: RUF012


# A round's findings by target (the figures and the round's page).
Index("ix_inspection_findings_round", FindingMatter.round_id, FindingMatter.target_unit_id)


class LeadMatter(Matter):
    """A problem lead (问题线索), confidential: handed over to the discipline commission or the organisation
    department; the owner unit is the receiving unit. ``due_on`` 6 calendar months after handover by default."""

    __tablename__ = "inspection_lead_matters"
    __audit_mask__: ClassVar[frozenset[str]] = frozenset({"body", "feedback"})

    id: Mapped[int] = mapped_column(ForeignKey("matters.id", ondelete="CASCADE"), primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("inspection_rounds.id", ondelete="RESTRICT"), index=True)
    finding_id: Mapped[int | None] = mapped_column(ForeignKey("inspection_finding_matters.id", ondelete="RESTRICT"))
    target_unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="RESTRICT"), index=True)
    recipient: Mapped[Recipient] = mapped_column(_enum(Recipient, "inspection_lead_recipient"))
    receiving_unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="RESTRICT"))
    handed_over_on: Mapped[date]
    due_on: Mapped[date]
    disposal: Mapped[Disposal | None] = mapped_column(_enum(Disposal, "inspection_lead_disposal"))
    feedback: Mapped[str | None] = mapped_column(Text)

    __mapper_args__ = {"polymorphic_identity": LEAD_KIND}  # noqa: RUF012


class ItemMatter(Matter):
    """A rectification item (整改事项) of a finding (``matters.parent_id`` is the finding too): the measure, who is
    responsible, the due date, evidence. ``cycle`` counts send-backs: approvals of an earlier cycle no longer count."""

    __tablename__ = "inspection_item_matters"

    id: Mapped[int] = mapped_column(ForeignKey("matters.id", ondelete="CASCADE"), primary_key=True)
    finding_id: Mapped[int] = mapped_column(
        ForeignKey("inspection_finding_matters.id", ondelete="RESTRICT"), index=True
    )
    measure: Mapped[str] = mapped_column(Text)
    responsible: Mapped[str] = mapped_column(String(50))
    due_on: Mapped[date]
    cycle: Mapped[int] = mapped_column(default=0)
    completed_on: Mapped[date | None]

    __mapper_args__ = {"polymorphic_identity": ITEM_KIND}  # noqa: RUF012


class ItemApproval(Base):
    """One sign-off approval of an item in one rectification cycle (``model.workflows.check_approval``)."""

    __tablename__ = "inspection_item_approvals"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("inspection_item_matters.id", ondelete="CASCADE"), index=True)
    approver: Mapped[Approver] = mapped_column(_enum(Approver, "inspection_approver"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    cycle: Mapped[int]
    approved_at: Mapped[datetime]

    __table_args__ = (UniqueConstraint("item_id", "approver", "cycle", name="uq_inspection_item_approvals"),)


class ItemEvidence(Base):
    """A file of evidence (佐证材料) for an item in a cycle; the bytes live in the database like requests' files
    (``data`` loaded on demand, masked in the audit log); the type is what the magic bytes showed."""

    __tablename__ = "inspection_item_evidence"
    __audit_mask__: ClassVar[frozenset[str]] = frozenset({"data"})

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("inspection_item_matters.id", ondelete="CASCADE"), index=True)
    cycle: Mapped[int]
    filename: Mapped[str] = mapped_column(String(120))
    content_type: Mapped[str] = mapped_column(String(64))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    data: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    uploaded_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    uploaded_at: Mapped[datetime]
