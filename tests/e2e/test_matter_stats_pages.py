"""The statistics page ``/matters/{kind}/stats`` and ``GET /api/stats/matters``: figures, scope and bad input.

Three matters of 凤凰县公路建设养护中心 go through the real workflow around National Day 2024 (1–7 Oct off, Sun 29
Sep and Sat 12 Oct worked): one resolved on time, one resolved late, one still being handled past its deadline.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient

from tests.conftest import login, unit_id
from tests.support.matter_people import PASSWORD, add_people
from tests.support.three_step import KIND
from zhengwu.core.clock import FakeClock
from zhengwu.core.db import Actor, Database
from zhengwu.core.matters import service
from zhengwu.core.org.model import system_principal

TZ = ZoneInfo("Asia/Shanghai")
API = "/api/stats/matters"
PAGE = "/matters/testkind/stats"
CJK = re.compile(r"[\u4e00-\u9fff]")


def at(y: int, m: int, d: int, h: int = 10) -> datetime:
    return datetime(y, m, d, h, tzinfo=TZ).astimezone(UTC)


@pytest.fixture
def matters(app_client: TestClient, db: Database, clock: FakeClock) -> None:
    add_people(db)
    sp = system_principal()
    owner = unit_id(db, "fh-gl")

    def step(mid: int, action: str, **kw: object) -> None:
        with db.uow(Actor(None, "测试")) as uow:
            service.act(uow, sp, KIND, mid, action, **kw)  # type: ignore[arg-type]
            uow.commit()

    ids = []
    clock.set(at(2024, 9, 30))
    for title in ("按期", "逾期", "办理中"):
        with db.uow(Actor(None, "测试")) as uow:
            ids.append(service.open_matter(uow, sp, KIND, title=title, owner_unit_id=owner, channel="12345热线").id)
            uow.commit()
    for mid in ids:
        step(mid, "accept")  # 5 working days: due at the end of Saturday 12 October
    clock.set(at(2024, 10, 8))
    step(ids[0], "resolve", note="办结", data={"result": "已修复"})  # 1 working day after receipt
    clock.set(at(2024, 10, 14))
    step(ids[1], "resolve", note="办结", data={"result": "已修复"})  # late; Oct 8–12 and 14: 6 working days
    clock.set(at(2024, 10, 21))


def as_user(client: TestClient, username: str) -> TestClient:
    client.cookies.clear()
    return login(client, username, PASSWORD)


def html(client: TestClient, url: str) -> str:
    """The page's HTML with the blanks between tags removed."""
    r = client.get(url)
    assert r.status_code == 200, r.text
    return re.sub(r">\s+<", "><", r.text)


def test_the_page_shows_the_figures_in_chinese_for_the_current_year(app_client: TestClient, matters: None) -> None:
    text = html(as_user(app_client, "t_clerk"), PAGE)
    for label in ("接收", "办结", "按期办结", "逾期", "按期办结率", "平均办理工作日", "中位办理工作日"):
        assert label in text
    for label in ("P90 办理工作日", "最快办理工作日", "积压账龄", "≤5 个工作日", ">20 个工作日"):
        assert label in text
    assert 'value="2024-01-01"' in text and 'value="2024-12-31"' in text  # the default period: this year
    # received, resolved, open, on time, overdue (= late + open past due), late, open past due, on-time rate
    assert "<td>3</td><td>2</td><td>1</td><td>1</td><td>2</td><td>1</td><td>1</td><td>50.0%</td>" in text
    assert "<td>3.5</td><td>3.5</td><td>6</td><td>1</td><td>2</td>" in text  # mean, median, P90, fastest, count


def test_the_unit_picker_offers_the_unit_tree_within_the_users_scope(app_client: TestClient, matters: None) -> None:
    clerk = html(as_user(app_client, "t_clerk"), PAGE)
    assert "凤凰县公路建设养护中心" in clerk and "吉首市" not in clerk
    outsider = html(as_user(app_client, "t_outsider"), PAGE)
    assert "吉首市公路建设养护中心" in outsider and "凤凰县" not in outsider
    assert "<td>0</td><td>0</td><td>0</td>" in outsider  # the 凤凰县 matters are not counted either


