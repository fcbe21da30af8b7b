"""The JSON API of a matter kind (the three-step test kind)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.conftest import api_login, unit_id
from tests.support.matter_people import add_people
from tests.support.three_step import KIND
from zhengwu.core.db import Actor, Database
from zhengwu.core.matters import service
from zhengwu.core.org.model import system_principal

API = "/api/v1/matters/testkind"


@pytest.fixture
def matter(app_client: TestClient, db: Database) -> int:
    add_people(db)
    with db.uow(Actor(None, "测试")) as uow:
        m = service.open_matter(
            uow,
            system_principal(),
            KIND,
            title="S256 路面湿滑",
            owner_unit_id=unit_id(db, "fh-gl"),
            fields={"location": "S256 K12+300"},
        )
        uow.commit()
        return m.id


def as_user(client: TestClient, username: str) -> TestClient:
    return api_login(client, username)


def test_the_detail_lists_deadlines_history_and_the_actions_the_caller_may_take(
    app_client: TestClient, matter: int
) -> None:
    body = as_user(app_client, "t_handler").get(f"{API}/{matter}").json()
    assert body["serial"] == "测-2024-000001" and body["fields"]["location"] == "S256 K12+300"
    assert [a["code"] for a in body["actions"]] == ["accept"]
    assert [d["code"] for d in body["deadlines"]] == ["sign"] and body["deadlines"][0]["light"] == "yellow"
    assert [e["action_label"] for e in body["history"]] == ["登记"]
    assert as_user(app_client, "t_clerk").get(f"{API}/{matter}").json()["actions"] == []


def test_actions_move_the_matter_and_a_step_not_in_the_table_is_a_409(app_client: TestClient, matter: int) -> None:
    client = as_user(app_client, "t_handler")
    r = client.post(f"{API}/{matter}/actions", json={"action": "accept", "version": 1})
    assert r.status_code == 200 and r.json()["status"] == "handling"
    version = r.json()["version"]
    r = client.post(f"{API}/{matter}/actions", json={"action": "accept", "version": version})
    assert r.status_code == 409 and "不能执行" in r.json()["detail"]
    r = client.post(f"{API}/{matter}/actions", json={"action": "resolve", "version": version, "note": "办结"})
    assert r.status_code == 422 and r.json()["field"] == "result"
    r = client.post(
        f"{API}/{matter}/actions",
        json={"action": "resolve", "version": version, "note": "办结", "data": {"result": "隐患已排除"}},
    )
    assert r.status_code == 200 and r.json()["status"] == "resolved"
    assert client.get(f"{API}/{matter}").json()["fields"]["result"] == "隐患已排除"


def test_an_extension_and_a_pause_through_the_api(app_client: TestClient, matter: int) -> None:
    handler = as_user(app_client, "t_handler")
    r = handler.post(f"{API}/{matter}/extensions", json={"limit_code": "sign", "amount": 2, "reason": "需踏勘"})
    assert r.status_code == 201
    ext = r.json()["id"]
    boss = as_user(app_client, "t_super")
    r = boss.post(f"{API}/{matter}/extensions/{ext}/decision", json={"approve": False})
    assert r.status_code == 422 and r.json()["field"] == "note"
    r = boss.post(f"{API}/{matter}/extensions/{ext}/decision", json={"approve": True})
    assert r.status_code == 200 and r.json()["status"] == "approved"
    assert boss.post(f"{API}/{matter}/pause", json={"reason": "等待材料"}).json()["status"] == "received"
    assert boss.get(f"{API}/{matter}").json()["paused"] is True
    assert boss.post(f"{API}/{matter}/resume").status_code == 200
    history = [e["action"] for e in boss.get(f"{API}/{matter}").json()["history"]]
    assert history == ["open", "extension_requested", "extension_approved", "paused", "resumed"]


def test_the_list_is_scoped_and_filtered(app_client: TestClient, matter: int) -> None:
    handler = as_user(app_client, "t_handler")
    assert handler.get(API).json()["total"] == 1
    assert handler.get(API, params={"status": "closed"}).json()["total"] == 0
    assert as_user(app_client, "t_outsider").get(API).json()["total"] == 0
    assert as_user(app_client, "fh_gl").get(API).status_code == 403  # no grant on this kind at all
