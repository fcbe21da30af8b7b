"""Assessments (评估项目) through the service, on SQLite and PostgreSQL: a patent scored by experts on top of the
automatic scores from its facts, its income, market and cost inputs checked whole before saving, the conclusion, the
scope of each reader and writer, and the Word report.

Reference value: the worked example of issue #6 (docs/valuation.md, 算例): LVD 80, TVD 70, EVD 60 with α = 0.3,
β = 0.4, γ = 0.3 give PVD 70; machinery 1.5–3 % gives K = 2.55 %; revenue 2000, 2200, 2400, 2500, 2500万, tax 25 %,
i = 2.5 % + 3 % + 2 % + 1 % + 1 % = 9.5 %, end of year → 168.6114万元 (1,686,114 元). The per-sub-indicator scores
that give 80/70/60 are those of docs/valuation.md ("算例中的评分").
"""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import docx
import pytest
from sqlalchemy import func, select

from tests.conftest import PASSWORD, principal
from zhengwu.core.db import Actor, Database
from zhengwu.core.errors import Conflict, Forbidden, Invalid, NotFound
from zhengwu.core.org.model import Principal
from zhengwu.valuation.people import seed_people
from zhengwu.valuation.service import assessments as service
from zhengwu.valuation.service.assessment_report import report_docx
from zhengwu.valuation.service.assessment_results import picture_of, sensitivity_of
from zhengwu.valuation.tables import AssessmentScore, ComparableDeal

#: Facts settling six sub-indicators automatically at the worked example's levels: remaining term 10.67 years → 8,
#: 12 claims → 8, 3 countries → 8, 1 licence → 8, 11 citations → 10 (the thresholds of docs/valuation.md).
FACTS: dict[str, Any] = {
    "patent_type": "invention",
    "filing_date": "2015-03-01",
    "as_of": "2024-06-30",
    "legal_status": "valid",
    "claim_count": 12,
    "family_countries": 3,
    "forward_citations": 11,
    "licences": 1,
}
#: The experts' levels for the rest: legal 8, advancement 10, other technical 6, economic 6 (docs/valuation.md).
EXPERT = {
    "stability": 8,
    "design_around": 8,
    "dependence": 8,
    "infringement_provability": 8,
    "advancement": 10,
    "industry_trend": 6,
    "application_range": 6,
    "complementary_dependence": 6,
    "substitutability": 6,
    "maturity": 6,
    "market_application": 6,
    "market_size": 6,
    "market_share": 6,
    "competition": 6,
    "policy_fit": 6,
}
INCOME: dict[str, Any] = {
    "income": {"basis": "revenue", "amounts": [2000, 2200, 2400, 2500, 2500]},
    "share_rate": {"method": "score"},
    "tax_rate": 0.25,
    "discount_rate": {
        "risk_free": 0.025,
        "premia": {"technology": 0.03, "market": 0.02, "funding": 0.01, "management": 0.01},
    },
    "years": 5,
}
COST: dict[str, Any] = {
    "items": [{"name": "研制成本", "amount": 80}, {"name": "专利申请与维持费用", "amount": 2}],
    "price_index": 1.1,
    "profit_rate": 0.2,
    "years_used": 9,
    "remaining_life": 6,
}


def header(**changes: Any) -> service.Header:
    values: dict[str, Any] = {
        "title": "智能掘进机专利质押融资评估",
        "patent_number": "ZL201510123456.7",
        "patent_title": "一种近水平薄矿体智能掘进机机械开采方法",
        "holder": "湖南某重工股份有限公司",
        "client": "长沙银行麓谷科技支行",
        "industry_code": "machinery",
        "money_unit": "万元",
        "facts": FACTS,
    }
    values.update(changes)
    return service.Header(**values)


def seed_valuation_people(db: Database) -> None:
    """The valuation story's units, roles and users (zhengwu.valuation.people)."""
    with db.uow(Actor(None, "测试数据")) as uow:
        seed_people(uow, PASSWORD)
        uow.commit()


@pytest.fixture
def people(db: Database) -> dict[str, Principal]:
    seed_valuation_people(db)
    return {name: principal(db, name) for name in ("cs_valuer", "cs_bank", "cs_ip_val")}


