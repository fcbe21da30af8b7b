"""Comparable deals (可比交易) for the market approach: patent transfers and licences with their price in 元, kept in
a table that the patent library of a later issue will feed.

Deals are shared reference data: every holder of ``valuation.view`` reads all of them (reading is not limited by
unit); a deal is written by ``valuation.deal.manage`` over the unit that recorded it (``check_write``), with the
version read. Prices are ``Decimal`` in 元 with at most two decimals, never floats; ``pvd`` is the deal's patent value
degree (0–100) when it was scored, or unknown. Every field is checked by :func:`check_fields`, which the file import
(:mod:`zhengwu.valuation.service.deal_imports`) shares, so a bad value gets the same Chinese message everywhere.

The assessment pages pick comparables with :func:`list_deals` and :func:`deals_by_ids`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session

from zhengwu.core.db import UnitOfWork
from zhengwu.core.errors import Invalid, NotFound
from zhengwu.core.labels import LabelledEnum
from zhengwu.core.org.access import check_write
from zhengwu.core.org.model import Principal
from zhengwu.core.org.service import expect_version, require
from zhengwu.core.org.tables import Unit
from zhengwu.valuation.model import DEAL_MANAGE, VIEW
from zhengwu.valuation.model.indicators import PatentType
from zhengwu.valuation.tables import ComparableDeal, ValuationIndustry

LOCAL_TZ = ZoneInfo("Asia/Shanghai")
#: At most 15 significant digits: the column is Numeric(16, 2), and SQLite keeps a NUMERIC as a double, which holds
#: every 15-digit decimal exactly (99,999,999,999,999.99 would come back as …99.98).
MAX_PRICE = Decimal("9999999999999.99")
CENT = Decimal("0.01")
#: The Patent Law of the PRC took effect on 1985-04-01: no patent deal is older.
EARLIEST = date(1985, 4, 1)
MAX_LIMIT = 1000


class DealType(LabelledEnum):
    TRANSFER = "transfer", "转让"
    LICENCE = "licence", "许可"


#: The fields of a deal in the order of the form and of the import file's columns, with their Chinese labels.
LABELS: dict[str, str] = {
    "patent_number": "专利号",
    "title": "专利名称",
    "patent_type": "专利类型",
    "industry_code": "行业代码",
    "ipc": "IPC 分类号",
    "deal_type": "交易类型",
    "deal_date": "交易日期",
    "price": "成交价（元）",
    "pvd": "专利价值度",
    "source": "来源",
    "note": "备注",
}


# ------------------------------------------------------------------------------------------------- field checks


def price_of(value: object, field: str = "price") -> Decimal:
    """A price in 元: a positive number with at most two decimals, at most :data:`MAX_PRICE`. Text may carry
    thousands separators; a float is read by its shortest representation (``0.1`` is 0.10, not 0.1000000000000000055).

    >>> price_of("1,250,000.5"), price_of(300000), price_of(12.3)
    (Decimal('1250000.50'), Decimal('300000.00'), Decimal('12.30'))
    >>> price_of("12.345")
    Traceback (most recent call last):
    ...
    zhengwu.core.errors.Invalid: 成交价至多保留两位小数（分），现为 12.345。
    """
    if value is None or value == "":
        raise Invalid("请填写成交价（元）。", field=field)
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        raise Invalid("成交价须为数字（元）。", field=field)
    if isinstance(value, float) and not math.isfinite(value):
        raise Invalid("成交价须为有限的数字。", field=field)
    text = repr(value) if isinstance(value, float) else str(value)
    try:
        amount = Decimal(text.strip().replace(",", "").replace("，", ""))
    except InvalidOperation:
        raise Invalid(f"成交价须为数字（元），现为“{text[:30]}”。", field=field) from None
    if not amount.is_finite():
        raise Invalid("成交价须为有限的数字。", field=field)
    if amount <= 0:
        raise Invalid(f"成交价须大于 0，现为 {amount}。", field=field)
    if amount > MAX_PRICE:
        raise Invalid("成交价超出范围（至多 9,999,999,999,999.99 元）。", field=field)
    if amount != amount.quantize(CENT):
        raise Invalid(f"成交价至多保留两位小数（分），现为 {amount}。", field=field)
    return amount.quantize(CENT)


def pvd_of(value: object, field: str = "pvd") -> float | None:
    """The value degree 0–100, or None when left empty.

    >>> pvd_of(""), pvd_of("72.5"), pvd_of(80)
    (None, 72.5, 80.0)
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        raise Invalid("专利价值度须为 0 到 100 之间的数，或留空。", field=field)
    try:
        number = float(value)
    except ValueError:
        raise Invalid(f"专利价值度须为 0 到 100 之间的数，现为“{str(value)[:30]}”。", field=field) from None
    if not math.isfinite(number) or not 0 <= number <= 100:
        raise Invalid(f"专利价值度须为 0 到 100 之间的数，现为 {value}。", field=field)
    return number


