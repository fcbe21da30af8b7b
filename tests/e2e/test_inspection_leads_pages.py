"""Leads in the browser and through the API: the inspection office hands a lead of round 1 over to 长沙市纪委监委,
which receives it and feeds back; the office closes it. Every answer is ``no-store``; every view is audited; the
generic matter pages and API know no such kind.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from tests.conftest import csrf, login
from tests.support.inspection_people import RoundIds, add_round, setup, unit
from zhengwu.core.audit.tables import AuditEntry
from zhengwu.core.db import Database
from zhengwu.core.matters.tables import Matter
from zhengwu.inspection.tables import LeadMatter

TITLE = "区住建局违规发包线索"
BODY = "线索内容：涉嫌违规发包 JX4"


@pytest.fixture
def client(app_client: TestClient, db: Database) -> Iterator[TestClient]:
    setup(db)
    yield app_client


@pytest.fixture
def rnd(db: Database, client: TestClient) -> RoundIds:
    return add_round(db)


def as_user(client: TestClient, username: str) -> TestClient:
    client.cookies.clear()
    return login(client, username)


def views(db: Database) -> int:
    with db.reading() as s:
        return s.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "view_lead")) or 0


def hand_over_by_page(client: TestClient, db: Database, rnd: RoundIds, **extra: str) -> object:
    form = {
        "round_id": str(rnd.round_id),
        "target_unit_id": str(rnd.targets[0]),
        "recipient": "discipline_commission",
        "receiving_unit_id": str(unit(db, "cs-jw")),
        "title": TITLE,
        "description": BODY,
        "csrf_token": csrf(client),
        **extra,
    }
    return client.post("/inspection/leads/new", data=form, follow_redirects=False)


def lead_id(db: Database) -> int:
    with db.reading() as s:
        found = s.scalar(select(LeadMatter.id))
        assert found is not None
        return found


def version(db: Database, matter_id: int) -> str:
    with db.reading() as s:
        return str(s.scalar(select(Matter.version).where(Matter.id == matter_id)))


def test_a_lead_goes_from_handover_to_closed_in_the_browser(client: TestClient, db: Database, rnd: RoundIds) -> None:
    as_user(client, "cs_xcb_office")
    form = client.get(f"/inspection/leads/new?round_id={rnd.round_id}")
    assert form.status_code == 200 and "移交问题线索" in form.text and "长沙市纪委监委" in form.text
    assert form.headers["cache-control"] == "no-store"
    made = hand_over_by_page(client, db, rnd)
    assert made.status_code == 303, made.text  # type: ignore[attr-defined]
    lid = lead_id(db)
    page = client.get(f"/inspection/leads/{lid}")
    assert page.status_code == 200 and TITLE in page.text and BODY in page.text and "线-2024-000001" in page.text
    assert page.headers["cache-control"] == "no-store" and "2024-12-20" in page.text
    listing = client.get("/inspection/leads")
    assert (
        TITLE in listing.text and "export.xlsx" not in listing.text and listing.headers["cache-control"] == "no-store"
    )

    as_user(client, "cs_jw_leads")
    got = client.post(
        f"/inspection/leads/{lid}/receive",
        data={"version": version(db, lid), "csrf_token": csrf(client)},
        follow_redirects=False,
    )
    assert got.status_code == 303, got.text
    missing = client.post(
        f"/inspection/leads/{lid}/feed_back",
        data={"version": version(db, lid), "note": "已初核", "csrf_token": csrf(client)},
    )
    assert missing.status_code == 422 and "请选择处置方式" in missing.text and "已初核" in missing.text
    fed = client.post(
        f"/inspection/leads/{lid}/feed_back",
        data={"version": version(db, lid), "disposal": "preliminary", "note": "已初核", "csrf_token": csrf(client)},
        follow_redirects=True,
    )
    assert fed.status_code == 200 and "初步核实" in fed.text and "已反馈" in fed.text

    as_user(client, "cs_xcb_office")
    closed = client.post(
        f"/inspection/leads/{lid}/close",
        data={"version": version(db, lid), "csrf_token": csrf(client)},
        follow_redirects=True,
    )
    assert closed.status_code == 200 and "已办结" in closed.text
    assert views(db) == 5  # the lead, the list, the lead with the error, after feedback, after closing


def test_bad_handover_input_shows_the_form_again_naming_the_field(
    client: TestClient, db: Database, rnd: RoundIds
) -> None:
    as_user(client, "cs_xcb_office")
    r = hand_over_by_page(client, db, rnd, handed_over_on="2030-01-01")
    assert r.status_code == 422 and "移交日期不能晚于今天" in r.text and TITLE in r.text  # type: ignore[attr-defined]
    with db.reading() as s:
        assert s.scalar(select(func.count()).select_from(LeadMatter)) == 0


def test_a_stale_step_shows_a_conflict(client: TestClient, db: Database, rnd: RoundIds) -> None:
    as_user(client, "cs_xcb_office")
    hand_over_by_page(client, db, rnd)
    as_user(client, "cs_jw_leads")
    r = client.post(f"/inspection/leads/{lead_id(db)}/receive", data={"version": "99", "csrf_token": csrf(client)})
    assert r.status_code == 409 and "已经过时" in r.text


def test_the_api_hands_over_shows_and_steps_a_lead(client: TestClient, db: Database, rnd: RoundIds) -> None:
    as_user(client, "cs_xcb_office")
    headers = {"X-CSRF-Token": csrf(client)}
    body = {
        "round_id": rnd.round_id,
        "target_unit_id": rnd.targets[1],
        "recipient": "organisation_department",
        "receiving_unit_id": unit(db, "cs-zzb"),
        "title": TITLE,
        "description": BODY,
        "due_on": "2024-09-30",
    }
    made = client.post("/api/v1/inspection/leads", json=body, headers=headers)
    assert made.status_code == 201, made.text
    assert made.json()["due_on"] == "2024-09-30" and made.headers["cache-control"] == "no-store"
    lid = made.json()["id"]
    listed = client.get("/api/v1/inspection/leads?status=handed_over")
    assert [x["id"] for x in listed.json()["items"]] == [lid] and listed.headers["cache-control"] == "no-store"
    bad = client.post("/api/v1/inspection/leads", json={**body, "recipient": "police"}, headers=headers)
    assert bad.status_code == 422 and "移交对象" in bad.json()["detail"]

    as_user(client, "cs_zzb_leads")
    headers = {"X-CSRF-Token": csrf(client)}
    one = client.get(f"/api/v1/inspection/leads/{lid}")
    assert one.status_code == 200 and one.json()["description"] == BODY and one.json()["actions"] == ["receive"]
    v = one.json()["version"]
    received = client.post(f"/api/v1/inspection/leads/{lid}/receive", json={"version": v}, headers=headers)
    assert received.status_code == 200, received.text
    v = received.json()["version"]
    fed = client.post(
        f"/api/v1/inspection/leads/{lid}/feed_back",
        json={"version": v, "note": "予以了结", "disposal": "concluded"},
        headers=headers,
    )
    assert fed.status_code == 200 and fed.json()["disposal_label"] == "予以了结"
    unknown = client.post(f"/api/v1/inspection/leads/{lid}/reopen", json={"version": v}, headers=headers)
    assert unknown.status_code == 422

    as_user(client, "cs_jw_leads")  # granted, but the lead went to the organisation department
    assert client.get(f"/api/v1/inspection/leads/{lid}").status_code == 404


def test_the_generic_matter_pages_and_api_know_no_lead_kind(client: TestClient, db: Database, rnd: RoundIds) -> None:
    as_user(client, "cs_xcb_office")
    hand_over_by_page(client, db, rnd)
    lid = lead_id(db)
    as_user(client, "admin")  # every action over the province, the lead grants included
    for url in (
        "/matters/inspection_lead",
        "/matters/inspection_lead/export.xlsx",
        f"/matters/inspection_lead/{lid}",
        "/matters/inspection_lead/stats",
        "/api/v1/matters/inspection_lead",
        f"/api/v1/matters/inspection_lead/{lid}",
        f"/api/v1/matters/inspection_lead/{lid}/listings",
        "/api/stats/matters?kind=inspection_lead&from=2024-01-01&to=2024-12-31",
    ):
        r = client.get(url, follow_redirects=False)
        assert r.status_code == 404, (url, r.status_code)
        assert TITLE not in r.text
    headers = {"X-CSRF-Token": csrf(client)}
    act = client.post(
        f"/api/v1/matters/inspection_lead/{lid}/actions", json={"action": "receive", "version": 1}, headers=headers
    )
    assert act.status_code == 404
