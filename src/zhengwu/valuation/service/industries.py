"""The industries' sales-royalty ranges (行业销售收入分成率区间) as editable data: list, add, edit (with the version
read) and delete a row, and export the table. ``low`` and ``high`` are fractions of revenue (0.015 is 1.5 %); pages
show and take them in %. Reading needs ``valuation.view``, writing ``valuation.profile.manage``.

An assessment keeps the industry code it was made with as text: deleting or editing a row changes no assessment
already computed, only what later calculations read. After every write the whole table is checked again by the pure
core (:func:`zhengwu.valuation.model.industries.ranges_from_rows`), so what is stored is always a table the income
approach accepts.
"""

from __future__ import annotations

import math
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from zhengwu.core.db import UnitOfWork
from zhengwu.core.errors import Invalid, NotFound
from zhengwu.core.imports import ImportRejected, RowError
from zhengwu.core.matters.imports.rows import clean
from zhengwu.core.matters.imports.sheets import Sheet
from zhengwu.core.org.model import Principal
from zhengwu.core.org.service import expect_version, require
from zhengwu.valuation.model import PROFILE_MANAGE, VIEW
from zhengwu.valuation.model.industries import ranges_from_rows
from zhengwu.valuation.tables import ValuationIndustry

#: The code pattern of :mod:`zhengwu.valuation.model.industries` (lower-case letters, digits, ``_``).
CODE = re.compile(r"[a-z0-9_]{1,64}")
NAME_CHARS, SOURCE_CHARS = 128, 256
MAX_SORT = 100_000
MAX_ROWS = 1000
LABELS = {"code": "行业代码", "name": "行业名称", "low": "下限", "high": "上限", "source": "出处"}


def rate_of(value: object, field: str, *, percent: bool = False) -> float:
    """A rate as a fraction in [0, 1]; with ``percent``, or when the text ends with ``%``, the value is read in %
    (``1.5`` is 0.015).

    >>> rate_of("1.5", "low", percent=True), rate_of(0.03, "high"), rate_of("7%", "low")
    (0.015, 0.03, 0.07)
    >>> rate_of("120", "high", percent=True)
    Traceback (most recent call last):
    ...
    zhengwu.core.errors.Invalid: 上限须在 0% 到 100% 之间，现为 120%。
    """
    label = LABELS[field]
    if value is None or (isinstance(value, str) and not value.strip()):
        raise Invalid(f"请填写{label}。", field=field)
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise Invalid(f"{label}须为数字。", field=field)
    text = repr(value) if isinstance(value, float) else str(value).strip()
    if text.endswith("%"):
        text, percent = text[:-1].strip(), True
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise Invalid(f"{label}须为数字，现为“{str(value)[:20]}”。", field=field) from None
    if not number.is_finite():
        raise Invalid(f"{label}须为有限的数字。", field=field)
    fraction = float(number / 100) if percent else float(number)
    if not math.isfinite(fraction) or not 0 <= fraction <= 1:
        shown = f"{number}%" if percent else f"{number}"
        raise Invalid(f"{label}须在 0% 到 100% 之间，现为 {shown}。", field=field)
    return fraction


def _text(value: object, field: str, limit: int, *, required: bool) -> str:
    label = LABELS[field]
    if value is not None and not isinstance(value, str):
        raise Invalid(f"{label}应为文字。", field=field)
    text = (value or "").strip()
    if required and not text:
        raise Invalid(f"请填写{label}。", field=field)
    if len(text) > limit or any(not ch.isprintable() for ch in text):
        raise Invalid(f"{label}不能超过 {limit} 个字，且不能含控制字符。", field=field)
    return text


def _checked(name: object, low: object, high: object, source: object, percent: bool) -> dict[str, Any]:
    lo, hi = rate_of(low, "low", percent=percent), rate_of(high, "high", percent=percent)
    if lo > hi:
        raise Invalid(f"下限 {lo:.4%} 高于上限 {hi:.4%}。", field="low")
    return {
        "name": _text(name, "name", NAME_CHARS, required=True),
        "low": lo,
        "high": hi,
        "source": _text(source, "source", SOURCE_CHARS, required=False),
    }


def _sort(session: Session, value: object) -> int:
    if value is None or value == "":
        return int(session.scalar(select(func.max(ValuationIndustry.sort_order))) or 0) + 1
    if isinstance(value, bool) or not isinstance(value, int) or not -MAX_SORT <= value <= MAX_SORT:
        raise Invalid(f"排序应为 {-MAX_SORT} 到 {MAX_SORT} 之间的整数。", field="sort_order")
    return value


def _table_still_valid(session: Session) -> None:
    """The stored table, read back, is one the pure core accepts (it is never empty: the last row stays)."""
    rows = session.scalars(select(ValuationIndustry).order_by(ValuationIndustry.sort_order, ValuationIndustry.code))
    ranges_from_rows([{"code": r.code, "name": r.name, "low": r.low, "high": r.high} for r in rows])


def list_industries(session: Session, principal: Principal | None) -> list[ValuationIndustry]:
    """The table in display order."""
    require(principal, VIEW)
    stmt = select(ValuationIndustry).order_by(ValuationIndustry.sort_order, ValuationIndustry.code)
    return list(session.scalars(stmt))


def get_industry(session: Session, principal: Principal | None, industry_id: int) -> ValuationIndustry:
    require(principal, VIEW)
    row = session.get(ValuationIndustry, industry_id)
    if row is None:
        raise NotFound("行业分成率区间不存在。")
    return row


