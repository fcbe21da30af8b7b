"""The income approach through ``POST /api/valuation/income`` and ``zhengwu valuation income --input FILE.json``: the
issue's worked example to the yuan, the indicator system scored on the database's profile, and bad input as a 422 (or
exit status 2) with a Chinese message naming the field — never a 500, a traceback or a NaN.

Reference value: issue #6, "The contract": PVD 70, machinery 1.5–3 %, revenue 2000, 2200, 2400, 2500, 2500万, tax 25 %,
i = 2.5 % + 3 % + 2 % + 1 % + 1 % = 9.5 %, end of year → 168.6114万元 (1,686,114 元)."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from tests.conftest import api_login
from zhengwu.cli import app
from zhengwu.valuation.model.default_profile import default_profile

CJK = re.compile(r"[\u4e00-\u9fff]")
URL = "/api/valuation/income"
EXAMPLE: dict[str, Any] = {
    "income": {"basis": "revenue", "amounts": [2000, 2200, 2400, 2500, 2500]},
    "share_rate": {"method": "score", "range": [0.015, 0.03], "score": 70},
    "tax_rate": 0.25,
    "discount_rate": {
        "risk_free": 0.025,
        "premia": {"technology": 0.03, "market": 0.02, "funding": 0.01, "management": 0.01},
    },
    "years": 5,
    "timing": "end",
    "share_rate_decay": 0,
}


def _with(**changes: Any) -> dict[str, Any]:
    return {**EXAMPLE, **changes}


def as_user(client: TestClient, username: str) -> TestClient:
    return api_login(client, username)


def test_the_api_reproduces_the_issues_worked_example_to_the_yuan(app_client: TestClient) -> None:
    r = as_user(app_client, "admin").post(URL, json=EXAMPLE)
    assert r.status_code == 200, r.text
    body = r.json()
    assert sorted(body) == ["discount_rate", "rows", "share_rate", "value", "years"]
    assert round(body["value"] * 10_000) == 1_686_114
    assert body["share_rate"] == pytest.approx(0.0255) and body["discount_rate"] == pytest.approx(0.095)
    assert [row["year"] for row in body["rows"]] == [1, 2, 3, 4, 5]
    assert sorted(body["rows"][0]) == ["after_tax", "discount_factor", "income", "present_value", "share", "year"]


def test_an_industry_code_reads_the_range_from_the_databases_table(app_client: TestClient) -> None:
    data = _with(share_rate={"method": "score", "industry": "machinery", "score": 70})
    r = as_user(app_client, "admin").post(URL, json=data)
    assert r.status_code == 200, r.text
    assert round(r.json()["value"] * 10_000) == 1_686_114


def test_indicators_are_scored_on_the_named_profile_and_the_evaluation_is_returned(app_client: TestClient) -> None:
    codes = default_profile().sub_codes
    scores = {c: {"value": 6, "scorer": "张评估师", "reason": "示例"} for c in codes}
    data = _with(share_rate={"method": "score", "industry": "machinery", "indicators": {"scores": scores}})
    r = as_user(app_client, "admin").post(URL + "?profile=cnipa2012-licensing", json=data)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["evaluation"]["pvd"] == pytest.approx(60.0)  # every sub-indicator at level 6 of 10
    assert body["evaluation"]["profile"] == "cnipa2012-licensing"
    assert body["share_rate"] == pytest.approx(0.015 + 0.015 * 0.6)
    assert body["evaluation"]["scores"][codes[0]]["scorer"] == "张评估师"


BAD: list[tuple[str, Any, str]] = [
    ("discount rate of one", _with(discount_rate=1), "discount_rate"),
    ("negative discount rate", _with(discount_rate=-0.1), "discount_rate"),
    ("tax rate above one", _with(tax_rate=1.5), "tax_rate"),
    ("share above one", _with(share_rate={"method": "explicit", "value": 1.01}), "share_rate.value"),
    (
        "profit margin of zero",
        _with(
            income={"basis": "profit", "amounts": [100]},
            share_rate={"method": "sales_to_profit", "sales_royalty": 0.03, "profit_margin": 0},
        ),
        "share_rate.profit_margin",
    ),
    ("unknown method", _with(share_rate={"method": "royalty"}), "share_rate.method"),
    ("missing tax rate", {k: v for k, v in EXAMPLE.items() if k != "tax_rate"}, "tax_rate"),
    ("non-numeric amount", _with(income={"basis": "revenue", "amounts": [2000, "很多"]}), "income.amounts[1]"),
    ("empty amounts", _with(income={"basis": "revenue", "amounts": []}), "income.amounts"),
    (
        "unknown industry",
        _with(share_rate={"method": "score", "industry": "ships", "score": 70}),
        "share_rate.industry",
    ),
    ("a list instead of an object", [1, 2], ""),
]


def test_bad_input_is_a_422_in_chinese_naming_the_field(app_client: TestClient) -> None:
    client = as_user(app_client, "admin")
    for name, data, field in BAD:
        r = client.post(URL, json=data)
        assert r.status_code == 422, (name, r.text)
        problem = r.json()
        assert CJK.search(problem["detail"]), name
        assert problem.get("field", "") == field, name


def test_a_body_that_is_not_json_is_a_422(app_client: TestClient) -> None:
    client = as_user(app_client, "admin")
    r = client.post(URL, content=b"{not json", headers={"Content-Type": "application/json"})
    assert r.status_code == 422 and r.json()["field"] == "body"
    r = client.post(URL, content=b'{"tax_rate": NaN}', headers={"Content-Type": "application/json"})
    assert r.status_code == 422 and "NaN" not in r.text.replace('"NaN"', "")


def test_an_unknown_profile_is_a_404_and_a_user_without_the_grant_is_refused(app_client: TestClient) -> None:
    scores = {c: {"value": 6, "scorer": "张", "reason": "示例"} for c in default_profile().sub_codes}
    data = _with(share_rate={"method": "score", "range": [0.015, 0.03], "indicators": {"scores": scores}})
    assert as_user(app_client, "admin").post(URL + "?profile=nope", json=data).status_code == 404
    assert as_user(app_client, "auditor").post(URL, json=EXAMPLE).status_code == 403


# ---------------------------------------------------------------- the command line


def _run(tmp_path: Path, data: Any, *args: str, env: dict[str, str] | None = None) -> Any:
    path = tmp_path / "request.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return CliRunner().invoke(app, ["valuation", "income", "--input", str(path), *args], env=env)


def test_the_cli_prints_the_contracts_json_with_the_databases_reference_data(tmp_path: Path, db_url: str) -> None:
    data = _with(share_rate={"method": "score", "industry": "machinery", "score": 70})
    result = _run(tmp_path, data, env={"ZHENGWU_DATABASE_URL": db_url})
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert round(body["value"] * 10_000) == 1_686_114 and math.isfinite(body["rows"][4]["present_value"])


def test_the_cli_with_the_shipped_defaults_needs_no_database_and_prints_a_table(tmp_path: Path) -> None:
    env = {"ZHENGWU_DATABASE_URL": f"sqlite:///{tmp_path / 'absent.db'}"}
    result = _run(tmp_path, EXAMPLE, "--defaults", "--table", env=env)
    assert result.exit_code == 0, result.output
    assert "评估值 168.6114" in result.stdout
    result = _run(tmp_path, EXAMPLE, env=env)  # without --defaults an empty database is named, not a traceback
    assert result.exit_code == 1 and "zhengwu db upgrade" in result.stderr and "Traceback" not in result.output


@pytest.mark.parametrize(("data", "field"), [(d, f) for _, d, f in BAD], ids=[n for n, _, _ in BAD])
def test_the_cli_exits_2_naming_the_field_on_bad_input(tmp_path: Path, data: Any, field: str) -> None:
    result = _run(tmp_path, data, "--defaults")
    assert result.exit_code == 2, result.output
    assert CJK.search(result.stderr) and "Traceback" not in result.output
    if field:
        assert f"字段 {field}" in result.stderr


def test_the_cli_names_a_missing_file_or_broken_json(tmp_path: Path) -> None:
    missing = CliRunner().invoke(app, ["valuation", "income", "-i", str(tmp_path / "none.json"), "--defaults"])
    assert missing.exit_code == 2 and "无法读取文件" in missing.stderr
    broken = tmp_path / "broken.json"
    broken.write_text('{"income": ', encoding="utf-8")
    result = CliRunner().invoke(app, ["valuation", "income", "-i", str(broken), "--defaults"])
    assert result.exit_code == 2 and "不是有效的 JSON" in result.stderr
