"""Logging in and out through the login form, as a person at a browser does."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.browser.conftest import log_in


def test_a_unit_administrator_logs_in_sees_only_the_pages_granted_and_logs_out(page: Page, server_url: str) -> None:
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/login"))

    log_in(page, "fh_admin")

    expect(page).to_have_url(f"{server_url}/")
    expect(page).to_have_title(re.compile("我的待办"))
    expect(page.get_by_text("凤凰县 · 凤凰县管理员")).to_be_visible()
    nav = page.get_by_role("navigation", name="主导航")
    expect(nav.get_by_role("link", name="我的待办")).to_be_visible()
    expect(nav.get_by_role("link", name="单位管理")).to_be_visible()
    expect(nav.get_by_role("link", name="用户管理")).to_be_visible()
    expect(nav.get_by_role("link", name="角色与授权")).to_have_count(0)
    expect(nav.get_by_role("link", name="审计日志")).to_have_count(0)

    page.get_by_role("button", name="退出").click()

    expect(page).to_have_url(f"{server_url}/login")
    expect(page.get_by_role("heading", name="登录政务平台")).to_be_visible()
    expect(page.get_by_role("navigation", name="主导航")).to_have_count(0)
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/login"))


def test_a_wrong_password_shows_the_error_in_chinese_on_the_login_page(page: Page, server_url: str) -> None:
    page.goto("/login")
    page.get_by_label("用户名").fill("js_admin")
    page.get_by_label("密码").fill("Wrong-password-1")
    page.get_by_role("button", name="登录").click()

    expect(page.get_by_role("alert")).to_contain_text("用户名或密码错误。")
    expect(page.get_by_role("heading", name="登录政务平台")).to_be_visible()
    expect(page.get_by_label("用户名")).to_have_value("js_admin")
    expect(page.get_by_label("密码")).to_have_value("")
    expect(page.get_by_role("navigation", name="主导航")).to_have_count(0)
