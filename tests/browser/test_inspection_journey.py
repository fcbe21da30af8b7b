"""A round of inspection in Chromium, from the plan to the follow-up evaluation (issue #5): the office plans 芙蓉区 and
天心区, sets up round 3 under the plan with a team for 芙蓉区 and an audit cadre as its leader (a cadre of 芙蓉区
itself is refused with the 回避 reason); the team records a finding with its working paper, the office approves the
paper and it is fed back with the report due date; the office hands a lead over to the city's discipline commission,
which receives it and feeds back a disposal, while 芙蓉区 can neither open the lead nor find it among the findings;
芙蓉区 rectifies an item with evidence, the office verifies it and sends it back, 芙蓉区 rectifies it again, the
office verifies it, the head and the supervising leader approve it and it is signed off (已销号), so the finding
closes; the later stages are dated up to the follow-up evaluation, which the timeline shows as the current stage;
the plan's coverage shows 芙蓉区 covered."""

from __future__ import annotations

import re
import shutil
from datetime import date
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.browser.conftest import NewContext, log_in
from tests.conftest import PASSWORD
from zhengwu.core import crypto
from zhengwu.core.db import Actor, Database
from zhengwu.inspection.model import rectification_due
from zhengwu.inspection.people import seed_people
from zhengwu.inspection.service.categories import seed_categories

SECRET = "browser-test-secret"  # the server's settings (tests/browser/conftest.py), from which it derives the data key
#: A PNG by its magic bytes: what the evidence check sniffs.
PNG = b"\x89PNG\r\n\x1a\n" + bytes(24)
PLAN = "十二届市委巡察工作规划（浏览器）"
ROUND = "十二届市委第三轮巡察（浏览器）"
TEAM = "第一巡察组"
FINDING = "落实全面从严治党主体责任不到位"
LEAD = "某局长违规收受礼金问题线索"


