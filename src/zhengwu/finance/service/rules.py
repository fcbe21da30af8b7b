"""The pledge-rate ceilings (质押率上限) and the risk-pool rules (风险补偿规则): reference data every holder of
``finance.view`` reads, kept by ``finance.rules.manage``. The loans' service reads the ceilings when a loan is
approved and a rule when a loan defaults.

Ceilings: one row per type (``all``, ``invention``, ``utility``, ``design``); ``all`` always stays (it is the
default of every type without a ceiling of its own), a type's own row may be removed. Rules: created, edited with
the version read, retired and restored, never deleted (loans and loss allocations refer to them). A rule that has
already shared a loss keeps its shares and cap, so that every stored allocation can be traced to the numbers it
was computed with; retire it and create a new rule instead. The values are checked by
:mod:`zhengwu.finance.model.rules`; the database's own checks are a second line.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from sqlalchemy import case, select
from sqlalchemy.orm import Session

from zhengwu.core.db import UnitOfWork
from zhengwu.core.errors import Conflict, Invalid, NotFound
from zhengwu.core.org.model import Principal
from zhengwu.core.org.service import expect_version, require
from zhengwu.finance.model import RULES_MANAGE, VIEW
from zhengwu.finance.model.rules import CeilingType, cap_of, ceiling_of, ceiling_type, shares_of
from zhengwu.finance.tables import LossAllocation, PledgeCeiling, RiskPoolRule

#: A rule's code: lower-case letters, digits, ``-`` and ``_`` (as the shipped ``hunan-2023``).
CODE = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")
RULE_LABELS = {"code": "规则代码", "name": "规则名称", "source": "依据（文件名、文号）", "note": "说明"}
LENGTHS = {"name": 200, "source": 300, "note": 300}


def ceilings(session: Session) -> dict[str, float]:
    """The ceilings by patent type (``all``, ``invention``, ``utility``, ``design``; only those set)."""
    return {row.patent_type: row.ceiling for row in session.scalars(select(PledgeCeiling))}


def active_rules(session: Session) -> list[RiskPoolRule]:
    """The risk-pool rules not retired, by code."""
    return list(
        session.scalars(select(RiskPoolRule).where(RiskPoolRule.retired.is_(False)).order_by(RiskPoolRule.code))
    )


def get_rule(session: Session, rule_id: int) -> RiskPoolRule:
    """The rule ``rule_id`` (retired or not), else ``NotFound``."""
    rule = session.get(RiskPoolRule, rule_id)
    if rule is None:
        raise NotFound("风险补偿规则不存在。")
    return rule


# ------------------------------------------------------------------------------------------------------- reads


def list_ceilings(session: Session, principal: Principal | None) -> list[PledgeCeiling]:
    """The ceilings set, ``all`` first, then invention, utility, design."""
    require(principal, VIEW)
    order = case({t.value: i for i, t in enumerate(CeilingType)}, value=PledgeCeiling.patent_type, else_=99)
    return list(session.scalars(select(PledgeCeiling).order_by(order)))


def list_rules(session: Session, principal: Principal | None) -> list[RiskPoolRule]:
    """Every rule, those in force first, then by code."""
    require(principal, VIEW)
    return list(session.scalars(select(RiskPoolRule).order_by(RiskPoolRule.retired, RiskPoolRule.code)))


def rule_in_use(session: Session, rule_id: int) -> bool:
    """Whether a loss has been shared by the rule (its numbers are then fixed)."""
    return session.scalar(select(LossAllocation.id).where(LossAllocation.rule_id == rule_id).limit(1)) is not None


# ---------------------------------------------------------------------------------------------------- ceilings


def _text(value: object, field: str, *, required: bool = False) -> str:
    label = RULE_LABELS[field]
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise Invalid(f"{label}应为文字。", field=field)
    text = value.strip()
    if required and not text:
        raise Invalid(f"请填写{label}。", field=field)
    if len(text) > LENGTHS[field]:
        raise Invalid(f"{label}不能超过 {LENGTHS[field]} 个字。", field=field)
    if any(not ch.isprintable() for ch in text):
        raise Invalid(f"{label}中含有不可见的控制字符，请删除后重新提交。", field=field)
    return text


def set_ceiling(
    uow: UnitOfWork,
    principal: Principal | None,
    patent_type: object,
    ceiling: object,
    *,
    note: object = "",
    version: int | None = None,
    percent: bool = False,
) -> PledgeCeiling:
    """Set the ceiling of ``all`` or of a patent type (``ceiling`` a fraction, or in % with ``percent``). Changing an
    existing row needs the version read; a type without a row gets one (then ``version`` must be empty)."""
    require(principal, RULES_MANAGE)
    kind = ceiling_type(patent_type)
    value = ceiling_of(ceiling, percent=percent)
    text = _text(note, "note")
    session = uow.session
    row = session.scalar(select(PledgeCeiling).where(PledgeCeiling.patent_type == kind.value))
    if row is None:
        if version is not None:
            raise Conflict(f"“{kind.label}”的质押率上限已被他人删除，您的修改未保存。请刷新页面后重新设置。")
        row = PledgeCeiling(patent_type=kind.value, ceiling=value, note=text)
        session.add(row)
    else:
        if version is None:
            raise Invalid(f"“{kind.label}”已设质押率上限，修改时须提供读取时的版本号。", field="version")
        expect_version(row, version)
        row.ceiling, row.note = value, text
    uow.flush()
    return row


def remove_ceiling(uow: UnitOfWork, principal: Principal | None, patent_type: object, *, version: int | None) -> str:
    """Remove a patent type's own ceiling (the type then takes the ``all`` ceiling), with the version read; ``all``
    itself is never removed. Returns the type's label."""
    require(principal, RULES_MANAGE)
    kind = ceiling_type(patent_type)
    if kind is CeilingType.ALL:
        raise Invalid("“全部类型”的质押率上限是各类型的默认值，不能删除，只能修改。", field="patent_type")
    row = uow.session.scalar(select(PledgeCeiling).where(PledgeCeiling.patent_type == kind.value))
    if row is None:
        raise NotFound(f"“{kind.label}”没有单独设置质押率上限。")
    expect_version(row, version)
    uow.session.delete(row)
    uow.flush()
    return kind.label