def create(db: Database, who: Principal, **changes: Any) -> int:
    with db.uow() as uow:
        a = service.create_assessment(uow, who, header(**changes), profile_code="cnipa2012-finance")
        uow.commit()
        return a.id


def score_all(db: Database, who: Principal, assessment_id: int, scorer: str = "李评估师") -> None:
    scores = [service.ScoreInput(code, value, f"{code} 的专家意见", scorer) for code, value in EXPERT.items()]
    with db.uow() as uow:
        service.record_scores(uow, who, assessment_id, scores)
        uow.commit()


def set_input(db: Database, who: Principal, assessment_id: int, approach: str, data: Any) -> None:
    with db.uow() as uow:
        service.set_input(uow, who, assessment_id, approach, data, version=None)
        uow.commit()


def count(db: Database, entity: Any) -> int:
    with db.reading() as s:
        return s.scalar(select(func.count()).select_from(entity)) or 0


def test_expert_and_automatic_scores_reproduce_the_issues_worked_example_to_the_yuan(
    db: Database, people: dict[str, Principal]
) -> None:
    valuer = people["cs_valuer"]
    a_id = create(db, valuer)
    score_all(db, valuer, a_id)
    set_input(db, valuer, a_id, "income", INCOME)
    with db.reading() as s:
        p = picture_of(s, service.get_assessment(s, valuer, a_id))
        automatic = {code for code, score in p.evaluation.scores.items() if score.scorer == "系统自动评分"}
        assert automatic == {"claim_count", "remaining_term", "multi_country", "licensing", "forward_citations"}
        assert p.evaluation.lvd == pytest.approx(80) and p.evaluation.tvd == pytest.approx(70)
        assert p.evaluation.evd == pytest.approx(60) and p.pvd == pytest.approx(70)
        income = p.approach("income")
        assert income.request is not None and income.request["share_rate"] == {
            "method": "score",
            "industry": "machinery",
            "score": pytest.approx(70),
        }
        assert income.value is not None and round(income.value * 10_000) == 1_686_114
        assert income.result is not None and income.result["share_rate"] == pytest.approx(0.0255)
        assert p.approach("market").error == "尚未填写参数。"


def test_scores_are_append_only_the_latest_counts_and_the_scorer_defaults_to_the_user(
    db: Database, people: dict[str, Principal]
) -> None:
    valuer = people["cs_valuer"]
    a_id = create(db, valuer)
    for value, reason in ((6, "初评：未经检索"), (8, "复评：经检索未见影响新颖性的文献")):
        with db.uow() as uow:
            service.record_scores(uow, valuer, a_id, [service.ScoreInput("stability", value, reason)])
            uow.commit()
    with db.reading() as s:
        history = service.score_history(s, a_id)
        p = picture_of(s, service.get_assessment(s, valuer, a_id))
    assert [(h.value, h.scorer) for h in history] == [(6, "评估师李明"), (8, "评估师李明")]
    assert p.evaluation.scores["stability"].value == 8
    assert p.pvd is None and "stability" not in p.evaluation.missing


def test_a_score_off_the_ladder_or_without_a_reason_writes_nothing(db: Database, people: dict[str, Principal]) -> None:
    valuer = people["cs_valuer"]
    a_id = create(db, valuer)
    bad = [
        [service.ScoreInput("stability", 8, "好"), service.ScoreInput("multi_country", 2, "仅中国")],
        [service.ScoreInput("stability", 8, "  ")],
        [service.ScoreInput("no_such_code", 8, "x")],
    ]
    fields = []
    for scores in bad:
        with pytest.raises(Invalid) as caught, db.uow() as uow:
            service.record_scores(uow, valuer, a_id, scores)
        fields.append(caught.value.field)
    assert fields == ["scores[1].value", "scores[0].reason", "scores[0].sub_code"]
    assert count(db, AssessmentScore) == 0


