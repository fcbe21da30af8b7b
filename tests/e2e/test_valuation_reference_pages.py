"""The valuation reference data in the browser, through the API and on the command line: an indicator profile shown
as its tree with the example-weights notice, edited into a new version (the old one unchanged), exported and imported
as JSON; the industries' ranges edited in % with the version read; comparable deals recorded, listed, exported and
imported (every row checked first). Bad input is a 422 (or exit status 2) naming the field, never a 500."""

from __future__ import annotations

import io
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import select
from typer.testing import CliRunner

from tests.conftest import csrf, login
from zhengwu.cli import app
from zhengwu.core.db import Database
from zhengwu.valuation.service.profiles import EXAMPLE_NOTICE
from zhengwu.valuation.tables import ComparableDeal, ValuationIndustry

P = "/valuation/profiles/cnipa2012-finance"
DEAL: dict[str, Any] = {
    "patent_number": "ZL201510123456.7",
    "title": "一种近水平薄矿体智能掘进机",
    "patent_type": "invention",
    "industry_code": "machinery",
    "ipc": "E21C 27/00",
    "deal_type": "transfer",
    "deal_date": "2023-05-08",
    "price": "1250000.5",
    "pvd": "72",
    "source": "湖南省技术产权交易所",
    "note": "",
}


def admin(client: TestClient) -> TestClient:
    login(client, "admin")
    client.headers["X-CSRF-Token"] = csrf(client)
    return client


def test_a_profile_shows_its_tree_in_percent_with_the_example_weights_notice(app_client: TestClient) -> None:
    c = admin(app_client)
    listing = c.get("/valuation/profiles")
    assert listing.status_code == 200 and EXAMPLE_NOTICE in listing.text
    assert all(f"cnipa2012-{use}" in listing.text for use in ("finance", "licensing", "management", "litigation"))
    page = c.get(P)
    assert page.status_code == 200 and EXAMPLE_NOTICE in page.text
    for shown in ("法律价值度（legal）权重 30%", "稳定性", "按专利类型与申请日计算剩余有效期", "权属纠纷", "第 1 版"):
        assert shown in page.text


def test_editing_the_weights_on_the_page_saves_version_two_and_keeps_version_one(app_client: TestClient) -> None:
    c = admin(app_client)
    assert c.get(P + "/edit").status_code == 200
    form = {"based_on": "1", "note": "提高法律价值度权重", "w:legal": "0.5"}
    bad = c.post(P + "/edit", data=form)
    assert bad.status_code == 422 and "（字段：weights）" in bad.text and "1.2" in bad.text
    form.update({"w:technical": "0.3", "w:economic": "0.2", "d:stability.10": "经无效宣告维持全部有效"})
    saved = c.post(P + "/edit", data=form, follow_redirects=False)
    assert saved.status_code == 303, saved.text
    assert "法律价值度（legal）权重 50%" in c.get(P).text
    old = c.get(P + "/versions/1")
    assert "法律价值度（legal）权重 30%" in old.text and "最新为" in old.text
    stale = c.post(P + "/edit", data=form)
    assert stale.status_code == 409 and "已有第 2 版" in stale.text


def test_a_profile_round_trips_as_json_through_the_export_and_the_api(app_client: TestClient) -> None:
    c = admin(app_client)
    exported = c.get(P + "/versions/1/export.json")
    assert exported.status_code == 200 and "attachment" in exported.headers["content-disposition"]
    body = exported.json()
    body["dimensions"][2]["indicators"][0]["weight"] = 0.5
    bad = c.post("/api/v1/valuation/profiles", json={"profile": body, "note": "市场应用权重过高", "based_on": 1})
    assert bad.status_code == 422 and bad.json()["field"] == "weights.economic"
    body["dimensions"][2]["indicators"][0]["weight"] = 0.25
    made = c.post("/api/v1/valuation/profiles", json={"profile": body, "note": "原样保存", "based_on": 1})
    assert made.status_code == 201 and made.json()["version"] == 2 and made.json()["profile"]["version"] == 2
    again = c.post("/api/v1/valuation/profiles", json={"profile": body, "note": "过时", "based_on": 1})
    assert again.status_code == 409
    history = c.get("/api/v1/valuation/profiles/cnipa2012-finance").json()
    assert [h["version"] for h in history["history"]] == [2, 1] and history["current"]["example_weights"]


