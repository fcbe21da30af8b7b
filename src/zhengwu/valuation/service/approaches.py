"""The market and cost approaches and the income approach's sensitivity run on their JSON requests (issue #6):
``POST /api/valuation/market|cost|sensitivity``, ``zhengwu valuation market|cost|sensitivity --input FILE.json`` and
the assessment pages all call these. They compute and write nothing; the ``run_*`` functions need
``valuation.assess``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session

from zhengwu.core.org.model import Principal
from zhengwu.core.org.service import require
from zhengwu.valuation.model import ASSESS
from zhengwu.valuation.model.cost import cost_as_json, parse_cost_request, value_cost
from zhengwu.valuation.model.income import parse_income_request
from zhengwu.valuation.model.indicators import Profile
from zhengwu.valuation.model.industries import IndustryRange
from zhengwu.valuation.model.market import market_as_json, parse_market_request, value_market
from zhengwu.valuation.model.scoring import score_indicators_with
from zhengwu.valuation.model.sensitivity import sensitivity, sensitivity_as_json
from zhengwu.valuation.service.income import DEFAULT_PROFILE_CODE
from zhengwu.valuation.service.reference import as_profile, current_profile_row, industry_table


def compute_market(data: Any) -> dict[str, Any]:
    """The market approach's JSON result for ``data`` (``Invalid`` names a bad field)."""
    return market_as_json(value_market(parse_market_request(data)))


def compute_cost(data: Any) -> dict[str, Any]:
    """The cost approach's JSON result for ``data`` (``Invalid`` names a bad field)."""
    return cost_as_json(value_cost(parse_cost_request(data)))


def compute_sensitivity(data: Any, profile: Profile, industries: Mapping[str, IndustryRange]) -> dict[str, Any]:
    """The sensitivity JSON of the income request ``data`` (``share_rate.indicators`` scored on ``profile``).

    >>> from zhengwu.valuation.model.default_profile import default_profile
    >>> from zhengwu.valuation.model.industries import UNIDO_RANGES
    >>> out = compute_sensitivity({"income": {"basis": "revenue", "amounts": [2000, 2200, 2400, 2500, 2500]},
    ...     "share_rate": {"method": "score", "industry": "machinery", "score": 70}, "tax_rate": 0.25,
    ...     "discount_rate": 0.095}, default_profile(), UNIDO_RANGES)
    >>> round(out["base_value"], 4), [bar["code"] for bar in out["tornado"]["bars"]][:1]
    (168.6114, ['n'])
    """
    req = parse_income_request(data, score_indicators_with(profile), industries)
    return sensitivity_as_json(sensitivity(req))


def run_market(principal: Principal | None, data: Any) -> dict[str, Any]:
    """:func:`compute_market` for a caller holding ``valuation.assess``."""
    require(principal, ASSESS)
    return compute_market(data)


def run_cost(principal: Principal | None, data: Any) -> dict[str, Any]:
    """:func:`compute_cost` for a caller holding ``valuation.assess``."""
    require(principal, ASSESS)
    return compute_cost(data)


def run_sensitivity(
    session: Session, principal: Principal | None, data: Any, profile_code: str | None = None
) -> dict[str, Any]:
    """:func:`compute_sensitivity` with the database's current profile ``profile_code`` (default
    :data:`~zhengwu.valuation.service.income.DEFAULT_PROFILE_CODE`) and industry ranges; needs ``valuation.assess``."""
    require(principal, ASSESS)
    profile = as_profile(current_profile_row(session, (profile_code or DEFAULT_PROFILE_CODE).strip()))
    return compute_sensitivity(data, profile, industry_table(session))