def date_of(value: object, today: date, field: str = "deal_date") -> date:
    """A deal date (``YYYY-MM-DD`` text, ``2024/6/20``, or a date), between 1985-04-01 and today.

    >>> date_of("2023/5/8", date(2024, 6, 20))
    datetime.date(2023, 5, 8)
    """
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, str):
        text = value.strip()
        if not text:
            raise Invalid("请填写交易日期。", field=field)
        try:
            parts = [int(p) for p in text.replace("/", "-").replace(".", "-").split("-")]
            value = date(*parts) if len(parts) == 3 and len(text) <= 10 else None
        except (ValueError, TypeError):
            value = None
        if value is None:
            raise Invalid(f"交易日期“{text[:20]}”无效，应为 YYYY-MM-DD。", field=field)
    if not isinstance(value, date):
        raise Invalid("请填写交易日期（YYYY-MM-DD）。", field=field)
    if value < EARLIEST:
        raise Invalid(f"交易日期不能早于 {EARLIEST}（专利法施行之日）。", field=field)
    if value > today:
        raise Invalid(f"交易日期 {value} 晚于今天，可比交易须是已发生的交易。", field=field)
    return value


def text_of(value: object, field: str, max_len: int, *, required: bool = True) -> str:
    """A text field, stripped: required if asked, at most ``max_len`` characters, no control characters (line breaks
    are allowed in the note only)."""
    label = LABELS.get(field, field)
    if value is None:
        value = ""
    if not isinstance(value, str):
        value = str(value) if isinstance(value, int | float | Decimal) and not isinstance(value, bool) else None
        if value is None:
            raise Invalid(f"{label}应为文字。", field=field)
    value = value.strip()
    if required and not value:
        raise Invalid(f"请填写{label}。", field=field)
    if len(value) > max_len:
        raise Invalid(f"{label}不能超过 {max_len} 个字。", field=field)
    allowed = "\n\r\t" if field == "note" else ""
    if any(not ch.isprintable() and ch not in allowed for ch in value):
        raise Invalid(f"{label}中含有不可见的控制字符，请删除后重新提交。", field=field)
    return value


def _choice(value: object, enum: type[LabelledEnum], field: str) -> str:
    text = value.strip() if isinstance(value, str) else ""
    for member in enum:
        if text in (member.value, member.label):
            return member.value
    label, choices = LABELS[field], "、".join(f"{m.value}（{m.label}）" for m in enum)
    if not text:
        raise Invalid(f"请填写{label}，可选：{choices}。", field=field)
    raise Invalid(f"{label}“{text[:20]}”无效，可选：{choices}。", field=field)


def industry_names(session: Session) -> dict[str, str]:
    """The industries' names by code, in display order."""
    stmt = select(ValuationIndustry.code, ValuationIndustry.name).order_by(
        ValuationIndustry.sort_order, ValuationIndustry.code
    )
    return {code: name for code, name in session.execute(stmt)}


def _industry(value: object, industries: Mapping[str, str]) -> str | None:
    text = value.strip() if isinstance(value, str) else ""
    if not text:
        return None
    if text in industries:
        return text
    by_name = {name: code for code, name in industries.items()}
    if text in by_name:
        return by_name[text]
    choices = "、".join(f"{c}（{n}）" for c, n in industries.items())
    raise Invalid(f"行业“{text[:30]}”不在行业分成率表中，可选：{choices}；也可留空。", field="industry_code")


def _checks(industries: Mapping[str, str], today: date) -> dict[str, Callable[[Any], Any]]:
    return {
        "patent_number": lambda v: text_of(v, "patent_number", 32),
        "title": lambda v: text_of(v, "title", 256),
        "patent_type": lambda v: _choice(v, PatentType, "patent_type"),
        "industry_code": lambda v: _industry(v, industries),
        "ipc": lambda v: text_of(v, "ipc", 32, required=False),
        "deal_type": lambda v: _choice(v, DealType, "deal_type"),
        "deal_date": lambda v: date_of(v, today),
        "price": price_of,
        "pvd": pvd_of,
        "source": lambda v: text_of(v, "source", 256, required=False),
        "note": lambda v: text_of(v, "note", 2000, required=False),
    }


def check_fields(
    data: Mapping[str, Any], industries: Mapping[str, str], today: date
) -> tuple[dict[str, Any], list[Invalid]]:
    """Every field of a deal checked: the cleaned values, and one ``Invalid`` per bad field (in :data:`LABELS`
    order). Unknown keys are the caller's business (the API's schema forbids them, the import names them)."""
    values: dict[str, Any] = {}
    errors: list[Invalid] = []
    for key, check in _checks(industries, today).items():
        try:
            values[key] = check(data.get(key))
        except Invalid as exc:
            errors.append(exc)
    return values, errors


def local_today(uow: UnitOfWork) -> date:
    today: date = uow.clock.now().astimezone(LOCAL_TZ).date()
    return today


def _clean(uow: UnitOfWork, data: Mapping[str, Any]) -> dict[str, Any]:
    values, errors = check_fields(data, industry_names(uow.session), local_today(uow))
    if errors:
        raise errors[0]
    return values


