"""The income approach (收益法) to a patent's value, pure: the typed request, its parser from the JSON contract
(issue #6: ``zhengwu valuation income`` and ``POST /api/valuation/income`` take the same JSON), the valuation and
its JSON result. Share-rate methods and field readers live in :mod:`zhengwu.valuation.model.share_rates`.

Value = Σ_{t=1..n} K_t · R_t · (1 − tax) / (1 + i)^t, with

- R_t the income base of year t (product revenue, product profit, or the incremental profit or savings due to the
  patent), in any money unit — the value comes out in the same unit (the issue's example works in 万元);
- K_t = K · (1 − d)^(t−1) the share of that base due to the patent, K from one of the five methods of
  :mod:`~zhengwu.valuation.model.share_rates` and d the yearly decay (K = 1 for an incremental base);
- tax the income-tax rate, i the discount rate, given or built up as risk-free rate + technology, market, funding
  and management premia;
- n the income years, at most the years of amounts given (:func:`income_years` gives min(remaining legal term,
  remaining economic life) in whole years);
- end-of-year discounting by default; mid-year timing uses the exponent t − 0.5.

Numbers are floats, unrounded (rounding is for display). Every input is checked by :func:`parse_income_request`
before computing, so no NaN or infinity comes out. Reference: 《资产评估实务（一）》(中国资产评估协会),
无形资产评估·收益法; GB/T 42748-2023《专利评估指引》.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from zhengwu.core.errors import Invalid
from zhengwu.core.labels import LabelledEnum
from zhengwu.valuation.model.share_rates import (
    PROFIT_ONLY,
    ScoreIndicators,
    ShareRate,
    check_range,
    parse_share_rate,
    read_amounts,
    read_mapping,
    read_number,
    reject_unknown,
)


class Basis(LabelledEnum):
    REVENUE = "revenue", "销售收入"
    PROFIT = "profit", "利润"
    INCREMENTAL = "incremental", "增量收益"


class Timing(LabelledEnum):
    END = "end", "年末折现"
    MID = "mid", "年中折现"


PREMIA = {
    "technology": "技术风险报酬率",
    "market": "市场风险报酬率",
    "funding": "资金风险报酬率",
    "management": "管理风险报酬率",
}


@dataclass(frozen=True)
class BuildUpRate:
    """A discount rate built up: i = risk-free rate + technology + market + funding + management premia.

    >>> round(BuildUpRate(0.025, 0.03, 0.02, 0.01, 0.01).rate, 12)  # the issue's 2.5% + 3% + 2% + 1% + 1%
    0.095
    """

    risk_free: float
    technology: float
    market: float
    funding: float
    management: float

    @property
    def rate(self) -> float:
        return self.risk_free + self.technology + self.market + self.funding + self.management


@dataclass(frozen=True)
class IncomeRequest:
    """What the income approach needs; ``share`` is None exactly when the basis is incremental (K = 1)."""

    basis: Basis
    amounts: tuple[float, ...]
    share: ShareRate | None
    tax_rate: float
    discount: float | BuildUpRate
    years: int
    timing: Timing = Timing.END
    share_rate_decay: float = 0.0

    @property
    def discount_rate(self) -> float:
        return self.discount.rate if isinstance(self.discount, BuildUpRate) else self.discount


@dataclass(frozen=True)
class IncomeRow:
    """One year: ``after_tax`` = share · income · (1 − tax), ``present_value`` = after_tax · discount_factor."""

    year: int
    income: float
    share: float
    after_tax: float
    discount_factor: float
    present_value: float


@dataclass(frozen=True)
class IncomeResult:
    share_rate: float
    discount_rate: float
    years: int
    rows: tuple[IncomeRow, ...]
    value: float


def income_years(legal_years_left: float, economic_life: float) -> int:
    """n = ⌊min(remaining legal term, remaining economic life)⌋ in whole years (a part year earns nothing here).

    >>> income_years(7, 5), income_years(12.8, 15), income_years(0.5, 10)
    (5, 12, 0)
    >>> income_years(-1, 5)
    Traceback (most recent call last):
    ...
    zhengwu.core.errors.Invalid: 剩余法定保护期须为非负数，现为 -1。
    """
    for value, field, label in (
        (legal_years_left, "legal_years_left", "剩余法定保护期"),
        (economic_life, "economic_life", "剩余经济寿命"),
    ):
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) or value < 0:
            raise Invalid(f"{label}须为非负数，现为 {value}。", field=field)
    return math.floor(min(legal_years_left, economic_life))


def discount_factor(rate: float, year: int, timing: Timing = Timing.END) -> float:
    """1 / (1 + i)^t at the end of year t, or 1 / (1 + i)^(t − 0.5) at mid-year.

    >>> round(discount_factor(0.1, 5), 4), round(discount_factor(0.1, 1, Timing.MID), 4)
    (0.6209, 0.9535)
    """
    return float((1 + rate) ** -(year - 0.5 if timing is Timing.MID else year))


def value_income(req: IncomeRequest) -> IncomeResult:
    """The patent's value by the income approach, with each year's figures (see the module docstring).

    The issue's worked example (万元): K = 1.5% + (3% − 1.5%)·0.70 = 2.55%, revenue 2000, 2200, 2400, 2500, 2500,
    tax 25%, i = 9.5%, end of year: 168.6114万元.

    >>> from zhengwu.valuation.model.share_rates import ScoreShare
    >>> req = IncomeRequest(Basis.REVENUE, (2000, 2200, 2400, 2500, 2500), ScoreShare(0.015, 0.03, 70), 0.25,
    ...                     BuildUpRate(0.025, 0.03, 0.02, 0.01, 0.01), 5)
    >>> result = value_income(req)
    >>> round(result.value, 4), round(result.share_rate, 6), round(result.rows[0].present_value, 4)
    (168.6114, 0.0255, 34.9315)
    """
    rate = req.discount_rate
    share = 1.0 if req.share is None else req.share.rate(rate)
    if not 0 <= share <= 1:
        raise Invalid(f"分成率算得 {share:g}，超出 [0, 1]。", field="share_rate")
    if not 0 <= req.years <= len(req.amounts):
        raise Invalid(f"收益年限 {req.years} 年超出已填收益额的 {len(req.amounts)} 年。", field="years")
    rows = []
    for t, income in enumerate(req.amounts[: req.years], 1):
        k_t = share * (1 - req.share_rate_decay) ** (t - 1)
        after_tax = k_t * income * (1 - req.tax_rate)
        factor = discount_factor(rate, t, req.timing)
        rows.append(IncomeRow(t, income, k_t, after_tax, factor, after_tax * factor))
    value = math.fsum(row.present_value for row in rows)
    return IncomeResult(share, rate, req.years, tuple(rows), value)


def as_json(result: IncomeResult) -> dict[str, Any]:
    """The contract's output: ``{"share_rate", "discount_rate", "years", "rows": [...], "value"}``, unrounded."""
    return {
        "share_rate": result.share_rate,
        "discount_rate": result.discount_rate,
        "years": result.years,
        "rows": [
            {
                "year": r.year,
                "income": r.income,
                "share": r.share,
                "after_tax": r.after_tax,
                "discount_factor": r.discount_factor,
                "present_value": r.present_value,
            }
            for r in result.rows
        ],
        "value": result.value,
    }


