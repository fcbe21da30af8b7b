"""The JSON API of units, users, roles and tokens: scopes, validation, optimistic locking, bearer tokens."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from tests.conftest import PASSWORD, csrf, login, role_id, unit_id, user_id
from zhengwu.core.clock import FakeClock
from zhengwu.core.db import Actor, Database
from zhengwu.core.org import auth
from zhengwu.core.org.tables import ApiToken, Role, Unit, User

PROBLEM = "application/problem+json"


def api(client: TestClient, username: str, password: str = PASSWORD) -> TestClient:
    """``client`` logged in as ``username``, sending the CSRF header on every request."""
    login(client, username, password)
    client.headers["X-CSRF-Token"] = csrf(client)
    return client


def count(db: Database, entity: Any) -> int:
    with db.reading() as session:
        return session.scalar(select(func.count()).select_from(entity)) or 0


def problem(r: Any, status: int, field: str | None = None) -> str:
    """The Chinese detail of a problem document, after checking its status and field."""
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith(PROBLEM)
    body = r.json()
    if field is not None:
        assert body.get("field") == field, body
    detail: str = body["detail"]
    return detail


# ---------------------------------------------------------------- every route needs a principal


def _api_routes() -> list[tuple[str, str]]:
    from zhengwu.web.app import modules

    routes = [r for m in modules() for router in m.routers for r in router.routes if isinstance(r, APIRoute)]
    return sorted(
        (method, r.path.replace("{unit_id}", "1").replace("{user_id}", "1").replace("{role_id}", "1"))
        for r in routes
        if r.path.startswith("/api/")
        for method in r.methods
    )


@pytest.mark.parametrize(("method", "path"), _api_routes(), ids=str)
def test_every_api_route_answers_an_anonymous_caller_with_a_401_problem(
    app_client: TestClient, method: str, path: str
) -> None:
    app_client.get("/login")  # a CSRF cookie, so that only the missing login is wrong
    path = path.replace("{token_id}", "1")
    r = app_client.request(method, path, json={}, headers={"X-CSRF-Token": csrf(app_client)})
    assert "请先登录" in problem(r, 401)


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", "/api/v1/units", {"code": "x1", "name": "某单位", "kind": "department", "parent_id": 6}),
        ("PATCH", "/api/v1/units/6", {"version": 2, "name": "改名"}),
        ("POST", "/api/v1/users", {"username": "x1", "full_name": "某人", "unit_id": 6, "password": "abc12345"}),
        ("PATCH", "/api/v1/users/6", {"version": 1, "full_name": "改名"}),
        ("GET", "/api/v1/roles", None),
        ("GET", "/api/v1/roles/1", None),
        ("POST", "/api/v1/roles", {"code": "x1", "name": "某角色"}),
        ("PUT", "/api/v1/roles/4", {"version": 1, "code": "clerk", "name": "经办", "grants": []}),
    ],
)
def test_a_clerk_without_the_grant_is_refused_and_nothing_changes(
    app_client: TestClient, db: Database, method: str, path: str, body: dict[str, Any] | None
) -> None:
    api(app_client, "fh_gl")  # 养护中心经办人: views own unit and self only
    before = [count(db, t) for t in (Unit, User, Role)]
    r = app_client.request(method, path, json=body)
    assert "权限" in problem(r, 403)
    assert [count(db, t) for t in (Unit, User, Role)] == before


def test_a_cookie_authenticated_write_without_the_csrf_header_is_refused(app_client: TestClient, db: Database) -> None:
    login(app_client, "admin")
    before = count(db, Unit)
    r = app_client.post("/api/v1/units", json={"code": "x1", "name": "某单位", "kind": "department"})
    assert "CSRF" in problem(r, 403)
    assert count(db, Unit) == before


# ---------------------------------------------------------------- the caller


def test_me_shows_the_callers_unit_and_grants_with_chinese_labels(app_client: TestClient, db: Database) -> None:
    me = api(app_client, "fh_admin").get("/api/v1/me").json()
    assert me["username"] == "fh_admin" and me["full_name"] == "凤凰县管理员"
    assert me["unit"] == {"id": unit_id(db, "fh"), "code": "fh", "name": "凤凰县"}
    assert {"action": "org.unit.manage", "action_label": "管理单位", "scope": "subtree", "unit_ids": []} in me["grants"]
    assert "password" not in str(me)


# ---------------------------------------------------------------- units


def test_the_unit_list_applies_the_page_filters_within_the_callers_scope(app_client: TestClient) -> None:
    api(app_client, "fh_admin")
    page = app_client.get("/api/v1/units", params={"q": "公路"}).json()
    assert [u["name"] for u in page["items"]] == ["凤凰县公路建设养护中心"]  # not 吉首市公路建设养护中心
    assert (page["total"], page["page"], page["pages"]) == (1, 1, 1)
    towns = app_client.get("/api/v1/units", params={"kind": "town", "sort": "-code"}).json()
    assert [u["code"] for u in towns["items"]] == ["fh-sj", "fh-les"]
    assert towns["items"][0]["kind_label"] == "乡镇（街道）" and towns["items"][0]["parent"] == "凤凰县"


def test_the_unit_list_pages_like_the_page(app_client: TestClient) -> None:
    api(app_client, "admin")
    first = app_client.get("/api/v1/units").json()
    assert first["total"] == 21 and first["pages"] == 2 and len(first["items"]) == 20
    second = app_client.get("/api/v1/units", params={"page": "2"}).json()
    assert second["page"] == 2 and len(second["items"]) == 1


def test_a_clerk_lists_only_their_own_unit(app_client: TestClient) -> None:
    page = api(app_client, "fh_gl").get("/api/v1/units").json()
    assert [u["code"] for u in page["items"]] == ["fh-gl"]


def test_an_unknown_filter_value_or_sort_column_is_a_422_naming_the_field(app_client: TestClient) -> None:
    api(app_client, "admin")
    assert "取值无效" in problem(app_client.get("/api/v1/units", params={"kind": "castle"}), 422, "kind")
    assert "不能按" in problem(app_client.get("/api/v1/units", params={"sort": "secret"}), 422, "sort")
    assert "页码" in problem(app_client.get("/api/v1/units", params={"page": "two"}), 422, "page")


def test_a_county_admin_cannot_read_a_unit_of_another_county(app_client: TestClient, db: Database) -> None:
    api(app_client, "fh_admin")
    assert app_client.get(f"/api/v1/units/{unit_id(db, 'fh-les')}").status_code == 200
    assert "不在您的数据范围内" in problem(app_client.get(f"/api/v1/units/{unit_id(db, 'js')}"), 404)


def test_an_admin_creates_a_unit_under_a_parent(app_client: TestClient, db: Database) -> None:
    api(app_client, "admin")
    fh = unit_id(db, "fh")
    r = app_client.post(
        "/api/v1/units", json={"code": "fh-sw", "name": "凤凰县水利局", "kind": "部门", "parent_id": fh}
    )
    assert r.status_code == 201, r.text
    created = r.json()
    parent_path = app_client.get(f"/api/v1/units/{fh}").json()["path"]
    assert created["kind"] == "department" and created["parent_id"] == fh
    assert created["path"] == f"{parent_path}{created['id']}/" and created["kind_label"] == "部门"
    assert app_client.get(f"/api/v1/units/{created['id']}").json() == created


def test_a_county_admin_cannot_create_a_unit_in_another_county_and_nothing_is_written(
    app_client: TestClient, db: Database
) -> None:
    api(app_client, "fh_admin")
    before = count(db, Unit)
    body = {"code": "js-sw", "name": "吉首市水利局", "kind": "department", "parent_id": unit_id(db, "js")}
    assert "数据范围" in problem(app_client.post("/api/v1/units", json=body), 403)
    assert count(db, Unit) == before


@pytest.mark.parametrize(
    ("body", "field", "words"),
    [
        ({"code": "fh", "name": "重复", "kind": "town"}, "code", "已存在"),
        ({"code": "a b", "name": "空格", "kind": "town"}, "code", "只能包含"),
        ({"code": "x1", "name": " ", "kind": "town"}, "name", "请填写单位名称"),
        ({"code": "x1", "name": "某单位", "kind": "castle"}, "kind", "单位类型“castle”无效"),
        ({"code": "x1", "name": "某单位", "kind": "town", "parent_id": 99999}, "parent_id", "上级单位不存在"),
        ({"code": "x1", "name": "某单位"}, "kind", "必须填写"),
        ({"code": "x1", "name": "某单位", "kind": "town", "parent": 1}, "parent", "未知字段"),
        ({"code": "x1", "name": "某单位", "kind": "town", "parent_id": "上级"}, "parent_id", "应为整数"),
        ({"code": "x1", "name": "某\x00单位", "kind": "town"}, "name", "格式不正确"),
    ],
)
def test_bad_unit_input_is_a_chinese_422_naming_the_field_and_writes_nothing(
    app_client: TestClient, db: Database, body: dict[str, Any], field: str, words: str
) -> None:
    api(app_client, "admin")
    before = count(db, Unit)
    assert words in problem(app_client.post("/api/v1/units", json=body), 422, field)
    assert count(db, Unit) == before


def test_patching_a_unit_changes_only_the_fields_sent(app_client: TestClient, db: Database) -> None:
    api(app_client, "fh_admin")
    url = f"/api/v1/units/{unit_id(db, 'fh-wj')}"
    before = app_client.get(url).json()
    r = app_client.patch(url, json={"version": before["version"], "name": "凤凰县卫生健康委员会"})
    assert r.status_code == 200, r.text
    after = r.json()
    assert after["name"] == "凤凰县卫生健康委员会" and after["version"] == before["version"] + 1
    assert {k: after[k] for k in ("kind", "parent_id", "active", "code")} == {
        k: before[k] for k in ("kind", "parent_id", "active", "code")
    }


def test_patching_a_unit_with_a_stale_version_is_a_409_and_keeps_the_other_edit(
    app_client: TestClient, db: Database
) -> None:
    api(app_client, "admin")
    url = f"/api/v1/units/{unit_id(db, 'fh-jy')}"
    version = app_client.get(url).json()["version"]
    assert app_client.patch(url, json={"version": version, "name": "甲的修改"}).status_code == 200
    detail = problem(app_client.patch(url, json={"version": version, "name": "乙的修改"}), 409)
    assert "已被他人修改" in detail and f"第 {version} 版" in detail and f"第 {version + 1} 版" in detail
    assert app_client.get(url).json()["name"] == "甲的修改"


def test_a_patch_without_a_version_is_refused(app_client: TestClient, db: Database) -> None:
    api(app_client, "admin")
    r = app_client.patch(f"/api/v1/units/{unit_id(db, 'fh-jy')}", json={"name": "无版本"})
    assert "必须填写" in problem(r, 422, "version")


def test_a_patch_with_an_explicit_null_for_a_required_field_is_refused(app_client: TestClient, db: Database) -> None:
    api(app_client, "admin")
    url = f"/api/v1/units/{unit_id(db, 'fh-jy')}"
    version = app_client.get(url).json()["version"]
    assert "单位类型不能为空" in problem(app_client.patch(url, json={"version": version, "kind": None}), 422, "kind")


def test_a_null_parent_moves_a_unit_to_the_top(app_client: TestClient, db: Database) -> None:
    api(app_client, "admin")
    url = f"/api/v1/units/{unit_id(db, 'xt')}"
    version = app_client.get(url).json()["version"]
    moved = app_client.patch(url, json={"version": version, "parent_id": None}).json()
    assert moved["parent_id"] is None and moved["path"] == f"/{moved['id']}/"


def test_a_unit_cannot_move_under_its_own_subunit(app_client: TestClient, db: Database) -> None:
    api(app_client, "admin")
    url = f"/api/v1/units/{unit_id(db, 'fh')}"
    body = {"version": app_client.get(url).json()["version"], "parent_id": unit_id(db, "fh-les")}
    assert "下级单位" in problem(app_client.patch(url, json=body), 422, "parent_id")


def test_a_county_admin_cannot_patch_a_unit_of_another_county(app_client: TestClient, db: Database) -> None:
    api(app_client, "fh_admin")
    r = app_client.patch(f"/api/v1/units/{unit_id(db, 'js-gl')}", json={"version": 2, "name": "越权"})
    problem(r, 404)


def test_an_out_of_range_id_is_a_422_not_a_server_error(app_client: TestClient) -> None:
    api(app_client, "admin")
    assert "过大" in problem(app_client.get("/api/v1/units/99999999999"), 422, "unit_id")
    assert "过小" in problem(app_client.get("/api/v1/users/0"), 422, "user_id")


def test_a_nul_character_in_a_search_is_a_422_not_a_server_error(app_client: TestClient) -> None:
    api(app_client, "admin")
    problem(app_client.get("/api/v1/users", params={"q": "a\x00"}), 422, "q")


# ---------------------------------------------------------------- users


def test_a_user_detail_lists_role_codes_and_never_the_password_hash(app_client: TestClient, db: Database) -> None:
    api(app_client, "admin")
    r = app_client.get(f"/api/v1/users/{user_id(db, 'fh_gl')}")
    assert r.status_code == 200
    user = r.json()
    assert [role["code"] for role in user["roles"]] == ["clerk"]
    assert user["unit"]["code"] == "fh-gl"
    assert "password" not in r.text and "argon2" not in r.text


def test_a_clerk_sees_only_themselves_among_users(app_client: TestClient, db: Database) -> None:
    api(app_client, "fh_gl")
    assert [u["username"] for u in app_client.get("/api/v1/users").json()["items"]] == ["fh_gl"]
    problem(app_client.get(f"/api/v1/users/{user_id(db, 'fh_admin')}"), 404)


def test_the_user_list_searches_username_name_and_unit(app_client: TestClient) -> None:
    api(app_client, "admin")
    page = app_client.get("/api/v1/users", params={"q": "吉首", "sort": "-username"}).json()
    assert [u["username"] for u in page["items"]] == ["js_admin"] and page["items"][0]["unit"] == "吉首市"


def test_a_county_admin_creates_a_clerk_who_can_then_log_in(app_client: TestClient, db: Database) -> None:
    api(app_client, "fh_admin")
    body = {
        "username": "fh_wj",
        "full_name": "卫健局经办人",
        "unit_id": unit_id(db, "fh-wj"),
        "password": "Weijian2024",
        "role_ids": [role_id(db, "clerk")],
    }
    r = app_client.post("/api/v1/users", json=body)
    assert r.status_code == 201, r.text
    assert [role["code"] for role in r.json()["roles"]] == ["clerk"] and "Weijian2024" not in r.text
    with TestClient(app_client.app) as other:
        assert api(other, "fh_wj", "Weijian2024").get("/api/v1/me").json()["unit"]["code"] == "fh-wj"


def test_a_county_admin_cannot_hand_out_the_admin_role_and_nothing_is_written(
    app_client: TestClient, db: Database
) -> None:
    api(app_client, "fh_admin")
    before = count(db, User)
    body = {
        "username": "fh_boss",
        "full_name": "越权者",
        "unit_id": unit_id(db, "fh"),
        "password": "abc12345",
        "role_ids": [role_id(db, "admin")],
    }
    assert "不超过您本人" in problem(app_client.post("/api/v1/users", json=body), 403)
    assert count(db, User) == before


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"password": "short"}, "password", "至少 8 位"),
        ({"username": "fh_gl"}, "username", "已被使用"),
        ({"unit_id": 99999}, "unit_id", "所属单位不存在"),
        ({"role_ids": [99999]}, "role_ids", "角色不存在"),
        ({"full_name": ""}, "full_name", "请填写姓名"),
    ],
)
def test_bad_user_input_is_a_chinese_422_naming_the_field(
    app_client: TestClient, db: Database, change: dict[str, Any], field: str, words: str
) -> None:
    api(app_client, "admin")
    body = {"username": "x1", "full_name": "某人", "unit_id": unit_id(db, "fh"), "password": "abc12345", **change}
    before = count(db, User)
    assert words in problem(app_client.post("/api/v1/users", json=body), 422, field)
    assert count(db, User) == before


def test_a_county_admin_cannot_move_a_user_out_of_their_county(app_client: TestClient, db: Database) -> None:
    api(app_client, "fh_admin")
    url = f"/api/v1/users/{user_id(db, 'fh_gl')}"
    user = app_client.get(url).json()
    r = app_client.patch(url, json={"version": user["version"], "unit_id": unit_id(db, "js-gl")})
    assert "数据范围" in problem(r, 403)
    assert app_client.get(url).json() == user


def test_patching_a_user_replaces_roles_and_bumps_the_version(app_client: TestClient, db: Database) -> None:
    api(app_client, "admin")
    url = f"/api/v1/users/{user_id(db, 'fh_gl')}"
    version = app_client.get(url).json()["version"]
    body = {"version": version, "role_ids": [role_id(db, "supervisor")], "full_name": "养护中心督办员"}
    r = app_client.patch(url, json=body)
    assert r.status_code == 200, r.text
    user = r.json()
    assert [role["code"] for role in user["roles"]] == ["supervisor"] and user["full_name"] == "养护中心督办员"
    assert user["version"] > version and user["active"] is True
    stale = app_client.patch(url, json={"version": version, "active": False})
    assert "已被他人修改" in problem(stale, 409)
    assert app_client.get(url).json()["active"] is True


# ---------------------------------------------------------------- roles


def test_an_admin_lists_roles(app_client: TestClient) -> None:
    page = api(app_client, "admin").get("/api/v1/roles").json()
    assert [r["code"] for r in page["items"]] == [
        "admin",
        "auditor",
        "clerk",
        "commission",
        "hotline",
        "request_handler",
        "supervisor",
        "unit_admin",
    ]


def test_an_admin_creates_a_role_with_listed_units(app_client: TestClient, db: Database) -> None:
    api(app_client, "admin")
    js, fh = unit_id(db, "js"), unit_id(db, "fh")
    body = {
        "code": "cross_view",
        "name": "跨县查看",
        "description": "查看凤凰县和吉首市",
        "grants": [{"action": "org.unit.view", "scope": "listed", "unit_ids": [js, fh]}],
    }
    r = app_client.post("/api/v1/roles", json=body)
    assert r.status_code == 201, r.text
    role = r.json()
    assert role["grants"] == [
        {"action": "org.unit.view", "action_label": "查看单位", "scope": "listed", "unit_ids": sorted([js, fh])}
    ]
    assert app_client.get(f"/api/v1/roles/{role['id']}").json() == role


def test_putting_a_role_replaces_its_grants_and_a_stale_version_is_a_409(app_client: TestClient, db: Database) -> None:
    api(app_client, "admin")
    url = f"/api/v1/roles/{role_id(db, 'clerk')}"
    role = app_client.get(url).json()
    body = {
        "version": role["version"],
        "code": "clerk",
        "name": "经办人员",
        "description": "只看本单位",
        "grants": [{"action": "org.unit.view", "scope": "unit"}],
    }
    r = app_client.put(url, json=body)
    assert r.status_code == 200, r.text
    assert [g["action"] for g in r.json()["grants"]] == ["org.unit.view"]
    assert r.json()["version"] > role["version"]
    assert "已被他人修改" in problem(app_client.put(url, json={**body, "grants": []}), 409)
    assert len(app_client.get(url).json()["grants"]) == 1


@pytest.mark.parametrize(
    ("grant", "words"),
    [
        ({"action": "org.everything", "scope": "all"}, "操作“org.everything”不存在"),
        ({"action": "org.unit.view", "scope": "galaxy"}, "数据范围“galaxy”无效"),
        ({"action": "org.unit.view", "scope": "listed"}, "没有选单位"),
    ],
)
def test_a_bad_grant_is_refused_naming_the_grants_field(
    app_client: TestClient, db: Database, grant: dict[str, Any], words: str
) -> None:
    api(app_client, "admin")
    before = count(db, Role)
    body = {"code": "x1", "name": "某角色", "grants": [grant]}
    assert words in problem(app_client.post("/api/v1/roles", json=body), 422, "grants")
    assert count(db, Role) == before


def test_a_role_that_does_not_exist_is_a_404(app_client: TestClient) -> None:
    api(app_client, "admin")
    problem(app_client.get("/api/v1/roles/9999"), 404)
    body = {"version": 1, "code": "x", "name": "某角色", "grants": []}
    problem(app_client.put("/api/v1/roles/9999", json=body), 404)


def test_putting_a_role_with_a_new_code_renames_it(app_client: TestClient, db: Database) -> None:
    api(app_client, "admin")
    url = f"/api/v1/roles/{role_id(db, 'clerk')}"
    role = app_client.get(url).json()
    body = {"version": role["version"], "code": "handler", "name": role["name"], "grants": role["grants"]}
    body["grants"] = [{"action": g["action"], "scope": g["scope"]} for g in role["grants"]]
    assert app_client.put(url, json=body).json()["code"] == "handler"


# ---------------------------------------------------------------- API tokens


def test_a_token_created_through_the_api_works_without_cookies_until_revoked(app_client: TestClient) -> None:
    api(app_client, "admin")
    r = app_client.post("/api/v1/tokens", json={"name": "数据交换", "days": 30})
    assert r.status_code == 201, r.text
    created = r.json()
    assert created["token"].startswith(created["prefix"])
    listed = app_client.get("/api/v1/tokens").json()
    assert [t["name"] for t in listed] == ["数据交换"] and "token" not in listed[0]

    machine = TestClient(app_client.app, headers={"Authorization": f"Bearer {created['token']}"})
    assert machine.get("/api/v1/me").json()["username"] == "admin"
    r = machine.post("/api/v1/units", json={"code": "x1", "name": "机器建的单位", "kind": "other"})
    assert r.status_code == 201, r.text  # bearer requests need no CSRF token

    assert app_client.delete(f"/api/v1/tokens/{created['id']}").status_code == 204
    assert "令牌无效" in problem(machine.get("/api/v1/me"), 401)


def test_a_token_acts_with_its_users_scope(app_client: TestClient, db: Database) -> None:
    with db.uow(Actor(None, "测试")) as uow:
        _row, token = auth.create_api_token(uow, user_id(db, "fh_admin"), "县里的脚本", None)
        uow.commit()
    machine = TestClient(app_client.app, headers={"Authorization": f"Bearer {token}"})
    assert machine.get(f"/api/v1/units/{unit_id(db, 'fh-gl')}").status_code == 200
    problem(machine.get(f"/api/v1/units/{unit_id(db, 'js-gl')}"), 404)


def test_an_expired_token_is_refused(app_client: TestClient, db: Database, clock: FakeClock) -> None:
    with db.uow(Actor(None, "测试")) as uow:
        _row, token = auth.create_api_token(uow, user_id(db, "auditor"), "一天的令牌", 1)
        uow.commit()
    machine = TestClient(app_client.app, headers={"Authorization": f"Bearer {token}"})
    assert machine.get("/api/v1/me").status_code == 200
    clock.advance(days=1, seconds=1)
    assert "已过期" in problem(machine.get("/api/v1/me"), 401)


def test_a_user_cannot_revoke_someone_elses_token(app_client: TestClient, db: Database) -> None:
    with db.uow(Actor(None, "测试")) as uow:
        row, _token = auth.create_api_token(uow, user_id(db, "admin"), "管理员的令牌", None)
        uow.commit()
    api(app_client, "fh_gl")
    problem(app_client.delete(f"/api/v1/tokens/{row.id}"), 404)
    with db.reading() as session:
        assert session.get(ApiToken, row.id).revoked_at is None  # type: ignore[union-attr]


@pytest.mark.parametrize(("body", "field"), [({"name": " "}, "name"), ({"name": "脚本", "days": 0}, "days")])
def test_a_bad_token_request_names_the_field(app_client: TestClient, body: dict[str, Any], field: str) -> None:
    problem(api(app_client, "admin").post("/api/v1/tokens", json=body), 422, field)


# ---------------------------------------------------------------- documentation


def test_the_openapi_document_describes_the_api_in_chinese(app_client: TestClient) -> None:
    spec = app_client.get("/openapi.json").json()
    assert {"/api/v1/me", "/api/v1/units/{unit_id}", "/api/v1/calendar/holidays", "/api/v1/audit/verify"} <= set(
        spec["paths"]
    )
    assert spec["components"]["schemas"]["UnitPatch"]["properties"]["version"]["description"].startswith(
        "读取时的版本号"
    )
    assert "password_hash" not in str(spec)
    assert app_client.get("/docs").status_code == 200
