"""Portfolio valuation (批量估值), pure and vectorised: many patents scored on one profile and valued by the income
approach in one NumPy run over arrays — no Python loop per patent. Patent k is index k of every array.

For each patent (the scalar core's formulas, :mod:`~zhengwu.valuation.model.indicators.evaluation` and
:mod:`~zhengwu.valuation.model.income`):

- sub-indicator levels: the expert's score where given, else the automatic rule's level from the facts
  (:mod:`~zhengwu.valuation.model.portfolio_rules`), else — only when the caller passes a fill level ``f`` — the
  highest ladder level not above ``f`` (the lowest level when none is), counted in :attr:`PortfolioResult.filled`;
  without ``f`` an unscored sub-indicator is refused, naming the patent and the sub-indicator;
- LVD, TVD, EVD = Σ over the dimension's sub-indicators of 10 · w_indicator · w_sub · level (0–100), and
  PVD = (α·LVD + β·TVD + γ·EVD) · Π gate factors (ownership dispute, dead status), each clamped to [0, 100];
- K = low + (high − low) · PVD / 100, (low, high) the patent's royalty range (UNIDO's by industry, or given);
- value = Σ_{t ≤ n} K · (1 − d)^(t−1) · R_t · (1 − tax) · DF_t, DF_t = (1 + i)^−t at the end of year t or
  (1 + i)^−(t − ½) at mid-year; (1 − d)^(t−1) · DF_t is built year by year as DF_1 · q^(t−1), q = (1 − d)/(1 + i)
  (a loop over the years, vectorised over the patents).

Money is in the unit of the amounts (floats, unrounded). Every input is checked first, vectorised: a bad entry is
a :class:`Problem` (patent index, field, Chinese reason) and :class:`PortfolioRejected` lists the first ones; no NaN
or infinity comes out. The issue's worked example as a portfolio of one (LVD 80, TVD 70, EVD 60 → PVD 70; machinery
1.5–3 %; revenue 2000…2500万; tax 25 %; i = 9.5 %): 168.6114万元.

>>> from zhengwu.valuation.model.default_profile import default_profile
>>> flat = flatten(default_profile())
>>> levels = {c: (8 if d == "legal" else 6) for c, d in zip(flat.codes, flat.dimension_codes)}
>>> levels.update(advancement=10, forward_citations=10)
>>> scores = np.array([[levels[c] for c in flat.codes]], dtype=np.int8)
>>> facts = no_facts(1)
>>> income = PortfolioIncome.of([[2000, 2200, 2400, 2500, 2500]], [5], 0.25, 0.095, low=0.015, high=0.03)
>>> r = value_portfolio(flat, facts, scores, income)
>>> [round(float(x[0]), 9) for x in (r.lvd, r.tvd, r.evd, r.pvd)], round(float(r.value[0]), 4)
([80.0, 70.0, 60.0, 70.0], 168.6114)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from zhengwu.core.errors import Invalid
from zhengwu.valuation.model.indicators import LegalStatus, Profile
from zhengwu.valuation.model.indicators.profile import MAX_LEVEL
from zhengwu.valuation.model.portfolio_checks import Problem, check_inputs, missing_problems
from zhengwu.valuation.model.portfolio_rules import (
    HISTORIES,
    LEGAL_STATUSES,
    PATENT_TYPES,
    UNSCORED,
    Floats,
    Ints,
    PortfolioFacts,
    automatic_levels,
    gate_mask,
    remaining_years_of,
)

DIMENSIONS = ("legal", "technical", "economic")
#: Problems reported at most (the rest are counted).
PROBLEM_LIMIT = 50
#: PVD tiers for the summary (example thresholds, like the default profile's): lower bound, code, label.
TIERS: tuple[tuple[float, str, str], ...] = (
    (80.0, "A", "高价值（PVD ≥ 80）"),
    (60.0, "B", "较高价值（60 ≤ PVD < 80）"),
    (40.0, "C", "一般价值（40 ≤ PVD < 60）"),
    (0.0, "D", "较低价值（PVD < 40）"),
)


@dataclass(frozen=True)
class FlatProfile:
    """A profile flattened once into vectors over its S sub-indicators, in profile order: ``weights`` (S × 3) holds
    10 · w_indicator · w_sub in the column of the sub-indicator's dimension (legal, technical, economic), ``alpha``
    the dimension weights (α, β, γ), ``ladders`` (S × 11) whether level v is on sub-indicator s's ladder."""

    code: str
    version: int
    codes: tuple[str, ...]
    names: tuple[str, ...]
    dimension_codes: tuple[str, ...]
    rules: tuple[str | None, ...]
    weights: Floats
    alpha: Floats
    ladders: NDArray[np.bool_]
    gates: tuple[tuple[str, float], ...]

    def fill_levels(self, fill: int) -> NDArray[np.int8]:
        """Per sub-indicator, the highest ladder level not above ``fill`` (the lowest level when none is).

        >>> from zhengwu.valuation.model.default_profile import default_profile
        >>> flat = flatten(default_profile())
        >>> dict(zip(flat.codes, flat.fill_levels(5).tolist()))["multi_country"]  # ladder 4/6/8/10
        4
        >>> dict(zip(flat.codes, flat.fill_levels(3).tolist()))["multi_country"], flat.fill_levels(3)[0]
        (4, np.int8(2))
        """
        out = []
        for on in self.ladders:
            levels = np.flatnonzero(on)
            below = levels[levels <= fill]
            out.append(below[-1] if below.size else levels[0])
        return np.array(out, dtype=np.int8)


