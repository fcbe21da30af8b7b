"""The reference rules of pledge financing as pure checks: pledge-rate ceilings (质押率上限) and risk-pool rules
(风险补偿规则).

- A **ceiling** is the highest pledge rate (loan ÷ appraised value) for a patent type, or for every type (``all``):
  a fraction in (0, 1]. A loan's ceiling is the appraised-value-weighted mean of its patents' ceilings (the type's
  ceiling if set, else ``all``).
- A **rule** shares the loss of a defaulted loan between the compensation pool, the bank and guarantor, and the
  valuer: three fractions in [0, 1] summing to 1 (within 1e-9); the pool pays at most ``per_firm_cap`` 元 for one
  firm (empty: no cap), and what the cap cuts is borne by the bank and guarantor
  (:func:`zhengwu.finance.model.risk_pool.allocate`).

Each check raises ``Invalid`` with a Chinese message naming its field. Pages take rates in % (``percent=True``) and
the cap in 万元 (``wan=True``); the API takes fractions and 元.
"""

from __future__ import annotations

import math
from decimal import Decimal, InvalidOperation

from zhengwu.core.errors import Invalid
from zhengwu.core.labels import LabelledEnum

#: Shares must sum to 1 within this tolerance.
SUM_TOLERANCE = 1e-9
#: The largest amount a ``Numeric(16, 2)`` column keeps exactly on every engine (15 significant digits).
MAX_YUAN = Decimal("9999999999999.99")
CENT = Decimal("0.01")
WAN = Decimal(10_000)
LABELS = {
    "ceiling": "质押率上限",
    "pool_share": "风险补偿资金池分担比例",
    "lender_share": "银行与担保机构分担比例",
    "valuer_share": "评估机构分担比例",
    "per_firm_cap": "单户补偿上限",
}
SHARES = ("pool_share", "lender_share", "valuer_share")


class CeilingType(LabelledEnum):
    """What a ceiling applies to: every patent type, or one type (the patent types of the glossary)."""

    ALL = "all", "全部类型（默认）"
    INVENTION = "invention", "发明"
    UTILITY = "utility", "实用新型"
    DESIGN = "design", "外观设计"


def ceiling_type(value: object, field: str = "patent_type") -> CeilingType:
    """The ceiling type named by its code or its Chinese label.

    >>> ceiling_type("发明"), ceiling_type(" design ")
    (<CeilingType.INVENTION: 'invention'>, <CeilingType.DESIGN: 'design'>)
    >>> ceiling_type("plant")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    zhengwu.core.errors.Invalid: 专利类型“plant”无效，可选：all（全部类型（默认））、invention（发明）、...
    """
    text = value.strip() if isinstance(value, str) else ""
    for member in CeilingType:
        if text in (member.value, member.label, member.label.removesuffix("（默认）")):
            return member
    choices = "、".join(f"{m.value}（{m.label}）" for m in CeilingType)
    raise Invalid(f"专利类型“{text[:20]}”无效，可选：{choices}。", field=field)


def _number(value: object, field: str) -> Decimal:
    label = LABELS.get(field, field)
    if value is None or (isinstance(value, str) and not value.strip()):
        raise Invalid(f"请填写{label}。", field=field)
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        raise Invalid(f"{label}须为数字。", field=field)
    if isinstance(value, float) and not math.isfinite(value):
        raise Invalid(f"{label}须为有限的数字。", field=field)
    text = repr(value) if isinstance(value, float) else str(value).strip().replace(",", "").replace("，", "")
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise Invalid(f"{label}须为数字，现为“{str(value)[:20]}”。", field=field) from None
    if not number.is_finite():
        raise Invalid(f"{label}须为有限的数字。", field=field)
    return number


def _fraction(value: object, field: str, percent: bool) -> tuple[float, str]:
    """The value as a fraction (read in % with ``percent`` or a trailing ``%``) and how the user wrote it."""
    if isinstance(value, str) and value.strip().endswith("%"):
        value, percent = value.strip()[:-1], True
    number = _number(value, field)
    shown = f"{number}%" if percent else f"{number}"
    if abs(number) > 10**6:
        return math.inf, shown
    return float(number / 100 if percent else number), shown


