"""The multi-level indicator system (issue #6, "The indicator system"): profiles, automatic rules, gates and PVD.

Reference value: the issue's worked example — LVD 80, TVD 70, EVD 60 with α=0.3, β=0.4, γ=0.3 give PVD 70.
No published textbook example of a scored CNIPA-manual profile with weights was found to reproduce (the manual
publishes no default weights), so the other expectations follow from the documented formulas and rules.
"""

from __future__ import annotations

import copy
from datetime import date
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zhengwu.core.errors import Invalid
from zhengwu.valuation.model.default_profile import DEFAULT_PROFILE, WEIGHTS_NOTE, default_profile
from zhengwu.valuation.model.indicators import (
    AUTO_SCORER,
    InvalidationHistory,
    LegalStatus,
    PatentFacts,
    PatentType,
    Profile,
    Score,
    automatic_scores,
    evaluate,
    profile_from_dict,
    profile_to_dict,
    remaining_years,
    term_end,
)

PROFILE = default_profile()
EXPERT = "李评估师"


def expert(value: int) -> Score:
    return Score(value, EXPERT, "依据检索报告与市场调研")


def all_scored(value: int) -> dict[str, Score]:
    return {code: expert(value) for code in PROFILE.sub_codes}


class _FieldRaises:
    """``with _FieldRaises("weights.legal"):`` expects ``Invalid`` naming exactly that field."""

    def __init__(self, field: str) -> None:
        self.field = field

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: object, error: object, tb: object) -> bool:
        assert isinstance(error, Invalid), f"expected Invalid naming {self.field}, got {error!r}"
        assert error.field == self.field, error.field
        assert error.message, "a message in Chinese"
        return True


def invention(**kw: Any) -> PatentFacts:
    base: dict[str, Any] = {
        "patent_type": PatentType.INVENTION,
        "filing_date": date(2015, 3, 1),
        "as_of": date(2024, 6, 30),
    }
    return PatentFacts(**{**base, **kw})


# ------------------------------------------------------------------------------------------- the worked example


def test_the_issues_worked_example_lvd_80_tvd_70_evd_60_gives_pvd_70() -> None:
    # Issue #6: "scores LVD 80, TVD 70, EVD 60 with α=0.3, β=0.4, γ=0.3 give PVD 70".
    scores = {c: expert(8) for c in ("stability", "design_around", "claim_count", "dependence")}
    scores |= {c: expert(8) for c in ("infringement_provability", "remaining_term", "multi_country", "licensing")}
    scores |= {"advancement": expert(10), "forward_citations": expert(10)}  # 先进性 0.25 × 100
    technical_rest = ("industry_trend", "application_range", "complementary_dependence", "substitutability", "maturity")
    scores |= {c: expert(6) for c in technical_rest}  # 0.75 × 60
    scores |= {c: expert(6) for c in ("market_application", "market_size", "market_share", "competition", "policy_fit")}
    e = evaluate(PROFILE, scores)
    assert e.lvd == pytest.approx(80, abs=1e-9)
    assert e.tvd == pytest.approx(70, abs=1e-9)
    assert e.evd == pytest.approx(60, abs=1e-9)
    assert e.pvd == pytest.approx(70, abs=1e-9)
    assert e.complete and e.gates == ()


def test_an_indicator_score_is_its_weighted_sub_levels_times_ten() -> None:
    scores = all_scored(6) | {"design_around": expert(10), "claim_count": expert(0)}
    e = evaluate(PROFILE, scores)
    assert e.indicators["non_circumvention"] == pytest.approx(10 * (0.7 * 10 + 0.3 * 0), abs=1e-9)
    assert e.indicators["maturity"] == pytest.approx(60, abs=1e-9)


def test_the_default_profile_says_its_weights_are_editable_examples() -> None:
    assert WEIGHTS_NOTE == "无官方默认权重，以下为可调整的示例权重"
    assert WEIGHTS_NOTE in PROFILE.description
    assert [(d.code, d.weight) for d in PROFILE.dimensions] == [("legal", 0.3), ("technical", 0.4), ("economic", 0.3)]
    legal = [i.name for i in PROFILE.dimension("legal").indicators]
    assert legal == ["稳定性", "不可规避性", "依赖性", "专利侵权可判定性", "有效期", "多国申请", "专利许可状况"]
    assert len(PROFILE.dimension("technical").indicators) == 6
    assert len(PROFILE.dimension("economic").indicators) == 5


# ------------------------------------------------------------------------------------------------ weights


def _data() -> dict[str, Any]:
    return copy.deepcopy(profile_to_dict(PROFILE))


