"""The market and cost approaches' pure cores: published exam examples of the cost approach (each test cites its
page), the market approach's formula and invariants, and bad input rejected in Chinese with the field named."""

from __future__ import annotations

import copy
import json
import math
from datetime import date
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from zhengwu.core.errors import Invalid
from zhengwu.valuation.model.cost import cost_as_json, parse_cost_request, value_cost
from zhengwu.valuation.model.market import market_as_json, parse_market_request, value_market

MARKET: dict[str, Any] = {
    "subject_pvd": 70,
    "as_of": "2024-06-30",
    "price_growth": 0.03,
    "comparables": [
        {"id": "D1", "price": 300, "pvd": 60, "deal_date": "2022-06-30", "weight": 1},
        {"id": "D2", "price": 420, "pvd": 80, "deal_date": "2023-06-30", "weight": 1},
        {"id": "D3", "price": 350, "pvd": 72, "deal_date": "2024-01-15", "weight": 2},
    ],
}


def _market(**changes: Any) -> dict[str, Any]:
    data = copy.deepcopy(MARKET)
    data.update(changes)
    return data


def _deal(k: int, **changes: Any) -> dict[str, Any]:
    data = _market()
    data["comparables"][k].update(changes)
    return data


def _market_value(data: dict[str, Any]) -> float:
    return value_market(parse_market_request(data)).value


# ----------------------------------------------------------------------------------------------- market approach


def test_the_market_value_is_the_weighted_mean_of_prices_adjusted_by_value_degree_ratio_and_date() -> None:
    result = value_market(parse_market_request(MARKET))
    expected = []
    for deal, days in (
        (MARKET["comparables"][0], 731),
        (MARKET["comparables"][1], 366),
        (MARKET["comparables"][2], 167),
    ):
        expected.append(deal["price"] * 70 / deal["pvd"] * 1.03 ** (days / 365.25))
    assert [row.adjusted for row in result.rows] == pytest.approx(expected, rel=1e-12)
    assert result.value == pytest.approx((expected[0] + expected[1] + 2 * expected[2]) / 4, rel=1e-12)
    assert [row.weight_share for row in result.rows] == [0.25, 0.25, 0.5]
    assert result.warnings == ()


def test_equal_weights_and_no_growth_give_the_quality_ratio_formula_of_db1304_t_432() -> None:
    # DB1304/T 432-2023《专利价值评估技术规范》§6.1.2 formula (4): V = (1/n) Σ V_i · Q / Q_i
    deals = [
        {"id": f"D{k}", "price": p, "pvd": q, "deal_date": "2024-01-01"}
        for k, (p, q) in enumerate([(300, 60), (420, 80), (350, 72)])
    ]
    value = _market_value({"subject_pvd": 70, "as_of": "2024-06-30", "comparables": deals})
    assert value == pytest.approx((300 * 70 / 60 + 420 * 70 / 80 + 350 * 70 / 72) / 3, rel=1e-12)


def test_a_deal_identical_to_the_subject_on_the_as_of_date_is_worth_its_price() -> None:
    data = {
        "subject_pvd": 55,
        "as_of": "2024-06-30",
        "price_growth": 0.2,
        "comparables": [{"id": "同一", "price": 123.45, "pvd": 55, "deal_date": "2024-06-30"}],
    }
    result = value_market(parse_market_request(data))
    assert result.value == pytest.approx(123.45, rel=1e-15)
    assert result.rows[0].date_factor == 1.0 and result.rows[0].pvd_factor == 1.0


def test_fewer_than_three_comparables_is_a_warning_not_an_error() -> None:
    data = _market(comparables=MARKET["comparables"][:2])
    result = market_as_json(value_market(parse_market_request(data)))
    assert len(result["warnings"]) == 1 and "少于 3 个" in result["warnings"][0]
    assert math.isfinite(result["value"])


def test_the_market_json_has_every_factor_per_comparable_and_round_trips() -> None:
    out = market_as_json(value_market(parse_market_request(MARKET)))
    assert sorted(out) == ["as_of", "comparables", "price_growth", "subject_pvd", "value", "warnings"]
    assert sorted(out["comparables"][0]) == [
        "adjusted",
        "date_factor",
        "deal_date",
        "id",
        "price",
        "pvd",
        "pvd_factor",
        "title",
        "weight",
        "weight_share",
        "years",
    ]
    assert json.loads(json.dumps(out)) == out


