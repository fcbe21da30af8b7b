"""Accountability outcomes (问责) and money returned or recovered (退缴 / 追回), in 元 as ``Decimal`` (pure).

Money is a ledger figure: exact 元 with at most two decimals (分), never negative, below :data:`MAX_YUAN`
(10¹² 元 = 1 万亿元: what a ``NUMERIC(14, 2)`` column holds, and orders of magnitude above any amount a city's
inspection ledger records — the seed's largest is 223.04万元). Input may be written as clerks write it: plain
(``2230400``), with thousands separators (``2,230,400.00``), in 万 or 亿 (``223.04万``, ``223.04万元``), with an
optional ``元`` or ``¥``; nothing else (no exponents, spaces inside the number or full-width digits).
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal

from zhengwu.core.errors import Invalid
from zhengwu.core.labels import LabelledEnum


class OutcomeFamily(LabelledEnum):
    ORGANISATIONAL = "organisational", "组织处理"
    DISCIPLINARY = "disciplinary", "纪律处分"


class Outcome(LabelledEnum):
    """What happened to a person held accountable; :data:`FAMILY` gives each outcome's family."""

    CONVERSATION = "conversation", "谈话提醒"
    CRITICISM = "criticism", "批评教育"
    SELF_EXAMINATION = "self_examination", "责令检查"
    ADMONISHMENT = "admonishment", "诫勉"
    SUSPENSION = "suspension", "停职检查"
    REASSIGNMENT = "reassignment", "调整职务"
    DEMOTION = "demotion", "降职"
    REMOVAL = "removal", "免职"
    SANCTION = "sanction", "党纪政务处分"


FAMILY: dict[Outcome, OutcomeFamily] = {
    o: OutcomeFamily.DISCIPLINARY if o is Outcome.SANCTION else OutcomeFamily.ORGANISATIONAL for o in Outcome
}


class MoneyKind(LabelledEnum):
    RETURNED = "returned", "退缴"
    RECOVERED = "recovered", "追回"


MAX_YUAN = Decimal(10) ** 12
CENT = Decimal("0.01")
WAN = Decimal(10_000)
_SHIFT = {"": 0, "万": 4, "亿": 8}  # powers of ten
_MAX_DIGITS = 24  # longer numbers are too large or too precise anyway; keeps Decimal arithmetic exact
_AMOUNT = re.compile(
    r"(?P<sign>-)?[¥￥]?(?P<number>[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?|[0-9]+(?:\.[0-9]+)?)(?P<unit>万|亿)?元?",
)


def parse_yuan(value: str | int | Decimal, *, field: str = "amount", label: str = "金额") -> Decimal:
    """An amount in 元 with two decimals, from a clerk's text or a number; bad input raises ``Invalid`` naming
    ``field`` (``label`` is its Chinese name in the message).

    >>> parse_yuan("223.04万"), parse_yuan("2230400"), parse_yuan("2,230,400.00"), parse_yuan("191.62万元")
    (Decimal('2230400.00'), Decimal('2230400.00'), Decimal('2230400.00'), Decimal('1916200.00'))
    >>> parse_yuan("12.345")
    Traceback (most recent call last):
    ...
    zhengwu.core.errors.Invalid: 金额最多保留两位小数（精确到分）。
    >>> parse_yuan("-5", label="退缴金额")
    Traceback (most recent call last):
    ...
    zhengwu.core.errors.Invalid: 退缴金额不能为负数。
    """
    if isinstance(value, bool):
        raise Invalid(f"{label}须为数字。", field=field)
    if isinstance(value, int):
        amount = Decimal(value)
    elif isinstance(value, Decimal):
        if not value.is_finite():
            raise Invalid(f"{label}须为有效数字。", field=field)
        amount = value
    else:
        text = value.strip()
        if not text:
            raise Invalid(f"请填写{label}。", field=field)
        match = _AMOUNT.fullmatch(text)
        if match is None:
            raise Invalid(f"{label}“{text[:20]}”格式不对，应写作 2230400、2,230,400.00 或 223.04万。", field=field)
        number, unit = match["number"].replace(",", ""), match["unit"] or ""
        if len(number.partition(".")[2]) > 2 + _SHIFT[unit]:
            raise Invalid(f"{label}最多保留两位小数（精确到分）。", field=field)
        if len(number) > _MAX_DIGITS:
            raise Invalid(f"{label}过大（须小于 1 万亿元），请核对单位。", field=field)
        amount = Decimal(number).scaleb(_SHIFT[unit])  # exact: a shift of the decimal point
        if match["sign"]:
            amount = -amount
    if amount < 0:
        raise Invalid(f"{label}不能为负数。", field=field)
    if amount != amount.quantize(CENT, rounding=ROUND_HALF_UP):
        raise Invalid(f"{label}最多保留两位小数（精确到分）。", field=field)
    if amount >= MAX_YUAN:
        raise Invalid(f"{label}过大（须小于 1 万亿元），请核对单位。", field=field)
    return amount.quantize(CENT) + 0  # + 0 turns -0.00 into 0.00


def format_wan(amount: Decimal) -> str:
    """元 shown in 万元 with two decimals, rounded half up (四舍五入), as reports write it.

    >>> format_wan(Decimal("2230400.00")), format_wan(Decimal("1916200")), format_wan(Decimal("50"))
    ('223.04万元', '191.62万元', '0.01万元')
    """
    return f"{(amount / WAN).quantize(CENT, rounding=ROUND_HALF_UP)}万元"


def format_yuan(amount: Decimal) -> str:
    """元 with thousands separators and two decimals.

    >>> format_yuan(Decimal("2230400"))
    '2,230,400.00元'
    """
    return f"{amount.quantize(CENT, rounding=ROUND_HALF_UP):,}元"
