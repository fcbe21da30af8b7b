"""One chunk of a portfolio file's rows turned into arrays, column by column (:mod:`.portfolio_cells`), with the
checks between cells of a row: the royalty range from an industry code or from two numbers (one or the other), the
income amounts filled from the first year without a gap."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import zip_longest
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from zhengwu.valuation.model.indicators import InvalidationHistory, LegalStatus
from zhengwu.valuation.model.industries import IndustryRange
from zhengwu.valuation.model.portfolio import FlatProfile, PortfolioFacts
from zhengwu.valuation.model.portfolio_checks import MAX_AMOUNT
from zhengwu.valuation.model.portfolio_rules import HISTORIES, LEGAL_STATUSES, PATENT_TYPES
from zhengwu.valuation.service import portfolio_cells as cells

if TYPE_CHECKING:  # pragma: no cover
    from zhengwu.valuation.service.portfolio_files import Options, _Errors

#: column code → Chinese header (either may head a column); plus income_1…income_N and score.<code>.
COLUMNS = {
    "id": "编号",
    "title": "名称",
    "patent_type": "专利类型",
    "filing_date": "申请日",
    "as_of": "评估基准日",
    "legal_status": "法律状态",
    "claim_count": "权利要求数",
    "family_countries": "同族国家数",
    "forward_citations": "被引次数",
    "ownership_dispute": "权属纠纷",
    "licences": "许可数",
    "pledges": "质押数",
    "invalidation_history": "无效宣告历史",
    "industry": "行业",
    "range_low": "分成率下限",
    "range_high": "分成率上限",
    "tax_rate": "所得税税率",
    "discount_rate": "折现率",
    "years": "收益年限",
    "economic_life": "剩余经济寿命",
    "timing": "折现时点",
    "share_rate_decay": "分成率年衰减率",
}
TIMINGS = {"end": 0, "mid": 1, "年末": 0, "年中": 1, "年末折现": 0, "年中折现": 1}


def _choices(kinds: Sequence[Any]) -> tuple[dict[str, int], str]:
    lookup = {str(k.value): i for i, k in enumerate(kinds)} | {k.label.lower(): i for i, k in enumerate(kinds)}
    return lookup, "、".join(f"{k.value}（{k.label}）" for k in kinds)


TYPES, STATUSES, HISTORY = _choices(PATENT_TYPES), _choices(LEGAL_STATUSES), _choices(HISTORIES)


@dataclass(frozen=True)
class Chunk:
    lines: NDArray[np.int64]
    ids: list[str]
    titles: list[str]
    facts: PortfolioFacts
    scores: NDArray[np.int8]
    amounts: NDArray[np.float64]
    count: NDArray[np.int64]  # amounts given
    years: NDArray[np.int64]  # −1: not given
    life: NDArray[np.float64]  # NaN: not given
    tax_rate: NDArray[np.float64]
    discount_rate: NDArray[np.float64]
    share_rate_decay: NDArray[np.float64]
    mid_year: NDArray[np.bool_]
    range_low: NDArray[np.float64]
    range_high: NDArray[np.float64]


def parse_chunk(
    batch: list[tuple[int, Sequence[Any]]],
    positions: Mapping[str, int],
    headers: Mapping[str, str],
    flat: FlatProfile,
    industries: Mapping[str, IndustryRange],
    options: Options,
    errors: _Errors,
) -> Chunk:
    """The chunk's arrays; every bad cell goes to ``errors`` (the arrays then hold placeholders)."""
    lines = np.array([line for line, _ in batch], dtype=np.int64)
    n = len(batch)

    transposed = list(zip_longest(*(raw for _, raw in batch)))  # ragged rows: missing cells are None

    def column(code: str) -> Sequence[Any]:
        k = positions.get(code)
        if k is None or k >= len(transposed):
            return [None] * n
        return transposed[k]

    def report(code: str, found: list[tuple[int, cells.Bad]] | list[tuple[int, str]]) -> None:
        for k, why in found:
            errors.add(int(lines[k]), code, headers.get(code, COLUMNS.get(code, code)), str(why))

    def take(code: str, got: tuple[Any, list[tuple[int, cells.Bad]]]) -> Any:
        report(code, got[1])
        return got[0]

    valid = STATUSES[0][LegalStatus.VALID.value]
    none = HISTORY[0][InvalidationHistory.NONE.value]
    facts = PortfolioFacts(
        take("patent_type", cells.choices(column("patent_type"), TYPES[0], default=None, names=TYPES[1])),
        take("filing_date", cells.dates(column("filing_date"), default=None, label="申请日")),
        take("as_of", cells.dates(column("as_of"), default=options.as_of, label="评估基准日")),
        take("legal_status", cells.choices(column("legal_status"), STATUSES[0], default=valid, names=STATUSES[1])),
        take("claim_count", cells.integers(column("claim_count"), least=1, unknown=-1)),
        take("family_countries", cells.integers(column("family_countries"), least=1, unknown=-1)),
        take("forward_citations", cells.integers(column("forward_citations"), least=0, unknown=-1)),
        take("ownership_dispute", cells.yes_no(column("ownership_dispute"))),
        take("licences", cells.integers(column("licences"), least=0, unknown=-1)),
        take("pledges", cells.integers(column("pledges"), least=0, unknown=0)),
        take(
            "invalidation_history",
            cells.choices(column("invalidation_history"), HISTORY[0], default=none, names=HISTORY[1]),
        ),
    )
    report("as_of", [(int(k), "评估基准日不能早于申请日") for k in np.flatnonzero(facts.as_of < facts.filing_date)])
    scores = np.full((n, len(flat.codes)), -1, dtype=np.int8)
    for j, code in enumerate(flat.codes):
        if f"score.{code}" in positions:
            ladder = np.flatnonzero(flat.ladders[j]).tolist()
            scores[:, j] = take(f"score.{code}", cells.levels(column(f"score.{code}"), ladder, flat.names[j]))
    amounts, count = _amounts(positions, column, report, n)
    low, high = _ranges(column, report, industries, n)
    timing = TIMINGS.get(options.timing, 0)
    life = take("economic_life", cells.floats(column("economic_life"), default=float("nan"), label="年数"))
    report("economic_life", [(int(k), "剩余经济寿命不能为负数") for k in np.flatnonzero(life < 0)])
    return Chunk(
        lines,
        take("id", cells.texts(column("id"), required=True, limit=100, label="编号")),
        take("title", cells.texts(column("title"), required=False, limit=200, label="名称")),
        facts,
        scores,
        amounts,
        count,
        take("years", cells.integers(column("years"), least=0, unknown=-1)),
        life,
        take("tax_rate", cells.floats(column("tax_rate"), default=options.tax_rate, within=_rate("所得税税率"))),
        take(
            "discount_rate",
            cells.floats(column("discount_rate"), default=options.discount_rate, within=_rate("折现率")),
        ),
        take(
            "share_rate_decay",
            cells.floats(column("share_rate_decay"), default=options.share_rate_decay, within=_rate("分成率年衰减率")),
        ),
        take(
            "timing", cells.choices(column("timing"), TIMINGS, default=timing, names="end（年末）、mid（年中）")
        ).astype(bool),
        low,
        high,
    )