# ------------------------------------------------------------------------------------------------------- rules


def check_rule(data: Mapping[str, Any], *, percent: bool = False, wan: bool = False) -> dict[str, Any]:
    """A rule's name, shares, cap and source checked (shares as fractions, or in % with ``percent``; the cap in 元,
    or in 万元 with ``wan``, empty for none)."""
    name = _text(data.get("name"), "name", required=True)
    pool, lender, valuer = shares_of(
        data.get("pool_share"), data.get("lender_share"), data.get("valuer_share"), percent=percent
    )
    return {
        "name": name,
        "pool_share": pool,
        "lender_share": lender,
        "valuer_share": valuer,
        "per_firm_cap": cap_of(data.get("per_firm_cap"), wan=wan),
        "source": _text(data.get("source"), "source"),
    }


def add_rule(
    uow: UnitOfWork, principal: Principal | None, data: Mapping[str, Any], *, percent: bool = False, wan: bool = False
) -> RiskPoolRule:
    """A new rule in force; its ``code`` is unique and never changes."""
    require(principal, RULES_MANAGE)
    raw = data.get("code")
    code = raw.strip() if isinstance(raw, str) else ""
    if not CODE.fullmatch(code):
        raise Invalid("规则代码只能由小写英文字母、数字、“-”和“_”组成（1 到 64 个字符），如 hunan-2023。", field="code")
    values = check_rule(data, percent=percent, wan=wan)
    session = uow.session
    if session.scalar(select(RiskPoolRule.id).where(RiskPoolRule.code == code)) is not None:
        raise Invalid(f"规则代码“{code}”已存在。", field="code")
    rule = RiskPoolRule(code=code, retired=False, **values)
    session.add(rule)
    uow.flush()
    return rule


def update_rule(
    uow: UnitOfWork,
    principal: Principal | None,
    rule_id: int,
    data: Mapping[str, Any],
    *,
    version: int | None,
    retired: bool | None = None,
    percent: bool = False,
    wan: bool = False,
) -> RiskPoolRule:
    """Change a rule's name, shares, cap and source with the version read (its code stays), and retire or restore
    it with ``retired`` (None: unchanged). Once a loss has been shared by the rule, its shares and cap are fixed
    (``Conflict``); the name and source may still change."""
    require(principal, RULES_MANAGE)
    rule = get_rule(uow.session, rule_id)
    expect_version(rule, version)
    values = check_rule(data, percent=percent, wan=wan)
    numbers = ("pool_share", "lender_share", "valuer_share", "per_firm_cap")
    changed = [k for k in numbers if not _same(getattr(rule, k), values[k])]
    if changed and rule_in_use(uow.session, rule.id):
        raise Conflict(
            f"规则“{rule.name}”已用于分担违约损失，分担比例与单户上限不能再修改（已有的分担记录须能追溯）；"
            "请停用该规则并新建一条规则。"
        )
    for key, value in values.items():
        if key not in changed and key in numbers:
            continue  # keep the stored float when the page's % round-trip gives the same number
        setattr(rule, key, value)
    if retired is not None:
        rule.retired = retired
    uow.flush()
    return rule


def _same(stored: float | Decimal | None, new: float | Decimal | None) -> bool:
    if stored is None or new is None:
        return stored is None and new is None
    if isinstance(new, Decimal):
        return Decimal(stored) == new
    return abs(float(stored) - new) <= 1e-12


def set_retired(
    uow: UnitOfWork, principal: Principal | None, rule_id: int, *, retired: bool, version: int | None
) -> RiskPoolRule:
    """Retire a rule (new loans can no longer choose it; loans that have it keep it) or put it back in force."""
    require(principal, RULES_MANAGE)
    rule = get_rule(uow.session, rule_id)
    expect_version(rule, version)
    if rule.retired != retired:
        rule.retired = retired
        uow.flush()
    return rule
