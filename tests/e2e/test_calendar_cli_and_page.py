"""The calendar from the outside: the ``zhengwu calendar`` commands and the holiday maintenance page.

Reference dates: 国办发明电〔2023〕7号 (the State Council General Office's 2024 holiday arrangements).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from typer.testing import CliRunner, Result

from tests.conftest import csrf, login
from zhengwu.cli import app

# A fictional 2027 arrangement for tests only (NOT an official notice).
GOOD_2027 = "date,kind,name\n2027-01-01,holiday,元旦（测试用虚构安排）\n2027-01-09,workday,调休上班（测试用虚构安排）\n"
BAD_2027 = "date,kind,name\n2027-01-01,holiday,元旦\n2027-13-01,holiday,坏日期\n2027-01-04,off,坏类型\n"


def flat(text: str) -> str:
    """Output without the line breaks and indents Rich adds when it wraps long messages."""
    return re.sub(r"\s+", "", text)


Run = Callable[..., Result]


@pytest.fixture
def zhengwu(db_url: str) -> Run:
    """``zhengwu ARGS...`` against the test database."""
    runner = CliRunner()

    def run(*args: str) -> Result:
        return runner.invoke(app, list(args), env={"ZHENGWU_DATABASE_URL": db_url})

    return run


# ---------------------------------------------------------------- command line


def test_cli_add_prints_the_fifth_working_day_after_30_september_2024(zhengwu: Run) -> None:
    # National Day 2024 is 1–7 October; Saturday 12 October is worked (国办发明电〔2023〕7号).
    result = zhengwu("calendar", "add", "2024-09-30", "5")
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "2024-10-12"


def test_cli_between_prints_20_working_days_from_20_june_to_18_july_2024(zhengwu: Run) -> None:
    result = zhengwu("calendar", "between", "2024-06-20", "2024-07-18")
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "20"


def test_cli_add_into_an_unknown_2027_fails_and_asks_for_the_2027_arrangement(zhengwu: Run) -> None:
    result = zhengwu("calendar", "add", "2026-12-25", "10")
    assert result.exit_code != 0
    assert result.stdout.strip() == ""
    assert "2027年的节假日安排尚未导入" in flat(result.stderr)


def test_cli_import_of_a_good_file_lets_deadlines_cross_into_2027(zhengwu: Run, tmp_path: Path) -> None:
    file = tmp_path / "2027.csv"
    file.write_text(GOOD_2027, encoding="utf-8")
    imported = zhengwu("calendar", "import-holidays", str(file))
    assert imported.exit_code == 0, imported.output
    assert "已导入2天" in flat(imported.stdout) and "2027" in imported.stdout
    # 28–31 Dec 2026 (4), 1 Jan 2027 off, 4–8 Jan (5), Saturday 9 Jan worked → the 10th working day.
    result = zhengwu("calendar", "add", "2026-12-25", "10")
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "2027-01-09"


def test_cli_import_of_an_excel_saved_gb18030_file_is_accepted(zhengwu: Run, tmp_path: Path) -> None:
    file = tmp_path / "2027.csv"
    file.write_bytes(GOOD_2027.replace("2027-01-01", "2027/1/1").encode("gb18030"))
    assert zhengwu("calendar", "import-holidays", str(file)).exit_code == 0


def test_cli_import_of_a_bad_file_exits_2_listing_each_bad_row_and_writes_nothing(zhengwu: Run, tmp_path: Path) -> None:
    file = tmp_path / "bad.csv"
    file.write_text(BAD_2027, encoding="utf-8")
    result = zhengwu("calendar", "import-holidays", str(file))
    assert result.exit_code == 2
    errors = flat(result.stderr)
    assert "未写入任何数据" in errors
    assert "第3行，字段“date”" in errors and "第4行，字段“kind”" in errors
    assert "第2行" not in errors
    still_unknown = zhengwu("calendar", "add", "2026-12-25", "10")
    assert still_unknown.exit_code != 0 and "2027" in still_unknown.stderr


def test_cli_import_of_an_empty_file_exits_2(zhengwu: Run, tmp_path: Path) -> None:
    file = tmp_path / "empty.csv"
    file.write_bytes(b"")
    result = zhengwu("calendar", "import-holidays", str(file))
    assert result.exit_code == 2
    assert "空的" in flat(result.stderr)


# ---------------------------------------------------------------- page


def upload(client: TestClient, name: str, content: bytes) -> Response:
    """Post ``content`` through the import form as ``name`` (following the redirect back to the page)."""
    response: Response = client.post(
        "/admin/calendar/import",
        data={"csrf_token": csrf(client)},
        files={"file": (name, content, "text/csv")},
    )
    return response


def test_admin_uploads_a_csv_and_the_year_shows_as_imported(app_client: TestClient) -> None:
    login(app_client, "admin")
    page = app_client.get("/admin/calendar")
    assert page.status_code == 200 and "节假日维护" in page.text and "2027 年（" not in page.text
    r = upload(app_client, "2027.csv", GOOD_2027.encode())
    assert r.status_code == 200  # after the redirect back to the page
    text = r.text
    assert "已导入 2 天" in text
    assert "2027 年（页面导入：2027.csv）" in text
    assert "2027-01-09" in text and "调休上班" in text
    calc = app_client.get("/admin/calendar", params={"start": "2026-12-25", "n": "10"})
    assert "<strong>2027-01-09</strong>" in calc.text


def test_a_bad_upload_rerenders_the_page_with_422_and_a_table_of_row_errors(app_client: TestClient) -> None:
    login(app_client, "admin")
    r = upload(app_client, "bad.csv", BAD_2027.encode())
    assert r.status_code == 422
    text = r.text
    assert "导入失败，未写入任何数据" in text
    assert re.search(r"<tr><td>3</td><td>date</td><td>[^<]*2027-13-01", text)
    assert re.search(r"<tr><td>4</td><td>kind</td><td>[^<]*off", text)
    after = app_client.get("/admin/calendar").text
    assert "2027 年（" not in after and "2027-01-01" not in after  # nothing was written


def test_an_empty_upload_rerenders_the_page_with_422(app_client: TestClient) -> None:
    login(app_client, "admin")
    r = upload(app_client, "empty.csv", b"")
    assert r.status_code == 422
    assert "上传的文件是空的" in r.text


def test_a_user_without_calendar_manage_is_forbidden_the_page_and_the_import(app_client: TestClient) -> None:
    login(app_client, "fh_gl")
    assert app_client.get("/admin/calendar").status_code == 403
    assert upload(app_client, "2027.csv", GOOD_2027.encode()).status_code == 403
    login(app_client, "admin")
    assert "2027 年（" not in app_client.get("/admin/calendar").text


def test_an_anonymous_visitor_is_sent_to_log_in(app_client: TestClient) -> None:
    r = app_client.get("/admin/calendar", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login")


def test_the_page_calculator_shows_a_result_for_a_known_year(app_client: TestClient) -> None:
    login(app_client, "admin")
    r = app_client.get("/admin/calendar", params={"start": "2024-09-30", "n": "5"})
    assert r.status_code == 200
    assert "<strong>2024-10-12</strong>" in r.text
    r = app_client.get("/admin/calendar", params={"a": "2024-06-20", "b": "2024-07-18"})
    assert "<strong>20</strong>" in r.text


def test_the_page_calculator_warns_instead_of_guessing_when_the_deadline_runs_into_2027(app_client: TestClient) -> None:
    login(app_client, "admin")
    r = app_client.get("/admin/calendar", params={"start": "2026-12-25", "n": "10"})
    assert r.status_code == 200
    assert "2027 年的节假日安排尚未导入" in r.text
    assert "个工作日是" not in r.text
