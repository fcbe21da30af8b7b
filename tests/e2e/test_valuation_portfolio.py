"""Portfolio valuation through its three doors — ``zhengwu valuation portfolio FILE``, the page ``/valuation/portfolio``
and ``POST /api/v1/valuation/portfolio`` — on the example file the page offers (three patents: one of them lapsed,
so gated). Every test only reads, so they share one database per engine."""

from __future__ import annotations

import io
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from typer.testing import CliRunner

from tests.conftest import ENGINES, PASSWORD, csrf, login, reset_postgres, scratch_postgres
from tests.support.people import add_users
from zhengwu.cli import app as cli
from zhengwu.core.db import Actor, Database
from zhengwu.core.settings import Settings
from zhengwu.valuation.model import ASSESS
from zhengwu.valuation.model.default_profile import default_profile
from zhengwu.valuation.model.industries import UNIDO_RANGES
from zhengwu.valuation.service.portfolio import compute_portfolio, example_csv
from zhengwu.web.app import create_app

pytestmark = pytest.mark.xdist_group("valuation_portfolio")
EXAMPLE = example_csv(default_profile())
EXPECTED = compute_portfolio("例.csv", EXAMPLE, default_profile(), UNIDO_RANGES)
#: The example with its third row's filing date broken and its first row's tax rate out of range.
BAD = EXAMPLE.decode("utf-8-sig").replace("2012-05-20", "2012-13-01").replace(",0.25,0.095,", ",1.5,0.095,", 1)


@pytest.fixture(scope="module", params=ENGINES)
def db_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    def people(url: str) -> None:
        db = Database(url)
        with db.uow(Actor(None, "测试数据")) as uow:
            add_users(uow, {"v_fh": ("fh", [(ASSESS, "subtree")])}, PASSWORD, "role_")
            uow.commit()
        db.dispose()

    if request.param == "sqlite":
        path = tmp_path_factory.mktemp("portfolio") / "zhengwu.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        people(f"sqlite:///{path}")
        yield f"sqlite:///{path}"
        return
    with scratch_postgres("zw_portfolio") as url:
        reset_postgres(url)
        people(url)
        yield url


@pytest.fixture(scope="module")
def client(db_url: str) -> Iterator[TestClient]:
    db = Database(db_url)
    settings = Settings(database_url=db_url, secret_key="test-secret", _env_file=None)  # type: ignore[call-arg]
    with TestClient(create_app(settings, db)) as c:
        login(c, "v_fh")
        yield c
    db.dispose()


def cli_run(db_url: str, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["valuation", "portfolio", *args], env={"ZHENGWU_DATABASE_URL": db_url})
    return result.exit_code, result.output


def test_the_command_prints_the_summary_and_writes_every_result_to_an_xlsx_file(db_url: str, tmp_path: Path) -> None:
    source = tmp_path / "专利.csv"
    source.write_bytes(EXAMPLE)
    code, out = cli_run(db_url, str(source), "--output", str(tmp_path / "结果.xlsx"))
    assert code == 0, out
    assert f"共 3 件专利，评估值合计 {EXPECTED.total_value:,.4f}" in out and "1 件触发否决条件" in out
    book = load_workbook(tmp_path / "结果.xlsx", read_only=True)
    rows = list(book["估值结果"].iter_rows(values_only=True))
    assert rows[0][:3] == ("行号", "编号", "名称") and len(rows) == 4
    assert [r[11] for r in rows[1:]] == pytest.approx(EXPECTED.result.value.tolist(), rel=1e-14)  # Excel: 15 digits
    assert rows[3][12] == "专利失效"
    # --defaults needs no database and gives the same figures (the stored profile is the shipped one).
    code, again = cli_run("sqlite:////nonexistent/none.db", str(source), "--defaults", "-o", str(tmp_path / "r.jsonl"))
    assert code == 0, again
    assert f"{EXPECTED.total_value:,.4f}" in again
    assert len((tmp_path / "r.jsonl").read_text(encoding="utf-8").splitlines()) == 3


def test_the_command_refuses_a_file_with_bad_rows_naming_row_column_and_reason(db_url: str, tmp_path: Path) -> None:
    source = tmp_path / "专利.csv"
    source.write_text(BAD, encoding="gb18030")
    code, out = cli_run(db_url, str(source), "--defaults", "--output", str(tmp_path / "结果.csv"))
    assert code == 2
    assert "第 4 行，字段“filing_date”：申请日“2012-13-01”不是有效的日期" in out
    assert not (tmp_path / "结果.csv").exists()
    code, out = cli_run(db_url, str(tmp_path / "没有.csv"), "--defaults")
    assert code == 2 and "无法读取文件" in out


def test_the_page_offers_the_form_and_the_example_file(client: TestClient) -> None:
    page = client.get("/valuation/portfolio")
    assert page.status_code == 200 and 'enctype="multipart/form-data"' in page.text
    assert "cnipa2012-finance" in page.text and 'href="/valuation/portfolio/example.csv"' in page.text
    example = client.get("/valuation/portfolio/example.csv")
    assert example.status_code == 200 and example.content == EXAMPLE


