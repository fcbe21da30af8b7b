"""The pages of a matter kind: list, detail, the actions a user may take now, extensions and pauses."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from tests.conftest import csrf, login, unit_id
from tests.support.matter_people import PASSWORD, add_people
from tests.support.three_step import KIND
from zhengwu.core.db import Actor, Database
from zhengwu.core.matters import service
from zhengwu.core.org.model import system_principal


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
    client.cookies.clear()
    return login(client, username, PASSWORD)


def version(client: TestClient, url: str) -> str:
    found = re.search(r'name="version" value="(\d+)"', client.get(url).text)
    assert found
    return found.group(1)


def test_the_list_shows_the_matters_in_scope_only(app_client: TestClient, matter: int) -> None:
    page = as_user(app_client, "t_handler").get("/matters/testkind")
    assert page.status_code == 200 and "测-2024-000001" in page.text and "S256 路面湿滑" in page.text
    assert "测-2024-000001" not in as_user(app_client, "t_outsider").get("/matters/testkind").text


def test_the_page_offers_only_the_actions_this_user_may_take_now(app_client: TestClient, matter: int) -> None:
    url = f"/matters/testkind/{matter}"
    handler_page = as_user(app_client, "t_handler").get(url).text
    assert ">签收</button>" in handler_page and ">办结</button>" not in handler_page
    clerk_page = as_user(app_client, "t_clerk").get(url).text
    assert "S256 K12+300" in clerk_page
    assert ">签收</button>" not in clerk_page and ">申请延期</button>" not in clerk_page
    assert as_user(app_client, "t_outsider").get(url).status_code == 404


def test_taking_actions_through_the_page_moves_the_matter_and_records_history(
    app_client: TestClient, matter: int
) -> None:
    url = f"/matters/testkind/{matter}"
    client = as_user(app_client, "t_handler")
    r = client.post(
        f"{url}/act",
        data={"action": "accept", "version": version(client, url), "csrf_token": csrf(client)},
        follow_redirects=False,
    )
    assert r.status_code == 303
    page = client.get(url).text
    assert "办理中" in page and ">办结</button>" in page
    r = client.post(
        f"{url}/act",
        data={
            "action": "resolve",
            "version": version(client, url),
            "note": "",
            "field__result": "",
            "csrf_token": csrf(client),
        },
        follow_redirects=False,
    )
    assert r.status_code == 422 and "说明" in r.text
    r = client.post(
        f"{url}/act",
        data={
            "action": "resolve",
            "version": version(client, url),
            "note": "已铣刨",
            "field__result": "隐患已排除",
            "csrf_token": csrf(client),
        },
        follow_redirects=False,
    )
    assert r.status_code == 303
    page = client.get(url).text
    assert "已办结" in page and "签收" in page and "已铣刨" in page


def test_a_stale_form_gets_409_and_an_action_not_allowed_now_is_refused(app_client: TestClient, matter: int) -> None:
    url = f"/matters/testkind/{matter}"
    client = as_user(app_client, "t_handler")
    stale = version(client, url)
    client.post(
        f"{url}/act", data={"action": "accept", "version": stale, "csrf_token": csrf(client)}, follow_redirects=False
    )
    r = client.post(
        f"{url}/act", data={"action": "accept", "version": stale, "csrf_token": csrf(client)}, follow_redirects=False
    )
    assert r.status_code == 409 and "已被他人修改" in r.text
    r = client.post(
        f"{url}/act",
        data={"action": "close", "version": version(client, url), "csrf_token": csrf(client)},
        follow_redirects=False,
    )
    assert r.status_code == 409 and "不能执行" in r.text


def test_an_extension_is_requested_and_approved_through_the_page(app_client: TestClient, matter: int) -> None:
    url = f"/matters/testkind/{matter}"
    client = as_user(app_client, "t_handler")
    client.post(
        f"{url}/act",
        data={"action": "accept", "version": version(client, url), "csrf_token": csrf(client)},
        follow_redirects=False,
    )
    r = client.post(
        f"{url}/extensions",
        data={"limit_code": "handle", "amount": "3", "reason": "需踏勘", "csrf_token": csrf(client)},
        follow_redirects=False,
    )
    assert r.status_code == 303
    assert "待审批" in client.get(url).text and "批准延期" not in client.get(url).text
    boss = as_user(app_client, "t_super")
    ext_id = re.search(rf"{url}/extensions/(\d+)", boss.get(url).text)
    assert ext_id
    r = boss.post(
        f"{url}/extensions/{ext_id.group(1)}",
        data={"decision": "approve", "csrf_token": csrf(boss)},
        follow_redirects=False,
    )
    assert r.status_code == 303 and "已批准" in boss.get(url).text


def test_pausing_hides_the_actions_until_resumed(app_client: TestClient, matter: int) -> None:
    url = f"/matters/testkind/{matter}"
    boss = as_user(app_client, "t_super")
    assert (
        boss.post(
            f"{url}/pause", data={"reason": "等待材料", "csrf_token": csrf(boss)}, follow_redirects=False
        ).status_code
        == 303
    )
    assert "计时已暂停" in boss.get(url).text
    assert ">签收</button>" not in as_user(app_client, "t_handler").get(url).text
    boss = as_user(app_client, "t_super")
    assert boss.post(f"{url}/resume", data={"csrf_token": csrf(boss)}, follow_redirects=False).status_code == 303
    assert ">签收</button>" in as_user(app_client, "t_handler").get(url).text


def test_matters_waiting_for_the_user_are_on_their_to_do_list(app_client: TestClient, matter: int) -> None:
    home = as_user(app_client, "t_handler").get("/").text
    assert "测-2024-000001" in home and f"/matters/testkind/{matter}" in home
    assert "测-2024-000001" not in as_user(app_client, "t_clerk").get("/").text  # nothing for them to do


def test_an_unknown_kind_is_a_404(app_client: TestClient, matter: int) -> None:
    assert as_user(app_client, "t_handler").get("/matters/nosuchkind").status_code == 404
