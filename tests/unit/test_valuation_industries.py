"""Industry sales-royalty ranges and the indicator system as the ``score`` method's hook (issue #6).

Reference value: the issue's worked example — scores giving LVD 80, TVD 70, EVD 60 with α=0.3, β=0.4, γ=0.3 give
PVD 70; the machinery range 1.5–3 % gives K = 2.55 %; revenue 2000, 2200, 2400, 2500, 2500万 over 5 years, tax 25 %,
i = 2.5 % + 3 % + 2 % + 1 % + 1 % = 9.5 %, end of year: 168.6114万元 (1,686,114 元). The industry ranges are the
figures issue #6 gives; no stored public page with the UNIDO table was found to cite beyond them.
"""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from zhengwu.core.errors import Invalid
from zhengwu.valuation.model.default_profile import default_profile
from zhengwu.valuation.model.income import parse_income_request, value_income
from zhengwu.valuation.model.indicators import AUTO_SCORER
from zhengwu.valuation.model.industries import (
    UNIDO_RANGES,
    UNIDO_ROWS,
    IndustryRange,
    industry_range,
    ranges_from_rows,
    ranges_to_rows,
)
from zhengwu.valuation.model.scoring import evaluate_indicators, evaluation_as_json, score_indicators_with
from zhengwu.valuation.model.share_rates import METHODS, parse_share_rate

PROFILE = default_profile()


def expect_invalid(field: str, call: Any, *args: Any) -> Invalid:
    """``call(*args)`` raises ``Invalid`` naming exactly ``field`` with a Chinese message."""
    with pytest.raises(Invalid) as caught:
        call(*args)
    assert caught.value.field == field, caught.value.field
    assert caught.value.message
    return caught.value


def expert(value: int) -> dict[str, Any]:
    return {"value": value, "scorer": "李评估师", "reason": "依据检索报告与市场调研"}


def worked_example_scores() -> dict[str, dict[str, Any]]:
    """Levels giving LVD 80, TVD 70, EVD 60 on the default profile (as in test_valuation_indicators.py)."""
    legal = ["stability", "design_around", "claim_count", "dependence", "infringement_provability"]
    legal += ["remaining_term", "multi_country", "licensing"]
    technical_rest = ("industry_trend", "application_range", "complementary_dependence", "substitutability", "maturity")
    economic = ("market_application", "market_size", "market_share", "competition", "policy_fit")
    scores = {c: expert(8) for c in legal}
    scores |= {"advancement": expert(10), "forward_citations": expert(10)}  # 先进性 0.25 × 100
    scores |= {c: expert(6) for c in technical_rest}  # 0.75 × 60
    scores |= {c: expert(6) for c in economic}
    return scores


def worked_example_request(indicators: Any) -> dict[str, Any]:
    return {
        "income": {"basis": "revenue", "amounts": [2000, 2200, 2400, 2500, 2500]},
        "share_rate": {"method": "score", "range": list(industry_range("machinery")), "indicators": indicators},
        "tax_rate": 0.25,
        "discount_rate": {
            "risk_free": 0.025,
            "premia": {"technology": 0.03, "market": 0.02, "funding": 0.01, "management": 0.01},
        },
        "years": 5,
        "timing": "end",
    }


def facts(**kw: Any) -> dict[str, Any]:
    return {"patent_type": "invention", "filing_date": "2015-03-01", "as_of": "2024-06-30", **kw}


# ------------------------------------------------------------------------------------------- industry ranges


def test_the_issues_three_industries_carry_their_unido_ranges() -> None:
    assert industry_range("machinery") == (0.015, 0.03)
    assert industry_range("pharmaceuticals") == (0.025, 0.04)
    assert industry_range("optical_electronic") == (0.07, 0.10)
    assert [r["name"] for r in UNIDO_ROWS] == ["机械制造", "制药", "光学及电子产品"]
    assert list(UNIDO_RANGES) == ["machinery", "pharmaceuticals", "optical_electronic"]


def test_an_unknown_industry_is_refused_naming_share_rate_industry_and_listing_the_codes() -> None:
    error = expect_invalid("share_rate.industry", industry_range, "shipbuilding")
    assert "machinery（机械制造）" in error.message
    expect_invalid("share_rate.industry", industry_range, None)
    expect_invalid("share_rate.industry", industry_range, 3)


def test_an_edited_table_replaces_the_shipped_one() -> None:
    rows = [*UNIDO_ROWS, {"code": "automotive", "name": "汽车", "low": 0.045, "high": 0.06}]
    table = ranges_from_rows(rows)
    assert industry_range("automotive", table) == (0.045, 0.06)
    expect_invalid("share_rate.industry", industry_range, "automotive")  # not in the shipped table


def test_a_range_with_low_above_high_names_the_row_and_field() -> None:
    rows = copy.deepcopy(list(UNIDO_ROWS))
    rows[1]["low"] = 0.05
    error = expect_invalid("industries[1].low", ranges_from_rows, rows)
    assert error.message.startswith("第 2 行（制药）")


