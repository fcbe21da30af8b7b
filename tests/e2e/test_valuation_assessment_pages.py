"""Assessments on the pages and through the API: a valuer of 湖南湘评资产评估有限公司 opens an assessment, sees the
automatic scores explained, scores the rest with reasons, enters the income, market and cost inputs, sees the
sensitivity table and the tornado chart, concludes, and downloads the Word report; bad input comes back naming the
field (422), a stale version answers 409, another unit's assessment 404.

Reference value: the worked example of issue #6 (docs/valuation.md, 算例) — PVD 70, machinery 1.5–3 %, revenue
2000, 2200, 2400, 2500, 2500万, tax 25 %, i = 9.5 % built up, end of year → 168.6114万元.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.conftest import api_login, csrf, login
from tests.integration.test_valuation_assessments import COST, EXPERT, FACTS, INCOME, seed_valuation_people
from zhengwu.core.db import Database
from zhengwu.core.settings import Settings

BASE = "/valuation/assessments"
API = "/api/v1/valuation/assessments"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
NEW = {
    "title": "智能掘进机专利质押融资评估",
    "patent_number": "ZL201510123456.7",
    "patent_title": "一种近水平薄矿体智能掘进机机械开采方法",
    "holder": "湖南某重工股份有限公司",
    "client": "长沙银行麓谷科技支行",
    "industry_code": "machinery",
    "profile_code": "cnipa2012-finance",
    "money_unit": "万元",
    **{f"facts.{k}": str(v) for k, v in FACTS.items()},
}
INCOME_FORM = {
    "income.basis": "revenue",
    "income.amounts": "2000, 2200, 2400, 2500, 2500",
    "share_rate.method": "score",
    "tax_rate": "0.25",
    "discount_mode": "buildup",
    "discount_rate.risk_free": "0.025",
    "discount_rate.premia.technology": "0.03",
    "discount_rate.premia.market": "0.02",
    "discount_rate.premia.funding": "0.01",
    "discount_rate.premia.management": "0.01",
    "years": "5",
    "timing": "end",
}


@pytest.fixture
def client(settings: Settings, db: Database) -> Iterator[TestClient]:
    seed_valuation_people(db)
    from zhengwu.web.app import create_app

    with TestClient(create_app(settings, db)) as c:
        yield c


def post(client: TestClient, url: str, data: dict[str, Any]) -> Any:
    return client.post(url, data={**data, "csrf_token": csrf(client)}, follow_redirects=False)


def created(r: Any) -> int:
    assert r.status_code == 303, r.text
    return int(r.headers["location"].split("?")[0].rsplit("/", 1)[1])


def api(client: TestClient, username: str) -> TestClient:
    return api_login(client, username)


def test_a_valuer_scores_values_and_concludes_an_assessment_on_the_pages(client: TestClient) -> None:
    login(client, "cs_valuer")
    a = created(post(client, f"{BASE}/new", NEW))
    page = client.get(f"{BASE}/{a}/scores").text
    assert "权利要求 12 项，得 8 分" in page and "无官方默认权重" in page  # the automatic score, explained
    scores = {f"value.{code}": str(v) for code, v in EXPERT.items()}
    scores |= {f"reason.{code}": "专家组意见" for code in EXPERT}
    r = post(client, f"{BASE}/{a}/scores", {**scores, "scorer": "王教授"})
    assert r.status_code == 303 and "15" in r.headers["location"]
    again = post(client, f"{BASE}/{a}/scores", scores)  # nothing changed: nothing recorded twice
    assert again.status_code == 422 and "没有新的评分" in again.text
    assert "王教授" in client.get(f"{BASE}/{a}/scores").text

    assert post(client, f"{BASE}/{a}/income", INCOME_FORM).status_code == 303
    income = client.get(f"{BASE}/{a}/income").text
    assert "168.6114" in income and "2.5500%" in income and "34.9315" in income
    sensitivity = client.get(f"{BASE}/{a}/sensitivity").text
    assert "<svg" in sensitivity and "折现率 i" in sensitivity and "收益年限 n" in sensitivity

    cost = {"item_name_0": "研制成本", "item_amount_0": "80", "item_name_1": "专利申请与维持费用", "item_amount_1": "2"}
    cost |= {"price_index": "1.1", "profit_rate": "0.2", "years_used": "9", "remaining_life": "6"}
    assert post(client, f"{BASE}/{a}/cost", cost).status_code == 303
    assert "43.2960 万元" in client.get(f"{BASE}/{a}/cost").text
    assert "选择可比交易" in client.get(f"{BASE}/{a}/market").text

    overview = client.get(f"{BASE}/{a}").text
    assert "70.00" in overview and "168.6114 万元" in overview and "43.2960 万元" in overview
    assert post(client, f"{BASE}/{a}/conclude", {"chosen": "income"}).status_code == 303
    final = client.get(f"{BASE}/{a}").text
    assert "已出具结论" in final and "收益法" in final
    refused = post(client, f"{BASE}/{a}/income", INCOME_FORM)
    assert refused.status_code == 409 and "已出具结论" in refused.text
    report = client.get(f"{BASE}/{a}/report.docx")
    assert report.status_code == 200 and report.headers["content-type"] == DOCX and report.content[:2] == b"PK"
    listing = client.get(f"{BASE}?status=final").text
    assert "智能掘进机专利质押融资评估" in listing
    assert "智能掘进机" not in client.get(f"{BASE}?status=draft").text


def test_bad_form_input_comes_back_naming_the_field_and_nothing_is_saved(client: TestClient) -> None:
    login(client, "cs_valuer")
    r = post(client, f"{BASE}/new", {**NEW, "title": "", "facts.filing_date": "2015-02-30"})
    assert r.status_code == 422 and "请填写评估项目名称" in r.text
    r = post(client, f"{BASE}/new", {**NEW, "facts.filing_date": "2015-02-30"})
    assert r.status_code == 422 and "不是有效的日期" in r.text and "facts.filing_date" in r.text
    a = created(post(client, f"{BASE}/new", NEW))
    r = post(client, f"{BASE}/{a}/scores", {"value.stability": "8"})
    assert r.status_code == 422 and "请填写“稳定性”的评分理由" in r.text
    r = post(client, f"{BASE}/{a}/income", {**INCOME_FORM, "tax_rate": "abc"})
    assert r.status_code == 422 and "tax_rate" in r.text and 'value="abc"' in r.text
    r = post(client, f"{BASE}/{a}/income", {**INCOME_FORM, "income.amounts": "2000, -1"})
    assert r.status_code == 422 and "income.amounts[1]" in r.text
    r = post(client, f"{BASE}/{a}/cost", {"item_name_0": "研制成本", "item_amount_0": "-5", "obsolescence_rate": "0"})
    assert r.status_code == 422 and "items[0].amount" in r.text
    r = post(client, f"{BASE}/{a}/market", {"deal": "999999"})
    assert r.status_code == 422 and "999999" in r.text
    r = post(client, f"{BASE}/{a}/edit", {**NEW, "version": "1", "title": "改名"})
    assert r.status_code == 303
    stale = post(client, f"{BASE}/{a}/edit", {**NEW, "version": "1", "title": "再改"})
    assert stale.status_code == 409 and "已被他人修改" in stale.text
    r = post(client, f"{BASE}/{a}/conclude", {"chosen": "market"})
    assert r.status_code == 422 and "市场法尚无结果" in r.text
    assert "改名" in client.get(f"{BASE}/{a}").text
    assert "尚未填写参数" in client.get(f"{BASE}/{a}").text


def test_the_api_runs_the_whole_assessment_and_keeps_other_units_out(client: TestClient) -> None:
    c = api(client, "cs_valuer")
    body = {"title": NEW["title"], "patent_number": "ZL201510123456.7", "patent_title": NEW["patent_title"]}
    r = c.post(API, json={**body, "industry_code": "machinery", "facts": FACTS})
    assert r.status_code == 201, r.text
    a = r.json()["id"]
    scores = [{"sub_code": k, "value": v, "reason": "专家组意见", "scorer": "王教授"} for k, v in EXPERT.items()]
    assert c.post(f"{API}/{a}/scores", json={"scores": scores}).status_code == 200
    bad = c.post(f"{API}/{a}/scores", json={"scores": [{"sub_code": "multi_country", "value": 2, "reason": "x"}]})
    assert bad.status_code == 422 and bad.json()["field"] == "scores[0].value"
    r = c.put(f"{API}/{a}/income", json={"input": INCOME})
    assert r.status_code == 200, r.text
    detail = r.json()
    assert round(detail["approaches"]["income"]["result"]["value"] * 10_000) == 1_686_114
    assert detail["evaluation"]["pvd"] == pytest.approx(70)
    assert detail["scores"][0]["scorer"] == "王教授"
    bad = c.put(f"{API}/{a}/income", json={"input": {**INCOME, "tax_rate": 1}})
    assert bad.status_code == 422 and bad.json()["field"] == "tax_rate"
    assert c.put(f"{API}/{a}/cost", json={"input": COST}).status_code == 200
    sens = c.get(f"{API}/{a}/sensitivity").json()
    assert sens["base_value"] == pytest.approx(168.6113987, abs=1e-6) and sens["tornado"]["bars"]
    version = c.get(f"{API}/{a}").json()["version"]
    stale = c.put(f"{API}/{a}", json={**body, "facts": FACTS, "version": version - 1})
    assert stale.status_code == 409
    r = c.post(f"{API}/{a}/conclude", json={"chosen": "income", "version": version})
    assert r.status_code == 200 and r.json()["status"] == "final"
    assert r.json()["conclusion"] == pytest.approx(168.6113987, abs=1e-6)
    assert c.put(f"{API}/{a}/cost", json={"input": None}).status_code == 409
    report = c.get(f"{API}/{a}/report.docx")
    assert report.status_code == 200 and report.content[:2] == b"PK"

    other = api(client, "cs_bank")
    assert other.get(f"{API}/{a}").status_code == 404
    assert other.get(API).json() == []
    bureau = api(client, "cs_ip_val")
    assert [x["id"] for x in bureau.get(API).json()] == [a]
    assert bureau.post(f"{API}/{a}/scores", json={"scores": scores}).status_code == 403


def test_the_income_page_bounds_the_income_years_by_the_remaining_legal_term(client: TestClient) -> None:
    # FACTS: an invention filed 2015-03-01, valued on 2024-06-30: its term ends 2035-02-28 (专利法第四十二条, 20
    # years from filing), 3,896 days = 10.67 years later, so n should be at most 10 whole years.
    login(client, "cs_valuer")
    a = created(post(client, f"{BASE}/new", NEW))
    page = client.get(f"{BASE}/{a}/income").text
    assert "剩余法定保护期 10.67 年（至 2035-02-28 届满）" in page and "不超过 10 年" in page
    twelve = {**INCOME_FORM, "income.amounts": ", ".join(["2000"] * 12), "years": "12"}
    assert post(client, f"{BASE}/{a}/income", twelve).status_code == 303
    assert "收益年限 12 年超过剩余法定保护期" in client.get(f"{BASE}/{a}/income").text
    assert post(client, f"{BASE}/{a}/income", INCOME_FORM).status_code == 303
    assert "超过剩余法定保护期" not in client.get(f"{BASE}/{a}/income").text