def test_industry_ranges_are_edited_in_percent_with_the_version_read(app_client: TestClient, db: Database) -> None:
    c = admin(app_client)
    page = c.get("/valuation/industries")
    assert page.status_code == 200 and 'value="1.5"' in page.text and "保留创建时的行业代码" in page.text
    with db.reading() as s:
        row = s.scalar(select(ValuationIndustry).where(ValuationIndustry.code == "machinery"))
        assert row is not None
        row_id = row.id
    form = {"name": "机械制造", "low": "2", "high": "3.5", "source": "UNIDO", "version": "1"}
    assert c.post(f"/valuation/industries/{row_id}", data=form, follow_redirects=False).status_code == 303
    stale = c.post(f"/valuation/industries/{row_id}", data=form)
    assert stale.status_code == 409 and "已被他人修改" in stale.text
    bad = c.post(f"/valuation/industries/{row_id}", data={**form, "low": "5", "version": "2"})
    assert bad.status_code == 422 and "（字段：low）" in bad.text
    got = c.get(f"/api/v1/valuation/industries/{row_id}").json()
    assert (got["low"], got["high"], got["version"]) == (0.02, 0.035, 2)
    export = c.get("/valuation/industries/export.xlsx")
    assert export.status_code == 200
    cells = list(load_workbook(io.BytesIO(export.content)).active.iter_rows(values_only=True))
    assert cells[1][:4] == ("machinery", "机械制造", 0.02, 0.035)
    bad = "行业代码,行业名称,下限,上限\nchemicals,化学,3%,2%\nChem,化学,0.01,0.02\n"
    refused = c.post("/valuation/industries/import", files={"file": ("i.csv", bad.encode(), "text/csv")})
    assert (
        refused.status_code == 422
        and "<td>2</td><td>下限</td>" in refused.text
        and "<td>3</td><td>行业代码</td>" in refused.text
    )
    good = "行业代码,行业名称,下限,上限,出处\nchemicals,化学,0.5%,2%,某教材\nmachinery,机械,0.015,0.03,UNIDO\n"
    merged = c.post("/valuation/industries/import", files={"file": ("i.csv", good.encode(), "text/csv")})
    assert merged.status_code == 200 and "新增 1 行，更新 1 行" in merged.text
    table = {r["code"]: (r["low"], r["high"]) for r in c.get("/api/v1/valuation/industries").json()}
    assert table["chemicals"] == (0.005, 0.02) and table["machinery"] == (0.015, 0.03) and len(table) == 4


def test_a_deal_recorded_on_the_page_is_listed_exported_and_shown_in_yuan(app_client: TestClient, db: Database) -> None:
    c = admin(app_client)
    bad = c.post("/valuation/deals/new", data={**DEAL, "price": "12.345"})
    assert bad.status_code == 422 and "至多保留两位小数" in bad.text
    made = c.post("/valuation/deals/new", data=DEAL, follow_redirects=False)
    assert made.status_code == 303, made.text
    page = c.get(made.headers["location"])
    assert "1,250,000.50 元" in page.text and "机械制造" in page.text
    listed = c.get("/valuation/deals?industry=machinery&date_from=2023-01-01")
    assert "1,250,000.50" in listed.text and DEAL["title"] in listed.text
    assert DEAL["title"] not in c.get("/valuation/deals?date_to=2022-12-31").text
    assert c.get("/valuation/deals?date_from=昨天").status_code == 422
    export = c.get("/valuation/deals/export.xlsx?industry=machinery")
    rows = list(load_workbook(io.BytesIO(export.content)).active.iter_rows(values_only=True))
    assert rows[0][0] == "专利号" and rows[1][2] == "发明" and rows[1][7] == 1250000.5
    files = {"file": ("deals.xlsx", export.content, XLSX_TYPE)}
    again = c.post("/valuation/deals/import", files=files, follow_redirects=False)
    assert again.status_code == 303, again.text  # the export imports again
    with db.reading() as s:
        prices = list(s.scalars(select(ComparableDeal.price)))
    assert prices == [Decimal("1250000.50")] * 2


XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def test_an_import_with_a_bad_row_lists_row_column_and_reason_and_writes_nothing(
    app_client: TestClient, db: Database
) -> None:
    c = admin(app_client)
    csv = (
        "专利号,专利名称,专利类型,交易类型,交易日期,成交价（元）\n"
        "ZL1,甲,发明,转让,2023-01-05,1000\nZL2,乙,发明,抵押,2023-01-05,-5\n"
    )
    r = c.post("/valuation/deals/import", files={"file": ("d.csv", csv.encode(), "text/csv")})
    assert r.status_code == 422
    assert "<td>3</td><td>交易类型</td>" in r.text and "<td>3</td><td>成交价（元）</td>" in r.text
    with db.reading() as s:
        assert s.scalar(select(ComparableDeal.id)) is None


def test_the_deals_api_keeps_money_as_text_and_refuses_a_stale_version(app_client: TestClient) -> None:
    c = admin(app_client)
    body = {**DEAL, "pvd": 72, "price": "1250000.10"}
    made = c.post("/api/v1/valuation/deals", json=body)
    assert made.status_code == 201, made.text
    deal = made.json()
    assert deal["price"] == "1250000.10"
    updated = c.put(f"/api/v1/valuation/deals/{deal['id']}", json={**body, "price": 300000.5, "version": 1})
    assert updated.status_code == 200 and updated.json()["price"] == "300000.50"
    stale = c.put(f"/api/v1/valuation/deals/{deal['id']}", json={**body, "version": 1})
    assert stale.status_code == 409
    bad = c.post("/api/v1/valuation/deals", json={**body, "deal_date": "2999-01-01"})
    assert bad.status_code == 422 and bad.json()["field"] == "deal_date"
    picked = c.get("/api/v1/valuation/deals?industry_code=machinery&q=掘进机").json()
    assert [d["id"] for d in picked] == [deal["id"]]


def test_the_command_line_exports_and_imports_profiles_and_imports_deals(
    tmp_path: Path, db_url: str, app_client: TestClient
) -> None:
    env = {"ZHENGWU_DATABASE_URL": db_url}
    runner = CliRunner()
    out = tmp_path / "finance.json"
    exported = runner.invoke(app, ["valuation", "profile", "export", "cnipa2012-finance", "-o", str(out)], env=env)
    assert exported.exit_code == 0, exported.output
    body = json.loads(out.read_text(encoding="utf-8"))
    body["dimensions"][0]["weight"] = 0.9
    out.write_text(json.dumps(body, ensure_ascii=False), encoding="utf-8")
    refused = runner.invoke(app, ["valuation", "profile", "import", str(out), "--note", "错误的权重"], env=env)
    assert refused.exit_code == 2 and "weights" in refused.output
    body["dimensions"][0]["weight"], body["dimensions"][1]["weight"] = 0.4, 0.3
    out.write_text(json.dumps(body, ensure_ascii=False), encoding="utf-8")
    saved = runner.invoke(app, ["valuation", "profile", "import", str(out), "--note", "调整权重"], env=env)
    assert saved.exit_code == 0 and "cnipa2012-finance 第 2 版" in saved.output
    shown = runner.invoke(app, ["valuation", "profile", "export", "cnipa2012-finance", "--version", "1"], env=env)
    assert json.loads(shown.output)["dimensions"][0]["weight"] == 0.3  # version 1 unchanged
    deals = tmp_path / "deals.csv"
    deals.write_text("patent_number,title,patent_type,deal_type,deal_date,price\nZL1,甲,发明,转让,2023-1-5,x\n")
    bad = runner.invoke(app, ["valuation", "deals", "import", str(deals), "--unit", "cs"], env=env)
    assert bad.exit_code == 2 and "第 2 行" in bad.output and "成交价" in bad.output
    deals.write_text("patent_number,title,patent_type,deal_type,deal_date,price\nZL1,甲,发明,转让,2023-1-5,1000\n")
    good = runner.invoke(app, ["valuation", "deals", "import", str(deals), "--unit", "cs"], env=env)
    assert good.exit_code == 0 and "已导入 1 条可比交易" in good.output