def flatten(profile: Profile) -> FlatProfile:
    """The profile's weights, ladders, rules and gates as vectors (see :class:`FlatProfile`)."""
    subs = list(profile.walk())
    weights = np.zeros((len(subs), 3))
    ladders = np.zeros((len(subs), MAX_LEVEL + 1), dtype=bool)
    for k, (d, i, s) in enumerate(subs):
        weights[k, DIMENSIONS.index(d.code)] = 10.0 * i.weight * s.weight
        ladders[k, list(s.levels)] = True
    alpha = np.array([profile.dimension(c).weight for c in DIMENSIONS], dtype=np.float64)
    return FlatProfile(
        profile.code,
        profile.version,
        tuple(s.code for _, _, s in subs),
        tuple(s.name for _, _, s in subs),
        tuple(d.code for d, _, _ in subs),
        tuple(s.rule for _, _, s in subs),
        weights,
        alpha,
        ladders,
        tuple((g.code, float(g.factor)) for g in profile.gates),
    )


@dataclass(frozen=True)
class PortfolioIncome:
    """The income side of N patents: ``amounts`` (N × T; a patent's years past its own amounts hold 0), the years
    ``n`` valued, tax, discount rate i, share-rate decay d, mid-year timing, and the royalty range (low, high)."""

    amounts: Floats
    years: Ints
    tax_rate: Floats
    discount_rate: Floats
    share_rate_decay: Floats
    mid_year: NDArray[np.bool_]
    range_low: Floats
    range_high: Floats

    @classmethod
    def of(
        cls,
        amounts: ArrayLike,
        years: ArrayLike,
        tax_rate: ArrayLike,
        discount_rate: ArrayLike,
        *,
        low: ArrayLike,
        high: ArrayLike,
        decay: ArrayLike = 0.0,
        mid_year: ArrayLike = False,
    ) -> PortfolioIncome:
        """Arrays from lists or scalars (a scalar applies to every patent)."""
        a = np.asarray(amounts, dtype=np.float64)
        n = a.shape[0]

        def real(x: ArrayLike) -> Floats:
            return np.broadcast_to(np.asarray(x, dtype=np.float64), (n,))

        return cls(
            a,
            np.asarray(years, dtype=np.int64),
            real(tax_rate),
            real(discount_rate),
            real(decay),
            np.broadcast_to(np.asarray(mid_year, dtype=np.bool_), (n,)),
            real(low),
            real(high),
        )


