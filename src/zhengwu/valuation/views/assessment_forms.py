"""Forms of the assessment pages and the calculator turned into the contracts' JSON (and back, to fill a form from a
stored input), and the number formats of the pages.

Form fields are named as the contract names its fields (``income.amounts``, ``share_rate.value``,
``discount_rate.premia.market``, ``facts.claim_count``), so an error of the pure parser names the field of the form.
A text that is not a number is passed on as text: the parser then says, in Chinese, which field must be a number.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from starlette.datastructures import FormData

from zhengwu.valuation.model.income import PREMIA
from zhengwu.web.pages import form_str

FACT_INTS = ("claim_count", "family_countries", "forward_citations", "licences", "pledges")
FACT_TEXTS = ("patent_type", "filing_date", "as_of", "legal_status", "invalidation_history")
SHARE_FIELDS = {
    "explicit": ("value",),
    "score": ("industry", "score"),
    "sales_to_profit": ("sales_royalty", "profit_margin"),
    "equivalent_investment": ("patent_cost", "patent_profit_rate", "licensee_cost", "licensee_profit_rate"),
    "incremental_profit": ("incremental", "total"),
}
LISTS = ("incremental", "total")
COST_ROWS = 8
COST_NAMES = ("研制成本（设计、试验）", "材料费", "人工费", "专用设备折旧", "专利申请与维持费用", "管理及其他费用")


def number(text: str) -> Any:
    """A form's number: an int or float when it reads as one, else the text itself (the parser names the field).

    >>> number("0.25"), number("5"), number("1,000"), number("abc")
    (0.25, 5, 1000, 'abc')
    """
    cleaned = text.replace(",", "").replace("，", "").strip()
    try:
        return int(cleaned)
    except ValueError:
        pass
    try:
        return float(cleaned)
    except ValueError:
        return text


def numbers(text: str) -> list[Any]:
    """A list of numbers separated by spaces, new lines, commas or semicolons (Chinese ones too).

    >>> numbers("2000, 2200，2400\\n2500 2500")
    [2000, 2200, 2400, 2500, 2500]
    """
    return [number(part) for part in re.split(r"[\s,，;；、]+", text) if part]


def _put(target: dict[str, Any], key: str, form: FormData, name: str) -> None:
    text = form_str(form, name)
    if text:
        target[key] = number(text)


def facts_from_form(form: FormData) -> dict[str, Any]:
    """The patent's facts from the fields ``facts.<name>`` (empty: unknown)."""
    facts: dict[str, Any] = {}
    for key in FACT_TEXTS:
        if text := form_str(form, f"facts.{key}"):
            facts[key] = text
    for key in FACT_INTS:
        _put(facts, key, form, f"facts.{key}")
    facts["ownership_dispute"] = form_str(form, "facts.ownership_dispute") in ("1", "on", "true")
    return facts


def facts_values(facts: Mapping[str, Any]) -> dict[str, str]:
    """The form's values of stored facts."""
    values = {f"facts.{k}": str(v) for k, v in facts.items() if k != "ownership_dispute" and v is not None}
    if facts.get("ownership_dispute"):
        values["facts.ownership_dispute"] = "1"
    return values


def income_from_form(form: FormData, *, from_assessment: bool) -> dict[str, Any]:
    """The income request of the form. With ``from_assessment`` the ``score`` method takes the assessment's PVD
    (no ``score`` field) and its industry unless another is chosen."""
    basis = form_str(form, "income.basis")
    data: dict[str, Any] = {"income": {"basis": basis, "amounts": numbers(form_str(form, "income.amounts"))}}
    if basis != "incremental":
        method = form_str(form, "share_rate.method")
        share: dict[str, Any] = {"method": method}
        for key in SHARE_FIELDS.get(method, ()):
            name = f"share_rate.{key}"
            if key in LISTS:
                share[key] = numbers(form_str(form, name))
            elif key == "industry":
                if text := form_str(form, name):
                    share[key] = text
            elif not (from_assessment and key == "score"):
                _put(share, key, form, name)
        data["share_rate"] = share
    _put(data, "tax_rate", form, "tax_rate")
    if form_str(form, "discount_mode") == "buildup":
        premia: dict[str, Any] = {}
        for key in PREMIA:
            _put(premia, key, form, f"discount_rate.premia.{key}")
        build: dict[str, Any] = {"premia": premia}
        _put(build, "risk_free", form, "discount_rate.risk_free")
        data["discount_rate"] = build
    else:
        _put(data, "discount_rate", form, "discount_rate")
    _put(data, "years", form, "years")
    data["timing"] = form_str(form, "timing") or "end"
    _put(data, "share_rate_decay", form, "share_rate_decay")
    return data


