"""The JSON API of the audit log: verifying the hash chain, for auditors who see everything."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select, text

from tests.conftest import PASSWORD, csrf, login
from zhengwu.core.db import Actor, Database
from zhengwu.core.org.model import AUDIT_VIEW, system_principal
from zhengwu.core.org.service import GrantInput, create_user, save_role
from zhengwu.core.org.tables import Unit

URL = "/api/v1/audit/verify"


def tamper(db: Database, sql: str) -> None:
    """Change the log behind the application's back, as someone with database access could."""
    with db.engine.begin() as conn:
        conn.execute(text(sql))


def test_an_intact_chain_verifies(app_client: TestClient) -> None:
    login(app_client, "auditor")
    result = app_client.get(URL).json()
    assert result["ok"] is True and result["checked"] > 0
    assert result["broken_entry"] is None and result["reason"] is None


def test_writes_through_the_api_are_chained_into_the_log(app_client: TestClient) -> None:
    login(app_client, "admin")
    before = app_client.get(URL).json()["checked"]
    body = {"code": "fh-sw", "name": "凤凰县水利局", "kind": "department"}
    assert app_client.post("/api/v1/units", json=body, headers={"X-CSRF-Token": csrf(app_client)}).status_code == 201
    after = app_client.get(URL).json()
    assert after["ok"] is True and after["checked"] > before


def test_a_changed_entry_is_reported_with_its_number(app_client: TestClient, db: Database) -> None:
    tamper(db, """UPDATE audit_entries SET "after" = '{"name": "伪造"}' WHERE id = 3""")
    login(app_client, "auditor")
    result = app_client.get(URL).json()
    assert result == {"ok": False, "checked": 2, "broken_entry": 3, "reason": result["reason"]}
    assert "篡改" in result["reason"]


def test_a_deleted_entry_is_reported_as_missing(app_client: TestClient, db: Database) -> None:
    tamper(db, "DELETE FROM audit_entries WHERE id = 5")
    login(app_client, "auditor")
    result = app_client.get(URL).json()
    assert result["ok"] is False and result["broken_entry"] == 5 and "缺少第 5 条" in result["reason"]


def test_verification_needs_a_login(app_client: TestClient) -> None:
    r = app_client.get(URL)
    assert r.status_code == 401 and "请先登录" in r.json()["detail"]


def test_a_unit_administrator_without_the_audit_grant_is_refused(app_client: TestClient) -> None:
    login(app_client, "fh_admin")
    r = app_client.get(URL)
    assert r.status_code == 403 and "查看审计日志" in r.json()["detail"]


def test_an_audit_grant_narrower_than_all_is_not_enough(app_client: TestClient, db: Database) -> None:
    system = system_principal()
    with db.uow(Actor(None, "测试")) as uow:
        role = save_role(
            uow,
            system,
            None,
            version=None,
            code="unit_auditor",
            name="本单位审计",
            description="",
            grants=[GrantInput(AUDIT_VIEW, "subtree")],
        )
        fh = uow.session.scalar(select(Unit.id).where(Unit.code == "fh")) or 0
        create_user(
            uow,
            system,
            username="fh_audit",
            full_name="县审计员",
            unit_id=fh,
            password=PASSWORD,
            role_ids=[role.id],
        )
        uow.commit()
    login(app_client, "fh_audit")
    r = app_client.get(URL)
    assert r.status_code == 403 and "“全部”数据范围" in r.json()["detail"]
