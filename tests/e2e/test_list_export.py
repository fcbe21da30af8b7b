"""Lists (filter, sort, pages) and their Excel export: same rows, same scope, streamed, and audited."""

from __future__ import annotations

import io
import json
import re
from datetime import datetime
from typing import Any

import anyio
import pytest
from fastapi.responses import StreamingResponse
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import event, select

from tests.conftest import login
from zhengwu.core.audit.tables import AuditEntry
from zhengwu.core.db import Actor, Database
from zhengwu.core.org import service
from zhengwu.core.org.lists import UNITS
from zhengwu.core.org.model import system_principal
from zhengwu.core.org.tables import Unit
from zhengwu.demo import USERS
from zhengwu.web.listing import XLSX, export_xlsx

FH_UNITS = {"fh", "fh-jw", "fh-gl", "fh-wj", "fh-jy", "fh-ny", "fh-mz", "fh-les", "fh-sj"}
UNIT_HEADER = ["层级", "编码", "名称", "类型", "上级单位", "启用"]
USER_HEADER = ["用户名", "姓名", "所属单位", "启用", "锁定至", "最近登录"]


def first_cells(html: str) -> list[str]:
    """The first column of every body row of the list table."""
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return re.findall(r"<tr>\s*<td>([^<]*)</td>", body)


def codes(html: str) -> list[str]:
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return re.findall(r"<tr>\s*<td>[^<]*</td><td>([^<]*)</td>", body)


def sheet(response: Any) -> list[list[Any]]:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == XLSX
    wb = load_workbook(io.BytesIO(response.content))
    return [list(row) for row in wb.worksheets[0].iter_rows(values_only=True)]


def all_codes(db: Database) -> list[str]:
    with db.reading() as s:
        return sorted(s.scalars(select(Unit.code)))


# ---------------------------------------------------------------- lists


def test_a_list_filters_by_kind_and_by_text(app_client: TestClient) -> None:
    login(app_client, "admin")
    assert sorted(codes(app_client.get("/admin/units?kind=town").text)) == ["fh-les", "fh-sj"]
    assert sorted(codes(app_client.get("/admin/units?q=纪委").text)) == ["fh-jw", "js-jw", "xx-jw"]
    assert first_cells(app_client.get("/admin/users?q=凤凰县管理").text) == ["fh_admin"]


def test_an_unknown_filter_value_is_refused_naming_the_filter(app_client: TestClient) -> None:
    login(app_client, "admin")
    r = app_client.get("/admin/units?kind=planet")
    assert r.status_code == 422 and "<code>kind</code>" in r.text


def test_a_list_sorts_ascending_and_descending(app_client: TestClient) -> None:
    login(app_client, "admin")
    ascending = first_cells(app_client.get("/admin/users?sort=username").text)
    descending = first_cells(app_client.get("/admin/users?sort=-username").text)
    assert ascending == sorted(ascending) and len(ascending) == len(USERS)
    assert descending == ascending[::-1]
    assert "用户名 ▼" in app_client.get("/admin/users?sort=-username").text


def test_a_list_is_paged_and_a_page_past_the_end_shows_the_last(app_client: TestClient, db: Database) -> None:
    login(app_client, "admin")
    everything = all_codes(db)
    assert len(everything) == 21  # one more than a page of 20
    first = app_client.get("/admin/units?sort=code")
    second = app_client.get("/admin/units?sort=code&page=2")
    assert codes(first.text) == everything[:20] and "第 1 / 2 页" in first.text
    assert codes(second.text) == everything[20:] and "第 2 / 2 页" in second.text
    assert codes(app_client.get("/admin/units?sort=code&page=9").text) == everything[20:]


@pytest.mark.parametrize(
    ("url", "field"),
    [
        ("/admin/units?sort=password", "sort"),
        ("/admin/units?sort=-nope", "sort"),
        ("/admin/roles?sort=description", "sort"),
        ("/admin/units?page=abc", "page"),
    ],
)
def test_a_bad_sort_key_or_page_is_refused_naming_the_parameter(app_client: TestClient, url: str, field: str) -> None:
    login(app_client, "admin")
    r = app_client.get(url)
    assert r.status_code == 422
    assert f"<code>{field}</code>" in r.text


# ---------------------------------------------------------------- export


def test_the_unit_export_has_the_chinese_header_and_every_row_of_the_list(app_client: TestClient, db: Database) -> None:
    login(app_client, "admin")
    rows = sheet(app_client.get("/admin/units/export.xlsx"))
    assert rows[0] == UNIT_HEADER
    assert sorted(r[1] for r in rows[1:]) == all_codes(db)
    fh = next(r for r in rows if r[1] == "fh")
    assert fh[2:] == ["凤凰县", "人民政府", "湘西土家族苗族自治州", "是"]


