"""Notices after ``zhengwu tick``, on a frozen clock: who sees which, the unread count, read marking and the to-do list.

The story: 凤凰县公路建设养护中心 (fh-gl) signs for a matter on Thursday 26 September 2024 (handle by the end of
Wednesday 9 October); 凤凰县纪委监委 (fh-jw) lists it for supervision, due Monday 30 September. Nobody acts, and the
first tick runs on the working Saturday 12 October: it warns the owner that the limit is missed and sends the
ladder's reminder, urging notice and criticism, copying the urging notice and the criticism to the commission.

The commission's s_county views every matter of the kind (scope "all"), so it sees 养护中心's four notices too;
but they are 养护中心's to read: not on s_county's to-do list, not in its unread count, and not its to mark read.
"""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import select

from tests.conftest import unit_id
from tests.support import three_step
from tests.support.matter_people import add_people as add_users
from tests.support.supervision_people import SYSTEM, add_people, at, open_matter
from tests.support.three_step import KIND
from zhengwu.core.audit.tables import AuditEntry
from zhengwu.core.calendar.service import load_calendar
from zhengwu.core.clock import FakeClock
from zhengwu.core.db import Actor, Database
from zhengwu.core.errors import Forbidden, Invalid, NotFound
from zhengwu.core.matters import supervision
from zhengwu.core.matters.notices import service
from zhengwu.core.matters.notices.model import NoticeKind
from zhengwu.core.matters.notices.views import notices_todo
from zhengwu.core.matters.tables import MatterNotice
from zhengwu.core.matters.tick import tick
from zhengwu.core.org.model import Principal
from zhengwu.core.todo import TodoContext, TodoItem, Urgency

TICKED_AT = at(2024, 10, 12, 7)


@pytest.fixture
def people(db: Database, clock: FakeClock) -> dict[str, Principal]:
    return add_people(db)


@pytest.fixture
def matter(db: Database, clock: FakeClock, people: dict[str, Principal]) -> int:
    """The matter of the story, listed and left alone until the tick of 12 October has run."""
    clock.set(at(2024, 9, 26))
    mid = open_matter(db, people)
    with db.uow(SYSTEM) as uow:
        supervision.list_for_supervision(
            uow,
            people["s_county"],
            KIND,
            mid,
            supervising_unit_id=unit_id(db, "fh-jw"),
            letter_no="凤纪督〔2024〕12号",
            level="县级挂牌督办",
            requirements="限期处置并报送结果",
            due_at=date(2024, 9, 30),
        )
        uow.commit()
    clock.set(TICKED_AT)
    with db.uow(SYSTEM) as uow:
        tick(uow, clock.now())
        uow.commit()
    return mid


def seen(db: Database, who: Principal, **filters: object) -> list[tuple[str, str]]:
    """(kind, unit code told) of the notices ``who`` sees, in the inbox's order."""
    codes = {unit_id(db, c): c for c in ("fh-gl", "fh-jw")}
    with db.reading() as s:
        found = service.list_notices(s, who, size=50, **filters)  # type: ignore[arg-type]
    return [(n.kind, codes[n.unit_id]) for n in found.items]


def unread(db: Database, who: Principal, *, mine: bool = True) -> int:
    with db.reading() as s:
        return service.unread_count(s, who, mine=mine)


def notice_id(db: Database, kind: str, unit: str) -> int:
    with db.reading() as s:
        found = s.scalar(
            select(MatterNotice.id).where(MatterNotice.kind == kind, MatterNotice.unit_id == unit_id(db, unit))
        )
    assert found is not None
    return found


def mark(db: Database, who: Principal, nid: int) -> service.NoticeView:
    with db.uow(Actor(who.user_id, who.full_name)) as uow:
        view = service.mark_read(uow, who, nid)
        uow.commit()
    return view


def read_all(db: Database, who: Principal) -> int:
    with db.uow(Actor(who.user_id, who.full_name)) as uow:
        count = service.mark_all_read(uow, who)
        uow.commit()
    return count


def read_state(db: Database) -> list[tuple[int, object, str]]:
    with db.reading() as s:
        return [(n.id, n.read_at, n.read_by) for n in s.scalars(select(MatterNotice).order_by(MatterNotice.id))]


def audit_size(db: Database) -> int:
    with db.reading() as s:
        return len(list(s.scalars(select(AuditEntry.id))))


def test_the_owner_units_staff_see_every_notice_sent_to_their_unit(
    db: Database, people: dict[str, Principal], matter: int
) -> None:
    assert sorted(seen(db, people["s_handler"])) == [
        ("criticism", "fh-gl"),
        ("overdue", "fh-gl"),
        ("reminder", "fh-gl"),
        ("urging", "fh-gl"),
    ]
    assert unread(db, people["s_handler"]) == 4 == unread(db, people["s_handler"], mine=False)
    assert seen(db, people["s_handler"], mine=True) == seen(db, people["s_handler"])


