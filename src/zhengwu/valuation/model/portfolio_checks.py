"""The checks of a portfolio run's arrays (pure, vectorised): every bad entry becomes a :class:`Problem` naming the
patent (its index), the field as the portfolio file names its column (``filing_date``, ``score.stability``,
``income_3``…) and the reason in Chinese. Only the first ``limit`` problems by patent are kept, with the count of
all of them, so a file of a million bad rows costs no more than one of fifty.

>>> import numpy as np
>>> problems, total = [], 0
>>> problems, total = _collect(np.array([False, True, True]), "tax_rate", "所得税税率须在 [0, 1) 之间", 1)
>>> problems, total
([Problem(index=1, field='tax_rate', reason='所得税税率须在 [0, 1) 之间', fatal=False)], 2)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from zhengwu.core.errors import Invalid
from zhengwu.valuation.model.indicators.profile import MAX_LEVEL, MIN_LEVEL
from zhengwu.valuation.model.portfolio_rules import (
    HISTORIES,
    LEGAL_STATUSES,
    PATENT_TYPES,
    UNSCORED,
    PortfolioFacts,
)

if TYPE_CHECKING:  # pragma: no cover
    from zhengwu.valuation.model.portfolio import FlatProfile, PortfolioIncome

MAX_AMOUNT = 1e15


@dataclass(frozen=True, order=True)
class Problem:
    """A bad entry: the patent's index, the field (column) and why; ``fatal`` when nothing can be computed."""

    index: int
    field: str
    reason: str
    fatal: bool = False


def _collect(
    mask: NDArray[np.bool_], field: str, reason: str, limit: int, fatal: bool = False
) -> tuple[list[Problem], int]:
    where = np.flatnonzero(mask)
    return [Problem(int(k), field, reason, fatal) for k in where[:limit]], int(where.size)


class _Found:
    def __init__(self, limit: int) -> None:
        self.limit, self.problems, self.total = limit, list[Problem](), 0

    def add(self, mask: NDArray[np.bool_], field: str, reason: str, fatal: bool = False) -> None:
        if mask.any():
            more, count = _collect(mask, field, reason, self.limit, fatal)
            self.problems.extend(more)
            self.total += count

    def result(self) -> tuple[list[Problem], int]:
        return sorted(self.problems)[: self.limit], self.total


def _shape(name: str, got: tuple[int, ...], want: tuple[int, ...]) -> None:
    if got != want:
        raise Invalid(f"数组形状不对：{name} 为 {got}，应为 {want}。", field=name)


def check_inputs(
    flat: FlatProfile,
    facts: PortfolioFacts,
    scores: NDArray[np.int8],
    income: PortfolioIncome,
    fill: int | None,
    limit: int,
) -> tuple[list[Problem], int]:
    """The first ``limit`` problems of the inputs (by patent) and how many there are; a wrong shape or fill level
    raises ``Invalid`` at once (the caller's mistake, not the data's)."""
    n, s = len(facts.patent_type), len(flat.codes)
    for name in ("filing_date", "as_of", "legal_status", "claim_count", "family_countries", "forward_citations",
                 "ownership_dispute", "licences", "pledges", "invalidation_history"):  # fmt: skip
        _shape(name, np.shape(getattr(facts, name)), (n,))
    _shape("scores", np.shape(scores), (n, s))
    if income.amounts.ndim != 2 or income.amounts.shape[0] != n:
        raise Invalid(f"收益额数组形状不对：{income.amounts.shape}，应为 ({n}, 年数)。", field="amounts")
    for name in ("years", "tax_rate", "discount_rate", "share_rate_decay", "mid_year", "range_low", "range_high"):
        _shape(name, np.shape(getattr(income, name)), (n,))
    if fill is not None and (isinstance(fill, bool) or not isinstance(fill, int | np.integer)
                             or not MIN_LEVEL <= fill <= MAX_LEVEL):  # fmt: skip
        raise Invalid(f"缺省档次须为 {MIN_LEVEL} 到 {MAX_LEVEL} 的整数。", field="fill")

    found = _Found(limit)
    for name, kinds, label in (
        ("patent_type", PATENT_TYPES, "专利类型"),
        ("legal_status", LEGAL_STATUSES, "法律状态"),
        ("invalidation_history", HISTORIES, "无效宣告程序历史"),
    ):
        values = getattr(facts, name)
        choices = "、".join(f"{k.value}（{k.label}）" for k in kinds)
        found.add((values < 0) | (values >= len(kinds)), name, f"{label}须为 {choices} 之一", fatal=True)
    for name, label in (("filing_date", "申请日"), ("as_of", "评估基准日")):
        found.add(np.isnat(getattr(facts, name)), name, f"请填写{label}（YYYY-MM-DD）", fatal=True)
    found.add(facts.as_of < facts.filing_date, "as_of", "评估基准日不能早于申请日")
    for name, least, label in (
        ("claim_count", 1, "权利要求数"),
        ("family_countries", 1, "同族国家或地区数"),
        ("forward_citations", 0, "被引次数"),
        ("licences", 0, "许可数"),
    ):
        values = getattr(facts, name)
        found.add((values != -1) & (values < least), name, f"{label}须为不小于 {least} 的整数（不知道则留空）")
    found.add(facts.pledges < 0, "pledges", "质押数须为不小于 0 的整数")
    _check_scores(found, flat, scores)
    _check_income(found, income)
    return found.result()