@pytest.mark.parametrize(
    ("key", "value", "field"),
    [
        ("high", 1.5, "industries[2].high"),
        ("low", -0.01, "industries[2].low"),
        ("low", "1.5%", "industries[2].low"),
        ("high", float("nan"), "industries[2].high"),
        ("high", True, "industries[2].high"),
        ("high", None, "industries[2].high"),
        ("code", "光学", "industries[2].code"),
        ("name", " ", "industries[2].name"),
        ("note", "x", "industries[2].note"),
    ],
)
def test_a_bad_cell_is_refused_naming_its_row_and_field(key: str, value: Any, field: str) -> None:
    rows = copy.deepcopy(list(UNIDO_ROWS))
    rows[2][key] = value
    error = expect_invalid(field, ranges_from_rows, rows)
    assert "第 3 行" in error.message


def test_duplicate_codes_empty_tables_and_non_lists_are_refused() -> None:
    expect_invalid("industries[3].code", ranges_from_rows, [*UNIDO_ROWS, dict(UNIDO_ROWS[0])])
    expect_invalid("industries", ranges_from_rows, [])
    expect_invalid("industries", ranges_from_rows, "machinery")
    expect_invalid("industries[0]", ranges_from_rows, [["machinery", "机械制造", 0.015, 0.03]])


@given(
    st.lists(
        st.tuples(st.floats(0, 1), st.floats(0, 1)).map(sorted),
        min_size=1,
        max_size=8,
    )
)
def test_any_table_of_ordered_bounds_in_zero_one_round_trips(bounds: list[list[float]]) -> None:
    rows = [{"code": f"i{k}", "name": f"行业{k}", "low": lo, "high": hi} for k, (lo, hi) in enumerate(bounds)]
    table = ranges_from_rows(rows)
    assert ranges_to_rows(table) == rows
    assert all(industry_range(f"i{k}", table) == (lo, hi) for k, (lo, hi) in enumerate(bounds))
    assert all(isinstance(r, IndustryRange) for r in table.values())


# ------------------------------------------------------------------------------------- the indicators hook


def test_the_worked_example_through_the_hook_gives_pvd_70_k_2_55_percent_and_168_6114_wan() -> None:
    scorer = score_indicators_with(PROFILE)
    req = parse_income_request(worked_example_request({"scores": worked_example_scores()}), score_indicators=scorer)
    result = value_income(req)
    assert result.share_rate == pytest.approx(0.0255, abs=1e-12)
    assert round(result.value * 10_000) == 1_686_114  # 元, issue #6
    assert result.value == pytest.approx(168.6114, abs=5e-5)
    assert scorer.evaluation is not None
    out = evaluation_as_json(scorer.evaluation)
    assert (out["lvd"], out["tvd"], out["evd"]) == pytest.approx((80, 70, 60), abs=1e-9)
    assert out["pvd"] == pytest.approx(70, abs=1e-9)


def test_a_missing_score_is_named_under_share_rate_indicators() -> None:
    scores = worked_example_scores()
    del scores["maturity"]
    error = expect_invalid(
        "share_rate.indicators.scores.maturity",
        parse_income_request,
        worked_example_request({"scores": scores}),
        score_indicators_with(PROFILE),
    )
    assert "成熟度" in error.message


@pytest.mark.parametrize("bad", ["2015-02-30", "2015/03/01", "20150301", 20150301, "昨天"])
def test_a_bad_date_in_the_facts_is_named(bad: Any) -> None:
    indicators = {"scores": worked_example_scores(), "facts": facts(filing_date=bad)}
    error = expect_invalid("share_rate.indicators.facts.filing_date", evaluate_indicators, PROFILE, indicators)
    assert "申请日" in error.message


@pytest.mark.parametrize(
    ("indicators", "field"),
    [
        ([], "share_rate.indicators"),
        ({"score": {}}, "share_rate.indicators.score"),
        ({"scores": []}, "share_rate.indicators.scores"),
        ({"scores": {"stability": 8}}, "share_rate.indicators.scores.stability"),
        ({"scores": {"stability": {**expert(8), "value": 7}}}, "share_rate.indicators.scores.stability.value"),
        ({"scores": {"stability": {**expert(8), "value": "8"}}}, "share_rate.indicators.scores.stability.value"),
        ({"scores": {"stability": {**expert(8), "value": True}}}, "share_rate.indicators.scores.stability.value"),
        ({"scores": {"stability": {**expert(8), "scorer": ""}}}, "share_rate.indicators.scores.stability.scorer"),
        ({"scores": {"stability": {"value": 8, "scorer": "李"}}}, "share_rate.indicators.scores.stability.reason"),
        ({"scores": {"novelty": expert(8)}}, "share_rate.indicators.scores.novelty"),
        ({"facts": facts(patent_type="software")}, "share_rate.indicators.facts.patent_type"),
        ({"facts": facts(legal_status="有效")}, "share_rate.indicators.facts.legal_status"),
        ({"facts": facts(claim_count=0)}, "share_rate.indicators.facts.claim_count"),
        ({"facts": facts(as_of="2010-01-01")}, "share_rate.indicators.facts.as_of"),
        ({"facts": facts(as_of=None)}, "share_rate.indicators.facts.as_of"),
        ({"facts": facts(ownership_dispute="否")}, "share_rate.indicators.facts.ownership_dispute"),
        ({"facts": facts(claims=12)}, "share_rate.indicators.facts.claims"),
    ],
)
def test_bad_indicator_input_is_refused_naming_the_field(indicators: Any, field: str) -> None:
    if isinstance(indicators, dict) and "facts" in indicators:
        indicators = {"scores": worked_example_scores(), **indicators}
    expect_invalid(field, evaluate_indicators, PROFILE, indicators)