def test_dimension_weights_not_summing_to_one_are_refused_naming_weights() -> None:
    d = _data()
    d["dimensions"][2]["weight"] = 0.2
    with _FieldRaises("weights"):
        profile_from_dict(d)


def test_indicator_weights_not_summing_to_one_are_refused_naming_the_dimension() -> None:
    d = _data()
    d["dimensions"][0]["indicators"][0]["weight"] = 0.25
    with _FieldRaises("weights.legal"):
        profile_from_dict(d)


def test_sub_indicator_weights_not_summing_to_one_are_refused_naming_the_indicator() -> None:
    d = _data()
    d["dimensions"][0]["indicators"][1]["sub_indicators"][1]["weight"] = 0.4
    with _FieldRaises("weights.legal.non_circumvention"):
        profile_from_dict(d)


def test_weights_summing_to_one_within_1e_9_are_accepted_and_beyond_refused() -> None:
    d = _data()
    d["dimensions"][0]["weight"] = 0.3 + 5e-10
    profile_from_dict(d)
    d["dimensions"][0]["weight"] = 0.3 + 2e-9
    with _FieldRaises("weights"):
        profile_from_dict(d)


@pytest.mark.parametrize("weight", [-0.1, 1.5, float("nan"), float("inf"), True, "0.3"])
def test_a_weight_that_is_not_a_number_in_0_1_is_refused_naming_it(weight: object) -> None:
    d = _data()
    d["dimensions"][0]["indicators"][0]["weight"] = weight
    field = "dimensions[0].indicators[0].weight" if isinstance(weight, bool | str) else "weights.legal.stability"
    with _FieldRaises(field):
        profile_from_dict(d)


# ------------------------------------------------------------------------------------------ ladders and scores


def test_a_score_that_is_not_a_ladder_level_is_refused_naming_the_field() -> None:
    with _FieldRaises("scores.stability.value"):
        evaluate(PROFILE, all_scored(8) | {"stability": expert(7)})
    with _FieldRaises("scores.multi_country.value"):
        evaluate(PROFILE, all_scored(8) | {"multi_country": expert(2)})  # its ladder starts at 4


def test_a_score_without_scorer_or_reason_is_refused() -> None:
    with _FieldRaises("scores.maturity.scorer"):
        evaluate(PROFILE, all_scored(8) | {"maturity": Score(8, " ", "理由")})
    with _FieldRaises("scores.maturity.reason"):
        evaluate(PROFILE, all_scored(8) | {"maturity": Score(8, EXPERT, "")})


def test_a_score_for_an_unknown_sub_indicator_is_refused() -> None:
    with _FieldRaises("scores.beauty"):
        evaluate(PROFILE, all_scored(8) | {"beauty": expert(8)})


@pytest.mark.parametrize(("level", "at"), [(11, 0), (-2, 0), (4, 3)])
def test_an_unknown_or_unordered_ladder_level_in_a_profile_is_refused(level: int, at: int) -> None:
    d = _data()
    d["dimensions"][1]["indicators"][1]["sub_indicators"][0]["ladder"][at]["level"] = level
    with _FieldRaises(f"dimensions[1].indicators[1].sub_indicators[0].ladder[{at}].level"):
        profile_from_dict(d)


def test_a_rule_whose_levels_are_not_on_the_ladder_is_refused() -> None:
    d = _data()
    d["dimensions"][1]["indicators"][1]["sub_indicators"][0]["rule"] = "multi_country"
    d["dimensions"][1]["indicators"][1]["sub_indicators"][0]["ladder"] = [
        {"level": 0, "description": "无"},
        {"level": 10, "description": "有"},
    ]
    with _FieldRaises("dimensions[1].indicators[1].sub_indicators[0].rule"):
        profile_from_dict(d)


def test_missing_scores_are_refused_naming_them_unless_a_partial_result_is_asked_for() -> None:
    scores = all_scored(8)
    del scores["market_share"], scores["competition"]
    with pytest.raises(Invalid, match="市场占有率、竞争情况") as caught:
        evaluate(PROFILE, scores)
    assert caught.value.field == "scores.market_share"
    e = evaluate(PROFILE, scores, partial=True)
    assert e.missing == ("market_share", "competition")
    assert e.indicators["market_share"] is None and e.evd is None and e.pvd is None
    assert e.lvd == pytest.approx(80, abs=1e-9)
    assert not e.complete


# --------------------------------------------------------------------------------------- automatic rules, gates


