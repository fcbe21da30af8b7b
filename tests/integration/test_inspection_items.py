"""Rectification items (整改事项) through their services, on SQLite and PostgreSQL: adding one to a fed-back finding,
evidence per cycle, verification, the two-approval sign-off (销号) in either order, send-back voiding earlier
approvals, and an overdue item in the engine's figures and notices.

The clock stands at 2024-06-20 09:00 Beijing time; the finding is fed back that day, so its report (and by default
each item) is due on 2024-08-20.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

import pytest
from sqlalchemy import func, select

from tests.support.inspection_people import SYSTEM, add_round, category, setup
from zhengwu.core.attachments import Limits
from zhengwu.core.audit.tables import AuditEntry
from zhengwu.core.clock import FakeClock
from zhengwu.core.db import Database
from zhengwu.core.errors import Conflict, Forbidden, Invalid
from zhengwu.core.matters.model import InvalidTransition
from zhengwu.core.matters.stats.model import StatsQuery
from zhengwu.core.matters.stats.service import matter_stats
from zhengwu.core.matters.tables import MatterDeadline, MatterNotice
from zhengwu.core.matters.tick import tick
from zhengwu.core.matters.views import take_step
from zhengwu.core.org.model import Principal
from zhengwu.inspection.kinds import ITEM
from zhengwu.inspection.service import evidence, findings, items
from zhengwu.inspection.tables import FindingMatter, ItemApproval, ItemMatter

PNG = b"\x89PNG\r\n\x1a\n" + bytes(32)
PDF = b"%PDF-1.4\n%%EOF\n"
LIMITS = Limits(max_bytes=1024, max_files=3)


@pytest.fixture
def people(db: Database) -> dict[str, Principal]:
    return setup(db)


@pytest.fixture
def finding_id(db: Database, people: Any) -> int:
    rnd = add_round(db)
    with db.uow(SYSTEM) as uow:
        found = findings.record_finding(
            uow,
            people["cs_team1"],
            round_id=rnd.round_id,
            target_unit_id=rnd.targets[0],
            category_id=category(db, "conduct"),
            title="违规发放津贴补贴",
            description="以加班费名义发放津贴补贴。",
            paper="底稿",
        )
        findings.act(uow, people["cs_xcb_office"], found.id, "approve_paper")
        findings.act(uow, people["cs_team1"], found.id, "feed_back")
        uow.commit()
        return found.id


def add(db: Database, who: Principal, finding_id: int, **kw: Any) -> int:
    values: dict[str, Any] = {"measure": "清退违规发放的津贴补贴", "responsible": "区财政局 张三"}
    values.update(kw)
    with db.uow(SYSTEM) as uow:
        item = items.add_item(uow, who, finding_id, **values)
        uow.commit()
        return item.id


def step(db: Database, who: Principal, item_id: int, action: str, **kw: Any) -> ItemMatter:
    with db.uow(SYSTEM) as uow:
        item = items.act(uow, who, item_id, action, version=kw.pop("version", None), **kw)
        uow.commit()
        return item


def upload(db: Database, who: Principal, item_id: int, *files: tuple[str, bytes]) -> None:
    with db.uow(SYSTEM) as uow:
        evidence.add_evidence(uow, who, item_id, list(files), LIMITS)
        uow.commit()


def load(db: Database, item_id: int) -> ItemMatter:
    with db.reading() as s:
        found = s.get(ItemMatter, item_id)
        assert found is not None
        return found


def holding_both(people: Any) -> Principal:
    """The district's secretary, if they were also given the supervising leader's grant."""
    head: Principal = people["cs_fr_head"]
    return replace(head, grants=head.grants + people["cs_supervisor"].grants)


def verified(db: Database, people: Any, finding_id: int) -> int:
    item_id = add(db, people["cs_fr_head"], finding_id)
    upload(db, people["cs_fr_head"], item_id, ("清退凭证.pdf", PDF))
    step(db, people["cs_fr_head"], item_id, "submit", note="已清退 12.6 万元")
    step(db, people["cs_xcb_office"], item_id, "verify")
    return item_id


# ------------------------------------------------------------------------------------------------- adding


def test_an_item_is_a_child_of_the_finding_owned_by_the_target_and_due_with_the_report(
    db: Database, people: Any, finding_id: int
) -> None:
    item_id = add(db, people["cs_fr_head"], finding_id)
    item = load(db, item_id)
    assert (item.parent_id, item.finding_id, item.due_on, item.cycle) == (finding_id, finding_id, date(2024, 8, 20), 0)
    with db.reading() as s:
        finding = s.get(FindingMatter, finding_id)
        assert finding is not None and item.owner_unit_id == finding.owner_unit_id
        deadline = s.scalar(select(MatterDeadline).where(MatterDeadline.matter_id == item_id))
        assert deadline is not None and deadline.limit_code == "rectify"
        assert deadline.amount == (date(2024, 8, 20) - date(2024, 6, 20)).days


def test_an_item_takes_its_own_due_date_but_not_a_past_one(db: Database, people: Any, finding_id: int) -> None:
    assert load(db, add(db, people["cs_fr_head"], finding_id, due_on=date(2024, 7, 31))).due_on == date(2024, 7, 31)
    with pytest.raises(Invalid) as exc:
        add(db, people["cs_fr_head"], finding_id, due_on=date(2024, 6, 1))
    assert exc.value.field == "due_on"


def test_items_are_added_only_after_feedback_and_by_the_target(db: Database, people: Any, finding_id: int) -> None:
    with pytest.raises(Forbidden):
        add(db, people["cs_team1"], finding_id)  # the team does not rectify
    with db.uow(SYSTEM) as uow:
        finding = uow.session.get(FindingMatter, finding_id)
        assert finding is not None
        finding.status = "paper_approved"
        uow.commit()
    with pytest.raises(Invalid) as exc:
        add(db, people["cs_fr_head"], finding_id)
    assert exc.value.field == "finding_id"


def test_an_item_needs_a_measure_and_a_responsible_person(db: Database, people: Any, finding_id: int) -> None:
    for change, field in (({"measure": " "}, "measure"), ({"responsible": ""}, "responsible")):
        with pytest.raises(Invalid) as exc:
            add(db, people["cs_fr_head"], finding_id, **change)
        assert exc.value.field == field
    with db.reading() as s:
        assert s.scalar(select(func.count()).select_from(ItemMatter)) == 0


# ---------------------------------------------------------------------------------------- evidence, submit


def test_submitting_without_evidence_is_refused_and_nothing_changes(db: Database, people: Any, finding_id: int) -> None:
    item_id = add(db, people["cs_fr_head"], finding_id)
    before = load(db, item_id).version
    with pytest.raises(Invalid, match="佐证材料") as exc:
        step(db, people["cs_fr_head"], item_id, "submit", note="已整改")
    assert exc.value.field == "attachments"
    assert (load(db, item_id).status, load(db, item_id).version) == ("rectifying", before)


def test_evidence_is_checked_by_its_bytes_and_kept_out_of_the_audit_log(
    db: Database, people: Any, finding_id: int
) -> None:
    item_id = add(db, people["cs_fr_head"], finding_id)
    with pytest.raises(Invalid):
        upload(db, people["cs_fr_head"], item_id, ("凭证.pdf", b"not a pdf"))
    upload(db, people["cs_fr_head"], item_id, ("现场.jpg", PNG), ("凭证.pdf", PDF))
    with db.reading() as s:
        listed = evidence.list_evidence(s, people["cs_xcb_office"], item_id)
        assert [(e.filename, e.content_type, e.cycle) for e in listed] == [
            ("现场.png", "image/png", 0),
            ("凭证.pdf", "application/pdf", 0),
        ]
        assert evidence.get_evidence(s, people["cs_supervisor"], item_id, listed[1].id).data == PDF
        rows = s.execute(select(AuditEntry.after).where(AuditEntry.table_name == "inspection_item_evidence"))
        logged = " ".join(after or "" for (after,) in rows)
        assert "现场.png" in logged
        assert "PDF-1.4" not in logged


def test_evidence_is_added_only_by_the_target_and_only_while_rectifying(
    db: Database, people: Any, finding_id: int
) -> None:
    item_id = add(db, people["cs_fr_head"], finding_id)
    with pytest.raises(Forbidden):
        upload(db, people["cs_xcb_office"], item_id, ("a.pdf", PDF))
    upload(db, people["cs_fr_head"], item_id, ("a.pdf", PDF))
    step(db, people["cs_fr_head"], item_id, "submit", note="已整改")
    with pytest.raises(Conflict):
        upload(db, people["cs_fr_head"], item_id, ("b.pdf", PDF))


# ----------------------------------------------------------------------------------------------- sign-off


@pytest.mark.parametrize(
    "order",
    [
        (("approve_as_head", "cs_fr_head"), ("approve_as_supervisor", "cs_supervisor")),
        (("approve_as_supervisor", "cs_supervisor"), ("approve_as_head", "cs_fr_head")),
    ],
)
def test_two_approvals_in_either_order_sign_an_item_off(
    db: Database, people: Any, finding_id: int, order: tuple[tuple[str, str], ...]
) -> None:
    item_id = verified(db, people, finding_id)
    (first, who1), (second, who2) = order
    assert step(db, people[who1], item_id, first).status in ("head_approved", "supervisor_approved")
    done = step(db, people[who2], item_id, second)
    assert (done.status, done.completed_on) == ("closed", date(2024, 6, 20))
    with db.reading() as s:
        given = [(a.approver.value, a.user_id, a.cycle) for a in s.scalars(select(ItemApproval))]
    assert sorted(given) == [
        ("head", people["cs_fr_head"].user_id, 0),
        ("supervisor", people["cs_supervisor"].user_id, 0),
    ]


def test_one_person_cannot_approve_in_both_roles(db: Database, people: Any, finding_id: int) -> None:
    item_id = verified(db, people, finding_id)
    both = holding_both(people)
    step(db, both, item_id, "approve_as_head")
    before = load(db, item_id).version
    with pytest.raises(Invalid, match="同一人不能同时"):
        step(db, both, item_id, "approve_as_supervisor")
    assert (load(db, item_id).status, load(db, item_id).version) == ("head_approved", before)
    with db.reading() as s:
        assert s.scalar(select(func.count()).select_from(ItemApproval)) == 1


def test_approving_before_verification_is_refused(db: Database, people: Any, finding_id: int) -> None:
    item_id = add(db, people["cs_fr_head"], finding_id)
    upload(db, people["cs_fr_head"], item_id, ("a.pdf", PDF))
    step(db, people["cs_fr_head"], item_id, "submit", note="已整改")
    with pytest.raises(InvalidTransition):
        step(db, people["cs_fr_head"], item_id, "approve_as_head")
    with pytest.raises(Forbidden):  # the target verifies nothing
        step(db, people["cs_fr_head"], item_id, "verify")


def test_a_send_back_needs_a_reason_starts_a_new_cycle_and_voids_earlier_approvals_and_evidence(
    db: Database, people: Any, finding_id: int
) -> None:
    item_id = verified(db, people, finding_id)
    step(db, people["cs_fr_head"], item_id, "approve_as_head")
    with pytest.raises(Invalid):
        step(db, people["cs_xcb_office"], item_id, "send_back")
    back = step(db, people["cs_xcb_office"], item_id, "send_back", data={"reason": "清退凭证不全"})
    assert (back.status, back.cycle) == ("rectifying", 1)
    with db.reading() as s:
        codes = [d.limit_code for d in s.scalars(select(MatterDeadline).where(MatterDeadline.matter_id == item_id))]
    assert codes == ["rectify", "rerectify"]
    with pytest.raises(Invalid):  # the first cycle's evidence does not count
        step(db, people["cs_fr_head"], item_id, "submit", note="补充凭证")
    upload(db, people["cs_fr_head"], item_id, ("补充凭证.pdf", PDF))
    step(db, people["cs_fr_head"], item_id, "submit", note="补充凭证")
    step(db, people["cs_xcb_office"], item_id, "verify")
    assert step(db, people["cs_supervisor"], item_id, "approve_as_supervisor").status == "supervisor_approved"
    assert step(db, people["cs_fr_head"], item_id, "approve_as_head").status == "closed"  # again, in cycle 1


def test_the_generic_step_api_cannot_bypass_the_two_approval_rule(db: Database, people: Any, finding_id: int) -> None:
    item_id = verified(db, people, finding_id)
    both = holding_both(people)
    with db.uow(SYSTEM) as uow:
        take_step(uow, both, ITEM, item_id, "approve_as_head", version=None, note="", data={})
        uow.commit()
    with db.uow(SYSTEM) as uow, pytest.raises(Invalid, match="同一人不能同时"):
        take_step(uow, both, ITEM, item_id, "approve_as_supervisor", version=None, note="", data={})
    assert load(db, item_id).status == "head_approved"


# ------------------------------------------------------------------------------------------------ overdue


def test_an_overdue_item_counts_in_the_engine_figures_and_gets_its_overdue_notice(
    db: Database, people: Any, finding_id: int, clock: FakeClock
) -> None:
    item_id = add(db, people["cs_fr_head"], finding_id, due_on=date(2024, 6, 30))
    clock.advance(days=11)  # 2024-07-01 09:00: the day after the due date
    now = clock.now()
    with db.reading() as s:
        stats = matter_stats(
            s, people["cs_xcb_office"], ITEM, StatsQuery(ITEM.spec.code, date(2024, 1, 1), date(2024, 12, 31)), now
        )
    assert stats.open_overdue == 1
    with db.uow(SYSTEM) as uow:
        tick(uow, now)
        uow.commit()
    with db.reading() as s:
        kinds = list(s.scalars(select(MatterNotice.kind).where(MatterNotice.matter_id == item_id)))
    assert "overdue" in kinds
