"""Supervision (督办 / 挂牌督办) through the JSON API: the county commission lists a matter of 凤凰县公路建设养护中心,
the owner reports progress, and the commission signs off once the matter is resolved; a second body may list the
same matter; a stale version is a conflict; outsiders see nothing.

Dates: 20 June 2024 is a Thursday; five working days later is Thursday 27 June.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from tests.conftest import csrf, login, unit_id
from tests.support.supervision_people import add_people, at, end_of, open_matter, resolve
from zhengwu.core.clock import FakeClock
from zhengwu.core.db import Database
from zhengwu.core.matters.tables import MatterEvent, SupervisionListing, SupervisionReport
from zhengwu.core.org.model import Principal

API = "/api/v1/matters/testkind"


@pytest.fixture
def setting(app_client: TestClient, db: Database, clock: FakeClock) -> tuple[dict[str, Principal], int]:
    clock.set(at(2024, 6, 20))
    people = add_people(db)
    return people, open_matter(db, people)


def as_user(client: TestClient, username: str) -> TestClient:
    client.cookies.clear()
    return login(client, username)


def post(client: TestClient, url: str, body: Any) -> Any:
    return client.post(url, json=body, headers={"X-CSRF-Token": csrf(client)})


def listing(db: Database, unit: str = "fh-jw", **change: Any) -> dict[str, Any]:
    return {
        "supervising_unit_id": unit_id(db, unit),
        "letter_no": "凤纪督〔2024〕12号",
        "level": "县级挂牌督办",
        "requirements": "6月27日前完成路面处置并报送结果",
        "due_in": 5,
        **change,
    }


def written(db: Database) -> tuple[int, int, int]:
    with db.reading() as s:
        return tuple(  # type: ignore[return-value]
            s.scalar(select(func.count()).select_from(t)) or 0
            for t in (SupervisionListing, SupervisionReport, MatterEvent)
        )


def test_the_commission_lists_the_owner_reports_and_the_commission_signs_off_once_the_matter_is_resolved(
    app_client: TestClient, db: Database, clock: FakeClock, setting: tuple[dict[str, Principal], int]
) -> None:
    people, matter = setting
    county = as_user(app_client, "s_county")
    ladder = [{"code": "reminder", "when": -2}, {"code": "urging", "label": "督促", "when": 1}]
    r = post(county, f"{API}/{matter}/listings", listing(db, report_every=2, ladder=ladder))
    assert r.status_code == 201, r.text
    created = r.json()
    assert (created["status"], created["status_label"], created["light"], created["version"]) == (
        "listed",
        "督办中",
        "green",
        1,
    )
    assert datetime.fromisoformat(created["due_at"]) == end_of(2024, 6, 27)
    assert (created["supervising_unit"], created["listed_by"], created["next_report_due"]) == (
        "凤凰县纪委监委",
        "s_county",
        "2024-06-24",
    )
    assert [(s["code"], s["label"], s["when"]) for s in created["ladder"]] == [
        ("reminder", "到期提醒", -2),
        ("urging", "督促", 1),
    ]
    url = f"{API}/{matter}/listings/{created['id']}"

    clock.set(at(2024, 6, 21))
    handler = as_user(app_client, "s_handler")
    r = post(handler, f"{url}/reports", {"text": "已完成铣刨，正在刻纹"})
    assert r.status_code == 201, r.text
    assert (r.json()["by"], r.json()["text"]) == ("s_handler", "已完成铣刨，正在刻纹")
    seen = handler.get(f"{API}/{matter}/listings").json()
    assert [x["letter_no"] for x in seen] == ["凤纪督〔2024〕12号"]
    assert [x["text"] for x in seen[0]["reports"]] == ["已完成铣刨，正在刻纹"]
    assert seen[0]["next_report_due"] == "2024-06-25"  # two working days from the report

    county = as_user(app_client, "s_county")
    before = written(db)
    early = post(county, f"{url}/signoff", {"note": "同意销号", "version": 1})
    assert early.status_code == 422 and early.json()["field"] == "listing_id"
    assert "尚未办结（当前状态：办理中）" in early.json()["detail"]
    assert written(db) == before

    resolve(db, people, matter)
    r = post(county, f"{url}/signoff", {"note": "经核查已整改到位，同意销号", "version": 1})
    assert r.status_code == 200, r.text
    done = r.json()
    assert (done["status"], done["light"], done["signed_off_by"], done["version"]) == (
        "signed_off",
        "done",
        "s_county",
        2,
    )
    assert done["sign_off_note"] == "经核查已整改到位，同意销号" and done["next_report_due"] is None

    handler = as_user(app_client, "s_handler")
    late = post(handler, f"{url}/reports", {"text": "补充材料"})
    assert late.status_code == 422 and "已销号" in late.json()["detail"]


def test_a_second_body_may_list_the_same_matter_but_one_body_not_twice(
    app_client: TestClient, db: Database, setting: tuple[dict[str, Principal], int]
) -> None:
    _people, matter = setting
    county = as_user(app_client, "s_county")
    assert post(county, f"{API}/{matter}/listings", listing(db)).status_code == 201
    again = post(county, f"{API}/{matter}/listings", listing(db, letter_no="凤纪督〔2024〕13号"))
    assert again.status_code == 422 and again.json()["field"] == "matter_id"

    state = as_user(app_client, "s_prefecture")
    r = post(state, f"{API}/{matter}/listings", listing(db, "xx-jw", letter_no="州纪督〔2024〕3号", due_in=10))
    assert r.status_code == 201, r.text

    def letters(username: str) -> list[str]:
        return [x["letter_no"] for x in as_user(app_client, username).get(f"{API}/{matter}/listings").json()]

    assert letters("s_handler") == ["凤纪督〔2024〕12号", "州纪督〔2024〕3号"]  # the owner sees every listing
    assert letters("s_signer") == ["凤纪督〔2024〕12号"]  # no view of the kind: only its commission's listing
    signer = as_user(app_client, "s_signer")
    assert signer.get(f"{API}/{matter}").status_code == 403  # ...and the matter itself stays closed to it


def test_a_sign_off_with_a_stale_version_is_a_conflict_and_changes_nothing(
    app_client: TestClient, db: Database, setting: tuple[dict[str, Principal], int]
) -> None:
    people, matter = setting
    county = as_user(app_client, "s_county")
    created = post(county, f"{API}/{matter}/listings", listing(db)).json()
    resolve(db, people, matter)
    url = f"{API}/{matter}/listings/{created['id']}/signoff"
    stale = post(county, url, {"note": "同意销号", "version": created["version"] + 1})
    assert stale.status_code == 409 and "已被他人修改" in stale.json()["detail"]
    assert county.get(f"{API}/{matter}/listings").json()[0]["status"] == "listed"
    assert post(county, url, {"note": "同意销号", "version": created["version"]}).status_code == 200
    assert post(county, url, {"note": "同意销号", "version": created["version"]}).status_code == 409


def test_users_of_another_county_see_no_listing_and_cannot_reach_one(
    app_client: TestClient, db: Database, setting: tuple[dict[str, Principal], int]
) -> None:
    _people, matter = setting
    county = as_user(app_client, "s_county")
    created = post(county, f"{API}/{matter}/listings", listing(db)).json()
    outsider = as_user(app_client, "s_outsider")  # lists and reports, but for 吉首市
    assert outsider.get(f"{API}/{matter}/listings").status_code == 404
    before = written(db)
    assert post(outsider, f"{API}/{matter}/listings/{created['id']}/reports", {"text": "x"}).status_code == 404
    assert post(outsider, f"{API}/{matter}/listings", listing(db, "js", letter_no="吉纪督1号")).status_code == 404
    assert written(db) == before
    ledger = outsider.get("/api/v1/supervision/listings").json()
    assert (ledger["items"], ledger["total"]) == ([], 0)


def test_a_matter_of_another_kind_or_a_listing_of_another_matter_is_not_found(
    app_client: TestClient, db: Database, setting: tuple[dict[str, Principal], int]
) -> None:
    people, matter = setting
    other = open_matter(db, people, title="S308 边坡落石")
    county = as_user(app_client, "s_county")
    created = post(county, f"{API}/{matter}/listings", listing(db)).json()
    assert county.get(f"/api/v1/matters/nokind/{matter}/listings").status_code == 404
    handler = as_user(app_client, "s_handler")
    r = post(handler, f"{API}/{other}/listings/{created['id']}/reports", {"text": "x"})
    assert r.status_code == 404 and "督办记录不存在" in r.json()["detail"]
    assert handler.get(f"{API}/{other}/listings").json() == []  # a matter it sees, with no listing


BAD: dict[str, tuple[dict[str, Any], str]] = {
    "both_deadlines": ({"due_at": "2024-07-01"}, "due_at"),
    "no_deadline": ({"due_in": None}, "due_at"),
    "date_not_iso": ({"due_in": None, "due_at": "2024/07/01"}, "due_at"),
    "date_in_the_past": ({"due_in": None, "due_at": "2024-06-19"}, "due_at"),
    "urging_before_the_deadline": ({"ladder": [{"code": "urging", "when": 0}]}, "ladder"),
    "unknown_step": ({"ladder": [{"code": "fine", "when": 1}]}, "ladder.0.code"),
    "unknown_unit": ({"supervising_unit_id": 999_999}, "supervising_unit_id"),
    "blank_letter": ({"letter_no": "  "}, "letter_no"),
    "misspelt_field": ({"report_evry": 2}, "report_evry"),
}


@pytest.mark.parametrize(("change", "field"), BAD.values(), ids=BAD.keys())
def test_a_bad_listing_is_refused_in_chinese_naming_the_field_and_writes_nothing(
    app_client: TestClient, db: Database, setting: tuple[dict[str, Principal], int], change: dict[str, Any], field: str
) -> None:
    _people, matter = setting
    county = as_user(app_client, "s_county")
    before = written(db)
    r = post(county, f"{API}/{matter}/listings", listing(db, **change))
    assert r.status_code == 422 and r.json()["field"] == field, r.text
    assert any("\u4e00" <= ch <= "\u9fff" for ch in r.json()["detail"])
    assert written(db) == before