def test_an_invention_filed_2015_03_01_valued_2024_06_30_has_10_67_years_left_scoring_8() -> None:
    f = invention()
    assert term_end(f) == date(2035, 3, 1)
    assert remaining_years(f) == pytest.approx(10.67, abs=0.005)
    score = automatic_scores(PROFILE, f)["remaining_term"]
    assert score.value == 8 and score.scorer == AUTO_SCORER
    assert "剩余 10.67 年" in score.reason and "发明" in score.reason


@pytest.mark.parametrize(
    ("kind", "filed", "as_of", "end", "level"),
    [
        (PatentType.UTILITY, date(2020, 1, 1), date(2024, 6, 30), date(2030, 1, 1), 4),  # 5.5 years
        (PatentType.DESIGN, date(2021, 5, 31), date(2024, 6, 30), date(2031, 5, 31), 6),  # before the 4th amendment
        (PatentType.DESIGN, date(2021, 6, 1), date(2024, 6, 30), date(2036, 6, 1), 8),  # 15 years since 2021-06-01
        (PatentType.UTILITY, date(2020, 2, 29), date(2024, 6, 30), date(2030, 3, 1), 4),  # no 29 Feb in 2030
        (PatentType.INVENTION, date(2020, 1, 1), date(2024, 6, 30), date(2040, 1, 1), 10),  # 15.5 years
        (PatentType.UTILITY, date(2010, 1, 1), date(2024, 6, 30), date(2020, 1, 1), 0),  # term over
    ],
)
def test_remaining_term_follows_the_type_and_filing_date(
    kind: PatentType, filed: date, as_of: date, end: date, level: int
) -> None:
    f = PatentFacts(kind, filed, as_of)
    assert term_end(f) == end
    assert automatic_scores(PROFILE, f)["remaining_term"].value == level


def test_facts_give_claim_family_citation_licensing_and_stability_scores() -> None:
    f = invention(
        claim_count=12,
        family_countries=3,
        forward_citations=0,
        licences=0,
        pledges=1,
        invalidation_history=InvalidationHistory.UPHELD,
    )
    got = {code: s.value for code, s in automatic_scores(PROFILE, f).items()}
    assert got == {
        "stability": 10,
        "claim_count": 8,
        "remaining_term": 8,
        "multi_country": 8,
        "licensing": 4,
        "forward_citations": 2,
    }


def test_unknown_facts_leave_the_sub_indicator_to_the_expert() -> None:
    assert set(automatic_scores(PROFILE, invention())) == {"remaining_term"}


def test_an_experts_score_overrides_the_automatic_one() -> None:
    e = evaluate(PROFILE, all_scored(6) | {"remaining_term": expert(10)}, facts=invention())
    assert e.scores["remaining_term"].scorer == EXPERT
    without = {k: v for k, v in all_scored(6).items() if k != "remaining_term"}
    assert evaluate(PROFILE, without, facts=invention()).scores["remaining_term"].value == 8


@pytest.mark.parametrize(
    ("facts", "gate"),
    [
        (invention(legal_status=LegalStatus.LAPSED), "dead_status"),
        (invention(legal_status=LegalStatus.INVALIDATED), "dead_status"),
        (invention(ownership_dispute=True), "ownership_dispute"),
    ],
)
def test_a_lapsed_invalidated_or_disputed_patent_is_gated_to_zero_with_the_reason(
    facts: PatentFacts, gate: str
) -> None:
    e = evaluate(PROFILE, all_scored(8), facts=facts)
    assert e.pvd_before_gates == pytest.approx(80, abs=1e-9)
    assert e.pvd == 0
    assert [h.code for h in e.gates] == [gate]
    assert e.gates[0].reason


def test_a_valid_undisputed_patent_passes_the_gates() -> None:
    e = evaluate(PROFILE, all_scored(8), facts=invention())
    assert e.gates == () and e.pvd == e.pvd_before_gates


@pytest.mark.parametrize(
    ("kw", "field"),
    [
        ({"as_of": date(2014, 1, 1)}, "facts.as_of"),
        ({"claim_count": 0}, "facts.claim_count"),
        ({"family_countries": -1}, "facts.family_countries"),
        ({"pledges": -1}, "facts.pledges"),
        ({"patent_type": "invention"}, "facts.patent_type"),
        ({"filing_date": "2015-03-01"}, "facts.filing_date"),
        ({"ownership_dispute": 1}, "facts.ownership_dispute"),
    ],
)
def test_impossible_facts_are_refused_naming_the_field(kw: dict[str, Any], field: str) -> None:
    with _FieldRaises(field):
        invention(**kw)


# ----------------------------------------------------------------------------------------------- dict form


