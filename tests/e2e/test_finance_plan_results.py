"""A stored plan's results in the browser and through the API: the Changsha seed plan's waterfall page shows the pure
engine's figures (compared with ``run_waterfall`` on ``parse_stored``, not with copies), a scenario default changes
them, the simulation and sizing pages show the engine's estimates for the seed they state, the API run equals
``POST /api/finance/run`` on the exported contract, the Word report opens with python-docx holding the pool table
and the tranche figures, bad input is a 422 naming the field, and an outsider (another county, no ALL scope) gets
404. Nothing here writes: every result is computed from the stored records when asked."""

from __future__ import annotations

import io
import re
from typing import Any

import docx
import numpy as np
from fastapi.testclient import TestClient

from tests.conftest import PASSWORD, api_login, login
from tests.support.finance_records import store_plan
from tests.support.people import add_users
from zhengwu.core.db import Actor, Database
from zhengwu.finance.model import VIEW
from zhengwu.finance.model.plan import Plan as EnginePlan
from zhengwu.finance.model.plan import parse_scenario
from zhengwu.finance.model.seed_plan import seed_plan
from zhengwu.finance.model.simulation import simulate
from zhengwu.finance.model.sizing import size_senior
from zhengwu.finance.model.waterfall import WaterfallResult, defaults_from_scenario, run_waterfall
from zhengwu.finance.service.plan_contract import parse_stored, plan_contract
from zhengwu.finance.tables import Plan

ROW = re.compile(r"<tr><td>(\d+)</td><td>(\d{4}-\d\d-\d\d)</td>(.*?)</tr>", re.S)
CELL = re.compile(r"<td>(.*?)</td>", re.S)


def money(value: float) -> str:
    text = f"{value:,.2f}"
    return "0.00" if text == "-0.00" else text


def engine(db: Database, plan_id: int) -> tuple[EnginePlan, dict[str, Any]]:
    with db.reading() as s:
        record = s.get(Plan, plan_id)
        assert record is not None
        return parse_stored(s, record), plan_contract(s, record)


def waterfall_of(plan: EnginePlan, scenario: dict[str, Any]) -> WaterfallResult:
    return run_waterfall(plan, defaults_from_scenario(plan, parse_scenario(scenario, plan)))


def expected_rows(plan: EnginePlan, r: WaterfallResult) -> list[list[str]]:
    rows = []
    for c in range(plan.legal_final_period):
        pool = [r.collections, r.defaults, r.guarantor_paid, r.recoveries, r.fees, r.provider_draw]
        cells = [money(a[0, c]) for a in pool]
        for k in range(len(plan.tranches)):
            cells += [money(r.interest[0, k, c]), money(r.principal[0, k, c]), money(r.balance[0, k, c])]
        rows.append([*cells, money(r.residual[0, c])])
    return rows


def shown_rows(html: str) -> list[list[str]]:
    return [CELL.findall(rest) for _, _, rest in ROW.findall(html)]


def test_the_seed_plans_waterfall_page_shows_the_engines_figures_and_a_scenario_default_changes_them(
    app_client: TestClient, db: Database
) -> None:
    plan_id = store_plan(db)
    plan, _ = engine(db, plan_id)
    c = login(app_client, "admin")
    url = f"/finance/plans/{plan_id}/waterfall"
    page = c.get(url)
    assert page.status_code == 200, page.text
    quiet = waterfall_of(plan, {})
    assert shown_rows(page.text) == expected_rows(plan, quiet)
    assert [d for _, d, _ in ROW.findall(page.text)][:2] == ["2023-10-01", "2024-01-01"]  # quarters from 2023-07-01
    assert f"<th>{money(quiet.collections.sum())}</th>" in page.text  # the totals row
    for k, tranche in enumerate(plan.tranches):
        assert f"<td>{quiet.wal_years[0, k]:.4f}</td><td>{quiet.irr[0, k] * 100:.4f}%</td>" in page.text, tranche.id
    assert page.text.count("<polyline") == 2 and "各档证券余额（万元）" in page.text

    hit = c.get(url, params={"loan_defaults.L03": "3", "guarantor_default_period": "2"})
    assert hit.status_code == 200 and 'value="3"' in hit.text
    scenario = waterfall_of(plan, {"loan_defaults": {"L03": 3}, "guarantor_default_period": 2})
    rows = shown_rows(hit.text)
    assert rows == expected_rows(plan, scenario) and rows != expected_rows(plan, quiet)
    assert rows[2][1] == money(scenario.defaults[0, 2]) != "0.00"  # L03's claim in period 3, unpaid by the guarantor
    assert f"<td>{money(scenario.loss[0, 1])}</td>" in hit.text and scenario.loss[0, 1] > 0  # the subordinated loses

    for params, field, message in [
        ({"loan_defaults.L03": "9"}, "loan_defaults.L03", "违约期须在第 1 至 8 期之间，现为 9。"),
        ({"guarantor_default_period": "第二期"}, "guarantor_default_period", "违约期须为整数（第几期）。"),
    ]:
        bad = c.get(url, params=params)
        assert bad.status_code == 422 and f"（字段：{field}）" in bad.text and message in bad.text, bad.text[:300]
        assert '<span class="field-error" role="alert">' in bad.text and "逐期现金流" not in bad.text


