"""Pledge financing and its securitization in Chromium (issue #7): the bank's pledge lender registers a little giant
and applies for a loan, pledges a patent entered by hand within the 30 % pledge-rate ceiling, approves it and
disburses it with the pledge's registration number, and sees the level repayment schedule; a second loan pledging
too little is refused at approval with the rate and the ceiling named, and stays applied. The plan manager starts a
plan from the Changsha sample's terms, sets tranches that fit a one-loan pool, pools the disbursed loan, sees the
pool, the waterfall (which changes when the loan defaults) with its chart, the Monte Carlo results with their
standard errors and charts, and downloads the Word report; the IP bureau reads the ceilings, the risk-pool rule and
the plan, without any of the plan's forms.

Reference values: 3,000,000 元 at 4.35 % over 24 months, quarterly level payments: r = 1.0875 % per quarter,
payment = 3,000,000 × r ÷ (1 − (1 + r)⁻⁸) = 393,583.11 元, of which 32,625.00 元 interest in the first quarter;
a patent appraised at 12,000,000 元 gives a pledge rate of 25.00 % (ceiling 30.00 %, migration 0010's default);
one appraised at 5,000,000 元 for 2,000,000 元 gives 40.00 %."""

from __future__ import annotations

import io
import re
import shutil
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.browser.conftest import NewContext, log_in
from tests.conftest import PASSWORD
from tests.support.finance_records import valid_credit_code
from zhengwu.core.db import Actor, Database
from zhengwu.finance.defaults import HUNAN_RULE
from zhengwu.finance.people import seed_people

RULE = "hunan-2023"
VALUER = "湖南湘评资产评估有限公司"


