"""The requests system's pure domain: the workflow table, time limits, location parsing and routing."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from zhengwu.core.matters.model import InvalidTransition, LimitUnit
from zhengwu.requests.model import (
    WORKFLOW,
    CategoryLimit,
    RequestType,
    RoutingRule,
    State,
    format_km,
    handling_limit,
    has_html,
    in_china,
    parse_km,
    suggest_unit,
)


def test_the_workflow_follows_hotline_practice() -> None:
    path = [
        (State.RECEIVED, "accept", State.ACCEPTED),
        (State.ACCEPTED, "dispatch", State.DISPATCHED),
        (State.DISPATCHED, "send_back", State.SENT_BACK),
        (State.SENT_BACK, "dispatch", State.DISPATCHED),
        (State.DISPATCHED, "sign", State.HANDLING),
        (State.HANDLING, "progress", State.HANDLING),
        (State.HANDLING, "resolve", State.RESOLVED),
        (State.RESOLVED, "reopen", State.HANDLING),
        (State.RESOLVED, "close", State.CLOSED),
        (State.RECEIVED, "decline", State.DECLINED),
        (State.SENT_BACK, "decline", State.DECLINED),
    ]
    for source, action, target in path:
        assert WORKFLOW.step(source, action).target == target
    assert WORKFLOW.is_closed(State.DECLINED) and WORKFLOW.is_closed(State.CLOSED)
    assert not WORKFLOW.is_resolved(State.DECLINED)


@pytest.mark.parametrize(
    ("state", "action"),
    [(State.RECEIVED, "dispatch"), (State.HANDLING, "send_back"), (State.ACCEPTED, "sign"), (State.CLOSED, "reopen")],
)
def test_the_workflow_refuses_steps_out_of_order(state: State, action: str) -> None:
    with pytest.raises(InvalidTransition):
        WORKFLOW.step(state, action)


def test_steps_that_need_a_reason_say_so() -> None:
    assert WORKFLOW.step(State.RECEIVED, "decline").fields == ("decline_reason",)
    assert WORKFLOW.step(State.DISPATCHED, "send_back").fields == ("send_back_reason",)
    assert WORKFLOW.step(State.HANDLING, "resolve").fields == ("result",)


@pytest.mark.parametrize(
    ("type_", "days"),
    [
        (RequestType.CONSULT, 3),
        (RequestType.HELP, 5),
        (RequestType.COMPLAINT, 13),
        (RequestType.REPORT, 13),
        (RequestType.SUGGESTION, 13),
    ],
)
def test_the_handling_limit_defaults_by_type(type_: RequestType, days: int) -> None:
    assert handling_limit(type_, None, []) == (days, LimitUnit.WORKING_DAYS)


def test_the_nearest_category_override_wins_then_the_types_row_then_the_default() -> None:
    child, parent = CategoryLimit(4, LimitUnit.WORKING_DAYS), CategoryLimit(9, LimitUnit.NATURAL_DAYS)
    type_row = CategoryLimit(6, LimitUnit.WORKING_DAYS)
    assert handling_limit(RequestType.COMPLAINT, type_row, [child, parent]) == (4, LimitUnit.WORKING_DAYS)
    assert handling_limit(RequestType.COMPLAINT, type_row, [CategoryLimit(), parent]) == (9, LimitUnit.NATURAL_DAYS)
    assert handling_limit(RequestType.COMPLAINT, type_row, [CategoryLimit()]) == (6, LimitUnit.WORKING_DAYS)


def test_urgency_anywhere_means_two_working_hours() -> None:
    urgent = (2, LimitUnit.WORKING_HOURS)
    assert handling_limit(RequestType.SUGGESTION, None, [CategoryLimit(4)], urgent=True) == urgent
    assert handling_limit(RequestType.SUGGESTION, None, [CategoryLimit(4), CategoryLimit(urgent=True)]) == urgent


@given(st.integers(min_value=0, max_value=9_999_999))
def test_km_marks_round_trip(metres: int) -> None:
    assert parse_km(format_km(metres)) == metres


@pytest.mark.parametrize("text", ["12+300", "K12", "K12+30", "K-1+000", "", "K12+300m"])
def test_malformed_km_marks_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match="K12\\+300"):
        parse_km(text)


def test_the_china_bounding_box() -> None:
    assert in_china(27.95, 109.6) and in_china(53.5, 122.3) and in_china(18.2, 109.5)
    assert not in_china(3.7, 110) and not in_china(30, 135.2) and not in_china(-27.95, 109.6)


def test_html_is_detected_but_comparisons_are_not() -> None:
    assert has_html("<img src=x onerror=alert(1)>") and has_html("</div>") and has_html("<!-- x -->")
    assert not has_html("车速<40公里") and not has_html("1 < 2 > 0")


def test_routing_prefers_the_category_then_the_area_then_the_priority() -> None:
    rules = [
        RoutingRule(1, None, "/1/", 10),
        RoutingRule(2, 5, None, 20),
        RoutingRule(3, 5, "/1/4/", 30),
        RoutingRule(4, 5, "/1/4/", 40, priority=2),
        RoutingRule(5, 6, None, 50),
    ]
    assert suggest_unit(rules, [6, 5], "/1/4/9/") == 50  # the nearer category beats area and priority
    assert suggest_unit(rules, [5], "/1/4/9/") == 40  # same category and area: the higher priority
    assert suggest_unit(rules, [5], "/2/") == 20
    assert suggest_unit(rules, [7], "/1/3/") == 10
    assert suggest_unit(rules, [7], "/2/") is None
