"""ORM mapping of the responsibility list, common-problem lists with their self-checks, and accountability with
money in 元."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import ClassVar

from sqlalchemy import (
    CheckConstraint,
    Enum,
    ForeignKey,
    ForeignKeyConstraint,
    Numeric,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from zhengwu.core.db import Base
from zhengwu.inspection.model import Progress, SubjectKind
from zhengwu.inspection.model.money import Outcome


def _enum(enum: type[StrEnum], name: str) -> Enum:
    return Enum(enum, name=name, native_enum=False, length=32, values_callable=lambda e: [m.value for m in e])


def _money() -> Numeric[Decimal]:
    return Numeric(14, 2, asdecimal=True)


# ---------------------------------------------------------------------------------------- responsibility list


class ResponsibilityItem(Base):
    """One responsibility of the list every inspected organisation confirms (the seed's has 28)."""

    __tablename__ = "inspection_responsibilities"

    id: Mapped[int] = mapped_column(primary_key=True)
    position: Mapped[int]
    area: Mapped[str] = mapped_column(String(64), default="")
    text: Mapped[str] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(default=True)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class ResponsibilityStatus(Base):
    """Where one organisation stands on one responsibility."""

    __tablename__ = "inspection_responsibility_status"
    __scope_unit__: ClassVar[str] = "unit_id"

    item_id: Mapped[int] = mapped_column(
        ForeignKey("inspection_responsibilities.id", ondelete="CASCADE"), primary_key=True
    )
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="RESTRICT"), primary_key=True, index=True)
    progress: Mapped[Progress] = mapped_column(_enum(Progress, "inspection_progress"))
    note: Mapped[str] = mapped_column(Text, default="")
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime]
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


# -------------------------------------------------------------------------------------- common-problem lists


class ProblemList(Base):
    """A common-problem list (共性问题清单) the office issues to many units at once."""

    __tablename__ = "inspection_problem_lists"
    __scope_unit__: ClassVar[str] = "committee_unit_id"

    id: Mapped[int] = mapped_column(primary_key=True)
    committee_unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="RESTRICT"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    issued_on: Mapped[date]
    due_on: Mapped[date | None]
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class ProblemTemplate(Base):
    """One problem of a list, in order."""

    __tablename__ = "inspection_problem_templates"

    id: Mapped[int] = mapped_column(primary_key=True)
    list_id: Mapped[int] = mapped_column(ForeignKey("inspection_problem_lists.id", ondelete="CASCADE"), index=True)
    position: Mapped[int]
    category_id: Mapped[int | None] = mapped_column(ForeignKey("inspection_categories.id", ondelete="RESTRICT"))
    text: Mapped[str] = mapped_column(Text)


class ProblemListUnit(Base):
    """A unit a list was issued to (``group``: 区县（市）, 园区, 市直单位 …) with what its self-check solved besides the
    templates: livelihood matters (民生实事) and regulations made (建章立制)."""

    __tablename__ = "inspection_problem_list_units"
    __scope_unit__: ClassVar[str] = "unit_id"

    list_id: Mapped[int] = mapped_column(
        ForeignKey("inspection_problem_lists.id", ondelete="CASCADE"), primary_key=True
    )
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="RESTRICT"), primary_key=True, index=True)
    group: Mapped[str] = mapped_column(String(32), default="")
    livelihood: Mapped[int] = mapped_column(default=0)
    regulations: Mapped[int] = mapped_column(default=0)
    reported_at: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(default=1)

    __table_args__ = (CheckConstraint("livelihood >= 0 AND regulations >= 0", name="ck_inspection_plu_counts"),)
    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class SelfCheck(Base):
    """A unit's self-check against one template: problems found and rectified (rectified ≤ found)."""

    __tablename__ = "inspection_self_checks"

    list_id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(primary_key=True)
    template_id: Mapped[int] = mapped_column(
        ForeignKey("inspection_problem_templates.id", ondelete="CASCADE"), primary_key=True
    )
    found: Mapped[int] = mapped_column(default=0)
    rectified: Mapped[int] = mapped_column(default=0)
    note: Mapped[str] = mapped_column(Text, default="")

    __table_args__ = (
        ForeignKeyConstraint(
            ["list_id", "unit_id"],
            ["inspection_problem_list_units.list_id", "inspection_problem_list_units.unit_id"],
            ondelete="CASCADE",
            name="fk_inspection_self_checks_list_unit",
        ),
        CheckConstraint("found >= 0 AND rectified >= 0 AND rectified <= found", name="ck_inspection_self_checks"),
    )


# ------------------------------------------------------------------------------------- accountability, money


class Accountability(Base):
    """An accountability outcome (问责) for a person or a unit, from a round (and a finding, if one), with money
    returned (退缴) and recovered (追回) in 元 — either may be recorded without an outcome (``outcome`` None)."""

    __tablename__ = "inspection_accountability"
    __scope_unit__: ClassVar[str] = "unit_id"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int | None] = mapped_column(ForeignKey("inspection_rounds.id", ondelete="RESTRICT"), index=True)
    finding_id: Mapped[int | None] = mapped_column(ForeignKey("inspection_finding_matters.id", ondelete="RESTRICT"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="RESTRICT"), index=True)
    subject_kind: Mapped[SubjectKind] = mapped_column(_enum(SubjectKind, "inspection_subject_kind"))
    subject_name: Mapped[str] = mapped_column(String(100))
    outcome: Mapped[Outcome | None] = mapped_column(_enum(Outcome, "inspection_outcome"))
    decided_on: Mapped[date]
    returned: Mapped[Decimal] = mapped_column(_money(), default=Decimal("0.00"))
    recovered: Mapped[Decimal] = mapped_column(_money(), default=Decimal("0.00"))
    note: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(default=1)

    __table_args__ = (CheckConstraint("returned >= 0 AND recovered >= 0", name="ck_inspection_accountability_money"),)
    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012
