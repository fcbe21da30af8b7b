"""Bulk import of comparable deals (可比交易) from an ``.xlsx`` or ``.csv`` file, validate-first.

The header row names the columns by their English key or Chinese label (``LABELS`` of
:mod:`zhengwu.valuation.service.deals`): ``patent_number`` 专利号, ``title`` 专利名称, ``patent_type`` 专利类型
(invention/utility/design or 发明/实用新型/外观设计), ``industry_code`` 行业代码 (a code or name of the industry
table, or empty), ``ipc``, ``deal_type`` 交易类型 (transfer/licence or 转让/许可), ``deal_date`` 交易日期,
``price`` 成交价（元） (at most two decimals), ``pvd`` 专利价值度 (0–100 or empty), ``source`` 来源, ``note`` 备注.

Every row is checked before anything is written: when any cell is bad, ``ImportRejected`` lists row, column and
reason, and nothing is imported. All rows are recorded on one unit. The file exported from the deals page
(:func:`export_rows`) has the same columns, so it imports again.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from zhengwu.core.db import UnitOfWork
from zhengwu.core.imports import ImportRejected, RowError, map_header
from zhengwu.core.matters.imports.rows import clean
from zhengwu.core.matters.imports.sheets import Sheet
from zhengwu.core.org.access import check_write
from zhengwu.core.org.model import Principal
from zhengwu.core.org.service import require
from zhengwu.valuation.model import DEAL_MANAGE
from zhengwu.valuation.model.indicators import PatentType
from zhengwu.valuation.service.deals import (
    LABELS,
    DealType,
    check_fields,
    deal_unit,
    industry_names,
    local_today,
)
from zhengwu.valuation.tables import ComparableDeal

REQUIRED = ("patent_number", "title", "patent_type", "deal_type", "deal_date", "price")
MAX_ROWS = 5000


def _header(header: list[Any]) -> tuple[dict[int, str], list[RowError]]:
    return map_header(header, LABELS, REQUIRED)


def read_rows(session: Session, sheet: Sheet, today: date) -> list[dict[str, Any]]:
    """Every data row of ``sheet`` checked and cleaned; ``ImportRejected`` with every problem (row, column, reason)
    when any row is bad or the file has no data row."""
    fields, errors = _header(list(sheet.header))
    if errors:
        raise ImportRejected(errors)
    industries = industry_names(session)
    good: list[dict[str, Any]] = []
    rows = 0
    for line, raw in sheet.rows:
        cells = {key: clean(raw[i]) if i < len(raw) else "" for i, key in fields.items()}
        if all(v == "" for v in cells.values()):
            continue
        rows += 1
        if rows > MAX_ROWS:
            raise ImportRejected([RowError(line, "文件", f"一次最多导入 {MAX_ROWS} 行，请分批导入")])
        values, bad = check_fields(cells, industries, today)
        errors.extend(RowError(line, LABELS.get(e.field or "", e.field or "—"), e.message) for e in bad)
        if not bad:
            good.append(values)
    if not rows:
        raise ImportRejected([RowError(2, "文件", "文件中没有数据行")])
    if errors:
        raise ImportRejected(errors)
    return good


def import_deals(
    uow: UnitOfWork, principal: Principal | None, sheet: Sheet, *, unit_id: int | None = None
) -> list[int]:
    """Record every row of ``sheet`` as a deal of ``unit_id`` (default: the importer's unit); returns the new ids
    in row order. Nothing is written when any row is bad (``ImportRejected``)."""
    who = require(principal, DEAL_MANAGE)
    session = uow.session
    unit = deal_unit(session, who, unit_id)
    check_write(session, who, DEAL_MANAGE, ComparableDeal(unit_id=unit))
    rows = read_rows(session, sheet, local_today(uow))
    now = uow.clock.now()
    deals = [ComparableDeal(unit_id=unit, created_by_id=who.user_id or None, created_at=now, **r) for r in rows]
    session.add_all(deals)
    uow.flush()
    return [d.id for d in deals]


def export_rows(deals: Iterable[ComparableDeal]) -> Iterable[list[Any]]:
    """The header (Chinese labels) and one row per deal, in the import's columns: the price stays a ``Decimal``
    (a number in the workbook), the dates dates."""
    yield list(LABELS.values())
    for d in deals:
        yield [
            d.patent_number,
            d.title,
            PatentType(d.patent_type).label,
            d.industry_code or "",
            d.ipc,
            DealType(d.deal_type).label,
            d.deal_date,
            d.price,
            d.pvd,
            d.source,
            d.note,
        ]
