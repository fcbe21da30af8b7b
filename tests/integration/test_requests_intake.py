"""Taking requests in: every bad field is named and nothing is written; the reporter is encrypted at rest, masked by
default and revealed only with the grant, every time audited; the categories dictionary and routing rules."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import func, select, text

from tests.conftest import unit_id
from tests.support.request_people import SYSTEM, category, setup
from zhengwu.core.audit.tables import AuditEntry
from zhengwu.core.clock import FakeClock
from zhengwu.core.db import Database
from zhengwu.core.errors import Forbidden, Invalid, NotFound
from zhengwu.core.matters.tables import Matter, MatterEvent
from zhengwu.core.org.model import Principal, system_principal
from zhengwu.requests import service as requests
from zhengwu.requests.model import SEED_CATEGORIES, Reporter
from zhengwu.requests.tables import RequestCampaign, RequestCategory, RequestMatter


@pytest.fixture
def people(db: Database) -> dict[str, Principal]:
    return setup(db)


def good(db: Database) -> dict[str, Any]:
    return {
        "channel": "web",
        "type": "投诉",
        "category_id": category(db, "traffic.road"),
        "description": "S256 路面湿滑",
        "address": "凤凰县腊尔山镇",
        "road_code": "s256",
        "km_from": "K12+300",
        "km_to": "K27+900",
        "latitude": 28.05,
        "longitude": 109.43,
        "reporter_name": "张三",
        "reporter_phone": "13812345678",
    }


def receive(db: Database, who: Principal, **kw: Any) -> int:
    with db.uow(SYSTEM) as uow:
        request = requests.receive_request(uow, who, **{**good(db), **kw})
        uow.commit()
        return request.id


def count(db: Database, table: Any) -> int:
    with db.reading() as s:
        return int(s.scalar(select(func.count()).select_from(table)) or 0)


BAD: list[tuple[str, dict[str, Any], str]] = [
    ("unknown category", {"category_id": 99999}, "category_id"),
    ("a type given as category", {"category": "consult"}, "category_id"),
    ("unknown type", {"type": "抱怨"}, "type"),
    ("unknown channel", {"channel": "fax"}, "channel"),
    ("empty description", {"description": "  "}, "description"),
    ("description over 4000 characters", {"description": "路" * 4001}, "description"),
    ("HTML in the description", {"description": "路面<script>alert(1)</script>"}, "description"),
    ("HTML in the address", {"address": "<b>腊尔山</b>"}, "address"),
    ("malformed road code", {"road_code": "S-256"}, "road_code"),
    ("malformed km mark", {"km_from": "12.3"}, "km_from"),
    ("reversed km range", {"km_from": "K27+900", "km_to": "K12+300"}, "km_to"),
    ("one end of the km range", {"km_to": ""}, "km_to"),
    ("km marks without a road", {"road_code": ""}, "road_code"),
    ("coordinates outside China", {"latitude": 51.5, "longitude": -0.12}, "latitude"),
    ("latitude without longitude", {"longitude": None}, "longitude"),
    ("no phone and not anonymous", {"reporter_phone": ""}, "reporter_phone"),
    ("malformed phone", {"reporter_phone": "call me"}, "reporter_phone"),
    ("name too long", {"reporter_name": "张" * 51}, "reporter_name"),
    ("anonymous with a name", {"anonymous": True}, "anonymous"),
    ("unknown campaign", {"campaign_id": 99999}, "campaign_id"),
]


@pytest.mark.parametrize(("case", "change", "field"), BAD, ids=[b[0] for b in BAD])
def test_bad_input_names_the_field_and_writes_nothing(
    db: Database, people: dict[str, Principal], case: str, change: dict[str, Any], field: str
) -> None:
    if "category" in change:
        change = {"category_id": category(db, change["category"])}
    before = (count(db, Matter), count(db, AuditEntry))
    with pytest.raises(Invalid) as bad:
        receive(db, people["r_hotline"], **change)
    assert bad.value.field == field, bad.value.message
    assert bad.value.message.strip()
    assert (count(db, Matter), count(db, AuditEntry)) == before


def test_a_deactivated_category_is_no_longer_offered(db: Database, people: dict[str, Principal]) -> None:
    cid = category(db, "market")
    with db.uow(SYSTEM) as uow:
        requests.deactivate_category(uow, people["r_admin"], cid, version=1)
        uow.commit()
    with pytest.raises(Invalid) as bad:
        receive(db, people["r_hotline"], category_id=cid)
    assert bad.value.field == "category_id"


def test_a_fresh_database_holds_the_seed_categories(db: Database, people: dict[str, Principal]) -> None:
    with db.reading() as s:
        rows = {c.code: c for c in s.scalars(select(RequestCategory))}
    assert {code for code, *_ in SEED_CATEGORIES} <= set(rows)
    assert [rows[t].name for t in ("consult", "help", "complaint", "report", "suggestion")] == [
        "咨询",
        "求助",
        "投诉",
        "举报",
        "建议",
    ]
    assert rows["traffic.road"].parent_id == rows["traffic"].id and rows["traffic.road"].level == 2
    assert (rows["consult"].limit_amount, rows["help"].limit_amount, rows["complaint"].limit_amount) == (3, 5, 13)
    with db.uow(SYSTEM) as uow:
        assert requests.seed_categories(uow) == 0  # seeding again adds nothing


def test_the_reporters_phone_and_name_are_stored_encrypted(db: Database, people: dict[str, Principal]) -> None:
    rid = receive(db, people["r_hotline"])
    with db.engine.connect() as conn:
        row = conn.execute(
            text("SELECT reporter_name, reporter_phone FROM request_matters WHERE id = :id"), {"id": rid}
        ).one()
    assert "13812345678" not in row.reporter_phone and "张三" not in row.reporter_name
    assert row.reporter_phone.startswith("v1:")
    with db.reading() as s:
        entries = " ".join(f"{e.before} {e.after}" for e in s.scalars(select(AuditEntry)))
        history = " ".join(f"{e.note} {e.data}" for e in s.scalars(select(MatterEvent)))
    assert "13812345678" not in entries and "张三" not in entries
    assert "13812345678" not in history


def test_the_reporter_is_masked_by_default(db: Database, people: dict[str, Principal]) -> None:
    rid = receive(db, people["r_hotline"])
    with db.reading() as s:
        request = s.get(RequestMatter, rid)
        assert request is not None
        assert requests.reporter(request) == Reporter("张*", "138****5678", False)


def test_revealing_the_reporter_needs_the_grant_and_is_audited_every_time(
    db: Database, people: dict[str, Principal]
) -> None:
    rid = receive(db, people["r_hotline"])
    with db.uow(SYSTEM) as uow, pytest.raises(Forbidden):
        requests.reveal_reporter(uow, people["r_hotline"], rid)  # sees the request, may not unmask it
    with db.uow(SYSTEM) as uow, pytest.raises(NotFound):
        requests.reveal_reporter(uow, people["r_outsider"], rid)  # holds the grant, but not over 凤凰
    for _ in range(2):
        with db.uow(SYSTEM) as uow:
            assert requests.reveal_reporter(uow, people["r_commission"], rid) == Reporter("张三", "13812345678", False)
            uow.commit()
    with db.reading() as s:
        reveals = list(s.scalars(select(AuditEntry).where(AuditEntry.action == "reveal_reporter")))
    assert len(reveals) == 2
    assert all(e.row_id == str(rid) and e.table_name == "request_matters" for e in reveals)
    assert all("13812345678" not in (e.after or "") for e in reveals)


def test_an_anonymous_report_keeps_no_identity(db: Database, people: dict[str, Principal]) -> None:
    rid = receive(db, people["r_hotline"], anonymous=True, reporter_name="", reporter_phone="")
    with db.uow(SYSTEM) as uow:
        assert requests.reveal_reporter(uow, people["r_commission"], rid) == Reporter("", "", True)


def test_a_request_may_be_tagged_to_a_campaign(db: Database, people: dict[str, Principal]) -> None:
    with db.uow(SYSTEM) as uow:
        from datetime import date

        campaign = RequestCampaign(
            name="民生领域专项整治", commission_unit_id=unit_id(db, "fh-jw"), starts_on=date(2024, 3, 1)
        )
        uow.session.add(campaign)
        uow.commit()
    rid = receive(db, people["r_hotline"], campaign_id=campaign.id, category_id=category(db, "health"))
    with db.reading() as s:
        found = s.get(RequestMatter, rid)
        assert found is not None and found.campaign_id == campaign.id


def test_managing_categories_needs_the_grant_and_is_audited(db: Database, people: dict[str, Principal]) -> None:
    with db.uow(SYSTEM) as uow, pytest.raises(Forbidden):
        requests.create_category(uow, people["r_hotline"], code="traffic.bridge", name="桥梁")
    with db.uow(SYSTEM) as uow:
        made = requests.create_category(
            uow,
            people["r_admin"],
            code="traffic.bridge",
            name="桥梁隧道",
            parent_id=category(db, "traffic"),
            limit_amount=8,
            limit_unit="working_days",
        )
        uow.commit()
    assert made.level == 2
    with db.uow(SYSTEM) as uow, pytest.raises(Invalid) as bad:
        requests.create_category(uow, people["r_admin"], code="traffic.bridge", name="重复")
    assert bad.value.field == "code"
    with db.uow(SYSTEM) as uow, pytest.raises(Invalid) as bad:
        requests.update_category(
            uow, people["r_admin"], made.id, version=1, name="桥梁", limit_amount=0, limit_unit=None, urgent=False
        )
    assert bad.value.field == "limit_amount"
    with db.reading() as s:
        entry = s.scalar(
            select(AuditEntry).where(AuditEntry.table_name == "request_categories", AuditEntry.row_id == str(made.id))
        )
    assert entry is not None and json.loads(entry.after or "{}")["name"] == "桥梁隧道"


def test_routing_suggests_the_unit_of_the_most_specific_rule(db: Database, people: dict[str, Principal]) -> None:
    admin = people["r_admin"]
    with db.uow(SYSTEM) as uow:
        requests.add_routing_rule(uow, admin, target_unit_id=unit_id(db, "fh"))  # anything: the county
        requests.add_routing_rule(
            uow, admin, category_id=category(db, "traffic"), target_unit_id=unit_id(db, "js-gl"), priority=5
        )
        requests.add_routing_rule(
            uow, admin, category_id=category(db, "traffic.road"), target_unit_id=unit_id(db, "fh-gl")
        )
        requests.add_routing_rule(
            uow,
            admin,
            category_id=category(db, "traffic"),
            area_unit_id=unit_id(db, "fh"),
            target_unit_id=unit_id(db, "fh-les"),
        )
        uow.commit()
    with db.reading() as s:
        assert requests.suggest_owner(s, category(db, "traffic.road"), unit_id(db, "fh-les")) == unit_id(db, "fh-gl")
        assert requests.suggest_owner(s, category(db, "traffic.safety"), unit_id(db, "fh-les")) == unit_id(db, "fh-les")
        assert requests.suggest_owner(s, category(db, "traffic.safety"), unit_id(db, "js")) == unit_id(db, "js-gl")
        assert requests.suggest_owner(s, category(db, "health"), None) == unit_id(db, "fh")


def test_the_cli_principal_may_do_everything(db: Database, people: dict[str, Principal], clock: FakeClock) -> None:
    rid = receive(db, system_principal(), intake_unit_id=unit_id(db, "fh"))
    with db.uow(SYSTEM) as uow:
        assert requests.reveal_reporter(uow, system_principal(), rid).phone == "13812345678"