def test_inputs_are_checked_whole_as_they_will_be_computed_before_saving(
    db: Database, people: dict[str, Principal]
) -> None:
    valuer = people["cs_valuer"]
    a_id = create(db, valuer, industry_code=None)
    cases = [
        ("income", {**INCOME, "share_rate": {"method": "score", "range": [0.015, 0.03]}, "tax_rate": 1}, "tax_rate"),
        ("income", INCOME, "share_rate.industry"),  # score without industry nor range: the assessment has none
        ("income", {**INCOME, "share_rate": {"method": "score", "score": 90}}, "share_rate.score"),
        ("market", {"subject_pvd": 70, "comparables": []}, "subject_pvd"),
        ("market", {"comparables": [{"id": "D1", "price": 300, "pvd": 0, "deal_date": "2022-06-30"}]}, None),
        ("cost", {**COST, "price_index": 0}, "price_index"),
        ("approach", {}, "approach"),
    ]
    for approach, data, field in cases:
        with pytest.raises(Invalid) as caught, db.uow() as uow:
            service.set_input(uow, valuer, a_id, approach, data, version=None)
        if field is not None:
            assert caught.value.field == field, (approach, caught.value.message)
        else:
            assert caught.value.field == "comparables[0].pvd"
    set_input(db, valuer, a_id, "income", {**INCOME, "share_rate": {"method": "score", "range": [0.015, 0.03]}})
    with db.reading() as s:
        a = service.get_assessment(s, valuer, a_id)
        assert a.market_input is None and a.cost_input is None
        p = picture_of(s, a)
    assert p.approach("income").value is None
    assert "未评分" in (p.approach("income").error or "")  # no PVD yet: the reason, not a figure


def test_a_concluded_assessment_no_longer_changes_and_a_stale_version_conflicts(
    db: Database, people: dict[str, Principal]
) -> None:
    valuer = people["cs_valuer"]
    a_id = create(db, valuer)
    with db.reading() as s:
        version = service.get_assessment(s, valuer, a_id).version
    with pytest.raises(Invalid) as caught, db.uow() as uow:
        service.conclude(uow, valuer, a_id, "income", version=version)
    assert caught.value.field == "chosen" and "收益法尚无结果" in caught.value.message
    score_all(db, valuer, a_id)
    set_input(db, valuer, a_id, "income", INCOME)
    set_input(db, valuer, a_id, "cost", COST)
    with pytest.raises(Conflict), db.uow() as uow:
        service.update_assessment(uow, valuer, a_id, header(title="改名"), version=version)
    with pytest.raises(Invalid) as unit_change, db.uow() as uow:  # amounts were entered in 万元
        service.update_assessment(uow, valuer, a_id, header(money_unit="元"), version=None)
    assert unit_change.value.field == "money_unit"
    with db.uow() as uow:
        service.conclude(uow, valuer, a_id, "cost", version=None)
        uow.commit()
    with db.reading() as s:
        p = picture_of(s, service.get_assessment(s, valuer, a_id))
    # cost: (80 + 2) × 1.1 × 1.2 = 108.24; newness 6 ÷ (9 + 6) = 0.4; value 43.296万元
    assert p.assessment.status == "final" and p.conclusion == pytest.approx(43.296)
    for action in (
        lambda uow: service.record_scores(uow, valuer, a_id, [service.ScoreInput("stability", 10, "再评")]),
        lambda uow: service.set_input(uow, valuer, a_id, "income", None, version=None),
        lambda uow: service.conclude(uow, valuer, a_id, "income", version=None),
    ):
        with pytest.raises(Conflict) as refused, db.uow() as uow:
            action(uow)
        assert "已出具结论" in refused.value.message


def test_each_unit_sees_and_changes_only_its_own_and_the_bureau_reads_all(
    db: Database, people: dict[str, Principal]
) -> None:
    valuer, bank, bureau = people["cs_valuer"], people["cs_bank"], people["cs_ip_val"]
    a_id = create(db, valuer)
    b_id = create(db, bank, title="银行自测项目", patent_number="ZL201610000001.1")
    with db.reading() as s:
        assert [a.title for a, _ in service.list_assessments(s, bank)] == ["银行自测项目"]
        assert len(service.list_assessments(s, bureau)) == 2
        assert [a.id for a, _ in service.list_assessments(s, bureau, q="zl20161")] == [b_id]
        with pytest.raises(NotFound):
            service.get_assessment(s, bank, a_id)
        assert service.get_assessment(s, bureau, a_id).id == a_id
    with pytest.raises(NotFound), db.uow() as uow:
        service.record_scores(uow, bank, a_id, [service.ScoreInput("stability", 8, "越权")])
    with pytest.raises(Forbidden), db.uow() as uow:
        service.record_scores(uow, bureau, a_id, [service.ScoreInput("stability", 8, "无评估权限")])
    assert count(db, AssessmentScore) == 0


