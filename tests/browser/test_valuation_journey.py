"""A patent valued in Chromium (issue #6): the valuer of 湖南湘评资产评估有限公司 opens an assessment of a
machinery patent, sees the automatic scores explained on the scoring page, scores the rest with reasons, enters the
income input and sees the worked example's 168.6114万元, looks at the sensitivity table and the tornado chart, and
downloads the Word report.

Reference value: issue #6 (docs/valuation.md, 算例): PVD 70, machinery 1.5–3 %, revenue 2000, 2200, 2400, 2500,
2500万, tax 25 %, i = 9.5 %, end of year → 168.6114万元."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import NewContext, log_in
from tests.conftest import PASSWORD
from tests.integration.test_valuation_assessments import EXPERT, FACTS
from zhengwu.core.db import Actor, Database
from zhengwu.valuation.people import seed_people


@pytest.fixture(scope="module")
def sqlite_template(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seeded database plus the valuation people."""
    path = tmp_path_factory.mktemp("valuation-journey") / "template.db"
    shutil.copy(sqlite_template, path)
    db = Database(f"sqlite:///{path}")
    with db.uow(Actor(None, "测试数据")) as uow:
        seed_people(uow, PASSWORD)
        uow.commit()
    db.dispose()
    return path


def test_a_valuer_scores_a_patent_values_it_and_downloads_the_report(new_context: NewContext) -> None:
    page: Page = log_in(new_context().new_page(), "cs_valuer")
    page.get_by_role("link", name="评估项目").click()
    page.get_by_role("link", name="新建评估项目").click()
    page.get_by_label("评估项目名称").fill("智能掘进机专利质押融资评估（浏览器）")
    page.get_by_label("专利号").fill("ZL201510123456.7")
    page.get_by_label("专利名称").fill("一种近水平薄矿体智能掘进机机械开采方法")
    page.get_by_label("行业").select_option("machinery")
    page.get_by_label("专利类型").select_option("invention")
    page.get_by_label("申请日").fill(FACTS["filing_date"])
    page.get_by_label("评估基准日").fill(FACTS["as_of"])
    for label, key in (("权利要求数", "claim_count"), ("被引次数", "forward_citations"), ("有效许可数", "licences")):
        page.get_by_label(label).fill(str(FACTS[key]))
    page.get_by_label("同族国家或地区数（含中国）").fill(str(FACTS["family_countries"]))
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_role("status")).to_contain_text("已建立评估项目")

    page.get_by_role("link", name="指标评分").click()
    expect(page.get_by_text("权利要求 12 项，得 8 分")).to_be_visible()
    for code, value in EXPERT.items():
        page.locator(f'input[name="value.{code}"][value="{value}"]').check()
        page.locator(f'textarea[name="reason.{code}"]').fill("专家组意见")
    page.get_by_label("评分人").fill("王教授")
    page.get_by_role("button", name="保存评分").click()
    expect(page.get_by_role("status")).to_contain_text("已记录 15 项评分")

    page.get_by_role("link", name="收益法", exact=True).click()
    page.get_by_label("各年收益额").fill("2000, 2200, 2400, 2500, 2500")
    page.get_by_label("所得税税率").fill("0.25")
    page.get_by_label("折现率（直接给出，小数）").fill("0.095")
    page.get_by_role("button", name="保存并计算").click()
    expect(page.get_by_role("status")).to_contain_text("已保存收益法参数")
    expect(page.locator("table.grid tfoot")).to_contain_text("168.6114")

    page.get_by_role("link", name="敏感性分析").click()
    expect(page.locator("svg").first).to_be_visible()
    expect(page.get_by_role("heading", name="收益法敏感性分析")).to_be_visible()

    with page.expect_download() as download:
        page.get_by_role("link", name="下载评估报告（Word）").first.click()
    assert download.value.suggested_filename.endswith(".docx")
