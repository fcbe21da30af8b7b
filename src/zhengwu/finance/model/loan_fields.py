"""The fields of a pledge loan and of its steps as pure checks: each value read from a form, a JSON body or an import
file's cell, cleaned, or refused with a Chinese ``Invalid`` naming its field (the same message everywhere).

Money is ``Decimal`` in 元 (> 0, or ≥ 0 where zero makes sense, at most two decimals and 15 significant digits: what
a ``Numeric(16, 2)`` keeps exactly on every engine); rates are fractions, read in % when ``percent`` is set (the
pages) or when the text ends with ``%``; dates lie between 1985-04-01 (the Patent Law took effect) and today.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from zhengwu.core.errors import Invalid
from zhengwu.finance.model.loans import PAYMENTS_PER_YEAR, term_periods
from zhengwu.finance.model.plan import Amortization
from zhengwu.valuation.model.indicators import PatentType

CENT = Decimal("0.01")
MAX_YUAN = Decimal("9999999999999.99")
EARLIEST = date(1985, 4, 1)
MAX_TERM_MONTHS = 600

#: The application's fields in the order of the form and of the import's columns, with their Chinese labels.
LABELS: dict[str, str] = {
    "code": "贷款编号",
    "borrower_id": "借款企业",
    "principal": "贷款本金（元）",
    "annual_rate": "年利率",
    "term_months": "期限（月）",
    "payments_per_year": "每年还款次数",
    "amortization": "还款方式",
    "pd_annual": "年违约概率",
    "guarantor": "担保机构",
    "guarantee_coverage": "担保比例",
    "risk_pool_rule_id": "风险补偿规则",
    "applied_on": "申请日期",
    "note": "备注",
}
#: Labels of the other fields (pledged patents, steps).
OTHER_LABELS: dict[str, str] = {
    "patent_number": "专利号",
    "title": "专利名称",
    "patent_type": "专利类型",
    "appraised_value": "评估价值（元）",
    "assessment_id": "评估项目",
    "valuer": "评估机构",
    "valued_on": "评估基准日",
    "approved_on": "审批日期",
    "disbursed_on": "放款日期",
    "registration_no": "质押登记号",
    "registration_date": "质押登记日期",
    "closed_on": "日期",
    "exposure_at_default": "违约时风险敞口（元）",
    "disposed_on": "处置日期",
    "disposal_proceeds": "处置回收金额（元）",
    "reason": "理由",
}


def _label(field: str) -> str:
    return LABELS.get(field) or OTHER_LABELS.get(field, field)


def blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _decimal(value: object, field: str) -> Decimal:
    label = _label(field)
    if blank(value):
        raise Invalid(f"请填写{label}。", field=field)
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        raise Invalid(f"{label}须为数字。", field=field)
    if isinstance(value, float) and not math.isfinite(value):
        raise Invalid(f"{label}须为有限的数字。", field=field)
    text = repr(value) if isinstance(value, float) else str(value).strip().replace(",", "").replace("，", "")
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise Invalid(f"{label}须为数字，现为“{str(value)[:30]}”。", field=field) from None
    if not number.is_finite():
        raise Invalid(f"{label}须为有限的数字。", field=field)
    return number


def money_of(value: object, field: str, *, allow_zero: bool = False) -> Decimal:
    """An amount in 元: > 0 (≥ 0 with ``allow_zero``), at most two decimals and 9,999,999,999,999.99.

    >>> money_of("1,500,000", "principal"), money_of(0, "disposal_proceeds", allow_zero=True)
    (Decimal('1500000.00'), Decimal('0.00'))
    >>> money_of("12.345", "principal")
    Traceback (most recent call last):
    ...
    zhengwu.core.errors.Invalid: 贷款本金（元）至多保留两位小数（分），现为 12.345。
    """
    amount, label = _decimal(value, field), _label(field)
    if amount < 0 or (amount == 0 and not allow_zero):
        raise Invalid(f"{label}须{'不小于' if allow_zero else '大于'} 0，现为 {amount}。", field=field)
    if amount > MAX_YUAN:
        raise Invalid(f"{label}超出范围（至多 9,999,999,999,999.99 元）。", field=field)
    if amount != amount.quantize(CENT):
        raise Invalid(f"{label}至多保留两位小数（分），现为 {amount}。", field=field)
    return amount.quantize(CENT)


def fraction_of(value: object, field: str, *, below_one: bool, percent: bool = False) -> float:
    """A rate as a fraction in [0, 1) (``below_one``) or [0, 1]; read in % with ``percent`` or a trailing ``%``.

    >>> fraction_of("4.35", "annual_rate", below_one=True, percent=True)
    0.0435
    >>> fraction_of("80%", "guarantee_coverage", below_one=False)
    0.8
    >>> fraction_of(1, "pd_annual", below_one=True)
    Traceback (most recent call last):
    ...
    zhengwu.core.errors.Invalid: 年违约概率须不小于 0 且小于 100%，现为 1。
    """
    if isinstance(value, str) and value.strip().endswith("%"):
        value, percent = value.strip()[:-1], True
    number = _decimal(value, field)
    shown = f"{number}%" if percent else f"{number}"
    fraction = float(number / 100 if percent else number) if abs(number) < 10**6 else 2.0
    if not 0 <= fraction <= 1 or (below_one and fraction >= 1):
        bound = "小于 100%" if below_one else "不超过 100%"
        raise Invalid(f"{_label(field)}须不小于 0 且{bound}，现为 {shown}。", field=field)
    return fraction


def int_of(value: object, field: str) -> int:
    """A whole number (an integer, or text of digits).

    >>> int_of("24", "term_months")
    24
    >>> int_of(2.5, "term_months")
    Traceback (most recent call last):
    ...
    zhengwu.core.errors.Invalid: 期限（月）须为整数。
    """
    label = _label(field)
    if blank(value):
        raise Invalid(f"请填写{label}。", field=field)
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise Invalid(f"{label}须为整数。", field=field)
    try:
        number = int(str(value).strip())
    except ValueError:
        raise Invalid(f"{label}须为整数，现为“{str(value)[:20]}”。", field=field) from None
    return number


def date_of(value: object, field: str, today: date, label: str = "") -> date:
    """A date (``YYYY-MM-DD``, ``2024/6/20`` or a date) between 1985-04-01 and today.

    >>> date_of("2024/6/3", "applied_on", date(2024, 6, 20))
    datetime.date(2024, 6, 3)
    >>> date_of("2024-06-21", "applied_on", date(2024, 6, 20))
    Traceback (most recent call last):
    ...
    zhengwu.core.errors.Invalid: 申请日期 2024-06-21 晚于今天。
    """
    label = label or _label(field)
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, str):
        text = value.strip()
        if not text:
            raise Invalid(f"请填写{label}。", field=field)
        try:
            parts = [int(p) for p in text.replace("/", "-").replace(".", "-").split("-")]
            value = date(*parts) if len(parts) == 3 and len(text) <= 10 else None
        except (ValueError, TypeError):
            value = None
        if value is None:
            raise Invalid(f"{label}“{text[:20]}”无效，应为 YYYY-MM-DD。", field=field)
    if not isinstance(value, date):
        raise Invalid(f"请填写{label}（YYYY-MM-DD）。", field=field)
    if value < EARLIEST:
        raise Invalid(f"{label}不能早于 {EARLIEST}。", field=field)
    if value > today:
        raise Invalid(f"{label} {value} 晚于今天。", field=field)
    return value


def text_of(value: object, field: str, max_len: int, *, required: bool = True, label: str = "") -> str:
    """Stripped text: required if asked, at most ``max_len`` characters, no control characters (but in notes)."""
    label = label or _label(field)
    if value is None:
        value = ""
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        raise Invalid(f"{label}应为文字。", field=field)
    text = value.strip()
    if required and not text:
        raise Invalid(f"请填写{label}。", field=field)
    if len(text) > max_len:
        raise Invalid(f"{label}不能超过 {max_len} 个字。", field=field)
    allowed = "\n\r\t" if field in ("note", "reason") else ""
    if any(not ch.isprintable() and ch not in allowed for ch in text):
        raise Invalid(f"{label}中含有不可见的控制字符，请删除后重新提交。", field=field)
    return text


def amortization_of(value: object) -> str:
    """A repayment method by its code or Chinese label.

    >>> amortization_of("等额本息"), amortization_of("bullet")
    ('level', 'bullet')
    """
    text = value.strip() if isinstance(value, str) else ""
    for member in Amortization:
        if text in (member.value, member.label):
            return member.value
    choices = "、".join(f"{m.value}（{m.label}）" for m in Amortization)
    raise Invalid(f"还款方式“{text[:20]}”无效，可选：{choices}。", field="amortization")


def _checks(today: date, percent: bool) -> dict[str, Callable[[Any], Any]]:
    def rate(field: str, below_one: bool) -> Callable[[Any], float]:
        return lambda v: fraction_of(v, field, below_one=below_one, percent=percent)

    return {
        "code": lambda v: text_of(v, "code", 32),
        "principal": lambda v: money_of(v, "principal"),
        "annual_rate": rate("annual_rate", True),
        "term_months": lambda v: int_of(v, "term_months"),
        "payments_per_year": lambda v: 4 if blank(v) else int_of(v, "payments_per_year"),  # quarterly by default
        "amortization": amortization_of,
        "pd_annual": rate("pd_annual", True),
        "guarantor": lambda v: text_of(v, "guarantor", 200, required=False),
        "guarantee_coverage": lambda v: (
            0.0 if blank(v) else fraction_of(v, "guarantee_coverage", below_one=False, percent=percent)
        ),
        "applied_on": lambda v: date_of(v, "applied_on", today),
        "note": lambda v: text_of(v, "note", 2000, required=False),
    }


def check_fields(
    data: Mapping[str, Any], today: date, *, percent: bool = False
) -> tuple[dict[str, Any], list[Invalid]]:
    """The application's own fields checked (all but the borrower and the rule, which need the database): the
    cleaned values and one ``Invalid`` per bad field, in :data:`LABELS` order; then the checks across fields (the
    term a whole number of payment periods, a coverage only with a guarantor)."""
    values: dict[str, Any] = {}
    errors: list[Invalid] = []
    for key, check in _checks(today, percent).items():
        try:
            values[key] = check(data.get(key))
        except Invalid as exc:
            errors.append(exc)
    if errors:
        return values, errors
    per_year, months = values["payments_per_year"], values["term_months"]
    if per_year not in PAYMENTS_PER_YEAR:
        errors.append(Invalid(f"每年还款次数须为 1、2、4 或 12，现为 {per_year}。", field="payments_per_year"))
    elif not 0 < months <= MAX_TERM_MONTHS:
        errors.append(Invalid(f"期限须为 1 至 {MAX_TERM_MONTHS} 个月，现为 {months}。", field="term_months"))
    else:
        try:
            term_periods(months, per_year)
        except Invalid as exc:
            errors.append(exc)
    if values["guarantee_coverage"] > 0 and not values["guarantor"]:
        errors.append(Invalid("填写了担保比例，请同时填写担保机构名称。", field="guarantor"))
    return values, errors


def patent_type_of(value: object) -> str:
    """A patent type by its code or Chinese label (the patent types of the glossary).

    >>> patent_type_of("实用新型"), patent_type_of("invention")
    ('utility', 'invention')
    """
    text = value.strip() if isinstance(value, str) else ""
    for member in PatentType:
        if text in (member.value, member.label):
            return member.value
    choices = "、".join(f"{m.value}（{m.label}）" for m in PatentType)
    raise Invalid(f"专利类型“{text[:20]}”无效，可选：{choices}。", field="patent_type")


def check_patent(data: Mapping[str, Any], today: date) -> dict[str, Any]:
    """A pledged patent entered by hand: number, title, type, appraised value (元), the valuer's name and the
    valuation date; the first bad field raises.

    >>> row = {"patent_number": "ZL202010000001.1", "title": "一种掘进机", "patent_type": "发明",
    ...        "appraised_value": "3,000,000", "valuer": "湘评资产评估", "valued_on": "2024-05-10"}
    >>> check_patent(row, date(2024, 6, 20))["appraised_value"]
    Decimal('3000000.00')
    """
    return {
        "patent_number": text_of(data.get("patent_number"), "patent_number", 32),
        "title": text_of(data.get("title"), "title", 256),
        "patent_type": patent_type_of(data.get("patent_type")),
        "appraised_value": money_of(data.get("appraised_value"), "appraised_value"),
        "valuer": text_of(data.get("valuer"), "valuer", 200),
        "valued_on": date_of(data.get("valued_on"), "valued_on", today),
    }
