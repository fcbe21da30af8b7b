"""A securitization plan run through ``POST /api/finance/run`` and ``zhengwu finance run PLAN.json``: a hand-checkable
scenario's waterfall to the cent, seeded simulations that repeat exactly, and every bad plan of issue #7's "Done when"
list as a 422 (or exit status 2) with a Chinese message naming the field — never a 500, a traceback or a NaN.

The hand-checked plan: one bullet loan of 1,000 at 8 % a year, quarterly (20 interest a quarter), over 2 quarters;
senior A 800 at 4 % (1 % a quarter), residual B 200; no fees; a guarantor covering 80 %; recoveries at 30 % of the
pledged 500, one quarter later.

- No default: quarter 1 collects 20 → A interest 8, A principal 12 (A 788); quarter 2 collects 1,020 → A interest
  7.88, A principal 788, B principal 200, residual 24.12.
- L1 defaults in quarter 1: claim 1,000 + 20 = 1,020; the guarantor pays 816 → A interest 8, A principal 800, B
  principal 8 (B 192). The unpaid 204 is recovered as min(204, 0.3 × 500) = 150 in quarter 2 → B principal 150, B
  loses 42. A's IRR: −800 then 808 a quarter later, 1 % a quarter, 1.01⁴ − 1 = 4.060401 % a year; its WAL 0.25 year.
"""

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
from zhengwu.core.errors import Invalid
from zhengwu.finance.model.plan import parse_plan
from zhengwu.finance.service.run import API_LIMITS, CLI_LIMITS, check_paths

CJK = re.compile(r"[\u4e00-\u9fff]")
URL = "/api/finance/run"
PLAN: dict[str, Any] = {
    "closing_date": "2024-01-15",
    "periods_per_year": 4,
    "legal_final_period": 2,
    "loans": [
        {"id": "L1", "borrower": "甲公司", "principal": 1000, "annual_rate": 0.08, "term_periods": 2,
         "amortization": "bullet", "pd_annual": 0.02, "pledged_value": 500},
    ],
    "tranches": [
        {"id": "A", "name": "优先级", "balance": 800, "coupon": 0.04},
        {"id": "B", "name": "次级", "balance": 200, "coupon": None},
    ],
    "fees": {"annual_rate_on_pool": 0},
    "guarantor": {"name": "担保公司", "pd_annual": 0.01, "coverage": 0.8, "cap": None},
    "shortfall_provider": None,
    "recovery": {"rate_of_pledged_value": 0.3, "lag_periods": 1},
    "correlation": 0.2,
}  # fmt: skip
DEFAULT_Q1 = {"loan_defaults": {"L1": 1}, "guarantor_default_period": None, "provider_default_period": None}


def _plan(**changes: Any) -> dict[str, Any]:
    return {**PLAN, **changes}


def _loan(**changes: Any) -> dict[str, Any]:
    return _plan(loans=[{**PLAN["loans"][0], **changes}])


#: (name, plan, field of the plan) — issue #7, "Done when": bad plans get a clear message naming the field.
BAD_PLANS: list[tuple[str, Any, str]] = [
    ("tranches larger than the pool", _plan(tranches=[{**PLAN["tranches"][0], "balance": 900}, PLAN["tranches"][1]]),
     "tranches"),
    ("negative loan rate", _loan(annual_rate=-0.01), "loans[0].annual_rate"),
    ("negative coupon", _plan(tranches=[{**PLAN["tranches"][0], "coupon": -0.01}, PLAN["tranches"][1]]),
     "tranches[0].coupon"),
    ("pd of one", _loan(pd_annual=1), "loans[0].pd_annual"),
    ("negative pd", _loan(pd_annual=-0.1), "loans[0].pd_annual"),
    ("term past legal final", _loan(term_periods=3), "loans[0].term_periods"),
    ("correlation of one", _plan(correlation=1), "correlation"),
    ("negative correlation", _plan(correlation=-0.2), "correlation"),
    ("a list instead of a plan", [1, 2], ""),
]  # fmt: skip


def as_user(client: TestClient, username: str) -> TestClient:
    return api_login(client, username)


def check_hand_computed_default(out: dict[str, Any]) -> None:
    q1, q2 = out["periods"]
    assert (q1["collections"], q1["defaults"], q1["guarantor_paid"], q1["recoveries"]) == pytest.approx(
        (0, 1020, 816, 0)
    )
    assert q1["tranches"]["A"] == pytest.approx({"interest": 8, "principal": 800, "balance": 0})
    assert q1["tranches"]["B"] == pytest.approx({"interest": 0, "principal": 8, "balance": 192})
    assert (q2["recoveries"], q2["tranches"]["B"]["principal"], q2["provider_draw"]) == pytest.approx((150, 150, 0))
    assert out["tranches"]["A"] == pytest.approx({"loss": 0, "wal_years": 0.25, "irr": 1.01**4 - 1})
    assert out["tranches"]["B"]["loss"] == pytest.approx(42) and out["residual"] == pytest.approx(0)


