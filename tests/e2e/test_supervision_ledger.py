"""The supervision ledger (督办台账): the page at /supervision, its Excel export and /api/v1/supervision/listings show
the listings the caller may see, with the deadline light the matter's own listings show, filtered alike.

Four matters of 凤凰县公路建设养护中心, listed on Thursday 20 June 2024 and looked at on Monday 24 June:
one due Friday 21 June (overdue), one due Monday 24 June (due soon), one due 4 July (on time), and one the
state commission listed and has signed off.
"""

from __future__ import annotations

import io
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from tests.conftest import csrf, login, unit_id
from tests.support.supervision_people import add_people, at, open_matter, resolve
from zhengwu.core.clock import FakeClock
from zhengwu.core.db import Database

API = "/api/v1/matters/testkind"
LEDGER = "/api/v1/supervision/listings"


def as_user(client: TestClient, username: str) -> TestClient:
    client.cookies.clear()
    return login(client, username)


def list_matter(client: TestClient, db: Database, matter: int, unit: str, letter: str, due_in: int) -> dict[str, Any]:
    body = {
        "supervising_unit_id": unit_id(db, unit),
        "letter_no": letter,
        "level": "挂牌督办",
        "requirements": "限期处置",
        "due_in": due_in,
    }
    r = client.post(f"{API}/{matter}/listings", json=body, headers={"X-CSRF-Token": csrf(client)})
    assert r.status_code == 201, r.text
    return dict(r.json())


@pytest.fixture
def ledger(app_client: TestClient, db: Database, clock: FakeClock) -> dict[str, int]:
    """letter number → matter id, as described in the module docstring."""
    clock.set(at(2024, 6, 20))
    people = add_people(db)
    matters = {
        title: open_matter(db, people, title=title)
        for title in ("S256 路面湿滑", "S308 边坡落石", "G209 桥梁护栏", "X041 涵洞堵塞")
    }
    county = as_user(app_client, "s_county")
    letters = {
        "凤纪督〔2024〕1号": (matters["S256 路面湿滑"], 1),
        "凤纪督〔2024〕2号": (matters["S308 边坡落石"], 2),
        "凤纪督〔2024〕3号": (matters["G209 桥梁护栏"], 10),
    }
    for letter, (matter, due_in) in letters.items():
        list_matter(county, db, matter, "fh-jw", letter, due_in)
    state = as_user(app_client, "s_prefecture")
    done = list_matter(state, db, matters["X041 涵洞堵塞"], "xx-jw", "州纪督〔2024〕7号", 5)
    resolve(db, people, matters["X041 涵洞堵塞"])
    r = state.post(
        f"{API}/{matters['X041 涵洞堵塞']}/listings/{done['id']}/signoff",
        json={"note": "同意销号", "version": done["version"]},
        headers={"X-CSRF-Token": csrf(state)},
    )
    assert r.status_code == 200, r.text
    clock.set(at(2024, 6, 24))
    return {letter: matter for letter, (matter, _) in letters.items()} | {"州纪督〔2024〕7号": matters["X041 涵洞堵塞"]}


def rows(client: TestClient, **params: str) -> dict[str, str]:
    """letter number → light, as the JSON ledger lists them."""
    r = client.get(LEDGER, params=params)
    assert r.status_code == 200, r.text
    return {x["letter_no"]: x["light"] for x in r.json()["items"]}


def test_the_ledger_shows_each_listing_with_the_light_of_its_deadline(
    app_client: TestClient, ledger: dict[str, int]
) -> None:
    handler = as_user(app_client, "s_handler")  # the owner unit sees every listing of its matters
    assert rows(handler) == {
        "凤纪督〔2024〕1号": "red",
        "凤纪督〔2024〕2号": "yellow",
        "凤纪督〔2024〕3号": "green",
        "州纪督〔2024〕7号": "done",
    }


def test_the_ledger_light_is_the_light_the_matter_shows_for_its_listing(
    app_client: TestClient, ledger: dict[str, int]
) -> None:
    handler = as_user(app_client, "s_handler")
    for letter, light in rows(handler).items():
        of_matter = handler.get(f"{API}/{ledger[letter]}/listings").json()
        assert [x["light"] for x in of_matter if x["letter_no"] == letter] == [light]