_TOP = {"income", "share_rate", "tax_rate", "discount_rate", "years", "timing", "share_rate_decay"}


def parse_income_request(
    data: Any, score_indicators: ScoreIndicators | None = None, industries: Mapping[str, Any] | None = None
) -> IncomeRequest:
    """The contract's JSON object as an :class:`IncomeRequest`, every field checked; bad input raises ``Invalid``
    with a Chinese message naming the field (``income.amounts[2]``, ``share_rate.value``, ``discount_rate.premia.
    market``...). ``years`` defaults to the number of amounts, ``timing`` to ``end``, ``share_rate_decay`` to 0;
    ``share_rate`` is required unless the basis is ``incremental`` (then it must be left out: K = 1).
    ``score_indicators`` and ``industries`` (the industry ranges by code, default the shipped table) are passed to
    :func:`~zhengwu.valuation.model.share_rates.parse_share_rate`.

    >>> req = parse_income_request({"income": {"basis": "revenue", "amounts": [2000, 2200, 2400, 2500, 2500]},
    ...     "share_rate": {"method": "score", "range": [0.015, 0.03], "score": 70}, "tax_rate": 0.25,
    ...     "discount_rate": {"risk_free": 0.025, "premia": {"technology": 0.03, "market": 0.02, "funding": 0.01,
    ...     "management": 0.01}}, "years": 5, "timing": "end", "share_rate_decay": 0})
    >>> round(value_income(req).value * 10_000)  # 元
    1686114
    >>> parse_income_request({"income": {"basis": "revenue", "amounts": [100]}, "tax_rate": 1,
    ...     "share_rate": {"method": "explicit", "value": 0.08}, "discount_rate": 0.1})
    Traceback (most recent call last):
    ...
    zhengwu.core.errors.Invalid: 所得税税率须在 [0, 1) 之间，现为 1。
    """
    if not isinstance(data, Mapping):
        raise Invalid("请求须为 JSON 对象。", field=None)
    reject_unknown(data, _TOP, "")
    income = read_mapping(data, "income", "income", "收益")
    reject_unknown(income, {"basis", "amounts"}, "income.")
    basis_text = income.get("basis")
    if basis_text is None:
        raise Invalid("请选择收益基础（revenue、profit 或 incremental）。", field="income.basis")
    if not isinstance(basis_text, str) or basis_text not in Basis.__members__.values():
        raise Invalid(f"未知的收益基础“{basis_text}”，可选：revenue、profit、incremental。", field="income.basis")
    basis = Basis(basis_text)
    amounts = read_amounts(income, "amounts", "income.amounts", "收益额")

    tax = check_range(
        read_number(data, "tax_rate", "tax_rate", "所得税税率"), "tax_rate", "所得税税率", upper_open=True
    )
    discount = _parse_discount(data)
    rate = discount.rate if isinstance(discount, BuildUpRate) else discount
    check_range(rate, "discount_rate", "折现率", upper_open=True)

    share = None
    if basis is Basis.INCREMENTAL:
        if "share_rate" in data:
            raise Invalid("收益基础为增量收益时分成率为 1，请勿填写分成率。", field="share_rate")
    else:
        share_data = read_mapping(data, "share_rate", "share_rate", "分成率")
        share = parse_share_rate(share_data, score_indicators, industries)
        if share_data["method"] in PROFIT_ONLY and basis is not Basis.PROFIT:
            raise Invalid(
                f"“{share_data['method']}”得出的是利润分成率，收益基础须为利润（profit）。", field="income.basis"
            )

    years = _parse_years(data, len(amounts))
    timing_text = data.get("timing", "end")
    if not isinstance(timing_text, str) or timing_text not in Timing.__members__.values():
        raise Invalid(f"未知的折现时点“{timing_text}”，可选：end（年末）、mid（年中）。", field="timing")
    decay = read_number(data, "share_rate_decay", "share_rate_decay", "分成率年衰减率", default=0.0)
    check_range(decay, "share_rate_decay", "分成率年衰减率", upper_open=True)
    return IncomeRequest(basis, amounts, share, tax, discount, years, Timing(timing_text), decay)


