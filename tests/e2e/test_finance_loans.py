"""Pledge loans in the browser, through the API and on the command line: a bank clerk records an application with
rates in %, pledges patents, sees the pledge rate against the ceiling and the repayment schedule, and takes the loan
through approval, disbursement, default (the risk pool's sharing of the loss) and disposal; the list shows totals by
status and exports to Excel, which imports again; bad input is a 422 naming the field (or exit status 2), a stale
version or a closed step a 409 — never a 500.

Ceilings: the shipped 30 % for every type and 40 % for inventions (the test's); rule ``hunan-2023`` (45 / 45 / 10 %,
per-firm cap 500万元). The clock stands at 2024-06-20.
"""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import func, select
from typer.testing import CliRunner

from tests.conftest import PASSWORD, api_login, csrf, login
from tests.support.walk_cases.finance_loans import add_borrower, add_loan, add_reference
from zhengwu.cli import app
from zhengwu.core.db import Actor, Database
from zhengwu.finance.people import seed_people
from zhengwu.finance.tables import LossAllocation, PledgeLoan

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORM: dict[str, str] = {
    "code": "CS-2024-001", "principal": "3,000,000", "annual_rate": "4.35", "term_months": "24",
    "payments_per_year": "4", "amortization": "bullet", "pd_annual": "2", "guarantor": "湖南省融资担保集团",
    "guarantee_coverage": "80", "applied_on": "2024-01-05", "note": "",
}  # fmt: skip


@pytest.fixture
def world(db: Database) -> dict[str, Any]:
    with db.uow(Actor(None, "测试数据")) as uow:
        seed_people(uow, PASSWORD)
        uow.commit()
    rules = add_reference(db)
    return {"rule": rules["R45"], "borrower": add_borrower(db, "cs-bank", "长沙智能装备有限公司", 1)}


def clerk(client: TestClient) -> TestClient:
    login(client, "cs_loan")
    client.headers["X-CSRF-Token"] = csrf(client)
    return client


def test_a_clerk_takes_a_loan_from_application_to_disposal_on_the_pages(
    app_client: TestClient, db: Database, world: dict[str, Any]
) -> None:
    c = clerk(app_client)
    form = {**FORM, "borrower_id": str(world["borrower"]), "risk_pool_rule_id": str(world["rule"])}
    assert "长沙智能装备有限公司" in c.get("/finance/loans/new").text
    bad = c.post("/finance/loans/new", data={**form, "term_months": "13"})
    assert bad.status_code == 422 and "不是还款间隔 3 个月的整数倍" in bad.text and "term_months" in bad.text
    made = c.post("/finance/loans/new", data=form, follow_redirects=False)
    assert made.status_code == 303, made.text
    url = made.headers["location"].split("?")[0]
    page = c.get(url).text
    assert "已申请" in page and "3,000,000.00 元" in page and "4.35%" in page and "尚未登记质押专利" in page
    # 3,000,000 × 4.35 % ÷ 4 = 32,625 of interest each quarter (7 payments of interest only, then principal too)
    assert page.count("<td>32,625.00</td>") == 15 and "<td>3,032,625.00</td>" in page

    patent = {"patent_number": "ZL202010000001.1", "title": "一种智能掘进机", "patent_type": "invention",
              "appraised_value": "10,000,000", "valuer": "湘评资产评估", "valued_on": "2023-12-20"}  # fmt: skip
    assert c.post(url + "/patents", data={**patent, "version": "1"}, follow_redirects=False).status_code == 303
    page = c.get(url).text
    assert "质押率 <strong>30.00%</strong>，上限 <strong>40.00%</strong>" in page and "未超过上限" in page
    stale = c.post(url + "/steps/approve", data={"approved_on": "2024-01-10", "version": "1"})
    assert stale.status_code == 409 and "第 1 版" in stale.text
    early = c.post(url + "/steps/approve", data={"approved_on": "2024-01-04", "version": "2"})
    assert early.status_code == 422 and "早于申请日期" in early.text
    for step, data in (
        ("approve", {"approved_on": "2024-01-10"}),
        ("disburse", {"disbursed_on": "2024-01-15", "registration_no": "Y2024430000123",
                      "registration_date": "2024-01-12"}),
        ("default", {"closed_on": "2024-05-01"}),
        ("dispose", {"disposed_on": "2024-06-10", "disposal_proceeds": "1032625"}),
    ):  # fmt: skip
        version = c.get("/api/v1/finance/loans/" + url.rsplit("/", 1)[1]).json()["version"]
        done = c.post(f"{url}/steps/{step}", data={**data, "version": str(version)}, follow_redirects=False)
        assert done.status_code == 303, (step, done.text[:2000])
    page = c.get(url).text
    assert "已处置" in page and "2026-01-15" in page and "Y2024430000123" in page
    # default: exposure 3,000,000 + one quarter's 32,625 (1 payment made by 2024-05-01); disposal leaves 2,000,000
    assert "3,032,625.00" in page and "1,364,681.25" in page and "2,000,000.00" in page and "900,000.00" in page
    assert [s in page for s in ("已申请", "已审批", "已放款", "已违约", "已处置")] == [True] * 5
    assert "修改申请" not in page and "/steps/" not in page
    assert "条款不能再修改" in c.get(url + "/edit").text

    listed = c.get("/finance/loans?status=disposed&borrower=智能装备").text
    assert "CS-2024-001" in listed and "<td>3,000,000.00</td>" in listed
    assert "CS-2024-001" not in c.get("/finance/loans?status=applied").text
    assert c.get("/finance/loans?status=lost").status_code == 422
    export = c.get("/finance/loans/export.xlsx")
    rows = list(load_workbook(io.BytesIO(export.content)).active.iter_rows(values_only=True))
    assert rows[0][:3] == ("贷款编号", "借款企业", "贷款本金（元）") and rows[1][:4] == (
        "CS-2024-001", "91430100MA4L00011K", 3000000, 4.35)  # fmt: skip
    assert rows[1][13] == "已处置" and rows[1][-1] == 30
    rows = [list(r) for r in rows]
    rows[1][0] = "CS-2024-002"  # the export imports again as a new application
    again = io.BytesIO()
    from openpyxl import Workbook

    wb = Workbook()
    for r in rows:
        wb.active.append(r)
    wb.save(again)
    imported = c.post(
        "/finance/loans/import", files={"file": ("l.xlsx", again.getvalue(), XLSX)}, follow_redirects=False
    )
    assert imported.status_code == 303, imported.text[:3000]
    with db.reading() as s:
        assert s.scalar(select(PledgeLoan.status).where(PledgeLoan.code == "CS-2024-002")) == "applied"
        assert s.scalar(select(func.count()).select_from(LossAllocation)) == 2