@pytest.fixture(scope="module")
def sqlite_template(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seeded database (with migration 0010's 30 % ceiling and the hunan-2023 rule) plus the finance people."""
    path = tmp_path_factory.mktemp("finance-journey") / "template.db"
    shutil.copy(sqlite_template, path)
    db = Database(f"sqlite:///{path}")
    with db.uow(Actor(None, "测试数据")) as uow:
        seed_people(uow, PASSWORD)
        uow.commit()
    db.dispose()
    return path


@dataclass(frozen=True)
class Application:
    code: str
    borrower: str
    k: int  # the borrower's credit code is valid_credit_code(k)
    principal: str
    appraised: str


def notice(page: Page, text: str) -> None:
    expect(page.get_by_role("status")).to_contain_text(text)


def step_form(page: Page, step: str) -> Locator:
    """The form of a loan's step (审批通过, 放款 …), found by its heading."""
    return (
        page.get_by_role("region", name="办理")
        .locator("form")
        .filter(has=page.get_by_role("heading", name=step, exact=True))
    )


def register_borrower(page: Page, name: str, k: int) -> None:
    page.get_by_role("link", name="借款企业", exact=True).click()
    page.get_by_role("link", name="登记借款企业").click()
    page.get_by_label("企业名称").fill(name)
    page.get_by_label("统一社会信用代码").fill(valid_credit_code(k))
    page.get_by_label("所属行业").fill("工程机械")
    page.get_by_label("专精特新“小巨人”企业").check()
    page.get_by_role("button", name="保存").click()
    notice(page, "已登记借款企业")
    expect(page.get_by_role("heading", name=f"借款企业：{name}")).to_be_visible()
    expect(page.get_by_role("row", name=re.compile("专精特新“小巨人”"))).to_contain_text("是")


def apply(page: Page, loan: Application) -> None:
    """The application's form: quarterly level payments over 24 months, guaranteed, under the hunan-2023 rule; then
    a patent entered by hand on the loan's page."""
    page.goto("/finance/loans/new")
    page.get_by_label("贷款编号").fill(loan.code)
    page.get_by_label("借款企业").select_option(label=f"{loan.borrower}（{valid_credit_code(loan.k)}）")
    page.get_by_label("贷款本金（元）").fill(loan.principal)
    page.get_by_label("年利率（%）").fill("4.35")
    page.get_by_label("期限（月）").fill("24")
    page.get_by_label("每年还款次数").select_option("4")
    page.get_by_label("还款方式").select_option(label="等额本息")
    page.get_by_label("年违约概率（%").fill("2")
    page.get_by_label("担保机构（无担保留空）").fill("湖南省融资担保集团有限公司")
    page.get_by_label("担保比例（%").fill("80")
    page.get_by_label("风险补偿规则").select_option(label=f"{HUNAN_RULE['name']}（{RULE}）")
    page.get_by_label("申请日期").fill("2023-05-10")
    page.get_by_role("button", name="保存").click()
    notice(page, "已登记贷款申请，请登记质押专利")
    expect(page.get_by_role("heading", name=f"质押贷款 {loan.code}")).to_contain_text("已申请")
    terms = page.get_by_role("region", name="贷款条款")
    expect(terms).to_contain_text("4.35%")
    expect(terms).to_contain_text("24 个月，每年还款 4 次，等额本息")
    expect(terms).to_contain_text("湖南省融资担保集团有限公司，担保比例 80%")
    expect(terms).to_contain_text("资金池 45%、银行与担保机构 45%、评估机构 10%，单户上限 5,000,000.00 元")

    patents = page.get_by_role("region", name="质押专利")
    expect(patents).to_contain_text("尚未登记质押专利")
    form = patents.locator("form").filter(has=page.get_by_role("heading", name="登记质押专利"))
    form.get_by_label("专利号", exact=True).fill(f"ZL2021{loan.code[-3:]}0001.5")
    form.get_by_label("专利名称", exact=True).fill("一种盾构机刀盘的耐磨结构")
    form.get_by_label("专利类型").select_option(label="发明")
    form.get_by_label("评估价值（元）", exact=True).fill(loan.appraised)
    form.get_by_label("评估机构", exact=True).fill(VALUER)
    form.get_by_label("评估基准日", exact=True).fill("2023-04-30")
    form.get_by_role("button", name="登记").click()
    notice(page, "已登记质押专利")
    expect(patents.get_by_role("row", name=re.compile("盾构机刀盘"))).to_contain_text("手工登记")


def lend(page: Page, loan: Application) -> str:
    """Register the borrower, apply, pledge, approve and disburse ``loan`` (3,000,000 元 against 12,000,000 元);
    returns the loan page's path."""
    k = loan.k
    register_borrower(page, loan.borrower, k)
    apply(page, loan)
    patents = page.get_by_role("region", name="质押专利")
    expect(patents).to_contain_text("质押率 25.00%，上限 30.00%")
    expect(patents).to_contain_text("未超过上限。")

    approve = step_form(page, "审批通过")
    approve.get_by_label("审批日期").fill("2023-05-20")
    approve.get_by_role("button", name="审批通过").click()
    notice(page, "已审批通过，贷款现为“已审批”")

    disburse = step_form(page, "放款")
    disburse.get_by_label("放款日期").fill("2023-06-01")
    disburse.get_by_label("专利权质押登记号").fill(f"Y2023430000{k:03d}")
    disburse.get_by_label("质押登记日期").fill("2023-05-25")
    disburse.get_by_role("button", name="放款").click()
    notice(page, "已放款，贷款现为“已放款”")
    expect(page.get_by_role("heading", name=f"质押贷款 {loan.code}")).to_contain_text("已放款")
    terms = page.get_by_role("region", name="贷款条款")
    expect(terms).to_contain_text(f"Y2023430000{k:03d}（2023-05-25）")
    expect(terms).to_contain_text("2023-06-01 / 2025-06-01")
    expect(page.get_by_role("region", name="质押专利")).to_contain_text("质押率 25.00%，上限 30.00%")
    expect(page.get_by_role("region", name="质押专利").locator("form")).to_have_count(0)  # pledge fixed once lent

    rows = page.get_by_role("region", name="还款计划").locator("tbody tr")
    expect(rows).to_have_count(8)
    expect(rows.first).to_contain_text("2023-09-01")
    expect(rows.first).to_contain_text("393,583.11")
    expect(rows.first).to_contain_text("32,625.00")
    expect(rows.last).to_contain_text("2025-06-01")
    expect(rows.last.locator("td").last).to_have_text("0.00")
    history = page.get_by_role("region", name="办理记录")
    for status in ("已申请", "已审批", "已放款"):
        expect(history).to_contain_text(status)
    return "/" + page.url.split("?")[0].split("/", 3)[3]


def test_a_bank_lends_against_a_pledged_patent_within_the_ceiling_and_is_refused_above_it(
    new_context: NewContext,
) -> None:
    page = log_in(new_context().new_page(), "cs_loan")
    first = Application("CS-2023-101", "长沙智能盾构装备有限公司", 5, "3000000", "12000000")
    path = lend(page, first)
    assert re.fullmatch(r"/finance/loans/\d+", path), path

    # A second loan pledging too little: approval is refused naming the rate and the ceiling; nothing changes.
    second = Application("CS-2023-102", "长沙智能盾构装备有限公司", 5, "2000000", "5000000")
    apply(page, second)
    patents = page.get_by_role("region", name="质押专利")
    expect(patents).to_contain_text("质押率 40.00%，上限 30.00%")
    expect(patents).to_contain_text("超过上限，不能审批或放款。")
    approve = step_form(page, "审批通过")
    approve.get_by_label("审批日期").fill("2023-05-20")
    with page.expect_response(lambda r: r.url.endswith("/steps/approve")) as refused:
        approve.get_by_role("button", name="审批通过").click()
    assert refused.value.status == 422
    expect(page.get_by_role("alert")).to_contain_text(
        "质押率 40.00%（贷款本金 ÷ 质押专利评估价值 5,000,000.00 元）超过上限 30.00%，不能审批通过"
    )
    expect(page.get_by_role("heading", name=f"质押贷款 {second.code}")).to_contain_text("已申请")
    expect(page.get_by_role("region", name="贷款条款").get_by_role("row", name="审批日期")).to_contain_text("—")

    # The list: one loan lent, one applied, both of the firm.
    page.get_by_role("link", name="质押贷款", exact=True).click()
    expect(page.get_by_role("row", name=re.compile(first.code))).to_contain_text("已放款")
    expect(page.get_by_role("row", name=re.compile(second.code))).to_contain_text("已申请")


def test_a_plan_manager_pools_a_disbursed_loan_runs_the_waterfall_and_the_simulation_and_downloads_the_report(
    new_context: NewContext,
) -> None:
    loan = Application("CS-2023-201", "湖南星沙精密机械股份有限公司", 6, "3000000", "12000000")
    lend(log_in(new_context().new_page(), "cs_loan"), loan)

    page = log_in(new_context().new_page(), "cs_abs")
    page.get_by_role("link", name="证券化方案").click()
    page.get_by_role("link", name="新建（长沙样例条款）").click()
    expect(page.get_by_text("已按长沙案例")).to_be_visible()
    expect(page.get_by_label("方案代码")).to_have_value("XZYR-2023")
    expect(page.get_by_label("成立日")).to_have_value("2023-07-01")
    page.get_by_role("button", name="保存").click()
    notice(page, "已新建方案，请设置证券分层并选择入池贷款")
    plan_path = "/" + page.url.split("?")[0].split("/", 3)[3]
    assert re.fullmatch(r"/finance/plans/\d+", plan_path), page.url
    expect(page.get_by_text("尚未选择入池贷款。")).to_be_visible()

    # Tranches: the sample's two rows, resized to a 3,000,000 元 pool (senior 80 % at 3 %, the rest subordinated).
    page.get_by_role("link", name="设置证券分层").click()
    page.get_by_role("link", name="填入长沙样例分层").click()
    expect(page.get_by_label("第 1 档证券编号")).to_have_value("A")
    expect(page.get_by_label("第 2 档名称")).to_have_value("次级资产支持证券")
    page.get_by_label("第 1 档本金").fill("2400000")
    page.get_by_label("第 1 档票面利率").fill("3")
    page.get_by_label("第 2 档本金").fill("600000")
    expect(page.get_by_label("第 2 档票面利率")).to_have_value("")
    page.get_by_role("button", name="保存证券分层").click()
    notice(page, "已保存证券分层")

    page.get_by_role("link", name="选择入池贷款").click()
    page.get_by_label(f"贷款 {loan.code} 入池").check()
    page.get_by_role("button", name="更新合计").click()
    expect(page.get_by_text("合计已按勾选的贷款更新，尚未保存。")).to_be_visible()
    expect(page.locator("form.card > p").first).to_contain_text("已选 1 笔，本金合计 3,000,000.00 元")
    page.get_by_role("button", name="保存入池贷款").click()
    notice(page, "已保存入池贷款（1 笔）")

    pool = page.locator("section.card").filter(has=page.get_by_role("heading", name="资产池（1 笔贷款）"))
    row = pool.get_by_role("row", name=re.compile(loan.code))
    for text in (loan.borrower, "3,000,000.00", "4.35%", "24 个月（8 期）", "等额本息", "12,000,000.00", "25.00%"):
        expect(row).to_contain_text(text)
    expect(row.locator("td").last).to_have_text("已放款")
    tranches = page.locator("section.card").filter(has=page.get_by_role("heading", name="证券分层（按清偿顺序）"))
    expect(tranches.get_by_role("row", name=re.compile("优先级资产支持证券"))).to_contain_text("80.00%")
    expect(tranches.locator("tfoot")).to_contain_text("100.00%")

    # The waterfall without defaults, then with the loan defaulting in period 3.
    page.get_by_role("link", name="现金流瀑布").click()
    table = page.locator("section.card").filter(has=page.get_by_role("heading", name="逐期现金流（元）"))
    defaults_total = table.locator("tfoot th").nth(2)  # 合计, 回收款, 违约债权
    expect(table.locator("tbody tr")).to_have_count(8)
    expect(defaults_total).to_have_text("0.00")
    chart = page.locator("section.card").filter(has=page.get_by_role("heading", name="各档证券余额")).locator("svg")
    expect(chart).to_have_count(1)
    page.get_by_label(f"{loan.code} 违约期").fill("3")
    page.get_by_role("button", name="计算").click()
    expect(page.get_by_label(f"{loan.code} 违约期")).to_have_value("3")
    expect(defaults_total).not_to_have_text("0.00")
    expect(table.locator("tbody tr").nth(2).locator("td").nth(3)).not_to_have_text("0.00")
    expect(table.locator("tbody tr").nth(1).locator("td").nth(3)).to_have_text("0.00")
    expect(chart).to_have_count(1)

    # The simulation, small and seeded, with its standard errors and charts; the report of that simulation.
    page.get_by_role("link", name="蒙特卡洛模拟").click()
    page.get_by_label("路径数").fill("400")
    page.get_by_label("随机种子").fill("20230701")
    page.get_by_role("button", name="模拟").click()
    expect(page.get_by_role("heading", name="各档证券（400 条路径，随机种子 20230701）")).to_be_visible()
    results = page.locator("section.card").filter(has=page.get_by_role("heading", name=re.compile("^各档证券")))
    expect(results.locator("tbody tr")).to_have_count(2)
    expect(results.locator("tbody tr").first).to_contain_text(" ± ")
    expect(page.get_by_text("被动用的概率")).to_be_visible()
    expect(page.get_by_role("heading", name="违约笔数的分布")).to_be_visible()
    count = page.locator("section.card").filter(has=page.get_by_role("heading", name="违约笔数的分布"))
    expect(count.locator("svg rect").first).to_be_attached()
    expect(page.locator("main svg").first).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name="下载含此模拟的测算报告").click()
    assert download.value.suggested_filename.endswith(".docx"), download.value.suggested_filename
    body = Path(download.value.path()).read_bytes()
    assert body[:2] == b"PK"
    with zipfile.ZipFile(io.BytesIO(body)) as docx:
        document = docx.read("word/document.xml").decode("utf-8")
    assert "XZYR-2023" in document and loan.code in document

    # The IP bureau reads the reference data and the plan, with none of the plan's forms.
    bureau = log_in(new_context().new_page(), "cs_ip_fin")
    bureau.get_by_role("link", name="质押率与风险补偿").click()
    expect(bureau.get_by_role("heading", name="质押率上限与风险补偿规则")).to_be_visible()
    expect(bureau.get_by_label("全部类型（默认）的质押率上限（%）")).to_have_value("30")
    expect(bureau.get_by_text(RULE).first).to_be_visible()
    bureau.goto(plan_path)
    expect(bureau.get_by_role("row", name=re.compile(loan.code))).to_contain_text("25.00%")
    expect(bureau.get_by_role("link", name="现金流瀑布")).to_be_visible()
    for link in ("修改方案条款", "选择入池贷款", "设置证券分层"):
        expect(bureau.get_by_role("link", name=link)).to_have_count(0)
    expect(bureau.locator("main form")).to_have_count(0)