def post(client: TestClient, data: bytes, name: str = "专利.csv", **fields: str) -> object:
    return client.post(
        "/valuation/portfolio",
        data={"csrf_token": csrf(client), **fields},
        files={"file": (name, data, "text/csv")},
    )


def test_the_page_shows_the_summary_and_results_or_answers_with_the_workbook(client: TestClient) -> None:
    r = post(client, EXAMPLE)
    assert r.status_code == 200, r.text  # type: ignore[attr-defined]
    text = r.text  # type: ignore[attr-defined]
    assert "共 <strong>3</strong> 件专利" in text and f"{EXPECTED.total_value:,.4f}" in text
    assert "ZL201210000003.3" in text and "专利失效" in text
    workbook = post(client, EXAMPLE, format="xlsx")
    assert workbook.headers["content-type"].startswith("application/vnd.openxmlformats")  # type: ignore[attr-defined]
    book = load_workbook(io.BytesIO(workbook.content), read_only=True)  # type: ignore[attr-defined]
    assert len(list(book["估值结果"].iter_rows())) == 4
    assert dict(book["汇总"].iter_rows(values_only=True, max_row=2, max_col=2))["专利件数"] == 3


def test_the_page_lists_every_problem_of_a_bad_file_or_names_the_bad_field(client: TestClient) -> None:
    r = post(client, BAD.encode())
    assert r.status_code == 422  # type: ignore[attr-defined]
    text = r.text  # type: ignore[attr-defined]
    assert (
        "文件有 2 处错误" in text and "<td>4</td><td>filing_date</td>" in text and "<td>2</td><td>tax_rate</td>" in text
    )
    r = post(client, EXAMPLE, fill="12")
    assert r.status_code == 422 and "缺省档次" in r.text  # type: ignore[attr-defined]
    r = post(client, b"", name="")
    assert r.status_code == 422 and "请选择" in r.text  # type: ignore[attr-defined]


def test_the_api_answers_with_the_summary_and_every_patent(client: TestClient) -> None:
    r = client.post(
        "/api/v1/valuation/portfolio?fill=4",
        headers={"x-csrf-token": csrf(client)},
        files={"file": ("专利.csv", EXAMPLE, "text/csv")},
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["summary"]["count"] == 3 and body["summary"]["gated"] == 1 and body["summary"]["fill"] == 4
    assert [p["value"] for p in body["patents"]] == EXPECTED.result.value.tolist()
    assert body["patents"][2]["gates"] == ["dead_status"] and body["patents"][2]["pvd"] == 0


def test_the_api_refuses_bad_rows_with_a_problem_listing_them(client: TestClient) -> None:
    r = client.post(
        "/api/v1/valuation/portfolio",
        headers={"x-csrf-token": csrf(client)},
        files={"file": ("专利.csv", BAD.encode(), "text/csv")},
    )
    assert r.status_code == 422
    problem = r.json()
    assert problem["field"] == "rows[2].tax_rate" and problem["total"] == 2
    assert [(e["row"], e["field"]) for e in problem["errors"]] == [(2, "tax_rate"), (4, "filing_date")]
    r = client.post("/api/v1/valuation/portfolio", headers={"x-csrf-token": csrf(client)}, data={"x": "1"})
    assert r.status_code == 422 and r.json()["field"] == "file"


@pytest.mark.parametrize(
    ("query", "name", "data"),
    [
        ("fill=abc", "a.csv", EXAMPLE),
        ("as_of=2024-13-45", "a.csv", EXAMPLE),
        ("tax_rate=2", "a.csv", EXAMPLE),
        ("timing=later", "a.csv", EXAMPLE),
        ("profile=" + "x" * 100, "a.csv", EXAMPLE),
        ("", "a.txt", EXAMPLE),
        ("", "a.xlsx", b"PK\x03\x04 not a workbook"),
        ("", "a.jsonl", b'{"id": "A", "amounts": [1]}\n[1, 2]\n'),
        ("", "a.jsonl", b'{"id": "A", "amounts": [1], "colour": "red"}\n'),
        ("", "a.csv", b"\xff\xfe\x00junk"),
        ("", "a.csv", b"id,patent_type\n"),
    ],
)
def test_junk_parameters_and_files_get_a_chinese_422_never_a_500(
    client: TestClient, query: str, name: str, data: bytes
) -> None:
    r = client.post(
        f"/api/v1/valuation/portfolio?{query}",
        headers={"x-csrf-token": csrf(client)},
        files={"file": (name, data, "application/octet-stream")},
    )
    assert r.status_code == 422, r.text
    assert any("\u4e00" <= ch <= "\u9fff" for ch in r.json()["detail"])


def test_an_unknown_profile_is_not_found(client: TestClient) -> None:
    r = client.post(
        "/api/v1/valuation/portfolio?profile=nothing",
        headers={"x-csrf-token": csrf(client)},
        files={"file": ("a.csv", EXAMPLE, "text/csv")},
    )
    assert r.status_code == 404 and "评价方案" in r.json()["detail"]
