"""Findings (巡察发现问题) and the category dictionary through their services, on SQLite and PostgreSQL.

The clock stands at 2024-06-20 09:00 Beijing time; the round (长沙市委 2024 round 1) entered on 2024-04-08 and its
entry stage has no end date unless a test gives it one.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from tests.support.inspection_people import SYSTEM, RoundIds, add_round, category, setup, unit
from zhengwu.core.clock import FakeClock
from zhengwu.core.db import Database
from zhengwu.core.errors import Conflict, Forbidden, Invalid, NotFound
from zhengwu.core.matters.model import InvalidTransition
from zhengwu.core.matters.tables import MatterDeadline
from zhengwu.core.org.model import Principal
from zhengwu.inspection.model import SEED_CATEGORIES, Stage
from zhengwu.inspection.service import categories, findings, items
from zhengwu.inspection.tables import FindingMatter, InspectionCategory, InspectionRoundStage, ItemMatter

TODAY = date(2024, 6, 20)


@pytest.fixture
def people(db: Database) -> dict[str, Principal]:
    return setup(db)


@pytest.fixture
def rnd(db: Database, people: Any) -> RoundIds:
    return add_round(db)


def record(db: Database, who: Principal, rnd: RoundIds, **kw: Any) -> int:
    values: dict[str, Any] = {
        "round_id": rnd.round_id,
        "target_unit_id": rnd.targets[0],
        "category_id": category(db, "conduct"),
        "title": "违规发放津贴补贴",
        "description": "2023 年以来以加班费名义发放津贴补贴 12.6 万元。",
        "paper": "底稿：财务凭证 2023-07 第 15 号等",
    }
    values.update(kw)
    with db.uow(SYSTEM) as uow:
        found = findings.record_finding(uow, who, **values)
        uow.commit()
        return found.id


def step(db: Database, who: Principal, finding_id: int, action: str, **kw: Any) -> FindingMatter:
    with db.uow(SYSTEM) as uow:
        found = findings.act(uow, who, finding_id, action, version=kw.pop("version", None), **kw)
        uow.commit()
        return found


def load(db: Database, finding_id: int) -> FindingMatter:
    with db.reading() as s:
        found = s.get(FindingMatter, finding_id)
        assert found is not None
        return found


# ------------------------------------------------------------------------------------------------ categories


def test_seeding_categories_is_idempotent_and_keeps_the_seed_order(db: Database, people: Any) -> None:
    with db.uow(SYSTEM) as uow:
        assert categories.seed_categories(uow) == 0  # setup seeded them already
        uow.commit()
    with db.reading() as s:
        names = [c.name for c in categories.list_categories(s)]
    assert names == [name for _, name in SEED_CATEGORIES]


def test_a_category_is_added_renamed_and_deactivated_with_the_version_read(db: Database, people: Any) -> None:
    office = people["cs_xcb_office"]
    with db.uow(SYSTEM) as uow:
        added = categories.add_category(uow, office, code="petition", name="信访问题")
        uow.commit()
        cid, version = added.id, added.version
    with db.uow(SYSTEM) as uow:
        categories.rename_category(uow, office, cid, version=version, name="信访积案")
        uow.commit()
    with db.uow(SYSTEM) as uow, pytest.raises(Conflict):
        categories.deactivate_category(uow, office, cid, version=version)  # stale
    with db.uow(SYSTEM) as uow:
        categories.deactivate_category(uow, office, cid, version=version + 1)
        uow.commit()
    with db.reading() as s:
        row = s.get(InspectionCategory, cid)
        assert row is not None and (row.name, row.active) == ("信访积案", False)
        assert "信访积案" not in [c.name for c in categories.list_categories(s, active_only=True)]


def test_category_codes_are_unique_and_only_the_office_manages_the_dictionary(db: Database, people: Any) -> None:
    with db.uow(SYSTEM) as uow, pytest.raises(Invalid) as exc:
        categories.add_category(uow, people["cs_xcb_office"], code="conduct", name="作风")
    assert exc.value.field == "code"
    with db.uow(SYSTEM) as uow, pytest.raises(Forbidden):
        categories.add_category(uow, people["cs_team1"], code="x", name="其他问题")


# ---------------------------------------------------------------------------------------------- recording


def test_a_finding_is_recorded_for_a_target_of_the_round_owned_by_the_target(
    db: Database, people: Any, rnd: RoundIds
) -> None:
    fid = record(db, people["cs_team1"], rnd)
    found = load(db, fid)
    assert found.owner_unit_id == found.target_unit_id == rnd.targets[0]
    assert found.team_id == rnd.team_id  # the team the round assigned to the target
    assert found.status == "drafted" and found.serial.startswith("巡-2024-")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"target_unit_id": "cs-yl"}, "target_unit_id"),  # not a target of this round
        ({"category_id": 10**6}, "category_id"),
        ({"title": "  "}, "title"),
        ({"paper": ""}, "paper"),
        ({"round_id": 10**6}, "round_id"),
    ],
)
def test_a_finding_with_bad_input_is_refused_naming_the_field_and_nothing_is_written(
    db: Database, people: Any, rnd: RoundIds, change: dict[str, Any], field: str
) -> None:
    if change.get("target_unit_id") == "cs-yl":
        change = {"target_unit_id": unit(db, "cs-yl")}
    with pytest.raises(Invalid) as exc:
        record(db, people["cs_team1"], rnd, **change)
    assert exc.value.field == field
    with db.reading() as s:
        assert s.scalar(select(FindingMatter.id)) is None


def test_a_deactivated_category_is_not_offered_for_new_findings(db: Database, people: Any, rnd: RoundIds) -> None:
    cid = category(db, "other")
    with db.uow(SYSTEM) as uow:
        row = uow.session.get(InspectionCategory, cid)
        assert row is not None
        categories.deactivate_category(uow, people["cs_xcb_office"], cid, version=row.version)
        uow.commit()
    with pytest.raises(Invalid) as exc:
        record(db, people["cs_team1"], rnd, category_id=cid)
    assert exc.value.field == "category_id"


def test_only_finding_managers_record_findings(db: Database, people: Any, rnd: RoundIds) -> None:
    with pytest.raises(Forbidden):
        record(db, people["cs_fr_head"], rnd)


# ------------------------------------------------------------------------------------------------- steps


def test_approving_the_paper_records_who_and_when(db: Database, people: Any, rnd: RoundIds) -> None:
    fid = record(db, people["cs_team1"], rnd)
    with pytest.raises(Forbidden):  # the team records, the office approves
        step(db, people["cs_team1"], fid, "approve_paper")
    found = step(db, people["cs_xcb_office"], fid, "approve_paper", version=load(db, fid).version)
    assert found.status == "paper_approved"
    assert found.paper_approved_by == people["cs_xcb_office"].user_id and found.paper_approved_at is not None


def test_a_stale_version_is_refused(db: Database, people: Any, rnd: RoundIds) -> None:
    fid = record(db, people["cs_team1"], rnd)
    with pytest.raises(Conflict):
        step(db, people["cs_xcb_office"], fid, "approve_paper", version=load(db, fid).version + 1)
    assert load(db, fid).status == "drafted"


def test_withdrawing_needs_a_note(db: Database, people: Any, rnd: RoundIds) -> None:
    fid = record(db, people["cs_team1"], rnd)
    with pytest.raises(Invalid):
        step(db, people["cs_xcb_office"], fid, "withdraw")
    assert step(db, people["cs_xcb_office"], fid, "withdraw", note="与第 3 号问题重复").status == "withdrawn"


def test_immediate_rectification_records_the_notice_and_the_day_it_was_done(
    db: Database, people: Any, rnd: RoundIds
) -> None:
    fid = record(db, people["cs_team1"], rnd)
    step(db, people["cs_xcb_office"], fid, "approve_paper")
    found = step(db, people["cs_team1"], fid, "order_immediate", note="立即清退违规发放的津贴补贴")
    assert (found.status, found.immediate_notice, found.immediate_ordered_on) == (
        "immediate",
        "立即清退违规发放的津贴补贴",
        TODAY,
    )
    with pytest.raises(Invalid) as exc:  # evidence is required
        step(db, people["cs_team1"], fid, "complete_immediate", note="已全部清退")
    assert exc.value.field == "attachments"
    found = step(
        db, people["cs_team1"], fid, "complete_immediate", note="已全部清退", data={"attachments": ["清退凭证"]}
    )
    assert (found.status, found.immediate_done_on) == ("closed", TODAY)


def test_immediate_rectification_after_the_team_left_is_refused_and_goes_through_feedback(
    db: Database, people: Any, rnd: RoundIds, clock: FakeClock
) -> None:
    fid = record(db, people["cs_team1"], rnd)
    step(db, people["cs_xcb_office"], fid, "approve_paper")
    step(db, people["cs_team1"], fid, "order_immediate", note="立即清退")
    with db.uow(SYSTEM) as uow:
        entry = uow.session.get(InspectionRoundStage, (rnd.round_id, Stage.ENTRY))
        assert entry is not None
        entry.ends_on = TODAY
        uow.commit()
    clock.advance(days=1)
    with pytest.raises(Invalid, match="结束进驻"):
        step(db, people["cs_team1"], fid, "complete_immediate", note="已清退", data={"attachments": ["凭证"]})
    assert load(db, fid).status == "immediate"
    assert step(db, people["cs_team1"], fid, "feed_back").status == "fed_back"


def test_feedback_sets_the_report_due_two_calendar_months_later_and_the_engine_limit_runs_to_it(
    db: Database, people: Any, rnd: RoundIds
) -> None:
    fid = record(db, people["cs_team1"], rnd)
    step(db, people["cs_xcb_office"], fid, "approve_paper")
    found = step(db, people["cs_team1"], fid, "feed_back")
    assert (found.fed_back_on, found.report_due_on) == (TODAY, date(2024, 8, 20))
    with db.reading() as s:
        deadline = s.scalar(select(MatterDeadline).where(MatterDeadline.matter_id == fid))
        assert deadline is not None and deadline.limit_code == "report"
        assert deadline.amount == (date(2024, 8, 20) - TODAY).days


def test_feedback_takes_a_report_due_date_and_refuses_a_past_one(db: Database, people: Any, rnd: RoundIds) -> None:
    fid = record(db, people["cs_team1"], rnd)
    step(db, people["cs_xcb_office"], fid, "approve_paper")
    with pytest.raises(Invalid) as exc:
        step(db, people["cs_team1"], fid, "feed_back", data={"report_due_on": "2024-06-01"})
    assert exc.value.field == "report_due_on"
    with pytest.raises(Invalid):
        step(db, people["cs_team1"], fid, "feed_back", data={"report_due_on": "next month"})
    with pytest.raises(Invalid) as exc:
        step(db, people["cs_team1"], fid, "feed_back", data={"due": "2024-09-01"})
    assert exc.value.field == "due"
    found = step(db, people["cs_team1"], fid, "feed_back", data={"report_due_on": "2024-09-30"})
    assert found.report_due_on == date(2024, 9, 30)


def test_a_finding_closes_only_when_every_item_is_signed_off_and_reopens_with_a_note(
    db: Database, people: Any, rnd: RoundIds
) -> None:
    fid = record(db, people["cs_team1"], rnd)
    step(db, people["cs_xcb_office"], fid, "approve_paper")
    step(db, people["cs_team1"], fid, "feed_back")
    step(db, people["cs_fr_head"], fid, "start_rectification")
    with pytest.raises(Invalid, match="还没有整改事项"):
        step(db, people["cs_xcb_office"], fid, "close")
    with db.uow(SYSTEM) as uow:
        item = items.add_item(uow, people["cs_fr_head"], fid, measure="清退津贴补贴", responsible="张三")
        uow.commit()
        item_id = item.id
    with pytest.raises(Invalid, match="1 项整改事项未销号"):
        step(db, people["cs_xcb_office"], fid, "close")
    with db.uow(SYSTEM) as uow:  # signed off straight in the table: the item steps have their own tests
        row = uow.session.get(ItemMatter, item_id)
        assert row is not None
        row.status = "closed"
        uow.commit()
    assert step(db, people["cs_xcb_office"], fid, "close").status == "closed"
    with pytest.raises(Invalid):
        step(db, people["cs_xcb_office"], fid, "reopen")
    assert step(db, people["cs_xcb_office"], fid, "reopen", note="督查评估发现反弹").status == "rectifying"


def test_a_step_the_workflow_does_not_allow_is_refused(db: Database, people: Any, rnd: RoundIds) -> None:
    fid = record(db, people["cs_team1"], rnd)
    with pytest.raises(InvalidTransition):
        step(db, people["cs_team1"], fid, "feed_back")
    with pytest.raises(Invalid) as exc:
        step(db, people["cs_team1"], fid, "sign_off")
    assert exc.value.field == "action"


def test_a_finding_out_of_scope_is_not_found(db: Database, people: Any, rnd: RoundIds) -> None:
    fid = record(db, people["cs_team1"], rnd, target_unit_id=rnd.targets[1])  # 天心区
    with pytest.raises(NotFound):
        step(db, people["cs_fr_head"], fid, "start_rectification")


def test_the_default_due_is_computed_from_the_local_day(
    db: Database, people: Any, rnd: RoundIds, clock: FakeClock
) -> None:
    clock.advance(hours=16)  # 2024-06-21 01:00 Beijing time: already the 21st locally
    fid = record(db, people["cs_team1"], rnd)
    step(db, people["cs_xcb_office"], fid, "approve_paper")
    found = step(db, people["cs_team1"], fid, "feed_back")
    assert found.fed_back_on == TODAY + timedelta(days=1) and found.report_due_on == date(2024, 8, 21)