@given(
    st.floats(0, 100),
    st.floats(0.01, 100),
    st.floats(0, 1e6),
    st.floats(-0.9, 0.9),
    st.integers(0, 3650),
)
def test_the_market_value_is_linear_in_the_subjects_value_degree_and_finite(
    subject: float, pvd: float, price: float, growth: float, age: int
) -> None:
    deal_date = date.fromordinal(date(2024, 6, 30).toordinal() - age).isoformat()
    base = {
        "as_of": "2024-06-30",
        "price_growth": growth,
        "comparables": [{"id": "D", "price": price, "pvd": pvd, "deal_date": deal_date}],
    }
    value = _market_value({**base, "subject_pvd": subject})
    assert math.isfinite(value) and value >= 0
    assert _market_value({**base, "subject_pvd": subject / 2}) == pytest.approx(value / 2, rel=1e-9, abs=1e-12)


MARKET_BAD: list[tuple[str, Any, str]] = [
    ("a comparable's value degree of zero", _deal(1, pvd=0), "comparables[1].pvd"),
    ("no comparables", _market(comparables=[]), "comparables"),
    ("comparables missing", {k: v for k, v in MARKET.items() if k != "comparables"}, "comparables"),
    ("a deal after the as-of date", _deal(2, deal_date="2024-07-01"), "comparables[2].deal_date"),
    ("a negative price", _deal(0, price=-1), "comparables[0].price"),
    ("weights all zero", _market(comparables=[{**d, "weight": 0} for d in MARKET["comparables"]]), "comparables"),
    ("a negative weight", _deal(0, weight=-1), "comparables[0].weight"),
    ("a duplicate id", _deal(1, id="D1"), "comparables[1].id"),
    ("an impossible date", _deal(0, deal_date="2023-02-29"), "comparables[0].deal_date"),
    ("a date in another format", _market(as_of="2024/06/30"), "as_of"),
    ("a subject value degree above 100", _market(subject_pvd=101), "subject_pvd"),
    ("a growth of -100 %", _market(price_growth=-1), "price_growth"),
    ("a price as text", _deal(0, price="300万"), "comparables[0].price"),
    ("an unknown field", _deal(0, prise=300), "comparables[0].prise"),
    ("a deal a century old", _deal(0, deal_date="1900-01-01"), "comparables[0].deal_date"),
    ("not an object", [1], ""),
]


@pytest.mark.parametrize(("data", "field"), [(d, f) for _, d, f in MARKET_BAD], ids=[n for n, _, _ in MARKET_BAD])
def test_bad_market_input_is_refused_in_chinese_naming_the_field(data: Any, field: str) -> None:
    with pytest.raises(Invalid) as caught:
        parse_market_request(data)
    assert (caught.value.field or "") == field
    assert any("\u4e00" <= ch <= "\u9fff" for ch in caught.value.message)


# ----------------------------------------------------------------------------------------------- cost approach


def test_cost_example_price_index_and_newness_gives_14_35() -> None:
    # 价格鉴证师考试单项选择题 (app.ixiawen.com/question/15147085): costs 10 + 1 + 1 + 0.5 + 0.5 + 0.4 + 0.2 + 0.5
    # + 1 万元, price rises 8 % and 10 % (wages negligible, so only the production-goods index), 成新率 80 %:
    # 重置成本 15.1 × 1.08 × 1.10 = 17.94, 鉴证价格 17.94 × 80 % = 14.35万元 (answer A).
    amounts = [
        ("材料费", 10),
        ("工资费", 1),
        ("专用设备费", 1),
        ("资料费", 0.5),
        ("咨询鉴定费", 0.5),
        ("专利申请费", 0.4),
        ("培训费", 0.2),
        ("管理费分摊", 0.5),
        ("非专用设备折旧费分摊", 1),
    ]
    data = {
        "items": [{"name": n, "amount": a} for n, a in amounts],
        "price_index": 1.08 * 1.10,
        "obsolescence_rate": 0.2,
    }
    result = value_cost(parse_cost_request(data))
    assert round(result.replacement_cost, 2) == 17.94
    assert round(result.value, 2) == 14.35 and result.newness == pytest.approx(0.8)


def test_cost_example_used_five_years_with_three_left_gives_45() -> None:
    # 资产评估师考试单项选择题 (ti.zuoweng.com/ti/wJisKKKQ): 重置成本 120万元, used 5 years, 3 years left:
    # 贬值率 = 5 / (5 + 3) = 62.5 %, 评估价值 = 120 × (1 − 62.5 %) = 45万元 (answer A).
    result = value_cost(
        parse_cost_request({"items": [{"name": "重置成本", "amount": 120}], "years_used": 5, "remaining_life": 3})
    )
    assert result.obsolescence_rate == 0.625 and result.value == 45.0


