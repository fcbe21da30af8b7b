"""The plan contract (issue #7, "The plan and its waterfall"): pledge loans pooled in a special plan, tranches in
priority order, fees, a guarantor, a shortfall provider, recoveries and the default correlation, as frozen
dataclasses with their parser; and the deterministic default scenario.

Money is in any single unit (元 or 万元) as floats; rates are annual fractions (``0.085`` is 8.5 % a year); periods
are counted 1..``legal_final_period`` from the closing date, ``periods_per_year`` to a year. Every field of the JSON
is checked by :func:`parse_plan` / :func:`parse_scenario`; bad input raises ``Invalid`` with a Chinese message naming
the field as the contract writes it (``loans[2].pd_annual``, ``tranches[0].balance``, ``correlation``), so no NaN
or infinity reaches the engine.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from zhengwu.core.errors import Invalid
from zhengwu.core.labels import LabelledEnum
from zhengwu.finance.model.plan_fields import (
    MAX_PERIODS,
    as_number,
    check_range,
    check_unique,
    read_date,
    read_fraction,
    read_integer,
    read_list,
    read_nonnegative,
    read_object,
    read_period,
    read_positive,
    read_rate,
    read_text,
    reject_unknown,
)

PERIODS_PER_YEAR = (1, 2, 4, 12)
MAX_PD = math.nextafter(1.0, 0.0)  # the largest probability of default below 1 (used when scaling pds)
COVERS = ("senior_interest", "senior_principal")


class PlanStatus(LabelledEnum):
    """A stored plan's status: structured while ``draft``; ``issued`` plans no longer change."""

    DRAFT = "draft", "设计中"
    ISSUED = "issued", "已发行"


class Cover(LabelledEnum):
    """What the shortfall provider covers (:data:`COVERS`)."""

    SENIOR_INTEREST = "senior_interest", "优先级利息差额"
    SENIOR_PRINCIPAL = "senior_principal", "法定到期时优先级剩余本金"


class Amortization(LabelledEnum):
    BULLET = "bullet", "到期一次还本"
    LEVEL = "level", "等额本息"
    EQUAL_PRINCIPAL = "equal_principal", "等额本金"


@dataclass(frozen=True)
class Loan:
    """A pledge loan: ``principal`` lent at closing, ``annual_rate`` nominal (rate per period = annual ÷ periods
    per year), repaid over ``term_periods`` by ``amortization``; ``pd_annual`` its one-year default probability and
    ``pledged_value`` the appraised value of its pledged patents."""

    id: str
    borrower: str
    principal: float
    annual_rate: float
    term_periods: int
    amortization: Amortization
    pd_annual: float
    pledged_value: float


@dataclass(frozen=True)
class Tranche:
    """A security of the plan; ``coupon`` (annual) is None only for the last, residual subordinated tranche."""

    id: str
    name: str
    balance: float
    coupon: float | None


@dataclass(frozen=True)
class Guarantor:
    """Pays ``coverage`` × each defaulted claim, in total at most ``cap`` (None: no cap)."""

    name: str
    pd_annual: float
    coverage: float
    cap: float | None


@dataclass(frozen=True)
class ShortfallProvider:
    """The shortfall undertaking (差额支付承诺): ``covers`` ⊆ {"senior_interest", "senior_principal"} — the senior
    interest gap of every period, and the senior principal left at legal final."""

    name: str
    pd_annual: float
    covers: tuple[str, ...]


@dataclass(frozen=True)
class Recovery:
    """What the guarantor does not pay is recovered as min(unpaid claim, ``rate_of_pledged_value`` × pledged value)
    ``lag_periods`` after the default (at legal final at the latest)."""

    rate_of_pledged_value: float
    lag_periods: int


