"""The cost approach (成本法) to a patent's value, pure: replacement cost less obsolescence.

    replacement cost  C = Σ cost items · price index · (1 + cost-profit rate)
    newness (成新率)   N = remaining economic life ÷ (years used + remaining economic life),  or  N = 1 − given
                          obsolescence rate (贬值率)
    value             V = C · N

The cost items are what it took to create the patent (research and design, materials, labour, equipment, fees for
searching, filing and examination, management and other costs: 研制成本 and 交易成本), at historical prices; the price
index (≥ 0, e.g. (1 + 8%)·(1 + 10%) = 1.188 over two years) brings them to today's prices, and the cost-profit rate
adds the developer's reasonable profit. Money in any unit, the value in the same unit; numbers unrounded.
References: 《资产评估实务（一）》无形资产评估·成本法 (重置成本 × 成新率, 贬值率 = 已使用年限 ÷ (已使用年限 +
剩余使用年限)); the published exam answers cited in tests/unit/test_valuation_market_cost.py.

The JSON request (``zhengwu valuation cost`` and ``POST /api/valuation/cost``), with either ``years_used`` and
``remaining_life`` or ``obsolescence_rate``::

    {"items": [{"name": "材料费", "amount": 10}, {"name": "人工费", "amount": 1}], "price_index": 1.188,
     "profit_rate": 0, "years_used": 5, "remaining_life": 3}
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from zhengwu.core.errors import Invalid
from zhengwu.valuation.model.share_rates import MAX_YEARS, check_range, read_number, reject_unknown

MAX_ITEMS = 100
MAX_INDEX = 100.0  # a price index above 100 (prices up a hundredfold) is a unit mistake
MAX_PROFIT_RATE = 100.0  # 10,000 %; the equivalent-investment examples use 400 %
_TOP = {"items", "price_index", "profit_rate", "years_used", "remaining_life", "obsolescence_rate"}


@dataclass(frozen=True)
class CostItem:
    name: str
    amount: float


@dataclass(frozen=True)
class CostRequest:
    """``years_used`` and ``remaining_life`` are both given, or both None and ``obsolescence_rate`` given."""

    items: tuple[CostItem, ...]
    price_index: float = 1.0
    profit_rate: float = 0.0
    years_used: float | None = None
    remaining_life: float | None = None
    obsolescence_rate: float | None = None


@dataclass(frozen=True)
class CostResult:
    items: tuple[CostItem, ...]
    historical_cost: float
    price_index: float
    profit_rate: float
    replacement_cost: float
    years_used: float | None
    remaining_life: float | None
    obsolescence_rate: float
    newness: float
    value: float


def newness_rate(years_used: float, remaining_life: float) -> float:
    """成新率 N = remaining ÷ (used + remaining); the obsolescence rate is 1 − N.

    >>> newness_rate(5, 3)  # used 5 years, 3 left: 3/8
    0.375
    """
    return remaining_life / (years_used + remaining_life)


def value_cost(req: CostRequest) -> CostResult:
    """The value by the cost approach (see the module docstring).

    Replacement cost 120, used 5 years, 3 years left: obsolescence 5/8, value 120 × 3/8 = 45.

    >>> result = value_cost(CostRequest((CostItem("重置成本", 120),), years_used=5, remaining_life=3))
    >>> result.replacement_cost, result.obsolescence_rate, result.value
    (120.0, 0.625, 45.0)
    """
    historical = math.fsum(item.amount for item in req.items)
    replacement = historical * req.price_index * (1 + req.profit_rate)
    if req.years_used is not None and req.remaining_life is not None:
        newness = newness_rate(req.years_used, req.remaining_life)
        obsolescence = 1 - newness
    elif req.obsolescence_rate is not None:
        obsolescence = req.obsolescence_rate
        newness = 1 - obsolescence
    else:  # pragma: no cover - the parser requires one of the two
        raise Invalid("请填写已使用年限与剩余经济寿命，或贬值率。", field="obsolescence_rate")
    return CostResult(
        req.items,
        historical,
        req.price_index,
        req.profit_rate,
        replacement,
        req.years_used,
        req.remaining_life,
        obsolescence,
        newness,
        replacement * newness,
    )


def cost_as_json(result: CostResult) -> dict[str, Any]:
    """``{"items": [{"name", "amount"}], "historical_cost", "price_index", "profit_rate", "replacement_cost",
    "years_used", "remaining_life", "obsolescence_rate", "newness", "value"}``, unrounded; the two years are
    ``null`` when the obsolescence rate was given."""
    return {
        "items": [{"name": item.name, "amount": item.amount} for item in result.items],
        "historical_cost": result.historical_cost,
        "price_index": result.price_index,
        "profit_rate": result.profit_rate,
        "replacement_cost": result.replacement_cost,
        "years_used": result.years_used,
        "remaining_life": result.remaining_life,
        "obsolescence_rate": result.obsolescence_rate,
        "newness": result.newness,
        "value": result.value,
    }


def parse_cost_request(data: Any) -> CostRequest:
    """The cost request's JSON as a :class:`CostRequest`, every field checked; bad input raises ``Invalid`` naming
    the field (``items[2].amount``, ``price_index``, ``remaining_life``...). ``price_index`` defaults to 1 and
    ``profit_rate`` to 0; give either ``years_used`` and ``remaining_life`` (years ≥ 0, not both 0) or
    ``obsolescence_rate`` in [0, 1], not both.

    >>> req = parse_cost_request({"items": [{"name": "研制成本", "amount": 100}], "obsolescence_rate": 0.2})
    >>> value_cost(req).value
    80.0
    >>> parse_cost_request({"items": [{"name": "研制成本", "amount": 100}]})
    Traceback (most recent call last):
    ...
    zhengwu.core.errors.Invalid: 请填写已使用年限与剩余经济寿命，或贬值率。
    """
    if not isinstance(data, Mapping):
        raise Invalid("请求须为 JSON 对象。", field=None)
    reject_unknown(data, _TOP, "")
    items = _items(data.get("items"))
    index = read_number(data, "price_index", "price_index", "物价指数", default=1.0)
    if not 0 < index <= MAX_INDEX:
        raise Invalid(f"物价指数须在 (0, {MAX_INDEX:g}] 之间，现为 {index:g}。", field="price_index")
    profit = read_number(data, "profit_rate", "profit_rate", "成本利润率", default=0.0)
    check_range(profit, "profit_rate", "成本利润率", upper=MAX_PROFIT_RATE)
    has_years = "years_used" in data or "remaining_life" in data
    if has_years and "obsolescence_rate" in data:
        raise Invalid("已使用年限、剩余经济寿命与贬值率只能填写一种。", field="obsolescence_rate")
    if not has_years:
        if "obsolescence_rate" not in data:
            raise Invalid(
                "请填写已使用年限与剩余经济寿命，或贬值率。",
                field="obsolescence_rate",
            )
        rate = check_range(
            read_number(data, "obsolescence_rate", "obsolescence_rate", "贬值率"), "obsolescence_rate", "贬值率"
        )
        return CostRequest(items, index, profit, obsolescence_rate=rate)
    used = read_number(data, "years_used", "years_used", "已使用年限")
    check_range(used, "years_used", "已使用年限", upper=MAX_YEARS)
    remaining = read_number(data, "remaining_life", "remaining_life", "剩余经济寿命")
    check_range(remaining, "remaining_life", "剩余经济寿命", upper=MAX_YEARS)
    if used + remaining == 0:
        raise Invalid("已使用年限与剩余经济寿命不能同时为 0。", field="remaining_life")
    return CostRequest(items, index, profit, used, remaining)


def _items(raw: Any) -> tuple[CostItem, ...]:
    if raw is None:
        raise Invalid("请填写成本项目。", field="items")
    if isinstance(raw, str | bytes) or not isinstance(raw, Sequence):
        raise Invalid('成本项目须为列表：[{"name": 名称, "amount": 金额}]。', field="items")
    if not raw:
        raise Invalid("请至少填写一项成本。", field="items")
    if len(raw) > MAX_ITEMS:
        raise Invalid(f"成本项目最多 {MAX_ITEMS} 项，现为 {len(raw)} 项。", field="items")
    items = []
    for k, item in enumerate(raw):
        at, nth = f"items[{k}]", f"第 {k + 1} 项成本"
        if not isinstance(item, Mapping):
            raise Invalid(f'{nth}须为对象：{{"name": 名称, "amount": 金额}}。', field=at)
        reject_unknown(item, {"name", "amount"}, f"{at}.")
        name = item.get("name")
        if not isinstance(name, str) or not name.strip():
            raise Invalid(f"请填写{nth}的名称。", field=f"{at}.name")
        if len(name) > 100:
            raise Invalid(f"{nth}的名称过长（最多 100 个字符）。", field=f"{at}.name")
        amount = read_number(item, "amount", f"{at}.amount", f"{nth}的金额")
        if amount < 0:
            raise Invalid(f"{nth}的金额不能为负数，现为 {amount:g}。", field=f"{at}.amount")
        items.append(CostItem(name.strip(), amount))
    return tuple(items)