def test_comparables_are_copied_from_the_deals_in_the_money_unit_and_a_later_edit_changes_nothing(
    db: Database, people: dict[str, Principal]
) -> None:
    valuer = people["cs_valuer"]
    a_id = create(db, valuer)
    score_all(db, valuer, a_id)
    with db.uow() as uow:
        unit = valuer.unit_id
        now = datetime(2024, 6, 1, tzinfo=UTC)
        for number, price, pvd, day in (
            ("ZL1", "3000000", 60.0, date(2022, 6, 30)),
            ("ZL2", "4000000", 80.0, date(2023, 6, 30)),
        ):
            uow.session.add(
                ComparableDeal(
                    unit_id=unit,
                    patent_number=number,
                    title="掘进装置",
                    patent_type="invention",
                    industry_code="machinery",
                    deal_type="transfer",
                    deal_date=day,
                    price=Decimal(price),
                    pvd=pvd,
                    created_at=now,
                )
            )
        uow.commit()
    with db.reading() as s:
        ids = list(s.scalars(select(ComparableDeal.id).order_by(ComparableDeal.id)))
        comparables = service.deal_comparables(s, valuer, "万元", [(ids[0], 1.0), (ids[1], 2.0)])
    assert [(c["id"], c["price"], c["pvd"]) for c in comparables] == [
        (f"D{ids[0]}", 300.0, 60.0),
        (f"D{ids[1]}", 400.0, 80.0),
    ]
    set_input(db, valuer, a_id, "market", {"price_growth": 0, "comparables": comparables})
    with db.uow() as uow:
        deal = uow.session.get(ComparableDeal, ids[0])
        assert deal is not None
        deal.price = Decimal("9000000")
        uow.commit()
    with db.reading() as s:
        p = picture_of(s, service.get_assessment(s, valuer, a_id))
    market = p.approach("market")
    # 300 × 70/60 = 350 and 400 × 70/80 = 350, weights 1 and 2, no growth: 350万元 whatever the deal now says
    assert market.result is not None and market.result["subject_pvd"] == pytest.approx(70)
    assert market.result["as_of"] == "2024-06-30" and market.value == pytest.approx(350)


def test_the_report_holds_the_scorers_and_the_figures_and_the_sensitivity_varies_k_i_n_and_revenue(
    db: Database, people: dict[str, Principal]
) -> None:
    valuer = people["cs_valuer"]
    a_id = create(db, valuer)
    score_all(db, valuer, a_id, scorer="王教授")
    set_input(db, valuer, a_id, "income", INCOME)
    with db.reading() as s:
        found = sensitivity_of(s, picture_of(s, service.get_assessment(s, valuer, a_id)))
        name, body = report_docx(s, people["cs_ip_val"], a_id, datetime(2024, 7, 1, tzinfo=UTC))
    assert found is not None and {v["code"] for v in found["variables"]} == {"K", "i", "n", "revenue"}
    assert found["base_value"] == pytest.approx(168.6113987, abs=1e-6)
    assert name.endswith(".docx") and "ZL201510123456.7" in name
    document = docx.Document(io.BytesIO(body))
    text = "\n".join(p.text for p in document.paragraphs) + "\n".join(
        cell.text for table in document.tables for row in table.rows for cell in row.cells
    )
    assert "王教授" in text and "一种近水平薄矿体智能掘进机机械开采方法" in text
    assert "168.6114" in text


def test_the_demo_concludes_the_valuation_firms_assessment_and_leaves_the_universitys_a_draft(
    db: Database, people: dict[str, Principal]
) -> None:
    from zhengwu.valuation.demo import seed_records

    seed_records(db)
    bureau = people["cs_ip_val"]
    with db.reading() as s:
        rows = {a.patent_number: a for a, _ in service.list_assessments(s, bureau)}
        final, draft = rows["CN113914863A"], rows["bdci-d9ba8f2b98c0"]
        p = picture_of(s, final)
        assert final.status == "final" and final.chosen == "income" and draft.status == "draft"
        assert all(o.value is not None and o.value > 0 for o in p.outcomes.values())
        assert {s.scorer for s in p.evaluation.scores.values()} == {"周建国", "李明", "系统自动评分"}
        assert picture_of(s, draft).pvd is None
