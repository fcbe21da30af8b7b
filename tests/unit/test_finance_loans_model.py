"""The pure model of pledge loans: the status table, calendar months, the pledge rate against a value-weighted
ceiling, the balance and exposure at default read from the engine's schedule, the risk pool's sharing of a loss
(the issue's example, then exact cents and the cap as properties) and the checks of an application's fields."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from zhengwu.core.errors import Conflict, Invalid
from zhengwu.finance.model.loan_fields import check_fields, fraction_of, money_of
from zhengwu.finance.model.loans import (
    LoanStatus,
    Step,
    add_months,
    allowed_steps,
    check_step,
    exposure_at_default,
    loan_ceiling,
    outstanding,
    payment_dates,
    pledge_rate,
    repayment_schedule,
)
from zhengwu.finance.model.plan import Amortization, Loan
from zhengwu.finance.model.risk_pool import allocate, cap_left
from zhengwu.finance.model.schedule import loan_schedule

#: The steps the brief allows: applied → approved | declined; approved → disbursed | declined; disbursed → repaid |
#: defaulted; defaulted → disposed. Nothing else.
ALLOWED = {
    ("applied", "approve"), ("applied", "decline"), ("approved", "disburse"), ("approved", "decline"),
    ("disbursed", "repay"), ("disbursed", "default"), ("defaulted", "dispose"),
}  # fmt: skip


@pytest.mark.parametrize("status", [s.value for s in LoanStatus])
@pytest.mark.parametrize("step", list(Step))
def test_only_the_listed_steps_are_open_and_a_wrong_one_names_both_statuses(status: str, step: Step) -> None:
    if (status, step.value) in ALLOWED:
        assert check_step(status, step).value in {
            "approved",
            "declined",
            "disbursed",
            "repaid",
            "defaulted",
            "disposed",
        }
        assert step in allowed_steps(status)
        return
    with pytest.raises(Conflict) as caught:
        check_step(status, step)
    assert LoanStatus(status).label in caught.value.message and caught.value.field == "status"
    assert step not in allowed_steps(status)


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2024, 1, 31), 1, date(2024, 2, 29)),  # leap February
        (date(2023, 1, 31), 1, date(2023, 2, 28)),
        (date(2024, 3, 31), 1, date(2024, 4, 30)),
        (date(2024, 8, 31), 6, date(2025, 2, 28)),
        (date(2024, 2, 29), 48, date(2028, 2, 29)),
        (date(2024, 12, 15), 1, date(2025, 1, 15)),
        (date(2024, 5, 20), 0, date(2024, 5, 20)),
        (date(2024, 3, 31), -1, date(2024, 2, 29)),
    ],
)
def test_calendar_months_clip_the_day_to_the_months_end(start: date, months: int, expected: date) -> None:
    assert add_months(start, months) == expected


def test_payment_dates_count_from_disbursement_so_a_clipped_month_end_does_not_drift() -> None:
    assert payment_dates(date(2024, 1, 31), 4, 4) == [date(2024, 4, 30), date(2024, 7, 31), date(2024, 10, 31),
                                                      date(2025, 1, 31)]  # fmt: skip
    assert payment_dates(date(2024, 1, 31), 12, 2) == [date(2024, 2, 29), date(2024, 3, 31)]


def test_the_ceiling_is_the_value_weighted_mean_of_each_types_ceiling_or_the_default() -> None:
    ceilings = {"all": 0.3, "invention": 0.4, "design": 0.1}
    patents = [("invention", Decimal(6_000_000)), ("utility", Decimal(3_000_000)), ("design", Decimal(1_000_000))]
    assert loan_ceiling(patents, ceilings) == pytest.approx((6 * 0.4 + 3 * 0.3 + 1 * 0.1) / 10, abs=1e-15)
    assert loan_ceiling([("utility", Decimal(5))], {"utility": 0.25}) == 0.25
    for patents_, ceilings_ in (([], ceilings), ([("utility", Decimal(5))], {"invention": 0.4})):
        with pytest.raises(Invalid) as caught:
            loan_ceiling(patents_, ceilings_)
        assert caught.value.field == "patents"
    assert pledge_rate(Decimal(3_000_000), Decimal(8_000_000)) == 0.375
    with pytest.raises(Invalid):
        pledge_rate(Decimal(1), Decimal(0))


@pytest.mark.parametrize("kind", [a.value for a in Amortization])
def test_the_balance_after_k_payments_is_the_engines_schedule_to_the_cent(kind: str) -> None:
    loan = Loan("L", "", 1_234_567.89, 0.0612, 12, Amortization(kind), 0.0, 0.0)
    s = loan_schedule(loan, 4)
    for k in range(12):
        balance, interest = outstanding(Decimal("1234567.89"), 0.0612, 12, 4, kind, k)
        assert (
            abs(float(balance) - s.balance_start[0, k]) <= 0.0051 and abs(float(interest) - s.interest[0, k]) <= 0.0051
        )
    assert outstanding(Decimal("1234567.89"), 0.0612, 12, 4, kind, 12) == (Decimal("0.00"), Decimal("0.00"))
    rows = repayment_schedule(Decimal("1234567.89"), 0.0612, 36, 4, kind, None)
    assert len(rows) == 12 and rows[-1].balance == 0 and all(r.on is None for r in rows)
    assert abs(sum(r.principal for r in rows) - Decimal("1234567.89")) <= Decimal("0.12")  # ≤ a cent a period
    assert all(abs(r.payment - r.interest - r.principal) <= Decimal("0.01") for r in rows)


def test_the_issues_level_payment_loan_and_equal_principal_balances() -> None:
    assert outstanding(Decimal(4000), 0.085, 60, 12, "level", 1)[0] == Decimal("3946.27")
    assert outstanding(Decimal(1200), 0.05, 12, 12, "equal_principal", 5)[0] == Decimal("700.00")
    rows = repayment_schedule(Decimal(4000), 0.085, 60, 12, "level", date(2024, 1, 15))
    assert {r.payment for r in rows[:-1]} == {Decimal("82.07")} and rows[0].on == date(2024, 2, 15)


def test_exposure_at_default_counts_payments_due_on_or_before_the_date_but_never_the_last() -> None:
    start = date(2024, 1, 15)

    def eod(on: date, kind: str = "bullet", months: int = 12) -> Decimal:
        return exposure_at_default(Decimal(1_000_000), 0.08, months, 4, kind, start, on)

    assert eod(date(2024, 1, 20)) == Decimal("1020000.00")  # before the first payment: principal + quarter 1
    assert eod(date(2024, 4, 15)) == eod(date(2024, 4, 16)) == Decimal("1020000.00")  # paid 1, claim quarter 2
    assert eod(date(2025, 1, 15)) == eod(date(2026, 6, 1)) == Decimal("1020000.00")  # the last payment is the claim
    # equal principal: 250,000 a quarter; on 2024-07-15 two are paid, 500,000 left + its quarter's 10,000
    assert eod(date(2024, 7, 15), "equal_principal") == Decimal("510000.00")
    assert eod(date(2024, 7, 14), "equal_principal") == Decimal("765000.00")


def test_the_issues_risk_pool_example() -> None:
    a = allocate(Decimal("12000000"), 0.45, 0.45, 0.10, Decimal("5000000"))
    assert (a.pool, a.lender, a.valuer, a.capped_by) == (
        Decimal("5000000.00"), Decimal("5800000.00"), Decimal("1200000.00"), Decimal("400000.00"),
    )  # fmt: skip
    assert allocate(Decimal("12000000"), 0.45, 0.45, 0.10, None).pool == Decimal("5400000.00")
    assert allocate(Decimal("12000000"), 0.45, 0.45, 0.10, Decimal("-1")).pool == Decimal("0.00")
    assert cap_left(Decimal("5000000"), [Decimal("3600000")]) == Decimal("1400000")
    with pytest.raises(Invalid):
        allocate(Decimal(100), 0.5, 0.45, 0.10, None)
    with pytest.raises(Invalid):
        allocate(Decimal(-1), 0.45, 0.45, 0.10, None)


cents = st.integers(min_value=0, max_value=10**14).map(lambda c: Decimal(c) / 100)
shares = st.integers(min_value=0, max_value=100).flatmap(
    lambda p: st.integers(min_value=0, max_value=100 - p).map(lambda v: (p / 100, (100 - p - v) / 100, v / 100))
)


@given(loss=cents, split=shares, cap=st.none() | cents)
def test_the_parts_sum_exactly_to_the_loss_and_the_pool_never_exceeds_the_cap(
    loss: Decimal, split: tuple[float, float, float], cap: Decimal | None
) -> None:
    pool_share, lender_share, valuer_share = split
    a = allocate(loss, pool_share, lender_share, valuer_share, cap)
    assert a.pool + a.lender + a.valuer == loss and a.loss == loss
    assert all(x == x.quantize(Decimal("0.01")) and x >= 0 for x in (a.pool, a.lender, a.valuer, a.capped_by))
    uncapped = allocate(loss, pool_share, lender_share, valuer_share, None)
    assert a.pool + a.capped_by == uncapped.pool and a.valuer == uncapped.valuer
    if cap is not None:
        assert a.pool <= cap and a.capped_by == max(Decimal(0), uncapped.pool - cap)


def application(**changes: Any) -> dict[str, Any]:
    data = {"code": "L1", "principal": "1000000", "annual_rate": "4.35", "term_months": "24",
            "payments_per_year": "4", "amortization": "等额本金", "pd_annual": "2", "guarantor": "担保公司",
            "guarantee_coverage": "80", "applied_on": "2024/6/3", "note": ""}  # fmt: skip
    return {**data, **changes}


TODAY = date(2024, 6, 20)


def test_an_application_is_read_in_percent_from_pages_and_as_fractions_from_the_api() -> None:
    values, errors = check_fields(application(), TODAY, percent=True)
    assert not errors
    assert (values["annual_rate"], values["pd_annual"], values["guarantee_coverage"]) == (0.0435, 0.02, 0.8)
    assert (values["amortization"], values["applied_on"], values["principal"]) == (
        "equal_principal", date(2024, 6, 3), Decimal("1000000.00"))  # fmt: skip
    values, errors = check_fields(
        application(annual_rate=0.0435, pd_annual="2%", guarantee_coverage=0.8, payments_per_year=""), TODAY
    )
    assert not errors and (values["annual_rate"], values["pd_annual"], values["payments_per_year"]) == (0.0435, 0.02, 4)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"code": ""}, "code"), ({"code": "x" * 33}, "code"), ({"code": "a\x07b"}, "code"),
        ({"principal": "0"}, "principal"), ({"principal": "-1"}, "principal"), ({"principal": "1.001"}, "principal"),
        ({"principal": "1e20"}, "principal"), ({"principal": "NaN"}, "principal"), ({"principal": True}, "principal"),
        ({"principal": float("inf")}, "principal"), ({"principal": "三百万"}, "principal"),
        ({"annual_rate": "100"}, "annual_rate"), ({"annual_rate": "-0.1"}, "annual_rate"),
        ({"annual_rate": "1e300"}, "annual_rate"), ({"pd_annual": "100"}, "pd_annual"),
        ({"guarantee_coverage": "101"}, "guarantee_coverage"), ({"term_months": "0"}, "term_months"),
        ({"term_months": "601"}, "term_months"), ({"term_months": "25"}, "term_months"),
        ({"term_months": "2.5"}, "term_months"), ({"payments_per_year": "3"}, "payments_per_year"),
        ({"amortization": "balloon"}, "amortization"), ({"applied_on": "2024-06-21"}, "applied_on"),
        ({"applied_on": "1984-12-31"}, "applied_on"), ({"applied_on": "2024-02-30"}, "applied_on"),
        ({"guarantor": ""}, "guarantor"), ({"note": "x" * 2001}, "note"),
    ],
)  # fmt: skip
def test_each_bad_field_of_an_application_is_named(changes: dict[str, Any], field: str) -> None:
    _, errors = check_fields(application(**changes), TODAY, percent=True)
    assert errors and errors[0].field == field, [e.message for e in errors]


def test_money_and_rates_refuse_what_a_ledger_cannot_keep() -> None:
    assert money_of("9999999999999.99", "principal") == Decimal("9999999999999.99")
    with pytest.raises(Invalid):
        money_of("10000000000000", "principal")
    assert money_of("0", "disposal_proceeds", allow_zero=True) == 0
    assert fraction_of("100%", "guarantee_coverage", below_one=False) == 1.0
    with pytest.raises(Invalid):
        fraction_of("100%", "pd_annual", below_one=True)


@given(start=st.dates(min_value=date(1990, 1, 1), max_value=date(2090, 12, 31)), months=st.integers(0, 600))
def test_adding_months_lands_in_the_right_month_on_the_same_day_or_its_end(start: date, months: int) -> None:
    end = add_months(start, months)
    assert (end.year * 12 + end.month) - (start.year * 12 + start.month) == months
    assert end.day == start.day or (end.day < start.day and (end + timedelta(days=1)).day == 1)
