"""The inbox ``/notices``, its JSON API and the to-do list, after a tick (the story of
tests/integration/test_notices.py: a listed matter of 养护中心 left alone until the tick of Saturday 12 October
2024). The commission's s_county views every matter of the kind: it may browse 养护中心's notices, but only its own
unit's copies are unread for it and its to mark read."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.conftest import csrf, login, unit_id
from tests.support.supervision_people import SYSTEM, add_people, at, open_matter
from tests.support.three_step import KIND
from zhengwu.core.audit.tables import AuditEntry
from zhengwu.core.clock import FakeClock
from zhengwu.core.db import Database
from zhengwu.core.matters import supervision
from zhengwu.core.matters.tables import MatterNotice
from zhengwu.core.matters.tick import tick

CJK = re.compile(r"[\u4e00-\u9fff]")
SERIAL = "测-2024-000001"


@pytest.fixture
def matter(app_client: TestClient, db: Database, clock: FakeClock) -> int:
    clock.set(at(2024, 9, 26))
    people = add_people(db)
    mid = open_matter(db, people)
    with db.uow(SYSTEM) as uow:
        supervision.list_for_supervision(
            uow,
            people["s_county"],
            KIND,
            mid,
            supervising_unit_id=unit_id(db, "fh-jw"),
            letter_no="凤纪督〔2024〕12号",
            level="县级挂牌督办",
            requirements="限期处置并报送结果",
            due_at=date(2024, 9, 30),
        )
        uow.commit()
    clock.set(at(2024, 10, 12, 7))
    with db.uow(SYSTEM) as uow:
        tick(uow, clock.now())
        uow.commit()
    clock.set(at(2024, 10, 14, 9))
    return mid


def as_user(client: TestClient, username: str) -> TestClient:
    client.cookies.clear()
    return login(client, username)


def notice_id(db: Database, kind: str, unit: str) -> int:
    with db.reading() as s:
        found = s.scalar(
            select(MatterNotice.id).where(MatterNotice.kind == kind, MatterNotice.unit_id == unit_id(db, unit))
        )
    assert found is not None
    return found


def read_state(db: Database) -> list[tuple[int, Any, str]]:
    with db.reading() as s:
        return [(n.id, n.read_at, n.read_by) for n in s.scalars(select(MatterNotice).order_by(MatterNotice.id))]


def audit_size(db: Database) -> int:
    with db.reading() as s:
        return len(list(s.scalars(select(AuditEntry.id))))


def api_post(client: TestClient, url: str) -> Any:
    return client.post(url, headers={"X-CSRF-Token": csrf(client)})


def test_the_owner_units_clerk_sees_the_notices_in_the_inbox_in_the_api_and_on_the_to_do_list(
    app_client: TestClient, matter: int
) -> None:
    handler = as_user(app_client, "s_handler")
    page = handler.get("/notices").text
    assert re.search(r'<a href="/notices"[^>]*>提醒与通知</a>', handler.get("/").text)  # the navigation item
    for label in ("逾期警示", "到期提醒", "催办通知", "通报批评"):
        assert f"<td>{label}</td>" in page
    assert f'<a href="/matters/testkind/{matter}">{SERIAL}</a>' in page
    assert "凤凰县公路建设养护中心" in page and "2024-10-12 07:00" in page
    assert page.count('<span class="badge soon">未读</span>') == 4 and "凤凰县纪委监委" not in page
    listed = handler.get("/api/v1/notices").json()
    assert listed["total"] == 4 and {i["kind_label"] for i in listed["items"]} == {
        "逾期警示",
        "到期提醒",
        "催办通知",
        "通报批评",
    }
    assert all(i["serial"] == SERIAL and not i["read"] for i in listed["items"])
    assert handler.get("/api/v1/notices/unread-count").json() == {"unread": 4, "unread_in_scope": 4}
    assert all(i["mine"] for i in listed["items"]) and handler.get("/api/v1/notices?mine=false").json() == listed
    todo = handler.get("/").text
    assert f"通报批评：{SERIAL}" in todo and f"到期提醒：{SERIAL}" in todo
    assert f'href="/matters/testkind/{matter}"' in todo


def test_the_inbox_filters_by_kind_and_by_read_state(app_client: TestClient, db: Database, matter: int) -> None:
    handler = as_user(app_client, "s_handler")
    urging = handler.get("/notices?kind=urging").text
    assert "<td>催办通知</td>" in urging and "<td>通报批评</td>" not in urging
    api_post(handler, f"/api/v1/notices/{notice_id(db, 'reminder', 'fh-gl')}/read")
    assert "<td>到期提醒</td>" not in handler.get("/notices?show=unread").text
    assert "<td>到期提醒</td>" in handler.get("/notices").text
    assert handler.get("/api/v1/notices?unread=true").json()["total"] == 3
    assert [i["kind"] for i in handler.get("/api/v1/notices?kind=overdue").json()["items"]] == ["overdue"]


def test_marking_a_notice_read_on_the_page_confirms_it_and_takes_it_off_the_to_do_list(
    app_client: TestClient, db: Database, matter: int
) -> None:
    handler = as_user(app_client, "s_handler")
    nid = notice_id(db, "criticism", "fh-gl")
    data = {"csrf_token": csrf(handler), "back": "/notices?show=unread"}
    r = handler.post(f"/notices/{nid}/read", data=data, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/notices?show=unread&ok=")
    page = handler.get(r.headers["location"]).text
    assert f"已将“通报批评：{SERIAL}”标为已读" in page and "<td>通报批评</td>" not in page
    assert f"通报批评：{SERIAL}" not in handler.get("/").text
    assert handler.get("/api/v1/notices/unread-count").json() == {"unread": 3, "unread_in_scope": 3}
    shown = handler.get("/notices").text
    assert "s_handler 2024-10-14 09:00" in shown  # who read it, and when
    again = handler.post(f"/notices/{nid}/read", data=data, follow_redirects=False)
    assert again.status_code == 303
    out = api_post(handler, f"/api/v1/notices/{nid}/read").json()
    assert (out["read"], out["read_by"], out["read_at"]) == (True, "s_handler", "2024-10-14T01:00:00Z")


def test_the_supervising_commission_sees_its_copies_of_the_urging_notice_and_the_criticism(
    app_client: TestClient, matter: int
) -> None:
    county = as_user(app_client, "s_county")
    items = county.get("/api/v1/notices").json()["items"]  # by default: its own unit's
    assert sorted((i["kind"], i["unit"], i["mine"]) for i in items) == [
        ("criticism", "凤凰县纪委监委", True),
        ("urging", "凤凰县纪委监委", True),
    ]
    assert "凤凰县纪委监委" in county.get("/notices?kind=urging").text


def test_the_commission_browses_every_unit_in_scope_but_only_its_own_notices_are_on_its_to_do_list(
    app_client: TestClient, matter: int
) -> None:
    county = as_user(app_client, "s_county")
    own = county.get("/notices").text  # the page's default: 本单位
    assert '<option value="1" selected>本单位</option>' in own
    assert "凤凰县公路建设养护中心" not in own and own.count('<span class="badge soon">未读</span>') == 2
    everything = county.get("/notices?mine=0").text  # 所辖全部
    assert '<option value="0" selected>所辖全部</option>' in everything
    assert "<td>凤凰县公路建设养护中心</td>" in everything and "<td>逾期警示</td>" in everything
    assert everything.count('<span class="badge soon">未读</span>') == 6
    assert everything.count('class="link">标为已读</button>') == 2  # only on its own two copies
    assert everything.count("待被通知单位标为已读") == 4
    assert 'name="back" value="/notices?mine=0"' in everything  # the marking forms come back to the same view
    listed = county.get("/api/v1/notices?mine=false").json()
    assert listed["total"] == 6
    assert {(i["unit"], i["mine"]) for i in listed["items"]} == {
        ("凤凰县纪委监委", True),
        ("凤凰县公路建设养护中心", False),
    }
    assert county.get("/api/v1/notices/unread-count").json() == {"unread": 2, "unread_in_scope": 6}
    todo = county.get("/").text
    assert f"催办通知：{SERIAL}" in todo and f"通报批评：{SERIAL}" in todo  # its own copies
    assert f"逾期警示：{SERIAL}" not in todo and f"到期提醒：{SERIAL}" not in todo  # 养护中心's alone
    assert "发给凤凰县公路建设养护中心" not in todo


def test_the_commission_cannot_mark_another_units_notice_read_but_the_unit_told_can(
    app_client: TestClient, db: Database, matter: int
) -> None:
    county = as_user(app_client, "s_county")
    nid = notice_id(db, "urging", "fh-gl")
    before, audited = read_state(db), audit_size(db)
    r = api_post(county, f"/api/v1/notices/{nid}/read")
    assert r.status_code == 403 and "只能由被通知单位标为已读" in r.json()["detail"]
    page = county.post(f"/notices/{nid}/read", data={"csrf_token": csrf(county)}, follow_redirects=False)
    assert page.status_code == 403 and "只能由被通知单位标为已读" in page.text
    assert read_state(db) == before and audit_size(db) == audited  # nothing written, nothing audited
    handler = as_user(app_client, "s_handler")
    assert f"催办通知：{SERIAL}" in handler.get("/").text  # still on 养护中心's to-do list
    out = api_post(handler, f"/api/v1/notices/{nid}/read").json()
    assert (out["read"], out["read_by"], out["mine"]) == (True, "s_handler", True)


def test_read_all_by_the_commission_leaves_other_units_notices_unread(
    app_client: TestClient, db: Database, matter: int
) -> None:
    county = as_user(app_client, "s_county")
    r = county.post("/notices/read-all", data={"csrf_token": csrf(county), "back": "/notices?mine=0"})
    assert "已将本单位的 2 条提醒标为已读" in r.text
    assert r.text.count('<span class="badge soon">未读</span>') == 4  # 养护中心's four, still unread
    assert county.get("/api/v1/notices/unread-count").json() == {"unread": 0, "unread_in_scope": 4}
    assert api_post(county, "/api/v1/notices/read-all").json() == {"marked": 0}
    handler = as_user(app_client, "s_handler")
    assert handler.get("/api/v1/notices/unread-count").json() == {"unread": 4, "unread_in_scope": 4}
    assert f"逾期警示：{SERIAL}" in handler.get("/").text
    assert api_post(handler, "/api/v1/notices/read-all").json() == {"marked": 4}
    assert {by for _, _, by in read_state(db)} == {"s_county", "s_handler"}


def test_a_user_of_another_county_sees_no_notice_and_cannot_mark_one_read(
    app_client: TestClient, db: Database, matter: int
) -> None:
    outsider = as_user(app_client, "s_outsider")
    before = read_state(db)
    assert "没有提醒" in outsider.get("/notices").text and SERIAL not in outsider.get("/").text
    assert outsider.get("/api/v1/notices").json()["total"] == 0
    nid = notice_id(db, "urging", "fh-gl")
    r = api_post(outsider, f"/api/v1/notices/{nid}/read")
    assert r.status_code == 404 and "不在您的数据范围内" in r.json()["detail"]
    page = outsider.post(f"/notices/{nid}/read", data={"csrf_token": csrf(outsider)}, follow_redirects=False)
    assert page.status_code == 404 and "不在您的数据范围内" in page.text
    assert api_post(outsider, "/api/v1/notices/read-all").json() == {"marked": 0}
    assert read_state(db) == before


def test_read_all_marks_only_the_notices_the_user_may_see(app_client: TestClient, matter: int) -> None:
    handler = as_user(app_client, "s_handler")
    r = handler.post("/notices/read-all", data={"csrf_token": csrf(handler)}, follow_redirects=False)
    assert r.status_code == 303
    assert "已将本单位的 4 条提醒标为已读" in handler.get(r.headers["location"]).text
    assert handler.get("/api/v1/notices/unread-count").json() == {"unread": 0, "unread_in_scope": 0}
    assert "全部标为已读" not in handler.get("/notices").text
    county = as_user(app_client, "s_county")
    assert county.get("/api/v1/notices/unread-count").json() == {"unread": 2, "unread_in_scope": 2}  # its own
    assert api_post(county, "/api/v1/notices/read-all").json() == {"marked": 2}


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("show=everything", "show"),
        ("kind=bogus", "kind"),
        ("page=abc", "page"),
        ("page=0", "page"),
        ("kind=%00", "kind"),
        ("mine=2", "mine"),
        ("mine=all", "mine"),
    ],
)
def test_a_junk_filter_on_the_inbox_is_refused_in_chinese(
    app_client: TestClient, matter: int, query: str, field: str
) -> None:
    r = as_user(app_client, "s_handler").get(f"/notices?{query}")
    assert r.status_code == 422 and CJK.search(r.text) and field in r.text


@pytest.mark.parametrize("junk", ["abc", "0", "-3", str(2**40), "1.5", "999999"])
def test_marking_a_junk_notice_id_is_refused_in_chinese_and_writes_nothing(
    app_client: TestClient, db: Database, matter: int, junk: str
) -> None:
    handler = as_user(app_client, "s_handler")
    before = read_state(db)
    page = handler.post(f"/notices/{junk}/read", data={"csrf_token": csrf(handler)}, follow_redirects=False)
    api = api_post(handler, f"/api/v1/notices/{junk}/read")
    assert page.status_code in (404, 422) and CJK.search(page.text)
    assert api.status_code in (404, 422) and CJK.search(api.json()["detail"])
    assert read_state(db) == before


def test_marking_needs_the_csrf_token_and_goes_back_only_to_the_inbox(
    app_client: TestClient, db: Database, matter: int
) -> None:
    handler = as_user(app_client, "s_handler")
    nid = notice_id(db, "urging", "fh-gl")
    assert handler.post(f"/notices/{nid}/read", follow_redirects=False).status_code == 403
    assert handler.post("/api/v1/notices/read-all").status_code == 403
    assert handler.get("/api/v1/notices/unread-count").json() == {"unread": 4, "unread_in_scope": 4}
    data = {"csrf_token": csrf(handler), "back": "https://example.com/notices"}
    r = handler.post(f"/notices/{nid}/read", data=data, follow_redirects=False)
    assert r.headers["location"].startswith("/notices?ok=")