def test_the_api_run_equals_the_calculator_on_the_exported_contract(app_client: TestClient, db: Database) -> None:
    plan_id = store_plan(db)
    plan, contract = engine(db, plan_id)
    c = api_login(app_client, "admin")
    url = f"/api/v1/finance/plans/{plan_id}/run"
    body = {"scenario": {"loan_defaults": {"L03": 3}}, "simulation": {"paths": 2_000, "seed": 2026}}
    ours = c.post(url, json=body)
    assert ours.status_code == 200, ours.text
    assert ours.json() == c.post("/api/finance/run", json={"plan": contract, **body}).json()
    assert ours.json()["simulation"]["seed"] == 2026 and set(ours.json()["simulation"]["loss_distribution"]) == {
        "A",
        "B",
    }
    quiet = c.post(url, json={}).json()
    assert quiet["simulation"] is None
    assert quiet["waterfall"] == c.post("/api/finance/run", json={"plan": contract}).json()["waterfall"]
    drawn = c.post(url, json={"simulation": {"paths": 200}}).json()["simulation"]
    again = c.post(url, json={"simulation": {"paths": 200, "seed": drawn["seed"]}}).json()["simulation"]
    assert drawn == again  # a drawn seed is reported and repeats the run

    for bad, field in [
        ({"scenario": {"loan_defaults": {"L99": 1}}}, "scenario.loan_defaults.L99"),
        ({"simulation": {"paths": 1}}, "simulation.paths"),
        ({"plan": contract}, "plan"),  # the plan is the stored one: a body cannot bring its own
        ([1, 2], "body"),
    ]:
        r = c.post(url, json=bad)
        assert r.status_code == 422 and r.json()["field"] == field, (bad, r.text)

    sizing = c.post(f"/api/v1/finance/plans/{plan_id}/sizing", json={"target": 0.001, "paths": 500, "seed": 3})
    assert sizing.status_code == 200, sizing.text
    found = size_senior(plan, 0.001, np.random.default_rng(3), n_paths=500)
    assert sizing.json()["sizing"]["balance"] == found.balance and sizing.json()["seed"] == 3
    assert sizing.json()["breakeven"]["plan_pd"] == sum(x.principal * x.pd_annual for x in plan.loans) / 135_000_000
    bad = c.post(f"/api/v1/finance/plans/{plan_id}/sizing", json={"target": 0.001, "metric": "AAA"})
    assert bad.status_code == 422 and bad.json()["field"] == "metric" and "预期损失率" in bad.json()["detail"]


def test_the_simulation_and_sizing_pages_show_the_engines_estimates_for_the_seed_they_state(
    app_client: TestClient, db: Database
) -> None:
    plan_id = store_plan(db)
    plan, _ = engine(db, plan_id)
    c = login(app_client, "admin")
    url = f"/finance/plans/{plan_id}/simulation"
    page = c.get(url, params={"paths": "2000", "seed": "7"})
    assert page.status_code == 200, page.text
    result = simulate(plan, 2_000, np.random.default_rng(7))
    assert "2,000 条路径，随机种子 7" in page.text
    for t in result.tranches:
        loss = f"{money(t.expected_loss.mean)} ± {money(t.expected_loss.se)}"
        wal = f"{t.wal_years.mean:.4f} ± {t.wal_years.se:.4f}"
        assert loss in page.text and wal in page.text, t.id
    assert f"{result.default_count.mean:.4f} ± {result.default_count.se:.4f}" in page.text
    assert page.text.count("<svg") >= 2 and "每条路径违约贷款笔数的分布" in page.text

    drawn = c.get(url, params={"paths": "500"})
    seed = re.search(r"随机种子 (\d+)", drawn.text)
    assert drawn.status_code == 200 and seed is not None
    repeat = c.get(url, params={"paths": "500", "seed": seed.group(1)})
    section = re.compile(r"<h2>各档证券.*?</table>", re.S)
    assert section.findall(repeat.text) == section.findall(drawn.text)  # the seed shown repeats the run

    bad = c.get(url, params={"paths": "1"})
    assert bad.status_code == 422 and "模拟路径数须为不小于 2 的整数" in bad.text and "（字段：paths）" in bad.text

    risky = seed_plan()
    risky["shortfall_provider"], risky["guarantor"]["pd_annual"] = None, 0.3
    risky_id = store_plan(db, risky, bank="fh-gl", code="P2")
    risky_plan, _ = engine(db, risky_id)
    sizing_url = f"/finance/plans/{risky_id}/sizing"
    assert "求解" in c.get(sizing_url).text  # the form alone until asked
    sized = c.get(sizing_url, params={"target": "0.05", "paths": "1000", "seed": "3", "threshold": "1"})
    assert sized.status_code == 200, sized.text
    found = size_senior(risky_plan, 0.0005, np.random.default_rng(3), n_paths=1_000)
    assert f"优先级本金最多为 <strong>{money(found.balance)} 元</strong>" in sized.text
    assert found.next_balance is not None and money(found.next_balance) in sized.text
    assert "盈亏平衡违约概率" in sized.text and "倍" in sized.text
    wrong = c.get(sizing_url, params={"target": "百分之一"})
    assert wrong.status_code == 422 and "（字段：target）" in wrong.text and "百分数" in wrong.text


