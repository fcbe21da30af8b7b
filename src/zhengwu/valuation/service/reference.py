"""Reading the reference data the approaches need: profile versions (as the pure core's ``Profile``) and the
industries' royalty ranges. Callers check the principal's grant (``valuation.view``) before calling; the management
of this data (new versions, edits, imports) is in :mod:`zhengwu.valuation.service.profiles` and
:mod:`zhengwu.valuation.service.industries`."""

from __future__ import annotations

import json

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from zhengwu.core.errors import NotFound
from zhengwu.valuation.model.indicators import Profile, profile_from_dict
from zhengwu.valuation.model.industries import IndustryRange
from zhengwu.valuation.tables import ValuationIndustry, ValuationProfile


def current_profiles(session: Session) -> list[ValuationProfile]:
    """The current version of each profile code (its highest version), retired codes left out, by code."""
    latest = (
        select(ValuationProfile.code, func.max(ValuationProfile.version).label("version"))
        .group_by(ValuationProfile.code)
        .subquery()
    )
    stmt = (
        select(ValuationProfile)
        .join(latest, (ValuationProfile.code == latest.c.code) & (ValuationProfile.version == latest.c.version))
        .where(ValuationProfile.retired.is_(False))
        .order_by(ValuationProfile.code)
    )
    return list(session.scalars(stmt))


def profile_row(session: Session, profile_id: int) -> ValuationProfile:
    row = session.get(ValuationProfile, profile_id)
    if row is None:
        raise NotFound("评价方案不存在。")
    return row


def current_profile_row(session: Session, code: str) -> ValuationProfile:
    """The highest version of ``code`` (NotFound when there is none or it is retired)."""
    row = session.scalar(
        select(ValuationProfile).where(ValuationProfile.code == code).order_by(ValuationProfile.version.desc()).limit(1)
    )
    if row is None or row.retired:
        raise NotFound(f"评价方案“{code}”不存在或已停用。")
    return row


def as_profile(row: ValuationProfile) -> Profile:
    """The stored version as the pure core's profile (its body was checked when it was saved)."""
    return profile_from_dict(json.loads(row.body))


def industry_table(session: Session) -> dict[str, IndustryRange]:
    """The industries' ranges by code, in display order."""
    rows = session.scalars(select(ValuationIndustry).order_by(ValuationIndustry.sort_order, ValuationIndustry.code))
    return {r.code: IndustryRange(r.code, r.name, r.low, r.high) for r in rows}
