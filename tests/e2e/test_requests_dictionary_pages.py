"""The category dictionary and the routing rules on pages and through the API, for holders of
``requests.category.manage``: the whole tree with limits and urgency, add a category under a parent, edit it with
optimistic locking (a stale version is a 409 and changes nothing), deactivate it; add routing rules and deactivate
them, and the routing suggestion follows the rule added. Bad input (an unknown parent, a limit out of range, a rule
to an inactive unit) is refused naming the field, writing nothing."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from tests.conftest import unit_id
from tests.support.request_people import SYSTEM, category, setup
from tests.support.request_works import api_user, page_user, post
from zhengwu.core.db import Database
from zhengwu.core.org.tables import Unit
from zhengwu.core.settings import Settings
from zhengwu.requests.service.categories import suggest_owner
from zhengwu.requests.tables import RequestCategory, RequestRoutingRule

API = "/api/v1/requests"


@pytest.fixture
def client(settings: Settings, db: Database) -> Iterator[TestClient]:
    setup(db)
    from zhengwu.web.app import create_app

    with TestClient(create_app(settings, db)) as c:
        yield c


def counts(db: Database) -> tuple[int, int]:
    with db.reading() as s:
        return (
            s.scalar(select(func.count()).select_from(RequestCategory)) or 0,
            s.scalar(select(func.count()).select_from(RequestRoutingRule)) or 0,
        )


def row(db: Database, code: str) -> RequestCategory:
    with db.reading() as s:
        found = s.scalar(select(RequestCategory).where(RequestCategory.code == code))
        assert found is not None
        return found


def bridge(db: Database, **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "code": "traffic.road.bridge",
        "name": "桥梁养护",
        "kind": "subject",
        "parent_id": str(category(db, "traffic.road")),
        "limit_amount": "10",
        "limit_unit": "working_days",
        "sort_order": "5",
    }
    data.update(changes)
    return data


# ------------------------------------------------------------------------------------------------------ pages


def test_the_tree_lists_every_category_with_its_limit_and_urgency(client: TestClient, db: Database) -> None:
    page = page_user(client, "r_admin").get("/requests/categories")
    assert page.status_code == 200
    assert "道路交通安全隐患" in page.text and "traffic.safety" in page.text
    assert page.text.index("交通运输") < page.text.index("公路养护") < page.text.index("城乡建设")  # children follow
    assert "13个工作日" in page.text  # 投诉: 13 working days (model.DEFAULT_LIMITS)


def test_a_category_added_under_a_parent_sits_one_level_below_it(client: TestClient, db: Database) -> None:
    r = post(page_user(client, "r_admin"), "/requests/categories/new", bridge(db))
    assert r.status_code == 303, r.text
    added = row(db, "traffic.road.bridge")
    assert added.level == 3 and added.limit_amount == 10 and added.active


def test_editing_with_the_version_read_saves_and_a_stale_version_is_a_409(client: TestClient, db: Database) -> None:
    road = row(db, "traffic.road")
    page_user(client, "r_admin")
    edit = client.get(f"/requests/categories/{road.id}/edit")
    assert edit.status_code == 200 and f'name="version" value="{road.version}"' in edit.text
    data = {"name": "公路养护管理", "limit_amount": "7", "limit_unit": "working_days", "active": "1"}
    r = post(client, f"/requests/categories/{road.id}/edit", {**data, "version": road.version})
    assert r.status_code == 303, r.text
    r = post(client, f"/requests/categories/{road.id}/edit", {**data, "name": "覆盖", "version": road.version})
    assert r.status_code == 409 and "已被他人修改" in r.text
    assert row(db, "traffic.road").name == "公路养护管理"
    r = post(client, f"/requests/categories/{road.id}/deactivate", {"version": road.version})
    assert r.status_code == 409 and row(db, "traffic.road").active


def test_deactivating_stops_offering_the_category(client: TestClient, db: Database) -> None:
    market = row(db, "market")
    r = post(page_user(client, "r_admin"), f"/requests/categories/{market.id}/deactivate", {"version": market.version})
    assert r.status_code == 303
    assert not row(db, "market").active
    assert "已停用" in client.get("/requests/categories").text


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"parent_id": "999999"}, "parent_id"),  # an unknown parent
        ({"code": "traffic.road"}, "code"),  # taken
        ({"code": "桥梁"}, "code"),
        ({"limit_amount": "500"}, "limit_amount"),
        ({"limit_unit": "fortnights"}, "limit_unit"),
        ({"name": ""}, "name"),
        ({"kind": "type"}, "parent_id"),  # a type under a subject
    ],
)
def test_bad_category_input_re_renders_the_form_and_writes_nothing(
    client: TestClient, db: Database, changes: dict[str, Any], field: str
) -> None:
    before = counts(db)
    r = post(page_user(client, "r_admin"), "/requests/categories/new", bridge(db, **changes))
    assert r.status_code == 422, r.text
    assert f"（字段：{field}）" in r.text
    assert counts(db) == before


def test_a_routing_rule_added_on_the_page_drives_the_suggestion_until_deactivated(
    client: TestClient, db: Database
) -> None:
    page_user(client, "r_admin")
    road, gl = category(db, "traffic.road"), unit_id(db, "fh-gl")
    data = {"category_id": road, "area_unit_id": unit_id(db, "fh"), "target_unit_id": gl, "priority": "1"}
    r = post(client, "/requests/routing", data)
    assert r.status_code == 303, r.text
    page = client.get("/requests/routing")
    assert "公路养护" in page.text and "凤凰县公路建设养护中心" in page.text
    with db.reading() as s:
        assert suggest_owner(s, road, unit_id(db, "fh-les")) == gl
        rule_id = s.scalar(select(RequestRoutingRule.id))
    assert post(client, f"/requests/routing/{rule_id}/deactivate", {}).status_code == 303
    with db.reading() as s:
        assert suggest_owner(s, road, unit_id(db, "fh-les")) is None


def test_a_routing_rule_to_an_inactive_unit_is_refused(client: TestClient, db: Database) -> None:
    with db.uow(SYSTEM) as uow:
        closed = uow.session.scalar(select(Unit).where(Unit.code == "fh-mz"))
        assert closed is not None
        closed.active = False
        uow.commit()
    r = post(page_user(client, "r_admin"), "/requests/routing", {"target_unit_id": unit_id(db, "fh-mz")})
    assert r.status_code == 422 and "（字段：target_unit_id）" in r.text
    r = api_user(client, "r_admin").post(f"{API}/routing", json={"target_unit_id": unit_id(db, "fh-mz")})
    assert r.status_code == 422 and r.json()["field"] == "target_unit_id"
    assert counts(db)[1] == 0


def test_only_dictionary_managers_reach_the_pages(client: TestClient, db: Database) -> None:
    page_user(client, "r_hotline")
    assert client.get("/requests/categories").status_code == 403
    assert client.get("/requests/routing").status_code == 403


# -------------------------------------------------------------------------------------------------------- API


def test_the_api_adds_edits_and_deactivates_categories_and_rules(client: TestClient, db: Database) -> None:
    api = api_user(client, "r_admin")
    body = {
        "code": "traffic.road.bridge",
        "name": "桥梁养护",
        "parent_id": category(db, "traffic.road"),
        "urgent": True,
    }
    r = api.post(f"{API}/categories", json=body)
    assert r.status_code == 201, r.text
    made = r.json()
    assert made["level"] == 3 and made["urgent"]
    r = api.put(f"{API}/categories/{made['id']}", json={"version": made["version"], "name": "桥梁", "limit_amount": 5})
    assert r.status_code == 200 and r.json()["name"] == "桥梁" and r.json()["limit_unit"] == "working_days"
    stale = api.post(f"{API}/categories/{made['id']}/deactivate", json={"version": made["version"]})
    assert stale.status_code == 409
    r = api.post(f"{API}/categories/{made['id']}/deactivate", json={"version": made["version"] + 1})
    assert r.status_code == 200 and not r.json()["active"]
    rule = api.post(f"{API}/routing", json={"target_unit_id": unit_id(db, "fh-gl"), "priority": 5})
    assert (
        rule.status_code == 201
        and rule.json()["category"] is None
        and rule.json()["target"] == "凤凰县公路建设养护中心"
    )
    assert [x["id"] for x in api.get(f"{API}/routing").json()] == [rule.json()["id"]]
    assert not api.post(f"{API}/routing/{rule.json()['id']}/deactivate").json()["active"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"code": "x.y", "name": "某", "parent_id": 999999}, "parent_id"),
        ({"code": "x.y", "name": "某", "limit_amount": 0}, "limit_amount"),
        ({"code": "x.y", "name": "某", "limit_amount": 200}, "limit_amount"),
        ({"code": "x.y", "name": "某", "kind": "other"}, "kind"),
    ],
)
def test_bad_api_input_is_a_422_naming_the_field(
    client: TestClient, db: Database, body: dict[str, Any], field: str
) -> None:
    before = counts(db)
    r = api_user(client, "r_admin").post(f"{API}/categories", json=body)
    assert r.status_code == 422, r.text
    assert r.json()["field"] == field
    assert counts(db) == before
