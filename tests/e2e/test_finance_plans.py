"""Stored securitization plans on the pages, through the API and on the command line: a plan made from the Changsha
seed's terms, its tranches and its twelve pooled loans (the pool table's totals and weighted averages, each tranche's
share), issued once (a second plan holding the same loans is refused, naming the loan and the plan); the API's plan
read back as the contract's JSON equals the seed plan and runs through ``POST /api/finance/run``; the command line
lists the plans and exports one that ``zhengwu finance run`` takes. Bad input is a 422 naming the field as the
contract names it, a stale version a 409, a plan of another unit 403 for a reader of every plan.

The loans are the seed plan's, stored by ``store_plan`` (12 disbursed loans of 凤凰县 summing to 135,000,000 元,
L01 15,000,000 元 at 30 % of its pledged value) with its draft plan ``P1``.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select, update
from typer.testing import CliRunner

from tests.conftest import PASSWORD, api_login, csrf, login
from tests.support.finance_records import store_plan
from zhengwu.cli import app
from zhengwu.core.db import Actor, Database
from zhengwu.finance.model.seed_plan import seed_plan
from zhengwu.finance.people import seed_people
from zhengwu.finance.service.plans import seed_terms
from zhengwu.finance.tables import Plan, PledgeLoan
from zhengwu.finance.views.plans import form_of

CJK = re.compile(r"[\u4e00-\u9fff]")
API = "/api/v1/finance/plans"


def _loan_ids(db: Database) -> list[int]:
    with db.reading() as s:
        return list(s.scalars(select(PledgeLoan.id).order_by(PledgeLoan.code)))


def _tranche_form(version: int, rows: list[tuple[str, str, str, str]]) -> dict[str, Any]:
    form: dict[str, Any] = {"version": str(version)}
    for k, (code, name, balance, coupon) in enumerate(rows):
        form.update({f"tranches[{k}].code": code, f"tranches[{k}].name": name,
                     f"tranches[{k}].balance": balance, f"tranches[{k}].coupon": coupon})  # fmt: skip
    return form


def _version(db: Database, plan_id: int) -> int:
    with db.reading() as s:
        return s.scalars(select(Plan.version).where(Plan.id == plan_id)).one()


def test_a_plan_made_on_the_pages_shows_its_pool_and_tranches_and_its_loans_are_issued_only_once(
    app_client: TestClient, db: Database
) -> None:
    first = store_plan(db)  # P1, a draft holding the twelve loans
    c = login(app_client, "admin")
    token = csrf(c)

    def send(url: str, data: dict[str, Any]) -> Any:
        return c.post(url, data={**data, "csrf_token": token}, follow_redirects=False)

    sample = c.get("/finance/plans/new?sample=1")
    assert sample.status_code == 200 and 'value="2023-07-01"' in sample.text
    assert "湖南湘江新区发展集团有限公司" in sample.text
    form = form_of(seed_terms()[0])
    bad = send("/finance/plans/new", {**form, "correlation": "1"})
    assert bad.status_code == 422 and "相关系数须在 [0, 1) 之间，现为 1。" in bad.text
    bad = send("/finance/plans/new", {**form, "guarantor.pd_annual": "100"})
    assert bad.status_code == 422 and "（字段：guarantor.pd_annual）" in bad.text and "不含 100%" in bad.text
    made = send("/finance/plans/new", form)
    assert made.status_code == 303, made.text
    page_url = made.headers["location"].split("?")[0]
    plan_id = int(page_url.rsplit("/", 1)[1])
    assert "尚未选择入池贷款" in c.get(page_url).text

    # tranches: the senior's coupon in %, the residual's empty; a bad row is named by its row on the form
    rows = [("A", "优先级资产支持证券", "128,000,000", "2.95"), ("B", "次级资产支持证券", "7000000", "")]
    bad = send(f"{page_url}/tranches", _tranche_form(1, [rows[0], ("B", "次级", "-1", "")]))
    assert bad.status_code == 422 and "（字段：tranches[1].balance）" in bad.text
    bad = send(f"{page_url}/tranches", _tranche_form(1, [("A", "优先级", "1", ""), rows[1]]))
    assert bad.status_code == 422 and "只有最后一档（次级）的票面利率可以为空" in bad.text
    saved = send(f"{page_url}/tranches", _tranche_form(1, rows))
    assert saved.status_code == 303, saved.text
    stale = send(f"{page_url}/tranches", _tranche_form(1, rows))
    assert stale.status_code == 409 and "已被他人修改" in stale.text

    # the loan picker: running totals of the ticked loans without saving, then saved
    loans = _loan_ids(db)
    picker = c.get(f"{page_url}/loans")
    assert picker.status_code == 200 and picker.text.count('name="loan"') == 12
    version = _version(db, plan_id)
    preview = send(f"{page_url}/loans", {"loan": loans[:2], "preview": "1", "version": version})
    assert preview.status_code == 200 and "已选 <strong>2</strong> 笔" in preview.text
    assert "本金合计 <strong>25,000,000.00</strong>" in preview.text and "超过所选资产池" in preview.text
    saved = send(f"{page_url}/loans", {"loan": loans, "version": version})
    assert saved.status_code == 303 and "12" in saved.headers["location"]

    page = c.get(page_url).text
    assert "资产池（12 笔贷款）" in page and "135,000,000.00" in page and "15,000,000.00" in page
    assert "30.00%" in page  # L01's pledge rate
    assert "94.81%" in page and "5.19%" in page  # each tranche's share of the pool
    assert "24 个月（8 期）" in page and "到期一次还本" in page and "等额本息" in page
    for link in ("waterfall", "simulation", "sizing", "report.docx", "contract.json"):
        assert f'href="{page_url}/{link}"' in page
    listed = c.get("/finance/plans").text
    assert "XZYR-2023" in listed and "12 笔" in listed and "2 档，合计 135,000,000.00" in listed

    contract = c.get(f"{page_url}/contract.json")
    assert contract.status_code == 200 and "attachment" in contract.headers["content-disposition"]
    assert contract.json() == seed_plan()

    issued = send(f"{page_url}/issue", {"version": _version(db, plan_id)})
    assert issued.status_code == 303, issued.text
    assert "已发行" in c.get(page_url).text and c.get(f"{page_url}/edit").status_code == 409
    again = send(f"/finance/plans/{first}/issue", {"version": _version(db, first)})
    assert again.status_code == 409 and "贷款 L01 已在已发行的方案 XZYR-2023 中" in again.text
    gone = send(f"/finance/plans/{first}/delete", {"version": _version(db, first)})
    assert gone.status_code == 303 and "P1" not in c.get("/finance/plans").text
    assert len(_loan_ids(db)) == 12  # deleting a plan leaves its loans


def test_the_api_keeps_a_plan_whose_contract_is_the_seed_plan_and_runs_through_the_calculator(
    app_client: TestClient, db: Database
) -> None:
    store_plan(db, manager="fh")
    with db.uow(Actor(None, "测试数据")) as uow:
        seed_people(uow, PASSWORD)
        uow.commit()
    c = api_login(app_client, "admin")
    terms, tranches = seed_terms()
    made = c.post(API, json={**terms, "code": "API-1"})
    assert made.status_code == 201, made.text
    plan = made.json()
    assert plan["status"] == "draft" and plan["guarantor"]["cap"] is None and plan["loans"] == []
    url = f"{API}/{plan['id']}"

    bad_bodies: list[tuple[str, Any, str]] = [
        ("put", {**terms, "correlation": 1, "version": 1}, "correlation"),
        ("put", {**terms, "recovery": {"rate_of_pledged_value": 0.1, "lag_periods": -1}, "version": 1},
         "recovery.lag_periods"),
        ("put", {**terms, "guarantor": {**terms["guarantor"], "cap": "12.345"}, "version": 1}, "guarantor.cap"),
        ("put", {**terms, "periods_per_year": 3, "version": 1}, "periods_per_year"),
        ("put", {**terms, "shortfall_provider": {**terms["shortfall_provider"], "covers": ["all"]}, "version": 1},
         "shortfall_provider.covers"),
        ("put", {**terms, "version": 1, "rate": 0.1}, "rate"),
        ("put", terms, "version"),
        ("put", [terms], "body"),
        ("put_tranches", {"version": 1, "tranches": [{**tranches[0], "coupon": None}, tranches[1]]},
         "tranches[0].coupon"),
        ("put_tranches", {"version": 1, "tranches": [tranches[0], {**tranches[1], "balance": 0}]},
         "tranches[1].balance"),
        ("put_tranches", {"version": 1, "tranches": [tranches[0], tranches[0]]}, "tranches"),
        ("put_loans", {"version": 1, "loans": [1, "2"]}, "loans[1]"),
        ("put_loans", {"version": 1, "loans": [2**31]}, "loans[0]"),
    ]  # fmt: skip
    for how, body, field in bad_bodies:
        target = {"put": url, "put_tranches": f"{url}/tranches", "put_loans": f"{url}/loans"}[how]
        r = c.put(target, json=body)
        assert r.status_code == 422, (field, r.text)
        assert r.json().get("field") == field and CJK.search(r.json()["detail"]), (field, r.json())
    assert (
        c.put(url, json={**terms, "correlation": 1, "version": 1}).json()["detail"]
        == "相关系数须在 [0, 1) 之间，现为 1。"
    )
    assert c.post(API, json={**terms, "code": "API-1"}).json()["field"] == "code"  # unique in the unit

    r = c.put(f"{url}/tranches", json={"version": 1, "tranches": tranches})
    assert r.status_code == 200 and [t["balance"] for t in r.json()["tranches"]] == ["128000000.00", "7000000.00"]
    assert c.put(f"{url}/tranches", json={"version": 1, "tranches": tranches}).status_code == 409
    loans = _loan_ids(db)
    with db.uow(Actor(None, "测试数据")) as uow:  # L12 lasts 13 months: not whole quarters
        uow.session.execute(update(PledgeLoan).where(PledgeLoan.id == loans[11]).values(term_months=13))
        uow.commit()
    r = c.put(f"{url}/loans", json={"version": 2, "loans": loans})
    assert r.status_code == 422 and r.json()["field"] == "loans[11]" and "贷款 L12 的期限 13 个月" in r.json()["detail"]
    r = c.put(f"{url}/loans", json={"version": 2, "loans": loans[:11]})
    assert r.status_code == 200 and r.json()["pool_principal"] == "128000000.00" and r.json()["version"] == 3
    r = c.put(url, json={**terms, "code": "API-1", "legal_final_period": 6, "version": 3})
    assert r.status_code == 422 and r.json()["field"] == "legal_final_period" and "超过法定到期期数 6 期" in r.text

    # the tranches now exceed the eleven loans: stored, but the engine refuses the plan when it runs or is issued
    contract = c.get(f"{url}/contract")
    assert contract.status_code == 200 and len(contract.json()["loans"]) == 11
    run = c.post("/api/finance/run", json={"plan": contract.json()})
    assert run.status_code == 422 and run.json()["field"] == "plan.tranches"
    r = c.post(f"{url}/issue", json={"version": 3})
    assert r.status_code == 422 and r.json()["field"] == "tranches" and "证券分层大于资产池" in r.json()["detail"]
    with db.uow(Actor(None, "测试数据")) as uow:
        uow.session.execute(update(PledgeLoan).where(PledgeLoan.id == loans[11]).values(term_months=24))
        uow.commit()
    assert c.put(f"{url}/loans", json={"version": 3, "loans": loans}).json()["version"] == 4
    contract = c.get(f"{url}/contract")
    assert contract.json() == seed_plan()
    run = c.post("/api/finance/run", json={"plan": contract.json(), "scenario": {"loan_defaults": {"L03": 3}}})
    assert run.status_code == 200, run.text
    assert run.json()["waterfall"]["periods"][2]["defaults"] > 14_000_000  # L03's claim: its balance and interest

    # a plan manager reads every plan but structures only those of its own unit
    manager = api_login(app_client, "cs_abs")
    codes = {p["code"] for p in manager.get(API).json()}
    assert {"P1", "API-1"} <= codes
    assert manager.put(url, json={**terms, "version": 4}).status_code == 403
    own = manager.post(API, json={**terms, "code": "CS-1"})
    assert own.status_code == 201 and own.json()["unit_id"] != plan["unit_id"]

    c = api_login(app_client, "admin")
    assert c.post(f"{url}/issue", json={"version": 4}).status_code == 200
    assert c.delete(f"{url}?version=5").status_code == 409  # issued: no longer deleted
    assert [p["code"] for p in c.get(f"{API}?status=issued").json()] == ["API-1"]
    assert c.get(f"{API}?status=other").status_code == 422


def test_the_command_line_lists_the_plans_and_exports_one_that_finance_run_takes(
    tmp_path: Path, db_url: str, db: Database
) -> None:
    store_plan(db)
    env = {"ZHENGWU_DATABASE_URL": db_url}
    runner = CliRunner()
    listed = runner.invoke(app, ["finance", "plans", "list"], env=env)
    assert listed.exit_code == 0, listed.output
    assert "P1" in listed.output and "135,000,000.00" in listed.output and "设计中" in listed.output
    out = tmp_path / "plan.json"
    exported = runner.invoke(app, ["finance", "plans", "export", "P1", "--out", str(out)], env=env)
    assert exported.exit_code == 0 and "已导出方案 P1" in exported.output
    assert json.loads(out.read_text(encoding="utf-8")) == seed_plan()
    ran = runner.invoke(app, ["finance", "run", str(out), "--json"], env=env)
    assert ran.exit_code == 0, ran.output
    assert json.loads(ran.stdout)["waterfall"]["tranches"]["A"]["loss"] == 0
    missing = runner.invoke(app, ["finance", "plans", "export", "P9"], env=env)
    assert missing.exit_code == 2 and "没有代码为“P9”的方案" in missing.stderr
    bad = runner.invoke(app, ["finance", "plans", "list", "--status", "open"], env=env)
    assert bad.exit_code == 2 and "选项 --status" in bad.stderr