def test_cost_example_with_a_profit_rate_and_expert_lives_gives_88_75() -> None:
    # 资产评估计算题 (222.198.130.40:8081 题库, 倍加系数法): (15 + 20 + 30 × 1.2) / (1 − 40 %) × (1 + 20 %) = 142万元,
    # 贬值率 3 / (3 + 5) = 37.5 %, 评估值 142 × (1 − 37.5 %) = 88.75万元. The doubling coefficient 1 / (1 − 40 %)
    # stands in the place of the price index; the cost-profit rate is 20 %.
    data = {
        "items": [
            {"name": "研制费用", "amount": 15},
            {"name": "材料", "amount": 20},
            {"name": "人工（30 × 1.2）", "amount": 36},
        ],
        "price_index": 1 / (1 - 0.4),
        "profit_rate": 0.2,
        "years_used": 3,
        "remaining_life": 5,
    }
    result = value_cost(parse_cost_request(data))
    assert result.replacement_cost == pytest.approx(142, rel=1e-12)
    assert round(result.value, 2) == 88.75


def test_the_cost_json_names_every_intermediate_figure() -> None:
    out = cost_as_json(
        value_cost(parse_cost_request({"items": [{"name": "研制成本", "amount": 100}], "obsolescence_rate": 0.25}))
    )
    assert out["years_used"] is None and out["remaining_life"] is None
    assert (out["historical_cost"], out["replacement_cost"], out["newness"], out["value"]) == (100, 100, 0.75, 75)
    assert json.loads(json.dumps(out)) == out


@given(st.floats(0, 1e9), st.floats(0.01, 10), st.floats(0, 5), st.floats(0, 50), st.floats(0.01, 50))
def test_the_cost_value_never_exceeds_the_replacement_cost_and_falls_with_use(
    amount: float, index: float, profit: float, used: float, remaining: float
) -> None:
    data = {
        "items": [{"name": "成本", "amount": amount}],
        "price_index": index,
        "profit_rate": profit,
        "years_used": used,
        "remaining_life": remaining,
    }
    result = value_cost(parse_cost_request(data))
    assert math.isfinite(result.value) and 0 <= result.value <= result.replacement_cost * (1 + 1e-12)
    older = value_cost(parse_cost_request({**data, "years_used": used + 1}))
    assert older.value <= result.value * (1 + 1e-12)


COST: dict[str, Any] = {
    "items": [{"name": "材料费", "amount": 10}],
    "price_index": 1.1,
    "profit_rate": 0.2,
    "years_used": 2,
    "remaining_life": 8,
}
COST_BAD: list[tuple[str, Any, str]] = [
    ("no items", {**COST, "items": []}, "items"),
    ("a negative amount", {**COST, "items": [{"name": "材料费", "amount": -1}]}, "items[0].amount"),
    ("an item without a name", {**COST, "items": [{"amount": 1}]}, "items[0].name"),
    ("a price index of zero", {**COST, "price_index": 0}, "price_index"),
    ("a negative profit rate", {**COST, "profit_rate": -0.1}, "profit_rate"),
    ("no life and no rate", {"items": COST["items"]}, "obsolescence_rate"),
    ("both life and rate", {**COST, "obsolescence_rate": 0.2}, "obsolescence_rate"),
    ("years used missing", {k: v for k, v in COST.items() if k != "years_used"}, "years_used"),
    ("both lives zero", {**COST, "years_used": 0, "remaining_life": 0}, "remaining_life"),
    ("an obsolescence rate above one", {"items": COST["items"], "obsolescence_rate": 1.2}, "obsolescence_rate"),
    ("a null amount", {**COST, "items": [{"name": "材料费", "amount": None}]}, "items[0].amount"),
    ("an unknown field", {**COST, "newness": 0.8}, "newness"),
]


@pytest.mark.parametrize(("data", "field"), [(d, f) for _, d, f in COST_BAD], ids=[n for n, _, _ in COST_BAD])
def test_bad_cost_input_is_refused_in_chinese_naming_the_field(data: Any, field: str) -> None:
    with pytest.raises(Invalid) as caught:
        parse_cost_request(data)
    assert caught.value.field == field
    assert any("\u4e00" <= ch <= "\u9fff" for ch in caught.value.message)
