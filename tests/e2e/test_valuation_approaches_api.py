"""The market and cost approaches and the income approach's sensitivity through ``POST /api/valuation/market|cost|
sensitivity`` and ``zhengwu valuation market|cost|sensitivity --input FILE.json``: results, bad input as a 422 (or
exit status 2) with a Chinese message naming the field — never a 500, a traceback or a NaN — and the grant.

Reference values: the cost example 120 × 3/8 = 45 (资产评估师考试, cited in tests/unit/test_valuation_market_cost.py);
the worked example of issue #6 (168.6114万元) as the sensitivity's base value."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from tests.conftest import api_login
from zhengwu.cli import app

CJK = re.compile(r"[\u4e00-\u9fff]")
MARKET: dict[str, Any] = {
    "subject_pvd": 70,
    "as_of": "2024-06-30",
    "comparables": [
        {"id": "D1", "price": 300, "pvd": 60, "deal_date": "2024-06-30"},
        {"id": "D2", "price": 400, "pvd": 80, "deal_date": "2024-06-30"},
        {"id": "D3", "price": 350, "pvd": 70, "deal_date": "2024-06-30", "weight": 2},
    ],
}
COST: dict[str, Any] = {"items": [{"name": "重置成本", "amount": 120}], "years_used": 5, "remaining_life": 3}
INCOME: dict[str, Any] = {
    "income": {"basis": "revenue", "amounts": [2000, 2200, 2400, 2500, 2500]},
    "share_rate": {"method": "score", "industry": "machinery", "score": 70},
    "tax_rate": 0.25,
    "discount_rate": 0.095,
}
BAD: list[tuple[str, str, Any, str]] = [
    ("market", "a comparable's value degree of zero",
     {**MARKET, "comparables": [{"id": "D1", "price": 300, "pvd": 0, "deal_date": "2024-06-30"}]},
     "comparables[0].pvd"),
    ("market", "no comparables", {**MARKET, "comparables": []}, "comparables"),
    ("market", "a deal after the as-of date",
     {**MARKET, "comparables": [{"id": "D1", "price": 300, "pvd": 60, "deal_date": "2025-01-01"}]},
     "comparables[0].deal_date"),
    ("cost", "a negative cost", {**COST, "items": [{"name": "材料费", "amount": -5}]}, "items[0].amount"),
    ("cost", "neither lives nor a rate", {"items": COST["items"]}, "obsolescence_rate"),
    ("sensitivity", "a discount rate of one", {**INCOME, "discount_rate": 1}, "discount_rate"),
    ("sensitivity", "an unknown industry",
     {**INCOME, "share_rate": {"method": "score", "industry": "ships", "score": 70}}, "share_rate.industry"),
    ("sensitivity", "a list instead of an object", [1, 2], ""),
]  # fmt: skip


def as_user(client: TestClient, username: str) -> TestClient:
    return api_login(client, username)


def test_the_market_and_cost_apis_return_every_factor_and_the_value(app_client: TestClient) -> None:
    client = as_user(app_client, "admin")
    r = client.post("/api/valuation/market", json=MARKET)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["value"] == pytest.approx((350 + 350 + 2 * 350) / 4)  # 300·70/60 = 400·70/80 = 350·70/70 = 350
    assert [c["pvd_factor"] for c in body["comparables"]] == pytest.approx([70 / 60, 70 / 80, 1])
    assert body["warnings"] == []
    r = client.post("/api/valuation/cost", json=COST)
    assert r.status_code == 200, r.text
    assert r.json()["value"] == 45.0 and r.json()["newness"] == 0.375


def test_the_sensitivity_api_reads_the_databases_industry_range_and_returns_the_tornado(
    app_client: TestClient,
) -> None:
    r = as_user(app_client, "admin").post("/api/valuation/sensitivity", json=INCOME)
    assert r.status_code == 200, r.text
    body = r.json()
    assert round(body["base_value"] * 10_000) == 1_686_114
    assert [v["code"] for v in body["variables"]] == ["K", "i", "n", "revenue"]
    assert body["tornado"]["bars"][0]["code"] == "n"


def test_bad_input_is_a_422_in_chinese_naming_the_field_and_the_grant_is_required(app_client: TestClient) -> None:
    client = as_user(app_client, "admin")
    for route, name, data, field in BAD:
        r = client.post(f"/api/valuation/{route}", json=data)
        assert r.status_code == 422, (name, r.text)
        assert CJK.search(r.json()["detail"]) and r.json().get("field", "") == field, name
    for route in ("market", "cost", "sensitivity"):
        r = client.post(f"/api/valuation/{route}", content=b"{oops", headers={"Content-Type": "application/json"})
        assert r.status_code == 422 and r.json()["field"] == "body"
    client = as_user(app_client, "auditor")
    for route, data in (("market", MARKET), ("cost", COST), ("sensitivity", INCOME)):
        assert client.post(f"/api/valuation/{route}", json=data).status_code == 403


# ---------------------------------------------------------------- the command line


def _run(tmp_path: Path, command: str, data: Any, *args: str, env: dict[str, str] | None = None) -> Any:
    path = tmp_path / f"{command}.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return CliRunner().invoke(app, ["valuation", command, "--input", str(path), *args], env=env)


def test_the_cli_prints_json_and_chinese_tables_without_a_database(tmp_path: Path) -> None:
    env = {"ZHENGWU_DATABASE_URL": f"sqlite:///{tmp_path / 'absent.db'}"}
    market = _run(tmp_path, "market", MARKET, env=env)
    assert market.exit_code == 0, market.output
    assert json.loads(market.stdout)["value"] == pytest.approx(350)
    assert "评估值 350.0000" in _run(tmp_path, "market", {**MARKET, "comparables": MARKET["comparables"][:1]},
                                   "--table", env=env).stdout  # fmt: skip
    cost = _run(tmp_path, "cost", COST, "--table", env=env)
    assert cost.exit_code == 0 and "评估值 45.0000" in cost.stdout
    sensitivity = _run(tmp_path, "sensitivity", INCOME, "--defaults", "--table", env=env)
    assert sensitivity.exit_code == 0 and "基准评估值 168.6114" in sensitivity.stdout
    missing = _run(tmp_path, "sensitivity", INCOME, env=env)  # without --defaults the empty database is named
    assert missing.exit_code == 1 and "zhengwu db upgrade" in missing.stderr and "Traceback" not in missing.output


def test_the_sensitivity_cli_reads_the_databases_reference_data(tmp_path: Path, db_url: str) -> None:
    result = _run(tmp_path, "sensitivity", INCOME, env={"ZHENGWU_DATABASE_URL": db_url})
    assert result.exit_code == 0, result.output
    assert round(json.loads(result.stdout)["base_value"] * 10_000) == 1_686_114


def test_the_cli_exits_2_naming_the_field_on_bad_input(tmp_path: Path) -> None:
    for command, name, data, field in BAD:
        result = _run(tmp_path, command, data, *(["--defaults"] if command == "sensitivity" else []))
        assert result.exit_code == 2, (name, result.output)
        assert CJK.search(result.stderr) and "Traceback" not in result.output
        assert not field or f"字段 {field}" in result.stderr, name
    broken = tmp_path / "broken.json"
    broken.write_text('{"items": ', encoding="utf-8")
    result = CliRunner().invoke(app, ["valuation", "cost", "-i", str(broken)])
    assert result.exit_code == 2 and "不是有效的 JSON" in result.stderr
