"""Unit administration in the browser: create, find, sort, export, and two people editing the same unit."""

from __future__ import annotations

import re
from pathlib import Path

from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from tests.browser.conftest import NewContext, create_unit, log_in


def test_an_administrator_creates_a_unit_then_filters_sorts_and_exports_the_list(page: Page, tmp_path: Path) -> None:
    log_in(page, "admin")
    create_unit(page, "fh-cgj", "凤凰县城市管理和综合执法局", parent="凤凰县")
    expect(page.get_by_label("上级单位").locator("option:checked")).to_have_text(re.compile(r"凤凰县$"))

    page.get_by_role("navigation", name="主导航").get_by_role("link", name="单位管理").click()
    expect(page.get_by_role("heading", name="单位管理")).to_be_visible()
    page.get_by_label("名称或编码").fill("凤凰县")
    page.get_by_role("button", name="筛选").click()
    # The new unit may be on the unfiltered first page too: wait for the filtered page itself before reading it.
    expect(page).to_have_url(re.compile(r"[?&]q="))
    page.wait_for_load_state()
    row = page.locator("table.grid tbody tr").filter(has_text="fh-cgj")
    expect(row).to_contain_text("凤凰县城市管理和综合执法局")
    expect(row).to_contain_text("部门")
    codes = page.locator("table.grid tbody tr td:nth-child(2)")
    default_order = codes.all_inner_texts()
    assert all("凤凰县" in name for name in page.locator("table.grid tbody tr td:nth-child(3)").all_inner_texts())
    assert default_order != sorted(default_order), "the tree order of the seed is not code order"

    page.get_by_role("link", name="编码", exact=True).click()
    expect(page.get_by_role("columnheader", name="编码 ▲")).to_be_visible()
    expect(codes).to_have_text(sorted(default_order))
    expect(page.get_by_label("名称或编码")).to_have_value("凤凰县")

    page.get_by_role("link", name="编码 ▲").click()
    expect(page.get_by_role("columnheader", name="编码 ▼")).to_be_visible()
    expect(codes).to_have_text(sorted(default_order, reverse=True))

    with page.expect_download() as download_info:
        page.get_by_role("link", name="导出 Excel").click()
    download = download_info.value
    assert download.suggested_filename == "单位.xlsx"
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    workbook = load_workbook(saved, read_only=True)
    rows = [list(r) for r in workbook["单位"].iter_rows(values_only=True)]
    workbook.close()
    header, body = rows[0], rows[1:]
    assert header == ["层级", "编码", "名称", "类型", "上级单位", "启用"]
    assert ["fh-cgj", "凤凰县城市管理和综合执法局", "部门", "凤凰县", "是"] in [r[1:] for r in body]
    assert [r[1] for r in body] == sorted(default_order, reverse=True), "the export keeps the filter and the sort"


def test_a_second_editor_of_the_same_unit_is_warned_and_keeps_their_input(new_context: NewContext) -> None:
    first, second = new_context().new_page(), new_context().new_page()
    log_in(first, "admin")
    log_in(second, "fh_admin")
    edit_page = create_unit(first, "fh-lyj", "凤凰县林业局", parent="凤凰县")
    first.goto(edit_page)
    second.goto(edit_page)

    first.get_by_label("单位名称").fill("凤凰县林业局（甲）")
    first.get_by_role("button", name="保存").click()
    expect(first.get_by_role("status")).to_have_text("已保存")

    second.get_by_label("单位名称").fill("凤凰县林业局（乙）")
    with second.expect_response(lambda r: r.request.method == "POST") as response_info:
        second.get_by_role("button", name="保存").click()
    assert response_info.value.status == 409
    expect(second.get_by_role("alert")).to_contain_text("该记录已被他人修改")
    expect(second.locator(".warning")).to_contain_text("当前保存的内容：名称“凤凰县林业局（甲）”")
    expect(second.get_by_label("单位名称")).to_have_value("凤凰县林业局（乙）")

    # Having checked what the first editor saved, the second submits again, now against the current version.
    second.get_by_role("button", name="保存").click()
    expect(second.get_by_role("status")).to_have_text("已保存")
    expect(second.get_by_label("单位名称")).to_have_value("凤凰县林业局（乙）")