def test_the_export_respects_filters_and_sort(app_client: TestClient) -> None:
    login(app_client, "admin")
    rows = sheet(app_client.get("/admin/units/export.xlsx?kind=town&sort=-code"))
    assert [r[1] for r in rows[1:]] == ["fh-sj", "fh-les"]


def test_the_export_stays_within_the_exporters_data_scope(app_client: TestClient) -> None:
    login(app_client, "fh_admin")
    units = sheet(app_client.get("/admin/units/export.xlsx"))
    assert {r[1] for r in units[1:]} == FH_UNITS
    users = sheet(app_client.get("/admin/users/export.xlsx"))
    assert users[0] == USER_HEADER
    assert {r[0] for r in users[1:]} == {
        "fh_admin",
        "fh_jw",
        "fh_rx",
        "fh_gl",
        "fh_road",
        "fh_weijian",
        "fh_jiaoyu",
        "fh_nongye",
        "fh_minzheng",
        "fh_les",
        "fh_sj",
    }


def test_a_clerk_exports_only_themselves(app_client: TestClient) -> None:
    login(app_client, "fh_gl")
    assert [r[0] for r in sheet(app_client.get("/admin/users/export.xlsx"))[1:]] == ["fh_gl"]


def test_times_are_exported_in_beijing_time(app_client: TestClient) -> None:
    login(app_client, "admin")  # the fake clock stands at 2024-06-20 01:00 UTC
    users = sheet(app_client.get("/admin/users/export.xlsx?q=系统管理员"))
    assert users[1][0] == "admin"
    assert users[1][5] == datetime(2024, 6, 20, 9, 0)


def test_an_export_is_recorded_in_the_audit_log(app_client: TestClient, db: Database) -> None:
    login(app_client, "fh_admin")
    sheet(app_client.get("/admin/units/export.xlsx?kind=town"))
    with db.reading() as s:
        last = s.scalars(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(1)).one()
    assert (last.action, last.table_name, last.actor_name) == ("export", "单位", "凤凰县管理员")
    assert last.after is not None
    assert json.loads(last.after) == {"rows": 2, "filters": {"kind": "town"}}


def test_a_name_that_looks_like_a_formula_is_exported_as_plain_text(app_client: TestClient, db: Database) -> None:
    evil = '=HYPERLINK("http://example.invalid","点此")'
    with db.uow(Actor(None, "测试")) as uow:
        service.create_unit(uow, system_principal(), code="evil", name=evil, kind="other", parent_id=None)
        service.create_unit(uow, system_principal(), code="ctl", name="带\x01控制符", kind="other", parent_id=None)
        uow.commit()
    login(app_client, "admin")
    r = app_client.get("/admin/units/export.xlsx?sort=code")
    wb = load_workbook(io.BytesIO(r.content))
    cells = {row[1].value: row[2] for row in wb.worksheets[0].iter_rows(min_row=2)}
    assert (cells["evil"].value, cells["evil"].data_type) == (evil, "s")
    assert cells["ctl"].value == "带控制符"


def test_the_export_is_streamed_from_rows_fetched_in_batches(db: Database) -> None:
    seen: list[Any] = []

    def spy(_conn: Any, _cursor: Any, statement: str, _params: Any, context: Any, _many: bool) -> None:
        if statement.lstrip().upper().startswith("SELECT") and "FROM units" in statement:
            seen.append(context.execution_options.get("yield_per"))

    event.listen(db.engine, "before_cursor_execute", spy)
    with db.uow(Actor(None, "测试")) as uow:
        response = export_xlsx(db, uow, UNITS, system_principal(), {})
    event.remove(db.engine, "before_cursor_execute", spy)
    assert isinstance(response, StreamingResponse)
    assert seen and all(y == 1000 for y in seen)

    async def body() -> bytes:
        return b"".join([chunk async for chunk in response.body_iterator])  # type: ignore[misc]

    rows = list(load_workbook(io.BytesIO(anyio.run(body))).worksheets[0].iter_rows(values_only=True))
    assert rows[0] == tuple(UNIT_HEADER) and len(rows) == 22


def test_the_export_link_on_the_page_carries_the_current_filters(app_client: TestClient) -> None:
    login(app_client, "admin")
    page = app_client.get("/admin/units?kind=town&sort=-code").text
    link = re.search(r'href="(/admin/units/export\.xlsx\?[^"]*)"', page)
    assert link
    url = link.group(1).replace("&amp;", "&")
    assert [r[1] for r in sheet(app_client.get(url))[1:]] == ["fh-sj", "fh-les"]
