"""A confidential matter kind (inspection leads) is known to its own system only: the engine looks it up as if it
did not exist, and no general list, to-do list, supervision ledger, notice, statistic or tick shows it, even to a
user who may see every lead; what it says never reaches the audit log in clear.

The lead: handed over by the inspection office to 长沙市纪委监委 on 2024-06-20 (clock: 09:00 Beijing time).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from tests.conftest import principal
from tests.support.inspection_people import SYSTEM, add_round, setup, unit
from zhengwu.core.audit.tables import AuditEntry
from zhengwu.core.clock import FakeClock
from zhengwu.core.db import Database
from zhengwu.core.errors import NotFound
from zhengwu.core.matters import queries, supervision
from zhengwu.core.matters.notices import service as notices
from zhengwu.core.matters.registry import KINDS, confidential_codes, get_kind, public_kinds
from zhengwu.core.matters.stats.service import stats_kind
from zhengwu.core.matters.supervision_ledger.lists import ledger_for, may_see_listings
from zhengwu.core.matters.tables import MatterEvent, MatterNotice, SupervisionListing
from zhengwu.core.matters.tick import tick
from zhengwu.core.org.model import Principal
from zhengwu.inspection.kinds import LEAD
from zhengwu.inspection.model import LEAD_VIEW
from zhengwu.inspection.model.workflows import LEAD_KIND, Recipient
from zhengwu.inspection.service import leads
from zhengwu.web.listing import fetch_page

TITLE = "保密线索标题QK3"


@pytest.fixture
def people(db: Database) -> dict[str, Principal]:
    found = setup(db)
    found["admin"] = principal(db, "admin")  # every action over the whole province, lead grants included
    return found


@pytest.fixture
def lead(db: Database, people: dict[str, Principal]) -> int:
    rnd = add_round(db)
    with db.uow(SYSTEM) as uow:
        made = leads.hand_over(
            uow,
            people["cs_xcb_office"],
            round_id=rnd.round_id,
            target_unit_id=rnd.targets[0],
            recipient=Recipient.DISCIPLINE_COMMISSION,
            receiving_unit_id=unit(db, "cs-jw"),
            title=TITLE,
            description="保密线索内容",
        )
        uow.commit()
        return made.id


def get_kind_message(code: str) -> str:
    with pytest.raises(NotFound) as caught:
        get_kind(code)
    return caught.value.message


def test_the_engine_looks_a_confidential_kind_up_as_if_it_did_not_exist() -> None:
    with pytest.raises(NotFound) as caught:
        get_kind(LEAD_KIND)
    known = caught.value.message.split("可用的类型：")[1]
    assert caught.value.message == get_kind_message("no_such_kind").replace("no_such_kind", LEAD_KIND)
    assert LEAD_KIND not in known and "问题线索" not in known and "inspection_finding" in known
    assert get_kind(LEAD_KIND, confidential_ok=True) is KINDS[LEAD_KIND]
    assert LEAD_KIND not in public_kinds() and confidential_codes() == [LEAD_KIND]
    with pytest.raises(NotFound):
        stats_kind(LEAD_KIND)


def test_the_to_do_list_leaves_a_lead_out_for_the_one_who_must_receive_it(
    db: Database, people: dict[str, Principal], lead: int
) -> None:
    with db.reading() as s:
        assert queries.available_steps(s, people["cs_jw_leads"], LEAD, s.get(LEAD.table, lead))  # it waits for them
        assert queries.waiting_for(s, people["cs_jw_leads"], KINDS.values()) == []
        assert lead not in {m.id for m in queries.waiting_for(s, people["admin"], KINDS.values())}


def test_a_lead_cannot_be_listed_for_supervision_and_a_listing_of_one_never_shows(
    db: Database, people: dict[str, Principal], lead: int
) -> None:
    with db.uow(SYSTEM) as uow, pytest.raises(NotFound):
        supervision.list_for_supervision(
            uow,
            people["admin"],
            LEAD,
            lead,
            supervising_unit_id=unit(db, "cs-sw"),
            letter_no="长督〔2024〕1号",
            level="挂牌督办",
            requirements="尽快核查",
            due_in=10,
        )
    with db.uow(SYSTEM) as uow:  # written behind the service's back: still never shown
        now = uow.clock.now()
        uow.session.add(
            SupervisionListing(
                matter_id=lead,
                supervising_unit_id=unit(db, "cs-sw"),
                letter_no="长督〔2024〕2号",
                level="挂牌督办",
                due_at=now + timedelta(days=10),
                listed_at=now,
                listed_by="测试",
            )
        )
        uow.commit()
    with db.reading() as s:
        page = fetch_page(s, ledger_for(s, db.clock.now(), leads.DEFAULT_TZ), people["admin"], {}, 50)
        assert page.total == 0 and not page.rows
        listing = s.scalar(select(SupervisionListing))
        assert listing is not None
        with pytest.raises(NotFound):
            supervision.reports(s, people["admin"], listing.id)
    # holding only a lead grant opens no supervision ledger
    assert not may_see_listings(people["cs_jw_leads"]) and people["cs_jw_leads"].has(LEAD_VIEW)


def test_notices_of_a_lead_never_show_and_the_tick_writes_none(
    db: Database, clock: FakeClock, people: dict[str, Principal], lead: int
) -> None:
    clock.set(datetime(2025, 1, 10, 1, 0, tzinfo=UTC))  # the feedback deadline (2024-12-20) has passed
    with db.uow(SYSTEM) as uow:
        result = tick(uow, uow.clock.now())
        uow.commit()
    assert result.total == 0
    with db.uow(SYSTEM) as uow:
        uow.session.add(
            MatterNotice(
                key="test:lead", matter_id=lead, kind="overdue", unit_id=unit(db, "cs-jw"), at=clock.now(), text=TITLE
            )
        )
        uow.commit()
    with db.reading() as s:
        for who in ("cs_jw_leads", "admin"):
            assert notices.list_notices(s, people[who]).total == 0
            assert notices.unread_count(s, people[who]) == 0


def test_the_audit_log_masks_a_confidential_matter_and_its_history(
    db: Database, people: dict[str, Principal], lead: int
) -> None:
    with db.reading() as s:
        inserted = s.scalar(
            select(AuditEntry).where(AuditEntry.table_name == "inspection_lead_matters", AuditEntry.row_id == str(lead))
        )
        opened = s.scalar(select(MatterEvent).where(MatterEvent.matter_id == lead))
        assert inserted is not None and opened is not None
        assert '"title": "***"' in (inserted.after or "") and '"body": "***"' in (inserted.after or "")
        event = s.scalar(
            select(AuditEntry).where(AuditEntry.table_name == "matter_events", AuditEntry.row_id == str(opened.id))
        )
        assert event is not None and '"note": "***"' in (event.after or "")
        assert TITLE not in "".join(f"{e.before}{e.after}" for e in s.scalars(select(AuditEntry)))