def test_the_api_gives_the_same_figures_for_a_unit_subtree_and_channel(
    app_client: TestClient, db: Database, matters: None
) -> None:
    client = as_user(app_client, "t_clerk")
    params: dict[str, str | int] = {"kind": "testkind", "unit_id": unit_id(db, "fh"), "channel": "12345热线"}
    body = client.get(API, params={**params, "from": "2024-09-30", "to": "2024-09-30"}).json()
    assert (body["from"], body["to"], body["kind_label"]) == ("2024-09-30", "2024-09-30", "测试事项")
    assert (body["received"], body["resolved"], body["open"]) == (3, 2, 1)
    assert (body["on_time"], body["resolved_late"], body["open_overdue"], body["overdue"]) == (1, 1, 1, 2)
    assert body["on_time_rate"] == 0.5
    assert body["cycle_time"] == {"resolved": 2, "mean": 3.5, "median": 3.5, "p90": 6, "fastest": 1}
    # the open one was received on 30 Sep; on 21 Oct that is Oct 8–12, 14–18 and 21 = 11 working days
    assert [(b["label"], b["count"]) for b in body["backlog"]] == [
        ("≤5 个工作日", 0),
        ("6–10 个工作日", 0),
        ("11–20 个工作日", 1),
        (">20 个工作日", 0),
    ]
    assert client.get(API, params={**params, "channel": "网站"}).json()["received"] == 0
    assert client.get(API, params={**params, "status": "handling"}).json()["received"] == 1


@pytest.mark.parametrize(
    ("query", "status", "field"),
    [
        ({"from": "2024-13-01"}, 422, "from"),
        ({"to": "明天"}, 422, "to"),
        ({"from": "2024-06-01", "to": "2024-05-01"}, 422, "to"),
        ({"unit_id": "abc"}, 422, "unit_id"),
        ({"status": "nonsense"}, 422, "status"),
        ({"channel": "x" * 40}, 422, "channel"),
        ({"kind": "nosuchkind"}, 404, "kind"),
        ({"kind": None}, 422, "kind"),
    ],
)
def test_bad_api_parameters_are_refused_in_chinese_naming_the_field(
    app_client: TestClient, matters: None, query: dict[str, str | None], status: int, field: str
) -> None:
    params = {k: v for k, v in {"kind": "testkind", **query}.items() if v is not None}
    r = as_user(app_client, "t_clerk").get(API, params=params)
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["field"] == field


@pytest.mark.parametrize(
    ("query", "status", "words"),
    [
        ("from=2024-02-30", 422, "起始日期“2024-02-30”不是有效日期"),
        ("from=2024-06-01&to=2024-05-01", 422, "截止日期（to）不能早于起始日期（from）"),
        ("unit_id=x1", 422, "单位无效"),
        ("status=nonsense", 422, "状态（status）“nonsense”无效"),
    ],
)
def test_bad_page_parameters_are_shown_above_the_form_in_chinese(
    app_client: TestClient, matters: None, query: str, status: int, words: str
) -> None:
    r = as_user(app_client, "t_clerk").get(f"{PAGE}?{query}")
    assert r.status_code == status
    assert words in r.text and 'name="from"' in r.text


def test_a_unit_outside_the_scope_is_not_found_and_a_user_without_the_grant_is_refused(
    app_client: TestClient, db: Database, matters: None
) -> None:
    outsider = as_user(app_client, "t_outsider")
    fh = unit_id(db, "fh-gl")
    assert outsider.get(API, params={"kind": "testkind", "unit_id": fh}).status_code == 404
    assert outsider.get(f"{PAGE}?unit_id={fh}").status_code == 404
    nobody = as_user(app_client, "fh_gl")  # a clerk of the demo, with no grant on the test kind
    assert nobody.get(API, params={"kind": "testkind"}).status_code == 403
    assert nobody.get(PAGE).status_code == 403
    app_client.cookies.clear()
    assert app_client.get(API, params={"kind": "testkind"}).status_code == 401


JUNK = ["", "\x00", "-1", "9" * 30, "2024-13-45", "'; drop table matters; --", "x" * 3000]


@pytest.mark.parametrize("param", ["kind", "unit_id", "from", "to", "channel", "status"])
def test_junk_in_any_parameter_is_a_chinese_4xx_or_ignored_never_a_500_for_a_user_with_the_grant(
    app_client: TestClient, matters: None, param: str
) -> None:
    client = as_user(app_client, "t_clerk")
    for junk in JUNK:
        api = client.get(API, params={"kind": "testkind", param: junk})
        assert api.status_code == 200 or (400 <= api.status_code < 500 and CJK.search(api.json()["detail"])), (
            junk,
            api.text[:200],
        )
        if param != "kind":
            page = client.get(PAGE, params={param: junk})
            assert page.status_code == 200 or (400 <= page.status_code < 500 and CJK.search(page.text)), junk
