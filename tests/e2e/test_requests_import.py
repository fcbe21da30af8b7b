"""Bulk import of requests (``/requests/import`` and ``zhengwu requests import``): validate every row first; one bad
row imports nothing and the page lists every problem as row, column and reason; a good file imports every row in
one transaction, each through the intake service (so the reporter is stored encrypted and masked on pages)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select
from typer.testing import CliRunner

from tests.conftest import csrf, login
from zhengwu.cli import app
from zhengwu.core.db import Actor, Database
from zhengwu.requests.model import Channel, State
from zhengwu.requests.service.categories import seed_categories
from zhengwu.requests.service.imports import COLUMNS
from zhengwu.requests.tables import RequestMatter

HEADER = ["收到时间", "渠道", "诉求类型", "问题分类", "诉求内容", "路线编号", "起点桩号", "止点桩号", "纬度", "经度"]
HEADER += ["反映人姓名", "联系电话", "匿名"]
PHONE = "13912345678"
GOOD = [
    # the category named by its path, by its name and by its code; the type and channel by label or code
    [
        *("2024-06-19 09:20", "电话", "求助", "交通运输/公路养护", "S256 腊尔山段路面湿滑", "S256", "K12+300"),
        *("K27+900", "28.0712", "109.4563", "张三", PHONE, "否"),
    ],
    ["2024-06-18", "", "complaint", "卫生健康", "卫生院夜间无人值班", "", "", "", "", "", "", "", "是"],
    ["", "walk_in", "咨询", "civil", "咨询低保申请条件", "", "", "", "", "", "李四", "0743-3221234", ""],
]


@pytest.fixture(autouse=True)
def categories(db: Database) -> None:
    """The seed categories (a fresh database has them from its migration; the PostgreSQL leg empties every table)."""
    with db.uow(Actor(None, "测试")) as uow:
        seed_categories(uow)
        uow.commit()


def xlsx(rows: list[list[object]], header: list[str] = HEADER) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def csv_bytes(rows: list[list[object]], header: list[str] = HEADER) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows([header, *rows])
    return out.getvalue().encode("gb18030")  # as Excel on Chinese Windows saves it


def upload(client: TestClient, name: str, data: bytes) -> Response:
    return client.post(
        "/requests/import",
        data={"csrf_token": csrf(client)},
        files={"file": (name, data, "application/octet-stream")},
        follow_redirects=False,
    )


def count(db: Database) -> int:
    with db.reading() as s:
        return s.scalar(select(func.count()).select_from(RequestMatter)) or 0


def test_a_good_xlsx_file_imports_every_row_received_by_the_importers_unit(
    app_client: TestClient, db: Database
) -> None:
    login(app_client, "fh_rx")
    before = count(db)
    r = upload(app_client, "诉求.xlsx", xlsx(GOOD))
    assert r.status_code == 303, r.text
    assert "%E5%B7%B2%E5%AF%BC%E5%85%A5%203" in r.headers["location"]  # 已导入 3
    assert count(db) == before + 3
    with db.reading() as s:
        rows = list(s.scalars(select(RequestMatter).order_by(RequestMatter.id.desc()).limit(3)))[::-1]
        assert [r.channel for r in rows] == [Channel.PHONE.value, Channel.IMPORT.value, Channel.WALK_IN.value]
        assert [r.status for r in rows] == [State.RECEIVED] * 3
        assert (rows[0].road_code, rows[0].km_from, rows[0].km_to) == ("S256", 12300, 27900)
        assert rows[1].anonymous and rows[1].reporter_phone is None
        raw = s.connection().exec_driver_sql(f"SELECT reporter_phone FROM request_matters WHERE id = {rows[0].id}")
        assert PHONE not in str(raw.scalar())  # encrypted at rest
    page = app_client.get(f"/requests/{rows[0].id}")
    assert PHONE not in page.text


def test_a_file_with_bad_rows_imports_nothing_and_lists_every_problem(app_client: TestClient, db: Database) -> None:
    login(app_client, "fh_rx")
    bad = [
        GOOD[0],
        ["", "", "求助", "不存在的分类", "路灯不亮", "", "", "", "", "", "", PHONE, ""],  # row 3
        ["", "", "求助", "公路养护", "坐标在伦敦", "", "", "", "51.5", "-0.1", "", PHONE, ""],  # row 4
        ["", "", "求助", "公路养护", "桩号倒置", "S256", "K27+900", "K12+300", "", "", "", PHONE, ""],  # row 5
        ["", "", "求助", "公路养护", "x" * 4001, "", "", "", "", "", "", PHONE, ""],  # row 6
        ["", "", "求助", "公路养护", "<script>alert(1)</script>", "", "", "", "", "", "", PHONE, ""],  # row 7
        ["", "传真", "求救", "公路养护", "渠道和类型都不对", "", "", "", "北纬", "", "", PHONE, "也许"],  # row 8
        GOOD[1],
    ]
    before = count(db)
    r = upload(app_client, "诉求.csv", csv_bytes(bad))
    assert r.status_code == 422
    assert count(db) == before
    text = r.text
    assert "未写入任何数据" in text
    expected = [
        (3, "问题分类", "不存在"),
        (4, "纬度", "中国境内"),
        (5, "止点桩号", "不能小于起点桩号"),
        (6, "诉求内容", "4000"),
        (7, "诉求内容", "HTML"),
        (8, "渠道", "无效"),
        (8, "诉求类型", "无效"),
        (8, "纬度", "不是数字"),
        (8, "匿名", "是 或 否"),
    ]
    for row, field, reason in expected:
        assert f"<tr><td>{row}</td><td>{field}</td><td>" in text, (row, field)
        cell = text.split(f"<tr><td>{row}</td><td>{field}</td><td>", 1)[1].split("</td>", 1)[0]
        assert reason in cell, (row, field, cell)
    assert "<tr><td>2</td>" not in text and "<tr><td>9</td>" not in text  # the good rows have no problem
    assert "<script>alert" not in text  # the bad value is escaped, never echoed as markup


def test_a_header_without_a_required_column_or_with_an_unknown_one_is_refused(
    app_client: TestClient, db: Database
) -> None:
    login(app_client, "fh_rx")
    before = count(db)
    r = upload(app_client, "诉求.csv", csv_bytes([["求助", "路灯不亮"]], header=["诉求类型", "诉求内容", "备注"]))
    assert r.status_code == 422
    assert "<td>问题分类</td><td>缺少必填列</td>" in r.text
    assert "<td>备注</td><td>未知的列" in r.text
    assert count(db) == before


def test_the_template_download_lists_the_columns_and_its_example_row_imports(
    app_client: TestClient, db: Database
) -> None:
    login(app_client, "fh_rx")
    r = app_client.get("/requests/import/template.xlsx")
    assert r.status_code == 200
    book = load_workbook(io.BytesIO(r.content))
    assert [c.value for c in book.worksheets[0][1]] == list(COLUMNS.values())
    assert any(row[0] == "traffic.road" for row in book["问题分类"].iter_rows(values_only=True))
    before = count(db)
    assert upload(app_client, "模板.xlsx", r.content).status_code == 303
    assert count(db) == before + 1


def test_a_file_of_another_type_is_refused_in_chinese(app_client: TestClient) -> None:
    login(app_client, "fh_rx")
    r = upload(app_client, "诉求.txt", b"hello")
    assert r.status_code == 422 and "只能导入 .xlsx 或 .csv 文件" in r.text


def test_the_command_imports_a_good_file_and_refuses_a_bad_one_whole(db: Database, db_url: str, tmp_path: Path) -> None:
    def run(*args: str) -> tuple[int, str]:
        result = CliRunner().invoke(app, list(args), env={"ZHENGWU_DATABASE_URL": db_url})
        return result.exit_code, result.output

    before = count(db)
    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_bytes([GOOD[0], ["", "", "求助", "公路养护", "反了", "S256", "K2+000", "K1+000"]]))
    code, out = run("requests", "import", str(bad), "--unit", "fh")
    assert code == 2 and "第 3 行" in out and "止点桩号" in out
    assert count(db) == before
    good = tmp_path / "good.xlsx"
    good.write_bytes(xlsx(GOOD))
    code, out = run("requests", "import", str(good), "--unit", "fh")
    assert code == 0, out
    assert "已导入 3 件诉求" in out
    assert count(db) == before + 3
