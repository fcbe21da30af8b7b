"""The figures page, its xlsx export, the hot spots page, their JSON API and ``zhengwu requests figures``, over the
hand-built requests of ``tests.support.request_figures`` (June 2024, asked at 2024-06-20 10:00; figures counted by
hand there: response 2 ÷ 4, resolution 2 ÷ 2, satisfaction 1 ÷ 2)."""

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
from tests.support.request_figures import build
from zhengwu.cli import app
from zhengwu.core.audit.tables import AuditEntry
from zhengwu.core.clock import FakeClock
from zhengwu.core.db import Database
from zhengwu.core.settings import Settings

SECRET = "Secret123"
JUNE = "year=2024&month=6"
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture
def records(db: Database, clock: FakeClock) -> dict[str, Any]:
    return build(db, clock)


@pytest.fixture
def client(settings: Settings, db: Database, records: dict[str, Any]) -> Iterator[TestClient]:
    from zhengwu.web.app import create_app

    with TestClient(create_app(settings, db)) as c:
        yield c


def as_user(client: TestClient, username: str) -> TestClient:
    client.cookies.clear()
    login(client, username, SECRET)
    return client


def test_the_figures_page_shows_the_three_rates_with_their_counts_and_the_tables(client: TestClient) -> None:
    r = as_user(client, "r_hotline").get(f"/requests/figures?{JUNE}")
    assert r.status_code == 200, r.text
    text = r.text
    assert "2024年6月" in text
    assert "50.0%" in text and "按时签收 2 ÷ 应签收 4" in text
    assert "100.0%" in text and "已解决 2 ÷ 已回访 2" in text
    assert "满意 1 ÷ 已回访 2" in text
    for heading in ("按诉求类型", "按问题分类", "按承办单位", "按渠道", "按月份", "逾期清单（1 件）"):
        assert heading in text
    assert "公路养护" in text and "签收时限" in text
    assert 'href="/requests/figures/export.xlsx?year=2024&amp;month=6"' in text


def test_the_menu_offers_the_figures_to_readers(client: TestClient) -> None:
    assert 'href="/requests/figures"' in as_user(client, "r_road").get("/").text


def test_bad_parameters_re_render_the_form_with_a_chinese_message(client: TestClient) -> None:
    c = as_user(client, "r_hotline")
    for query, field in (
        ("quarter=2&month=5", "month"),
        ("month=13", "month"),
        ("from=2024-13-01", "from"),
        ("year=--5", "year"),
        ("gap_m=１０", "gap_m"),
    ):
        r = c.get(f"/requests/{'hotspots' if 'gap_m' in query else 'figures'}?{query}")
        assert r.status_code == 422, query
        assert f"（字段：{field}）" in r.text and CJK.search(r.text)
        assert 'name="quarter"' in r.text


def test_another_countys_reader_sees_none_of_these_requests(client: TestClient, records: dict[str, Any]) -> None:
    c = as_user(client, "r_outsider")
    r = c.get(f"/requests/figures?{JUNE}")
    assert r.status_code == 200
    assert "凤凰县公路建设养护中心" not in r.text, r.text[r.text.find("凤凰县公路建设养护中心") - 300 :][:400]
    assert f'href="/matters/request/{records["ids"]["D"]}"' not in r.text and "逾期清单（0 件）" in r.text
    r = c.get(f"/requests/figures?{JUNE}&unit_id={records['gl']}")
    assert r.status_code == 404 and "数据范围" in r.text


def test_the_export_holds_the_rates_every_breakdown_and_the_overdue_list_and_is_audited(
    client: TestClient, db: Database
) -> None:
    def exports() -> int:
        with db.reading() as s:
            return s.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "export")) or 0

    before = exports()
    r = as_user(client, "r_hotline").get(f"/requests/figures/export.xlsx?{JUNE}")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/vnd.openxmlformats")
    wb = load_workbook(io.BytesIO(r.content), read_only=True)
    assert wb.sheetnames == ["三率", "按诉求类型", "按问题分类", "按承办单位", "按渠道", "按月份", "逾期清单"]
    rates = [row for row in wb["三率"].iter_rows(values_only=True)]
    assert rates[2] == ("响应率（按时签收 ÷ 应签收）", 2, 4, 0.5)
    assert rates[4][:3] == ("满意率（回访满意 ÷ 已回访）", 1, 2)
    overdue = list(wb["逾期清单"].iter_rows(values_only=True))
    assert len(overdue) == 2 and overdue[1][2:4] == ("凤凰县公路建设养护中心", "签收时限") and overdue[1][5] == 11
    assert exports() == before + 1


