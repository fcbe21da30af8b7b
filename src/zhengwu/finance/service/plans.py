"""Stored securitization plans (资产支持专项计划): their terms, their tranches, issuing and deleting them, and the
list of plans with their pools' figures. The pooled loans are :mod:`zhengwu.finance.service.plan_loans`; the plan
read back as the contract's JSON is :mod:`zhengwu.finance.service.plan_contract`.

A plan is kept by the plan manager's unit (``unit_id``): reading needs ``finance.view`` over it (``restrict`` /
``get_scoped``), writing ``finance.structure`` over it (``check_write``, inside the writing transaction) and the
version read (``expect_version``; a change of the tranches or the loans counts as an edit of the plan). An issued
plan no longer changes. Every row written is recorded in the audit log by the unit of work.

The terms are given in the shape of the contract's plan JSON (docs/finance.md) without ``loans`` and ``tranches``,
plus ``code``, ``name`` and ``note``; they are checked with the contract's own field readers
(:mod:`zhengwu.finance.model.plan_fields`), so a bad value gets the message and the field name (``guarantor.cap``,
``recovery.lag_periods``) that ``POST /api/finance/run`` gives. Rates are fractions (pages take them in % and
convert with :func:`from_percent`); money is ``Decimal`` in 元 with at most two decimals (:func:`money_of`).
"""

from __future__ import annotations

import math
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from zhengwu.core.db import UnitOfWork
from zhengwu.core.errors import Conflict, Invalid
from zhengwu.core.org.access import check_write
from zhengwu.core.org.model import Principal
from zhengwu.core.org.service import expect_version, require, touch
from zhengwu.core.org.tables import Unit
from zhengwu.finance.model import STRUCTURE
from zhengwu.finance.model.plan import COVERS, PERIODS_PER_YEAR, PlanStatus
from zhengwu.finance.model.plan_fields import (
    check_unique,
    read_date,
    read_fraction,
    read_integer,
    read_object,
    read_rate,
    reject_unknown,
)
from zhengwu.finance.model.seed_plan import seed_plan
from zhengwu.finance.service.plan_contract import get_plan, pooled_loans, term_periods, tranches_of
from zhengwu.finance.tables import Plan, PlanLoan, PlanTranche, PledgeLoan

CENT = Decimal("0.01")
#: Numeric(16, 2) on SQLite is a double, which keeps every 15-digit decimal exactly.
MAX_MONEY = Decimal("9999999999999.99")
CODE = re.compile(r"[A-Za-z][A-Za-z0-9_.\-]{0,63}")
MAX_TRANCHES = 20
TERMS = {"code", "name", "closing_date", "periods_per_year", "legal_final_period", "fees", "guarantor",
         "shortfall_provider", "recovery", "correlation", "note"}  # fmt: skip


# ------------------------------------------------------------------------------------------------- field checks


def money_of(value: object, field: str, label: str, *, zero: bool = False) -> Decimal:
    """An amount in 元: a number (or text, thousands separators allowed) with at most two decimals, above 0 (or at
    least 0 with ``zero``), at most :data:`MAX_MONEY`; a float is read by its shortest representation.

    >>> money_of("12,800,000", "tranches[0].balance", "证券本金"), money_of(0.1, "cap", "担保上限")
    (Decimal('12800000.00'), Decimal('0.10'))
    >>> money_of(-5, "tranches[1].balance", "证券本金")
    Traceback (most recent call last):
    ...
    zhengwu.core.errors.Invalid: 证券本金须大于 0，现为 -5。
    """
    if value is None or value == "":
        raise Invalid(f"请填写{label}（元）。", field=field)
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        raise Invalid(f"{label}须为数字（元）。", field=field)
    if isinstance(value, float) and not math.isfinite(value):
        raise Invalid(f"{label}须为有限的数字。", field=field)
    text = repr(value) if isinstance(value, float) else str(value)
    try:
        amount = Decimal(text.strip().replace(",", "").replace("，", ""))
    except InvalidOperation:
        raise Invalid(f"{label}须为数字（元），现为“{text[:30]}”。", field=field) from None
    if not amount.is_finite():
        raise Invalid(f"{label}须为有限的数字。", field=field)
    if amount < 0 or (amount == 0 and not zero):
        raise Invalid(f"{label}{'不能为负数' if zero else '须大于 0'}，现为 {amount}。", field=field)
    if amount > MAX_MONEY:
        raise Invalid(f"{label}超出范围（至多 9,999,999,999,999.99 元）。", field=field)
    if amount != amount.quantize(CENT):
        raise Invalid(f"{label}至多保留两位小数（分），现为 {amount}。", field=field)
    return amount.quantize(CENT)