def test_the_api_answers_the_loan_with_its_schedule_pledge_events_and_refuses_bad_input(
    app_client: TestClient, db: Database, world: dict[str, Any]
) -> None:
    c = api_login(app_client, "cs_loan")
    body = {**FORM, "principal": "3000000.00", "annual_rate": 0.0435, "term_months": 24, "payments_per_year": 4,
            "pd_annual": 0.02, "guarantee_coverage": 0.8, "borrower_id": world["borrower"],
            "risk_pool_rule_id": None}  # fmt: skip
    bad = c.post("/api/v1/finance/loans", json={**body, "principal": "1.005"})
    assert bad.status_code == 422 and bad.json()["field"] == "principal"
    assert c.post("/api/v1/finance/loans", json={**body, "pd_annual": 1}).json()["field"] == "pd_annual"
    made = c.post("/api/v1/finance/loans", json=body)
    assert made.status_code == 201, made.text
    loan = made.json()
    assert (loan["status"], loan["principal"], loan["steps"]) == ("applied", "3000000.00", ["approve", "decline"])
    lid = loan["id"]
    patent = {"patent_number": "ZL1", "title": "甲", "patent_type": "utility", "appraised_value": 9000000,
              "valuer": "湘评", "valued_on": "2024-01-02", "version": 1}  # fmt: skip
    added = c.post(f"/api/v1/finance/loans/{lid}/patents", json=patent)
    assert added.status_code == 201 and added.json()["pledge"]["pledge_rate"] == pytest.approx(1 / 3)
    over = c.post(f"/api/v1/finance/loans/{lid}/approve", json={"approved_on": "2024-01-10", "version": 2})
    assert over.status_code == 422 and over.json()["field"] == "principal" and "33.33%" in over.json()["detail"]
    gone = c.delete(f"/api/v1/finance/loans/{lid}/patents/{added.json()['patents'][0]['id']}?version=2")
    assert gone.status_code == 204
    c.post(f"/api/v1/finance/loans/{lid}/patents", json={**patent, "appraised_value": "10000000", "version": 3})
    edited = c.put(f"/api/v1/finance/loans/{lid}", json={**body, "note": "补充", "version": 4})
    assert edited.status_code == 200 and edited.json()["version"] == 5
    assert c.put(f"/api/v1/finance/loans/{lid}", json={**body, "version": 4}).status_code == 409
    closed = c.post(f"/api/v1/finance/loans/{lid}/repay", json={"closed_on": "2024-06-01", "version": 5})
    assert closed.status_code == 409 and "“已申请”，不能改为“已结清”" in closed.json()["detail"]
    ok = c.post(f"/api/v1/finance/loans/{lid}/approve", json={"approved_on": "2024-01-10", "version": 5})
    assert ok.status_code == 200 and ok.json()["steps"] == ["decline", "disburse"]
    d = c.post(f"/api/v1/finance/loans/{lid}/disburse", json={"disbursed_on": "2024-01-31", "version": 6,
               "registration_no": "Y1", "registration_date": "2024-01-20"}).json()  # fmt: skip
    assert d["maturity_date"] == "2026-01-31" and d["schedule"][0] == {
        "period": 1, "date": "2024-04-30", "payment": "32625.00", "interest": "32625.00", "principal": "0.00",
        "balance": "3000000.00"}  # fmt: skip
    assert [e["label"] for e in d["events"]] == ["已申请", "已审批", "已放款"]
    listed = c.get("/api/v1/finance/loans?status=disbursed").json()
    assert [x["code"] for x in listed["loans"]] == ["CS-2024-001"]
    assert {t["status"]: (t["count"], t["principal"]) for t in listed["totals"]}["disbursed"] == (1, "3000000.00")

    other = add_loan(db, "fh", add_borrower(db, "fh", "凤凰县某公司", 3), "FH-1", "applied")
    assert c.get(f"/api/v1/finance/loans/{other}").status_code == 404  # another bank's loan is not found
    assert c.get("/api/v1/finance/loans?status=lost").status_code == 422
    bureau = api_login(app_client, "cs_ip_fin")
    assert bureau.get(f"/api/v1/finance/loans/{other}").status_code == 200
    refused = bureau.post(f"/api/v1/finance/loans/{lid}/repay", json={"closed_on": "2024-06-01", "version": 7})
    assert refused.status_code == 403


