"""Optimistic locking: of two people editing the same record, the second is told (409) and loses nothing."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.conftest import csrf, login, role_ids, unit_id, user_id
from zhengwu.core.db import Actor, Database
from zhengwu.core.errors import Conflict
from zhengwu.core.org import service
from zhengwu.core.org.model import system_principal
from zhengwu.core.org.tables import Role, Unit, User

STALE = "该记录已被他人修改"


def two_admins(app_client: TestClient) -> tuple[TestClient, TestClient]:
    other = TestClient(app_client.app)
    return login(app_client, "admin"), login(other, "admin")


def loaded_version(client: TestClient, url: str) -> int:
    page = client.get(url)
    assert page.status_code == 200
    found = re.search(r'name="version" value="(\d+)"', page.text)
    assert found
    return int(found.group(1))


def submit(client: TestClient, url: str, data: dict[str, Any]) -> Any:
    return client.post(url, data={**data, "csrf_token": csrf(client)}, follow_redirects=False)


# ---------------------------------------------------------------- through the pages


def test_the_second_of_two_unit_edits_gets_409_and_keeps_its_input(app_client: TestClient, db: Database) -> None:
    first, second = two_admins(app_client)
    url = f"/admin/units/{unit_id(db, 'fh-jy')}"
    version = loaded_version(first, url)
    assert loaded_version(second, url) == version
    form = {"kind": "department", "parent_id": unit_id(db, "fh"), "active": "1", "version": version}

    assert submit(first, url, form | {"name": "凤凰县教育和体育局"}).status_code == 303
    r = submit(second, url, form | {"name": "凤凰县教育局（乙改）"})

    assert r.status_code == 409
    assert STALE in r.text and f"您编辑的是第 {version} 版" in r.text
    assert 'value="凤凰县教育局（乙改）"' in r.text  # the second editor's input is still in the form
    assert "凤凰县教育和体育局" in r.text  # and they are shown what is saved now
    assert f'name="version" value="{version + 1}"' in r.text  # resubmitting is a deliberate choice
    with db.reading() as s:
        unit = s.get(Unit, unit_id(db, "fh-jy"))
        assert unit is not None and (unit.name, unit.version) == ("凤凰县教育和体育局", version + 1)


def test_the_second_of_two_user_edits_gets_409_and_keeps_its_input(app_client: TestClient, db: Database) -> None:
    first, second = two_admins(app_client)
    uid = user_id(db, "fh_gl")
    url = f"/admin/users/{uid}"
    version = loaded_version(first, url)
    assert loaded_version(second, url) == version
    roles = role_ids(db)
    form = {"unit_id": unit_id(db, "fh-gl"), "active": "1", "version": version, "role_ids": [roles["clerk"]]}

    assert submit(first, url, form | {"full_name": "甲改的姓名"}).status_code == 303
    r = submit(second, url, form | {"full_name": "乙改的姓名", "role_ids": [roles["clerk"], roles["supervisor"]]})

    assert r.status_code == 409 and STALE in r.text
    assert 'value="乙改的姓名"' in r.text
    assert re.search(rf'value="{roles["supervisor"]}"\s+checked', r.text)  # the ticked role is still ticked
    with db.reading() as s:
        user = s.get(User, uid)
        assert user is not None
        assert user.full_name == "甲改的姓名" and [r.code for r in user.roles] == ["clerk"]


def test_the_second_of_two_role_edits_gets_409_and_keeps_its_input(app_client: TestClient, db: Database) -> None:
    first, second = two_admins(app_client)
    url = f"/admin/roles/{role_ids(db)['clerk']}"
    version = loaded_version(first, url)
    assert loaded_version(second, url) == version
    form = {"code": "clerk", "version": version, "scope__org.unit.view": "unit", "scope__org.user.view": "self"}

    assert submit(first, url, form | {"name": "经办员"}).status_code == 303
    r = submit(second, url, form | {"name": "经办人（乙）", "scope__org.unit.view": "subtree"})

    assert r.status_code == 409 and STALE in r.text
    assert 'value="经办人（乙）"' in r.text
    with db.reading() as s:
        role = s.get(Role, role_ids(db)["clerk"])
        assert role is not None and role.name == "经办员"
        assert {(g.action, g.scope.value) for g in role.grants} == {
            ("org.unit.view", "unit"),
            ("org.user.view", "self"),
        }


# ---------------------------------------------------------------- the race itself, in the unit of work


def test_two_units_of_work_racing_on_a_unit_the_later_commit_conflicts(db: Database) -> None:
    uid = unit_id(db, "fh-mz")
    with db.uow(Actor(1, "甲")) as a, db.uow(Actor(2, "乙")) as b:
        ua, ub = a.session.get(Unit, uid), b.session.get(Unit, uid)
        assert ua is not None and ub is not None and ua.version == ub.version
        ua.name, ub.name = "甲改", "乙改"
        a.commit()
        with pytest.raises(Conflict, match=STALE):
            b.commit()
    with db.reading() as s:
        unit = s.get(Unit, uid)
        assert unit is not None and unit.name == "甲改"


def test_two_units_of_work_racing_on_a_user_the_later_commit_conflicts(db: Database) -> None:
    uid = user_id(db, "fh_gl")
    with db.uow(Actor(1, "甲")) as a, db.uow(Actor(2, "乙")) as b:
        ua, ub = a.session.get(User, uid), b.session.get(User, uid)
        assert ua is not None and ub is not None
        ua.full_name, ub.active = "甲改", False
        a.commit()
        with pytest.raises(Conflict, match=STALE):
            b.commit()
    with db.reading() as s:
        user = s.get(User, uid)
        assert user is not None and (user.full_name, user.active) == ("甲改", True)


def test_a_change_of_roles_alone_still_counts_as_an_edit_of_the_user(db: Database) -> None:
    uid = user_id(db, "fh_gl")
    roles = role_ids(db)
    admin = system_principal()

    def change_roles(uow: Any, role_codes: list[str]) -> None:
        service.update_user(
            uow,
            admin,
            uid,
            version=None,
            full_name="养护中心经办人",
            unit_id=unit_id(db, "fh-gl"),
            active=True,
            role_ids=[roles[c] for c in role_codes],
        )

    with db.uow(Actor(1, "甲")) as a, db.uow(Actor(2, "乙")) as b:
        loaded = b.session.get(User, uid)  # the second editor has the user (and roles) open …
        assert loaded is not None and [r.code for r in loaded.roles] == ["clerk"]
        change_roles(a, ["clerk", "supervisor"])  # … while the first changes only the roles and commits
        a.commit()
        with pytest.raises(Conflict):
            change_roles(b, ["clerk", "auditor"])
            b.commit()
    with db.reading() as s:
        user = s.get(User, uid)
        assert user is not None and sorted(r.code for r in user.roles) == ["clerk", "supervisor"]
        assert user.version == 2


# ---------------------------------------------------------------- through the JSON API


def test_the_api_answers_a_stale_version_with_409_and_keeps_the_first_edit(
    app_client: TestClient, db: Database
) -> None:
    paths = app_client.get("/openapi.json").json()["paths"]
    if "patch" not in paths.get("/api/v1/units/{unit_id}", {}):
        pytest.skip("/api/v1/units 尚未提供")
    login(app_client, "admin")
    headers = {"X-CSRF-Token": csrf(app_client)}
    uid = unit_id(db, "fh-ny")
    version = app_client.get(f"/api/v1/units/{uid}").json()["version"]
    first = app_client.patch(f"/api/v1/units/{uid}", json={"version": version, "name": "甲改"}, headers=headers)
    assert first.status_code == 200, first.text
    second = app_client.patch(f"/api/v1/units/{uid}", json={"version": version, "name": "乙改"}, headers=headers)
    assert second.status_code == 409
    assert second.headers["content-type"].startswith("application/problem+json")
    assert STALE in second.json()["detail"]
    assert app_client.get(f"/api/v1/units/{uid}").json()["name"] == "甲改"


def test_a_user_logging_in_does_not_make_an_open_edit_form_of_them_stale(app_client: TestClient, db: Database) -> None:
    admin = login(app_client, "admin")
    url = f"/admin/users/{user_id(db, 'fh_gl')}"
    version = loaded_version(admin, url)

    login(TestClient(app_client.app), "fh_gl")  # the user logs in (and their login counters change) meanwhile

    form = {"full_name": "养护中心经办人（改）", "unit_id": unit_id(db, "fh-gl"), "active": "1", "version": version}
    form["role_ids"] = role_ids(db)["clerk"]
    assert submit(admin, url, form).status_code == 303
