"""The matters engine on a test kind with a three-step workflow (tests/support/three_step.py).

Dates: 2024 National Day (1–7 Oct off, Sun 29 Sep and Sat 12 Oct worked) per 国办发明电〔2023〕7号.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from tests.conftest import principal, unit_id
from tests.support import three_step
from tests.support.three_step import KIND, State
from zhengwu.core.clock import FakeClock
from zhengwu.core.db import Actor, Database
from zhengwu.core.errors import Conflict, Forbidden, Invalid, NotFound
from zhengwu.core.matters import queries, service
from zhengwu.core.matters.model import InvalidTransition, Light
from zhengwu.core.matters.tables import MatterEvent
from zhengwu.core.org.model import Principal, system_principal
from zhengwu.core.org.service import GrantInput, create_user, save_role

TZ = ZoneInfo("Asia/Shanghai")
SYSTEM = Actor(None, "测试")


def at(y: int, m: int, d: int, h: int = 10, minute: int = 0) -> datetime:
    return datetime(y, m, d, h, minute, tzinfo=TZ).astimezone(UTC)


def end_of(y: int, m: int, d: int) -> datetime:
    return datetime(y, m, d, 23, 59, 59, 999999, tzinfo=TZ).astimezone(UTC)


@pytest.fixture
def people(db: Database) -> dict[str, Principal]:
    """A clerk and a handler of 凤凰县公路建设养护中心, the county commission as supervisor, 吉首 as outsider."""
    three_step.install(db)
    sp = system_principal()
    roles = {
        "t_clerk": [(three_step.VIEW, "subtree"), (three_step.CREATE, "subtree")],
        "t_handler": [(three_step.VIEW, "unit"), (three_step.ACCEPT, "unit"), (three_step.RESOLVE, "unit")],
        "t_super": [
            (three_step.VIEW, "all"),
            (three_step.CLOSE, "all"),
            (three_step.EXTEND, "all"),
            (three_step.PAUSE, "all"),
        ],
        "t_outsider": [(three_step.VIEW, "subtree"), (three_step.ACCEPT, "subtree")],
    }
    users = {"t_clerk": "fh", "t_handler": "fh-gl", "t_super": "fh-jw", "t_outsider": "js"}
    with db.uow(SYSTEM) as uow:
        for code, grants in roles.items():
            role = save_role(
                uow,
                sp,
                None,
                version=None,
                code=code,
                name=code,
                description="",
                grants=[GrantInput(a, s) for a, s in grants],
            )
            create_user(
                uow,
                sp,
                username=code,
                full_name=code,
                unit_id=unit_id(db, users[code]),
                password="Secret123",
                role_ids=[role.id],
            )
        uow.commit()
    return {code: principal(db, code) for code in roles}


def open_one(db: Database, who: Principal, received: datetime | None = None, title: str = "S256 路面湿滑") -> int:
    with db.uow(SYSTEM) as uow:
        m = service.open_matter(
            uow,
            who,
            KIND,
            title=title,
            owner_unit_id=unit_id(db, "fh-gl"),
            received_at=received,
            fields={"location": "S256 K12+300"},
        )
        uow.commit()
        return m.id


def act(db: Database, who: Principal, matter_id: int, action: str, **kw: object) -> None:
    with db.uow(SYSTEM) as uow:
        service.act(uow, who, KIND, matter_id, action, **kw)  # type: ignore[arg-type]
        uow.commit()


def lights(db: Database, matter_id: int, now: datetime) -> dict[str, tuple[Light, datetime]]:
    with db.reading() as s:
        m = service.load(s, system_principal(), KIND, matter_id)
        return {d.code: (d.light, d.due_at) for d in queries.deadlines(s, KIND, m, now)}


def test_opening_a_matter_numbers_it_per_kind_and_year_and_starts_the_sign_for_clock(
    db: Database, clock: FakeClock, people: dict[str, Principal]
) -> None:
    clock.set(at(2024, 6, 20))
    first = open_one(db, people["t_clerk"])
    second = open_one(db, people["t_clerk"])
    with db.reading() as s:
        a = service.load(s, people["t_clerk"], KIND, first)
        b = service.load(s, people["t_clerk"], KIND, second)
        assert (a.serial, b.serial) == ("测-2024-000001", "测-2024-000002")
        assert a.status == State.RECEIVED and a.location == "S256 K12+300"
    assert lights(db, first, at(2024, 6, 20, 11))["sign"] == (Light.YELLOW, end_of(2024, 6, 21))


def test_a_new_year_starts_the_serials_again(db: Database, clock: FakeClock, people: dict[str, Principal]) -> None:
    clock.set(at(2025, 1, 2))
    open_one(db, people["t_clerk"], received=at(2024, 12, 31))
    second = open_one(db, people["t_clerk"])
    with db.reading() as s:
        assert service.load(s, people["t_clerk"], KIND, second).serial == "测-2025-000001"


def test_the_workflow_allows_only_its_table_and_records_every_step(
    db: Database, clock: FakeClock, people: dict[str, Principal]
) -> None:
    clock.set(at(2024, 9, 30))
    mid = open_one(db, people["t_clerk"])
    with pytest.raises(InvalidTransition, match="已收到"):
        act(db, people["t_handler"], mid, "resolve", note="x", data={"result": "done"})
    act(db, people["t_handler"], mid, "accept")
    clock.set(at(2024, 10, 9))
    act(db, people["t_handler"], mid, "resolve", note="已铣刨、刻纹、恢复标线", data={"result": "隐患已排除"})
    clock.set(at(2024, 10, 10))
    act(db, people["t_super"], mid, "close")
    with db.reading() as s:
        m = service.load(s, people["t_super"], KIND, mid)
        assert (m.status, m.result) == (State.CLOSED, "隐患已排除")
        assert m.resolved_at == at(2024, 10, 9) and m.closed_at == at(2024, 10, 10)
        events = queries.history(s, m)
    assert [(e.action, e.from_state, e.to_state) for e in events] == [
        ("open", "", "received"),
        ("accept", "received", "handling"),
        ("resolve", "handling", "resolved"),
        ("close", "resolved", "closed"),
    ]
    assert events[2].note == "已铣刨、刻纹、恢复标线" and json.loads(events[2].data) == {"result": "隐患已排除"}
    assert events[3].actor_name == "t_super"


def test_an_action_needs_its_grant_over_the_matter_and_outsiders_do_not_see_it(
    db: Database, clock: FakeClock, people: dict[str, Principal]
) -> None:
    mid = open_one(db, people["t_clerk"])
    with pytest.raises(Forbidden):
        act(db, people["t_clerk"], mid, "accept")  # sees it, but may not sign for it
    with pytest.raises(NotFound):
        act(db, people["t_outsider"], mid, "accept")  # holds accept, but over 吉首 only
    with pytest.raises(Forbidden):
        open_one(db, people["t_outsider"])  # cannot open matters for a 凤凰县 unit either


def test_an_action_refuses_a_missing_note_or_field_and_writes_nothing(
    db: Database, clock: FakeClock, people: dict[str, Principal]
) -> None:
    mid = open_one(db, people["t_clerk"])
    act(db, people["t_handler"], mid, "accept")
    with pytest.raises(Invalid) as missing_note:
        act(db, people["t_handler"], mid, "resolve", data={"result": "好了"})
    assert missing_note.value.field == "note"
    with pytest.raises(Invalid) as missing_field:
        act(db, people["t_handler"], mid, "resolve", note="办结")
    assert missing_field.value.field == "result"
    with db.reading() as s:
        m = service.load(s, people["t_handler"], KIND, mid)
        assert m.status == State.HANDLING and m.resolved_at is None
        assert len(list(s.scalars(select(MatterEvent).where(MatterEvent.matter_id == mid)))) == 2


def test_a_stale_version_is_a_conflict(db: Database, clock: FakeClock, people: dict[str, Principal]) -> None:
    mid = open_one(db, people["t_clerk"])
    act(db, people["t_handler"], mid, "accept", version=1)
    with pytest.raises(Conflict):
        act(db, people["t_handler"], mid, "resolve", version=1, note="x", data={"result": "y"})


def test_the_handling_deadline_counts_working_days_across_national_day(
    db: Database, clock: FakeClock, people: dict[str, Principal]
) -> None:
    clock.set(at(2024, 9, 29))  # a swapped working Sunday
    mid = open_one(db, people["t_clerk"])
    clock.set(at(2024, 9, 30))
    act(db, people["t_handler"], mid, "accept")
    shown = lights(db, mid, at(2024, 10, 8))
    assert shown["sign"][0] is Light.DONE
    assert shown["handle"] == (Light.GREEN, end_of(2024, 10, 12))  # Oct 8, 9, 10, 11 and Saturday 12
    assert lights(db, mid, at(2024, 10, 11))["handle"][0] is Light.YELLOW
    assert lights(db, mid, at(2024, 10, 14))["handle"][0] is Light.RED
    with db.reading() as s:
        assert service.load(s, people["t_handler"], KIND, mid).due_at == end_of(2024, 10, 12)


def test_an_approved_extension_moves_the_deadline_and_a_refused_one_does_not(
    db: Database, clock: FakeClock, people: dict[str, Principal]
) -> None:
    clock.set(at(2024, 9, 30))
    mid = open_one(db, people["t_clerk"])
    act(db, people["t_handler"], mid, "accept")
    clock.set(at(2024, 10, 10))
    with db.uow(SYSTEM) as uow:
        ext = service.request_extension(uow, people["t_handler"], KIND, mid, "handle", 3, "需设计单位踏勘")
        uow.commit()
    assert lights(db, mid, at(2024, 10, 10))["handle"][1] == end_of(2024, 10, 12)  # nothing moves yet
    with pytest.raises(Forbidden), db.uow(SYSTEM) as uow:
        service.decide_extension(uow, people["t_handler"], KIND, ext.id, approve=True)  # not theirs to approve
    with db.uow(SYSTEM) as uow:
        service.decide_extension(uow, people["t_super"], KIND, ext.id, approve=True, note="同意")
        uow.commit()
    assert lights(db, mid, at(2024, 10, 10))["handle"][1] == end_of(2024, 10, 16)  # +14, 15, 16
    with db.uow(SYSTEM) as uow:
        again = service.request_extension(uow, people["t_handler"], KIND, mid, "handle", 2, "材料未到")
        uow.commit()
    with pytest.raises(Invalid), db.uow(SYSTEM) as uow:
        service.decide_extension(uow, people["t_super"], KIND, again.id, approve=False)  # a refusal needs a reason
    with db.uow(SYSTEM) as uow:
        service.decide_extension(uow, people["t_super"], KIND, again.id, approve=False, note="理由不充分")
        uow.commit()
    assert lights(db, mid, at(2024, 10, 10))["handle"][1] == end_of(2024, 10, 16)
    with db.reading() as s:
        assert service.load(s, people["t_super"], KIND, mid).due_at == end_of(2024, 10, 16)


def test_an_extension_must_be_asked_for_before_the_deadline_passes(
    db: Database, clock: FakeClock, people: dict[str, Principal]
) -> None:
    clock.set(at(2024, 9, 30))
    mid = open_one(db, people["t_clerk"])
    act(db, people["t_handler"], mid, "accept")
    clock.set(at(2024, 10, 14))
    with pytest.raises(Invalid, match="期限已过"), db.uow(SYSTEM) as uow:
        service.request_extension(uow, people["t_handler"], KIND, mid, "handle", 3, "太忙")


def test_a_paused_span_does_not_count_and_blocks_actions_until_resumed(
    db: Database, clock: FakeClock, people: dict[str, Principal]
) -> None:
    clock.set(at(2024, 6, 17))  # Monday
    mid = open_one(db, people["t_clerk"])
    act(db, people["t_handler"], mid, "accept")  # 5 working days: due end of Monday 24 June
    assert lights(db, mid, at(2024, 6, 17))["handle"][1] == end_of(2024, 6, 24)
    clock.set(at(2024, 6, 18))
    with db.uow(SYSTEM) as uow:
        service.pause(uow, people["t_super"], KIND, mid, "等待反映人补充材料")
        uow.commit()
    assert lights(db, mid, at(2024, 6, 19))["handle"][0] is Light.PAUSED
    with pytest.raises(Invalid, match="暂停"):
        act(db, people["t_handler"], mid, "resolve", note="x", data={"result": "y"})
    clock.set(at(2024, 6, 20))  # paused over Wednesday 19 and Thursday 20: two working days
    with db.uow(SYSTEM) as uow:
        service.resume(uow, people["t_super"], KIND, mid)
        uow.commit()
    assert lights(db, mid, at(2024, 6, 20))["handle"] == (Light.GREEN, end_of(2024, 6, 26))
    act(db, people["t_handler"], mid, "resolve", note="办结", data={"result": "完成"})


def test_a_kind_may_size_a_limit_per_matter_when_its_clock_starts(
    db: Database, clock: FakeClock, people: dict[str, Principal]
) -> None:
    """``KindSpec.limit_for``: here a matter whose location names a road gets 2 working days to handle, in
    working hours for an urgent one; the receipt clock keeps its own limit."""
    from dataclasses import replace

    from zhengwu.core.matters.model import LimitUnit, TimeLimit
    from zhengwu.core.matters.registry import Kind

    def limit_for(matter: Any, limit: TimeLimit) -> tuple[int, LimitUnit]:
        if limit.code == "handle" and matter.location.startswith("S256"):
            return 2, LimitUnit.WORKING_DAYS
        return limit.amount, limit.unit

    sized = Kind(replace(three_step.SPEC, limit_for=limit_for), three_step.ThreeStepMatter)
    clock.set(at(2024, 9, 27))  # Friday before National Day
    with db.uow(SYSTEM) as uow:
        road = service.open_matter(
            uow, people["t_clerk"], sized, title="路", owner_unit_id=unit_id(db, "fh-gl"), fields={"location": "S256"}
        ).id
        other = service.open_matter(
            uow, people["t_clerk"], sized, title="别处", owner_unit_id=unit_id(db, "fh-gl"), fields={"location": "X041"}
        ).id
        uow.commit()
    for mid in (road, other):
        with db.uow(SYSTEM) as uow:
            service.act(uow, people["t_handler"], sized, mid, "accept")
            uow.commit()
    assert lights(db, road, at(2024, 9, 27))["sign"][1] == end_of(2024, 9, 29)  # the limit's own 1 day
    assert lights(db, road, at(2024, 9, 27))["handle"][1] == end_of(2024, 9, 30)  # Sunday 29th worked, then 30th
    assert lights(db, other, at(2024, 9, 27))["handle"][1] == end_of(2024, 10, 10)  # the spec's 5 days
