"""The plan contract of issue #7: a valid plan parses into frozen dataclasses, and every bad plan of the issue's
"Done when" list (tranches larger than the pool, negative rates, pd outside [0, 1), periods past legal final,
correlation outside [0, 1)) and of the parser's checks is refused in Chinese with the contract's field named.
"""

from __future__ import annotations

import copy
import dataclasses
import json
import math
from datetime import date
from typing import Any

import pytest

from zhengwu.core.errors import Invalid
from zhengwu.finance.model.plan import (
    EXAMPLE,
    MAX_PD,
    Amortization,
    Plan,
    Scenario,
    parse_plan,
    parse_scenario,
)


def _plan(**changes: Any) -> dict[str, Any]:
    data = copy.deepcopy(EXAMPLE)
    data.update(changes)
    return data


def _edit(path: str, value: Any) -> dict[str, Any]:
    """EXAMPLE with the field at ``path`` (``loans[1].pd_annual``, ``fees.annual_rate_on_pool``) set to ``value``."""
    data = copy.deepcopy(EXAMPLE)
    node: Any = data
    parts = path.replace("]", "").replace("[", ".").split(".")
    for part in parts[:-1]:
        node = node[int(part)] if part.isdigit() else node[part]
    last = parts[-1]
    node[int(last) if last.isdigit() else last] = value
    return data


def _refused(data: Any, field: str | None) -> Invalid:
    with pytest.raises(Invalid) as caught:
        parse_plan(data)
    assert caught.value.field == field, caught.value.message
    assert any("\u4e00" <= ch <= "\u9fff" for ch in caught.value.message)  # a Chinese message
    return caught.value


def test_the_example_plan_parses_into_typed_frozen_parts() -> None:
    plan = parse_plan(EXAMPLE)
    assert plan.closing_date == date(2024, 1, 15)
    assert (plan.periods_per_year, plan.legal_final_period, plan.never) == (4, 8, 9)
    assert [loan.id for loan in plan.loans] == ["L1", "L2"]
    assert plan.loans[1].amortization is Amortization.LEVEL
    assert plan.pool_principal == 1000.0
    assert [t.coupon for t in plan.tranches] == [0.03, None]
    assert plan.fee_rate == 0.004
    assert plan.guarantor is not None and plan.guarantor.cap is None and plan.guarantor.coverage == 0.8
    assert plan.provider is not None and plan.provider.covers == ("senior_interest", "senior_principal")
    assert (plan.recovery.rate_of_pledged_value, plan.recovery.lag_periods, plan.correlation) == (0.3, 2, 0.2)
    with pytest.raises(dataclasses.FrozenInstanceError):
        plan.correlation = 0.5  # type: ignore[misc]


def test_guarantor_and_provider_may_be_absent_or_null() -> None:
    data = _plan(guarantor=None)
    del data["shortfall_provider"]
    plan = parse_plan(data)
    assert plan.guarantor is None and plan.provider is None


def test_a_plan_is_changed_with_dataclasses_replace_and_with_loan_pd() -> None:
    plan = parse_plan(EXAMPLE)
    assert isinstance(dataclasses.replace(plan, correlation=0.5), Plan)
    doubled = plan.with_loan_pd(2.0)
    assert [x.pd_annual for x in doubled.loans] == [0.04, 0.08]
    assert all(x.pd_annual == MAX_PD for x in plan.with_loan_pd(1e6).loans)  # capped just below 1
    assert plan.with_loan_pd({"L1": 0.1}).loans[0].pd_annual == 0.1
    assert plan.with_loan_pd({"L1": 0.1}).loans[1].pd_annual == 0.04
    with pytest.raises(Invalid):
        plan.with_loan_pd({"L9": 0.1})
    with pytest.raises(Invalid):
        plan.with_loan_pd({"L1": 1.0})
    with pytest.raises(Invalid):
        plan.with_loan_pd(-1.0)


# ----------------------------------------------------------------------------------------------- the issue's list


def test_tranches_larger_than_the_pool_are_refused() -> None:
    error = _refused(_edit("tranches[1].balance", 200.01), "tranches")
    assert "大于资产池" in error.message
    parse_plan(_edit("tranches[1].balance", 150))  # smaller than the pool: overcollateralised, accepted


@pytest.mark.parametrize(
    "field",
    ["loans[0].annual_rate", "loans[1].annual_rate", "tranches[0].coupon", "fees.annual_rate_on_pool"],
)
def test_negative_rates_are_refused(field: str) -> None:
    _refused(_edit(field, -0.01), field)


@pytest.mark.parametrize("value", [1, 1.0, 1.5, -0.01])
@pytest.mark.parametrize("field", ["loans[1].pd_annual", "guarantor.pd_annual", "shortfall_provider.pd_annual"])
def test_a_probability_of_default_outside_0_1_is_refused(field: str, value: float) -> None:
    _refused(_edit(field, value), field)


def test_a_loan_term_past_legal_final_is_refused() -> None:
    error = _refused(_edit("loans[1].term_periods", 9), "loans[1].term_periods")
    assert "法定到期" in error.message
    parse_plan(_edit("loans[1].term_periods", 8))


