"""The Chinese Word report: built from the worked example of issue #6 (PVD 70 from the indicator scores, income
approach 168.6114万元) with the market and cost approaches and the sensitivity table, opened again with python-docx
and checked for every input, formula, intermediate figure, scorer and the East Asian font.

Reference values: issue #6 "The contract" (LVD 80, TVD 70, EVD 60, α = 0.3, β = 0.4, γ = 0.3 → PVD 70; K = 2.55 %;
168.6114万元 = 1,686,114 元); the cost example of tests/unit/test_valuation_market_cost.py (120 × 3/8 = 45)."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import date, datetime
from typing import Any

import docx
import pytest
from docx.oxml.ns import qn

from zhengwu.valuation.model.cost import cost_as_json, parse_cost_request, value_cost
from zhengwu.valuation.model.default_profile import default_profile
from zhengwu.valuation.model.income import as_json, parse_income_request, value_income
from zhengwu.valuation.model.market import market_as_json, parse_market_request, value_market
from zhengwu.valuation.model.scoring import evaluation_as_json, score_indicators_with
from zhengwu.valuation.model.sensitivity import sensitivity, sensitivity_as_json
from zhengwu.valuation.service.report import ReportData, build_report

PROFILE = default_profile()
LEGAL = {s.code for d, _, s in PROFILE.walk() if d.code == "legal"}
TOP_TECH = {"advancement", "forward_citations"}  # the two sub-indicators of 先进性 (docs/valuation.md)


def _level(code: str) -> int:
    if code in LEGAL:
        return 8
    return 10 if code in TOP_TECH else 6


SCORES = {c: {"value": _level(c), "scorer": "李评估师", "reason": f"{c} 的评分理由"} for c in PROFILE.sub_codes}
INCOME = {
    "income": {"basis": "revenue", "amounts": [2000, 2200, 2400, 2500, 2500]},
    "share_rate": {"method": "score", "range": [0.015, 0.03], "indicators": {"scores": SCORES}},
    "tax_rate": 0.25,
    "discount_rate": {
        "risk_free": 0.025,
        "premia": {"technology": 0.03, "market": 0.02, "funding": 0.01, "management": 0.01},
    },
}
MARKET = {
    "subject_pvd": 70,
    "as_of": "2024-06-30",
    "comparables": [{"id": "D1", "title": "一种减速机密封结构", "price": 175, "pvd": 60, "deal_date": "2024-06-30"}],
}
COST = {"items": [{"name": "研制成本", "amount": 120}], "years_used": 5, "remaining_life": 3}


@pytest.fixture(scope="module")
def data() -> ReportData:
    scorer = score_indicators_with(PROFILE)
    request = parse_income_request(INCOME, scorer)
    assert scorer.evaluation is not None
    income = as_json(value_income(request))
    return ReportData(
        title="某齿轮箱专利质押融资评估",
        unit_name="凤凰县市场监督管理局",
        patent_number="ZL201510000001.X",
        patent_title="一种齿轮箱润滑装置",
        holder="湘西某机械有限公司",
        client="某农村商业银行",
        as_of=date(2024, 6, 30),
        money_unit="万元",
        profile=PROFILE,
        evaluation=evaluation_as_json(scorer.evaluation),
        income_input=INCOME,
        income_result=income,
        market_input=MARKET,
        market_result=market_as_json(value_market(parse_market_request(MARKET))),
        cost_input=COST,
        cost_result=cost_as_json(value_cost(parse_cost_request(COST))),
        sensitivity=sensitivity_as_json(sensitivity(request)),
        chosen="income",
        conclusion=income["value"],
        prepared_by="王编制",
        prepared_at=datetime(2024, 7, 1, 9, 30),
    )


def _text(content: bytes) -> tuple[str, Any]:
    document = docx.Document(io.BytesIO(content))
    parts = [p.text for p in document.paragraphs]
    for t in document.tables:
        for row in t.rows:
            parts.append(" | ".join(cell.text for cell in row.cells))
    return "\n".join(parts), document


@pytest.fixture(scope="module")
def report(data: ReportData) -> tuple[str, Any]:
    return _text(build_report(data))


def test_the_cover_names_the_patent_the_parties_and_the_as_of_date(report: tuple[str, Any]) -> None:
    text, _ = report
    for expected in (
        "ZL201510000001.X",
        "一种齿轮箱润滑装置",
        "湘西某机械有限公司",
        "某农村商业银行",
        "凤凰县市场监督管理局",
        "2024年6月30日",
        "王编制",
        "金融（质押融资）",
    ):
        assert expected in text


def test_every_score_shows_its_level_ladder_description_scorer_reason_and_whether_automatic(
    report: tuple[str, Any],
) -> None:
    text, _ = report
    for _, _, sub in PROFILE.walk():
        level = _level(sub.code)
        description = next(lv.description for lv in sub.ladder if lv.value == level)
        row = next(line for line in text.splitlines() if f" | {sub.name} | " in line)
        assert f" | {level} | {description} | 李评估师 | {sub.code} 的评分理由 | 专家评分" in row


def test_the_value_degrees_and_pvd_are_shown_with_weights_and_formula(report: tuple[str, Any]) -> None:
    text, _ = report
    assert "PVD = α·LVD + β·TVD + γ·EVD = 0.3 × 80.00 + 0.4 × 70.00 + 0.3 × 60.00 = 70.00" in text
    assert "α = 0.3" in text and "β = 0.4" in text and "γ = 0.3" in text
    assert "无否决条件生效" in text
    assert "无官方默认权重，以下为可调整的示例权重。" in text


def test_the_income_approach_shows_inputs_formula_each_year_and_the_value(report: tuple[str, Any]) -> None:
    text, _ = report
    assert (
        "累加法：i = 无风险报酬率 2.5% + 技术风险报酬率 3% + 市场风险报酬率 2% + 资金风险报酬率 1% + "
        "管理风险报酬率 1% = 9.5%" in text
    )
    assert "K = m + (n − m) × PVD / 100 = 1.5% + (3% − 1.5%) × 70.00（由指标体系算出） / 100 = 2.55%" in text
    assert "2000、2200、2400、2500、2500" in text
    assert "1 | 2,000.0000 | 2.55% | 38.2500 | 0.913242 | 34.9315" in text  # docs/valuation.md, year 1
    assert "收益法评估值：168.6114 万元。" in text


def test_the_market_and_cost_approaches_show_their_factors_and_values(report: tuple[str, Any]) -> None:
    text, _ = report
    assert "D1 | 一种减速机密封结构 | 175.0000 | 60 | 2024-06-30 | 0.0000 | 1.166667 | 1.000000 | 204.1667 | 1" in text
    assert "可比交易只有 1 个" in text
    assert "成新率 = 剩余经济寿命 ÷ (已使用年限 + 剩余经济寿命) = 3 ÷ (5 + 3) = 37.5%" in text
    assert "成本法评估值：45.0000 万元。" in text


def test_the_sensitivity_table_and_tornado_are_included(report: tuple[str, Any]) -> None:
    text, _ = report
    assert (
        "分成率 K | 2.55% | 134.8891（-20.00%） | 151.7503（-10.00%） | 185.4725（+10.00%） | 202.3337（+20.00%）"
        in text
    )
    assert "收益年限 n | 5 年 | −2年：" in text
    assert "龙卷风图" in text and "█" in text


def test_the_conclusion_names_the_chosen_approach_and_the_value_in_yuan(report: tuple[str, Any]) -> None:
    text, _ = report
    assert "收益法 | 168.6114 | 是" in text and "成本法 | 45.0000 | 否" in text
    assert "选定收益法的结果作为评估结论" in text and "168.6114 万元（1,686,114 元）" in text


def test_every_run_is_set_in_an_east_asian_font(report: tuple[str, Any]) -> None:
    _, document = report
    runs = [r for p in document.paragraphs for r in p.runs]
    assert runs and all(r._element.rPr.find(qn("w:rFonts")).get(qn("w:eastAsia")) == "宋体" for r in runs)
    normal = document.styles["Normal"].element.rPr.find(qn("w:rFonts"))
    assert normal.get(qn("w:eastAsia")) == "宋体"


def test_a_draft_without_approaches_or_scores_says_what_is_missing(data: ReportData) -> None:
    blank = replace(
        data,
        profile=None,
        evaluation=None,
        income_input=None,
        income_result=None,
        market_input=None,
        market_result=None,
        cost_input=None,
        cost_result=None,
        sensitivity=None,
        chosen=None,
        conclusion=None,
        as_of=None,
    )
    text, _ = _text(build_report(blank))
    for expected in (
        "未进行指标评分",
        "未采用收益法",
        "未采用市场法",
        "未采用成本法",
        "未进行敏感性分析",
        "尚未形成评估结论（草稿）",
        "评估基准日 | 未填写",
    ):
        assert expected in text
