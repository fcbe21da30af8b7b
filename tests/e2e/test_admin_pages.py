"""The admin pages for units, users and roles, driven through the HTTP client as an administrator would."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from tests.conftest import PASSWORD, csrf, login, role_ids, user_id
from zhengwu.core.db import Database
from zhengwu.core.org.tables import Role, RoleGrant, RoleGrantUnit, Unit, User


def unit_ids(db: Database) -> dict[str, int]:
    with db.reading() as s:
        return {code: id_ for code, id_ in s.execute(select(Unit.code, Unit.id))}


def count(db: Database, entity: type) -> int:
    with db.reading() as s:
        return s.scalar(select(func.count()).select_from(entity)) or 0


def post(client: TestClient, url: str, data: dict[str, Any], **kw: Any) -> Any:
    return client.post(url, data={**data, "csrf_token": csrf(client)}, follow_redirects=False, **kw)


def another_browser(client: TestClient) -> TestClient:
    other = TestClient(client.app)
    other.get("/login")
    return other


# ---------------------------------------------------------------- creating


def test_an_administrator_creates_a_unit_and_is_taken_to_it(app_client: TestClient, db: Database) -> None:
    login(app_client, "admin")
    r = post(
        app_client,
        "/admin/units",
        {"code": "fh-cj", "name": "凤凰县城建局", "kind": "department", "parent_id": unit_ids(db)["fh"]},
    )
    assert r.status_code == 303, r.text
    new_id = unit_ids(db)["fh-cj"]
    assert r.headers["location"].startswith(f"/admin/units/{new_id}?ok=")
    page = app_client.get(f"/admin/units/{new_id}")
    assert page.status_code == 200 and "凤凰县城建局" in page.text


def test_an_administrator_creates_a_user_who_can_then_log_in(app_client: TestClient, db: Database) -> None:
    login(app_client, "admin")
    r = post(
        app_client,
        "/admin/users",
        {
            "username": "fh_jy",
            "full_name": "教育局经办人",
            "unit_id": unit_ids(db)["fh-jy"],
            "password": "Jiaoyu2024",
            "role_ids": [role_ids(db)["clerk"]],
        },
    )
    assert r.status_code == 303, r.text
    assert r.headers["location"].startswith(f"/admin/users/{user_id(db, 'fh_jy')}")
    login(another_browser(app_client), "fh_jy", "Jiaoyu2024")


def test_an_administrator_creates_a_role_and_edits_it_keeping_its_grants(app_client: TestClient, db: Database) -> None:
    login(app_client, "admin")
    grants = {"scope__org.unit.view": "listed", "units__org.unit.view": "fh,js", "scope__org.user.view": "unit"}
    r = post(app_client, "/admin/roles", {"code": "viewer", "name": "查看员", "description": "只读", **grants})
    assert r.status_code == 303, r.text
    rid = role_ids(db)["viewer"]
    page = app_client.get(f"/admin/roles/{rid}")
    assert page.status_code == 200 and "查看员" in page.text and 'value="fh,js"' in page.text
    # Saving again with the same grants (and a new name) must not trip over the rows it keeps.
    r = post(app_client, f"/admin/roles/{rid}", {"code": "viewer", "name": "查看人员", "version": 1, **grants})
    assert r.status_code == 303, r.text
    with db.reading() as s:
        role = s.get(Role, rid)
        assert role is not None and role.name == "查看人员"
        assert s.scalar(select(func.count()).select_from(RoleGrant).where(RoleGrant.role_id == rid)) == 2
    r = post(
        app_client,
        f"/admin/roles/{rid}",
        {"code": "viewer", "name": "查看人员", "version": 2, **grants, "units__org.unit.view": "js,cs"},
    )
    assert r.status_code == 303, r.text
    with db.reading() as s:
        units = s.scalars(select(Unit.code).join(RoleGrantUnit).join(RoleGrant).where(RoleGrant.role_id == rid))
        assert set(units) == {"js", "cs"}


# ---------------------------------------------------------------- bad input


def _unit_form(db: Database, **changes: Any) -> dict[str, Any]:
    return {"code": "fh-new", "name": "凤凰县新设局", "kind": "department", "parent_id": unit_ids(db)["fh"]} | changes


BAD_UNITS = {
    "empty name": ({"name": "  "}, "name", "请填写单位名称", 'value="fh-new"'),
    "bad code characters": ({"code": "坏编码"}, "code", "单位编码只能包含", 'value="坏编码"'),
    "duplicate code": ({"code": "fh-jy"}, "code", "已存在", 'value="fh-jy"'),
    "unknown parent": ({"parent_id": "99999"}, "parent_id", "上级单位不存在", 'value="凤凰县新设局"'),
    "unknown kind": ({"kind": "planet"}, "kind", "单位类型“planet”无效", 'value="凤凰县新设局"'),
}


@pytest.mark.parametrize(("changes", "field", "message", "kept"), BAD_UNITS.values(), ids=BAD_UNITS.keys())
def test_a_bad_unit_is_refused_naming_the_field_keeping_the_input_and_writing_nothing(
    app_client: TestClient, db: Database, changes: dict[str, Any], field: str, message: str, kept: str
) -> None:
    login(app_client, "admin")
    before = count(db, Unit)
    r = post(app_client, "/admin/units", _unit_form(db, **changes))
    assert r.status_code == 422
    assert f"（字段：{field}）" in r.text and message in r.text
    assert kept in r.text
    assert count(db, Unit) == before


def test_a_weak_password_is_refused_keeping_the_rest_of_the_form(app_client: TestClient, db: Database) -> None:
    login(app_client, "admin")
    before = count(db, User)
    r = post(
        app_client,
        "/admin/users",
        {"username": "weak_one", "full_name": "弱密码", "unit_id": unit_ids(db)["fh-jy"], "password": "12345678"},
    )
    assert r.status_code == 422
    assert "（字段：password）" in r.text and "密码至少 8 位" in r.text
    assert 'value="weak_one"' in r.text and 'value="弱密码"' in r.text
    assert count(db, User) == before


def test_a_duplicate_username_is_refused(app_client: TestClient, db: Database) -> None:
    login(app_client, "admin")
    before = count(db, User)
    r = post(
        app_client,
        "/admin/users",
        {"username": "fh_gl", "full_name": "重名", "unit_id": unit_ids(db)["fh-jy"], "password": "Secret123"},
    )
    assert r.status_code == 422 and "（字段：username）" in r.text and "已被使用" in r.text
    assert count(db, User) == before


# ---------------------------------------------------------------- import


def upload(client: TestClient, content: str, encoding: str = "utf-8") -> Any:
    return client.post(
        "/admin/units/import",
        data={"csrf_token": csrf(client)},
        files={"file": ("units.csv", content.encode(encoding), "text/csv")},
        follow_redirects=False,
    )


def test_a_good_unit_file_imports_every_row_under_the_right_parents(app_client: TestClient, db: Database) -> None:
    login(app_client, "admin")
    csv = (
        "code,name,kind,parent_code\n"
        "fh-les-1,腊尔山村,村（社区）,fh-les\n"
        "fh-les-2,夯卡村,village,fh-les\n"
        "fh-les-2-a,夯卡村一组,other,fh-les-2\n"
    )
    r = upload(app_client, csv, "gb18030")
    assert r.status_code == 303, r.text
    assert "/admin/units?ok=" in r.headers["location"]
    with db.reading() as s:
        units = {u.code: u for u in s.scalars(select(Unit))}
    assert units["fh-les-1"].parent_id == units["fh-les"].id
    assert units["fh-les-2-a"].parent_id == units["fh-les-2"].id
    assert units["fh-les-2-a"].path == f"{units['fh-les'].path}{units['fh-les-2'].id}/{units['fh-les-2-a'].id}/"


def test_a_bad_unit_file_is_refused_row_by_row_and_writes_nothing(app_client: TestClient, db: Database) -> None:
    login(app_client, "admin")
    before = count(db, Unit)
    csv = (
        "code,name,kind,parent_code\n"
        "ok-1,好单位,department,fh\n"
        "bad code,坏编码,department,fh\n"
        "no-name,,department,fh\n"
        "x-1,某单位,星球,fh\n"
        "x-2,某单位,department,nowhere\n"
        "fh,重复的编码,department,\n"
    )
    r = upload(app_client, csv)
    assert r.status_code == 422
    for line, field in [(3, "code"), (4, "name"), (5, "kind"), (6, "parent_code"), (7, "code")]:
        assert f"<tr><td>{line}</td><td>{field}</td>" in r.text
    assert "未写入任何数据" in r.text
    assert count(db, Unit) == before


def test_an_import_reaching_outside_the_importers_scope_writes_nothing(app_client: TestClient, db: Database) -> None:
    login(app_client, "fh_admin")
    before = count(db, Unit)
    r = upload(app_client, "code,name,kind,parent_code\nfh-ok,本县新单位,department,fh\njs-no,外县单位,department,js\n")
    assert r.status_code == 403
    assert count(db, Unit) == before


# ---------------------------------------------------------------- scope and lock-out through the pages


def test_a_county_admin_gets_not_found_for_another_countys_unit_and_user(app_client: TestClient, db: Database) -> None:
    login(app_client, "fh_admin")
    assert app_client.get(f"/admin/units/{unit_ids(db)['js-gl']}").status_code == 404
    assert app_client.get(f"/admin/users/{user_id(db, 'js_admin')}").status_code == 404
    assert app_client.get(f"/admin/units/{unit_ids(db)['fh-gl']}").status_code == 200
    units = app_client.get("/admin/units?q=吉首").text
    assert "没有符合条件的记录" in units


def test_a_password_reset_unlocks_a_locked_out_user(app_client: TestClient, db: Database) -> None:
    victim = another_browser(app_client)
    for _ in range(5):
        victim.post("/login", data={"username": "fh_gl", "password": "wrong-1", "csrf_token": csrf(victim)})
    r = victim.post("/login", data={"username": "fh_gl", "password": PASSWORD, "csrf_token": csrf(victim)})
    assert r.status_code == 401 and "请 15 分钟后再试" in r.text

    login(app_client, "admin")
    uid = user_id(db, "fh_gl")
    assert "被锁定至" in app_client.get(f"/admin/users/{uid}").text
    r = post(app_client, f"/admin/users/{uid}/password", {"password": "Reset2024"})
    assert r.status_code == 303
    assert "被锁定至" not in app_client.get(f"/admin/users/{uid}").text
    login(victim, "fh_gl", "Reset2024")


def test_a_weak_password_reset_is_refused_and_keeps_the_lock(app_client: TestClient, db: Database) -> None:
    login(app_client, "admin")
    r = post(app_client, f"/admin/users/{user_id(db, 'fh_gl')}/password", {"password": "short"})
    assert r.status_code == 422 and "密码至少 8 位" in r.text
