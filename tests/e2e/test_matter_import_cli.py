"""``zhengwu import matters FILE --kind KIND [--skip-bad]``: the command a clerk runs with a file of old records."""

from __future__ import annotations

import io
from datetime import datetime
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select
from typer.testing import CliRunner

from tests.support import three_step  # registers the test kind, the only kind there is so far
from zhengwu.cli import app
from zhengwu.core.db import Database
from zhengwu.core.matters.tables import Matter, MatterImportKey

HEADER = "导入编号,标题,责任单位编码,收到时间,状态,办结时间,location"
GOOD = ["H-1,S256 路面湿滑,fh-gl,2024-03-01 09:30,已办结,2024-03-05,K12", "H-2,路灯不亮,fh,2024-01-15,办理中,,"]
BAD = "H-3,井盖缺失,nowhere,2024-02-01,已收到,,"


@pytest.fixture
def kind_db(db: Database) -> Database:
    three_step.install(db)
    return db


def run(db_url: str, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args), env={"ZHENGWU_DATABASE_URL": db_url})
    return result.exit_code, result.output


def write_csv(tmp_path: Path, *rows: str, encoding: str = "gb18030") -> str:
    path = tmp_path / "历史事项.csv"
    path.write_bytes("\n".join([HEADER, *rows, ""]).encode(encoding))
    return str(path)


def matters(db: Database) -> int:
    with db.reading() as s:
        return s.scalar(select(func.count()).select_from(Matter)) or 0


def test_importing_a_gb18030_csv_reports_what_was_imported_and_a_second_run_adds_nothing(
    kind_db: Database, db_url: str, tmp_path: Path
) -> None:
    path = write_csv(tmp_path, *GOOD)
    code, out = run(db_url, "import", "matters", path, "--kind", "testkind")
    assert code == 0, out
    assert "已导入 2 件事项；0 行此前已导入" in out
    code, out = run(db_url, "import", "matters", path, "--kind", "testkind")
    assert code == 0, out
    assert "已导入 0 件事项；2 行此前已导入，未重复导入" in out
    assert matters(kind_db) == 2


def test_a_bad_row_fails_the_command_naming_row_and_column_and_nothing_is_imported(
    kind_db: Database, db_url: str, tmp_path: Path
) -> None:
    code, out = run(db_url, "import", "matters", write_csv(tmp_path, *GOOD, BAD), "--kind", "testkind")
    assert code == 2
    assert "导入失败，未写入任何数据" in out
    assert "第 4 行，字段“责任单位编码”：单位编码“nowhere”不存在" in out
    assert "Traceback" not in out
    assert matters(kind_db) == 0


def test_with_skip_bad_the_good_rows_are_imported_and_the_bad_ones_listed(
    kind_db: Database, db_url: str, tmp_path: Path
) -> None:
    code, out = run(db_url, "import", "matters", write_csv(tmp_path, BAD, *GOOD), "--kind", "testkind", "--skip-bad")
    assert code == 0, out
    assert "已跳过 第 2 行，字段“责任单位编码”：单位编码“nowhere”不存在" in out
    assert "已导入 2 件事项；0 行此前已导入，未重复导入，跳过有错误的 1 行" in out
    with kind_db.reading() as s:
        assert set(s.scalars(select(MatterImportKey.key))) == {"H-1", "H-2"}


def test_an_xlsx_file_imports_like_a_csv(kind_db: Database, db_url: str, tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(HEADER.split(","))
    sheet.append(["X-1", "占道经营", "js", datetime(2024, 5, 6, 10, 0), "已收到", None, None])
    path = tmp_path / "历史事项.xlsx"
    buf = io.BytesIO()
    book.save(buf)
    path.write_bytes(buf.getvalue())
    code, out = run(db_url, "import", "matters", str(path), "--kind", "testkind")
    assert code == 0, out
    assert "已导入 1 件事项" in out and matters(kind_db) == 1


@pytest.mark.parametrize(
    ("name", "content", "kind", "message"),
    [
        (
            "历史事项.csv",
            HEADER + "\n",
            "nosuchkind",
            "“nosuchkind”不存在；可用的类型：inspection_finding（巡察发现问题）、inspection_item（整改事项）、"
            "request（群众诉求）、testkind（",
        ),
        # a confidential kind (inspection leads) is not importable, nor named among the kinds one may import
        ("历史事项.csv", HEADER + "\n", "inspection_lead", "“inspection_lead”不存在；可用的类型：inspection_finding（"),
        ("历史事项.xls", "x", "testkind", "只能导入 .xlsx 或 .csv 文件"),
        ("历史事项.xlsx", "不是 Excel", "testkind", "无法读取该 Excel 文件"),
        ("历史事项.csv", "", "testkind", "上传的文件是空的"),
        ("历史事项.csv", HEADER + "\n", "testkind", "第 2 行，字段“文件”：文件中没有数据行"),
        ("历史事项.csv", "编号,标题\nH-1,x\n", "testkind", "第 1 行，字段“编号”：无法识别的列名"),
    ],
)
def test_an_unusable_file_or_an_unknown_kind_fails_with_a_chinese_message_and_no_traceback(
    kind_db: Database, db_url: str, tmp_path: Path, name: str, content: str, kind: str, message: str
) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    code, out = run(db_url, "import", "matters", str(path), "--kind", kind)
    assert code == 2, out
    assert message in out and "Traceback" not in out
    assert "问题线索" not in out
    assert matters(kind_db) == 0