def test_the_default_profile_round_trips_through_its_dict_form() -> None:
    assert profile_from_dict(profile_to_dict(PROFILE)) == PROFILE
    assert profile_to_dict(profile_from_dict(DEFAULT_PROFILE)) == DEFAULT_PROFILE


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda d: d.pop("version"), "version"),
        (lambda d: d.update(use="tax"), "use"),
        (lambda d: d.update(dimensions={}), "dimensions"),
        (lambda d: d["dimensions"][0]["indicators"][0].pop("name"), "dimensions[0].indicators[0].name"),
        (lambda d: d["dimensions"][0].update(code="law"), "dimensions"),
        (lambda d: d["gates"].append({"code": "bad_luck", "factor": 0}), "gates[2].code"),
        (lambda d: d["gates"][0].update(factor=2), "gates[0].factor"),
        (
            lambda d: d["dimensions"][2]["indicators"][0]["sub_indicators"][0].update(code="stability"),
            "dimensions[2].indicators[0].sub_indicators[0].code",
        ),
    ],
)
def test_a_bad_profile_dict_is_refused_naming_the_field(change: Any, field: str) -> None:
    d = _data()
    change(d)
    with _FieldRaises(field):
        profile_from_dict(d)


# ------------------------------------------------------------------------------------------------ properties


def _levels_strategy(profile: Profile) -> st.SearchStrategy[dict[str, int]]:
    return st.fixed_dictionaries({s.code: st.sampled_from(s.levels) for _, _, s in profile.walk()})


@settings(max_examples=200, deadline=None)
@given(_levels_strategy(PROFILE))
def test_pvd_lies_within_0_and_100(levels: dict[str, int]) -> None:
    e = evaluate(PROFILE, {c: expert(v) for c, v in levels.items()})
    assert e.pvd is not None and 0 <= e.pvd <= 100
    assert all(v is not None and 0 <= v <= 100 for v in e.dimensions.values())


@settings(max_examples=200, deadline=None)
@given(_levels_strategy(PROFILE), st.sampled_from(PROFILE.sub_codes))
def test_pvd_is_monotone_in_every_sub_score(levels: dict[str, int], code: str) -> None:
    sub = PROFILE.sub_indicator(code)
    assert sub is not None
    higher = [v for v in sub.levels if v > levels[code]]
    if not higher:
        return
    low = evaluate(PROFILE, {c: expert(v) for c, v in levels.items()}).pvd
    high = evaluate(PROFILE, {c: expert(v) for c, v in (levels | {code: higher[0]}).items()}).pvd
    assert low is not None and high is not None and high >= low


def _weights(n: int) -> st.SearchStrategy[list[float]]:
    return st.lists(st.integers(1, 20), min_size=n, max_size=n).map(lambda xs: [x / sum(xs) for x in xs])


@st.composite
def profile_dicts(draw: st.DrawFn) -> dict[str, Any]:
    counter = iter(range(10_000))
    dims = []
    for code, w in zip(("legal", "technical", "economic"), draw(_weights(3)), strict=True):
        n = draw(st.integers(1, 3))
        indicators = []
        for iw in draw(_weights(n)):
            m = draw(st.integers(1, 3))
            subs = []
            for sw in draw(_weights(m)):
                levels = sorted(draw(st.sets(st.integers(0, 10), min_size=2, max_size=6)))
                k = next(counter)
                ladder = [{"level": v, "description": f"第{v}档"} for v in levels]
                subs.append({"code": f"s{k}", "name": f"二级{k}", "weight": sw, "rule": None, "ladder": ladder})
            k = next(counter)
            indicators.append({"code": f"i{k}", "name": f"指标{k}", "weight": iw, "sub_indicators": subs})
        dims.append({"code": code, "name": code, "weight": w, "indicators": indicators})
    gates = draw(st.lists(st.sampled_from(["ownership_dispute", "dead_status"]), unique=True))
    return {
        "code": draw(st.from_regex(r"[a-z][a-z0-9_-]{0,20}", fullmatch=True)),
        "name": draw(st.text(min_size=1, max_size=10).filter(str.strip)),
        "use": draw(st.sampled_from(["finance", "licensing", "management", "litigation"])),
        "version": draw(st.integers(1, 1000)),
        "description": draw(st.text(max_size=20)),
        "gates": [{"code": g, "factor": draw(st.floats(0, 1))} for g in gates],
        "dimensions": draw(st.permutations(dims)),
    }


@settings(max_examples=100, deadline=None)
@given(profile_dicts())
def test_profile_dicts_round_trip(d: dict[str, Any]) -> None:
    p = profile_from_dict(d)
    assert profile_to_dict(p) == d
    assert profile_from_dict(profile_to_dict(p)) == p