def _text(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(_text(v) for v in value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if value is None else str(value)


def income_values(data: Mapping[str, Any] | None) -> dict[str, str]:
    """The form's values of a stored (or submitted) income request."""
    if not data:
        return {"income.basis": "revenue", "share_rate.method": "score", "timing": "end", "discount_mode": "given"}
    income = data.get("income") or {}
    values = {"income.basis": _text(income.get("basis")), "income.amounts": _text(income.get("amounts"))}
    share = data.get("share_rate") or {}
    for key, value in share.items():
        values[f"share_rate.{key}"] = _text(value)
    discount = data.get("discount_rate")
    if isinstance(discount, Mapping):
        values["discount_mode"] = "buildup"
        values["discount_rate.risk_free"] = _text(discount.get("risk_free"))
        for key, value in (discount.get("premia") or {}).items():
            values[f"discount_rate.premia.{key}"] = _text(value)
    else:
        values["discount_mode"] = "given"
        values["discount_rate"] = _text(discount)
    for key in ("tax_rate", "years", "timing", "share_rate_decay"):
        if key in data:
            values[key] = _text(data[key])
    return values


def cost_from_form(form: FormData) -> dict[str, Any]:
    """The cost request of the form: rows ``item_name_<k>``/``item_amount_<k>`` (blank rows skipped)."""
    items = []
    for k in range(COST_ROWS):
        name, amount = form_str(form, f"item_name_{k}"), form_str(form, f"item_amount_{k}")
        if name or amount:
            items.append({"name": name, "amount": number(amount) if amount else None})
    data: dict[str, Any] = {"items": items}
    _put(data, "price_index", form, "price_index")
    _put(data, "profit_rate", form, "profit_rate")
    if form_str(form, "obsolescence_mode") == "rate":
        _put(data, "obsolescence_rate", form, "obsolescence_rate")
    else:
        _put(data, "years_used", form, "years_used")
        _put(data, "remaining_life", form, "remaining_life")
    return data


def cost_values(data: Mapping[str, Any] | None) -> dict[str, str]:
    if not data:
        values = {f"item_name_{k}": name for k, name in enumerate(COST_NAMES)}
        return {**values, "price_index": "1", "profit_rate": "0", "obsolescence_mode": "years"}
    values = {}
    for k, item in enumerate(data.get("items") or []):
        if isinstance(item, Mapping):
            values[f"item_name_{k}"] = _text(item.get("name"))
            values[f"item_amount_{k}"] = _text(item.get("amount"))
    for key in ("price_index", "profit_rate", "years_used", "remaining_life", "obsolescence_rate"):
        if key in data:
            values[key] = _text(data[key])
    values["obsolescence_mode"] = "rate" if "obsolescence_rate" in data else "years"
    return values


def submitted(form: FormData) -> dict[str, str]:
    return {k: v for k, v in form.items() if isinstance(v, str)}


def field_of(field: str | None) -> str:
    """The form field an error names: ``income.amounts[2]`` → ``income.amounts``; ``items[1].amount`` →
    ``item_amount_1``.

    >>> field_of("income.amounts[2]"), field_of("items[1].amount"), field_of(None)
    ('income.amounts', 'item_amount_1', '')
    """
    if not field:
        return ""
    if found := re.fullmatch(r"items\[(\d+)\]\.(name|amount)", field):
        return f"item_{found.group(2)}_{found.group(1)}"
    return re.sub(r"\[\d+\].*$", "", field)


# ------------------------------------------------------------------------------------------------------ formats


def fmt_number(value: float | None, digits: int = 4) -> str:
    """A number with thousands separators and ``digits`` decimals; “—” for none.

    >>> fmt_number(1686113.987, 2), fmt_number(None)
    ('1,686,113.99', '—')
    """
    return "—" if value is None else f"{value:,.{digits}f}"


def fmt_money(value: float | None, unit: str) -> str:
    """万元 with 4 decimals (to the yuan), 元 with 2.

    >>> fmt_money(168.61139872, "万元"), fmt_money(1686113.987, "元")
    ('168.6114 万元', '1,686,113.99 元')
    """
    return "—" if value is None else f"{fmt_number(value, 4 if unit == '万元' else 2)} {unit}"


def fmt_percent(value: float | None, digits: int = 2) -> str:
    """A fraction as a percentage.

    >>> fmt_percent(0.0255), fmt_percent(0.095, 1)
    ('2.55%', '9.5%')
    """
    return "—" if value is None else f"{value * 100:.{digits}f}%"


FORMATS = {"money": fmt_money, "num": fmt_number, "pct": fmt_percent}