def test_the_import_checks_every_row_first_and_the_command_line_lists_exports_and_imports(
    app_client: TestClient, db: Database, db_url: str, tmp_path: Path, world: dict[str, Any]
) -> None:
    c = clerk(app_client)
    header = "贷款编号,借款企业,贷款本金（元）,年利率（%）,期限（月）,还款方式,年违约概率（%）,风险补偿规则,申请日期\n"
    rows = (
        "A1,91430100MA4L00011K,1000000,4.2,12,等额本息,2,hunan-2023,2024-03-01\n"
        "A2,不存在的公司,-5,4.2,12,分期,2,,2024-03-01\n"
    )
    refused = c.post("/finance/loans/import", files={"file": ("l.csv", (header + rows).encode(), "text/csv")})
    assert refused.status_code == 422
    for cell in ("<td>3</td><td>借款企业</td>", "<td>3</td><td>贷款本金（元）</td>", "<td>3</td><td>还款方式</td>"):
        assert cell in refused.text
    with db.reading() as s:
        assert s.scalar(select(func.count()).select_from(PledgeLoan)) == 0

    env = {"ZHENGWU_DATABASE_URL": db_url}
    runner = CliRunner()
    file = tmp_path / "loans.csv"
    file.write_text(header + rows.splitlines()[0] + "\n", encoding="utf-8")
    assert runner.invoke(app, ["finance", "loans", "import", str(file), "--unit", "nowhere"], env=env).exit_code == 2
    good = runner.invoke(app, ["finance", "loans", "import", str(file), "--unit", "cs-bank"], env=env)
    assert good.exit_code == 0 and "已导入 1 笔贷款申请" in good.output, good.output
    again = runner.invoke(app, ["finance", "loans", "import", str(file), "--unit", "cs-bank"], env=env)
    assert again.exit_code == 2 and "第 2 行" in again.output and "已存在" in again.output
    listed = runner.invoke(app, ["finance", "loans", "list", "--status", "applied"], env=env)
    assert listed.exit_code == 0 and "A1" in listed.output and "已申请 1 笔 1,000,000.00 元" in listed.output
    assert runner.invoke(app, ["finance", "loans", "list", "--status", "lost"], env=env).exit_code == 2
    out = tmp_path / "loans.xlsx"
    exported = runner.invoke(app, ["finance", "loans", "list", "--xlsx", str(out)], env=env)
    assert exported.exit_code == 0 and "已导出 1 笔" in exported.output
    sheet = list(load_workbook(out).active.iter_rows(values_only=True))
    assert sheet[1][:3] == ("A1", "91430100MA4L00011K", 1000000) and sheet[1][10] == "hunan-2023"
    with db.reading() as s:
        loan = s.scalars(select(PledgeLoan)).one()
    assert (loan.amortization, loan.annual_rate, loan.principal) == ("level", 0.042, Decimal("1000000.00"))
