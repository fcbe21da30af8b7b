"""Imported holiday arrangements: day overrides and the years they make known."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from zhengwu.core.db import Base


class CalendarDay(Base):
    """One day whose status an administrator set: ``holiday`` (off) or ``workday`` (a swapped working day)."""

    __tablename__ = "calendar_days"

    day: Mapped[date] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(64), default="")


class CalendarYear(Base):
    """A year whose arrangement was imported, so weekends-plus-overrides is the complete truth for it."""

    __tablename__ = "calendar_years"

    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    imported_at: Mapped[datetime]
    source: Mapped[str] = mapped_column(String(128), default="")