def no_facts(n: int) -> PortfolioFacts:
    """Facts of ``n`` valid inventions filed and valued on 2024-01-01 whose counts and history are unknown (no
    automatic rule but the remaining term scores, and no gate applies)."""
    day = np.full(n, np.datetime64("2024-01-01", "D"))
    unknown = np.full(n, -1, dtype=np.int64)
    return PortfolioFacts(
        np.zeros(n, dtype=np.int8),
        day,
        day,
        np.full(n, LEGAL_STATUSES.index(LegalStatus.VALID), dtype=np.int8),
        unknown,
        unknown,
        unknown,
        np.zeros(n, dtype=bool),
        unknown,
        np.zeros(n, dtype=np.int64),
        np.zeros(n, dtype=np.int8),
    )


@dataclass(frozen=True)
class PortfolioResult:
    """Per patent: the value degrees (0–100), PVD before and after the gates, where each profile gate applied,
    how many sub-indicators were filled with the fill level, the share rate K, the years n and the value."""

    profile_code: str
    profile_version: int
    lvd: Floats
    tvd: Floats
    evd: Floats
    pvd_before_gates: Floats
    pvd: Floats
    gates: dict[str, NDArray[np.bool_]]
    filled: Ints
    share_rate: Floats
    years: Ints
    value: Floats

    def __len__(self) -> int:
        return len(self.value)


class PortfolioRejected(Invalid):
    """Bad input found by the checks: ``problems`` are the first :data:`PROBLEM_LIMIT` by patent, ``total`` how many
    there are in all. ``field`` names the first problem's field as ``patents[k].field``."""

    def __init__(self, problems: Sequence[Problem], total: int) -> None:
        shown = "；".join(f"第 {p.index + 1} 件专利，{p.field}：{p.reason}" for p in problems[:5])
        more = f"（共 {total} 处错误）" if total > 5 else ""
        first = f"patents[{problems[0].index}].{problems[0].field}" if problems else None
        super().__init__(f"批量估值输入有误，未作计算：{shown}{more}", field=first)
        self.problems = list(problems)
        self.total = total


def value_portfolio(
    flat: FlatProfile,
    facts: PortfolioFacts,
    scores: NDArray[np.int8],
    income: PortfolioIncome,
    *,
    fill: int | None = None,
) -> PortfolioResult:
    """Score and value every patent (see the module docstring). ``scores`` (N × S, int8) holds the experts' levels
    by sub-indicator in ``flat.codes`` order, −1 where none was given; ``fill`` the level (0–10) for sub-indicators
    neither scored nor settled by the facts (``None``: refuse them). Raises :class:`PortfolioRejected`."""
    problems, total = check_inputs(flat, facts, scores, income, fill, PROBLEM_LIMIT)
    if problems and any(p.fatal for p in problems):
        raise PortfolioRejected(problems, total)
    remaining = remaining_years_of(facts.patent_type, facts.filing_date, facts.as_of)
    levels = np.array(scores, dtype=np.int8, copy=True)
    for j, rule in enumerate(flat.rules):
        if rule is not None:
            column = levels[:, j]
            unscored = column == UNSCORED
            if unscored.any():
                column[unscored] = automatic_levels(rule, facts, remaining)[unscored]
    missing = levels == UNSCORED
    filled = missing.sum(axis=1, dtype=np.int64)
    if fill is None:
        more, count = missing_problems(flat, missing, PROBLEM_LIMIT)
        problems, total = sorted([*problems, *more])[:PROBLEM_LIMIT], total + count
    if problems:
        raise PortfolioRejected(problems, total)
    if fill is not None and filled.any():
        levels = np.where(missing, flat.fill_levels(fill)[np.newaxis, :], levels)

    dims = np.clip(levels @ flat.weights, 0.0, 100.0)  # N × 3: LVD, TVD, EVD
    before = np.clip(dims @ flat.alpha, 0.0, 100.0)
    factor = np.ones(len(facts))
    gates = {}
    for code, g in flat.gates:
        hit = gate_mask(code, facts)
        gates[code] = hit
        factor = np.where(hit, factor * g, factor)
    pvd = before * factor
    share = income.range_low + (income.range_high - income.range_low) * pvd / 100
    value = share * (1 - income.tax_rate) * discounted_sum(income)
    return PortfolioResult(
        flat.code, flat.version, dims[:, 0], dims[:, 1], dims[:, 2], before, pvd, gates, filled, share,
        income.years, value,
    )  # fmt: skip