def from_percent(text: str, field: str, label: str, *, upper_open: bool = False) -> float | None:
    """A rate typed on a page in % (``2.95``, ``2.95%``) as a fraction; None when left empty.

    >>> from_percent("2.95", "coupon", "票面利率"), from_percent("", "coupon", "票面利率")
    (0.0295, None)
    >>> from_percent("100", "pd", "违约概率", upper_open=True)
    Traceback (most recent call last):
    ...
    zhengwu.core.errors.Invalid: 违约概率须在 0% 到 100% 之间（不含 100%），现为 100%。
    """
    raw = text.strip().removesuffix("%").strip()
    if not raw:
        return None
    try:
        number = Decimal(raw.replace(",", ""))
    except InvalidOperation:
        raise Invalid(f"{label}须为数字（%），现为“{text[:20]}”。", field=field) from None
    if not number.is_finite() or number < 0 or number > 100 or (upper_open and number == 100):
        bound = "（不含 100%）" if upper_open else ""
        raise Invalid(f"{label}须在 0% 到 100% 之间{bound}，现为 {raw[:20]}%。", field=field)
    return float(number / 100)


def percent_text(value: float | None) -> str:
    """A fraction as the % a page shows and takes back, without float noise.

    >>> percent_text(0.0295), percent_text(0.3), percent_text(None)
    ('2.95', '30', '')
    """
    if value is None:
        return ""
    return format((Decimal(repr(value)) * 100).normalize(), "f")


