"""The market approach (市场法) to a patent's value, pure: comparable deals adjusted by the ratio of patent value
degrees and by date, then weighted.

For comparable deal j with price P_j, patent value degree PVD_j (0–100], deal date d_j and weight w_j ≥ 0:

    adjusted_j = P_j · (PVD_subject / PVD_j) · (1 + g)^{y_j},   y_j = (as_of − d_j) in days ÷ 365.25
    value      = Σ w_j · adjusted_j ÷ Σ w_j

where g is the yearly price growth of such deals (a price index as a rate, may be negative). With equal weights and
g = 0 this is the quality-ratio formula of DB1304/T 432-2023《专利价值评估技术规范》§6.1.2 (4),
V = (1/n) Σ V_i · Q / Q_i; the date factor is the 交易时间修正 of 《资产评估实务（一）》无形资产评估·市场法.
Prices are in any money unit; the value comes out in the same unit. Fewer than :data:`MIN_COMPARABLES` deals is
allowed but noted as a warning in the result (the practice asks for at least three comparables).

The JSON request (``zhengwu valuation market`` and ``POST /api/valuation/market``)::

    {"subject_pvd": 70, "as_of": "2024-06-30", "price_growth": 0.03,
     "comparables": [{"id": "D1", "title": "…", "price": 300, "pvd": 60, "deal_date": "2022-06-30", "weight": 1}]}
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from zhengwu.core.errors import Invalid
from zhengwu.valuation.model.share_rates import as_number, check_range, read_number, reject_unknown

MIN_COMPARABLES = 3  # fewer is a warning, not an error
MAX_COMPARABLES = 200
MIN_PVD = 0.01  # a comparable's PVD divides: 0 is refused, and so is a ratio large enough to overflow
MAX_AGE_YEARS = 100  # an older deal is no comparable; bounds the date factor (1 + g)^years
DAYS_PER_YEAR = 365.25
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_TOP = {"subject_pvd", "as_of", "price_growth", "comparables"}
_DEAL = {"id", "title", "price", "pvd", "deal_date", "weight"}


@dataclass(frozen=True)
class Comparable:
    """One comparable deal: ``price`` ≥ 0 in the request's money unit, ``pvd`` in [0.01, 100], ``weight`` ≥ 0."""

    id: str
    price: float
    pvd: float
    deal_date: date
    weight: float = 1.0
    title: str = ""


@dataclass(frozen=True)
class MarketRequest:
    subject_pvd: float
    as_of: date
    price_growth: float
    comparables: tuple[Comparable, ...]


@dataclass(frozen=True)
class MarketRow:
    """One comparable adjusted: ``adjusted = price · pvd_factor · date_factor``; ``weight_share = w_j / Σ w``."""

    comparable: Comparable
    years: float
    pvd_factor: float
    date_factor: float
    adjusted: float
    weight_share: float


@dataclass(frozen=True)
class MarketResult:
    subject_pvd: float
    as_of: date
    price_growth: float
    rows: tuple[MarketRow, ...]
    value: float
    warnings: tuple[str, ...]


def years_between(start: date, end: date) -> float:
    """(end − start) in days ÷ 365.25.

    >>> years_between(date(2022, 6, 30), date(2024, 6, 30))
    2.001368925393566
    """
    return (end - start).days / DAYS_PER_YEAR


