"""Logging in and out through the pages, lock-out after repeated failures, CSRF on forms."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient

from tests.conftest import csrf, login


def test_anonymous_page_request_redirects_to_login(app_client: TestClient) -> None:
    r = app_client.get("/admin/units", follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"] == "/login?next=/admin/units"


def test_demo_login_shows_the_chinese_home_page(app_client: TestClient) -> None:
    login(app_client, "admin")
    r = app_client.get("/")
    assert r.status_code == 200
    assert "我的待办" in r.text and "单位管理" in r.text


def test_wrong_password_is_refused_in_chinese_and_counts_down(app_client: TestClient) -> None:
    app_client.get("/login")
    r = app_client.post("/login", data={"username": "fh_gl", "password": "wrong-1", "csrf_token": csrf(app_client)})
    assert r.status_code == 401
    assert "用户名或密码错误" in r.text and "再失败 4 次" in r.text


def test_five_failures_lock_the_account_even_for_the_right_password(app_client: TestClient, clock) -> None:  # type: ignore[no-untyped-def]
    app_client.get("/login")
    for _ in range(5):
        app_client.post("/login", data={"username": "fh_gl", "password": "bad", "csrf_token": csrf(app_client)})
    r = app_client.post(
        "/login", data={"username": "fh_gl", "password": "Zhengwu@2024", "csrf_token": csrf(app_client)}
    )
    assert r.status_code == 401 and "锁定" in r.text
    clock.advance(minutes=16)
    login(app_client, "fh_gl")


def test_a_form_post_without_the_csrf_token_is_forbidden(app_client: TestClient) -> None:
    login(app_client, "admin")
    r = app_client.post("/admin/units", data={"code": "x1", "name": "某单位", "kind": "department"})
    assert r.status_code == 403
    assert "CSRF" in r.text


def test_logout_ends_the_session(app_client: TestClient) -> None:
    login(app_client, "admin")
    app_client.post("/logout", data={"csrf_token": csrf(app_client)})
    assert app_client.get("/", follow_redirects=False).status_code == 303


def test_sessions_expire(app_client: TestClient, clock) -> None:  # type: ignore[no-untyped-def]
    login(app_client, "admin")
    clock.advance(hours=8, seconds=1)
    assert app_client.get("/", follow_redirects=False).status_code == 303
    assert timedelta(hours=8)


def test_a_locked_account_appears_on_its_managers_to_do_list_only(app_client: TestClient) -> None:
    app_client.get("/login")
    for _ in range(5):
        app_client.post("/login", data={"username": "fh_gl", "password": "bad", "csrf_token": csrf(app_client)})
    login(app_client, "fh_admin")
    assert "账号 fh_gl（养护中心经办人）已被锁定" in app_client.get("/").text
    app_client.cookies.clear()
    login(app_client, "js_admin")  # manages users of another county
    assert "fh_gl" not in app_client.get("/").text
