"""The automatic rules and gates of :mod:`zhengwu.valuation.model.indicators.facts`, vectorised over many patents
(pure, NumPy), for the portfolio run of :mod:`zhengwu.valuation.model.portfolio`.

Each rule gives, for every patent, the level the scalar rule gives, or :data:`UNSCORED` (−1) where the scalar rule
returns ``None`` (the facts do not settle the score). The thresholds are those of ``facts.py`` (editable example
values, docs/valuation.md):

- ``remaining_term``: term end = the filing date's anniversary after 20 (invention), 10 (utility model) or 15 years
  (design; 10 if filed before 2021-06-01), 29 February → 1 March; years = max(0, days to the end ÷ 365.25);
  0 when no term is left, else ≥15 → 10, ≥10 → 8, ≥6 → 6, ≥3 → 4, otherwise 2;
- ``claim_count``: ≥15 → 10, ≥10 → 8, ≥7 → 6, ≥4 → 4, ≥1 → 2; ``multi_country``: ≥5 → 10, ≥3 → 8, ≥2 → 6,
  1 → 4; ``forward_citations``: ≥11 → 10, ≥6 → 8, ≥3 → 6, ≥1 → 4, 0 → 2 (unknown counts are −1);
- ``licensing``: ≥2 licences → 10, 1 → 8, none but pledged → 4, none → 2 (licences unknown: unscored);
- ``stability``: invalidation upheld → 10, amended → 8, no history → unscored.

Gates: ``ownership_dispute`` where the dispute flag is set; ``dead_status`` where the legal status is one of
``DEAD_STATUSES``. Dates are ``datetime64[D]`` arrays; enums are indexes into :data:`PATENT_TYPES`,
:data:`LEGAL_STATUSES` and :data:`HISTORIES`.

>>> import numpy as np
>>> filed = np.array(["2015-03-01", "2020-02-29"], dtype="datetime64[D]")
>>> as_of = np.array(["2024-06-30", "2024-01-01"], dtype="datetime64[D]")
>>> kinds = np.array([PATENT_TYPES.index(PatentType.INVENTION), PATENT_TYPES.index(PatentType.DESIGN)])
>>> term_end_days(kinds, filed)
array(['2035-03-01', '2030-03-01'], dtype='datetime64[D]')
>>> remaining_term_levels(remaining_years_of(kinds, filed, as_of)).tolist()  # 10.67 and 6.16 years
[8, 6]
>>> count_levels(np.array([-1, 3, 12, 20]), CLAIM_BANDS).tolist()  # unknown, 1–3, 10–14, ≥15 claims
[-1, 2, 8, 10]
>>> licensing_levels(np.array([-1, 0, 0, 1, 3]), np.array([0, 0, 1, 0, 0])).tolist()
[-1, 2, 4, 8, 10]
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from zhengwu.valuation.model.indicators.facts import (
    DAYS_PER_YEAR,
    DEAD_STATUSES,
    DESIGN_15_YEARS_FROM,
    TERM_YEARS,
    InvalidationHistory,
    LegalStatus,
    PatentType,
)

UNSCORED = -1
PATENT_TYPES: tuple[PatentType, ...] = tuple(PatentType)
LEGAL_STATUSES: tuple[LegalStatus, ...] = tuple(LegalStatus)
HISTORIES: tuple[InvalidationHistory, ...] = tuple(InvalidationHistory)

Ints = NDArray[np.int64]
Days = NDArray[np.datetime64]
Floats = NDArray[np.float64]
Levels = NDArray[np.int8]

_TERMS = np.array([TERM_YEARS[t] for t in PATENT_TYPES], dtype=np.int64)
_DESIGN = PATENT_TYPES.index(PatentType.DESIGN)
_DESIGN_FROM = np.datetime64(DESIGN_15_YEARS_FROM.isoformat(), "D")
_DEAD = np.array([s in DEAD_STATUSES for s in LEGAL_STATUSES])
_UPHELD, _AMENDED = HISTORIES.index(InvalidationHistory.UPHELD), HISTORIES.index(InvalidationHistory.AMENDED)


@dataclass(frozen=True)
class PortfolioFacts:
    """The facts of N patents (:class:`~zhengwu.valuation.model.indicators.PatentFacts`), one array each, patent k
    at index k: enums as indexes into :data:`PATENT_TYPES`, :data:`LEGAL_STATUSES` and :data:`HISTORIES`; dates as
    ``datetime64[D]``; counts as integers with −1 for "not known" (``pledges`` is always known, default 0)."""

    patent_type: NDArray[np.integer]
    filing_date: Days
    as_of: Days
    legal_status: NDArray[np.integer]
    claim_count: Ints
    family_countries: Ints
    forward_citations: Ints
    ownership_dispute: NDArray[np.bool_]
    licences: Ints
    pledges: Ints
    invalidation_history: NDArray[np.integer]

    def __len__(self) -> int:
        return len(self.patent_type)


def term_end_days(patent_type: NDArray[np.integer], filing_date: Days) -> Days:
    """The (exclusive) end of each term: the month's first day of (year + term, month) plus (day − 1) days, which
    turns 29 February of a common year into 1 March as :func:`~zhengwu.valuation.model.indicators.term_end` does."""
    years = _TERMS[patent_type]
    years = np.where((patent_type == _DESIGN) & (filing_date < _DESIGN_FROM), 10, years)
    month = filing_date.astype("datetime64[M]")
    day = (filing_date - month).astype(np.int64)
    end = (month + (12 * years).astype("timedelta64[M]")).astype("datetime64[D]") + day.astype("timedelta64[D]")
    return np.asarray(end, dtype="datetime64[D]")


def remaining_years_of(patent_type: NDArray[np.integer], filing_date: Days, as_of: Days) -> Floats:
    """Years of term left on each as-of date: max(0, days ÷ 365.25)."""
    days = (term_end_days(patent_type, filing_date) - as_of).astype(np.int64)
    return np.maximum(0.0, days / DAYS_PER_YEAR)


def _bands(values: NDArray[np.number], bands: tuple[tuple[float, int], ...], below: int) -> Levels:
    """The level of the first band (from the highest) whose lower bound a value reaches; ``below`` otherwise."""
    conditions = [values >= bound for bound, _ in bands]
    return np.select(conditions, [level for _, level in bands], below).astype(np.int8)


def remaining_term_levels(years: Floats) -> Levels:
    levels = _bands(years, ((15, 10), (10, 8), (6, 6), (3, 4)), 2)
    return np.where(years <= 0, 0, levels).astype(np.int8)


def count_levels(values: Ints, bands: tuple[tuple[float, int], ...]) -> Levels:
    """A count's level by ``bands``; an unknown count (−1) is :data:`UNSCORED`."""
    return _bands(values, bands, UNSCORED)


