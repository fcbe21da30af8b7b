"""ORM mapping of patent valuation: indicator profiles kept as versions, the industries' royalty ranges, comparable
deals for the market approach, and assessments (评估项目) with every expert score kept with who gave it and why.

Inputs of the approaches are kept as the contract's JSON (text columns), so an assessment can be recomputed by the
pure core at any time; the figures shown and reported always come from these inputs, never from a stored result.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import ClassVar

from sqlalchemy import CheckConstraint, Float, ForeignKey, Index, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from zhengwu.core.db import Base


class ValuationProfile(Base):
    """One version of an indicator profile (评价指标方案). A change saves a new version; versions are never edited,
    so an assessment names exactly the weights and ladders it was scored on. ``body`` is the profile's dict form
    (:func:`zhengwu.valuation.model.indicators.profile_to_dict`) as JSON; the current version of a code is the
    highest one not retired."""

    __tablename__ = "valuation_profiles"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64))
    version: Mapped[int]
    use: Mapped[str] = mapped_column(String(32))  # zhengwu.valuation.model.indicators.Use
    name: Mapped[str] = mapped_column(String(128))
    body: Mapped[str] = mapped_column(Text)
    note: Mapped[str] = mapped_column(String(500), default="")  # what changed and why
    retired: Mapped[bool] = mapped_column(default=False)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime]

    __table_args__ = (
        UniqueConstraint("code", "version", name="uq_valuation_profiles_code_version"),
        CheckConstraint("version >= 1", name="ck_valuation_profiles_version"),
    )


class ValuationIndustry(Base):
    """A row of the industries' sales-royalty ranges (行业销售收入分成率区间) used by the ``score`` method;
    ``low`` and ``high`` are fractions (0.015 is 1.5 %), ``source`` where the figures come from."""

    __tablename__ = "valuation_industries"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(128))
    low: Mapped[float] = mapped_column(Float)
    high: Mapped[float] = mapped_column(Float)
    source: Mapped[str] = mapped_column(String(256), default="")
    sort_order: Mapped[int] = mapped_column(default=0)
    version: Mapped[int] = mapped_column(default=1)

    __table_args__ = (CheckConstraint("low >= 0 AND low <= high AND high <= 1", name="ck_valuation_industries_range"),)
    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class ComparableDeal(Base):
    """A patent deal (transfer or licence) usable as a comparable in the market approach; ``price`` in 元,
    ``pvd`` the value degree (0–100) of the deal's patent when it was scored, so that a comparable can be adjusted by
    the ratio of value degrees. The patent library of a later issue will feed this table."""

    __tablename__ = "valuation_deals"
    __scope_unit__: ClassVar[str] = "unit_id"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="RESTRICT"), index=True)  # who recorded it
    patent_number: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(256))
    patent_type: Mapped[str] = mapped_column(String(16))  # invention | utility | design
    industry_code: Mapped[str | None] = mapped_column(String(64))
    ipc: Mapped[str] = mapped_column(String(32), default="")
    deal_type: Mapped[str] = mapped_column(String(16))  # transfer | licence
    deal_date: Mapped[date]
    price: Mapped[Decimal] = mapped_column(Numeric(16, 2, asdecimal=True))
    pvd: Mapped[float | None] = mapped_column(Float)
    source: Mapped[str] = mapped_column(String(256), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime]
    version: Mapped[int] = mapped_column(default=1)

    __table_args__ = (
        CheckConstraint("price >= 0", name="ck_valuation_deals_price"),
        CheckConstraint("pvd IS NULL OR (pvd >= 0 AND pvd <= 100)", name="ck_valuation_deals_pvd"),
        Index("ix_valuation_deals_industry_date", "industry_code", "deal_date"),
    )
    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class Assessment(Base):
    """An assessment (评估项目) of one patent for one purpose: its facts, the profile version it is scored on, the
    inputs of the income, market and cost approaches (the contract's JSON, ``None`` until entered), the approach
    chosen for the conclusion, and its status (``draft`` while being worked on, ``final`` once the report is
    issued: a final assessment no longer changes). ``money_unit`` says in which unit its amounts are entered
    (元 or 万元)."""

    __tablename__ = "valuation_assessments"
    __scope_unit__: ClassVar[str] = "unit_id"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="RESTRICT"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    patent_number: Mapped[str] = mapped_column(String(32))
    patent_title: Mapped[str] = mapped_column(String(256))
    holder: Mapped[str] = mapped_column(String(200), default="")
    client: Mapped[str] = mapped_column(String(200), default="")  # 委托方
    industry_code: Mapped[str | None] = mapped_column(String(64))
    profile_id: Mapped[int] = mapped_column(ForeignKey("valuation_profiles.id", ondelete="RESTRICT"), index=True)
    facts: Mapped[str] = mapped_column(Text)  # share_rate.indicators.facts of the contract, as JSON
    money_unit: Mapped[str] = mapped_column(String(8), default="万元")
    income_input: Mapped[str | None] = mapped_column(Text)
    market_input: Mapped[str | None] = mapped_column(Text)
    cost_input: Mapped[str | None] = mapped_column(Text)
    chosen: Mapped[str | None] = mapped_column(String(16))  # income | market | cost
    status: Mapped[str] = mapped_column(String(16), default="draft")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    version: Mapped[int] = mapped_column(default=1)

    __table_args__ = (
        CheckConstraint("status IN ('draft', 'final')", name="ck_valuation_assessments_status"),
        CheckConstraint("chosen IS NULL OR chosen IN ('income', 'market', 'cost')", name="ck_valuation_chosen"),
    )
    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class AssessmentScore(Base):
    """An expert's score of one sub-indicator in an assessment, with who gave it and why. Scores are never edited:
    a new score of the same sub-indicator is a new row and the latest row counts, so the history stays."""

    __tablename__ = "valuation_scores"

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("valuation_assessments.id", ondelete="CASCADE"))
    sub_code: Mapped[str] = mapped_column(String(64))
    value: Mapped[int]
    scorer: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(Text)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    scored_at: Mapped[datetime]

    __table_args__ = (
        Index("ix_valuation_scores_assessment_code", "assessment_id", "sub_code", "id"),
        CheckConstraint("value >= 0 AND value <= 10", name="ck_valuation_scores_value"),
    )
