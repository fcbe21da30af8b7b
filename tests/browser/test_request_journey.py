"""A citizen's request through the hotline in Chromium, on the request's own page: the clerk registers it, accepts
and dispatches it; the road centre sends it back, it is dispatched again, signed for, more time is asked and
granted; the county commission lists it for supervision; it is resolved, the call-back finds the citizen unsatisfied
through the unit's fault so it is reopened, resolved again, closed on a satisfied call-back, and signed off. While
it is handled, the road centre's project keeper spawns a rectification project (start 2024-06-30, 20 days) whose page
computes the expected completion date, 2024-07-20, and records the actual one."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.browser.conftest import NewContext, log_in
from tests.support.request_people import PEOPLE
from zhengwu.core import crypto
from zhengwu.core.db import Actor, Database

PASSWORD = "Secret123"
SECRET = "browser-test-secret"  # the server's settings (tests/browser/conftest.py), from which it derives the data key


@pytest.fixture(scope="module")
def sqlite_template(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seeded database plus the requests people and categories, under the data key the server derives."""
    from tests.support.people import add_users
    from zhengwu.requests import service as requests

    path = tmp_path_factory.mktemp("request-journey") / "template.db"
    shutil.copy(sqlite_template, path)
    db = Database(f"sqlite:///{path}")
    crypto.install(db.engine, crypto.Keyring(crypto.derive_key(SECRET)))
    with db.uow(Actor(None, "测试数据")) as uow:
        requests.seed_categories(uow)
        add_users(uow, PEOPLE, PASSWORD, "role_")
        uow.commit()
    db.dispose()
    return path


def person(new_context: NewContext, username: str) -> Page:
    context: BrowserContext = new_context()
    return log_in(context.new_page(), username, PASSWORD)


def take(page: Page, url: str, form: str, notice: str = "已办理") -> None:
    """Open the request's page and submit the named step form (already filled by the caller, or without fields)."""
    page.get_by_role("form", name=form, exact=True).get_by_role("button", name=form, exact=True).click()
    expect(page.get_by_role("status")).to_contain_text(notice)
    assert page.url.split("?")[0].endswith(url), page.url