def text_of(value: object, field: str, label: str, limit: int, *, required: bool = True) -> str:
    """Text, stripped: required if asked, at most ``limit`` characters, no control characters (line breaks are
    allowed in the note only)."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise Invalid(f"{label}须为文字。", field=field)
    value = value.strip()
    if required and not value:
        raise Invalid(f"请填写{label}。", field=field)
    if len(value) > limit:
        raise Invalid(f"{label}不能超过 {limit} 个字。", field=field)
    allowed = "\n\r\t" if field == "note" else ""
    if any(not ch.isprintable() and ch not in allowed for ch in value):
        raise Invalid(f"{label}中含有不可见的控制字符，请删除后重新提交。", field=field)
    return value


def _code(value: object) -> str:
    text = value.strip() if isinstance(value, str) else ""
    if not CODE.fullmatch(text):
        raise Invalid(
            "方案代码须以英文字母开头，由英文字母、数字和 _ . - 组成（至多 64 个字符），如 XZYR-2023-1。", field="code"
        )
    return text


def _guarantor(raw: Any) -> dict[str, Any]:
    if raw is None:
        return {"guarantor_name": None, "guarantor_pd": 0.0, "guarantor_coverage": 0.0, "guarantor_cap": None}
    data = read_object(raw, "guarantor", "担保机构")
    reject_unknown(data, {"name", "pd_annual", "coverage", "cap"}, "guarantor.")
    cap = data.get("cap")
    return {
        "guarantor_name": text_of(data.get("name"), "guarantor.name", "担保机构名称", 200),
        "guarantor_pd": read_fraction(data, "pd_annual", "guarantor.pd_annual", "担保机构违约概率", upper_open=True),
        "guarantor_coverage": read_fraction(data, "coverage", "guarantor.coverage", "担保比例"),
        "guarantor_cap": None if cap is None else money_of(cap, "guarantor.cap", "担保上限", zero=True),
    }


def _provider(raw: Any) -> dict[str, Any]:
    if raw is None:
        return {"provider_name": None, "provider_pd": 0.0, "provider_covers": ""}
    data = read_object(raw, "shortfall_provider", "差额支付承诺人")
    reject_unknown(data, {"name", "pd_annual", "covers"}, "shortfall_provider.")
    covers = data.get("covers")
    if not isinstance(covers, list) or not all(isinstance(c, str) and c in COVERS for c in covers):
        raise Invalid(
            "差额支付范围须为列表，可含 senior_interest、senior_principal。", field="shortfall_provider.covers"
        )
    check_unique(list(covers), "shortfall_provider.covers", "差额支付范围")
    return {
        "provider_name": text_of(data.get("name"), "shortfall_provider.name", "差额支付承诺人名称", 200),
        "provider_pd": read_fraction(
            data, "pd_annual", "shortfall_provider.pd_annual", "差额支付承诺人违约概率", upper_open=True
        ),
        "provider_covers": ",".join(c for c in COVERS if c in covers),
    }


def check_terms(data: Any, *, extra: frozenset[str] = frozenset()) -> dict[str, Any]:
    """The terms (see the module docstring) as the plan's column values; ``Invalid`` naming the first bad field.
    Keys in ``extra`` are allowed and left to the caller (``version``, ``unit_id``)."""
    top = read_object(data, "", "方案")
    reject_unknown(top, TERMS | extra, "")
    code = _code(top.get("code"))
    name = text_of(top.get("name"), "name", "方案名称", 200)
    closing = read_date(top.get("closing_date"))
    per_year = read_integer(top, "periods_per_year", "periods_per_year", "每年期数", 1)
    if per_year not in PERIODS_PER_YEAR:
        raise Invalid(f"每年期数须为 1、2、4 或 12，现为 {per_year}。", field="periods_per_year")
    final = read_integer(top, "legal_final_period", "legal_final_period", "法定到期期数", 1)
    fees = read_object(top.get("fees"), "fees", "费用")
    reject_unknown(fees, {"annual_rate_on_pool"}, "fees.")
    recovery = read_object(top.get("recovery"), "recovery", "回收")
    reject_unknown(recovery, {"rate_of_pledged_value", "lag_periods"}, "recovery.")
    return {
        "code": code,
        "name": name,
        "closing_date": closing,
        "periods_per_year": per_year,
        "legal_final_period": final,
        "fee_rate": read_rate(fees, "annual_rate_on_pool", "fees.annual_rate_on_pool", "费率"),
        **_guarantor(top.get("guarantor")),
        **_provider(top.get("shortfall_provider")),
        "recovery_rate": read_fraction(
            recovery, "rate_of_pledged_value", "recovery.rate_of_pledged_value", "质押物回收率"
        ),
        "recovery_lag": read_integer(recovery, "lag_periods", "recovery.lag_periods", "回收滞后期数", 0),
        "correlation": read_fraction(top, "correlation", "correlation", "相关系数", upper_open=True),
        "note": text_of(top.get("note"), "note", "备注", 2000, required=False),
    }


def terms_of(plan: Plan) -> dict[str, Any]:
    """A stored plan's terms in the shape :func:`check_terms` takes (money as text, to keep every digit)."""
    guarantor = None
    if plan.guarantor_name:
        cap = None if plan.guarantor_cap is None else str(plan.guarantor_cap)
        guarantor = {"name": plan.guarantor_name, "pd_annual": plan.guarantor_pd,
                     "coverage": plan.guarantor_coverage, "cap": cap}  # fmt: skip
    provider = None
    if plan.provider_name:
        covers = [c for c in plan.provider_covers.split(",") if c]
        provider = {"name": plan.provider_name, "pd_annual": plan.provider_pd, "covers": covers}
    return {
        "code": plan.code,
        "name": plan.name,
        "closing_date": plan.closing_date.isoformat(),
        "periods_per_year": plan.periods_per_year,
        "legal_final_period": plan.legal_final_period,
        "fees": {"annual_rate_on_pool": plan.fee_rate},
        "guarantor": guarantor,
        "shortfall_provider": provider,
        "recovery": {"rate_of_pledged_value": plan.recovery_rate, "lag_periods": plan.recovery_lag},
        "correlation": plan.correlation,
        "note": plan.note,
    }


