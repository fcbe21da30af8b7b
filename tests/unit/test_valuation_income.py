"""The income approach's pure core: the worked example of issue #6, published textbook and exam examples (each test
cites its page), invariants as Hypothesis properties, and every bad input of the issue's list rejected in Chinese
with the contract's field named.
"""

from __future__ import annotations

import copy
import json
import math
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from zhengwu.core.errors import Invalid
from zhengwu.valuation.model.income import (
    Basis,
    BuildUpRate,
    IncomeRequest,
    Timing,
    as_json,
    income_years,
    parse_income_request,
    value_income,
)
from zhengwu.valuation.model.industries import ranges_from_rows
from zhengwu.valuation.model.share_rates import (
    EquivalentInvestmentShare,
    ExplicitShare,
    IncrementalProfitShare,
    SalesToProfitShare,
    ScoreShare,
)

# The worked example of issue #6 ("The contract"): PVD 70, machinery range 1.5–3 %, revenue in 万元, tax 25 %,
# i = 2.5 % + 3 % + 2 % + 1 % + 1 % = 9.5 %, end of year: 168.6114万元.
EXAMPLE: dict[str, Any] = {
    "income": {"basis": "revenue", "amounts": [2000, 2200, 2400, 2500, 2500]},
    "share_rate": {"method": "score", "range": [0.015, 0.03], "score": 70},
    "tax_rate": 0.25,
    "discount_rate": {
        "risk_free": 0.025,
        "premia": {"technology": 0.03, "market": 0.02, "funding": 0.01, "management": 0.01},
    },
    "years": 5,
    "timing": "end",
    "share_rate_decay": 0,
}


def _value(data: dict[str, Any]) -> float:
    return value_income(parse_income_request(data)).value


def _with(**changes: Any) -> dict[str, Any]:
    data = copy.deepcopy(EXAMPLE)
    data.update(changes)
    return data


# ----------------------------------------------------------------------------------------------- reference values


def test_the_issues_worked_example_is_reproduced_to_the_yuan() -> None:
    result = value_income(parse_income_request(EXAMPLE))
    assert result.share_rate == pytest.approx(0.0255, abs=1e-15)
    assert result.discount_rate == pytest.approx(0.095, abs=1e-15)
    assert round(result.value * 10_000) == 1_686_114  # 168.6114万元 → 1,686,114 元 (exact: 1,686,113.99 元)
    assert [r.year for r in result.rows] == [1, 2, 3, 4, 5]
    assert result.rows[0].after_tax == pytest.approx(2000 * 0.0255 * 0.75, rel=1e-15)
    assert math.fsum(r.present_value for r in result.rows) == result.value


def test_the_contract_output_has_the_issues_keys_and_is_strict_json() -> None:
    out = as_json(value_income(parse_income_request(EXAMPLE)))
    assert list(out) == ["share_rate", "discount_rate", "years", "rows", "value"]
    assert list(out["rows"][0]) == ["year", "income", "share", "after_tax", "discount_factor", "present_value"]
    assert json.loads(json.dumps(out, allow_nan=False)) == out  # unrounded floats, never NaN


@pytest.mark.parametrize(
    ("costs", "published"),
    [
        # 120 × (1 + 400 %) / (600 + 6000 × 1.08) = 8.47 %; the issue's own contract example uses the same figures:
        # http://222.198.130.40:8081/view/Subject/showsubject.aspx?id=1b7004534948456bbf31839a128c99ef
        ((120, 4.0, 6000, 0.08), 0.0847),
        # 80 万 × (1 + 5 %) = 84, × 500 % ... 420 / (4500 + 420) = 8.54 % (资产评估师 exam, answer D):
        # https://tikuer.com/zcpgswe/123429.html and https://ti.zuoweng.com/ti/7RZKKKKQ
        ((84, 4.0, 4000, 0.125), 0.0854),
        # 600 / (5500 + 600) = 9.84 % (answer B): https://ti.zuoweng.com/ti/AbZKKKKQ
        ((100, 5.0, 5000, 0.10), 0.0984),
    ],
)
def test_equivalent_investment_split_matches_published_exam_answers(
    costs: tuple[float, float, float, float], published: float
) -> None:
    assert EquivalentInvestmentShare(*costs).rate(0.1) == pytest.approx(published, abs=0.00005)  # to 0.01 %


