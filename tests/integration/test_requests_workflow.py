"""The requests system's hotline workflow through its service, on SQLite and PostgreSQL.

Dates: 2024 National Day (1–7 Oct off; Sun 29 Sep and Sat 12 Oct worked) per 国办发明电〔2023〕7号.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from tests.conftest import unit_id
from tests.support.request_people import SYSTEM, at, category, end_of, setup
from zhengwu.core.clock import FakeClock
from zhengwu.core.db import Database
from zhengwu.core.errors import Forbidden, Invalid, NotFound
from zhengwu.core.matters import queries
from zhengwu.core.matters import service as matters
from zhengwu.core.matters.model import InvalidTransition, LimitUnit, Priority
from zhengwu.core.org.model import Principal, system_principal
from zhengwu.requests import service as requests
from zhengwu.requests.kinds import KIND
from zhengwu.requests.model import DeclineReason, State
from zhengwu.requests.tables import RequestCategory, RequestMatter


@pytest.fixture
def people(db: Database) -> dict[str, Principal]:
    return setup(db)


def receive(db: Database, who: Principal, **kw: Any) -> int:
    values: dict[str, Any] = {
        "channel": "phone",
        "type": "complaint",
        "category_id": category(db, "traffic.road"),
        "description": "S256 腊尔山五潮河至大马段水泥路面老化，雨天湿滑，多次发生车辆侧滑。",
        "road_code": "S256",
        "km_from": "K12+300",
        "km_to": "K27+900",
        "reporter_name": "张三",
        "reporter_phone": "13812345678",
    }
    values.update(kw)
    with db.uow(SYSTEM) as uow:
        request = requests.receive_request(uow, who, **values)
        uow.commit()
        return request.id


def step(db: Database, fn: Any, who: Principal, request_id: int, **kw: Any) -> RequestMatter:
    with db.uow(SYSTEM) as uow:
        request: RequestMatter = fn(uow, who, request_id, **kw)
        uow.commit()
        return request


def load(db: Database, request_id: int) -> RequestMatter:
    with db.reading() as s:
        found = matters.load(s, system_principal(), KIND, request_id)
        assert isinstance(found, RequestMatter)
        return found


def due(db: Database, request_id: int) -> dict[str, tuple[int, LimitUnit, datetime]]:
    with db.reading() as s:
        m = matters.load(s, system_principal(), KIND, request_id)
        return {d.code: (d.amount, d.unit, d.due_at) for d in queries.deadlines(s, KIND, m, m.received_at)}


def to_handling(db: Database, p: dict[str, Principal], request_id: int) -> None:
    step(db, requests.accept, p["r_hotline"], request_id)
    step(db, requests.dispatch, p["r_hotline"], request_id, unit_id=unit_id(db, "fh-gl"))
    step(db, requests.sign, p["r_road"], request_id)


def test_a_request_gets_a_serial_of_its_own_and_waits_for_acceptance(
    db: Database, clock: FakeClock, people: dict[str, Principal]
) -> None:
    rid = receive(db, people["r_hotline"])
    r = load(db, rid)
    assert r.serial == "诉-2024-000001" and r.status == State.RECEIVED
    assert r.owner_unit_id == r.intake_unit_id == unit_id(db, "fh")
    assert (r.km_from, r.km_to, r.road_code, r.channel) == (12300, 27900, "S256", "phone")


def test_the_whole_journey_accept_dispatch_sign_resolve_call_back_satisfied_closes(
    db: Database, clock: FakeClock, people: dict[str, Principal]
) -> None:
    rid = receive(db, people["r_hotline"])
    to_handling(db, people, rid)
    step(db, requests.progress, people["r_road"], rid, note="设计单位已勘测 15.6 公里路段")
    r = step(db, requests.resolve, people["r_road"], rid, result="弯道铣刨、刻纹，施划减速标线", difficulties_solved=2)
    assert r.status == State.RESOLVED and r.difficulties_solved == 2 and r.resolved_at is not None
    r = step(db, requests.call_back, people["r_hotline"], rid, solved=True, satisfied=True)
    assert r.status == State.CLOSED and (r.callback_solved, r.callback_satisfied) == (True, True)
    with db.reading() as s:
        actions = [e.action for e in queries.history(s, load(db, rid))]
    assert actions == ["open", "accept", "dispatch", "sign", "progress", "resolve", "close"]


def test_declining_needs_a_reason_from_the_list_and_an_explanation(
    db: Database, clock: FakeClock, people: dict[str, Principal]
) -> None:
    rid = receive(db, people["r_hotline"])
    with pytest.raises(Invalid) as bad:
        step(db, requests.decline, people["r_hotline"], rid, reason="不想办", note="x")
    assert bad.value.field == "decline_reason"
    with pytest.raises(Invalid) as bad:
        step(db, requests.decline, people["r_hotline"], rid, reason="重复反映", note="")
    assert bad.value.field == "note"
    r = step(db, requests.decline, people["r_hotline"], rid, reason="重复反映", note="与诉-2024-000001 重复")
    assert r.status == State.DECLINED and r.decline_reason is DeclineReason.DUPLICATE and r.closed_at is not None


def test_a_unit_may_send_a_request_back_once_and_the_second_time_is_refused(
    db: Database, clock: FakeClock, people: dict[str, Principal]
) -> None:
    rid = receive(db, people["r_hotline"], category_id=category(db, "health"), type="help")
    step(db, requests.accept, people["r_hotline"], rid)
    step(db, requests.dispatch, people["r_hotline"], rid, unit_id=unit_id(db, "fh-gl"))
    r = step(db, requests.send_back, people["r_road"], rid, reason="属卫生健康部门职责")
    assert r.status == State.SENT_BACK and r.send_back_count == 1 and r.owner_unit_id == unit_id(db, "fh")
    with pytest.raises(NotFound):  # no longer the road centre's
        step(db, requests.sign, people["r_road"], rid)
    step(db, requests.dispatch, people["r_hotline"], rid, unit_id=unit_id(db, "fh-wj"))
    with pytest.raises(Invalid, match="已退回过一次") as refused:
        step(db, requests.send_back, people["r_health"], rid, reason="再退一次")
    assert refused.value.field == "send_back_reason"
    assert load(db, rid).status == State.DISPATCHED
    assert step(db, requests.sign, people["r_health"], rid).status == State.HANDLING


def test_after_a_send_back_the_dispatcher_may_decline_instead(
    db: Database, clock: FakeClock, people: dict[str, Principal]
) -> None:
    rid = receive(db, people["r_hotline"])
    step(db, requests.accept, people["r_hotline"], rid)
    step(db, requests.dispatch, people["r_hotline"], rid, unit_id=unit_id(db, "fh-gl"))
    step(db, requests.send_back, people["r_road"], rid, reason="已进入诉讼程序")
    r = step(db, requests.decline, people["r_hotline"], rid, reason=DeclineReason.IN_LITIGATION, note="已起诉")
    assert r.status == State.DECLINED


def test_call_back_unsatisfied_through_the_units_fault_reopens_with_a_new_handling_limit(
    db: Database, clock: FakeClock, people: dict[str, Principal]
) -> None:
    clock.set(at(2024, 6, 20, 9))
    rid = receive(db, people["r_hotline"])
    to_handling(db, people, rid)
    step(db, requests.resolve, people["r_road"], rid, result="已修补", difficulties_solved=1)
    with pytest.raises(Invalid):  # reopening needs a note
        step(db, requests.call_back, people["r_hotline"], rid, solved=False, satisfied=False, unit_at_fault=True)
    clock.set(at(2024, 6, 24, 9))
    r = step(
        db,
        requests.call_back,
        people["r_hotline"],
        rid,
        solved=False,
        satisfied=False,
        unit_at_fault=True,
        note="群众反映仍湿滑",
    )
    assert r.status == State.HANDLING and r.resolved_at is None and r.callback_satisfied is False
    assert due(db, rid)["rehandle"] == (13, LimitUnit.WORKING_DAYS, end_of(2024, 7, 11))
    assert load(db, rid).due_at == end_of(2024, 7, 11)


def test_call_back_unsatisfied_without_the_units_fault_still_closes(
    db: Database, clock: FakeClock, people: dict[str, Principal]
) -> None:
    rid = receive(db, people["r_hotline"])
    to_handling(db, people, rid)
    step(db, requests.resolve, people["r_road"], rid, result="已答复政策")
    r = step(db, requests.call_back, people["r_hotline"], rid, solved=False, satisfied=False)
    assert r.status == State.CLOSED and r.callback_solved is False


def test_each_step_needs_its_own_grant_over_the_request(
    db: Database, clock: FakeClock, people: dict[str, Principal]
) -> None:
    rid = receive(db, people["r_hotline"])
    with pytest.raises(NotFound):  # not yet dispatched: the road centre does not see it
        step(db, requests.accept, people["r_road"], rid)
    with pytest.raises(Forbidden):  # the commission sees it, but accepting is the hotline's
        step(db, requests.accept, people["r_commission"], rid)
    with pytest.raises(NotFound):  # 吉首 cannot even see a 凤凰 request
        step(db, requests.accept, people["r_outsider"], rid)
    step(db, requests.accept, people["r_hotline"], rid)
    with pytest.raises(Forbidden):  # cannot dispatch out of one's own scope
        step(db, requests.dispatch, people["r_hotline"], rid, unit_id=unit_id(db, "js-gl"))
    step(db, requests.dispatch, people["r_hotline"], rid, unit_id=unit_id(db, "fh-gl"))
    with pytest.raises(Forbidden):  # the hotline does not sign for a unit
        step(db, requests.sign, people["r_hotline"], rid)
    with pytest.raises(NotFound):  # another bureau does not see it
        step(db, requests.sign, people["r_health"], rid)
    with pytest.raises(InvalidTransition):
        step(db, requests.resolve, people["r_road"], rid, result="x")
    step(db, requests.sign, people["r_road"], rid)
    step(db, requests.resolve, people["r_road"], rid, result="已处理")
    with pytest.raises(Forbidden):  # the unit does not call back on itself
        step(db, requests.call_back, people["r_road"], rid, solved=True, satisfied=True)


def test_a_complaint_dispatched_before_national_day_is_signed_for_on_the_swapped_sunday_and_due_13_days_later(
    db: Database, clock: FakeClock, people: dict[str, Principal]
) -> None:
    clock.set(at(2024, 9, 27, 10))
    rid = receive(db, people["r_hotline"])
    step(db, requests.accept, people["r_hotline"], rid)
    step(db, requests.dispatch, people["r_hotline"], rid, unit_id=unit_id(db, "fh-gl"))
    # Friday's dispatch: Saturday 28th is off, Sunday 29th is a working day (调休).
    assert due(db, rid)["sign"] == (1, LimitUnit.WORKING_DAYS, end_of(2024, 9, 29))
    clock.set(at(2024, 9, 29, 9))
    step(db, requests.sign, people["r_road"], rid)
    # 13 working days from 29 Sep: 30 Sep, 8–12 Oct (Saturday 12th worked), 14–18, 21, 22.
    assert due(db, rid)["handle"] == (13, LimitUnit.WORKING_DAYS, end_of(2024, 10, 22))
    assert load(db, rid).due_at == end_of(2024, 10, 22)


@pytest.mark.parametrize(
    ("type_", "days", "due_day"),
    [("consult", 3, 25), ("help", 5, 27), ("report", 13, 9), ("suggestion", 13, 9)],
)
def test_the_handling_limit_defaults_to_the_requests_type(
    db: Database, clock: FakeClock, people: dict[str, Principal], type_: str, days: int, due_day: int
) -> None:
    clock.set(at(2024, 6, 20, 9))  # Thursday; signed for the same day
    rid = receive(db, people["r_hotline"], type=type_)
    to_handling(db, people, rid)
    amount, unit, due_at = due(db, rid)["handle"]
    assert (amount, unit) == (days, LimitUnit.WORKING_DAYS)
    assert due_at == end_of(2024, 6 if due_day > 20 else 7, due_day)


def test_a_categorys_override_beats_the_types_default_and_reaches_its_children(
    db: Database, clock: FakeClock, people: dict[str, Principal]
) -> None:
    traffic = category(db, "traffic")
    with db.uow(SYSTEM) as uow:
        current = uow.session.get(RequestCategory, traffic)
        assert current is not None
        requests.update_category(
            uow,
            people["r_admin"],
            traffic,
            version=current.version,
            name="交通运输",
            limit_amount=7,
            limit_unit="working_days",
            urgent=False,
        )
        uow.commit()
    clock.set(at(2024, 6, 20, 9))
    rid = receive(db, people["r_hotline"], type="consult")  # category 公路养护 under 交通运输
    to_handling(db, people, rid)
    assert due(db, rid)["handle"] == (7, LimitUnit.WORKING_DAYS, end_of(2024, 7, 1))


def test_an_urgent_safety_matter_must_be_handled_within_two_working_hours(
    db: Database, clock: FakeClock, people: dict[str, Principal]
) -> None:
    clock.set(at(2024, 6, 20, 15))
    rid = receive(db, people["r_hotline"], category_id=category(db, "traffic.safety"))
    assert load(db, rid).priority is Priority.URGENT
    step(db, requests.accept, people["r_hotline"], rid)
    step(db, requests.dispatch, people["r_hotline"], rid, unit_id=unit_id(db, "fh-gl"))
    clock.set(at(2024, 6, 20, 16))
    step(db, requests.sign, people["r_road"], rid)
    # 16:00–17:00 on Thursday, then 09:00–10:00 on Friday.
    assert due(db, rid)["handle"] == (2, LimitUnit.WORKING_HOURS, at(2024, 6, 21, 10))


def test_a_clerk_may_mark_any_request_urgent(db: Database, clock: FakeClock, people: dict[str, Principal]) -> None:
    rid = receive(db, people["r_hotline"], type="consult", urgent=True)
    r = load(db, rid)
    assert (r.urgent, r.handle_amount, r.handle_unit) == (True, 2, LimitUnit.WORKING_HOURS)
