"""The request kind's step handler (``KindSpec.act``): the generic act page and API take a request's steps through
the hotline services, so the once-only send-back, dispatch's scope, the decline reasons and the call-back's outcome
hold there too; the step's data, strings from a form or typed JSON, is parsed with the field named when bad."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import unit_id
from tests.support.request_people import SYSTEM, category, setup
from zhengwu.core.clock import FakeClock
from zhengwu.core.db import Database
from zhengwu.core.errors import Forbidden, Invalid, NotFound
from zhengwu.core.matters import service as matters
from zhengwu.core.matters.views import take_step
from zhengwu.core.org.model import Principal, system_principal
from zhengwu.requests import service as requests
from zhengwu.requests.kinds import KIND
from zhengwu.requests.model import DeclineReason, State
from zhengwu.requests.tables import RequestMatter


@pytest.fixture
def people(db: Database) -> dict[str, Principal]:
    return setup(db)


def receive(db: Database, who: Principal) -> int:
    with db.uow(SYSTEM) as uow:
        found = requests.receive_request(
            uow,
            who,
            channel="phone",
            type="complaint",
            category_id=category(db, "traffic.road"),
            description="S256 路面坑槽",
            reporter_phone="13812345678",
        )
        uow.commit()
        return found.id


def load(db: Database, rid: int) -> RequestMatter:
    with db.reading() as s:
        found = matters.load(s, system_principal(), KIND, rid)
        assert isinstance(found, RequestMatter)
        return found


def generic(db: Database, who: Principal, rid: int, action: str, note: str = "", **data: Any) -> RequestMatter:
    """A step as the generic page or API takes it: by action code, with the current version and raw data."""
    with db.uow(SYSTEM) as uow:
        version = load(db, rid).version
        found: RequestMatter = take_step(uow, who, KIND, rid, action, version=version, note=note, data=data)
        uow.commit()
        return found


def test_the_request_kind_registers_its_own_step_handler_and_page() -> None:
    assert KIND.spec.act is not None
    assert KIND.spec.url_of(12) == "/requests/12"


def test_a_second_send_back_through_the_generic_step_is_refused(
    db: Database, clock: FakeClock, people: dict[str, Principal]
) -> None:
    rid = receive(db, people["r_hotline"])
    road = str(unit_id(db, "fh-gl"))
    generic(db, people["r_hotline"], rid, "accept")
    generic(db, people["r_hotline"], rid, "dispatch", owner_unit_id=road)
    r = generic(db, people["r_road"], rid, "send_back", send_back_reason="不属本单位职责")
    assert (r.status, r.send_back_count, r.owner_unit_id) == (State.SENT_BACK, 1, unit_id(db, "fh"))
    generic(db, people["r_hotline"], rid, "dispatch", unit_id=road)
    with pytest.raises(Invalid, match="已退回过一次") as refused:
        generic(db, people["r_road"], rid, "send_back", send_back_reason="再退一次")
    assert refused.value.field == "send_back_reason"
    assert load(db, rid).status == State.DISPATCHED


def test_dispatch_out_of_the_dispatchers_scope_is_forbidden_and_an_unknown_unit_invalid(
    db: Database, clock: FakeClock, people: dict[str, Principal]
) -> None:
    rid = receive(db, people["r_hotline"])
    generic(db, people["r_hotline"], rid, "accept")
    with pytest.raises(Forbidden):
        generic(db, people["r_hotline"], rid, "dispatch", owner_unit_id=str(unit_id(db, "js-gl")))
    with pytest.raises(Invalid) as bad:
        generic(db, people["r_hotline"], rid, "dispatch", owner_unit_id="999999")
    assert bad.value.field == "unit_id"
    with pytest.raises(Invalid) as bad:
        generic(db, people["r_hotline"], rid, "dispatch")
    assert bad.value.field == "owner_unit_id"
    assert load(db, rid).status == State.ACCEPTED


def test_declining_through_the_generic_step_needs_a_listed_reason(
    db: Database, clock: FakeClock, people: dict[str, Principal]
) -> None:
    rid = receive(db, people["r_hotline"])
    with pytest.raises(Invalid) as bad:
        generic(db, people["r_hotline"], rid, "decline", note="不办", decline_reason="不想办")
    assert bad.value.field == "decline_reason"
    r = generic(db, people["r_hotline"], rid, "decline", note="已起诉", decline_reason="in_litigation")
    assert (r.status, r.decline_reason) == (State.DECLINED, DeclineReason.IN_LITIGATION)


@pytest.mark.parametrize(
    ("action", "data", "field"),
    [
        ("accept", {"owner_unit_id": 1}, "owner_unit_id"),
        ("accept", {"attachments": ["a.jpg"]}, "attachments"),
        ("fly", {}, "action"),
        ("decline", {"decline_reason": 3}, "decline_reason"),
        ("dispatch", {"unit_id": "abc"}, "unit_id"),
        ("dispatch", {"unit_id": True}, "unit_id"),
        ("dispatch", {"unit_id": 1.5}, "unit_id"),
    ],
)
def test_bad_step_data_is_refused_naming_the_field(
    db: Database, clock: FakeClock, people: dict[str, Principal], action: str, data: dict[str, Any], field: str
) -> None:
    rid = receive(db, people["r_hotline"])
    with pytest.raises(Invalid) as bad:
        generic(db, people["r_hotline"], rid, action, note="x", **data)
    assert bad.value.field == field
    assert load(db, rid).status == State.RECEIVED


def test_resolve_and_call_back_read_form_strings_and_json_values_alike(
    db: Database, clock: FakeClock, people: dict[str, Principal]
) -> None:
    rid = receive(db, people["r_hotline"])
    generic(db, people["r_hotline"], rid, "accept")
    generic(db, people["r_hotline"], rid, "dispatch", owner_unit_id=unit_id(db, "fh-gl"))
    generic(db, people["r_road"], rid, "sign")
    for bad, field in (({"difficulties_solved": "两个"}, "difficulties_solved"), ({"difficulties_solved": -1}, None)):
        with pytest.raises(Invalid) as refused:
            generic(db, people["r_road"], rid, "resolve", result="已修补", **bad)
        assert refused.value.field == (field or "difficulties_solved")
    r = generic(db, people["r_road"], rid, "resolve", result="已修补", difficulties_solved="2")
    assert (r.status, r.difficulties_solved, r.result) == (State.RESOLVED, 2, "已修补")
    with pytest.raises(Invalid) as refused:
        generic(db, people["r_hotline"], rid, "call_back", satisfied="maybe")
    assert refused.value.field == "satisfied"
    with pytest.raises(Invalid):  # unsatisfied through the unit's fault cannot be filed as closed
        generic(db, people["r_hotline"], rid, "close", satisfied=False, unit_at_fault=True)
    with pytest.raises(Invalid):  # a satisfied citizen is no reason to reopen
        generic(db, people["r_hotline"], rid, "reopen", note="x", satisfied=True)
    with pytest.raises(Forbidden):  # the unit does not call back on itself
        generic(db, people["r_road"], rid, "call_back", solved="on", satisfied="on")
    r = generic(db, people["r_hotline"], rid, "call_back", note="仍湿滑", unit_at_fault="on")
    assert (r.status, r.callback_solved, r.callback_satisfied) == (State.HANDLING, False, False)
    generic(db, people["r_road"], rid, "resolve", result="补做磨耗层", difficulties_solved=1)
    r = generic(db, people["r_hotline"], rid, "close", solved=True, satisfied=True)
    assert (r.status, r.callback_solved, r.callback_satisfied) == (State.CLOSED, True, True)


def test_a_unit_that_no_longer_owns_the_request_cannot_step_it(
    db: Database, clock: FakeClock, people: dict[str, Principal]
) -> None:
    rid = receive(db, people["r_hotline"])
    with pytest.raises(NotFound):
        generic(db, people["r_road"], rid, "accept")
    with pytest.raises(NotFound):
        generic(db, people["r_outsider"], rid, "accept")