def add_industry(
    uow: UnitOfWork,
    principal: Principal | None,
    *,
    code: object,
    name: object,
    low: object,
    high: object,
    source: object = "",
    sort_order: object = None,
    percent: bool = False,
) -> ValuationIndustry:
    """A new row; its code (lower-case letters, digits, ``_``) is unique and never changes, since assessments keep
    it. ``percent``: ``low`` and ``high`` are given in % (the page), else as fractions (the API)."""
    require(principal, PROFILE_MANAGE)
    session = uow.session
    text = _code(code)
    if session.scalar(select(ValuationIndustry.id).where(ValuationIndustry.code == text)) is not None:
        raise Invalid(f"行业代码“{text}”已存在。", field="code")
    values = _checked(name, low, high, source, percent)
    row = ValuationIndustry(code=text, sort_order=_sort(session, sort_order), **values)
    session.add(row)
    uow.flush()
    _table_still_valid(session)
    return row


def update_industry(
    uow: UnitOfWork,
    principal: Principal | None,
    industry_id: int,
    *,
    version: int | None,
    name: object,
    low: object,
    high: object,
    source: object = "",
    sort_order: object = None,
    percent: bool = False,
) -> ValuationIndustry:
    """Change a row's name, range, source (and order) with the version read; its code stays."""
    require(principal, PROFILE_MANAGE)
    row = uow.session.get(ValuationIndustry, industry_id)
    if row is None:
        raise NotFound("行业分成率区间不存在。")
    expect_version(row, version)
    for key, value in _checked(name, low, high, source, percent).items():
        setattr(row, key, value)
    if sort_order is not None and sort_order != "":
        row.sort_order = _sort(uow.session, sort_order)
    uow.flush()
    _table_still_valid(uow.session)
    return row


def delete_industry(
    uow: UnitOfWork, principal: Principal | None, industry_id: int, *, version: int | None
) -> ValuationIndustry:
    """Delete a row (assessments keep the code they were made with; the ``score`` method no longer offers it). The
    last row cannot be deleted: the table is never empty."""
    require(principal, PROFILE_MANAGE)
    session = uow.session
    row = session.get(ValuationIndustry, industry_id)
    if row is None:
        raise NotFound("行业分成率区间不存在。")
    expect_version(row, version)
    if (session.scalar(select(func.count()).select_from(ValuationIndustry)) or 0) <= 1:
        raise Invalid("这是行业分成率表的最后一行，不能删除。", field="id")
    session.delete(row)
    uow.flush()
    return row


def _code(value: object) -> str:
    text = value.strip() if isinstance(value, str) else ""
    if not CODE.fullmatch(text):
        raise Invalid("行业代码只能由小写英文字母、数字和下划线组成（1 到 64 个字符），如 machinery。", field="code")
    return text


def import_industries(uow: UnitOfWork, principal: Principal | None, sheet: Sheet) -> tuple[int, int]:
    """Rows of ``sheet`` (columns 行业代码, 行业名称, 下限, 上限, 出处 — or code, name, low, high, source — as the
    export writes them; rates as fractions, or in % when written ``1.5%``) merged by code: a known code's row is
    replaced, a new code added, rows absent from the file stay. Every row is checked first: ``ImportRejected`` lists
    row, column and reason and nothing is written. Returns (added, updated)."""
    require(principal, PROFILE_MANAGE)
    lookup = {label: key for key, label in LABELS.items()} | {key: key for key in LABELS}
    fields: dict[int, str] = {}
    errors: list[RowError] = []
    for i, title in enumerate(sheet.header):
        name = str(title or "").strip()
        key = lookup.get(name)
        if key is not None and key not in fields.values():
            fields[i] = key
        elif name:
            errors.append(RowError(1, name, f"未知或重复的列；可用的列：{'、'.join(LABELS.values())}"))
    missing = [k for k in ("code", "name", "low", "high") if k not in fields.values()]
    errors += [RowError(1, LABELS[k], "缺少必填列") for k in missing]
    if errors:
        raise ImportRejected(errors)
    good: dict[str, dict[str, Any]] = {}
    for line, raw in sheet.rows:
        cells = {key: clean(raw[i]) if i < len(raw) else "" for i, key in fields.items()}
        if all(v == "" for v in cells.values()):
            continue
        if len(good) + len(errors) >= MAX_ROWS:
            raise ImportRejected([RowError(line, "文件", f"一次最多导入 {MAX_ROWS} 行")])
        try:
            code = _code(cells.get("code"))
            if code in good:
                raise Invalid(f"行业代码“{code}”在文件中重复。", field="code")
            good[code] = _checked(
                cells.get("name"), cells.get("low"), cells.get("high"), cells.get("source", ""), False
            )
        except Invalid as exc:
            errors.append(RowError(line, LABELS.get(exc.field or "", exc.field or "—"), exc.message))
    if not good and not errors:
        errors.append(RowError(2, "文件", "文件中没有数据行"))
    if errors:
        raise ImportRejected(errors)
    session = uow.session
    existing = {r.code: r for r in session.scalars(select(ValuationIndustry))}
    added = 0
    for code, values in good.items():
        row = existing.get(code)
        if row is None:
            session.add(ValuationIndustry(code=code, sort_order=_sort(session, None), **values))
            added += 1
        else:
            for key, value in values.items():
                setattr(row, key, value)
    uow.flush()
    _table_still_valid(session)
    return added, len(good) - added