def _check_scores(found: _Found, flat: FlatProfile, scores: NDArray[np.int8]) -> None:
    """Each given score on its sub-indicator's ladder: per sub-indicator, a lookup of the score's byte (−1 is 255)
    in a table of 256 entries."""
    table = np.zeros((len(flat.codes), 256), dtype=bool)
    table[:, 255] = True  # −1: not scored
    table[:, : MAX_LEVEL + 1] = flat.ladders
    raw = scores.view(np.uint8)
    for j in range(len(flat.codes)):
        bad = ~table[j][raw[:, j]]
        if bad.any():
            levels = "、".join(str(v) for v in np.flatnonzero(flat.ladders[j]))
            found.add(bad, f"score.{flat.codes[j]}", f"“{flat.names[j]}”的评分须为评分档次之一（{levels}）")


def _check_income(found: _Found, income: PortfolioIncome) -> None:
    amounts = income.amounts
    bad = ~(np.isfinite(amounts) & (amounts >= 0) & (amounts <= MAX_AMOUNT))
    if bad.any():
        rows = bad.any(axis=1)
        first = bad.argmax(axis=1)
        for t in np.unique(first[rows]):
            found.add(rows & (first == t), f"income_{t + 1}", "收益额须为 0 到 10¹⁵ 之间的数")
    years = income.years
    found.add((years < 0) | (years > amounts.shape[1]), "years", "收益年限须在 0 到已填收益额的年数之间")
    for name, label in (
        ("tax_rate", "所得税税率"),
        ("discount_rate", "折现率"),
        ("share_rate_decay", "分成率年衰减率"),
    ):
        values = getattr(income, name)
        found.add(~((values >= 0) & (values < 1)), name, f"{label}须在 [0, 1) 之间")
    low, high = income.range_low, income.range_high
    found.add(~((low >= 0) & (low <= 1)), "range_low", "分成率区间下限须在 [0, 1] 之间")
    found.add(~((high >= 0) & (high <= 1)), "range_high", "分成率区间上限须在 [0, 1] 之间")
    found.add(low > high, "range_high", "分成率区间上限不能低于下限")


def missing_problems(flat: FlatProfile, missing: NDArray[np.bool_], limit: int) -> tuple[list[Problem], int]:
    """Sub-indicators neither scored by an expert nor settled by the facts, when no fill level was given."""
    found = _Found(limit)
    if missing.any():
        for j in np.flatnonzero(missing.any(axis=0)):
            reason = f"“{flat.names[j]}”未评分（事实不足以自动评分）：请填写专家评分，或指定缺省档次"
            found.add(missing[:, j], f"score.{flat.codes[j]}", reason)
    return found.result()


__all__ = ["MAX_AMOUNT", "UNSCORED", "Problem", "check_inputs", "missing_problems"]
