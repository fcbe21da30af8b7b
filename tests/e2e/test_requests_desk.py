"""A request's whole hotline journey, through its own page and through the typed API: received → accepted →
dispatched → sent back → dispatched again → signed for → progress → extension asked and approved → resolved →
call-back unsatisfied through the unit's fault → reopened → resolved → call-back satisfied → closed; listed for
supervision by the county commission, progress reported and signed off. Also what the page offers to whom, and
its errors (422 with the Chinese message, 409 for a stale version)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.conftest import api_login, csrf, unit_id
from tests.support.request_people import category, setup
from zhengwu.core.db import Database
from zhengwu.core.matters.tables import MatterEvent, MatterExtension, SupervisionListing
from zhengwu.core.org.model import system_principal
from zhengwu.core.settings import Settings
from zhengwu.requests.tables import RequestMatter

PHONE = "13812345678"
NAME = "张三丰"
API = "/api/v1/requests"
JOURNEY = [
    "open",
    "accept",
    "dispatch",
    "send_back",
    "dispatch",
    "sign",
    "progress",
    "extension_requested",
    "extension_approved",
    "listed",
    "supervision_reported",
    "resolve",
    "reopen",
    "resolve",
    "close",
    "supervision_signed_off",
]


@pytest.fixture
def client(settings: Settings, db: Database) -> Iterator[TestClient]:
    setup(db)
    from zhengwu.web.app import create_app

    with TestClient(create_app(settings, db)) as c:
        yield c


def as_user(client: TestClient, username: str) -> TestClient:
    return api_login(client, username, "Secret123")


def load(db: Database, rid: int) -> RequestMatter:
    with db.reading() as s:
        found = s.get(RequestMatter, rid)
        assert found is not None
        return found


def history(db: Database, rid: int) -> list[str]:
    with db.reading() as s:
        return list(s.scalars(select(MatterEvent.action).where(MatterEvent.matter_id == rid).order_by(MatterEvent.id)))


def receive(client: TestClient, db: Database) -> int:
    c = as_user(client, "r_hotline")
    form = {
        "channel": "phone",
        "type": "complaint",
        "category_id": str(category(db, "traffic.road")),
        "description": "S256 腊尔山五潮河至大马段路面老化，雨天湿滑",
        "address": "凤凰县腊尔山镇",
        "road_code": "S256",
        "km_from": "K12+300",
        "km_to": "K27+900",
        "latitude": "27.95",
        "longitude": "109.6",
        "reporter_name": NAME,
        "reporter_phone": PHONE,
        "csrf_token": csrf(c),
    }
    r = c.post("/requests/new", data=form, follow_redirects=False)
    assert r.status_code == 303, r.text
    location = r.headers["location"].split("?")[0]
    assert location.startswith("/requests/")
    return int(location.rsplit("/", 1)[1])


# ------------------------------------------------------------------------------------------------ pages


def post(client: TestClient, url: str, expect: int = 303, home: bool = True, **data: Any) -> Any:
    r = client.post(url, data={**data, "csrf_token": csrf(client)}, follow_redirects=False)
    assert r.status_code == expect, r.text
    if expect == 303 and home:  # back on the request's own page
        rid = url.split("/")[3]
        assert r.headers["location"].split("?")[0] == f"/requests/{rid}", r.headers["location"]
    return r


def step(
    client: TestClient, db: Database, rid: int, action: str, expect: int = 303, home: bool = True, **fields: Any
) -> Any:
    data = {"action": action, "version": str(load(db, rid).version), **fields}
    return post(client, f"/matters/request/{rid}/act", expect, home, **data)


def page(client: TestClient, rid: int) -> str:
    r = client.get(f"/requests/{rid}")
    assert r.status_code == 200, r.text
    return str(r.text)


def test_the_whole_journey_through_the_pages(client: TestClient, db: Database) -> None:
    rid = receive(client, db)
    fh, road, jw = unit_id(db, "fh"), unit_id(db, "fh-gl"), unit_id(db, "fh-jw")
    hotline = as_user(client, "r_hotline")
    text = page(hotline, rid)
    for shown in (
        "投诉",
        "交通运输 › 公路养护",
        "电话",
        "S256 K12+300–K27+900",
        "凤凰县腊尔山镇",
        "张*",
        "138****5678",
    ):
        assert shown in text, shown
    assert PHONE not in text and NAME not in text
    assert 'value="accept"' in text and 'value="decline"' in text and 'value="dispatch"' not in text
    step(hotline, db, rid, "accept")
    text = page(hotline, rid)
    assert 'value="dispatch"' in text and "不属于受理范围" not in text
    step(hotline, db, rid, "dispatch", field__unit_id=str(road))

    roadie = as_user(client, "r_road")
    text = page(roadie, rid)
    assert 'value="sign"' in text and 'value="send_back"' in text and "只能" not in text
    r = step(roadie, db, rid, "send_back", 303, False, field__send_back_reason="属卫生健康部门职责")
    assert r.headers["location"].startswith("/matters/request?")  # no longer theirs: back to the list
    r = load(db, rid)
    assert (r.status, r.owner_unit_id, r.send_back_count) == ("sent_back", fh, 1)
    assert roadie.get(f"/requests/{rid}").status_code == 404  # back with the hotline

    hotline = as_user(client, "r_hotline")
    assert "已退回 1 次：属卫生健康部门职责" in page(hotline, rid)
    step(hotline, db, rid, "dispatch", field__unit_id=str(road), note="经核实属公路养护")

    roadie = as_user(client, "r_road")
    text = page(roadie, rid)
    assert 'value="sign"' in text and 'value="send_back"' not in text  # the one send-back is used
    step(roadie, db, rid, "sign")
    step(roadie, db, rid, "progress", note="设计单位已勘测 15.6 公里路段")
    post(roadie, f"/matters/request/{rid}/extensions", limit_code="handle", amount="5", reason="等待材料进场")

    hotline = as_user(client, "r_hotline")
    with db.reading() as s:
        ext = s.scalar(select(MatterExtension.id).where(MatterExtension.matter_id == rid))
    assert "批准延期" in page(hotline, rid)
    post(hotline, f"/matters/request/{rid}/extensions/{ext}", decision="approve", note="同意")

    commission = as_user(client, "r_commission")
    assert 'value="accept"' not in page(commission, rid) and "查看完整身份" in page(commission, rid)
    listing = {"supervising_unit_id": str(jw), "letter_no": "凤纪督〔2024〕1号", "level": "挂牌督办"}
    post(commission, f"/matters/request/{rid}/listings", requirements="7 月中旬前完成整改", due_in="20", **listing)
    with db.reading() as s:
        lid = s.scalar(select(SupervisionListing.id).where(SupervisionListing.matter_id == rid))

    roadie = as_user(client, "r_road")
    post(roadie, f"/matters/request/{rid}/listings/{lid}/reports", text="已开工铣刨")
    step(roadie, db, rid, "resolve", field__result="弯道铣刨、刻纹，施划减速标线", field__difficulties_solved="2")

    hotline = as_user(client, "r_hotline")
    assert "群众不满意且属承办单位责任的，诉求退回承办单位重办" in page(hotline, rid)
    step(hotline, db, rid, "call_back", field__unit_at_fault="1", note="群众反映仍湿滑")
    r = load(db, rid)
    assert (r.status, r.callback_satisfied, r.resolved_at) == ("handling", False, None)

    roadie = as_user(client, "r_road")
    step(roadie, db, rid, "resolve", field__result="补做抗滑磨耗层", field__difficulties_solved="3")
    hotline = as_user(client, "r_hotline")
    step(hotline, db, rid, "call_back", field__solved="1", field__satisfied="1", note="群众满意")
    r = load(db, rid)
    assert (r.status, r.callback_solved, r.callback_satisfied, r.difficulties_solved) == ("closed", True, True, 3)

    commission = as_user(client, "r_commission")
    with db.reading() as s:
        version = s.scalar(select(SupervisionListing.version).where(SupervisionListing.id == lid))
    post(commission, f"/matters/request/{rid}/listings/{lid}/signoff", note="整改到位，同意销号", version=str(version))
    assert history(db, rid) == JOURNEY
    text = page(commission, rid)
    for shown in ("已归档", "补做抗滑磨耗层", "问题已解决，群众满意", "整改到位，同意销号", "回访不满意重办"):
        assert shown in text, shown


def test_the_generic_pages_link_and_redirect_to_the_requests_own_page(client: TestClient, db: Database) -> None:
    rid = receive(client, db)
    c = as_user(client, "r_hotline")
    assert f'href="/requests/{rid}"' in c.get("/matters/request").text
    r = c.get(f"/matters/request/{rid}?ok=x", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == f"/requests/{rid}?ok=x"


def test_dispatch_offers_the_units_in_scope_with_the_routing_suggestion_marked(
    client: TestClient, db: Database
) -> None:
    from tests.support.request_people import SYSTEM
    from zhengwu.requests import service as requests

    with db.uow(SYSTEM) as uow:
        requests.add_routing_rule(
            uow, system_principal(), category_id=category(db, "traffic"), target_unit_id=unit_id(db, "fh-gl")
        )
        uow.commit()
    rid = receive(client, db)
    hotline = as_user(client, "r_hotline")
    step(hotline, db, rid, "accept")
    text = page(hotline, rid)
    assert f'<option value="{unit_id(db, "fh-gl")}" selected>凤凰县公路建设养护中心（建议）</option>' in text
    assert "凤凰县卫生健康局" in text and "吉首" not in text


def test_bad_input_shows_the_page_again_with_the_message_and_stale_versions_conflict(
    client: TestClient, db: Database
) -> None:
    rid = receive(client, db)
    hotline = as_user(client, "r_hotline")
    r = step(hotline, db, rid, "decline", 422, field__decline_reason="", note="重复")
    assert "请选择不予受理的理由" in r.text and "（字段：decline_reason）" in r.text and "<h1>" in r.text
    assert 'value="decline"' in r.text and "重复" in r.text  # the request's own page, with what was typed
    r = step(hotline, db, rid, "decline", 422, field__decline_reason="duplicate", note="")
    assert "请填写说明" in r.text
    r = post(hotline, f"/matters/request/{rid}/act", 409, action="accept", version="99")
    assert "页面上的信息已经过时" in r.text
    step(hotline, db, rid, "accept")
    r = step(hotline, db, rid, "dispatch", 403, field__unit_id=str(unit_id(db, "js-gl")))
    r = step(hotline, db, rid, "dispatch", 422, field__unit_id="abc")
    assert "承办单位应为整数" in r.text
    assert load(db, rid).status == "accepted"


def test_the_page_is_the_viewers_and_offers_only_their_steps(client: TestClient, db: Database) -> None:
    rid = receive(client, db)
    assert as_user(client, "r_road").get(f"/requests/{rid}").status_code == 404  # not yet dispatched to them
    assert as_user(client, "r_outsider").get(f"/requests/{rid}").status_code == 404
    text = page(as_user(client, "r_commission"), rid)
    assert "<h2>办理</h2>" not in text and PHONE not in text


# -------------------------------------------------------------------------------------------------- API


def api(client: TestClient, db: Database, rid: int, step_: str, expect: int = 200, **body: Any) -> Any:
    r = client.post(f"{API}/{rid}/{step_}", json={"version": load(db, rid).version, **body})
    assert r.status_code == expect, r.text
    return r.json()


def test_the_whole_journey_through_the_api(client: TestClient, db: Database) -> None:
    hotline = as_user(client, "r_hotline")
    from tests.support.request_people import category as cat

    r = hotline.post(
        API,
        json={
            "channel": "phone",
            "type": "complaint",
            "category_id": cat(db, "traffic.road"),
            "description": "S256 路面老化湿滑",
            "reporter_name": NAME,
            "reporter_phone": PHONE,
        },
    )
    assert r.status_code == 201, r.text
    rid = r.json()["id"]
    road, jw = unit_id(db, "fh-gl"), unit_id(db, "fh-jw")
    out = api(hotline, db, rid, "accept")
    assert out["status"] == "accepted" and out["reporter"]["phone"] == "138****5678"
    assert PHONE not in str(out)
    assert api(hotline, db, rid, "dispatch", unit_id=road)["owner_unit_id"] == road
    roadie = as_user(client, "r_road")
    out = api(roadie, db, rid, "send-back", reason="属卫生健康部门职责")
    assert (out["status"], out["send_back_count"]) == ("sent_back", 1)
    hotline = as_user(client, "r_hotline")
    api(hotline, db, rid, "dispatch", unit_id=road)
    roadie = as_user(client, "r_road")
    error = api(roadie, db, rid, "send-back", 422, reason="再退一次")
    assert "已退回过一次" in error["detail"] and error["field"] == "send_back_reason"
    api(roadie, db, rid, "sign")
    api(roadie, db, rid, "progress", note="已勘测")
    r = roadie.post(
        f"/api/v1/matters/request/{rid}/extensions", json={"limit_code": "handle", "amount": 5, "reason": "等材料"}
    )
    assert r.status_code == 201, r.text
    hotline = as_user(client, "r_hotline")
    r = hotline.post(f"/api/v1/matters/request/{rid}/extensions/{r.json()['id']}/decision", json={"approve": True})
    assert r.status_code == 200, r.text
    commission = as_user(client, "r_commission")
    listing = {
        "supervising_unit_id": jw,
        "letter_no": "凤纪督〔2024〕2号",
        "level": "挂牌督办",
        "requirements": "限期整改",
        "due_in": 20,
    }
    r = commission.post(f"/api/v1/matters/request/{rid}/listings", json=listing)
    assert r.status_code == 201, r.text
    lid = r.json()["id"]
    roadie = as_user(client, "r_road")
    r = roadie.post(f"/api/v1/matters/request/{rid}/listings/{lid}/reports", json={"text": "已开工"})
    assert r.status_code == 201, r.text
    out = api(roadie, db, rid, "resolve", result="已铣刨刻纹", difficulties_solved=2)
    assert (out["status"], out["difficulties_solved"]) == ("resolved", 2)
    hotline = as_user(client, "r_hotline")
    api(hotline, db, rid, "call-back", 422, solved=False, satisfied=False, unit_at_fault=True)  # a note is needed
    out = api(hotline, db, rid, "call-back", solved=False, satisfied=False, unit_at_fault=True, note="仍湿滑")
    assert out["status"] == "handling"
    roadie = as_user(client, "r_road")
    api(roadie, db, rid, "resolve", result="补做抗滑磨耗层", difficulties_solved=3)
    hotline = as_user(client, "r_hotline")
    out = api(hotline, db, rid, "call-back", solved=True, satisfied=True)
    assert (out["status"], out["callback_satisfied"]) == ("closed", True)
    commission = as_user(client, "r_commission")
    version = commission.get(f"/api/v1/matters/request/{rid}/listings").json()[0]["version"]
    r = commission.post(
        f"/api/v1/matters/request/{rid}/listings/{lid}/signoff", json={"note": "同意销号", "version": version}
    )
    assert r.status_code == 200, r.text
    events = commission.get(f"{API}/{rid}/history").json()
    assert [e["action"] for e in events] == JOURNEY
    assert events[12]["action_label"] == "回访不满意重办"


def test_api_steps_are_strict_and_check_the_version(client: TestClient, db: Database) -> None:
    rid = receive(client, db)
    hotline = as_user(client, "r_hotline")
    r = hotline.post(f"{API}/{rid}/accept", json={"version": 99})
    assert r.status_code == 409, r.text
    r = hotline.post(f"{API}/{rid}/accept", json={"version": load(db, rid).version, "owner": 1})
    assert r.status_code == 422
    r = hotline.post(f"{API}/{rid}/decline", json={"version": load(db, rid).version, "reason": "不想办", "note": "x"})
    assert r.status_code == 422 and r.json()["field"] == "decline_reason"
    out = api(hotline, db, rid, "decline", reason="duplicate", note="与诉-2024-000001 重复")
    assert (out["status"], out["decline_reason"]) == ("declined", "duplicate")
    assert as_user(client, "r_road").get(f"{API}/{rid}/history").status_code == 404


def test_the_generic_api_goes_through_the_hotline_services(client: TestClient, db: Database) -> None:
    rid = receive(client, db)
    road = unit_id(db, "fh-gl")
    hotline = as_user(client, "r_hotline")
    generic = f"/api/v1/matters/request/{rid}/actions"

    def act(c: TestClient, action: str, expect: int = 200, note: str = "", **data: Any) -> Any:
        r = c.post(generic, json={"action": action, "version": load(db, rid).version, "note": note, "data": data})
        assert r.status_code == expect, r.text
        return r.json()

    assert act(hotline, "decline", 422, note="x", decline_reason="不想办")["field"] == "decline_reason"
    act(hotline, "accept")
    assert act(hotline, "dispatch", 403, owner_unit_id=unit_id(db, "js-gl"))
    act(hotline, "dispatch", owner_unit_id=road)
    roadie = as_user(client, "r_road")
    act(roadie, "send_back", send_back_reason="不归我们管")
    hotline = as_user(client, "r_hotline")
    act(hotline, "dispatch", owner_unit_id=road)
    roadie = as_user(client, "r_road")
    refused = act(roadie, "send_back", 422, send_back_reason="再退")
    assert refused["field"] == "send_back_reason"
    act(roadie, "sign")
    assert act(roadie, "resolve", 422, result="已修", difficulties_solved="x")["field"] == "difficulties_solved"
    act(roadie, "resolve", result="已修", difficulties_solved=4)
    assert load(db, rid).difficulties_solved == 4
    hotline = as_user(client, "r_hotline")
    assert act(hotline, "close", 422, satisfied=False, unit_at_fault=True)["field"] == "unit_at_fault"
    act(hotline, "reopen", note="群众不满意")
    assert load(db, rid).status == "handling"
