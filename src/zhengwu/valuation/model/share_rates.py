"""The royalty share rate K (分成率) of the income approach: its five methods and the field readers that check the
JSON contract's numbers (pure; shared with :mod:`zhengwu.valuation.model.income`).

A share rate is a fraction in [0, 1] of the income base due to the patent. ``explicit`` and ``score`` give a share
of whatever base the request names (the UNIDO ranges are sales royalties, so ``score`` normally goes with a
``revenue`` base); ``sales_to_profit``, ``equivalent_investment`` and ``incremental_profit`` give a share of profit
and are accepted only with a ``profit`` base. References: the 资产评估师 exam syllabus 《资产评估实务（一）》,
无形资产评估 · 分成率法 and 约当投资分成法 (the published exam answers cited in tests/unit/test_valuation_income.py
reproduce these formulas); the UNIDO sales-royalty ranges by industry as given in issue #6.

Every reader raises ``Invalid`` with a Chinese message naming the field as the contract writes it
(``share_rate.value``, ``income.amounts[2]``); a bool is not a number; NaN and infinities are refused.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from zhengwu.core.errors import Invalid

MAX_NUMBER = 1e15  # any amount or cost above this is a unit mistake; keeps every product and sum finite
MAX_YEARS = 100  # forecasts longer than a century are refused (a patent's legal term is at most 20 years)

# ----------------------------------------------------------------------------------------------- field readers


def read_number(data: Mapping[str, Any], key: str, field: str, label: str, *, default: float | None = None) -> float:
    """``data[key]`` as a finite float; missing (when no ``default``), ``null``, a bool, a string or a non-finite
    number raises ``Invalid`` naming ``field``; magnitudes above :data:`MAX_NUMBER` are refused too.

    >>> read_number({"tax_rate": 0.25}, "tax_rate", "tax_rate", "所得税税率")
    0.25
    >>> read_number({"tax_rate": True}, "tax_rate", "tax_rate", "所得税税率")
    Traceback (most recent call last):
    ...
    zhengwu.core.errors.Invalid: 所得税税率须为数字。
    """
    if key not in data:
        if default is not None:
            return default
        raise Invalid(f"请填写{label}。", field=field)
    return as_number(data[key], field, label)


def as_number(value: Any, field: str, label: str) -> float:
    """``value`` as a finite float of magnitude at most :data:`MAX_NUMBER`, else ``Invalid`` naming ``field``."""
    if value is None:
        raise Invalid(f"请填写{label}。", field=field)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise Invalid(f"{label}须为数字。", field=field)
    if isinstance(value, int) and abs(value) > MAX_NUMBER:  # before float(): a huge int would overflow
        raise Invalid(f"{label}过大，请核对单位。", field=field)
    number = float(value)
    if not math.isfinite(number):
        raise Invalid(f"{label}须为有限的数字。", field=field)
    if abs(number) > MAX_NUMBER:
        raise Invalid(f"{label}过大，请核对单位。", field=field)
    return number


def check_range(value: float, field: str, label: str, *, upper: float = 1.0, upper_open: bool = False) -> float:
    """``value`` if it lies in [0, upper] (or [0, upper) when ``upper_open``), else ``Invalid`` naming ``field``."""
    if value < 0 or value > upper or (upper_open and value == upper):
        bracket = ")" if upper_open else "]"
        raise Invalid(f"{label}须在 [0, {upper:g}{bracket} 之间，现为 {value:g}。", field=field)
    return value


def read_mapping(data: Mapping[str, Any], key: str, field: str, label: str) -> Mapping[str, Any]:
    """``data[key]`` as a JSON object, else ``Invalid`` naming ``field``."""
    if data.get(key) is None:
        raise Invalid(f"请填写{label}。", field=field)
    value = data[key]
    if not isinstance(value, Mapping):
        raise Invalid(f"{label}须为对象（键值对）。", field=field)
    return value


def read_amounts(data: Mapping[str, Any], key: str, field: str, label: str) -> tuple[float, ...]:
    """A non-empty list of at most :data:`MAX_YEARS` non-negative numbers; item ``k`` is named ``field[k]``.

    >>> read_amounts({"amounts": [2000, 2200.5]}, "amounts", "income.amounts", "收益额")
    (2000.0, 2200.5)
    >>> read_amounts({"amounts": [2000, -1]}, "amounts", "income.amounts", "收益额")
    Traceback (most recent call last):
    ...
    zhengwu.core.errors.Invalid: 收益额第 2 年不能为负数，现为 -1。
    """
    if data.get(key) is None:
        raise Invalid(f"请填写{label}。", field=field)
    values = data[key]
    if isinstance(values, str | bytes) or not isinstance(values, Sequence):
        raise Invalid(f"{label}须为按年排列的数字列表。", field=field)
    if not values:
        raise Invalid(f"{label}不能为空，请至少填写一年。", field=field)
    if len(values) > MAX_YEARS:
        raise Invalid(f"{label}最多 {MAX_YEARS} 年，现为 {len(values)} 年。", field=field)
    amounts = tuple(as_number(v, f"{field}[{k}]", f"{label}第 {k + 1} 年") for k, v in enumerate(values))
    for k, amount in enumerate(amounts):
        if amount < 0:
            raise Invalid(f"{label}第 {k + 1} 年不能为负数，现为 {amount:g}。", field=f"{field}[{k}]")
    return amounts


def reject_unknown(data: Mapping[str, Any], known: set[str], prefix: str) -> None:
    """A key outside ``known`` (a typo such as ``vaule``) raises ``Invalid`` naming ``prefix + key``."""
    for key in data:
        if key not in known:
            raise Invalid(f"无法识别的字段“{key}”。", field=f"{prefix}{key}")


# ----------------------------------------------------------------------------------------------- the five methods


@dataclass(frozen=True)
class ExplicitShare:
    """K given by the valuer."""

    value: float

    def rate(self, discount_rate: float) -> float:
        return self.value


@dataclass(frozen=True)
class ScoreShare:
    """K = m + (n − m)·r with (m, n) the industry's royalty range and r = PVD/100 (patent value degree 0–100).

    >>> round(ScoreShare(0.015, 0.03, 70).rate(0.095), 12)  # the issue's worked example: machinery 1.5–3 %, PVD 70
    0.0255
    """

    low: float
    high: float
    score: float

    def rate(self, discount_rate: float) -> float:
        return self.low + (self.high - self.low) * self.score / 100


@dataclass(frozen=True)
class SalesToProfitShare:
    """Profit share = sales royalty ÷ profit margin (销售利润分成率 = 销售收入分成率 ÷ 销售利润率).

    >>> round(SalesToProfitShare(0.0375, 0.15).rate(0.1), 12)  # 3.75 % of sales at a 15 % margin: 25 % of profit
    0.25
    """

    sales_royalty: float
    profit_margin: float

    def rate(self, discount_rate: float) -> float:
        return self.sales_royalty / self.profit_margin


@dataclass(frozen=True)
class EquivalentInvestmentShare:
    """约当投资分成法: K = Cp(1+rp) / (Cp(1+rp) + Cb(1+rb)), with Cp the patent's replacement cost and rp its
    cost-profit rate, Cb the licensee's asset replacement cost and rb its cost-profit rate (costs in one unit).

    >>> round(EquivalentInvestmentShare(120, 4.0, 6000, 0.08).rate(0.1), 4)  # 600 / (600 + 6480)
    0.0847
    """

    patent_cost: float
    patent_profit_rate: float
    licensee_cost: float
    licensee_profit_rate: float

    def rate(self, discount_rate: float) -> float:
        patent = self.patent_cost * (1 + self.patent_profit_rate)
        return patent / (patent + self.licensee_cost * (1 + self.licensee_profit_rate))


@dataclass(frozen=True)
class IncrementalProfitShare:
    """K = PV(incremental profit) ÷ PV(total profit), both discounted at the valuation's rate i, end of year:
    PV(x) = Σ x_t / (1 + i)^t.

    >>> round(IncrementalProfitShare((100.0,) * 5, (300.0,) * 5).rate(0.1), 12)
    0.333333333333
    """

    incremental: tuple[float, ...]
    total: tuple[float, ...]

    def rate(self, discount_rate: float) -> float:
        def pv(xs: tuple[float, ...]) -> float:
            return sum(x / (1 + discount_rate) ** t for t, x in enumerate(xs, 1))

        return pv(self.incremental) / pv(self.total)


ShareRate = ExplicitShare | ScoreShare | SalesToProfitShare | EquivalentInvestmentShare | IncrementalProfitShare
PROFIT_ONLY = ("sales_to_profit", "equivalent_investment", "incremental_profit")
ScoreIndicators = Callable[[Any], float]  # share_rate.indicators → PVD on 0–100 (the indicator system)
METHODS = ("explicit", "score", *PROFIT_ONLY)
_F = "share_rate."


def parse_share_rate(
    data: Mapping[str, Any],
    score_indicators: ScoreIndicators | None = None,
    industries: Mapping[str, Any] | None = None,
) -> ShareRate:
    """The ``share_rate`` object of the contract as a typed method, every field checked.

    ``score_indicators``, when given, is a callable turning ``share_rate.indicators`` into a PVD on 0–100 (the
    indicator system's hook); without it an ``indicators`` object is refused. ``industries`` is the table of
    industry ranges by code (:mod:`zhengwu.valuation.model.industries`; default: the shipped UNIDO rows) read when the
    ``score`` method names an ``industry`` instead of a ``range``.

    >>> parse_share_rate({"method": "score", "range": [0.015, 0.03], "score": 70})
    ScoreShare(low=0.015, high=0.03, score=70.0)
    >>> try:
    ...     parse_share_rate({"method": "royalty"})
    ... except Invalid as error:
    ...     print(error.field, error.message[:19])
    share_rate.method 未知的分成率确定方法“royalty”
    """
    method = data.get("method")
    if method is None:
        raise Invalid("请选择分成率确定方法。", field=_F + "method")
    if not isinstance(method, str) or method not in METHODS:
        raise Invalid(f"未知的分成率确定方法“{method}”，可选：{'、'.join(METHODS)}。", field=_F + "method")
    if method == "explicit":
        reject_unknown(data, {"method", "value"}, _F)
        return ExplicitShare(check_range(read_number(data, "value", _F + "value", "分成率"), _F + "value", "分成率"))
    if method == "score":
        return _parse_score(data, score_indicators, industries)
    if method == "sales_to_profit":
        reject_unknown(data, {"method", "sales_royalty", "profit_margin"}, _F)
        royalty = read_number(data, "sales_royalty", _F + "sales_royalty", "销售收入分成率")
        margin = read_number(data, "profit_margin", _F + "profit_margin", "销售利润率")
        check_range(royalty, _F + "sales_royalty", "销售收入分成率")
        if margin <= 0 or margin > 1:
            raise Invalid(f"销售利润率须在 (0, 1] 之间，现为 {margin:g}。", field=_F + "profit_margin")
        if royalty > margin:
            raise Invalid("销售收入分成率不能高于销售利润率（否则利润分成率超过 100%）。", field=_F + "sales_royalty")
        return SalesToProfitShare(royalty, margin)
    if method == "equivalent_investment":
        return _parse_equivalent(data)
    return _parse_incremental(data)


def _parse_score(
    data: Mapping[str, Any], score_indicators: ScoreIndicators | None, industries: Mapping[str, Any] | None
) -> ScoreShare:
    reject_unknown(data, {"method", "range", "industry", "score", "indicators"}, _F)
    if "industry" in data:
        if "range" in data:
            raise Invalid("行业与分成率区间只能填写其一。", field=_F + "industry")
        from zhengwu.valuation.model.industries import industry_range  # industries reads numbers through this module

        low, high = industry_range(data["industry"], industries)
        return ScoreShare(low, high, _score_of(data, score_indicators))
    bounds = data.get("range")
    if bounds is None:
        raise Invalid("请填写行业（industry）或行业分成率区间 [下限, 上限]（range）。", field=_F + "range")
    if isinstance(bounds, str | bytes) or not isinstance(bounds, Sequence) or len(bounds) != 2:
        raise Invalid("行业分成率区间须为两个数字 [下限, 上限]。", field=_F + "range")
    low, high = (
        check_range(as_number(b, f"{_F}range[{k}]", "分成率区间"), f"{_F}range[{k}]", "分成率区间")
        for k, b in enumerate(bounds)
    )
    if low > high:
        raise Invalid(f"分成率区间下限 {low:g} 高于上限 {high:g}。", field=_F + "range")
    return ScoreShare(low, high, _score_of(data, score_indicators))


def _score_of(data: Mapping[str, Any], score_indicators: ScoreIndicators | None) -> float:
    """PVD (0–100) given as ``score`` or computed from ``indicators`` through the hook."""
    if "indicators" in data:
        if "score" in data:
            raise Invalid("评分与指标体系只能填写其一。", field=_F + "indicators")
        if score_indicators is None:
            raise Invalid("请先按指标体系计算评分，再以 score 填写专利价值度。", field=_F + "indicators")
        score = as_number(score_indicators(data["indicators"]), _F + "indicators", "专利价值度")
    else:
        score = read_number(data, "score", _F + "score", "专利价值度评分")
    return check_range(score, _F + "score", "专利价值度评分", upper=100)


def _parse_equivalent(data: Mapping[str, Any]) -> EquivalentInvestmentShare:
    labels = {
        "patent_cost": "专利重置成本",
        "patent_profit_rate": "专利成本利润率",
        "licensee_cost": "受让方资产重置成本",
        "licensee_profit_rate": "受让方成本利润率",
    }
    reject_unknown(data, {"method", *labels}, _F)
    values = {key: read_number(data, key, _F + key, label) for key, label in labels.items()}
    for key, value in values.items():
        if value < 0:
            raise Invalid(f"{labels[key]}不能为负数，现为 {value:g}。", field=_F + key)
    share = EquivalentInvestmentShare(**values)
    if share.patent_cost == 0 and share.licensee_cost == 0:
        raise Invalid("专利与受让方的重置成本不能同时为 0。", field=_F + "patent_cost")
    return share


def _parse_incremental(data: Mapping[str, Any]) -> IncrementalProfitShare:
    reject_unknown(data, {"method", "incremental", "total"}, _F)
    incremental = read_amounts(data, "incremental", _F + "incremental", "增量利润")
    total = read_amounts(data, "total", _F + "total", "总利润")
    if len(incremental) != len(total):
        raise Invalid(f"增量利润 {len(incremental)} 年与总利润 {len(total)} 年的年数须相同。", field=_F + "total")
    for k, (part, whole) in enumerate(zip(incremental, total, strict=True)):
        if part > whole:
            raise Invalid(f"第 {k + 1} 年增量利润 {part:g} 高于总利润 {whole:g}。", field=f"{_F}incremental[{k}]")
    if not any(total):
        raise Invalid("总利润不能每年都为 0。", field=_F + "total")
    return IncrementalProfitShare(incremental, total)