def test_the_ledger_filters_by_status_light_and_letter_number_or_title(
    app_client: TestClient, ledger: dict[str, int]
) -> None:
    handler = as_user(app_client, "s_handler")
    assert list(rows(handler, status="signed_off")) == ["州纪督〔2024〕7号"]
    assert list(rows(handler, light="red")) == ["凤纪督〔2024〕1号"]
    assert list(rows(handler, light="yellow")) == ["凤纪督〔2024〕2号"]
    assert list(rows(handler, q="边坡")) == ["凤纪督〔2024〕2号"]
    assert list(rows(handler, q="州纪督")) == ["州纪督〔2024〕7号"]
    assert list(rows(handler, status="listed", sort="-due_at")) == [
        "凤纪督〔2024〕3号",
        "凤纪督〔2024〕2号",
        "凤纪督〔2024〕1号",
    ]
    counted = handler.get(LEDGER, params={"status": "listed", "q": "凤纪督"}).json()
    assert (counted["total"], counted["pages"], len(counted["items"])) == (3, 1, 3)
    bad = handler.get(LEDGER, params={"light": "purple"})
    assert bad.status_code == 422 and bad.json()["field"] == "light"


def test_each_side_sees_its_own_listings_and_another_county_sees_none(
    app_client: TestClient, ledger: dict[str, int]
) -> None:
    assert set(rows(as_user(app_client, "s_signer"))) == {"凤纪督〔2024〕1号", "凤纪督〔2024〕2号", "凤纪督〔2024〕3号"}
    assert len(rows(as_user(app_client, "s_county"))) == 4  # sees every test matter, so every listing
    assert rows(as_user(app_client, "s_outsider")) == {}
    assert as_user(app_client, "s_outsider").get("/supervision").text.count("凤纪督") == 0


def test_the_page_links_each_listing_to_its_matter_and_offers_the_filters(
    app_client: TestClient, ledger: dict[str, int]
) -> None:
    county = as_user(app_client, "s_county")
    page = county.get("/supervision", params={"light": "red"})
    assert page.status_code == 200
    assert "督办台账" in page.text and "凤纪督〔2024〕1号" in page.text and "凤纪督〔2024〕2号" not in page.text
    assert f'href="/matters/testkind/{ledger["凤纪督〔2024〕1号"]}"' in page.text
    assert "已逾期" in page.text and 'name="light"' in page.text and 'name="status"' in page.text
    bad = county.get("/supervision", params={"status": "lost"})
    assert bad.status_code == 422 and "筛选条件" in bad.text


def test_the_navigation_offers_the_ledger_to_the_supervising_side(
    app_client: TestClient, ledger: dict[str, int]
) -> None:
    assert 'href="/supervision"' in as_user(app_client, "s_county").get("/").text
    assert 'href="/supervision"' not in as_user(app_client, "s_handler").get("/").text


def export(client: TestClient, **params: str) -> list[tuple[Any, ...]]:
    r = client.get("/supervision/export.xlsx", params=params)
    assert r.status_code == 200
    sheet = load_workbook(io.BytesIO(r.content), read_only=True).worksheets[0]
    return [tuple(row) for row in sheet.iter_rows(values_only=True)]


@pytest.mark.parametrize("username", ["s_signer", "s_handler", "s_prefecture", "s_outsider"])
def test_the_export_holds_exactly_the_rows_the_caller_sees(
    app_client: TestClient, ledger: dict[str, int], username: str
) -> None:
    client = as_user(app_client, username)
    header, *body = export(client)
    assert header[:4] == ("事项编号", "事项标题", "督办单位", "督办函号")
    assert sorted(r[3] for r in body) == sorted(rows(client))
    assert [r[3] for r in export(client, light="yellow")[1:]] == [k for k, v in rows(client).items() if v == "yellow"]


def test_the_exported_row_reads_as_the_page_does(app_client: TestClient, ledger: dict[str, int]) -> None:
    _header, *body = export(as_user(app_client, "s_handler"), q="凤纪督〔2024〕1号")
    assert body == [
        (
            "测-2024-000001",
            "S256 路面湿滑",
            "凤凰县纪委监委",
            "凤纪督〔2024〕1号",
            "挂牌督办",
            "2024-06-21",
            "已逾期",
            None,
            "督办中",
        )
    ]
