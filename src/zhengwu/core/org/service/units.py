"""Units: create, edit and move them in the tree, and import them from CSV."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from zhengwu.core.db import UnitOfWork
from zhengwu.core.errors import Invalid
from zhengwu.core.imports import ImportRejected, RowError
from zhengwu.core.org.access import check_write, get_scoped
from zhengwu.core.org.model import UNIT_MANAGE, Principal, UnitKind, path_for
from zhengwu.core.org.service.common import CODE_RE, _text, expect_version, parse_kind
from zhengwu.core.org.tables import Unit


def create_unit(
    uow: UnitOfWork, principal: Principal | None, *, code: str, name: str, kind: str, parent_id: int | None
) -> Unit:
    session = uow.session
    code = _text(code, "code", "单位编码", 64)
    if not CODE_RE.match(code):
        raise Invalid("单位编码只能包含字母、数字、点、横线和下划线。", field="code")
    unit = Unit(code=code, name=_text(name, "name", "单位名称", 128), kind=parse_kind(kind), parent_id=parent_id)
    parent = _parent(session, parent_id)
    if session.scalar(select(func.count()).select_from(Unit).where(Unit.code == code)):
        raise Invalid(f"单位编码“{code}”已存在。", field="code")
    session.add(unit)
    uow.flush()
    unit.path = path_for(parent.path if parent else None, unit.id)
    uow.flush()
    check_write(session, principal, UNIT_MANAGE, unit)
    return unit


def _parent(session: Session, parent_id: int | None) -> Unit | None:
    if parent_id is None:
        return None
    # Locked, so a concurrent move of the parent cannot leave the new child with a stale path.
    parent = session.get(Unit, parent_id, with_for_update=True)
    if parent is None:
        raise Invalid("上级单位不存在。", field="parent_id")
    return parent


def update_unit(
    uow: UnitOfWork,
    principal: Principal | None,
    unit_id: int,
    *,
    version: int | None,
    name: str,
    kind: str,
    parent_id: int | None,
    active: bool,
) -> Unit:
    session = uow.session
    unit: Unit = get_scoped(session, principal, UNIT_MANAGE, Unit, unit_id)
    session.refresh(unit, with_for_update=True)  # a concurrent move or child creation waits for this one
    expect_version(unit, version)
    unit.name = _text(name, "name", "单位名称", 128)
    unit.kind = parse_kind(kind)
    unit.active = active
    if parent_id != unit.parent_id:
        parent = _parent(session, parent_id)
        if parent is not None and parent.path.startswith(unit.path):
            raise Invalid("不能把单位移到它自己或它的下级单位之下。", field="parent_id")
        old = unit.path
        new = path_for(parent.path if parent else None, unit.id)
        for d in session.scalars(select(Unit).where(Unit.path.startswith(old), Unit.id != unit.id)):
            d.path = new + d.path[len(old) :]
        unit.parent_id, unit.path = parent_id, new
    uow.flush()
    check_write(session, principal, UNIT_MANAGE, unit)
    return unit


UNIT_CSV_COLUMNS = ("code", "name", "kind", "parent_code")


@dataclass(frozen=True)
class UnitRow:
    line: int
    code: str
    name: str
    kind: UnitKind
    parent_code: str


def parse_unit_csv(text: str, existing_codes: set[str]) -> list[UnitRow]:
    """Validate a unit CSV (``code,name,kind,parent_code``) in full; parents precede their children or exist.

    >>> [r.code for r in parse_unit_csv("code,name,kind,parent_code\\nA,甲县,人民政府,\\nB,乙镇,town,A\\n", set())]
    ['A', 'B']
    """
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    header = tuple(h.strip().lower() for h in next(reader, []))
    if header[:4] != UNIT_CSV_COLUMNS:
        raise ImportRejected([RowError(1, "表头", "表头必须是 code,name,kind,parent_code")])
    rows: list[UnitRow] = []
    errors: list[RowError] = []
    known = set(existing_codes)
    for line, raw in enumerate(reader, start=2):
        if not any(c.strip() for c in raw):
            continue
        code, name, kind_text, parent = ([*[c.strip() for c in raw], "", "", "", ""])[:4]
        bad = len(errors)
        if not CODE_RE.match(code):
            errors.append(RowError(line, "code", "单位编码为空或含有非法字符"))
        elif code in known:
            errors.append(RowError(line, "code", f"单位编码“{code}”已存在"))
        if not name or len(name) > 128:
            errors.append(RowError(line, "name", "单位名称为空或超过 128 字"))
        try:
            kind = parse_kind(kind_text)
        except Invalid as exc:
            errors.append(RowError(line, "kind", exc.message))
            kind = UnitKind.OTHER
        if parent and parent not in known:
            errors.append(RowError(line, "parent_code", f"上级单位“{parent}”不存在（须已存在或在本文件前面出现）"))
        if len(errors) == bad:
            rows.append(UnitRow(line, code, name, kind, parent))
        known.add(code)
    if errors:
        raise ImportRejected(errors)
    if not rows:
        raise ImportRejected([RowError(2, "code", "文件中没有数据行")])
    return rows


def import_units(uow: UnitOfWork, principal: Principal | None, text: str) -> list[Unit]:
    session = uow.session
    rows = parse_unit_csv(text, set(session.scalars(select(Unit.code))))
    by_code = {u.code: u for u in session.scalars(select(Unit).where(Unit.code.in_({r.parent_code for r in rows})))}
    created = []
    for r in rows:
        parent = by_code.get(r.parent_code) if r.parent_code else None
        unit = create_unit(
            uow,
            principal,
            code=r.code,
            name=r.name,
            kind=r.kind.value,
            parent_id=parent.id if parent else None,
        )
        by_code[unit.code] = unit
        created.append(unit)
    return created