def test_equivalent_investment_income_valuation_matches_the_published_worked_answer() -> None:
    # http://dfrtw.com/zhuanlichaxun/70401.html: patent 100万 at 500 %, licensee assets 3000万 at 10 %, after-tax
    # profit 400, 420, 430, 450, 440万, i = 6 % + 4 % = 10 %, 5 years: 248.45万元. The page rounds K to 15.39 %
    # (600 / 3900 is 15.3846 %) and the discount factors to 4 decimals; with its K the value agrees to the cent,
    # with the exact K it is 248.36万元.
    data = {
        "income": {"basis": "profit", "amounts": [400, 420, 430, 450, 440]},
        "share_rate": {"method": "explicit", "value": 0.1539},
        "tax_rate": 0,
        "discount_rate": {
            "risk_free": 0.06,
            "premia": {"technology": 0.04, "market": 0, "funding": 0, "management": 0},
        },
    }
    assert round(_value(data), 2) == 248.45
    data["share_rate"] = {
        "method": "equivalent_investment",
        "patent_cost": 100,
        "patent_profit_rate": 5.0,
        "licensee_cost": 3000,
        "licensee_profit_rate": 0.10,
    }
    assert round(_value(data), 2) == 248.36


def test_an_annuity_of_incremental_income_matches_the_published_answer() -> None:
    # https://swop.cn/cms/gaopinkaodianyiqu/72756.html: cost down 0.5 元 and price up 2.5 元 on 10万 pieces a year,
    # pre-tax incremental income 30万, tax 25 %, 10 %, 5 years: 22.5 × (P/A, 10 %, 5) = 22.5 × 3.7908 = 85.29万元.
    data = {"income": {"basis": "incremental", "amounts": [30] * 5}, "tax_rate": 0.25, "discount_rate": 0.1}
    result = value_income(parse_income_request(data))
    assert result.share_rate == 1
    assert round(result.value, 2) == 85.29


def test_an_arithmetically_declining_income_matches_the_published_answer() -> None:
    # https://tihaiku.com/caiwukuaiji/2136931.html (also ti.zuoweng.com/ti/nkNNKKKQ): first-year income 100万
    # falling 10万 a year, so 10 years (not the 20-year legal term), 10 %: 385.54万元.
    data = {
        "income": {"basis": "incremental", "amounts": [100 - 10 * k for k in range(10)]},
        "tax_rate": 0,
        "discount_rate": 0.1,
    }
    assert round(_value(data), 2) == 385.54


def test_incremental_profit_share_is_the_ratio_of_present_values() -> None:
    # http://222.198.130.40:8081/view/Subject/showsubject.aspx?id=18e26549134e4370ad5d27d6d300cea1: incremental
    # 100万 of total 300万 a year, 5 years, 10 %: PVs 379.08 and 1137.24, share 33.3 %.
    share = IncrementalProfitShare((100.0,) * 5, (300.0,) * 5)
    assert share.rate(0.1) == pytest.approx(1 / 3, rel=1e-12)
    data = {"income": {"basis": "incremental", "amounts": [100] * 5}, "tax_rate": 0, "discount_rate": 0.1}
    assert round(_value(data), 2) == 379.08


def test_sales_royalty_divided_by_profit_margin_gives_the_profit_share() -> None:
    # https://epsq.cn/post/297305.html (自考 2004.4 单选 19): profit share 25 % at a 15 % sales margin is a 3.75 %
    # sales royalty; conversely 3.75 % ÷ 15 % = 25 %.
    assert SalesToProfitShare(0.0375, 0.15).rate(0.1) == pytest.approx(0.25, rel=1e-12)


def test_share_rate_decays_geometrically_and_mid_year_uses_half_a_year_less() -> None:
    data = _with(share_rate_decay=0.1, timing="mid")
    rows = value_income(parse_income_request(data)).rows
    assert rows[2].share == pytest.approx(0.0255 * 0.9**2, rel=1e-14)
    assert rows[2].discount_factor == pytest.approx(1.095**-2.5, rel=1e-14)


def test_income_years_is_the_shorter_of_legal_term_and_economic_life_in_whole_years() -> None:
    # the exam example of https://66tiku.cn/363/539861.html: 7 years of protection left, economic life 5 years
    assert income_years(7, 5) == 5
    assert income_years(3.9, 10) == 3
    assert income_years(0, 8) == 0
    with pytest.raises(Invalid) as err:
        income_years(5, math.nan)
    assert err.value.field == "economic_life"