def test_the_supervising_unit_sees_its_copies_of_the_urging_notice_and_the_criticism(
    db: Database, people: dict[str, Principal], matter: int
) -> None:
    county = seen(db, people["s_county"])  # the commission may view every test matter
    assert {n for n in county if n[1] == "fh-jw"} == {("urging", "fh-jw"), ("criticism", "fh-jw")}
    assert len(county) == 6
    assert sorted(seen(db, people["s_county"], mine=True)) == [("criticism", "fh-jw"), ("urging", "fh-jw")]


def test_a_commission_user_with_scope_all_sees_another_units_notices_but_only_its_own_count_as_unread(
    db: Database, people: dict[str, Principal], matter: int
) -> None:
    county = people["s_county"]
    with db.reading() as s:
        everything = service.list_notices(s, county, size=50).items
    assert {(n.unit_id == unit_id(db, "fh-jw"), n.mine) for n in everything} == {(True, True), (False, False)}
    assert ("urging", "fh-gl") in seen(db, county)  # it may browse 养护中心's notices ...
    assert unread(db, county) == 2 and unread(db, county, mine=False) == 6  # ... but only its own are unread for it
    assert sorted(label for label, _, _ in todo(db, county)) == ["催办通知", "通报批评"]  # its two copies, no more
    assert all("发给凤凰县纪委监委" in text for text in todo_texts(db, county))


def test_a_commission_user_cannot_mark_another_units_notice_read_but_the_owner_units_user_can(
    db: Database, clock: FakeClock, people: dict[str, Principal], matter: int
) -> None:
    county, handler = people["s_county"], people["s_handler"]
    nid = notice_id(db, "urging", "fh-gl")
    before, audited = read_state(db), audit_size(db)
    clock.set(at(2024, 10, 14, 9))
    with pytest.raises(Forbidden, match="只能由被通知单位标为已读") as caught:
        mark(db, county, nid)
    assert "凤凰县公路建设养护中心" in caught.value.message
    assert read_state(db) == before and audit_size(db) == audited  # nothing written, nothing audited
    assert unread(db, handler) == 4 and "催办通知" in [label for label, _, _ in todo(db, handler)]
    assert mark(db, handler, nid).read_by == "s_handler"  # the unit told still can
    with pytest.raises(Forbidden, match="只能由被通知单位标为已读"):
        mark(db, county, nid)  # read or not, another unit's notice is not the commission's to mark
    assert mark(db, county, notice_id(db, "urging", "fh-jw")).read_by == "s_county"  # its own copy it can


def test_read_all_by_a_commission_user_leaves_other_units_notices_unread(
    db: Database, clock: FakeClock, people: dict[str, Principal], matter: int
) -> None:
    county, handler = people["s_county"], people["s_handler"]
    clock.set(at(2024, 10, 14, 9))
    assert read_all(db, county) == 2  # its two copies
    assert unread(db, county) == 0 and unread(db, county, mine=False) == 4
    assert unread(db, handler) == 4 and len(todo(db, handler)) == 4
    with db.reading() as s:
        rows = list(s.scalars(select(MatterNotice)))
        event = s.scalar(select(AuditEntry).where(AuditEntry.action == "read_all"))
    told = {unit_id(db, "fh-gl"): "fh-gl", unit_id(db, "fh-jw"): "fh-jw"}
    assert sorted((told[n.unit_id], n.read_by) for n in rows) == [("fh-gl", "")] * 4 + [("fh-jw", "s_county")] * 2
    assert event is not None and len(json.loads(event.after or "{}")["ids"]) == 2
    assert read_all(db, handler) == 4 and unread(db, county, mine=False) == 0


def test_a_user_of_another_county_sees_no_notice_and_cannot_mark_one_read(
    db: Database, people: dict[str, Principal], matter: int
) -> None:
    outsider = people["s_outsider"]
    assert seen(db, outsider) == [] and unread(db, outsider) == 0
    nid = notice_id(db, "urging", "fh-gl")
    with pytest.raises(NotFound, match="不在您的数据范围内"):
        mark(db, outsider, nid)
    with db.uow(SYSTEM) as uow:
        assert service.mark_all_read(uow, outsider) == 0
        uow.commit()
    assert unread(db, people["s_handler"]) == 4


def test_a_notice_is_hidden_from_whoever_may_not_view_its_matter(
    db: Database, people: dict[str, Principal], matter: int
) -> None:
    assert seen(db, people["s_signer"]) == []  # signs off for the commission, but has no view of the kind
    add_users(db, {"s_jw_unit": ("fh-jw", [(three_step.VIEW, "unit")])})
    from tests.conftest import principal

    # told: the commission's copies are addressed to its unit; but the matter is 养护中心's, outside this scope
    assert seen(db, principal(db, "s_jw_unit")) == []


def test_the_inbox_shows_unread_first_then_newest_and_filters_by_kind_and_read_state(
    db: Database, clock: FakeClock, people: dict[str, Principal], matter: int
) -> None:
    handler = people["s_handler"]
    clock.set(at(2024, 10, 14, 9))
    mark(db, handler, notice_id(db, "reminder", "fh-gl"))
    inbox = seen(db, handler)
    assert inbox[-1] == ("reminder", "fh-gl") and len(inbox) == 4
    assert seen(db, handler, unread_only=True) == inbox[:3]
    assert seen(db, handler, kind=NoticeKind.URGING) == [("urging", "fh-gl")]
    both = [("criticism", "fh-gl"), ("criticism", "fh-jw")]
    assert sorted(seen(db, people["s_county"], kind=NoticeKind.CRITICISM)) == both