@pytest.mark.parametrize("value", [1, 1.2, -0.1])
def test_a_correlation_outside_0_1_is_refused(value: float) -> None:
    _refused(_plan(correlation=value), "correlation")


# ----------------------------------------------------------------------------------------------- every field


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("closing_date", "2024/01/15"),
        ("closing_date", "2024-02-30"),
        ("closing_date", None),
        ("periods_per_year", 3),
        ("periods_per_year", 4.0),
        ("periods_per_year", True),
        ("legal_final_period", 0),
        ("legal_final_period", 601),
        ("loans", []),
        ("loans", "L1"),
        ("tranches", []),
        ("loans[0].id", ""),
        ("loans[0].borrower", 7),
        ("loans[0].principal", 0),
        ("loans[0].principal", "600"),
        ("loans[0].principal", math.nan),
        ("loans[0].principal", math.inf),
        ("loans[0].principal", 1e16),
        ("loans[0].annual_rate", 1.01),
        ("loans[0].term_periods", 0),
        ("loans[0].term_periods", 2.5),
        ("loans[0].amortization", "balloon"),
        ("loans[0].pd_annual", None),
        ("loans[0].pledged_value", -1),
        ("tranches[0].id", None),
        ("tranches[0].balance", 0),
        ("tranches[0].balance", -5),
        ("tranches[0].coupon", None),
        ("tranches[1].coupon", -0.1),
        ("fees.annual_rate_on_pool", None),
        ("guarantor.coverage", 1.1),
        ("guarantor.cap", -1),
        ("guarantor.name", ""),
        ("shortfall_provider.covers", ["senior_interest", "junior_interest"]),
        ("shortfall_provider.covers", "senior_interest"),
        ("shortfall_provider.covers", ["senior_interest", "senior_interest"]),
        ("recovery.rate_of_pledged_value", 1.5),
        ("recovery.lag_periods", -1),
    ],
)
def test_every_field_is_checked_and_named(field: str, value: Any) -> None:
    _refused(_edit(field, value), field)


def test_the_pool_and_its_parts_must_be_objects_and_lists() -> None:
    _refused([], None)
    _refused(_plan(fees=0.004), "fees")
    _refused(_plan(recovery=None), "recovery")
    _refused(_edit("loans[0]", "L1"), "loans[0]")


def test_unknown_keys_are_refused_at_every_level() -> None:
    _refused(_plan(colour="red"), "colour")
    _refused(_edit("loans[0].rate", 0.06), "loans[0].rate")
    _refused(_edit("tranches[0].rating", "AAA"), "tranches[0].rating")
    _refused(_edit("fees.fixed", 1), "fees.fixed")
    _refused(_edit("guarantor.limit", 1), "guarantor.limit")
    _refused(_edit("recovery.days", 1), "recovery.days")


def test_ids_must_be_unique() -> None:
    _refused(_edit("loans[1].id", "L1"), "loans")
    _refused(_edit("tranches[1].id", "A"), "tranches")


def test_a_tranche_must_say_its_coupon_and_only_the_last_may_have_none() -> None:
    data = copy.deepcopy(EXAMPLE)
    del data["tranches"][0]["coupon"]
    _refused(data, "tranches[0].coupon")
    assert parse_plan(_edit("tranches[1].coupon", 0.05)).tranches[1].coupon == 0.05  # a last tranche with a coupon


# ----------------------------------------------------------------------------------------------- the scenario


def test_the_issues_scenario_shape_parses() -> None:
    plan = parse_plan(EXAMPLE)
    data = {"loan_defaults": {"L2": 3}, "guarantor_default_period": None, "provider_default_period": 8}
    assert parse_scenario(data, plan) == Scenario({"L2": 3}, None, 8)
    assert parse_scenario({}, plan) == Scenario({}, None, None)


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"loan_defaults": {"L9": 3}}, "loan_defaults.L9"),
        ({"loan_defaults": {"L1": 0}}, "loan_defaults.L1"),
        ({"loan_defaults": {"L1": 9}}, "loan_defaults.L1"),
        ({"loan_defaults": {"L1": True}}, "loan_defaults.L1"),
        ({"loan_defaults": {"L1": 2.0}}, "loan_defaults.L1"),
        ({"loan_defaults": ["L1"]}, "loan_defaults"),
        ({"guarantor_default_period": 0}, "guarantor_default_period"),
        ({"provider_default_period": 99}, "provider_default_period"),
        ({"loan_default": {}}, "loan_default"),
    ],
)
def test_a_bad_scenario_is_refused_naming_the_field(data: dict[str, Any], field: str) -> None:
    with pytest.raises(Invalid) as caught:
        parse_scenario(data, parse_plan(EXAMPLE))
    assert caught.value.field == field


def test_the_plan_and_scenario_examples_in_docs_finance_md_are_accepted() -> None:
    import re
    from pathlib import Path

    doc = (Path(__file__).resolve().parents[2] / "docs" / "finance.md").read_text(encoding="utf-8")
    plan_json, scenario_json = (json.loads(b) for b in re.findall(r"```json\n(.*?)```", doc, flags=re.S)[:2])
    plan = parse_plan(plan_json)
    assert parse_scenario(scenario_json, plan) is not None