def discounted_sum(income: PortfolioIncome) -> Floats:
    """Σ_{t ≤ n} (1 − d)^(t−1) · R_t · DF_t per patent: the value per unit of K · (1 − tax).

    >>> inc = PortfolioIncome.of([[100.0, 100.0], [100.0, 100.0]], [2, 1], 0.0, 0.1, low=0, high=0, mid_year=[0, 1])
    >>> [round(float(x), 6) for x in discounted_sum(inc)]  # 100/1.1 + 100/1.21; 100/1.1^0.5
    [173.553719, 95.346259]
    """
    amounts, years = income.amounts, income.years
    # DF_1 = (1 + i)^−(1 − h); each further year multiplies by q = (1 − d)/(1 + i): one vector step per year.
    growth = 1 + income.discount_rate
    step = np.power(growth, np.where(income.mid_year, -0.5, -1.0))
    ratio = (1 - income.share_rate_decay) / growth
    total = np.zeros(len(years))
    for t in range(1, amounts.shape[1] + 1):
        if t > 1:
            step = step * ratio
        total += np.where(years >= t, amounts[:, t - 1] * step, 0.0)
    return total


@dataclass(frozen=True)
class Tier:
    code: str
    label: str
    count: int
    value: float


def tier_index(pvd: Floats) -> NDArray[np.intp]:
    """Each PVD's tier as an index into :data:`TIERS` (0 the highest).

    >>> tier_index(np.array([100.0, 80.0, 79.9, 40.0, 0.0])).tolist()
    [0, 0, 1, 2, 3]
    """
    bounds = np.array([lower for lower, _, _ in TIERS[::-1]][1:])  # ascending inner bounds: 40, 60, 80
    return np.asarray(len(TIERS) - 1 - np.searchsorted(bounds, pvd, side="right"))


def tiers(result: PortfolioResult) -> list[Tier]:
    """How many patents, and how much value, fall in each PVD tier of :data:`TIERS`.

    >>> r = PortfolioResult("p", 1, *([np.zeros(3)] * 4), np.array([85.0, 70.0, 0.0]), {}, np.zeros(3, np.int64),
    ...                     np.zeros(3), np.zeros(3, np.int64), np.array([1.0, 2.0, 3.0]))
    >>> [(t.code, t.count, t.value) for t in tiers(r)]
    [('A', 1, 1.0), ('B', 1, 2.0), ('C', 0, 0.0), ('D', 1, 3.0)]
    """
    index = tier_index(result.pvd)
    counts = np.bincount(index, minlength=len(TIERS))
    values = np.bincount(index, weights=result.value, minlength=len(TIERS))
    return [Tier(code, label, int(counts[k]), float(values[k])) for k, (_, code, label) in enumerate(TIERS)]


__all__ = [
    "DIMENSIONS",
    "HISTORIES",
    "LEGAL_STATUSES",
    "PATENT_TYPES",
    "PROBLEM_LIMIT",
    "TIERS",
    "FlatProfile",
    "PortfolioFacts",
    "PortfolioIncome",
    "PortfolioRejected",
    "PortfolioResult",
    "Problem",
    "Tier",
    "discounted_sum",
    "flatten",
    "no_facts",
    "tier_index",
    "tiers",
    "value_portfolio",
]