def seed_terms() -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The terms of the Changsha seed plan (:func:`~zhengwu.finance.model.seed_plan.seed_plan`), to prefill a new
    plan with ("新建（长沙样例条款）"), and its tranches.

    >>> terms, tranches = seed_terms()
    >>> terms["periods_per_year"], terms["legal_final_period"], [t["code"] for t in tranches]
    (4, 8, ['A', 'B'])
    """
    plan = seed_plan()
    terms = {key: plan[key] for key in TERMS if key in plan}
    terms.update(code="XZYR-2023", name="兴证圆融-湖南湘江新区知识产权资产支持专项计划（样例）", note="")
    tranches = [{"code": t["id"], "name": t["name"], "balance": t["balance"], "coupon": t["coupon"]}
                for t in plan["tranches"]]  # fmt: skip
    return terms, tranches


def check_tranches(items: Any) -> list[dict[str, Any]]:
    """The tranches in priority order (``code``, ``name``, ``balance`` 元, ``coupon`` a fraction or None only for
    the last), checked as the contract checks them; ``Invalid`` naming ``tranches[k].balance`` etc."""
    if not isinstance(items, list) or not items:
        raise Invalid("证券分层须为非空列表。", field="tranches")
    if len(items) > MAX_TRANCHES:
        raise Invalid(f"证券分层最多 {MAX_TRANCHES} 档，现为 {len(items)} 档。", field="tranches")
    out: list[dict[str, Any]] = []
    for k, item in enumerate(items):
        at = f"tranches[{k}]"
        data = read_object(item, at, "证券")
        reject_unknown(data, {"code", "name", "balance", "coupon"}, f"{at}.")
        code = text_of(data.get("code"), f"{at}.code", "证券编号", 16)
        name = text_of(data.get("name"), f"{at}.name", "证券名称", 100)
        balance = money_of(data.get("balance"), f"{at}.balance", "证券本金")
        if "coupon" not in data:
            raise Invalid("请填写票面利率（次级档填 null）。", field=f"{at}.coupon")
        coupon = None if data["coupon"] is None else read_rate(data, "coupon", f"{at}.coupon", "票面利率")
        if coupon is None and k != len(items) - 1:
            raise Invalid("只有最后一档（次级）的票面利率可以为空。", field=f"{at}.coupon")
        out.append({"code": code, "name": name, "balance": balance, "coupon": coupon})
    check_unique([t["code"] for t in out], "tranches", "证券编号")
    return out


def loan_term(loan: PledgeLoan, periods_per_year: int, final: int, field: str) -> int:
    """The loan's term in the plan's periods; ``Invalid`` naming ``field`` and the loan when it is not whole
    periods or lasts past the legal final period."""
    try:
        periods = term_periods(loan, periods_per_year)
    except Invalid as exc:
        raise Invalid(exc.message, field=field) from None
    if periods > final:
        raise Invalid(f"贷款 {loan.code} 的期限 {periods} 期超过法定到期期数 {final} 期，不能入池。", field=field)
    return periods


def check_pool_terms(session: Session, plan: Plan, periods_per_year: int, final: int) -> None:
    """Every loan pooled in ``plan`` still fits periods of ``periods_per_year`` and the legal final period
    ``final`` (when a plan's terms change); ``Invalid`` naming the term that no longer fits."""
    for loan, _, _ in pooled_loans(session, plan):
        field = "periods_per_year" if (loan.term_months * periods_per_year) % 12 else "legal_final_period"
        loan_term(loan, periods_per_year, final, field)


# ------------------------------------------------------------------------------------------------------ writes


def plan_unit(session: Session, principal: Principal, unit_id: object) -> int:
    """The unit a new plan is kept by: ``unit_id``, or the writer's own unit; it must exist and be active."""
    chosen = principal.unit_id if unit_id is None else unit_id
    ok = isinstance(chosen, int) and not isinstance(chosen, bool) and 0 < chosen <= 2_147_483_647
    unit = session.get(Unit, chosen) if ok else None
    if unit is None or not unit.active:
        raise Invalid("方案管理单位不存在或已停用，请指定单位。", field="unit_id")
    return unit.id


def _code_free(session: Session, unit_id: int, code: str, plan_id: int | None = None) -> None:
    stmt = select(Plan.id).where(Plan.unit_id == unit_id, Plan.code == code)
    if plan_id is not None:
        stmt = stmt.where(Plan.id != plan_id)
    if session.scalar(stmt) is not None:
        raise Invalid(f"本单位已有代码为“{code}”的方案。", field="code")


def create_plan(uow: UnitOfWork, principal: Principal | None, terms: Any, *, unit_id: object = None) -> Plan:
    """A new draft plan with ``terms`` (see :func:`check_terms`), kept by ``unit_id`` (default: the writer's unit),
    which must lie in the writer's ``finance.structure`` scope; its code is unique in the unit."""
    who = require(principal, STRUCTURE)
    session = uow.session
    values = check_terms(terms)
    now = uow.clock.now()
    plan = Plan(unit_id=plan_unit(session, who, unit_id), status=PlanStatus.DRAFT.value,
                created_by_id=who.user_id or None, created_at=now, updated_at=now, **values)  # fmt: skip
    check_write(session, who, STRUCTURE, plan)
    _code_free(session, plan.unit_id, plan.code)
    session.add(plan)
    uow.flush()
    return plan


def writable_plan(uow: UnitOfWork, principal: Principal | None, plan_id: int, version: int | None) -> Plan:
    """The draft plan ``plan_id`` for a write: seen with ``finance.view`` (else NotFound), written with
    ``finance.structure`` over its unit (else Forbidden), at the version read (else Conflict), not yet issued."""
    who = require(principal, STRUCTURE)
    plan = get_plan(uow.session, who, plan_id)
    check_write(uow.session, who, STRUCTURE, plan)
    expect_version(plan, version)
    if plan.status == PlanStatus.ISSUED:
        raise Conflict(f"方案 {plan.code} 已发行，不能再修改或删除。")
    return plan


def changed(uow: UnitOfWork, plan: Plan) -> None:
    """Count a change of the plan's tranches or loans as an edit of the plan (its version moves on)."""
    touch(plan)
    plan.updated_at = uow.clock.now()
    uow.flush()


def update_plan(uow: UnitOfWork, principal: Principal | None, plan_id: int, terms: Any, *, version: int | None) -> Plan:
    """Change a draft plan's terms with the version read. A change of the periods or of the legal final period is
    checked against the pooled loans (each must still last whole periods, at most the legal final period)."""
    plan = writable_plan(uow, principal, plan_id, version)
    values = check_terms(terms, extra=frozenset({"version"}))
    _code_free(uow.session, plan.unit_id, values["code"], plan.id)
    check_pool_terms(uow.session, plan, values["periods_per_year"], values["legal_final_period"])
    for key, value in values.items():
        setattr(plan, key, value)
    plan.updated_at = uow.clock.now()
    check_write(uow.session, principal, STRUCTURE, plan)
    uow.flush()
    return plan


def set_tranches(
    uow: UnitOfWork, principal: Principal | None, plan_id: int, tranches: Any, *, version: int | None
) -> Plan:
    """Replace a draft plan's tranches by ``tranches`` in priority order (:func:`check_tranches`). Their total may
    exceed the pool for now (a page warns of it); the engine refuses such a plan when it is run or issued."""
    plan = writable_plan(uow, principal, plan_id, version)
    rows = check_tranches(tranches)
    session = uow.session
    for old in tranches_of(session, plan):
        session.delete(old)
    uow.flush()
    session.add_all(PlanTranche(plan_id=plan.id, seq=seq, **row) for seq, row in enumerate(rows, start=1))
    changed(uow, plan)
    return plan


def delete_plan(uow: UnitOfWork, principal: Principal | None, plan_id: int, *, version: int | None) -> str:
    """Delete a draft plan with its tranches and loan links (the loans stay); returns its code."""
    plan = writable_plan(uow, principal, plan_id, version)
    session = uow.session
    for row in [*tranches_of(session, plan), *session.scalars(select(PlanLoan).where(PlanLoan.plan_id == plan.id))]:
        session.delete(row)
    uow.flush()
    session.delete(plan)
    uow.flush()
    return plan.code
