"""The pages work on a closed network (every resource comes from the app itself) and print without the shell."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.browser.conftest import log_in


def test_pages_and_the_api_documentation_load_nothing_from_outside_the_app(page: Page, server_url: str) -> None:
    requested: list[str] = []
    page.context.on("request", lambda request: requested.append(request.url))

    log_in(page, "admin")
    page.goto("/")
    expect(page.get_by_role("heading", name="我的待办")).to_be_visible()
    page.goto("/admin/units")
    expect(page.get_by_role("heading", name="单位管理")).to_be_visible()
    page.goto("/docs")
    expect(page.get_by_text("政务平台 zhengwu API").first).to_be_visible()
    expect(page.locator(".opblock").first).to_be_visible()  # the operations, read from /openapi.json
    page.wait_for_load_state("networkidle")

    outside = [url for url in requested if not url.startswith(f"{server_url}/")]
    assert outside == []
    paths = {url.removeprefix(server_url).split("?")[0] for url in requested}
    assert {"/static/zhengwu.css", "/static/swagger/swagger-ui-bundle.js", "/openapi.json"} <= paths


def test_printing_the_unit_list_hides_the_navigation(page: Page) -> None:
    log_in(page, "admin")
    page.goto("/admin/units")
    sidebar = page.get_by_role("navigation", name="主导航")
    expect(sidebar).to_be_visible()

    page.emulate_media(media="print")

    expect(sidebar).to_be_hidden()
    expect(page.get_by_role("heading", name="单位管理")).to_be_visible()
    expect(page.locator("table.grid")).to_be_visible()
