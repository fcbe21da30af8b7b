"""Special actions (专项行动): departments pressed into a campaign, requests tagged to it, and the per-department
report (surfaced, resolved, difficulties solved) computed in SQL within the reader's scope, on SQLite and
PostgreSQL. The seed's campaign across health, education, agriculture and civil affairs reports 39 requests
surfaced and 45 difficulties solved, here from the records.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import date
from typing import Any

import pytest
from sqlalchemy import func, select

from tests.conftest import unit_id
from tests.support.request_people import SYSTEM, category, setup
from zhengwu.core.db import Database
from zhengwu.core.errors import Forbidden, Invalid
from zhengwu.core.org.model import Principal, system_principal
from zhengwu.requests import model
from zhengwu.requests import service as requests
from zhengwu.requests.model import State
from zhengwu.requests.service.campaigns import department_ids
from zhengwu.requests.tables import RequestCampaign, RequestCampaignUnit, RequestMatter

DEPARTMENTS = ("fh-wj", "fh-jy", "fh-ny", "fh-mz")  # health, education, agriculture, civil affairs
SUBJECT = {"fh-wj": "health", "fh-jy": "education", "fh-ny": "agriculture", "fh-mz": "civil", "fh-gl": "traffic.road"}
CAMPAIGN_PEOPLE = {
    "c_commission": ("fh-jw", [(model.VIEW, "all"), (model.CAMPAIGN_MANAGE, "all")]),
    "c_town": ("fh-les", [(model.VIEW, "unit"), (model.CAMPAIGN_MANAGE, "unit")]),
}


@pytest.fixture
def people(db: Database) -> dict[str, Principal]:
    return setup(db, CAMPAIGN_PEOPLE)


def new_campaign(db: Database, who: Principal, **kw: Any) -> int:
    values: dict[str, Any] = {
        "name": "“我为群众办实事”专项行动",
        "commission_unit_id": unit_id(db, "fh-jw"),
        "starts_on": date(2024, 4, 1),
        "ends_on": date(2024, 12, 31),
        "unit_ids": [unit_id(db, u) for u in DEPARTMENTS],
    }
    values.update(kw)
    with db.uow(SYSTEM) as uow:
        campaign = requests.create_campaign(uow, who, **values)
        uow.commit()
        return campaign.id


def surface(db: Database, p: dict[str, Principal], unit: str, campaign_id: int | None, difficulties: int | None) -> int:
    """A request tagged to the campaign, dispatched to ``unit``; resolved with ``difficulties`` unless None."""
    sp = system_principal()
    with db.uow(SYSTEM) as uow:
        rid = requests.receive_request(
            uow,
            p["r_hotline"],
            channel="walk_in",
            type="help",
            category_id=category(db, SUBJECT[unit]),
            description="专项行动中走访发现的群众困难。",
            anonymous=True,
            campaign_id=campaign_id,
        ).id
        requests.accept(uow, p["r_hotline"], rid)
        requests.dispatch(uow, p["r_hotline"], rid, unit_id=unit_id(db, unit))
        requests.sign(uow, sp, rid)
        if difficulties is not None:
            requests.resolve(uow, sp, rid, result="已解决", difficulties_solved=difficulties)
        uow.commit()
    return rid


def figures(db: Database, who: Principal, campaign_id: int) -> dict[str, tuple[int, int, int]]:
    codes = {unit_id(db, u): u for u in DEPARTMENTS}
    with db.reading() as s:
        report = requests.campaign_report(s, who, campaign_id)
    return {codes[d.unit_id]: (d.surfaced, d.resolved, d.difficulties_solved) for d in report.departments}


def test_the_seed_campaign_reports_39_requests_surfaced_and_45_difficulties_solved_from_the_records(
    db: Database, people: dict[str, Principal]
) -> None:
    cid = new_campaign(db, people["c_commission"])
    # (unit, resolved with n difficulties) — health 12, education 10, agriculture 9, civil affairs 8 requests.
    plan: dict[str, Sequence[int | None]] = {
        "fh-wj": [2] * 4 + [1] * 8,
        "fh-jy": [1] * 10,
        "fh-ny": [2] * 3 + [1] * 5 + [None],
        "fh-mz": [1] * 8,
    }
    for unit, outcomes in plan.items():
        for n in outcomes:
            surface(db, people, unit, cid, n)
    surface(db, people, "fh-wj", None, 5)  # not tagged: does not count
    with db.reading() as s:
        report = requests.campaign_report(s, people["c_commission"], cid)
    assert (report.surfaced, report.difficulties_solved, report.resolved) == (39, 45, 38)
    assert figures(db, people["c_commission"], cid) == {
        "fh-wj": (12, 12, 16),
        "fh-jy": (10, 10, 10),
        "fh-ny": (9, 8, 11),
        "fh-mz": (8, 8, 8),
    }


def test_a_generated_campaign_reports_exactly_the_brute_force_counts(
    db: Database, people: dict[str, Principal]
) -> None:
    cid = new_campaign(db, people["c_commission"])
    other = new_campaign(db, people["c_commission"], name="另一专项行动")
    rng = random.Random(20240620)
    for _ in range(30):
        unit = rng.choice([*DEPARTMENTS, "fh-gl"])
        tag = rng.choice([cid, cid, cid, other, None])
        surface(db, people, unit, tag, rng.choice([None, 0, 1, 2, 3]))
    with db.reading() as s:
        rows = list(s.scalars(select(RequestMatter).where(RequestMatter.campaign_id == cid)))
    expected = {}
    for u in DEPARTMENTS:
        mine = [r for r in rows if r.owner_unit_id == unit_id(db, u)]
        done = [r for r in mine if r.status in (State.RESOLVED, State.CLOSED)]
        expected[u] = (len(mine), len(done), sum(r.difficulties_solved or 0 for r in done))
    assert figures(db, people["c_commission"], cid) == expected
    # Scoped: the health bureau's reader sees its own figures and zero elsewhere.
    scoped = figures(db, people["r_health"], cid)
    assert scoped["fh-wj"] == expected["fh-wj"]
    assert all(scoped[u] == (0, 0, 0) for u in DEPARTMENTS[1:])


def test_a_campaign_keeps_its_departments_in_order_and_editing_replaces_them(
    db: Database, people: dict[str, Principal]
) -> None:
    cid = new_campaign(db, people["c_commission"])
    with db.reading() as s:
        assert department_ids(s, cid) == [unit_id(db, u) for u in DEPARTMENTS]
    with db.uow(SYSTEM) as uow:
        requests.update_campaign(
            uow,
            people["c_commission"],
            cid,
            name="民生实事专项行动",
            commission_unit_id=unit_id(db, "fh-jw"),
            starts_on=date(2024, 5, 1),
            unit_ids=[unit_id(db, "fh-mz"), unit_id(db, "fh-wj")],
        )
        uow.commit()
    with db.reading() as s:
        c = s.get(RequestCampaign, cid)
        assert c is not None and (c.name, c.starts_on, c.ends_on) == ("民生实事专项行动", date(2024, 5, 1), None)
        assert department_ids(s, cid) == [unit_id(db, "fh-mz"), unit_id(db, "fh-wj")]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"starts_on": date(2024, 12, 31), "ends_on": date(2024, 4, 1)}, "ends_on"),
        ({"name": " "}, "name"),
        ({"commission_unit_id": 987654}, "commission_unit_id"),
        ({"unit_ids": [987654]}, "unit_ids"),
    ],
)
def test_bad_campaign_input_names_the_field_and_writes_nothing(
    db: Database, people: dict[str, Principal], change: dict[str, Any], field: str
) -> None:
    with pytest.raises(Invalid) as bad:
        new_campaign(db, people["c_commission"], **change)
    assert bad.value.field == field
    with db.reading() as s:
        assert s.scalar(select(func.count()).select_from(RequestCampaign)) == 0
        assert s.scalar(select(func.count()).select_from(RequestCampaignUnit)) == 0


def test_a_unit_cannot_run_a_campaign_for_a_commission_outside_its_scope(
    db: Database, people: dict[str, Principal]
) -> None:
    with pytest.raises(Forbidden):
        new_campaign(db, people["c_town"])


def test_tagging_a_request_to_a_campaign_counts_it_and_unknown_ids_are_refused(
    db: Database, people: dict[str, Principal]
) -> None:
    cid = new_campaign(db, people["c_commission"])
    rid = surface(db, people, "fh-jy", None, 3)
    with db.uow(SYSTEM) as uow, pytest.raises(Invalid) as bad:
        requests.tag_request(uow, people["c_commission"], rid + 999, cid)
    assert bad.value.field == "request_id"
    with db.uow(SYSTEM) as uow, pytest.raises(Invalid) as bad:
        requests.tag_request(uow, people["c_commission"], rid, cid + 999)
    assert bad.value.field == "campaign_id"
    assert figures(db, people["c_commission"], cid)["fh-jy"] == (0, 0, 0)
    with db.uow(SYSTEM) as uow:
        requests.tag_request(uow, people["c_commission"], rid, cid)
        uow.commit()
    assert figures(db, people["c_commission"], cid)["fh-jy"] == (1, 1, 3)
