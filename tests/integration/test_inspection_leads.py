"""Problem leads (问题线索): the inspection office hands a lead of round 1 over to 长沙市纪委监委, which receives it and
feeds back its disposal; the office closes it. Only the lead grants open a lead, every view is audited, bad input is
named and writes nothing, and the audit log never holds what a lead says.

The clock stands at 2024-06-20 09:00 Beijing time; round 1 began on 2024-03-18 and inspects 芙蓉区 and 天心区.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy import func, select

from tests.support.inspection_people import SYSTEM, RoundIds, add_round, setup, unit
from zhengwu.core.audit.tables import AuditEntry
from zhengwu.core.db import Actor, Database
from zhengwu.core.errors import Conflict, Forbidden, Invalid, NotFound
from zhengwu.core.matters.tables import Matter, MatterDeadline
from zhengwu.core.org.model import Principal
from zhengwu.inspection.model import lead_due
from zhengwu.inspection.model.workflows import Disposal, Recipient
from zhengwu.inspection.service import leads
from zhengwu.inspection.tables import LeadMatter

TITLE = "某局长违规接受宴请线索"
SECRET = "机密线索内容ZX9"
FEEDBACK = "已谈话函询ZQ7"
TODAY = date(2024, 6, 20)


@pytest.fixture
def people(db: Database) -> dict[str, Principal]:
    return setup(db)


@pytest.fixture
def rnd(db: Database, people: dict[str, Principal]) -> RoundIds:
    return add_round(db)


def good(db: Database, rnd: RoundIds, **kw: Any) -> dict[str, Any]:
    return {
        "round_id": rnd.round_id,
        "target_unit_id": rnd.targets[0],
        "recipient": Recipient.DISCIPLINE_COMMISSION,
        "receiving_unit_id": unit(db, "cs-jw"),
        "title": TITLE,
        "description": SECRET,
        **kw,
    }


def hand_over(db: Database, who: Principal, **kw: Any) -> int:
    with db.uow(SYSTEM) as uow:
        lead = leads.hand_over(uow, who, **kw)
        uow.commit()
        return lead.id


def step(db: Database, who: Principal, lead_id: int, action: str, note: str = "", **data: Any) -> LeadMatter:
    with db.reading() as s:
        version = s.scalar(select(Matter.version).where(Matter.id == lead_id))
    with db.uow(SYSTEM) as uow:
        lead = leads.act(uow, who, lead_id, action, version=version, note=note, data=data)
        uow.commit()
        return lead


def as_actor(who: Principal) -> Actor:
    return Actor(who.user_id, who.full_name)


def count(db: Database, table: Any) -> int:
    with db.reading() as s:
        return int(s.scalar(select(func.count()).select_from(table)) or 0)


def test_the_office_hands_a_lead_over_to_the_commission_due_six_calendar_months_later(
    db: Database, people: dict[str, Principal], rnd: RoundIds
) -> None:
    lead_id = hand_over(db, people["cs_xcb_office"], **good(db, rnd))
    with db.reading() as s:
        lead = s.get(LeadMatter, lead_id)
        assert lead is not None
        assert lead.serial == "线-2024-000001" and lead.status == "handed_over"
        assert lead.owner_unit_id == unit(db, "cs-jw") and lead.receiving_unit_id == unit(db, "cs-jw")
        assert lead.handed_over_on == TODAY and lead.due_on == lead_due(TODAY) == date(2024, 12, 20)
        deadline = s.scalar(select(MatterDeadline).where(MatterDeadline.matter_id == lead_id))
        assert deadline is not None and deadline.limit_code == "feedback"
        assert deadline.due_at.astimezone(leads.DEFAULT_TZ).date() == date(2024, 12, 20)


def test_a_past_handover_and_a_chosen_deadline_are_kept(
    db: Database, people: dict[str, Principal], rnd: RoundIds
) -> None:
    lead_id = hand_over(db, people["cs_xcb_office"], **good(db, rnd, handed_over_on="2024-05-31", due_on=None))
    with db.reading() as s:
        lead = s.get(LeadMatter, lead_id)
        assert lead is not None and lead.handed_over_on == date(2024, 5, 31) and lead.due_on == date(2024, 11, 30)
    other = hand_over(db, people["cs_xcb_office"], **good(db, rnd, due_on=date(2024, 9, 1)))
    with db.reading() as s:
        found = s.get(LeadMatter, other)
        assert found is not None and found.due_on == date(2024, 9, 1)


def test_the_commission_receives_and_feeds_back_and_the_office_closes(
    db: Database, people: dict[str, Principal], rnd: RoundIds
) -> None:
    lead_id = hand_over(db, people["cs_xcb_office"], **good(db, rnd))
    assert step(db, people["cs_jw_leads"], lead_id, "receive").status == "received"
    fed = step(db, people["cs_jw_leads"], lead_id, "feed_back", FEEDBACK, disposal="inquiry")
    assert fed.status == "fed_back" and fed.disposal is Disposal.INQUIRY and fed.feedback == FEEDBACK
    assert step(db, people["cs_xcb_office"], lead_id, "close").status == "closed"


@pytest.mark.parametrize(
    ("data", "note", "field"),
    [({}, FEEDBACK, "disposal"), ({"disposal": "枪毙"}, FEEDBACK, "disposal"), ({"disposal": "held"}, "", "note")],
)
def test_feedback_needs_a_disposal_and_the_account_of_it(
    db: Database, people: dict[str, Principal], rnd: RoundIds, data: dict[str, str], note: str, field: str
) -> None:
    lead_id = hand_over(db, people["cs_xcb_office"], **good(db, rnd))
    step(db, people["cs_jw_leads"], lead_id, "receive")
    with pytest.raises(Invalid) as caught:
        step(db, people["cs_jw_leads"], lead_id, "feed_back", note, **data)
    assert caught.value.field == field


def test_each_side_takes_only_its_own_steps(db: Database, people: dict[str, Principal], rnd: RoundIds) -> None:
    lead_id = hand_over(db, people["cs_xcb_office"], **good(db, rnd))
    with pytest.raises(Forbidden):
        step(db, people["cs_xcb_office"], lead_id, "receive")  # the office hands over; the commission receives
    with pytest.raises(NotFound):
        step(db, people["cs_zzb_leads"], lead_id, "receive")  # another receiving unit does not even see it
    with pytest.raises(Invalid):
        step(db, people["cs_jw_leads"], lead_id, "receive", disposal="held")  # receive takes no disposal


def test_a_stale_version_is_refused(db: Database, people: dict[str, Principal], rnd: RoundIds) -> None:
    lead_id = hand_over(db, people["cs_xcb_office"], **good(db, rnd))
    with db.uow(SYSTEM) as uow, pytest.raises(Conflict):
        leads.act(uow, people["cs_jw_leads"], lead_id, "receive", version=99, note="")


BAD: list[tuple[str, dict[str, Any], str]] = [
    ("a unit the round does not inspect", {"target_unit_id": -1}, "target_unit_id"),
    ("a finding of no such round", {"finding_id": 987654}, "finding_id"),
    ("an unknown recipient", {"recipient": "police"}, "recipient"),
    ("no such receiving unit", {"receiving_unit_id": 987654}, "receiving_unit_id"),
    ("a handover in the future", {"handed_over_on": "2024-06-21"}, "handed_over_on"),
    ("a handover before the round", {"handed_over_on": "2024-03-01"}, "handed_over_on"),
    ("a date that is none", {"handed_over_on": "2024-02-30"}, "handed_over_on"),
    ("a deadline before the handover", {"due_on": "2024-06-20"}, "due_on"),
    ("no description", {"description": "  "}, "description"),
    ("no title", {"title": ""}, "title"),
]


@pytest.mark.parametrize(("why", "bad", "field"), BAD, ids=[b[0] for b in BAD])
def test_bad_input_is_named_and_writes_nothing(
    db: Database, people: dict[str, Principal], rnd: RoundIds, why: str, bad: dict[str, Any], field: str
) -> None:
    before = count(db, Matter)
    with pytest.raises(Invalid) as caught:
        hand_over(db, people["cs_xcb_office"], **good(db, rnd, **bad))
    assert caught.value.field == field, why
    assert count(db, Matter) == before


def test_a_lead_cannot_go_to_the_organisation_it_is_about(
    db: Database, people: dict[str, Principal], rnd: RoundIds
) -> None:
    with pytest.raises(Invalid) as caught:
        hand_over(db, people["cs_xcb_office"], **good(db, rnd, receiving_unit_id=rnd.targets[0]))
    assert caught.value.field == "receiving_unit_id"


def test_only_the_lead_grants_hand_over_and_see_leads(
    db: Database, people: dict[str, Principal], rnd: RoundIds
) -> None:
    lead_id = hand_over(db, people["cs_xcb_office"], **good(db, rnd))
    for who in ("cs_team1", "cs_fr_head", "cs_supervisor"):  # inspection.view over the whole city is not enough
        with pytest.raises(Forbidden):
            hand_over(db, people[who], **good(db, rnd))
        with db.uow(SYSTEM) as uow, pytest.raises(Forbidden):
            leads.get_lead(uow, people[who], lead_id)
        with db.uow(SYSTEM) as uow, pytest.raises(Forbidden):
            leads.list_leads(uow, people[who])
    with db.uow(SYSTEM) as uow, pytest.raises(NotFound):
        leads.get_lead(uow, people["cs_zzb_leads"], lead_id)  # granted, but handed to another unit
    with db.uow(SYSTEM) as uow:
        assert leads.list_leads(uow, people["cs_zzb_leads"]).total == 0
        assert [r.id for r in leads.list_leads(uow, people["cs_jw_leads"]).items] == [lead_id]


def test_every_view_of_a_lead_or_of_the_list_is_audited_without_its_text(
    db: Database, people: dict[str, Principal], rnd: RoundIds
) -> None:
    lead_id = hand_over(db, people["cs_xcb_office"], **good(db, rnd))
    for _ in range(2):
        with db.uow(as_actor(people["cs_jw_leads"])) as uow:
            leads.get_lead(uow, people["cs_jw_leads"], lead_id)
            uow.commit()
    with db.uow(as_actor(people["cs_xcb_office"])) as uow:
        leads.list_leads(uow, people["cs_xcb_office"])
        uow.commit()
    with db.reading() as s:
        views = list(s.scalars(select(AuditEntry).where(AuditEntry.action == "view_lead").order_by(AuditEntry.id)))
    assert [(v.row_id, v.actor_name) for v in views] == [
        (str(lead_id), "市纪委线索承办人"),
        (str(lead_id), "市纪委线索承办人"),
        ("list", "巡察办主任"),
    ]
    assert all("线-2024-000001" in (v.after or "") for v in views)


def test_the_audit_log_never_holds_what_a_lead_says(db: Database, people: dict[str, Principal], rnd: RoundIds) -> None:
    lead_id = hand_over(db, people["cs_xcb_office"], **good(db, rnd))
    step(db, people["cs_jw_leads"], lead_id, "receive", "收到ZR5")
    step(db, people["cs_jw_leads"], lead_id, "feed_back", FEEDBACK, disposal="preliminary")
    with db.reading() as s:
        logged = "\n".join(f"{e.before} {e.after}" for e in s.scalars(select(AuditEntry)))
    assert "线-2024-000001" in logged  # the records are there …
    for secret in (TITLE, SECRET, FEEDBACK, "收到ZR5"):
        assert secret not in logged  # … but not what they say


def test_the_home_page_counts_the_leads_waiting_for_the_user_without_naming_them(
    db: Database, people: dict[str, Principal], rnd: RoundIds
) -> None:
    from zhengwu.core.calendar.service import load_calendar
    from zhengwu.core.todo import TodoContext
    from zhengwu.inspection.views.leads import leads_todo

    hand_over(db, people["cs_xcb_office"], **good(db, rnd))
    hand_over(db, people["cs_xcb_office"], **good(db, rnd, receiving_unit_id=unit(db, "cs-zzb")))

    def todo(who: str) -> list[str]:
        with db.reading() as s:
            now = db.clock.now()
            ctx = TodoContext(s, people[who], now, now.date(), load_calendar(s))
            return [f"{t.title} {t.href}" for t in leads_todo(ctx)]

    assert todo("cs_jw_leads") == ["问题线索：1 件待办理 /inspection/leads"]
    assert todo("cs_xcb_office") == []  # the office acts again only once the lead is fed back
    assert todo("cs_team1") == []
