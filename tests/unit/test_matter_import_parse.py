"""Reading and checking the rows of a matters import (no database): headers, cells, and the rules between them."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from openpyxl import Workbook
from sqlalchemy import JSON, Boolean, Column, Date, Integer, MetaData, String, Table

from tests.support.three_step import KIND, SPEC
from zhengwu.core.errors import Invalid
from zhengwu.core.imports import ImportRejected, RowError
from zhengwu.core.matters.imports import RowParser, kind_columns, read_file
from zhengwu.core.matters.imports.rows import Row, moment
from zhengwu.core.matters.model import Priority

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2024, 6, 20, 1, 0, tzinfo=UTC)  # 09:00 in Beijing
UNITS = {"fh-gl": 7, "js": 9}
HEADER = ["key", "title", "owner_unit", "received_at", "status", "resolved_at", "closed_at", "location"]


def parser(header: list[str] = HEADER, **kw: Any) -> RowParser:
    return RowParser(SPEC, kind_columns(KIND), header, UNITS, NOW, TZ, **kw)


def good(p: RowParser, *cells: Any, line: int = 2) -> Row:
    parsed = p.parse(line, list(cells))
    assert isinstance(parsed, Row), parsed
    return parsed


def bad(p: RowParser, *cells: Any, line: int = 2) -> list[tuple[str, str]]:
    parsed = p.parse(line, list(cells))
    assert isinstance(parsed, list), parsed
    assert all(e.row == line for e in parsed)
    return [(e.field, e.reason) for e in parsed]


def at(y: int, m: int, d: int, h: int = 0, minute: int = 0) -> datetime:
    return datetime(y, m, d, h, minute, tzinfo=TZ).astimezone(UTC)


# ---------------------------------------------------------------- header


def test_chinese_and_english_headers_name_the_same_columns_in_any_order() -> None:
    p = parser(["状态", "标题", "导入编号", "收到时间", "责任单位编码", "location"])
    row = good(p, "已收到", "S256 路面湿滑", "H-1", "2024-06-01 10:30", "fh-gl", "K12+300")
    assert (row.key, row.title, row.unit_id, row.status) == ("H-1", "S256 路面湿滑", 7, "received")
    assert row.received_at == at(2024, 6, 1, 10, 30) and row.extra == ("K12+300", None)
    assert row.priority is Priority.NORMAL and row.body == "" and row.due_at is None


def test_a_header_without_a_required_column_is_rejected_naming_the_column() -> None:
    with pytest.raises(ImportRejected) as caught:
        parser(["导入编号", "标题", "收到时间", "状态"])
    assert caught.value.errors == [
        RowError(1, "责任单位编码", "缺少必需的列（表头写作“owner_unit”或“责任单位编码”均可）")
    ]


def test_an_unknown_or_repeated_column_is_rejected_rather_than_ignored() -> None:
    with pytest.raises(ImportRejected) as caught:
        parser([*HEADER, "titel", "标题"])
    assert [(e.row, e.field) for e in caught.value.errors] == [(1, "titel"), (1, "标题")]
    assert "无法识别的列名" in caught.value.errors[0].reason and "与第 2 列重复" in caught.value.errors[1].reason


def test_blank_header_cells_and_blank_rows_are_ignored() -> None:
    p = parser([*HEADER, "", " "])
    assert p.parse(5, ["", " ", None, "", "", "", "", "", "", ""]) is None


# ---------------------------------------------------------------- cells


def test_a_status_is_read_by_code_or_by_its_chinese_label_and_anything_else_is_named() -> None:
    p = parser()
    assert good(p, "a", "t", "fh-gl", "2024-06-01", "handling", "", "").status == "handling"
    assert good(p, "b", "t", "fh-gl", "2024-06-01", "办理中", "", "").status == "handling"
    assert bad(p, "c", "t", "fh-gl", "2024-06-01", "已完成", "", "") == [
        ("status", "“已完成”不是可选值，可选：received、handling、resolved、closed、已收到、办理中、已办结、已销号")
    ]


def test_an_unknown_unit_code_is_a_bad_row_and_so_is_a_unit_outside_the_importers_scope() -> None:
    p = parser(forbidden_units=frozenset({"js"}))
    assert bad(p, "a", "t", "nowhere", "2024-06-01", "received", "", "") == [("owner_unit", "单位编码“nowhere”不存在")]
    assert bad(p, "b", "t", "js", "2024-06-01", "received", "", "") == [("owner_unit", "您无权为单位“js”登记此类事项")]


def test_every_bad_cell_of_a_row_is_reported_with_its_column() -> None:
    errors = bad(parser(), "", "", "", "昨天", "", "", "", "x" * 201)
    assert [f for f, _ in errors] == ["key", "title", "owner_unit", "status", "received_at", "location"]
    assert dict(errors)["received_at"] == "“昨天”不是有效的日期或时间，应为 YYYY-MM-DD 或 YYYY-MM-DD HH:MM"
    assert dict(errors)["key"] == "必须填写"


@pytest.mark.parametrize(
    ("cell", "expected", "only_date"),
    [
        ("2024-06-01", datetime(2024, 6, 1), True),
        ("2024/6/1", datetime(2024, 6, 1), True),
        ("2024年6月1日", datetime(2024, 6, 1), True),
        ("2024-06-01 08:05", datetime(2024, 6, 1, 8, 5), False),
        ("2024/6/1 8:05:30", datetime(2024, 6, 1, 8, 5, 30), False),
        ("2024-06-01T08:05:00+00:00", datetime(2024, 6, 1, 16, 5), False),
        (datetime(2024, 6, 1, 8, 5), datetime(2024, 6, 1, 8, 5), False),  # an Excel date-time cell
        (datetime(2024, 6, 1), datetime(2024, 6, 1), True),  # an Excel date cell
        (date(2024, 6, 1), datetime(2024, 6, 1), True),
    ],
)
def test_times_are_read_as_beijing_time_unless_they_carry_an_offset(
    cell: object, expected: datetime, only_date: bool
) -> None:
    assert moment(cell, TZ) == (expected.replace(tzinfo=TZ).astimezone(UTC), only_date)


def test_a_deadline_given_as_a_date_runs_to_the_end_of_that_day() -> None:
    row = good(parser([*HEADER, "期限"]), "a", "t", "fh-gl", "2024-06-01 10:00", "received", "", "", "", "2024-06-07")
    assert row.due_at == datetime(2024, 6, 7, 23, 59, 59, 999999, tzinfo=TZ).astimezone(UTC)


def test_priority_and_channel_are_optional_and_a_priority_is_read_by_code_or_label() -> None:
    p = parser([*HEADER, "优先级", "渠道"])
    assert (
        good(p, "a", "t", "fh-gl", "2024-06-01", "received", "", "", "", "特急", "12345").priority is Priority.CRITICAL
    )
    assert good(p, "b", "t", "fh-gl", "2024-06-01", "received", "", "", "", "urgent", "").priority is Priority.URGENT
    assert bad(p, "c", "t", "fh-gl", "2024-06-01", "received", "", "", "", "很急", "")[0][0] == "优先级"


# ---------------------------------------------------------------- rules between cells


def test_a_resolved_status_needs_a_resolution_time_and_an_open_one_must_not_have_one() -> None:
    p = parser()
    assert bad(p, "a", "t", "fh-gl", "2024-06-01", "已办结", "", "") == [("resolved_at", "状态为“已办结”时必须填写")]
    assert bad(p, "b", "t", "fh-gl", "2024-06-01", "已收到", "2024-06-03", "") == [
        ("resolved_at", "状态为“已收到”时不应填写")
    ]
    row = good(p, "c", "t", "fh-gl", "2024-06-01", "已办结", "2024-06-03 17:00", "")
    assert (row.status, row.resolved_at, row.closed_at) == ("resolved", at(2024, 6, 3, 17), None)


def test_a_closed_status_needs_both_times_and_closing_may_not_precede_resolution() -> None:
    p = parser()
    assert bad(p, "a", "t", "fh-gl", "2024-06-01", "closed", "2024-06-03", "") == [
        ("closed_at", "状态为“已销号”时必须填写")
    ]
    assert bad(p, "b", "t", "fh-gl", "2024-06-01", "closed", "2024-06-03", "2024-06-02") == [
        ("closed_at", "不能早于办结时间")
    ]
    assert bad(p, "c", "t", "fh-gl", "2024-06-01", "resolved", "2024-06-03", "2024-06-04") == [
        ("closed_at", "状态为“已办结”时不应填写")
    ]


def test_times_may_not_lie_in_the_future_nor_a_resolution_precede_receipt() -> None:
    p = parser()
    assert bad(p, "a", "t", "fh-gl", "2024-06-21", "received", "", "") == [("received_at", "不能晚于当前时间")]
    assert bad(p, "b", "t", "fh-gl", "2024-06-10", "resolved", "2024-06-09 10:00", "") == [
        ("resolved_at", "不能早于收到时间")
    ]


def test_a_bare_resolution_date_on_the_day_of_receipt_counts_from_the_receipt() -> None:
    row = good(parser(), "a", "t", "fh-gl", "2024-06-10 15:00", "resolved", "2024-06-10", "")
    assert row.resolved_at == row.received_at == at(2024, 6, 10, 15)


def test_a_key_met_again_in_the_same_file_is_a_bad_row_naming_the_first() -> None:
    p = parser(["导入编号", "标题", "责任单位编码", "收到时间", "状态"])
    good(p, "H-1", "t", "fh-gl", "2024-06-01", "received", line=2)
    assert bad(p, "H-1", "t2", "fh-gl", "2024-06-02", "received", line=3) == [
        ("导入编号", "导入编号“H-1”与第 2 行重复")
    ]


def test_columns_of_the_kinds_own_table_are_checked_by_their_type() -> None:
    own = Table(
        "own",
        MetaData(),
        Column("id", Integer, primary_key=True),
        Column("floors", Integer, nullable=True),
        Column("urgent", Boolean, nullable=False, default=False),
        Column("visited_on", Date, nullable=True, info={"label": "走访日期"}),
        Column("road", String(8), nullable=False),
    )
    columns = [c for c in own.columns if not c.primary_key]
    header = ["key", "title", "owner_unit", "received_at", "status", "floors", "urgent", "走访日期", "road"]
    p = RowParser(SPEC, columns, header, UNITS, NOW, TZ)
    row = good(p, "a", "t", "fh-gl", "2024-06-01", "received", "3", "是", "2024/5/30", "S256")
    assert row.extra == (3, True, date(2024, 5, 30), "S256")
    assert good(p, "b", "t", "fh-gl", "2024-06-01", "received", "", "", "", "G209").extra == (None, False, None, "G209")
    assert bad(p, "c", "t", "fh-gl", "2024-06-01", "received", "三", "也许", "昨天", "") == [
        ("floors", "“三”不是有效的数字"),
        ("urgent", "“也许”不是可选值，可选：1、true、yes、y、是、0、false、no、n、否"),
        ("走访日期", "“昨天”不是有效的日期或时间，应为 YYYY-MM-DD 或 YYYY-MM-DD HH:MM"),
        ("road", "必须填写"),
    ]
    with pytest.raises(ImportRejected, match="road"):
        RowParser(SPEC, columns, header[:-1], UNITS, NOW, TZ)  # a required column of the kind's table


# ---------------------------------------------------------------- files


CSV = (
    "导入编号,标题,责任单位编码,收到时间,状态\nH-1,路灯不亮,fh-gl,2024-06-01 08:00,已收到\n"
    "\nH-2,井盖缺失,js,2024/6/2,已收到\n"
)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_a_csv_reads_the_same_in_utf8_with_or_without_bom_and_in_gb18030(encoding: str) -> None:
    sheet = read_file("历史事项.CSV", CSV.encode(encoding))
    assert sheet.header == ["导入编号", "标题", "责任单位编码", "收到时间", "状态"]
    assert list(sheet.rows) == [
        (2, ["H-1", "路灯不亮", "fh-gl", "2024-06-01 08:00", "已收到"]),
        (3, []),
        (4, ["H-2", "井盖缺失", "js", "2024/6/2", "已收到"]),
    ]


def test_a_csv_from_windows_with_a_cell_spanning_lines_keeps_the_rows_apart() -> None:
    data = '导入编号,标题,内容\r\nH-1,路灯不亮,"第一行\r\n第二行"\r\nH-2,井盖缺失,'.encode("gb18030")
    assert list(read_file("历史事项.csv", data).rows) == [
        (2, ["H-1", "路灯不亮", "第一行\r\n第二行"]),
        (3, ["H-2", "井盖缺失", ""]),
    ]


def test_an_xlsx_reads_its_first_sheet_with_date_cells_and_numeric_keys() -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["导入编号", "标题", "责任单位编码", "收到时间", "状态"])
    sheet.append([1001, "路灯不亮", "fh-gl", datetime(2024, 6, 1, 8, 0), "已收到"])
    buf = io.BytesIO()
    book.save(buf)
    read = read_file("历史事项.xlsx", buf.getvalue())
    rows = list(read.rows)
    assert read.header[0] == "导入编号" and len(rows) == 1
    row = good(parser(read.header), *rows[0][1])
    assert (row.key, row.received_at) == ("1001", at(2024, 6, 1, 8))


def test_a_file_that_is_not_csv_or_xlsx_or_cannot_be_read_is_refused_in_chinese() -> None:
    with pytest.raises(Invalid, match=r"只能导入 \.xlsx 或 \.csv 文件"):
        read_file("历史事项.xls", b"\xd0\xcf\x11\xe0")
    with pytest.raises(Invalid, match="无法读取该 Excel 文件"):
        read_file("历史事项.xlsx", b"not a zip")
    with pytest.raises(ImportRejected, match="CSV 格式有误"):
        list(read_file("历史事项.csv", b'key,title\na,"' + b"b" * 200_000 + b"\n").rows)


def test_a_column_of_a_type_that_cannot_come_from_a_file_must_be_left_empty() -> None:
    own = Table("own", MetaData(), Column("id", Integer, primary_key=True), Column("extra", JSON, nullable=True))
    p = RowParser(SPEC, [own.c.extra], [*HEADER[:5], "extra"], UNITS, NOW, TZ)
    assert good(p, "a", "t", "fh-gl", "2024-06-01", "received", "").extra == (None,)
    assert bad(p, "b", "t", "fh-gl", "2024-06-01", "received", "{}") == [
        ("extra", "该列的数据类型不支持从文件导入，请留空")
    ]