def test_facts_score_automatically_and_an_experts_score_replaces_the_automatic_one() -> None:
    scores = worked_example_scores()
    del scores["remaining_term"], scores["claim_count"]
    evaluation = evaluate_indicators(PROFILE, {"scores": scores, "facts": facts(claim_count=12, licences=None)})
    out = evaluation_as_json(evaluation)
    assert out["scores"]["remaining_term"]["value"] == 8  # invention filed 2015-03-01: 10.67 years left
    assert out["scores"]["remaining_term"]["scorer"] == AUTO_SCORER
    assert out["scores"]["remaining_term"]["automatic"] is True
    assert out["scores"]["claim_count"]["value"] == 8  # 10–14 claims
    assert out["scores"]["licensing"]["scorer"] == "李评估师"  # licences unknown: the expert's score stands
    assert out["scores"]["stability"] == {**expert(8), "automatic": False}


def test_a_gate_makes_pvd_zero_so_k_falls_to_the_industry_low_bound() -> None:
    indicators = {"scores": worked_example_scores(), "facts": facts(ownership_dispute=True)}
    scorer = score_indicators_with(PROFILE)
    req = parse_income_request(worked_example_request(indicators), score_indicators=scorer)
    assert value_income(req).share_rate == pytest.approx(0.015, abs=1e-15)
    assert scorer.evaluation is not None
    out = evaluation_as_json(scorer.evaluation)
    assert out["pvd_before_gates"] == pytest.approx(70, abs=1e-9)
    assert out["pvd"] == 0
    assert [g["code"] for g in out["gates"]] == ["ownership_dispute"]
    assert "权属纠纷" in out["gates"][0]["reason"]


def test_the_evaluation_json_is_plain_json_with_every_part_the_report_needs() -> None:
    evaluation = evaluate_indicators(PROFILE, {"scores": worked_example_scores(), "facts": facts()})
    out = evaluation_as_json(evaluation)
    assert json.loads(json.dumps(out, allow_nan=False, ensure_ascii=False)) == out
    assert set(out) == {
        "profile",
        "profile_version",
        "scores",
        "indicators",
        "lvd",
        "tvd",
        "evd",
        "pvd_before_gates",
        "gates",
        "pvd",
        "missing",
    }
    assert out["profile"] == "cnipa2012-finance" and out["missing"] == []
    assert out["indicators"]["advancement"] == pytest.approx(100, abs=1e-9)


def test_an_indicators_object_without_the_hook_is_still_refused_by_the_parser() -> None:
    expect_invalid("share_rate.indicators", parse_income_request, worked_example_request({"scores": {}}))


def test_a_leap_day_is_a_valid_facts_date() -> None:
    evaluation = evaluate_indicators(
        PROFILE, {"scores": worked_example_scores(), "facts": facts(filing_date="2020-02-29", as_of="2024-02-29")}
    )
    assert evaluation.pvd == pytest.approx(70, abs=1e-9)


# ------------------------------------------------------------------------------------- docs/valuation.md

DOC = Path(__file__).resolve().parents[2] / "docs" / "valuation.md"


def _json_blocks() -> list[Any]:
    blocks = re.findall(r"```json\n(.*?)```", DOC.read_text(encoding="utf-8"), flags=re.S)
    return [json.loads(b if b.lstrip().startswith("{") else "{" + b + "}") for b in blocks]


def test_every_share_rate_example_in_the_docs_is_accepted_by_the_parser() -> None:
    methods = [b for b in _json_blocks() if "method" in b and "indicators" not in b]
    assert sorted(b["method"] for b in methods) == sorted(METHODS)
    for example in methods:
        parse_share_rate(example)


def test_the_docs_request_example_is_the_worked_example() -> None:
    request = next(b for b in _json_blocks() if "income" in b)
    assert round(value_income(parse_income_request(request)).value * 10_000) == 1_686_114
    assert industry_range("machinery") == tuple(request["share_rate"]["range"])