# ---------------------------------------------------------------- the API


def test_a_scenario_gives_its_hand_checkable_waterfall_and_no_scenario_the_one_without_defaults(
    app_client: TestClient,
) -> None:
    client = as_user(app_client, "admin")
    r = client.post(URL, json={"plan": PLAN, "scenario": DEFAULT_Q1})
    assert r.status_code == 200, r.text
    assert r.json()["simulation"] is None
    check_hand_computed_default(r.json()["waterfall"])

    r = client.post(URL, json={"plan": PLAN})
    assert r.status_code == 200, r.text
    out = r.json()["waterfall"]
    assert [p["tranches"]["A"]["principal"] for p in out["periods"]] == pytest.approx([12, 788])
    assert out["periods"][1]["tranches"]["A"]["interest"] == pytest.approx(7.88)
    assert out["residual"] == pytest.approx(24.12) and out["tranches"]["B"]["loss"] == 0


def test_a_seeded_simulation_repeats_exactly_and_an_unseeded_one_reports_its_seed(app_client: TestClient) -> None:
    client = as_user(app_client, "admin")
    body = {"plan": PLAN, "simulation": {"paths": 2_000, "seed": 2026}}
    first, second = client.post(URL, json=body), client.post(URL, json=body)
    assert first.status_code == 200, first.text
    assert first.json() == second.json() and first.json()["waterfall"] is None
    sim = first.json()["simulation"]
    assert sim["seed"] == 2026 and sim["n_paths"] == 2_000 and sorted(sim["tranches"]) == ["A", "B"]
    assert 0 <= sim["tranches"]["B"]["loss_probability"]["mean"] <= 1

    unseeded = client.post(URL, json={"plan": PLAN, "scenario": DEFAULT_Q1, "simulation": {"paths": 500}}).json()
    check_hand_computed_default(unseeded["waterfall"])  # both asked: both answered
    again = client.post(URL, json={"plan": PLAN, "simulation": {"paths": 500, "seed": unseeded["simulation"]["seed"]}})
    assert again.json()["simulation"] == unseeded["simulation"]


BAD_BODIES: list[tuple[str, Any, str]] = [
    *((name, {"plan": plan}, f"plan.{field}" if field else "plan") for name, plan, field in BAD_PLANS),
    ("no plan", {"scenario": DEFAULT_Q1}, "plan"),
    ("unknown key", {"plan": PLAN, "paths": 10}, "paths"),
    ("scenario past legal final", {"plan": PLAN, "scenario": {"loan_defaults": {"L1": 3}}},
     "scenario.loan_defaults.L1"),
    ("scenario of an unknown loan", {"plan": PLAN, "scenario": {"loan_defaults": {"L9": 1}}},
     "scenario.loan_defaults.L9"),
    ("one path", {"plan": PLAN, "simulation": {"paths": 1}}, "simulation.paths"),
    ("paths as text", {"plan": PLAN, "simulation": {"paths": "很多"}}, "simulation.paths"),
    ("too many paths", {"plan": PLAN, "simulation": {"paths": 100_001}}, "simulation.paths"),
    ("no paths", {"plan": PLAN, "simulation": {"seed": 1}}, "simulation.paths"),
    ("negative seed", {"plan": PLAN, "simulation": {"paths": 10, "seed": -1}}, "simulation.seed"),
    ("simulation not an object", {"plan": PLAN, "simulation": 10}, "simulation"),
    ("a list instead of an object", [PLAN], "body"),
]  # fmt: skip


def test_bad_input_is_a_422_in_chinese_naming_the_field(app_client: TestClient) -> None:
    client = as_user(app_client, "admin")
    for name, body, field in BAD_BODIES:
        r = client.post(URL, json=body)
        assert r.status_code == 422, (name, r.text)
        assert CJK.search(r.json()["detail"]), name
        assert r.json().get("field", "") == field, (name, r.json())
    r = client.post(URL, content=b"{not json", headers={"Content-Type": "application/json"})
    assert r.status_code == 422 and r.json()["field"] == "body"
    nan = json.dumps({"plan": PLAN}).replace('"correlation": 0.2', '"correlation": NaN').encode()
    r = client.post(URL, content=nan, headers={"Content-Type": "application/json"})
    assert r.status_code == 422 and r.json()["field"] == "plan.correlation"


