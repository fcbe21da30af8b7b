"""Findings, rectification items and the category dictionary on pages and through the API: a finding recorded by the
team, its paper approved, fed back, rectified through an item with evidence, verified and signed off by the
district's secretary and the supervising leader, then closed; bad input re-renders the page with the message (422)
and a stale version is refused (409), writing nothing; the generic matters API cannot bypass the two-approval rule.

The clock stands at 2024-06-20 09:00 Beijing time.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from tests.conftest import PASSWORD, api_login, csrf
from tests.support.inspection_people import SYSTEM, RoundIds, add_round, category, setup
from zhengwu.core.clock import FakeClock
from zhengwu.core.db import Database
from zhengwu.core.org.model import system_principal
from zhengwu.core.org.service import create_user
from zhengwu.core.org.tables import Role, Unit
from zhengwu.core.settings import Settings
from zhengwu.inspection.tables import FindingMatter, InspectionCategory, ItemApproval, ItemEvidence, ItemMatter

API = "/api/v1/inspection"
PDF = b"%PDF-1.4\n%%EOF\n"
FK, IK = "inspection_finding", "inspection_item"


@pytest.fixture
def rnd(db: Database) -> RoundIds:
    setup(db)
    return add_round(db)


@pytest.fixture
def client(settings: Settings, db: Database, rnd: RoundIds) -> Iterator[TestClient]:
    from zhengwu.web.app import create_app

    with TestClient(create_app(settings, db)) as c:
        yield c


def as_user(client: TestClient, username: str) -> TestClient:
    return api_login(client, username, PASSWORD)


def post(client: TestClient, url: str, data: dict[str, Any], **kw: Any) -> Any:
    return client.post(url, data={**data, "csrf_token": csrf(client)}, follow_redirects=False, **kw)


def count(db: Database, table: Any) -> int:
    with db.reading() as s:
        return int(s.scalar(select(func.count()).select_from(table)) or 0)


def version(db: Database, table: Any, key: int) -> int:
    with db.reading() as s:
        row = s.get(table, key)
        assert row is not None
        return int(row.version)


def finding_form(db: Database, rnd: RoundIds, **changes: Any) -> dict[str, Any]:
    data = {
        "round_id": str(rnd.round_id),
        "target_unit_id": str(rnd.targets[0]),
        "category_id": str(category(db, "conduct")),
        "title": "违规发放津贴补贴",
        "description": "2023 年以来以加班费名义发放津贴补贴 12.6 万元。",
        "paper": "底稿：财务凭证 2023-07 第 15 号等",
    }
    data.update(changes)
    return data


def act(client: TestClient, db: Database, kind: str, table: Any, key: int, action: str, **data: Any) -> Any:
    body = {"action": action, "version": str(version(db, table, key)), **data}
    return post(client, f"/matters/{kind}/{key}/act", body)


def record_on_page(client: TestClient, db: Database, rnd: RoundIds) -> int:
    r = post(as_user(client, "cs_team1"), "/inspection/findings/new", finding_form(db, rnd))
    assert r.status_code == 303, r.text
    return int(r.headers["location"].split("?")[0].rsplit("/", 1)[1])


def fed_back(client: TestClient, db: Database, rnd: RoundIds) -> int:
    fid = record_on_page(client, db, rnd)
    assert act(as_user(client, "cs_xcb_office"), db, FK, FindingMatter, fid, "approve_paper").status_code == 303
    assert act(as_user(client, "cs_team1"), db, FK, FindingMatter, fid, "feed_back").status_code == 303
    return fid


# --------------------------------------------------------------------------------------------------- pages


def test_a_finding_goes_from_recording_to_a_signed_off_close_on_the_pages(
    client: TestClient, db: Database, rnd: RoundIds
) -> None:
    r = as_user(client, "cs_team1").get(f"/inspection/findings/new?round_id={rnd.round_id}")
    assert r.status_code == 200 and "芙蓉区" in r.text and "作风建设" in r.text
    fid = fed_back(client, db, rnd)
    page = as_user(client, "cs_fr_head").get(f"/inspection/findings/{fid}")
    assert page.status_code == 200 and "底稿已由" in page.text and "制定整改事项" in page.text
    assert act(client, db, FK, FindingMatter, fid, "start_rectification").status_code == 303
    r = post(client, f"/inspection/findings/{fid}/items", {"measure": "清退违规发放的津贴补贴", "responsible": "张三"})
    assert r.status_code == 303, r.text
    item_id = int(r.headers["location"].split("?")[0].rsplit("/", 1)[1])
    r = client.post(
        f"/inspection/items/{item_id}/evidence",
        data={"csrf_token": csrf(client)},
        files={"files": ("清退凭证.pdf", PDF, "application/pdf")},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    assert act(client, db, IK, ItemMatter, item_id, "submit", note="已清退 12.6 万元").status_code == 303
    assert act(as_user(client, "cs_xcb_office"), db, IK, ItemMatter, item_id, "verify").status_code == 303
    assert act(as_user(client, "cs_fr_head"), db, IK, ItemMatter, item_id, "approve_as_head").status_code == 303
    assert (
        act(as_user(client, "cs_supervisor"), db, IK, ItemMatter, item_id, "approve_as_supervisor").status_code == 303
    )
    page = client.get(f"/inspection/items/{item_id}")
    assert (
        page.status_code == 200
        and "已销号" in page.text
        and "芙蓉区委书记" in page.text
        and "市委督导领导" in page.text
    )
    download = client.get(f"/inspection/items/{item_id}/evidence/1")
    assert download.content == PDF and download.headers["x-content-type-options"] == "nosniff"
    assert act(as_user(client, "cs_xcb_office"), db, FK, FindingMatter, fid, "close").status_code == 303
    listing = client.get(f"/inspection/findings?round_id={rnd.round_id}&status=closed")
    assert listing.status_code == 200 and "违规发放津贴补贴" in listing.text
    ledger = client.get("/inspection/items?status=closed")
    assert ledger.status_code == 200 and "清退违规发放的津贴补贴" in ledger.text
    assert client.get("/inspection/findings/export.xlsx").status_code == 200


def test_a_finding_form_with_bad_input_is_shown_again_with_the_message_and_nothing_is_written(
    client: TestClient, db: Database, rnd: RoundIds
) -> None:
    r = post(as_user(client, "cs_team1"), "/inspection/findings/new", finding_form(db, rnd, paper=""))
    assert r.status_code == 422 and "请填写问题底稿" in r.text and "违规发放津贴补贴" in r.text
    assert count(db, FindingMatter) == 0


def test_submitting_an_item_without_evidence_on_the_page_is_refused_and_changes_nothing(
    client: TestClient, db: Database, rnd: RoundIds
) -> None:
    fid = fed_back(client, db, rnd)
    as_user(client, "cs_fr_head")
    r = post(client, f"/inspection/findings/{fid}/items", {"measure": "建立津贴发放审批制度", "responsible": "李四"})
    item_id = int(r.headers["location"].split("?")[0].rsplit("/", 1)[1])
    before = version(db, ItemMatter, item_id)
    r = act(client, db, "inspection_item", ItemMatter, item_id, "submit", note="已整改")
    assert r.status_code == 422 and "提交整改完成情况须上传佐证材料" in r.text
    assert version(db, ItemMatter, item_id) == before


def test_the_ledger_filters_overdue_items_and_refuses_a_junk_filter(
    client: TestClient, db: Database, rnd: RoundIds
) -> None:
    as_user(client, "cs_xcb_office")
    assert client.get("/inspection/items?overdue=1").status_code == 200
    assert client.get("/inspection/items?round_id=abc").status_code == 422
    assert client.get("/inspection/findings?category=abc").status_code == 422
    fresh = client.get(f"/inspection/findings?round_id={rnd.round_id}")  # a round without findings yet
    assert fresh.status_code == 200 and "没有符合条件的记录" in fresh.text


def test_the_category_dictionary_page_adds_renames_and_deactivates(client: TestClient, db: Database) -> None:
    as_user(client, "cs_xcb_office")
    assert "作风建设" in client.get("/inspection/categories").text
    assert post(client, "/inspection/categories", {"code": "petition", "name": "信访问题"}).status_code == 303
    assert post(client, "/inspection/categories", {"code": "petition", "name": "重复"}).status_code == 422
    cid = category(db, "petition")
    v = version(db, InspectionCategory, cid)
    assert post(client, f"/inspection/categories/{cid}", {"name": "信访积案", "version": str(v)}).status_code == 303
    assert post(client, f"/inspection/categories/{cid}/deactivate", {"version": str(v)}).status_code == 409
    assert post(client, f"/inspection/categories/{cid}/deactivate", {"version": str(v + 1)}).status_code == 303
    assert as_user(client, "cs_team1").get("/inspection/categories").status_code == 403


# ----------------------------------------------------------------------------------------------------- API


def test_the_api_records_lists_reads_and_steps_a_finding_with_its_version(
    client: TestClient, db: Database, rnd: RoundIds
) -> None:
    api = as_user(client, "cs_team1")
    body = {k: int(v) if k.endswith("_id") else v for k, v in finding_form(db, rnd).items()}
    r = api.post(f"{API}/findings", json=body)
    assert r.status_code == 201, r.text
    created = r.json()
    assert created["status"] == "drafted" and created["target_unit_id"] == rnd.targets[0]
    listed = api.get(f"{API}/findings", params={"round_id": rnd.round_id, "status": "drafted"}).json()
    assert [f["id"] for f in listed["items"]] == [created["id"]] and listed["items"][0]["target"] == "芙蓉区"
    office = as_user(client, "cs_xcb_office")
    stale = office.post(f"{API}/findings/{created['id']}/approve_paper", json={"version": created["version"] + 5})
    assert stale.status_code == 409
    r = office.post(f"{API}/findings/{created['id']}/approve_paper", json={"version": created["version"]})
    assert r.status_code == 200 and r.json()["paper_approved_by"] is not None
    r = office.post(
        f"{API}/findings/{created['id']}/feed_back",
        json={"version": r.json()["version"], "report_due_on": "2024-09-30"},
    )
    assert r.status_code == 200 and r.json()["report_due_on"] == "2024-09-30"
    assert office.post(f"{API}/findings/{created['id']}/sign_off", json={"version": 1}).status_code == 422
    got = office.get(f"{API}/findings/{created['id']}").json()
    assert [e["action"] for e in got["history"]] == ["open", "approve_paper", "feed_back"]


def test_the_api_adds_an_item_uploads_evidence_and_signs_it_off(
    client: TestClient, db: Database, rnd: RoundIds
) -> None:
    fid = fed_back(client, db, rnd)
    api = as_user(client, "cs_fr_head")
    r = api.post(f"{API}/items", json={"finding_id": fid, "measure": "清退津贴补贴", "responsible": "张三"})
    assert r.status_code == 201, r.text
    item = r.json()
    assert item["due_on"] == "2024-08-20"
    r = api.post(f"{API}/items/{item['id']}/evidence", files={"files": ("凭证.pdf", PDF, "application/pdf")})
    assert r.status_code == 201 and r.json()[0]["filename"] == "凭证.pdf"
    assert api.get(r.json()[0]["url"]).content == PDF
    assert api.get(f"{API}/items/{item['id']}/evidence/{r.json()[0]['id']}").content == PDF
    r = api.post(f"{API}/items/{item['id']}/submit", json={"version": item["version"], "note": "已清退"})
    assert r.status_code == 200 and r.json()["status"] == "submitted"
    r = as_user(client, "cs_xcb_office").post(f"{API}/items/{item['id']}/verify", json={"version": r.json()["version"]})
    r = as_user(client, "cs_supervisor").post(
        f"{API}/items/{item['id']}/approve_as_supervisor", json={"version": r.json()["version"]}
    )
    r = as_user(client, "cs_fr_head").post(
        f"{API}/items/{item['id']}/approve_as_head", json={"version": r.json()["version"]}
    )
    assert r.status_code == 200 and r.json()["status"] == "closed" and len(r.json()["approvals"]) == 2
    ledger = client.get(f"{API}/items", params={"round_id": rnd.round_id, "overdue": "false"}).json()
    assert [i["id"] for i in ledger["items"]] == [item["id"]]


def test_the_generic_matters_api_cannot_bypass_the_two_approval_rule(
    client: TestClient, db: Database, rnd: RoundIds
) -> None:
    with db.uow(SYSTEM) as uow:
        roles = [
            uow.session.scalars(select(Role.id).where(Role.code == c)).one()
            for c in ("inspected_org", "inspection_supervisor")
        ]
        fr = uow.session.scalars(select(Unit.id).where(Unit.code == "cs-fr")).one()
        create_user(
            uow,
            system_principal(),
            username="cs_fr_both",
            full_name="兼任者",
            unit_id=fr,
            password=PASSWORD,
            role_ids=roles,
        )
        uow.commit()
    fid = fed_back(client, db, rnd)
    api = as_user(client, "cs_fr_head")
    item = api.post(f"{API}/items", json={"finding_id": fid, "measure": "清退", "responsible": "张三"}).json()
    api.post(f"{API}/items/{item['id']}/evidence", files={"files": ("凭证.pdf", PDF, "application/pdf")})
    v = api.post(f"{API}/items/{item['id']}/submit", json={"version": item["version"], "note": "已清退"}).json()[
        "version"
    ]
    v = as_user(client, "cs_xcb_office").post(f"{API}/items/{item['id']}/verify", json={"version": v}).json()["version"]
    both = as_user(client, "cs_fr_both")
    generic = f"/api/v1/matters/inspection_item/{item['id']}/actions"
    r = both.post(generic, json={"action": "approve_as_head", "version": v})
    assert r.status_code == 200, r.text
    r = both.post(generic, json={"action": "approve_as_supervisor", "version": r.json()["version"]})
    assert r.status_code == 422 and "同一人不能同时" in r.json()["detail"]
    with db.reading() as s:
        assert s.scalar(select(func.count()).select_from(ItemApproval)) == 1
        assert s.scalar(select(ItemMatter.status)) == "head_approved"
        assert s.scalar(select(func.count()).select_from(ItemEvidence)) == 1


def test_the_category_api_lists_and_manages_the_dictionary(client: TestClient, db: Database) -> None:
    api = as_user(client, "cs_xcb_office")
    assert len(api.get(f"{API}/categories").json()) == 9
    added = api.post(f"{API}/categories", json={"code": "petition", "name": "信访问题"}).json()
    r = api.put(f"{API}/categories/{added['id']}", json={"version": added["version"], "name": "信访积案"})
    assert r.status_code == 200 and r.json()["name"] == "信访积案"
    r = api.post(f"{API}/categories/{added['id']}/deactivate", json={"version": r.json()["version"]})
    assert r.status_code == 200 and r.json()["active"] is False
    assert len(api.get(f"{API}/categories", params={"active_only": True}).json()) == 9
    assert as_user(client, "cs_team1").post(f"{API}/categories", json={"code": "x", "name": "其他"}).status_code == 403


def test_an_overdue_item_shows_in_the_ledger_filtered_as_overdue(
    client: TestClient, db: Database, rnd: RoundIds, clock: FakeClock
) -> None:
    fid = fed_back(client, db, rnd)
    api = as_user(client, "cs_fr_head")
    item = api.post(
        f"{API}/items", json={"finding_id": fid, "measure": "清退", "responsible": "张三", "due_on": "2024-06-30"}
    )
    assert item.status_code == 201, item.text
    assert api.get(f"{API}/items", params={"overdue": True}).json()["total"] == 0
    clock.advance(days=11)  # 2024-07-01: past the due date, not signed off
    api = as_user(client, "cs_xcb_office")  # (the session of the day before has expired)
    overdue = api.get(f"{API}/items", params={"overdue": True}).json()
    assert [(i["id"], i["overdue"]) for i in overdue["items"]] == [(item.json()["id"], True)]
    page = api.get("/inspection/items?overdue=1")
    assert "已逾期" in page.text and "清退" in page.text