def test_an_industry_code_takes_its_range_from_the_table() -> None:
    # Issue #6: "machinery 1.5–3%"; the worked example names the range, the same request by industry agrees.
    by_industry = _with(share_rate={"method": "score", "industry": "machinery", "score": 70})
    assert round(value_income(parse_income_request(by_industry)).value * 10_000) == 1_686_114
    edited = ranges_from_rows([{"code": "machinery", "name": "机械制造", "low": 0.02, "high": 0.04}])
    share = value_income(parse_income_request(by_industry, industries=edited)).share_rate
    assert share == pytest.approx(0.02 + 0.02 * 0.7)


def test_fewer_years_than_amounts_values_only_the_first_years() -> None:
    two = value_income(parse_income_request(_with(years=2)))
    assert two.years == 2 and len(two.rows) == 2
    assert two.value == pytest.approx(
        sum(r.present_value for r in value_income(parse_income_request(EXAMPLE)).rows[:2])
    )


def test_omitted_years_timing_and_decay_default_to_all_years_end_of_year_and_no_decay() -> None:
    data = {k: v for k, v in EXAMPLE.items() if k not in {"years", "timing", "share_rate_decay"}}
    assert _value(data) == _value(EXAMPLE)


def test_an_indicator_score_goes_through_the_hook_when_one_is_given() -> None:
    data = _with(share_rate={"method": "score", "range": [0.015, 0.03], "indicators": {"legal": 80}})
    req = parse_income_request(data, score_indicators=lambda _: 70.0)
    assert value_income(req).value == _value(EXAMPLE)


# ----------------------------------------------------------------------------------------------- invariants

_amounts = st.lists(st.floats(0, 1e6), min_size=1, max_size=20)
_rates = st.floats(0, 0.99)


def _request(amounts: list[float], k: float, tax: float, i: float, timing: Timing = Timing.END) -> IncomeRequest:
    return IncomeRequest(Basis.REVENUE, tuple(amounts), ExplicitShare(k), tax, i, len(amounts), timing)


@given(_amounts, st.floats(0, 1), st.floats(0, 1), _rates, _rates)
def test_value_is_non_decreasing_in_the_share_rate(
    amounts: list[float], a: float, b: float, tax: float, i: float
) -> None:
    low, high = sorted((a, b))
    assert value_income(_request(amounts, low, tax, i)).value <= value_income(_request(amounts, high, tax, i)).value


@given(_amounts, st.data(), st.floats(0, 1e6), st.floats(0, 1), _rates, _rates)
def test_value_is_non_decreasing_in_each_years_income(
    amounts: list[float], data: st.DataObject, extra: float, k: float, tax: float, i: float
) -> None:
    t = data.draw(st.integers(0, len(amounts) - 1))
    more = [*amounts]
    more[t] += extra
    assert value_income(_request(amounts, k, tax, i)).value <= value_income(_request(more, k, tax, i)).value


@given(st.lists(st.floats(1, 1e6), min_size=1, max_size=20), st.floats(0.01, 1), _rates, _rates, _rates)
def test_value_decreases_as_the_discount_rate_rises(
    amounts: list[float], k: float, tax: float, a: float, b: float
) -> None:
    low, high = sorted((a, b))
    v_low, v_high = (
        value_income(_request(amounts, k, tax, low)).value,
        value_income(_request(amounts, k, tax, high)).value,
    )
    assert v_high <= v_low
    if high - low > 1e-6:
        assert v_high < v_low


@given(_amounts, st.floats(0, 1), _rates, _rates)
def test_zero_years_are_worth_nothing(amounts: list[float], k: float, tax: float, i: float) -> None:
    req = IncomeRequest(Basis.REVENUE, tuple(amounts), ExplicitShare(k), tax, i, 0)
    result = value_income(req)
    assert result.value == 0 and result.rows == ()


@given(_amounts, st.floats(0, 1), _rates, _rates)
def test_mid_year_discounting_is_worth_at_least_end_of_year(
    amounts: list[float], k: float, tax: float, i: float
) -> None:
    end = value_income(_request(amounts, k, tax, i)).value
    assert value_income(_request(amounts, k, tax, i, Timing.MID)).value >= end