@dataclass(frozen=True)
class Plan:
    """A special plan. Change it with :func:`dataclasses.replace` or :meth:`with_loan_pd`."""

    closing_date: date
    periods_per_year: int
    legal_final_period: int
    loans: tuple[Loan, ...]
    tranches: tuple[Tranche, ...]
    fee_rate: float
    guarantor: Guarantor | None
    provider: ShortfallProvider | None
    recovery: Recovery
    correlation: float

    @property
    def pool_principal(self) -> float:
        return math.fsum(loan.principal for loan in self.loans)

    @property
    def never(self) -> int:
        """The sentinel period meaning "never defaults": legal final + 1 (any later period means the same)."""
        return self.legal_final_period + 1

    def with_loan_pd(self, change: float | Mapping[str, float]) -> Plan:
        """The plan with every loan's pd multiplied by ``change`` (capped just below 1), or, given a mapping of
        loan id to pd, those loans' pds replaced.

        >>> plan = parse_plan(EXAMPLE)
        >>> [loan.pd_annual for loan in plan.with_loan_pd(2).loans], plan.with_loan_pd({"L2": 0.5}).loans[1].pd_annual
        ([0.04, 0.08], 0.5)
        """
        if isinstance(change, Mapping):
            unknown = set(change) - {loan.id for loan in self.loans}
            if unknown:
                raise Invalid(f"未知的贷款编号：{'、'.join(sorted(unknown))}。", field="loans")
            for key, pd in change.items():
                field = f"loans.{key}.pd_annual"
                check_range(as_number(pd, field, "违约概率"), field, "违约概率", 1.0, True)
            loans = tuple(dataclasses.replace(x, pd_annual=float(change.get(x.id, x.pd_annual))) for x in self.loans)
        else:
            scale = as_number(change, "pd_scale", "违约概率倍数")
            if scale < 0:
                raise Invalid(f"违约概率倍数不能为负数，现为 {scale:g}。", field="pd_scale")
            loans = tuple(dataclasses.replace(x, pd_annual=min(x.pd_annual * scale, MAX_PD)) for x in self.loans)
        return dataclasses.replace(self, loans=loans)


@dataclass(frozen=True)
class Scenario:
    """A deterministic scenario: the period each listed loan defaults in, and the period from which the guarantor
    or the provider is in default (pays nothing from then on); None: never."""

    loan_defaults: dict[str, int]
    guarantor_default_period: int | None
    provider_default_period: int | None


# A small plan used by the doctests: two quarterly loans, a senior and a residual tranche.
EXAMPLE: dict[str, Any] = {
    "closing_date": "2024-01-15",
    "periods_per_year": 4,
    "legal_final_period": 8,
    "loans": [
        {"id": "L1", "borrower": "甲公司", "principal": 600, "annual_rate": 0.06, "term_periods": 8,
         "amortization": "bullet", "pd_annual": 0.02, "pledged_value": 2000},
        {"id": "L2", "borrower": "乙公司", "principal": 400, "annual_rate": 0.08, "term_periods": 4,
         "amortization": "level", "pd_annual": 0.04, "pledged_value": 1500},
    ],
    "tranches": [
        {"id": "A", "name": "优先级", "balance": 800, "coupon": 0.03},
        {"id": "B", "name": "次级", "balance": 200, "coupon": None},
    ],
    "fees": {"annual_rate_on_pool": 0.004},
    "guarantor": {"name": "担保公司", "pd_annual": 0.01, "coverage": 0.8, "cap": None},
    "shortfall_provider": {"name": "湘江集团", "pd_annual": 0.005, "covers": ["senior_interest", "senior_principal"]},
    "recovery": {"rate_of_pledged_value": 0.3, "lag_periods": 2},
    "correlation": 0.2,
}  # fmt: skip

_TOP = {"closing_date", "periods_per_year", "legal_final_period", "loans", "tranches", "fees", "guarantor",
        "shortfall_provider", "recovery", "correlation"}  # fmt: skip
_LOAN = {"id", "borrower", "principal", "annual_rate", "term_periods", "amortization", "pd_annual", "pledged_value"}