def _parse_discount(data: Mapping[str, Any]) -> float | BuildUpRate:
    raw = data.get("discount_rate")
    if not isinstance(raw, Mapping):
        rate = read_number(data, "discount_rate", "discount_rate", "折现率")
        return check_range(rate, "discount_rate", "折现率", upper_open=True)
    reject_unknown(raw, {"risk_free", "premia"}, "discount_rate.")
    risk_free = read_number(raw, "risk_free", "discount_rate.risk_free", "无风险报酬率")
    check_range(risk_free, "discount_rate.risk_free", "无风险报酬率", upper_open=True)
    premia = read_mapping(raw, "premia", "discount_rate.premia", "风险报酬率")
    reject_unknown(premia, set(PREMIA), "discount_rate.premia.")
    values = {}
    for key, label in PREMIA.items():
        field = f"discount_rate.premia.{key}"
        values[key] = check_range(read_number(premia, key, field, label), field, label, upper_open=True)
    return BuildUpRate(risk_free, **values)


def _parse_years(data: Mapping[str, Any], available: int) -> int:
    years = data.get("years", available)
    if isinstance(years, bool) or not isinstance(years, int):
        raise Invalid("收益年限须为整数（年）。", field="years")
    if years < 0:
        raise Invalid(f"收益年限不能为负数，现为 {years}。", field="years")
    if years > available:
        raise Invalid(f"收益年限 {years} 年超过已填收益额的 {available} 年。", field="years")
    return years