@pytest.fixture(scope="module")
def sqlite_template(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seeded database plus the inspection people and finding categories, under the server's data key."""
    path = tmp_path_factory.mktemp("inspection-journey") / "template.db"
    shutil.copy(sqlite_template, path)
    db = Database(f"sqlite:///{path}")
    crypto.install(db.engine, crypto.Keyring(crypto.derive_key(SECRET)))
    with db.uow(Actor(None, "测试数据")) as uow:
        seed_people(uow, PASSWORD)
        seed_categories(uow)
        uow.commit()
    db.dispose()
    return path


def person(new_context: NewContext, username: str) -> Page:
    return log_in(new_context().new_page(), username)


def path_of(page: Page, pattern: str) -> str:
    """The page's path, which must match ``pattern`` (e.g. the record a form just created)."""
    path = "/" + page.url.split("?")[0].split("/", 3)[3]
    assert re.fullmatch(pattern, path), page.url
    return path


def notice(page: Page, text: str) -> None:
    expect(page.get_by_role("status")).to_contain_text(text)


def take(page: Page, form: str, done: str = "已办理") -> None:
    """Submit the step form named ``form`` (already filled by the caller, or without fields)."""
    page.get_by_role("form", name=form, exact=True).get_by_role("button", name=form, exact=True).click()
    notice(page, done)


def facts(page: Page) -> Locator:
    """The first table of a matter's page: its facts (status, dates), apart from the history's rows."""
    return page.locator("table.grid").first


def form_with(page: Page, button: str) -> Locator:
    """A form of the round's page, found by its button (those forms carry no accessible name)."""
    return page.locator("form").filter(has=page.get_by_role("button", name=button, exact=True))


def date_stages(page: Page, stages: dict[str, tuple[str, str]]) -> None:
    """Fill the round's stage dates (the inputs of the timeline's table have no labels: found by name) and save."""
    page.get_by_text("填写各阶段日期").click()
    for stage, (starts, ends) in stages.items():
        page.locator(f'input[name="{stage}_starts_on"]').fill(starts)
        page.locator(f'input[name="{stage}_ends_on"]').fill(ends)
    page.get_by_role("button", name="保存阶段日期").click()
    notice(page, "已保存各阶段日期")


def plan_and_round(office: Page) -> tuple[str, str]:
    """The office plans 芙蓉区 and 天心区 and sets up a round under the plan, with a team and its leader."""
    office.goto("/inspection/plans/new")
    office.get_by_label("巡察委员会所在单位").select_option(label="长沙市")
    office.get_by_label("名称").fill(PLAN)
    office.get_by_label("起始年度").fill("2024")
    office.get_by_label("终止年度").fill("2026")
    office.get_by_role("button", name="保存").click()
    notice(office, "已建立巡察规划")
    plan = path_of(office, r"/inspection/plans/\d+")
    office.get_by_label("单位编码（以逗号、空格或换行分隔）").fill("cs-fr, cs-tx")
    office.get_by_label("计划轮次").fill("3")
    office.get_by_role("button", name="添加", exact=True).click()
    notice(office, "已添加 2 个规划巡察单位")

    office.goto("/inspection/rounds/new")
    office.get_by_label("巡察委员会所在单位").select_option(label="长沙市")
    office.get_by_label("年度").fill("2024")
    office.get_by_label("轮次（第几轮）").fill("3")
    office.get_by_label("巡察类型").select_option(label="常规巡察")
    office.get_by_label("名称").fill(ROUND)
    office.get_by_label("批准文件或会议").fill("市委常委会会议 2024年第5次")
    office.get_by_label("开始日期").fill("2024-03-18")
    office.get_by_label("所属巡察规划").select_option(label=PLAN)
    office.get_by_role("button", name="保存").click()
    notice(office, "已建立巡察轮次")
    rnd = path_of(office, r"/inspection/rounds/\d+")
    expect(office.locator("body")).to_contain_text(f"所属规划：{PLAN}")
    date_stages(office, {"preparation": ("2024-03-18", "2024-04-07")})
    expect(office.get_by_text("当前阶段：准备")).to_be_visible()

    office.get_by_role("textbox", name="新建巡察组", exact=True).fill(TEAM)
    office.get_by_role("button", name="新建", exact=True).click()
    notice(office, "已新建巡察组")
    assign = form_with(office, "确定被巡察单位")
    assign.get_by_label("被巡察单位编码").fill("cs-fr")
    assign.get_by_label("巡察组").select_option(label=TEAM)
    assign.get_by_role("button", name="确定被巡察单位").click()
    notice(office, "已确定被巡察单位")
    expect(office.locator("body")).to_contain_text("被巡察单位：芙蓉区")

    auditor = add_cadre(office, "王审计", "cs-sj", "审计")
    local = add_cadre(office, "李芙蓉", "cs-fr", "组织人事")
    office.goto(rnd)
    second(office, auditor, "组长")
    notice(office, "已抽调干部")
    expect(office.get_by_role("row", name=re.compile("王审计 组长 长沙市审计局"))).to_be_visible()
    second(office, local, "组员")
    expect(office.get_by_role("alert").first).to_contain_text(
        f"李芙蓉不能抽调到{TEAM}。被巡察单位“芙蓉区”：不得巡察本人所在单位。"
    )
    expect(office.get_by_role("row").filter(has_text="李芙蓉")).to_have_count(0)  # nothing recorded
    return plan, rnd


def add_cadre(office: Page, name: str, unit_code: str, specialty: str) -> str:
    """Add a cadre to the talent pool; returns their number (编号)."""
    office.goto("/inspection/cadres/new")
    office.get_by_label("姓名").fill(name)
    office.get_by_label("所在单位编码").fill(unit_code)
    office.get_by_label("职务").fill("科长")
    office.get_by_label(specialty, exact=True).check()
    office.get_by_role("button", name="保存").click()
    notice(office, "已加入巡察人才库")
    return path_of(office, r"/inspection/cadres/\d+").rsplit("/", 1)[1]


def second(office: Page, cadre: str, role: str) -> None:
    form = form_with(office, "抽调干部")
    form.get_by_label("干部编号").fill(cadre)
    form.get_by_label("巡察组").select_option(label=TEAM)
    form.get_by_label("角色").select_option(label=role)
    form.get_by_role("button", name="抽调干部").click()


def record_finding(office: Page, team: Page, rnd: str) -> str:
    """Entry: the team records a finding with its working paper; the office approves the paper; it is fed back."""
    office.goto(rnd)
    date_stages(office, {"entry": ("2024-04-08", "2024-05-31")})
    expect(office.get_by_text("当前阶段：进驻")).to_be_visible()

    team.goto("/inspection/findings/new")
    team.get_by_label("巡察轮次").select_option(label=f"2024 · {ROUND}")
    team.get_by_role("button", name="选择轮次").click()
    team.get_by_label("被巡察党组织").select_option(label="芙蓉区")
    team.get_by_label("巡察组").select_option(label=TEAM)
    team.get_by_label("问题分类").select_option(index=1)
    team.get_by_label("问题概述").fill(FINDING)
    team.get_by_label("问题描述").fill("区委常委会研究全面从严治党工作不经常，压力传导层层递减")
    team.get_by_label("问题底稿").fill("查阅 2023 年区委常委会会议记录 24 份，专题研究全面从严治党仅 1 次")
    team.get_by_role("button", name="登记", exact=True).click()
    notice(team, "已登记发现问题")
    finding = path_of(team, r"/inspection/findings/\d+")
    expect(team.locator("body")).to_contain_text("底稿待审批")

    office.goto(finding)
    take(office, "审批底稿")
    expect(office.locator("body")).to_contain_text("底稿已由 巡察办主任")

    team.goto(finding)
    take(team, "反馈")
    fed_back = facts(team).get_by_role("row").filter(has_text="反馈日期")
    expect(fed_back).to_contain_text("整改报告期限")
    cells = fed_back.locator("td")
    fed_back_on = date.fromisoformat(cells.nth(0).inner_text().strip())
    expect(cells.nth(1)).to_have_text(rectification_due(fed_back_on).isoformat())  # two months after feedback
    return finding


def hand_over_lead(office: Page, leads: Page, district: Page) -> None:
    """The office hands a lead over to the commission, which receives it and feeds back; the district never sees it."""
    office.goto("/inspection/leads/new")
    office.get_by_label("巡察轮次").select_option(label=f"2024年 {ROUND}")
    office.get_by_role("button", name="选择轮次").click()
    form = office.get_by_role("form", name="移交问题线索")
    form.get_by_label("被巡察党组织").select_option(label="芙蓉区")
    finding = form.get_by_label("关联发现问题（可不选）")
    linked = finding.locator("option").filter(has_text=FINDING).get_attribute("value")
    assert linked, f"关联发现问题中没有“{FINDING}”"
    finding.select_option(linked)
    form.get_by_label("移交对象").select_option(label="纪委监委")
    form.get_by_label("承办单位").select_option(label="长沙市纪委监委")
    form.get_by_label("线索摘要").fill(LEAD)
    form.get_by_label("线索内容").fill("反映该局长 2023 年春节期间收受下属单位礼金 2 万元")
    form.get_by_role("button", name="移交").click()
    notice(office, "已移交问题线索")
    lead = path_of(office, r"/inspection/leads/\d+")

    leads.goto(lead)
    expect(leads.locator("body")).to_contain_text("保密事项")
    take(leads, "接收")
    feedback = leads.get_by_role("form", name="反馈处置情况", exact=True)
    feedback.get_by_label("处置方式").select_option(label="初步核实")
    feedback.get_by_label("处置情况（必填）").fill("已按初步核实方式处置，正在核查")
    take(leads, "反馈处置情况")
    expect(facts(leads).get_by_role("row").filter(has_text="处置方式")).to_contain_text("初步核实")
    expect(leads.locator("body")).to_contain_text("已反馈")

    response = district.goto(lead)
    assert response is not None and response.status in (403, 404), response and response.status
    expect(district.locator("body")).not_to_contain_text(LEAD)
    for reader in (district, office):
        reader.goto("/inspection/findings")
        expect(reader.locator("body")).to_contain_text(FINDING)
        expect(reader.locator("body")).not_to_contain_text(LEAD)


def upload_and_submit(district: Page, item: str, note: str) -> None:
    district.goto(item)
    district.get_by_label("上传佐证材料（照片或 PDF）").set_input_files(
        {"name": "整改照片.png", "mimeType": "image/png", "buffer": PNG}
    )
    district.get_by_role("button", name="上传", exact=True).click()
    notice(district, "已上传 1 个佐证材料")
    district.get_by_role("form", name="提交整改完成情况").get_by_label("完成情况（必填）").fill(note)
    take(district, "提交整改完成情况")
    expect(district.locator("body")).to_contain_text("待核实")


def rectify(office: Page, district: Page, supervisor: Page, finding: str) -> None:
    """An item rectified, sent back, rectified again, verified and signed off by both approvers; the finding closes."""
    district.goto(finding)
    take(district, "制定整改方案")
    add = district.get_by_role("form", name="制定整改事项")
    add.get_by_label("整改措施").fill("制定区委常委会年度议题计划，每季度专题研究全面从严治党工作")
    add.get_by_label("责任人").fill("区委办主任")
    add.get_by_role("button", name="添加整改事项").click()
    notice(district, "已制定整改事项")
    item = path_of(district, r"/inspection/items/\d+")

    upload_and_submit(district, item, "已制定年度议题计划")
    office.goto(item)
    take(office, "核实")
    expect(office.locator("body")).to_contain_text("已核实待审批")
    office.get_by_role("form", name="退回重新整改").get_by_label("退回理由（必填）").fill("议题计划未经常委会审议")
    take(office, "退回重新整改")
    status = facts(office).get_by_role("row").filter(has_text="退回重新整改")
    expect(status).to_contain_text("整改中")
    expect(status).to_contain_text("1 次")
    expect(office.locator("body")).to_contain_text("首次整改（不再计入）")
    expect(office.locator("body")).to_contain_text("议题计划未经常委会审议")

    upload_and_submit(district, item, "议题计划已经区委常委会审议通过")
    expect(district.locator("body")).to_contain_text("第 1 次退回后重新整改")
    office.goto(item)
    take(office, "核实")
    district.goto(item)
    take(district, "销号审批（主要负责人）")
    supervisor.goto(item)
    take(supervisor, "销号审批（督导领导）")
    expect(facts(supervisor).get_by_role("row").filter(has_text="退回重新整改")).to_contain_text("已销号")
    expect(supervisor.locator("body")).to_contain_text("芙蓉区委书记")

    office.goto(finding)
    expect(office.get_by_role("row").filter(has_text="区委办主任")).to_contain_text("已销号")
    take(office, "整改完成")
    expect(facts(office).get_by_role("row").filter(has_text="登记时间")).to_contain_text("已整改")


def test_a_round_goes_from_plan_to_follow_up_evaluation_with_a_lead_and_a_re_rectified_item(
    new_context: NewContext,
) -> None:
    office = person(new_context, "cs_xcb_office")
    plan, rnd = plan_and_round(office)
    team = person(new_context, "cs_team1")
    finding = record_finding(office, team, rnd)

    district = person(new_context, "cs_fr_head")
    hand_over_lead(office, person(new_context, "cs_jw_leads"), district)
    rectify(office, district, person(new_context, "cs_supervisor"), finding)

    office.goto(rnd)
    date_stages(
        office,
        {
            "report": ("2024-06-03", "2024-06-14"),
            "feedback": ("2024-06-20", "2024-06-20"),
            "handover": ("2024-06-25", "2024-07-05"),
            "rectification": ("2024-06-25", "2024-09-30"),
            "evaluation": ("2024-10-08", ""),
        },
    )
    expect(office.get_by_text("当前阶段：督查评估")).to_be_visible()
    current = office.locator('ol.timeline li[aria-current="step"]')
    expect(current).to_have_count(1)
    expect(current).to_contain_text("督查评估")
    expect(current).to_contain_text("2024-10-08 至 进行中")
    expect(office.locator("ol.timeline li").last).to_contain_text("督查评估")

    office.goto(plan)
    expect(office.get_by_role("row", name=re.compile(r"^芙蓉区 1 1 100\.0%$"))).to_be_visible()
    expect(office.get_by_role("row", name=re.compile(r"^天心区 1 0 0\.0%$"))).to_be_visible()
    expect(office.locator("body")).to_contain_text(ROUND)
