"""Bulk import of the talent pool (巡察人才库) from an ``.xlsx`` or ``.csv`` file, validate-first.

Columns (header row, Chinese): 姓名 and 单位编码 are required, 职务 and 专长 optional; 专长 lists Chinese specialty
labels (or their codes) separated by commas (，、, also accepted). Every row is checked before anything is written:
when any row is bad, ``ImportRejected`` lists row, column and reason and nothing is imported. A row repeating a
name and unit already in the pool or earlier in the file is refused (re-importing a file adds nobody twice).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from zhengwu.core.db import UnitOfWork
from zhengwu.core.errors import Forbidden, Invalid
from zhengwu.core.imports import ImportRejected, RowError, map_header
from zhengwu.core.matters.imports.rows import clean
from zhengwu.core.matters.imports.sheets import Sheet
from zhengwu.core.org.access import check_write
from zhengwu.core.org.model import Principal
from zhengwu.core.org.service import require
from zhengwu.core.org.tables import Unit
from zhengwu.inspection.model import CADRE_MANAGE, Specialty
from zhengwu.inspection.service.cadres import add_cadre
from zhengwu.inspection.tables import InspectionCadre

COLUMNS = {"name": "姓名", "unit": "单位编码", "post": "职务", "specialties": "专长"}
REQUIRED = ("name", "unit")
MAX_ROWS = 5000


def _header(header: list[str]) -> tuple[dict[int, str], list[RowError]]:
    return map_header(header, COLUMNS, REQUIRED)


def specialty_labels(text: str) -> list[str]:
    """The specialty codes of a cell, or ValueError naming the first unknown label.

    >>> specialty_labels("纪检监察，审计、finance")
    ['discipline', 'audit', 'finance']
    """
    out: list[str] = []
    for part in (p.strip() for p in re.split(r"[,，、;；]", text)):
        if not part:
            continue
        found = next((s for s in Specialty if part in (s.value, s.label)), None)
        if found is None:
            raise ValueError(f"专长“{part}”无效，可选：{'、'.join(s.label for s in Specialty)}")
        if found.value not in out:
            out.append(found.value)
    return out


@dataclass
class _Context:
    session: Session
    principal: Principal | None
    units: dict[str, tuple[int, bool]]
    existing: set[tuple[str, int]]
    seen: set[tuple[str, int]] = field(default_factory=set)


def _row(cells: dict[str, str], ctx: _Context, line: int) -> tuple[dict[str, Any], list[RowError]]:
    """The row's arguments for ``add_cadre`` and the problems of its cells."""
    bad: list[RowError] = []
    name, code, post = cells.get("name", ""), cells.get("unit", ""), cells.get("post", "")
    if not name:
        bad.append(RowError(line, "姓名", "请填写姓名"))
    elif len(name) > 50:
        bad.append(RowError(line, "姓名", "姓名不能超过 50 个字"))
    unit = ctx.units.get(code)
    if not code:
        bad.append(RowError(line, "单位编码", "请填写单位编码"))
    elif unit is None:
        bad.append(RowError(line, "单位编码", f"单位编码“{code}”不存在"))
    elif not unit[1]:
        bad.append(RowError(line, "单位编码", f"单位“{code}”已停用"))
    if len(post) > 64:
        bad.append(RowError(line, "职务", "职务不能超过 64 个字"))
    specialties: list[str] = []
    try:
        specialties = specialty_labels(cells.get("specialties", ""))
    except ValueError as exc:
        bad.append(RowError(line, "专长", str(exc)))
    if unit is not None and name:
        if (name, unit[0]) in ctx.existing:
            bad.append(RowError(line, "姓名", f"人才库中已有该单位的“{name}”"))
        elif (name, unit[0]) in ctx.seen:
            bad.append(RowError(line, "姓名", f"文件中“{name}”（{code}）重复"))
        ctx.seen.add((name, unit[0]))
        try:
            check_write(ctx.session, ctx.principal, CADRE_MANAGE, InspectionCadre(unit_id=unit[0]))
        except Forbidden:
            bad.append(RowError(line, "单位编码", "该单位不在您维护人才库的数据范围内"))
    args = {"name": name, "unit_id": unit[0] if unit else 0, "post": post, "specialties": specialties}
    return args, bad


def import_cadres(uow: UnitOfWork, principal: Principal | None, sheet: Sheet) -> list[int]:
    """Add every row of ``sheet`` to the talent pool; returns the new cadres' ids in row order. Raises
    ``ImportRejected`` listing every problem (row, column, reason) when any row is bad: nothing is written then."""
    require(principal, CADRE_MANAGE)
    session = uow.session
    fields, errors = _header(sheet.header)
    if errors:
        raise ImportRejected(errors)
    ctx = _Context(
        session,
        principal,
        {code: (i, active) for code, i, active in session.execute(select(Unit.code, Unit.id, Unit.active))},
        {(n, u) for n, u in session.execute(select(InspectionCadre.name, InspectionCadre.unit_id))},
    )
    good: list[tuple[int, dict[str, Any]]] = []
    rows = 0
    for line, raw in sheet.rows:
        cells = {f: str(clean(raw[i]) if i < len(raw) else "") for i, f in fields.items()}
        if all(v == "" for v in cells.values()):
            continue
        rows += 1
        if rows > MAX_ROWS:
            raise ImportRejected([RowError(line, "文件", f"一次最多导入 {MAX_ROWS} 行，请分批导入")])
        args, bad = _row(cells, ctx, line)
        errors.extend(bad)
        if not bad:
            good.append((line, args))
    if not rows:
        raise ImportRejected([RowError(2, "文件", "文件中没有数据行")])
    if errors:
        raise ImportRejected(errors)
    created: list[int] = []
    for line, args in good:
        try:
            created.append(add_cadre(uow, principal, **args).id)
        except Invalid as exc:  # checked above; a rule added to add_cadre later still names the row
            raise ImportRejected([RowError(line, COLUMNS.get(exc.field or "", exc.field or "—"), exc.message)]) from exc
    return created
