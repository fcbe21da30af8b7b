"""The income approach run on the contract's JSON (issue #6): ``POST /api/valuation/income``, ``zhengwu valuation
income --input FILE.json`` and the calculator page all call :func:`run_income` (or :func:`compute_income` with the
shipped defaults, no database). The result is the contract's output; when ``share_rate.indicators`` was scored
through a profile, an ``evaluation`` key carries the scores, value degrees and gates beside it."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy.orm import Session

from zhengwu.core.org.model import Principal
from zhengwu.core.org.service import require
from zhengwu.valuation.model import ASSESS
from zhengwu.valuation.model.income import as_json, parse_income_request, value_income
from zhengwu.valuation.model.indicators import Profile
from zhengwu.valuation.model.industries import IndustryRange
from zhengwu.valuation.model.scoring import IndicatorScorer, evaluation_as_json, score_indicators_with
from zhengwu.valuation.service.reference import as_profile, current_profile_row, industry_table

#: The profile ``share_rate.indicators`` is scored on when the caller names none.
DEFAULT_PROFILE_CODE = "cnipa2012-finance"


def compute_income(
    data: Any, profile: Profile | Callable[[], Profile], industries: Mapping[str, IndustryRange]
) -> dict[str, Any]:
    """The contract's output for ``data`` (every field checked: ``Invalid`` names the bad one), with ``evaluation``
    added when the share rate was scored on the indicator system. ``profile`` may be a function giving it, called
    only when ``share_rate.indicators`` is there (so that a missing profile never hides a bad field).

    >>> from zhengwu.valuation.model.default_profile import default_profile
    >>> from zhengwu.valuation.model.industries import UNIDO_RANGES
    >>> out = compute_income({"income": {"basis": "revenue", "amounts": [2000, 2200, 2400, 2500, 2500]},
    ...     "share_rate": {"method": "score", "industry": "machinery", "score": 70}, "tax_rate": 0.25,
    ...     "discount_rate": 0.095}, default_profile(), UNIDO_RANGES)
    >>> round(out["value"], 4), sorted(out)
    (168.6114, ['discount_rate', 'rows', 'share_rate', 'value', 'years'])
    """
    scorers: list[IndicatorScorer] = []

    def score(indicators: Any) -> float:
        scorer = score_indicators_with(profile if isinstance(profile, Profile) else profile())
        scorers.append(scorer)
        return scorer(indicators)

    result = as_json(value_income(parse_income_request(data, score, industries)))
    if scorers and scorers[0].evaluation is not None:
        result["evaluation"] = evaluation_as_json(scorers[0].evaluation)
    return result


def run_income(
    session: Session, principal: Principal | None, data: Any, profile_code: str | None = None
) -> dict[str, Any]:
    """:func:`compute_income` with the database's current profile ``profile_code`` (default
    :data:`DEFAULT_PROFILE_CODE`) and industry ranges; needs ``valuation.assess``. Writes nothing."""
    require(principal, ASSESS)
    code = (profile_code or DEFAULT_PROFILE_CODE).strip()
    return compute_income(data, lambda: as_profile(current_profile_row(session, code)), industry_table(session))
