"""Rounds, plans and the talent pool on pages, through the API and from the command line: the inspection office
plans the targets, opens a round, dates its stages (the current one highlighted), forms a team, assigns targets and
seconds cadres (a conflict of interest is refused with its reason); the plan's coverage by district; stale versions
answer 409; the pool is imported from a file, validated whole first.

The clock stands at 2024-06-20 09:00 Beijing time.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import Workbook
from sqlalchemy import func, select
from typer.testing import CliRunner

from tests.conftest import csrf, login
from tests.support.inspection_people import setup, unit
from zhengwu.cli import app as cli
from zhengwu.core.db import Database
from zhengwu.core.settings import Settings
from zhengwu.inspection.tables import InspectionCadre, InspectionRound, InspectionSecondment

API = "/api/v1/inspection"


@pytest.fixture
def client(settings: Settings, db: Database) -> Iterator[TestClient]:
    setup(db)
    from zhengwu.web.app import create_app

    with TestClient(create_app(settings, db)) as c:
        yield c


def post(client: TestClient, url: str, data: dict[str, Any]) -> Any:
    return client.post(url, data={**data, "csrf_token": csrf(client)}, follow_redirects=False)


def created_id(r: Any) -> int:
    assert r.status_code == 303, r.text
    return int(r.headers["location"].split("?")[0].rsplit("/", 1)[1])


def api(client: TestClient, username: str = "cs_xcb_office") -> TestClient:
    login(client, username)
    client.headers["X-CSRF-Token"] = csrf(client)
    return client


def count(db: Database, entity: Any) -> int:
    with db.reading() as s:
        return s.scalar(select(func.count()).select_from(entity)) or 0


def test_the_office_runs_a_round_from_plan_to_teams_on_the_pages(client: TestClient, db: Database) -> None:
    login(client, "cs_xcb_office")
    cs = str(unit(db, "cs"))
    plan = created_id(
        post(
            client,
            "/inspection/plans/new",
            {"committee_unit_id": cs, "name": "十二届市委巡察规划", "first_year": "2022", "last_year": "2026"},
        )
    )
    r = post(
        client,
        f"/inspection/plans/{plan}/targets",
        {"unit_codes": "cs-fr-dh, cs-fr-dh-hl，cs-tx-ps\ncs-yl-lsh-xj", "planned_round": "1"},
    )
    assert r.status_code == 303 and "4" in r.headers["location"]
    form = {
        "committee_unit_id": cs,
        "year": "2024",
        "number": "3",
        "type": "regular",
        "name": "十二届市委第三轮巡察",
        "approval": "市委常委会会议",
        "starts_on": "2024-03-18",
        "plan_id": str(plan),
    }
    bad = post(client, "/inspection/rounds/new", {**form, "starts_on": "2024-13-01"})
    assert bad.status_code == 422 and "开始日期应为有效日期" in bad.text
    rnd = created_id(post(client, "/inspection/rounds/new", form))
    with db.reading() as s:
        version = s.scalar(select(InspectionRound.version).where(InspectionRound.id == rnd))
    stages = {
        "version": str(version),
        "preparation_starts_on": "2024-03-18",
        "preparation_ends_on": "2024-04-07",
        "entry_starts_on": "2024-04-08",
        "entry_ends_on": "2024-05-31",
        "report_starts_on": "2024-06-01",
    }
    wrong = post(client, f"/inspection/rounds/{rnd}/stages", {**stages, "entry_ends_on": "2024-04-01"})
    assert wrong.status_code == 422 and "“进驻”阶段的结束日期不能早于开始日期" in wrong.text
    assert post(client, f"/inspection/rounds/{rnd}/stages", stages).status_code == 303
    assert post(client, f"/inspection/rounds/{rnd}/teams", {"name": "第一巡察组"}).status_code == 303
    page = client.get(f"/inspection/rounds/{rnd}")
    team = re.search(r'name="team_id"><option value="">暂不分组</option><option value="(\d+)"', page.text)
    assert team, page.text
    team_id = team.group(1)
    for code in ("cs-fr-dh-hl", "cs-tx-ps"):
        assert (
            post(client, f"/inspection/rounds/{rnd}/targets", {"unit_code": code, "team_id": team_id}).status_code
            == 303
        )
    cadre = created_id(
        post(
            client,
            "/inspection/cadres/new",
            {"name": "李四", "unit_code": "cs-fr-dh", "post": "科长", "specialties": ["audit"]},
        )
    )
    offered = client.get(f"/inspection/rounds/{rnd}").text  # the pool is offered by name on the secondment form
    assert f'<option value="{cadre}" label="李四（定王台街道）">' in offered
    refused = post(
        client, f"/inspection/rounds/{rnd}/secondments", {"cadre_id": str(cadre), "team_id": team_id, "role": "leader"}
    )
    assert refused.status_code == 422 and "荷花池社区" in refused.text and "下级单位" in refused.text
    other = created_id(
        post(
            client,
            "/inspection/cadres/new",
            {"name": "张三", "unit_code": "cs-sj", "specialties": ["audit", "finance"]},
        )
    )
    ok = post(
        client, f"/inspection/rounds/{rnd}/secondments", {"cadre_id": str(other), "team_id": team_id, "role": "leader"}
    )
    assert ok.status_code == 303
    third = created_id(post(client, "/inspection/cadres/new", {"name": "王五", "unit_code": "cs-zjj"}))
    second_leader = post(
        client, f"/inspection/rounds/{rnd}/secondments", {"cadre_id": str(third), "team_id": team_id, "role": "leader"}
    )
    assert second_leader.status_code == 422 and "每个巡察组只能有一名组长" in second_leader.text
    page = client.get(f"/inspection/rounds/{rnd}").text
    assert 'class="current" aria-current="step"' in page and "当前阶段：<strong>报告</strong>" in page
    assert f"/inspection/findings?round_id={rnd}" in page and "张三" in page and "荷花池社区" in page
    coverage = client.get(f"/inspection/plans/{plan}").text
    assert "<td>芙蓉区</td><td>2</td><td>1</td><td>50.0%</td>" in coverage
    assert "<td>岳麓区</td><td>1</td><td>0</td><td>0.0%</td>" in coverage
    listed = client.get("/inspection/rounds?year=2024&type=regular").text
    assert "十二届市委第三轮巡察" in listed
    assert "十二届市委第三轮巡察" not in client.get("/inspection/rounds?type=cross").text
    pool = client.get("/inspection/cadres?specialty=finance").text
    assert "张三" in pool and "李四" not in pool


def test_the_cadre_page_records_conflicts_and_evaluations_and_the_figures_count_them(
    client: TestClient, db: Database
) -> None:
    login(client, "cs_xcb_office")
    cadre = created_id(post(client, "/inspection/cadres/new", {"name": "张三", "unit_code": "cs-sj"}))
    r = post(
        client,
        f"/inspection/cadres/{cadre}/conflicts",
        {"unit_code": "cs-tx", "reason": "配偶在天心区任职", "declared_on": "2024-03-01"},
    )
    assert r.status_code == 303
    assert "配偶在天心区任职" in client.get(f"/inspection/cadres/{cadre}").text
    api(client)
    rnd = client.post(
        f"{API}/rounds",
        json={
            "committee_unit_id": unit(db, "cs"),
            "number": 1,
            "year": 2024,
            "type": "regular",
            "name": "第一轮",
            "starts_on": "2024-03-18",
            "ends_on": "2024-06-30",
        },
    ).json()["id"]
    team = client.post(f"{API}/rounds/{rnd}/teams", json={"name": "第一巡察组"}).json()["id"]
    assert client.put(f"{API}/rounds/{rnd}/targets/{unit(db, 'cs-fr')}", json={"team_id": team}).status_code == 200
    s = client.post(f"{API}/cadres/{cadre}/secondments", json={"team_id": team, "role": "member"}).json()["id"]
    refused = client.put(f"{API}/rounds/{rnd}/targets/{unit(db, 'cs-tx')}", json={"team_id": team})
    assert refused.status_code == 422 and "张三" in refused.json()["detail"]
    login(client, "cs_xcb_office")
    with db.reading() as session:
        version = session.scalar(select(InspectionSecondment.version).where(InspectionSecondment.id == s))
    r = post(
        client,
        f"/inspection/cadres/{cadre}/secondments/{s}",
        {"evaluation": "excellent", "commended": "1", "promoted_on": "2025-03-01", "version": str(version)},
    )
    assert r.status_code == 303
    figures = client.get("/inspection/cadres/figures").text
    assert "通报表扬 <strong>1</strong>" in figures and "一年内提拔任用 <strong>1</strong>" in figures
    assert "<td>长沙市审计局</td><td>1</td>" in figures


def test_the_api_reads_rounds_and_answers_409_on_a_stale_version(client: TestClient, db: Database) -> None:
    c = api(client)
    body = {
        "committee_unit_id": unit(db, "cs"),
        "number": 2,
        "year": 2024,
        "type": "special",
        "name": "专项巡察",
        "starts_on": "2024-03-18",
    }
    rnd = c.post(f"{API}/rounds", json=body).json()["id"]
    assert c.post(f"{API}/rounds", json=body).status_code == 422
    got = c.get(f"{API}/rounds/{rnd}").json()
    assert got["type_label"] == "专项巡察" and got["current_stage"] is None
    stages = [
        {"stage": "preparation", "starts_on": "2024-03-18", "ends_on": "2024-04-07"},
        {"stage": "entry", "starts_on": "2024-04-08"},
    ]
    r = c.put(f"{API}/rounds/{rnd}/stages", json={"version": got["version"], "stages": stages})
    assert r.status_code == 200 and r.json()["current_stage_label"] == "进驻"
    stale = c.put(f"{API}/rounds/{rnd}/stages", json={"version": got["version"], "stages": stages})
    assert stale.status_code == 409
    bad = c.put(f"{API}/rounds/{rnd}/stages", json={"version": r.json()["version"], "stages": [stages[1]]})
    assert bad.status_code == 422 and "准备" in bad.json()["detail"]
    assert [x["id"] for x in c.get(f"{API}/rounds", params={"year": 2024}).json()] == [rnd]
    plan = c.post(
        f"{API}/plans",
        json={"committee_unit_id": unit(db, "cs"), "name": "规划", "first_year": 2022, "last_year": 2026},
    ).json()["id"]
    assert c.post(f"{API}/plans/{plan}/targets", json={"unit_ids": [unit(db, "cs-fr-dh")]}).json() == {"added": 1}
    coverage = c.get(f"{API}/plans/{plan}").json()
    assert coverage["districts"] == [
        {"unit_id": unit(db, "cs-fr"), "name": "芙蓉区", "planned": 1, "covered": 0, "rate": 0.0}
    ]
    empty = c.post(
        f"{API}/plans", json={"committee_unit_id": unit(db, "cs"), "name": "空", "first_year": 2027, "last_year": 2027}
    ).json()["id"]
    assert c.get(f"{API}/plans/{empty}").json()["rate"] is None


def test_the_inspected_organisation_may_view_but_not_plan_rounds(client: TestClient, db: Database) -> None:
    c = api(client, "cs_fr_head")
    body = {
        "committee_unit_id": unit(db, "cs-fr"),
        "number": 1,
        "year": 2024,
        "type": "regular",
        "name": "区委巡察",
        "starts_on": "2024-03-18",
    }
    assert c.post(f"{API}/rounds", json=body).status_code == 403
    assert c.get(f"{API}/rounds").status_code == 200
    assert c.get(f"{API}/cadres").status_code == 403


def xlsx(rows: list[list[str]]) -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    for row in [["姓名", "单位编码", "职务", "专长"], *rows]:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_the_command_imports_the_pool_and_refuses_a_bad_file_whole(db: Database, db_url: str, tmp_path: Path) -> None:
    setup(db)

    def run(*args: str) -> tuple[int, str]:
        result = CliRunner().invoke(cli, list(args), env={"ZHENGWU_DATABASE_URL": db_url})
        return result.exit_code, result.output

    bad = tmp_path / "bad.csv"
    bad.write_text(
        "姓名,单位编码,职务,专长\n张三,cs-sj,科长,审计\n李四,nowhere,,纪检监察\n王五,cs-zjj,,烹饪\n", encoding="utf-8"
    )
    code, out = run("inspection", "cadres", "import", str(bad))
    assert (
        code == 2
        and "第 3 行" in out
        and "单位编码“nowhere”不存在" in out
        and "第 4 行" in out
        and "专长“烹饪”无效" in out
    )
    assert count(db, InspectionCadre) == 0
    good = tmp_path / "good.xlsx"
    good.write_bytes(xlsx([["张三", "cs-sj", "科长", "审计，财务"], ["李四", "cs-fr-dh", "", "纪检监察"]]))
    code, out = run("inspection", "cadres", "import", str(good))
    assert code == 0 and "已导入 2 名干部" in out, out
    assert count(db, InspectionCadre) == 2
    code, out = run("inspection", "cadres", "import", str(good))
    assert code == 2 and "人才库中已有该单位的“张三”" in out
    assert count(db, InspectionCadre) == 2


def test_a_round_whose_follow_up_evaluation_has_ended_shows_as_completed(client: TestClient, db: Database) -> None:
    from tests.support.inspection_people import add_round

    rnd = add_round(db, number=2, year=2023).round_id  # the clock stands in 2024
    login(client, "cs_xcb_office")
    before = client.get(f"/inspection/rounds/{rnd}").text
    assert "当前阶段：<strong>进驻</strong>" in before  # entry, open-ended, began on 2023-04-08
    with db.reading() as s:
        version = s.get(InspectionRound, rnd).version  # type: ignore[union-attr]
    dated = {"version": str(version)}
    days = ["2023-03-18", "2023-04-07", "2023-04-08", "2023-05-31", "2023-06-05", "2023-06-20", "2023-06-25"]
    days += ["2023-06-30", "2023-07-03", "2023-07-10", "2023-07-03", "2023-08-30", "2023-11-01", "2023-11-20"]
    for i, stage in enumerate(
        ("preparation", "entry", "report", "feedback", "handover", "rectification", "evaluation")
    ):
        dated[f"{stage}_starts_on"], dated[f"{stage}_ends_on"] = days[2 * i], days[2 * i + 1]
    assert post(client, f"/inspection/rounds/{rnd}/stages", dated).status_code == 303
    after = client.get(f"/inspection/rounds/{rnd}").text
    assert "当前阶段：<strong>已完成（督查评估于 2023-11-20 结束）</strong>" in after