@given(st.floats(0, 1e6), st.floats(0, 100), st.floats(0, 1e6), st.floats(0, 100), st.floats(0, 0.99))
def test_equivalent_investment_share_stays_within_zero_and_one(
    cp: float, rp: float, cb: float, rb: float, i: float
) -> None:
    if cp + cb > 0:
        assert 0 <= EquivalentInvestmentShare(cp, rp, cb, rb).rate(i) <= 1


@given(st.floats(0, 1), st.floats(0, 1), st.floats(0, 100))
def test_score_share_lies_within_its_range(a: float, b: float, score: float) -> None:
    low, high = sorted((a, b))
    assert low - 1e-15 <= ScoreShare(low, high, score).rate(0.1) <= high + 1e-15


def test_build_up_rate_is_the_sum_of_risk_free_rate_and_premia() -> None:
    assert BuildUpRate(0.025, 0.03, 0.02, 0.01, 0.01).rate == pytest.approx(0.095, abs=1e-15)


# ----------------------------------------------------------------------------------------------- bad input

_SALES = {"method": "sales_to_profit", "sales_royalty": 0.03, "profit_margin": 0.12}
_EQUIV = {
    "method": "equivalent_investment",
    "patent_cost": 120,
    "patent_profit_rate": 4.0,
    "licensee_cost": 6000,
    "licensee_profit_rate": 0.08,
}
_PROFIT = {"basis": "profit", "amounts": [100, 100]}
_BAD: list[tuple[str, dict[str, Any], str]] = [
    ("discount rate of one", _with(discount_rate=1), "discount_rate"),
    ("negative discount rate", _with(discount_rate=-0.01), "discount_rate"),
    ("discount rate as text", _with(discount_rate="10%"), "discount_rate"),
    ("missing discount rate", {k: v for k, v in EXAMPLE.items() if k != "discount_rate"}, "discount_rate"),
    (
        "built-up rate reaching one",
        _with(
            discount_rate={"risk_free": 0.5, "premia": {"technology": 0.5, "market": 0, "funding": 0, "management": 0}}
        ),
        "discount_rate",
    ),
    (
        "missing premium",
        _with(discount_rate={"risk_free": 0.02, "premia": {"technology": 0.03, "market": 0.02, "management": 0.01}}),
        "discount_rate.premia.funding",
    ),
    (
        "unknown premium",
        _with(
            discount_rate={
                "risk_free": 0.02,
                "premia": {"technology": 0, "market": 0, "funding": 0, "management": 0, "country": 0.01},
            }
        ),
        "discount_rate.premia.country",
    ),
    ("missing risk-free rate", _with(discount_rate={"premia": {}}), "discount_rate.risk_free"),
    ("tax rate of one", _with(tax_rate=1), "tax_rate"),
    ("negative tax rate", _with(tax_rate=-0.25), "tax_rate"),
    ("tax rate as bool", _with(tax_rate=True), "tax_rate"),
    ("tax rate NaN", _with(tax_rate=math.nan), "tax_rate"),
    ("missing tax rate", {k: v for k, v in EXAMPLE.items() if k != "tax_rate"}, "tax_rate"),
    ("share above one", _with(share_rate={"method": "explicit", "value": 1.2}), "share_rate.value"),
    ("negative share", _with(share_rate={"method": "explicit", "value": -0.1}), "share_rate.value"),
    (
        "score above 100",
        _with(share_rate={"method": "score", "range": [0.015, 0.03], "score": 101}),
        "share_rate.score",
    ),
    (
        "range upside down",
        _with(share_rate={"method": "score", "range": [0.03, 0.015], "score": 70}),
        "share_rate.range",
    ),
    (
        "range bound above one",
        _with(share_rate={"method": "score", "range": [0.015, 3], "score": 70}),
        "share_rate.range[1]",
    ),
    (
        "unknown industry",
        _with(share_rate={"method": "score", "industry": "shipbuilding", "score": 70}),
        "share_rate.industry",
    ),
    (
        "industry and range both given",
        _with(share_rate={"method": "score", "industry": "machinery", "range": [0.015, 0.03], "score": 70}),
        "share_rate.industry",
    ),
    (
        "neither industry nor range",
        _with(share_rate={"method": "score", "score": 70}),
        "share_rate.range",
    ),
    (
        "indicators without hook",
        _with(share_rate={"method": "score", "range": [0.015, 0.03], "indicators": {}}),
        "share_rate.indicators",
    ),
    (
        "profit margin of zero",
        _with(income=_PROFIT, share_rate={**_SALES, "profit_margin": 0}),
        "share_rate.profit_margin",
    ),
    (
        "royalty above margin",
        _with(income=_PROFIT, share_rate={**_SALES, "sales_royalty": 0.2}),
        "share_rate.sales_royalty",
    ),
    ("profit share on revenue", _with(share_rate=_SALES), "income.basis"),
    (
        "negative patent cost",
        _with(income=_PROFIT, share_rate={**_EQUIV, "patent_cost": -1}),
        "share_rate.patent_cost",
    ),
    (
        "missing licensee cost",
        _with(income=_PROFIT, share_rate={k: v for k, v in _EQUIV.items() if k != "licensee_cost"}),
        "share_rate.licensee_cost",
    ),
    (
        "incremental above total",
        _with(income=_PROFIT, share_rate={"method": "incremental_profit", "incremental": [5, 1], "total": [4, 4]}),
        "share_rate.incremental[0]",
    ),
    (
        "incremental and total of unequal years",
        _with(income=_PROFIT, share_rate={"method": "incremental_profit", "incremental": [1], "total": [4, 4]}),
        "share_rate.total",
    ),
    ("unknown method", _with(share_rate={"method": "royalty", "value": 0.05}), "share_rate.method"),
    ("missing method", _with(share_rate={"value": 0.05}), "share_rate.method"),
    ("misspelt field", _with(share_rate={"method": "explicit", "vaule": 0.05}), "share_rate.vaule"),
    ("missing share rate", {k: v for k, v in EXAMPLE.items() if k != "share_rate"}, "share_rate"),
    ("share rate with incremental income", _with(income={"basis": "incremental", "amounts": [1]}), "share_rate"),
    ("missing income", {k: v for k, v in EXAMPLE.items() if k != "income"}, "income"),
    ("unknown basis", _with(income={"basis": "sales", "amounts": [1]}), "income.basis"),
    ("missing basis", _with(income={"amounts": [1]}), "income.basis"),
    ("missing amounts", _with(income={"basis": "revenue"}), "income.amounts"),
    ("empty amounts", _with(income={"basis": "revenue", "amounts": []}, years=0), "income.amounts"),
    ("amount as text", _with(income={"basis": "revenue", "amounts": [2000, 2200, "2400"]}), "income.amounts[2]"),
    ("amount as bool", _with(income={"basis": "revenue", "amounts": [2000, True]}), "income.amounts[1]"),
    ("amount null", _with(income={"basis": "revenue", "amounts": [None]}), "income.amounts[0]"),
    ("amount too large for a float", _with(income={"basis": "revenue", "amounts": [10**400]}), "income.amounts[0]"),
    ("amount infinite", _with(income={"basis": "revenue", "amounts": [math.inf]}), "income.amounts[0]"),
    ("negative amount", _with(income={"basis": "revenue", "amounts": [1, 2, 3, -4]}), "income.amounts[3]"),
    ("amounts as text", _with(income={"basis": "revenue", "amounts": "2000"}), "income.amounts"),
    ("more years than amounts", _with(years=6), "years"),
    ("fractional years", _with(years=2.5), "years"),
    ("negative years", _with(years=-1), "years"),
    ("unknown timing", _with(timing="start"), "timing"),
    ("decay of one", _with(share_rate_decay=1), "share_rate_decay"),
    ("unknown top-level field", _with(discount=0.1), "discount"),
]


@pytest.mark.parametrize(("data", "field"), [(d, f) for _, d, f in _BAD], ids=[n for n, _, _ in _BAD])
def test_bad_input_is_rejected_in_chinese_naming_the_field(data: dict[str, Any], field: str) -> None:
    with pytest.raises(Invalid) as err:
        value_income(parse_income_request(data))
    assert err.value.field == field
    assert any("\u4e00" <= c <= "\u9fff" for c in err.value.message)


def test_a_request_that_is_not_an_object_is_rejected() -> None:
    with pytest.raises(Invalid, match="JSON 对象"):
        parse_income_request([EXAMPLE])


def test_the_example_still_parses_after_the_bad_inputs_were_built() -> None:
    assert round(_value(EXAMPLE) * 10_000) == 1_686_114  # _with copies: the shared example is never mutated