def value_market(req: MarketRequest) -> MarketResult:
    """The value by the market approach (see the module docstring).

    Two deals at PVD 60 and 80 for a subject at 70, no growth: 300·70/60 = 350 and 400·70/80 = 350, mean 350.

    >>> deals = (Comparable("D1", 300, 60, date(2023, 1, 1)), Comparable("D2", 400, 80, date(2024, 1, 1)))
    >>> result = value_market(MarketRequest(70, date(2024, 6, 30), 0.0, deals))
    >>> round(result.value, 6), len(result.warnings)
    (350.0, 1)
    """
    total_weight = math.fsum(c.weight for c in req.comparables)
    if total_weight <= 0:  # pragma: no cover - the parser refuses weights that are all 0
        raise Invalid("可比交易的权重不能全为 0。", field="comparables")
    rows = []
    for c in req.comparables:
        years = years_between(c.deal_date, req.as_of)
        pvd_factor = req.subject_pvd / c.pvd
        date_factor = (1 + req.price_growth) ** years
        rows.append(
            MarketRow(c, years, pvd_factor, date_factor, c.price * pvd_factor * date_factor, c.weight / total_weight)
        )
    value = math.fsum(row.adjusted * row.comparable.weight for row in rows) / total_weight
    warnings = []
    if len(rows) < MIN_COMPARABLES:
        warnings.append(f"可比交易只有 {len(rows)} 个，少于 {MIN_COMPARABLES} 个，结论的可靠性有限。")
    return MarketResult(req.subject_pvd, req.as_of, req.price_growth, tuple(rows), value, tuple(warnings))


def market_as_json(result: MarketResult) -> dict[str, Any]:
    """``{"subject_pvd", "as_of", "price_growth", "comparables": [{"id", "title", "price", "pvd", "deal_date",
    "weight", "years", "pvd_factor", "date_factor", "adjusted", "weight_share"}], "value", "warnings"}``, unrounded."""
    return {
        "subject_pvd": result.subject_pvd,
        "as_of": result.as_of.isoformat(),
        "price_growth": result.price_growth,
        "comparables": [
            {
                "id": r.comparable.id,
                "title": r.comparable.title,
                "price": r.comparable.price,
                "pvd": r.comparable.pvd,
                "deal_date": r.comparable.deal_date.isoformat(),
                "weight": r.comparable.weight,
                "years": r.years,
                "pvd_factor": r.pvd_factor,
                "date_factor": r.date_factor,
                "adjusted": r.adjusted,
                "weight_share": r.weight_share,
            }
            for r in result.rows
        ],
        "value": result.value,
        "warnings": list(result.warnings),
    }