def parse_plan(data: Any) -> Plan:
    """The plan JSON of the contract as a :class:`Plan`, every field checked (see the module docstring).

    >>> plan = parse_plan(EXAMPLE)
    >>> plan.pool_principal, plan.tranches[1].coupon, plan.never
    (1000.0, None, 9)
    >>> parse_plan({**EXAMPLE, "correlation": 1})
    Traceback (most recent call last):
    ...
    zhengwu.core.errors.Invalid: 相关系数须在 [0, 1) 之间，现为 1。
    """
    top = read_object(data, "", "方案")
    reject_unknown(top, _TOP, "")
    closing = read_date(top.get("closing_date"))
    per_year = read_integer(top, "periods_per_year", "periods_per_year", "每年期数", 1)
    if per_year not in PERIODS_PER_YEAR:
        raise Invalid(f"每年期数须为 1、2、4 或 12，现为 {per_year}。", field="periods_per_year")
    final = read_integer(top, "legal_final_period", "legal_final_period", "法定到期期数", 1)
    if final > MAX_PERIODS:
        raise Invalid(f"法定到期期数最多 {MAX_PERIODS} 期，现为 {final}。", field="legal_final_period")
    loans = tuple(_loan(item, f"loans[{k}]", final) for k, item in enumerate(read_list(top, "loans", "贷款")))
    check_unique([loan.id for loan in loans], "loans", "贷款编号")
    tranches = _tranches(read_list(top, "tranches", "证券分层"))
    pool = math.fsum(loan.principal for loan in loans)
    total = math.fsum(t.balance for t in tranches)
    if total > pool * (1 + 1e-12):
        raise Invalid(f"各档证券本金合计 {total:g} 超过贷款池本金 {pool:g}（证券分层大于资产池）。", field="tranches")
    fees = read_object(top.get("fees"), "fees", "费用")
    reject_unknown(fees, {"annual_rate_on_pool"}, "fees.")
    fee_rate = read_rate(fees, "annual_rate_on_pool", "fees.annual_rate_on_pool", "费率")
    recovery = read_object(top.get("recovery"), "recovery", "回收")
    reject_unknown(recovery, {"rate_of_pledged_value", "lag_periods"}, "recovery.")
    rec = Recovery(
        read_fraction(recovery, "rate_of_pledged_value", "recovery.rate_of_pledged_value", "质押物回收率"),
        read_integer(recovery, "lag_periods", "recovery.lag_periods", "回收滞后期数", 0),
    )
    correlation = read_fraction(top, "correlation", "correlation", "相关系数", upper_open=True)
    guarantor, provider = _guarantor(top.get("guarantor")), _provider(top.get("shortfall_provider"))
    return Plan(closing, per_year, final, loans, tranches, fee_rate, guarantor, provider, rec, correlation)


def parse_scenario(data: Any, plan: Plan) -> Scenario:
    """The scenario JSON (``{"loan_defaults": {"L03": 3}, "guarantor_default_period": null,
    "provider_default_period": null}``) checked against ``plan``: known loan ids, periods 1..legal final.

    >>> parse_scenario({"loan_defaults": {"L2": 3}}, parse_plan(EXAMPLE))
    Scenario(loan_defaults={'L2': 3}, guarantor_default_period=None, provider_default_period=None)
    >>> parse_scenario({"loan_defaults": {"L2": 9}}, parse_plan(EXAMPLE))
    Traceback (most recent call last):
    ...
    zhengwu.core.errors.Invalid: 违约期须在第 1 至 8 期之间，现为 9。
    """
    top = read_object(data, "", "情景")
    reject_unknown(top, {"loan_defaults", "guarantor_default_period", "provider_default_period"}, "")
    raw = read_object(top.get("loan_defaults", {}), "loan_defaults", "贷款违约")
    ids = {loan.id for loan in plan.loans}
    defaults = {}
    for key, value in raw.items():
        field = f"loan_defaults.{key}"
        if key not in ids:
            raise Invalid(f"方案中没有编号为“{key}”的贷款。", field=field)
        defaults[key] = read_period(value, field, plan.legal_final_period)
    periods = [
        None if top.get(key) is None else read_period(top[key], key, plan.legal_final_period)
        for key in ("guarantor_default_period", "provider_default_period")
    ]
    return Scenario(defaults, periods[0], periods[1])


