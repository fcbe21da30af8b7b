"""Bad input on the user form: the page says what is wrong in Chinese and keeps everything else that was typed."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.browser.conftest import choose_unit, log_in


def test_a_weak_password_on_the_new_user_form_is_refused_and_the_other_input_kept(page: Page) -> None:
    log_in(page, "admin")
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="用户管理").click()
    page.get_by_role("link", name="新建用户").click()
    expect(page.get_by_role("heading", name="新建用户")).to_be_visible()
    page.get_by_label("用户名", exact=True).fill("fh_wj_clerk")
    page.get_by_label("姓名", exact=True).fill("卫健局经办人")
    unit_id = choose_unit(page.get_by_label("所属单位"), "凤凰县卫生健康局")
    page.get_by_label("初始密码").fill("weak")
    page.get_by_role("checkbox", name="经办人员").check()

    with page.expect_response(lambda r: r.request.method == "POST") as response_info:
        page.get_by_role("button", name="保存").click()

    assert response_info.value.status == 422
    expect(page.get_by_role("alert")).to_have_text("密码至少 8 位，且须同时包含字母和数字。（字段：password）")
    expect(page.get_by_role("heading", name="新建用户")).to_be_visible()
    expect(page.get_by_label("用户名", exact=True)).to_have_value("fh_wj_clerk")
    expect(page.get_by_label("姓名", exact=True)).to_have_value("卫健局经办人")
    expect(page.get_by_label("所属单位")).to_have_value(unit_id)
    expect(page.get_by_role("checkbox", name="经办人员")).to_be_checked()
    expect(page.get_by_role("checkbox", name="督办人员")).not_to_be_checked()
    expect(page.get_by_label("初始密码")).to_have_value("")

    page.goto("/admin/users?q=fh_wj_clerk")
    expect(page.get_by_text("没有符合条件的记录")).to_be_visible()