def deal_unit(session: Session, principal: Principal, unit_id: int | None) -> int:
    """The unit a new deal is recorded on: ``unit_id``, or the writer's own unit; it must exist and be active."""
    chosen = unit_id if unit_id is not None else principal.unit_id
    unit = session.get(Unit, chosen) if isinstance(chosen, int) and chosen > 0 else None
    if unit is None or not unit.active:
        raise Invalid("登记单位不存在或已停用，请指定登记单位。", field="unit_id")
    return unit.id


# ------------------------------------------------------------------------------------------------------ writes


def add_deal(
    uow: UnitOfWork, principal: Principal | None, data: Mapping[str, Any], *, unit_id: int | None = None
) -> ComparableDeal:
    """Record a deal (fields as in :data:`LABELS`) on ``unit_id`` (default: the writer's unit), which must lie in
    the writer's ``valuation.deal.manage`` scope."""
    who = require(principal, DEAL_MANAGE)
    session = uow.session
    values = _clean(uow, data)
    deal = ComparableDeal(
        unit_id=deal_unit(session, who, unit_id),
        created_by_id=who.user_id or None,
        created_at=uow.clock.now(),
        **values,
    )
    check_write(session, who, DEAL_MANAGE, deal)
    session.add(deal)
    uow.flush()
    return deal


def update_deal(
    uow: UnitOfWork, principal: Principal | None, deal_id: int, data: Mapping[str, Any], *, version: int | None
) -> ComparableDeal:
    """Change a deal's fields with the version read (409 when someone saved it meanwhile)."""
    who = require(principal, DEAL_MANAGE)
    deal = uow.session.get(ComparableDeal, deal_id)
    if deal is None:
        raise NotFound("可比交易不存在。")
    check_write(uow.session, who, DEAL_MANAGE, deal)
    expect_version(deal, version)
    for key, value in _clean(uow, data).items():
        setattr(deal, key, value)
    uow.flush()
    return deal


# ------------------------------------------------------------------------------------------------------- reads


def get_deal(session: Session, principal: Principal | None, deal_id: int) -> ComparableDeal:
    require(principal, VIEW)
    deal = session.get(ComparableDeal, deal_id)
    if deal is None:
        raise NotFound("可比交易不存在。")
    return deal


def deal_filters(
    stmt: Select[Any],
    *,
    industry_code: str | None = None,
    patent_type: str | None = None,
    deal_type: str | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    q: str | None = None,
) -> Select[Any]:
    """``stmt`` (over :class:`ComparableDeal`) narrowed by the filters that are set; ``q`` matches the patent number,
    title, IPC, source or note (case-insensitive)."""
    if industry_code:
        stmt = stmt.where(ComparableDeal.industry_code == industry_code)
    if patent_type:
        stmt = stmt.where(ComparableDeal.patent_type == patent_type)
    if deal_type:
        stmt = stmt.where(ComparableDeal.deal_type == deal_type)
    if date_from is not None:
        stmt = stmt.where(ComparableDeal.deal_date >= date_from)
    if date_to is not None:
        stmt = stmt.where(ComparableDeal.deal_date <= date_to)
    text = (q or "").strip()
    if text:
        columns = (ComparableDeal.patent_number, ComparableDeal.title, ComparableDeal.ipc, ComparableDeal.source)
        stmt = stmt.where(or_(*(c.icontains(text, autoescape=True) for c in (*columns, ComparableDeal.note))))
    return stmt


def list_deals(
    session: Session,
    principal: Principal | None,
    *,
    industry_code: str | None = None,
    patent_type: str | None = None,
    q: str | None = None,
    limit: int = 200,
    deal_type: str | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    offset: int = 0,
) -> list[ComparableDeal]:
    """The deals matching the filters, newest deal first, at most ``limit`` (1–1000); needs ``valuation.view``."""
    require(principal, VIEW)
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_LIMIT:
        raise Invalid(f"每次最多列出 {MAX_LIMIT} 条可比交易。", field="limit")
    stmt = deal_filters(
        select(ComparableDeal),
        industry_code=industry_code,
        patent_type=patent_type,
        deal_type=deal_type,
        date_from=date_from,
        date_to=date_to,
        q=q,
    )
    stmt = stmt.order_by(ComparableDeal.deal_date.desc(), ComparableDeal.id.desc()).limit(limit).offset(max(0, offset))
    return list(session.scalars(stmt))


def deals_by_ids(session: Session, principal: Principal | None, ids: list[int]) -> list[ComparableDeal]:
    """The deals ``ids`` in the order given (a repeated id once); NotFound naming the first missing id."""
    require(principal, VIEW)
    wanted = list(dict.fromkeys(ids))
    found: dict[int, ComparableDeal] = {}
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        found.update((d.id, d) for d in session.scalars(select(ComparableDeal).where(ComparableDeal.id.in_(chunk))))
    for deal_id in wanted:
        if deal_id not in found:
            raise NotFound(f"可比交易（编号 {deal_id}）不存在。")
    return [found[i] for i in wanted]
