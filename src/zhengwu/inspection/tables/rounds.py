"""ORM mapping of inspection plans, rounds and their dated stages, teams, and the talent pool of cadres with their
conflicts of interest and secondments."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import ClassVar

from sqlalchemy import (
    CheckConstraint,
    Enum,
    ForeignKey,
    Index,
    Numeric,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from zhengwu.core.db import Base
from zhengwu.inspection.model import Evaluation, RoundType, Specialty, Stage, TeamRole


def _enum(enum: type[StrEnum], name: str) -> Enum:
    return Enum(enum, name=name, native_enum=False, length=32, values_callable=lambda e: [m.value for m in e])


def _money() -> Numeric[Decimal]:
    return Numeric(14, 2, asdecimal=True)


# ------------------------------------------------------------------------------------------ plans and rounds


class InspectionPlan(Base):
    """A multi-year plan (e.g. 十二届市委巡察规划 2022–2026): the targets its rounds must cover."""

    __tablename__ = "inspection_plans"
    __scope_unit__: ClassVar[str] = "committee_unit_id"

    id: Mapped[int] = mapped_column(primary_key=True)
    committee_unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="RESTRICT"), index=True)
    name: Mapped[str] = mapped_column(String(128))
    first_year: Mapped[int]
    last_year: Mapped[int]
    version: Mapped[int] = mapped_column(default=1)

    __table_args__ = (CheckConstraint("last_year >= first_year", name="ck_inspection_plans_years"),)
    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class InspectionPlanTarget(Base):
    """A target organisation the plan must cover; ``planned_round`` the round number it is planned for, if any."""

    __tablename__ = "inspection_plan_targets"

    plan_id: Mapped[int] = mapped_column(ForeignKey("inspection_plans.id", ondelete="CASCADE"), primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="RESTRICT"), primary_key=True, index=True)
    planned_round: Mapped[int | None]


class InspectionRound(Base):
    """A round (第N轮): number within the committee's term, type, period and the approving committee's unit.
    ``approval`` is the approving document or meeting (e.g. 市委常委会会议 2024年第5次)."""

    __tablename__ = "inspection_rounds"
    __scope_unit__: ClassVar[str] = "committee_unit_id"

    id: Mapped[int] = mapped_column(primary_key=True)
    committee_unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="RESTRICT"), index=True)
    plan_id: Mapped[int | None] = mapped_column(ForeignKey("inspection_plans.id", ondelete="RESTRICT"), index=True)
    number: Mapped[int]
    year: Mapped[int]
    type: Mapped[RoundType] = mapped_column(_enum(RoundType, "inspection_round_type"))
    name: Mapped[str] = mapped_column(String(128))
    approval: Mapped[str] = mapped_column(String(200), default="")
    starts_on: Mapped[date]
    ends_on: Mapped[date | None]
    version: Mapped[int] = mapped_column(default=1)

    __table_args__ = (
        UniqueConstraint("committee_unit_id", "year", "number", name="uq_inspection_rounds_number"),
        Index("ix_inspection_rounds_year", "year"),
    )
    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class InspectionRoundStage(Base):
    """One dated stage of a round (``model.check_timeline`` keeps them in order); ``ends_on`` None: going on."""

    __tablename__ = "inspection_round_stages"

    round_id: Mapped[int] = mapped_column(ForeignKey("inspection_rounds.id", ondelete="CASCADE"), primary_key=True)
    stage: Mapped[Stage] = mapped_column(_enum(Stage, "inspection_stage"), primary_key=True)
    starts_on: Mapped[date]
    ends_on: Mapped[date | None]


class InspectionTeam(Base):
    """A team (第一巡察组) of a round; ``petitions`` the letters and calls it handled during entry (信访件)."""

    __tablename__ = "inspection_teams"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("inspection_rounds.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(64))
    petitions: Mapped[int] = mapped_column(default=0)
    version: Mapped[int] = mapped_column(default=1)

    __table_args__ = (
        UniqueConstraint("round_id", "name", name="uq_inspection_teams_name"),
        CheckConstraint("petitions >= 0", name="ck_inspection_teams_petitions"),
    )
    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class InspectionRoundTarget(Base):
    """An organisation a round inspects, and the team that inspects it."""

    __tablename__ = "inspection_round_targets"

    round_id: Mapped[int] = mapped_column(ForeignKey("inspection_rounds.id", ondelete="CASCADE"), primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="RESTRICT"), primary_key=True, index=True)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("inspection_teams.id", ondelete="SET NULL"), index=True)


# ------------------------------------------------------------------------------------------ cadres and teams


class InspectionCadre(Base):
    """A cadre of the talent pool (巡察人才库), recorded on the unit they work in."""

    __tablename__ = "inspection_cadres"
    __scope_unit__: ClassVar[str] = "unit_id"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(50))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="RESTRICT"), index=True)
    post: Mapped[str] = mapped_column(String(64), default="")
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    active: Mapped[bool] = mapped_column(default=True)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class InspectionCadreSpecialty(Base):
    __tablename__ = "inspection_cadre_specialties"

    cadre_id: Mapped[int] = mapped_column(ForeignKey("inspection_cadres.id", ondelete="CASCADE"), primary_key=True)
    specialty: Mapped[Specialty] = mapped_column(_enum(Specialty, "inspection_specialty"), primary_key=True)


class InspectionConflict(Base):
    """A conflict of interest a cadre declared with one unit (回避申报)."""

    __tablename__ = "inspection_conflicts"

    cadre_id: Mapped[int] = mapped_column(ForeignKey("inspection_cadres.id", ondelete="CASCADE"), primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="RESTRICT"), primary_key=True)
    reason: Mapped[str] = mapped_column(String(200))
    declared_on: Mapped[date]


class InspectionSecondment(Base):
    """A cadre seconded (抽调) to a team with a role; evaluated, perhaps commended (通报表扬), and perhaps promoted
    afterwards (``promoted_on``: counted when within a year of the round's end)."""

    __tablename__ = "inspection_secondments"

    id: Mapped[int] = mapped_column(primary_key=True)
    cadre_id: Mapped[int] = mapped_column(ForeignKey("inspection_cadres.id", ondelete="RESTRICT"), index=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("inspection_teams.id", ondelete="CASCADE"), index=True)
    role: Mapped[TeamRole] = mapped_column(_enum(TeamRole, "inspection_team_role"))
    evaluation: Mapped[Evaluation | None] = mapped_column(_enum(Evaluation, "inspection_evaluation"))
    commended: Mapped[bool] = mapped_column(default=False)
    promoted_on: Mapped[date | None]
    version: Mapped[int] = mapped_column(default=1)

    __table_args__ = (UniqueConstraint("cadre_id", "team_id", name="uq_inspection_secondments_cadre_team"),)
    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012