def test_a_run_too_large_for_memory_or_time_is_refused_naming_what_to_shrink(app_client: TestClient) -> None:
    client = as_user(app_client, "admin")
    loans = [{**PLAN["loans"][0], "id": f"L{k}", "term_periods": 36} for k in range(500)]
    pool = _plan(periods_per_year=12, legal_final_period=36, loans=loans)
    r = client.post(URL, json={"plan": pool, "simulation": {"paths": 10_000, "seed": 1}})
    assert r.status_code == 422 and r.json()["field"] == "simulation.paths" and "最多可模拟" in r.json()["detail"]
    huge = _plan(legal_final_period=600, loans=[{**loan, "term_periods": 2} for loan in loans])
    r = client.post(URL, json={"plan": huge})
    assert r.status_code == 422 and r.json()["field"] == "plan" and "方案过大" in r.json()["detail"]


def test_the_command_line_allows_more_paths_than_the_api() -> None:
    plan = parse_plan(PLAN)
    assert check_paths(150_000, plan, CLI_LIMITS) == 150_000
    with pytest.raises(Invalid, match="最多 100,000 条"):
        check_paths(150_000, plan, API_LIMITS)


def test_a_user_without_the_grant_is_refused_and_a_stranger_must_log_in(app_client: TestClient) -> None:
    assert as_user(app_client, "auditor").post(URL, json={"plan": PLAN}).status_code == 403
    app_client.cookies.clear()
    app_client.headers.pop("X-CSRF-Token", None)
    assert app_client.post(URL, json={"plan": PLAN}).status_code in (401, 403)


# ---------------------------------------------------------------- the command line


def _run(tmp_path: Path, plan: Any, *args: str, scenario: Any = None) -> Any:
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(plan, ensure_ascii=False), encoding="utf-8")
    extra: list[str] = []
    if scenario is not None:
        (tmp_path / "scenario.json").write_text(json.dumps(scenario), encoding="utf-8")
        extra = ["--scenario", str(tmp_path / "scenario.json")]
    return CliRunner().invoke(app, ["finance", "run", str(path), *extra, *args])


def test_the_cli_prints_the_scenarios_waterfall_as_json_and_as_a_chinese_table(tmp_path: Path) -> None:
    result = _run(tmp_path, PLAN, "--json", scenario=DEFAULT_Q1)
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["simulation"] is None
    check_hand_computed_default(out["waterfall"])
    table = _run(tmp_path, PLAN, scenario=DEFAULT_Q1)
    assert table.exit_code == 0, table.output
    assert "现金流瀑布" in table.stdout and "各档证券" in table.stdout and "816.00" in table.stdout
    assert "4.0604%" in table.stdout  # A's IRR


def test_the_cli_simulates_reproducibly_with_a_seed(tmp_path: Path) -> None:
    first = _run(tmp_path, PLAN, "--paths", "1000", "--seed", "7", "--json")
    second = _run(tmp_path, PLAN, "--paths", "1000", "--seed", "7", "--json")
    assert first.exit_code == 0, first.output
    assert first.stdout == second.stdout and json.loads(first.stdout)["waterfall"] is None
    sim = json.loads(first.stdout)["simulation"]
    assert sim["seed"] == 7 and math.isfinite(sim["tranches"]["A"]["expected_loss"]["mean"])
    table = _run(tmp_path, PLAN, "--paths", "1000", "--seed", "7")
    assert table.exit_code == 0, table.output
    assert "蒙特卡洛模拟" in table.stdout and "随机种子 7" in table.stdout and "差额支付承诺人" in table.stdout


@pytest.mark.parametrize(("plan", "field"), [(p, f) for _, p, f in BAD_PLANS], ids=[n for n, _, _ in BAD_PLANS])
def test_the_cli_exits_2_naming_the_field_of_the_plan_file(tmp_path: Path, plan: Any, field: str) -> None:
    result = _run(tmp_path, plan, "--json")
    assert result.exit_code == 2, result.output
    assert CJK.search(result.stderr) and "Traceback" not in result.output and "方案文件" in result.stderr
    if field:
        assert f"字段 {field}" in result.stderr


def test_the_cli_names_a_bad_scenario_option_missing_file_or_broken_json(tmp_path: Path) -> None:
    result = _run(tmp_path, PLAN, scenario={"loan_defaults": {"L1": 3}})
    assert result.exit_code == 2 and "情景文件" in result.stderr and "字段 loan_defaults.L1" in result.stderr
    result = _run(tmp_path, PLAN, "--paths", "1")
    assert result.exit_code == 2 and "选项 --paths" in result.stderr
    result = _run(tmp_path, PLAN, "--seed", "3")
    assert result.exit_code == 2 and "选项 --seed" in result.stderr
    missing = CliRunner().invoke(app, ["finance", "run", str(tmp_path / "none.json")])
    assert missing.exit_code == 2 and "无法读取方案文件" in missing.stderr
    broken = tmp_path / "broken.json"
    broken.write_text('{"loans": ', encoding="utf-8")
    result = CliRunner().invoke(app, ["finance", "run", str(broken)])
    assert result.exit_code == 2 and "不是有效的 JSON" in result.stderr