# ----------------------------------------------------------------------------------------------- parts


def _loan(item: Any, at: str, final: int) -> Loan:
    data = read_object(item, at, "贷款")
    reject_unknown(data, _LOAN, f"{at}.")
    term = read_integer(data, "term_periods", f"{at}.term_periods", "贷款期数", 1)
    if term > final:
        raise Invalid(f"贷款期数 {term} 期超过法定到期期数 {final} 期。", field=f"{at}.term_periods")
    kind = data.get("amortization")
    if not isinstance(kind, str) or kind not in Amortization.__members__.values():
        raise Invalid(f"未知的还款方式“{kind}”，可选：bullet、level、equal_principal。", field=f"{at}.amortization")
    return Loan(
        read_text(data, "id", f"{at}.id", "贷款编号"),
        read_text(data, "borrower", f"{at}.borrower", "借款人"),
        read_positive(data, "principal", f"{at}.principal", "贷款本金"),
        read_rate(data, "annual_rate", f"{at}.annual_rate", "贷款年利率"),
        term,
        Amortization(kind),
        read_fraction(data, "pd_annual", f"{at}.pd_annual", "违约概率", upper_open=True),
        read_nonnegative(data, "pledged_value", f"{at}.pledged_value", "质押物评估价值"),
    )


def _tranches(items: Sequence[Any]) -> tuple[Tranche, ...]:
    tranches = []
    for k, item in enumerate(items):
        at = f"tranches[{k}]"
        data = read_object(item, at, "证券")
        reject_unknown(data, {"id", "name", "balance", "coupon"}, f"{at}.")
        if "coupon" not in data:
            raise Invalid("请填写票面利率（次级档填 null）。", field=f"{at}.coupon")
        coupon = None if data["coupon"] is None else read_rate(data, "coupon", f"{at}.coupon", "票面利率")
        if coupon is None and k != len(items) - 1:
            raise Invalid("只有最后一档（次级）的票面利率可以为空。", field=f"{at}.coupon")
        tranches.append(
            Tranche(
                read_text(data, "id", f"{at}.id", "证券编号"),
                read_text(data, "name", f"{at}.name", "证券名称"),
                read_positive(data, "balance", f"{at}.balance", "证券本金"),
                coupon,
            )
        )
    check_unique([t.id for t in tranches], "tranches", "证券编号")
    return tuple(tranches)


def _guarantor(raw: Any) -> Guarantor | None:
    if raw is None:
        return None
    data = read_object(raw, "guarantor", "担保机构")
    reject_unknown(data, {"name", "pd_annual", "coverage", "cap"}, "guarantor.")
    cap = None if data.get("cap") is None else read_nonnegative(data, "cap", "guarantor.cap", "担保上限")
    return Guarantor(
        read_text(data, "name", "guarantor.name", "担保机构名称"),
        read_fraction(data, "pd_annual", "guarantor.pd_annual", "担保机构违约概率", upper_open=True),
        read_fraction(data, "coverage", "guarantor.coverage", "担保比例"),
        cap,
    )


def _provider(raw: Any) -> ShortfallProvider | None:
    if raw is None:
        return None
    data = read_object(raw, "shortfall_provider", "差额支付承诺人")
    reject_unknown(data, {"name", "pd_annual", "covers"}, "shortfall_provider.")
    covers = data.get("covers")
    if isinstance(covers, str) or not isinstance(covers, Sequence) or not all(c in COVERS for c in covers):
        raise Invalid(
            "差额支付范围须为列表，可含 senior_interest、senior_principal。", field="shortfall_provider.covers"
        )
    check_unique(list(covers), "shortfall_provider.covers", "差额支付范围")
    return ShortfallProvider(
        read_text(data, "name", "shortfall_provider.name", "差额支付承诺人名称"),
        read_fraction(data, "pd_annual", "shortfall_provider.pd_annual", "差额支付承诺人违约概率", upper_open=True),
        tuple(covers),
    )