def test_the_inbox_is_paged(db: Database, people: dict[str, Principal], matter: int) -> None:
    with db.reading() as s:
        first = service.list_notices(s, people["s_county"], size=4)
        last = service.list_notices(s, people["s_county"], size=4, page=9)  # past the end: the last page
    assert (first.total, first.pages, len(first.items)) == (6, 2, 4)
    assert (last.page, len(last.items)) == (2, 2)
    assert not {n.id for n in first.items} & {n.id for n in last.items}


def test_an_unknown_kind_filter_is_refused_naming_the_field() -> None:
    with pytest.raises(Invalid, match="提醒类型") as caught:
        service.notice_kind("bogus")
    assert caught.value.field == "kind"
    assert service.notice_kind("") is None and service.notice_kind("urging") is NoticeKind.URGING


def test_marking_read_records_the_time_and_the_reader_and_a_second_marking_changes_nothing(
    db: Database, clock: FakeClock, people: dict[str, Principal], matter: int
) -> None:
    from tests.conftest import principal

    add_users(db, {"s_gl_clerk": ("fh-gl", [(three_step.VIEW, "unit")])})  # a colleague in 养护中心
    nid = notice_id(db, "urging", "fh-gl")
    clock.set(at(2024, 10, 14, 9))
    first = mark(db, people["s_handler"], nid)
    assert (first.read_at, first.read_by, first.unread) == (at(2024, 10, 14, 9), "s_handler", False)
    assert unread(db, people["s_handler"]) == 3
    clock.set(at(2024, 10, 15, 9))
    again = mark(db, principal(db, "s_gl_clerk"), nid)
    assert (again.read_at, again.read_by) == (at(2024, 10, 14, 9), "s_handler")
    assert unread(db, people["s_handler"]) == 3
    with db.reading() as s:
        updates = list(
            s.scalars(
                select(AuditEntry).where(AuditEntry.table_name == "matter_notices", AuditEntry.action == "update")
            )
        )
    assert [(u.row_id, u.actor_name) for u in updates] == [(str(nid), "s_handler")]  # once, by the first reader
    assert json.loads(updates[0].after or "{}")["read_by"] == "s_handler"


def test_read_all_marks_only_the_notices_the_user_may_see_and_is_audited(
    db: Database, clock: FakeClock, people: dict[str, Principal], matter: int
) -> None:
    clock.set(at(2024, 10, 14, 9))
    with db.uow(SYSTEM) as uow:
        assert service.mark_all_read(uow, people["s_handler"]) == 4
        uow.commit()
    assert unread(db, people["s_handler"]) == 0
    assert sorted(seen(db, people["s_county"], unread_only=True)) == [("criticism", "fh-jw"), ("urging", "fh-jw")]
    with db.reading() as s:
        rows = list(s.scalars(select(MatterNotice).where(MatterNotice.unit_id == unit_id(db, "fh-gl"))))
        event = s.scalar(select(AuditEntry).where(AuditEntry.action == "read_all"))
    assert {(n.read_at, n.read_by) for n in rows} == {(at(2024, 10, 14, 9), "s_handler")}
    assert event is not None and event.table_name == "matter_notices"
    assert json.loads(event.after or "{}")["ids"] == sorted(n.id for n in rows)
    with db.uow(SYSTEM) as uow:
        assert service.mark_all_read(uow, people["s_handler"]) == 0  # nothing left: nothing written
        uow.commit()


def todo_items(db: Database, who: Principal) -> list[TodoItem]:
    with db.reading() as s:
        return notices_todo(TodoContext(s, who, TICKED_AT, TICKED_AT.date(), load_calendar(s)))


def todo(db: Database, who: Principal) -> list[tuple[str, Urgency, str]]:
    return [(item.title.split("：")[0], item.urgency, item.href) for item in todo_items(db, who)]


def todo_texts(db: Database, who: Principal) -> list[str]:
    return [item.detail for item in todo_items(db, who)]


def test_each_unread_notice_is_on_the_to_do_list_until_it_is_read(
    db: Database, people: dict[str, Principal], matter: int
) -> None:
    handler = people["s_handler"]
    page = f"/matters/testkind/{matter}"
    assert {(label, urgency) for label, urgency, _ in todo(db, handler)} == {
        ("逾期警示", Urgency.OVERDUE),
        ("催办通知", Urgency.OVERDUE),
        ("通报批评", Urgency.OVERDUE),
        ("到期提醒", Urgency.SOON),
    }
    assert {href for _, _, href in todo(db, handler)} == {page}
    mark(db, handler, notice_id(db, "criticism", "fh-gl"))
    assert "通报批评" not in [label for label, _, _ in todo(db, handler)]
    assert todo(db, people["s_outsider"]) == []