def read_date(value: Any, field: str, label: str) -> date:
    """An ISO date ``YYYY-MM-DD`` that exists on the calendar, else ``Invalid`` naming ``field``.

    >>> read_date("2024-06-30", "as_of", "评估基准日")
    datetime.date(2024, 6, 30)
    >>> read_date("2024-02-30", "as_of", "评估基准日")
    Traceback (most recent call last):
    ...
    zhengwu.core.errors.Invalid: 评估基准日“2024-02-30”不是有效的日期。
    """
    if value is None:
        raise Invalid(f"请填写{label}。", field=field)
    if isinstance(value, str) and _ISO_DATE.fullmatch(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise Invalid(f"{label}“{value}”不是有效的日期。", field=field) from None
    raise Invalid(f"{label}须为日期，格式 YYYY-MM-DD（如 2024-06-30）。", field=field)


def parse_market_request(data: Any) -> MarketRequest:
    """The market request's JSON as a :class:`MarketRequest`, every field checked; bad input raises ``Invalid``
    naming the field (``subject_pvd``, ``comparables[1].pvd``, ``comparables[0].deal_date``...). ``price_growth``
    defaults to 0 and lies in (−1, 1); each ``weight`` defaults to 1.

    >>> req = parse_market_request({"subject_pvd": 70, "as_of": "2024-06-30", "comparables": [
    ...     {"id": "D1", "price": 300, "pvd": 60, "deal_date": "2022-06-30"}]})
    >>> req.comparables[0].weight, req.price_growth
    (1.0, 0.0)
    >>> parse_market_request({"subject_pvd": 70, "as_of": "2024-06-30", "comparables": [
    ...     {"id": "D1", "price": 300, "pvd": 0, "deal_date": "2022-06-30"}]})
    Traceback (most recent call last):
    ...
    zhengwu.core.errors.Invalid: 第 1 个可比交易的专利价值度须在 [0.01, 100] 之间（不能为 0），现为 0。
    """
    if not isinstance(data, Mapping):
        raise Invalid("请求须为 JSON 对象。", field=None)
    reject_unknown(data, _TOP, "")
    subject = read_number(data, "subject_pvd", "subject_pvd", "被评估专利的专利价值度")
    check_range(subject, "subject_pvd", "被评估专利的专利价值度", upper=100)
    as_of = read_date(data.get("as_of"), "as_of", "评估基准日")
    growth = read_number(data, "price_growth", "price_growth", "交易价格年增长率", default=0.0)
    if not -1 < growth < 1:
        raise Invalid(f"交易价格年增长率须在 (-1, 1) 之间，现为 {growth:g}。", field="price_growth")
    raw = data.get("comparables")
    if raw is None:
        raise Invalid("请填写可比交易。", field="comparables")
    if isinstance(raw, str | bytes) or not isinstance(raw, Sequence):
        raise Invalid("可比交易须为列表。", field="comparables")
    if not raw:
        raise Invalid("请至少填写一个可比交易。", field="comparables")
    if len(raw) > MAX_COMPARABLES:
        raise Invalid(f"可比交易最多 {MAX_COMPARABLES} 个，现为 {len(raw)} 个。", field="comparables")
    deals = tuple(_comparable(item, k, as_of) for k, item in enumerate(raw))
    seen: set[str] = set()
    for k, deal in enumerate(deals):
        if deal.id in seen:
            raise Invalid(f"可比交易编号“{deal.id}”重复。", field=f"comparables[{k}].id")
        seen.add(deal.id)
    if not any(deal.weight > 0 for deal in deals):
        raise Invalid("可比交易的权重不能全为 0。", field="comparables")
    return MarketRequest(subject, as_of, growth, deals)


def _comparable(item: Any, k: int, as_of: date) -> Comparable:
    at = f"comparables[{k}]"
    nth = f"第 {k + 1} 个可比交易"
    if not isinstance(item, Mapping):
        raise Invalid(f"{nth}须为对象。", field=at)
    reject_unknown(item, _DEAL, f"{at}.")
    ident = item.get("id")
    if isinstance(ident, int) and not isinstance(ident, bool):
        ident = str(ident)
    if not isinstance(ident, str) or not ident.strip():
        raise Invalid(f"请填写{nth}的编号。", field=f"{at}.id")
    if len(ident) > 64:
        raise Invalid(f"{nth}的编号过长（最多 64 个字符）。", field=f"{at}.id")
    title = item.get("title", "")
    if title is None:
        title = ""
    if not isinstance(title, str) or len(title) > 256:
        raise Invalid(f"{nth}的名称须为不超过 256 个字符的文字。", field=f"{at}.title")
    price = read_number(item, "price", f"{at}.price", f"{nth}的成交价格")
    if price < 0:
        raise Invalid(f"{nth}的成交价格不能为负数，现为 {price:g}。", field=f"{at}.price")
    pvd = read_number(item, "pvd", f"{at}.pvd", f"{nth}的专利价值度")
    if not MIN_PVD <= pvd <= 100:
        raise Invalid(f"{nth}的专利价值度须在 [{MIN_PVD:g}, 100] 之间（不能为 0），现为 {pvd:g}。", field=f"{at}.pvd")
    deal_date = read_date(item.get("deal_date"), f"{at}.deal_date", f"{nth}的成交日期")
    if deal_date > as_of:
        raise Invalid(
            f"{nth}的成交日期 {deal_date} 晚于评估基准日 {as_of}。",
            field=f"{at}.deal_date",
        )
    if years_between(deal_date, as_of) > MAX_AGE_YEARS:
        raise Invalid(
            f"{nth}的成交日期早于评估基准日 {MAX_AGE_YEARS} 年以上，不宜作为可比交易。", field=f"{at}.deal_date"
        )
    weight = as_number(item["weight"], f"{at}.weight", f"{nth}的权重") if "weight" in item else 1.0
    if weight < 0:
        raise Invalid(f"{nth}的权重不能为负数，现为 {weight:g}。", field=f"{at}.weight")
    return Comparable(ident.strip(), price, pvd, deal_date, weight, title.strip())
