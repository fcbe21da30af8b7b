"""The inspection figures page, its xlsx export, the JSON API and ``zhengwu inspection figures``, over the hand-built
records of tests/integration/test_inspection_figures.py (figures counted by hand there: in 2024, 长沙市's rounds
inspected 5 organisations, found 6 problems, handed over 3 leads, ordered 2 immediate rectifications; 1 of 4 items
closed, 2 overdue; 135 petitions; 3 cadres; 1,000.80 元 returned and 200.25 元 recovered)."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import func, select
from typer.testing import CliRunner

from tests.conftest import login
from tests.integration.test_inspection_figures import build
from zhengwu.cli import app
from zhengwu.core.audit.tables import AuditEntry
from zhengwu.core.db import Database
from zhengwu.core.settings import Settings

CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture
def records(db: Database) -> dict[str, Any]:
    return build(db)


@pytest.fixture
def client(settings: Settings, db: Database, records: dict[str, Any]) -> Iterator[TestClient]:
    from zhengwu.web.app import create_app

    with TestClient(create_app(settings, db)) as c:
        yield c


def as_user(client: TestClient, username: str) -> TestClient:
    client.cookies.clear()
    login(client, username)
    return client


def test_the_page_shows_the_districts_table_with_its_totals_row(client: TestClient, records: dict[str, Any]) -> None:
    r = as_user(client, "cs_xcb_office").get(
        f"/inspection/figures?committee_unit_id={records['units']['cs']}&year=2024"
    )
    assert r.status_code == 200, r.text
    text = r.text
    assert "巡察主体：长沙市；期间：2024年" in text
    for district in ("芙蓉区", "天心区", "岳麓区", "长沙市审计局"):
        assert f'<th scope="row">{district}</th>' in text
    # The totals row: 5 organisations, 6 findings, 2 immediate (1 done), 3 leads, 4 items, 1 closed, 25.0 %, 2 overdue,
    # 135 petitions, 3 cadres in 4 secondments, criticism 1, admonishment 2, removal 1, 0.10 and 0.02 万元.
    totals = "".join(re.search(r"<tfoot>(.*?)</tfoot>", text, re.S).group(1).split())  # type: ignore[union-attr]
    cells = re.findall(r"<td><strong>([^<]*)</strong></td>", totals)
    assert cells == ["5", "6", "2", "1", "3", "4", "1", "25.0%", "2", "135", "3", "4", "1", "2", "1", "0.10", "0.02"]
    assert "<th>批评教育</th>" in text.replace(' scope="col"', "")
    assert "退缴 0.10万元，追回 0.02万元" in text


def test_the_page_groups_by_round_and_shows_a_dash_for_a_round_without_items(
    client: TestClient, records: dict[str, Any]
) -> None:
    r = as_user(client, "cs_xcb_office").get("/inspection/figures?year=2024&by=round")
    assert r.status_code == 200, r.text
    assert '<th scope="row">测试cs2024年第2轮</th>' in r.text and '<th scope="row">未关联轮次</th>' in r.text
    r = as_user(client, "cs_xcb_office").get(f"/inspection/figures?year=2024&by=district&round_id={records['r2']}")
    row = re.search(r'<th scope="row">长沙市审计局</th>(.*?)</tr>', r.text, re.S)
    assert row is not None and "<td>—</td>" in row.group(1)  # no rectification item: no completion rate


@pytest.mark.parametrize(
    ("query", "field", "status"),
    [
        ("year=abc", "year", 422),
        ("committee_unit_id=0", "committee_unit_id", 422),
        ("by=month", "by", 422),
        ("round_id=999999", "round_id", 404),
    ],
)
def test_bad_filters_are_shown_above_the_form_in_chinese(
    client: TestClient, query: str, field: str, status: int
) -> None:
    r = as_user(client, "cs_xcb_office").get(f"/inspection/figures?{query}")
    assert r.status_code == status, r.text
    assert f"（字段：{field}）" in r.text and 'role="alert"' in r.text


def test_the_export_holds_the_table_and_is_audited(client: TestClient, db: Database, records: dict[str, Any]) -> None:
    with db.reading() as s:
        before = s.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "export"))
    r = as_user(client, "cs_xcb_office").get("/inspection/figures/export.xlsx?year=2024&by=year")
    assert r.status_code == 200, r.text
    ws = load_workbook(io.BytesIO(r.content), read_only=True)["巡察统计"]
    lines = [list(row) for row in ws.iter_rows(values_only=True)]
    assert lines[0][:4] == ["巡察主体", "长沙市", "期间", "2024年"]
    assert lines[1][:4] == ["年度", "被巡察党组织", "发现问题", "立行立改"]
    assert lines[2][:3] == ["2024年", 5, 6] and lines[-1][:3] == ["合计", 5, 6]
    assert lines[-1][-2:] == ["0.10", "0.02"]
    with db.reading() as s:
        after = s.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "export"))
    assert after == (before or 0) + 1


def test_the_api_answers_amounts_as_strings_in_yuan_and_leads_as_a_count(
    client: TestClient, records: dict[str, Any]
) -> None:
    r = as_user(client, "cs_team1").get("/api/v1/inspection/figures?year=2024&by=district")
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["committee"], body["period"], body["group_by"]) == ("长沙市", "2024年", "district")
    t = body["totals"]
    assert (t["organisations"], t["findings"], t["leads"], t["items_overdue"], t["completion_rate"]) == (
        5,
        6,
        3,
        2,
        0.25,
    )
    assert (t["returned"], t["recovered"]) == ("1000.80", "200.25")
    assert {o["label"]: o["count"] for o in t["outcomes"]} == {"批评教育": 1, "诫勉": 2, "免职": 1}
    rows = {row["label"]: row for row in body["rows"]}
    assert rows["岳麓区"]["completion_rate"] is None and rows["岳麓区"]["leads"] == 2
    assert "线" not in json.dumps(body, ensure_ascii=False)  # no lead serial or title, only counts


def test_the_api_refuses_a_bad_grouping_in_chinese(client: TestClient) -> None:
    r = as_user(client, "cs_xcb_office").get("/api/v1/inspection/figures?by=month")
    assert r.status_code == 422, r.text
    assert "by" in r.text and CJK.search(str(r.json()["detail"]))


def test_the_cli_prints_a_chinese_table_or_json(db_url: str, records: dict[str, Any]) -> None:
    env = {"ZHENGWU_DATABASE_URL": db_url}
    result = CliRunner().invoke(app, ["inspection", "figures", "--year", "2024", "--unit", "cs"], env=env)
    assert result.exit_code == 0, result.output
    flat = "".join(result.output.split())
    assert "巡察统计·长沙市·2024年·按区县（单位）" in flat and "合计" in flat and "芙蓉区" in flat
    result = CliRunner().invoke(app, ["inspection", "figures", "--round", "2", "--year", "2024", "--json"], env=env)
    assert result.exit_code == 0, result.output
    body = json.loads(result.output)
    # Round 2 of 2024: 3 organisations, 3 findings, 2 leads, 35 petitions, two admonishments, 200.25 元 recovered.
    t = body["totals"]
    assert (body["round_id"], t["organisations"], t["findings"], t["leads"], t["petitions"]) == (
        records["r2"],
        3,
        3,
        2,
        35,
    )
    assert t["recovered"] == "200.25"
    result = CliRunner().invoke(app, ["inspection", "figures", "--by", "year", "--json"], env=env)
    years = [row["label"] for row in json.loads(result.output)["rows"]]
    assert years == ["2023年", "2024年"]
    result = CliRunner().invoke(app, ["inspection", "figures", "--round", "1"], env=env)
    assert result.exit_code == 2 and "--year" in result.output
