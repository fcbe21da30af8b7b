"""Listed supervision through the matter page: the county commission lists, the owner reports, the commission signs
off once the matter is resolved (the Fenghuang S256 story of the seed)."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from tests.conftest import csrf, login
from tests.support.supervision_people import add_people, at, open_matter, resolve
from zhengwu.core.clock import FakeClock
from zhengwu.core.db import Database
from zhengwu.core.org.model import Principal


@pytest.fixture
def setting(app_client: TestClient, db: Database, clock: FakeClock) -> tuple[dict[str, Principal], int]:
    clock.set(at(2024, 6, 20))
    people = add_people(db)
    return people, open_matter(db, people)


def as_user(client: TestClient, username: str) -> TestClient:
    client.cookies.clear()
    return login(client, username)


def post(client: TestClient, url: str, data: dict[str, str]) -> object:
    return client.post(url, data={**data, "csrf_token": csrf(client)}, follow_redirects=False)


def test_the_commission_lists_the_owner_reports_and_the_commission_signs_off(
    app_client: TestClient, db: Database, setting: tuple[dict[str, Principal], int]
) -> None:
    people, matter = setting
    url = f"/matters/testkind/{matter}"
    county = as_user(app_client, "s_county")
    assert "挂牌督办</button>" in county.get(url).text
    r = post(
        county,
        f"{url}/listings",
        {
            "letter_no": "凤纪督〔2024〕3号",
            "level": "挂牌督办",
            "requirements": "尽快拿出具体措施和设计方案",
            "due_in": "10",
            "report_every": "5",
            "supervising_unit_id": re.search(
                r'name="supervising_unit_id"><option value="(\d+)"', county.get(url).text
            ).group(1),
        },
    )  # type: ignore[union-attr]
    assert r.status_code == 303  # type: ignore[attr-defined]
    page = county.get(url).text
    assert "凤纪督〔2024〕3号" in page and "督办中" in page and "督办销号</button>" not in page  # not resolved yet

    handler = as_user(app_client, "s_handler")
    listing = re.search(rf"{url}/listings/(\d+)/reports", handler.get(url).text)
    assert listing
    assert post(handler, f"{url}/listings/{listing.group(1)}/reports", {"text": "已完成踏勘"}).status_code == 303  # type: ignore[attr-defined]
    resolve(db, people, matter)

    county = as_user(app_client, "s_county")
    page = county.get(url).text
    assert "已完成踏勘" in page and "督办销号</button>" in page
    version = re.search(r'name="version" value="(\d+)"', page.split("督办销号")[0].rsplit("<form", 1)[1])
    assert version
    r = post(
        county,
        f"{url}/listings/{listing.group(1)}/signoff",
        {"note": "隐患已排除，同意销号", "version": version.group(1)},
    )
    assert r.status_code == 303  # type: ignore[attr-defined]
    assert "已销号" in county.get(url).text


def test_a_listing_with_bad_input_is_refused_naming_the_field(
    app_client: TestClient, setting: tuple[dict[str, Principal], int]
) -> None:
    _people, matter = setting
    url = f"/matters/testkind/{matter}"
    county = as_user(app_client, "s_county")
    unit = re.search(r'name="supervising_unit_id"><option value="(\d+)"', county.get(url).text)
    assert unit
    r = post(
        county,
        f"{url}/listings",
        {
            "letter_no": "",
            "level": "挂牌督办",
            "requirements": "x",
            "due_in": "10",
            "supervising_unit_id": unit.group(1),
        },
    )
    assert r.status_code == 422 and "letter_no" in r.text  # type: ignore[attr-defined]