CLAIM_BANDS = ((15, 10), (10, 8), (7, 6), (4, 4), (1, 2))
COUNTRY_BANDS = ((5, 10), (3, 8), (2, 6), (1, 4))
CITATION_BANDS = ((11, 10), (6, 8), (3, 6), (1, 4), (0, 2))


def licensing_levels(licences: Ints, pledges: Ints) -> Levels:
    conditions = [licences >= 2, licences == 1, (licences == 0) & (pledges > 0), licences == 0]
    return np.select(conditions, [10, 8, 4, 2], UNSCORED).astype(np.int8)


def stability_levels(history: NDArray[np.integer]) -> Levels:
    return np.select([history == _UPHELD, history == _AMENDED], [10, 8], UNSCORED).astype(np.int8)


def automatic_levels(rule: str, facts: PortfolioFacts, remaining: Floats) -> Levels:
    """The levels the automatic rule ``rule`` gives every patent (``remaining``: their remaining years)."""
    if rule == "remaining_term":
        return remaining_term_levels(remaining)
    if rule == "claim_count":
        return count_levels(facts.claim_count, CLAIM_BANDS)
    if rule == "multi_country":
        return count_levels(facts.family_countries, COUNTRY_BANDS)
    if rule == "forward_citations":
        return count_levels(facts.forward_citations, CITATION_BANDS)
    if rule == "licensing":
        return licensing_levels(facts.licences, facts.pledges)
    if rule == "stability":
        return stability_levels(facts.invalidation_history)
    raise KeyError(rule)  # pragma: no cover - a profile only names known rules


def gate_mask(gate: str, facts: PortfolioFacts) -> NDArray[np.bool_]:
    """Where the gate ``gate`` applies (``ownership_dispute`` or ``dead_status``)."""
    if gate == "ownership_dispute":
        return np.asarray(facts.ownership_dispute, dtype=bool)
    if gate == "dead_status":
        return np.asarray(_DEAD[facts.legal_status])
    raise KeyError(gate)  # pragma: no cover - a profile only names known gates