def _rate(label: str, open_: bool = True) -> cells.Bounds:
    return (0.0, 1.0, open_, f"{label}须在 [0, 1{')' if open_ else ']'} 之间")


def _amounts(positions: Mapping[str, int], column: Any, report: Any, n: int) -> tuple[Any, Any]:
    """Amounts N × T (NaN-free: years past a patent's own amounts hold 0) and how many each patent gave."""
    width = max((int(c[7:]) for c in positions if c.startswith("income_")), default=0)
    amounts = np.zeros((n, width))
    for t in range(1, width + 1):
        got, bad = cells.floats(column(f"income_{t}"), default=float("nan"), label="收益额",
                                within=(0.0, MAX_AMOUNT, False, "收益额须为 0 到 10¹⁵ 之间的数"))  # fmt: skip
        report(f"income_{t}", bad)
        amounts[:, t - 1] = got
    blank = np.isnan(amounts)
    count = np.where(blank.any(axis=1), blank.argmax(axis=1), width).astype(np.int64)
    gap = (~blank & (np.arange(width)[np.newaxis, :] > count[:, np.newaxis])).any(axis=1)
    report("income_1", [(int(k), f"第 {count[k] + 1} 年收益额为空，其后却还有收益额") for k in np.flatnonzero(gap)])
    report("income_1", [(int(k), "请至少填写第 1 年的收益额") for k in np.flatnonzero((count == 0) & ~gap)])
    return np.where(blank, 0.0, amounts), count


def _ranges(column: Any, report: Any, industries: Mapping[str, IndustryRange], n: int) -> tuple[Any, Any]:
    """The royalty range of each row: its industry's, or its two numbers."""
    nan = float("nan")
    low, bad_low = cells.floats(column("range_low"), default=nan, label="比率", within=_rate("分成率下限", False))
    high, bad_high = cells.floats(column("range_high"), default=nan, label="比率", within=_rate("分成率上限", False))
    report("range_low", bad_low)
    report("range_high", bad_high)
    codes = [cells.text(c) for c in column("industry")]
    names = "、".join(f"{r.code}（{r.name}）" for r in industries.values())
    problems: list[tuple[int, str]] = []
    for k, code in enumerate(codes):
        given = (not np.isnan(low[k]), not np.isnan(high[k]))
        if code:
            found = industries.get(code) or next((r for r in industries.values() if r.name == code), None)
            if any(given):
                problems.append((k, "行业与分成率下限、上限只能填写其一"))
            elif found is None:
                problems.append((k, f"未知的行业“{code[:30]}”，可选：{names}"))
            else:
                low[k], high[k] = found.low, found.high
        elif not all(given):
            problems.append((k, "请填写行业，或同时填写分成率下限和上限"))
        elif low[k] > high[k]:
            problems.append((k, "分成率上限不能低于下限"))
    report("industry", problems)
    return np.nan_to_num(low), np.nan_to_num(high)