def test_the_request_journey_in_the_browser(new_context: NewContext) -> None:
    hotline = person(new_context, "r_hotline")
    hotline.goto("/requests/new")
    hotline.get_by_label("渠道").select_option(label="电话")
    hotline.get_by_label("诉求类型").select_option(label="投诉")
    hotline.get_by_label("问题分类").select_option(label="交通运输 › 公路养护")
    hotline.get_by_label("诉求内容").fill("S256 腊尔山五潮河至大马段路面老化，雨天湿滑")
    hotline.get_by_label("路线编号").fill("S256")
    hotline.get_by_label("起点桩号").fill("K12+300")
    hotline.get_by_label("止点桩号").fill("K27+900")
    hotline.get_by_label("姓名").fill("张三丰")
    hotline.get_by_label("联系电话").fill("13812345678")
    hotline.get_by_role("button", name="登记", exact=True).click()
    expect(hotline.get_by_role("status")).to_contain_text("已登记")
    url = hotline.url.split("?")[0]
    assert re.search(r"/requests/\d+$", url), url
    path = "/" + url.split("/", 3)[3]
    expect(hotline.locator("body")).to_contain_text("S256 K12+300–K27+900")
    expect(hotline.locator("body")).to_contain_text("138****5678")
    assert "13812345678" not in hotline.content()

    take(hotline, path, "受理")
    dispatch = hotline.get_by_role("form", name="派单", exact=True)
    dispatch.get_by_label("承办单位").select_option(label="凤凰县公路建设养护中心")
    take(hotline, path, "派单")

    road = person(new_context, "r_road")
    road.goto(path)
    road.get_by_role("form", name="退回", exact=True).get_by_label("退回理由").fill("属卫生健康部门职责")
    road.get_by_role("form", name="退回", exact=True).get_by_role("button", name="退回").click()
    expect(road.get_by_role("status")).to_contain_text("已办理")  # back on the list: no longer the centre's

    hotline.goto(path)
    expect(hotline.locator("body")).to_contain_text("已退回 1 次：属卫生健康部门职责")
    hotline.get_by_role("form", name="派单", exact=True).get_by_label("承办单位").select_option(
        label="凤凰县公路建设养护中心"
    )
    take(hotline, path, "派单")

    road.goto(path)
    expect(road.get_by_role("form", name="退回", exact=True)).to_have_count(0)  # sent back once already
    take(road, path, "签收")
    road.get_by_label("延期数量").fill("5")
    road.get_by_label("理由", exact=True).fill("等待沥青材料进场")
    road.get_by_role("button", name="申请延期").click()
    expect(road.get_by_role("status")).to_contain_text("延期申请已提交")

    hotline.goto(path)
    hotline.get_by_role("button", name="批准延期").click()
    expect(hotline.get_by_role("status")).to_contain_text("已批准延期")

    works = person(new_context, "r_projects")
    works.goto(f"{path}/projects/new")
    works.get_by_label("项目名称").fill("S256 腊尔山至大马段路面抗滑整治")
    works.get_by_label("勘察设计情况").fill("踏勘 15.6 公里路段，路面磨光")
    works.get_by_label("开工日期").fill("2024-06-30")
    works.get_by_label("工期（天，开工日之后计）").fill("20")
    works.locator('input[name="measure"]').first.fill("铣刨磨光路面")
    works.locator('input[name="quantity"]').first.fill("15.6")
    works.locator('input[name="unit"]').first.fill("公里")
    works.get_by_role("button", name="保存").click()
    expect(works.locator("p.lead")).to_contain_text("预计完工日期：2024-07-20")  # day 0 is the start: 06-30 + 20
    works.get_by_role("button", name="开工").click()
    works.get_by_label("实际完工日期").fill("2024-07-15")
    works.get_by_role("button", name="记录完工").click()
    expect(works.locator("body")).to_contain_text("2024-07-15")
    works.goto(path)
    expect(works.locator("body")).to_contain_text("S256 腊尔山至大马段路面抗滑整治")

    commission = person(new_context, "r_commission")
    commission.goto(path)
    commission.get_by_label("督办函号").fill("凤纪督〔2024〕1号")
    commission.get_by_label("督办要求").fill("7 月中旬前完成整改")
    commission.get_by_label("或：若干个工作日内").fill("20")
    commission.get_by_role("button", name="挂牌督办").click()
    expect(commission.get_by_role("status")).to_contain_text("已挂牌督办")

    road.goto(path)
    road.get_by_label("办理结果（答复群众，必填）").fill("弯道铣刨、刻纹，施划减速标线")
    road.get_by_label("解决困难数").fill("2")
    take(road, path, "办结")

    hotline.goto(path)
    call_back = hotline.get_by_role("form", name="回访", exact=True)
    expect(call_back).to_contain_text("群众不满意且属承办单位责任的，诉求退回承办单位重办")
    call_back.get_by_label("不满意属承办单位责任").check()
    call_back.get_by_label("回访说明").fill("群众反映雨天仍湿滑")
    take(hotline, path, "回访")
    expect(hotline.locator("table.grid").first).to_contain_text("办理中")

    road.goto(path)
    road.get_by_label("办理结果（答复群众，必填）").fill("补做抗滑磨耗层")
    take(road, path, "办结")

    hotline.goto(path)
    call_back = hotline.get_by_role("form", name="回访", exact=True)
    call_back.get_by_label("问题已解决").check()
    call_back.get_by_label("群众满意").check()
    take(hotline, path, "回访")
    expect(hotline.locator("table.grid").first).to_contain_text("已归档")

    commission.goto(path)
    commission.get_by_label("销号意见").fill("整改到位，同意销号")
    commission.get_by_role("button", name="督办销号").click()
    expect(commission.get_by_role("status")).to_contain_text("督办已销号")
    history = commission.locator("section").filter(has_text="办理记录")
    for label in ("退回", "申请延期", "批准延期", "挂牌督办", "回访不满意重办", "回访归档", "督办销号"):
        expect(history).to_contain_text(label)