def ceiling_of(value: object, field: str = "ceiling", *, percent: bool = False) -> float:
    """A pledge-rate ceiling as a fraction in (0, 1].

    >>> ceiling_of(0.3), ceiling_of("30", percent=True), ceiling_of("25%")
    (0.3, 0.3, 0.25)
    >>> ceiling_of(0)
    Traceback (most recent call last):
    ...
    zhengwu.core.errors.Invalid: 质押率上限须大于 0 且不超过 100%，现为 0。
    """
    fraction, shown = _fraction(value, field, percent)
    if not 0 < fraction <= 1:
        raise Invalid(f"质押率上限须大于 0 且不超过 100%，现为 {shown}。", field=field)
    return fraction


def share_of(value: object, field: str, *, percent: bool = False) -> float:
    """One loss share as a fraction in [0, 1].

    >>> share_of("45", "pool_share", percent=True), share_of(0.1, "valuer_share")
    (0.45, 0.1)
    >>> share_of(-0.1, "lender_share")
    Traceback (most recent call last):
    ...
    zhengwu.core.errors.Invalid: 银行与担保机构分担比例须在 0% 到 100% 之间，现为 -0.1。
    """
    fraction, shown = _fraction(value, field, percent)
    if not 0 <= fraction <= 1:
        raise Invalid(f"{LABELS.get(field, field)}须在 0% 到 100% 之间，现为 {shown}。", field=field)
    return fraction


def shares_of(pool: object, lender: object, valuer: object, *, percent: bool = False) -> tuple[float, float, float]:
    """The three loss shares (pool, bank and guarantor, valuer), each in [0, 1] and together 1 within 1e-9; a sum
    off by more names ``pool_share``.

    >>> shares_of("45", "45", "10", percent=True)
    (0.45, 0.45, 0.1)
    >>> shares_of(0.5, 0.45, 0.1)
    Traceback (most recent call last):
    ...
    zhengwu.core.errors.Invalid: 三方分担比例之和须为 100%，现为 105%（资金池 50%、银行与担保机构 45%、评估机构 10%）。
    """
    values = tuple(share_of(v, f, percent=percent) for v, f in zip((pool, lender, valuer), SHARES, strict=True))
    p, lend, val = values
    total = math.fsum(values)
    if abs(total - 1) > SUM_TOLERANCE:
        raise Invalid(
            f"三方分担比例之和须为 100%，现为 {pct(total)}"
            f"（资金池 {pct(p)}、银行与担保机构 {pct(lend)}、评估机构 {pct(val)}）。",
            field="pool_share",
        )
    return p, lend, val


def pct(fraction: float) -> str:
    """A fraction shown in % with at most 6 significant decimals.

    >>> pct(0.45), pct(0.1 + 0.2), pct(1)
    ('45%', '30%', '100%')
    """
    return f"{round(fraction * 100, 6):g}%"


def cap_of(value: object, field: str = "per_firm_cap", *, wan: bool = False) -> Decimal | None:
    """The per-firm cap in 元 (a ``Decimal`` with two decimals, ≥ 0), or None when left empty (no cap). With
    ``wan`` the value is read in 万元 (at most 6 decimals, so the 元 amount keeps at most two).

    >>> cap_of("5,000,000"), cap_of("500", wan=True), cap_of(""), cap_of(None)
    (Decimal('5000000.00'), Decimal('5000000.00'), None, None)
    >>> cap_of("0.123", wan=False)
    Traceback (most recent call last):
    ...
    zhengwu.core.errors.Invalid: 单户补偿上限至多保留两位小数（分），现为 0.123 元。
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    number = _number(value, field)
    unit = "万元" if wan else "元"
    if number < 0:
        raise Invalid(f"单户补偿上限不能为负数，现为 {number} {unit}；不设上限请留空。", field=field)
    yuan = number * WAN if wan else number
    if yuan > MAX_YUAN:
        raise Invalid("单户补偿上限超出范围（至多 9,999,999,999,999.99 元）。", field=field)
    if yuan != yuan.quantize(CENT):
        raise Invalid(f"单户补偿上限至多保留两位小数（分），现为 {yuan} 元。", field=field)
    return yuan.quantize(CENT)