def test_the_hot_spots_page_groups_requests_and_links_each_one(client: TestClient, records: dict[str, Any]) -> None:
    r = as_user(client, "r_hotline").get(f"/requests/hotspots?{JUNE}")
    assert r.status_code == 200, r.text
    assert "共 2 组" in r.text
    assert "S256 K12+300–K14+000" in r.text
    assert "坐标中心 27.95150, 109.60000" in r.text
    for name in ("A", "B", "E", "F"):
        assert f'href="/matters/request/{records["ids"][name]}"' in r.text
    tight = as_user(client, "r_hotline").get(f"/requests/hotspots?{JUNE}&gap_m=500&radius_m=300")
    assert "共 0 组" in tight.text and "没有发现热点" in tight.text
    bad = client.get(f"/requests/hotspots?{JUNE}&window_days=400")
    assert bad.status_code == 422 and "window_days" in bad.text


def test_the_figures_api_gives_numerators_denominators_and_the_breakdowns(client: TestClient) -> None:
    body = as_user(client, "r_hotline").get(f"/api/v1/requests/figures?{JUNE}").json()
    assert body["response_rate"] == {"numerator": 2, "denominator": 4, "rate": 0.5}
    assert body["resolution_rate"] == {"numerator": 2, "denominator": 2, "rate": 1.0}
    assert body["satisfaction_rate"] == {"numerator": 1, "denominator": 2, "rate": 0.5}
    assert body["totals"]["received"] == 7
    assert [(r["label"], r["received"]) for r in body["by_type"]] == [("求助", 1), ("投诉", 6)]
    assert [r["depth"] for r in body["by_category"]] == [1, 2, 1]
    assert body["overdue_total"] == 1 and body["overdue"][0]["working_days_overdue"] == 11
    assert body["period"] == {"start": "2024-06-01", "end": "2024-06-30", "label": "2024年6月"}


def test_an_empty_period_gives_no_rate_rather_than_a_division_by_zero(client: TestClient) -> None:
    body = as_user(client, "r_hotline").get("/api/v1/requests/figures?year=2023").json()
    assert body["totals"]["received"] == 0
    assert body["response_rate"] == {"numerator": 0, "denominator": 0, "rate": None}


def test_the_hot_spots_api_returns_groups_with_their_requests(client: TestClient, records: dict[str, Any]) -> None:
    c = as_user(client, "r_hotline")
    groups = c.get(f"/api/v1/requests/hotspots?{JUNE}").json()
    by_road = next(g for g in groups if g["road_code"])
    assert (by_road["road_code"], by_road["km_from"], by_road["km_to"], by_road["count"]) == (
        "S256",
        "K12+300",
        "K14+000",
        2,
    )
    assert [r["id"] for r in by_road["requests"]] == [records["ids"]["A"], records["ids"]["B"]]
    assert by_road["category"] == "公路养护"
    assert as_user(client, "r_outsider").get(f"/api/v1/requests/hotspots?{JUNE}").json() == []


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("month=13", "month"),
        ("quarter=2&month=5", "month"),
        ("year=2024&from=2024-01-01", "from"),
        ("from=2024-02-01&to=2024-01-01", "to"),
        ("gap_m=-1", "gap_m"),
        ("radius_m=-5", "radius_m"),
        ("window_days=367", "window_days"),
    ],
)
def test_bad_parameters_get_a_422_in_chinese_naming_the_parameter(client: TestClient, query: str, field: str) -> None:
    r = as_user(client, "r_hotline").get(f"/api/v1/requests/hotspots?{query}")
    assert r.status_code == 422, r.text
    assert field in r.text and CJK.search(r.json()["detail"])


def test_the_cli_prints_the_figures_as_a_table_or_json(db_url: str, records: dict[str, Any]) -> None:
    # The command reads the real clock (past June 2024), so E's sign-for limit has passed as well: 2 ÷ 5.
    env = {"ZHENGWU_DATABASE_URL": db_url}
    result = CliRunner().invoke(app, ["requests", "figures", "--year", "2024", "--month", "6"], env=env)
    assert result.exit_code == 0, result.output
    flat = "".join(result.output.split())
    assert "诉求统计·2024年6月" in flat and "│响应率│40.0%│" in flat and "│满意率│50.0%│" in flat
    result = CliRunner().invoke(
        app, ["requests", "figures", "--year", "2024", "--unit", "fh-wj", "--format", "json"], env=env
    )
    assert result.exit_code == 0, result.output
    body = json.loads(result.output)
    assert body["totals"]["received"] == 1  # C: I went back to the hotline with its send-back