def test_the_report_opens_with_python_docx_and_holds_the_pool_table_and_the_tranche_figures(
    app_client: TestClient, db: Database
) -> None:
    plan_id = store_plan(db)
    plan, _ = engine(db, plan_id)
    c = api_login(app_client, "admin")
    r = c.get(f"/finance/plans/{plan_id}/report.docx", params={"paths": "1000", "seed": "11"})
    assert r.status_code == 200 and "attachment" in r.headers["content-disposition"]
    document = docx.Document(io.BytesIO(r.content))
    tables = [[[cell.text for cell in row.cells] for row in t.rows] for t in document.tables]
    text = "\n".join(p.text for p in document.paragraphs)
    pool = next(t for t in tables if t[0][:2] == ["编号", "借款人"])
    assert [row[0] for row in pool[1:]] == [loan.id for loan in plan.loans] + ["合计"]
    assert pool[-1][2] == "135,000,000.00" and pool[1][1] == plan.loans[0].borrower
    quiet = waterfall_of(plan, {})
    metrics = next(t for t in tables if t[0][:3] == ["编号", "名称", "损失（元）"])
    assert [row[3] for row in metrics[1:]] == [f"{quiet.wal_years[0, k]:.4f}" for k in range(2)]
    tranches = next(t for t in tables if t[0][0] == "清偿顺序")
    assert tranches[1][3] == "128,000,000.00" and tranches[2][3] == "7,000,000.00"
    assert "抽取 1,000 条违约路径，随机种子 11" in text and "本报告未测算优先级规模" in text

    api = c.get(
        f"/api/v1/finance/plans/{plan_id}/report.docx",
        params={"paths": "500", "seed": "5", "target": "0.001", "sizing_paths": "500"},
    )
    assert api.status_code == 200
    sized = "\n".join(p.text for p in docx.Document(io.BytesIO(api.content)).paragraphs)
    assert "500 条违约路径上（随机种子 5）" in sized and "最大优先级本金为" in sized
    bad = c.get(f"/api/v1/finance/plans/{plan_id}/report.docx", params={"paths": "三万"})
    assert bad.status_code == 422 and bad.json()["field"] == "paths"


def test_an_outsider_gets_404_and_a_plan_that_cannot_run_says_why(app_client: TestClient, db: Database) -> None:
    plan_id = store_plan(db)
    unfinished = store_plan(db, {**seed_plan(), "tranches": []}, bank="fh-gl", code="P0")
    with db.uow(Actor(None, "测试数据")) as uow:
        add_users(uow, {"view_js": ("js", [(VIEW, "subtree")]), "view_fh": ("fh", [(VIEW, "subtree")])}, PASSWORD, "r_")
        uow.commit()
    c = api_login(app_client, "view_js")
    for path in ("waterfall", "simulation", "sizing", "report.docx"):
        assert c.get(f"/finance/plans/{plan_id}/{path}").status_code == 404, path
    assert c.post(f"/api/v1/finance/plans/{plan_id}/run", json={}).status_code == 404
    assert c.post(f"/api/v1/finance/plans/{plan_id}/sizing", json={"target": 0.01}).status_code == 404
    assert c.get(f"/api/v1/finance/plans/{plan_id}/report.docx").status_code == 404

    c = api_login(app_client, "view_fh")  # finance.view alone (no structuring) reads the results
    assert c.post(f"/api/v1/finance/plans/{plan_id}/run", json={}).status_code == 200
    page = c.get(f"/finance/plans/{unfinished}/waterfall")
    assert page.status_code == 200 and "方案尚不能测算：方案尚未设置证券分层。" in page.text
    r = c.post(f"/api/v1/finance/plans/{unfinished}/run", json={})
    assert r.status_code == 422 and r.json()["field"] == "tranches"
