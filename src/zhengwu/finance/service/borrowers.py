"""Borrowers (借款企业): the enterprises a bank lends to against their patents, each with its unified social credit code
(统一社会信用代码, checked with its check character), unique within the bank's unit.

A borrower is kept by the unit that records it (the bank): reading goes through ``restrict`` for ``finance.view``;
writing needs ``finance.loan.manage`` over the borrower's unit (``check_write``), with the version read. A new
borrower belongs to the writer's own unit. A borrower with loans cannot be deleted (their loans refer to it).

Every field is checked by :func:`check_fields`, which the file import shares, so a bad value gets the same Chinese
message on the form, in the API and in the import report (row, column, reason). The import checks every row first
and writes nothing when any is bad; the export (:func:`export_rows`) has the import's columns, so it imports again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from zhengwu.core.db import UnitOfWork
from zhengwu.core.errors import Conflict, Invalid
from zhengwu.core.imports import ImportRejected, RowError, map_header
from zhengwu.core.matters.imports.rows import clean
from zhengwu.core.matters.imports.sheets import Sheet
from zhengwu.core.org.access import check_write, get_scoped, restrict
from zhengwu.core.org.model import Principal
from zhengwu.core.org.service import expect_version, require
from zhengwu.core.org.tables import Unit
from zhengwu.finance.model import LOAN_MANAGE, VIEW
from zhengwu.finance.model.borrowers import credit_code, yes_no
from zhengwu.finance.tables import Borrower, PledgeLoan

#: The fields of a borrower in the order of the form and of the import file's columns, with their Chinese labels.
LABELS: dict[str, str] = {
    "name": "企业名称",
    "credit_code": "统一社会信用代码",
    "industry": "所属行业",
    "address": "地址",
    "little_giant": "专精特新“小巨人”",
    "note": "备注",
}
#: The longest text of each text field (the columns' sizes; the note is free text, kept to a page).
LENGTHS = {"name": 200, "industry": 100, "address": 200, "note": 2000}
REQUIRED = ("name", "credit_code")
MAX_LIMIT = 1000
MAX_ROWS = 5000


# ------------------------------------------------------------------------------------------------- field checks


def text_of(value: object, field: str, *, required: bool = False) -> str:
    """A text field, stripped: required if asked, at most its length, no control characters (line breaks are
    allowed in the note only)."""
    label = LABELS[field]
    if value is None:
        value = ""
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        raise Invalid(f"{label}应为文字。", field=field)
    value = value.strip()
    if required and not value:
        raise Invalid(f"请填写{label}。", field=field)
    if len(value) > LENGTHS[field]:
        raise Invalid(f"{label}不能超过 {LENGTHS[field]} 个字。", field=field)
    allowed = "\n\r\t" if field == "note" else ""
    if any(not ch.isprintable() and ch not in allowed for ch in value):
        raise Invalid(f"{label}中含有不可见的控制字符，请删除后重新提交。", field=field)
    return value


def check_fields(data: Mapping[str, Any]) -> tuple[dict[str, Any], list[Invalid]]:
    """Every field of a borrower checked: the cleaned values, and one ``Invalid`` per bad field (in :data:`LABELS`
    order). Unknown keys are the caller's business (the API's schema forbids them, the import names them)."""
    checks: dict[str, Callable[[Any], Any]] = {
        "name": lambda v: text_of(v, "name", required=True),
        "credit_code": lambda v: credit_code(v, "credit_code"),
        "industry": lambda v: text_of(v, "industry"),
        "address": lambda v: text_of(v, "address"),
        "little_giant": lambda v: yes_no(v, "little_giant", LABELS["little_giant"]),
        "note": lambda v: text_of(v, "note"),
    }
    values: dict[str, Any] = {}
    errors: list[Invalid] = []
    for key, check in checks.items():
        try:
            values[key] = check(data.get(key))
        except Invalid as exc:
            errors.append(exc)
    return values, errors


def _clean(data: Mapping[str, Any]) -> dict[str, Any]:
    values, errors = check_fields(data)
    if errors:
        raise errors[0]
    return values


def _taken(session: Session, unit_id: int, code: str, but: int | None = None) -> Borrower | None:
    stmt = select(Borrower).where(Borrower.unit_id == unit_id, Borrower.credit_code == code)
    if but is not None:
        stmt = stmt.where(Borrower.id != but)
    return session.scalar(stmt.limit(1))


def _unique(session: Session, unit_id: int, code: str, but: int | None = None) -> None:
    other = _taken(session, unit_id, code, but)
    if other is not None:
        raise Invalid(f"本单位已登记统一社会信用代码为 {code} 的企业“{other.name}”。", field="credit_code")


def own_unit(session: Session, principal: Principal) -> int:
    """The writer's own unit, where a new borrower is recorded; it must exist and be active."""
    unit = session.get(Unit, principal.unit_id) if principal.unit_id else None
    if unit is None or not unit.active:
        raise Invalid("您所在的单位不存在或已停用，不能登记借款企业。", field="unit_id")
    return unit.id


# ------------------------------------------------------------------------------------------------------ writes


def add_borrower(uow: UnitOfWork, principal: Principal | None, data: Mapping[str, Any]) -> Borrower:
    """Record a borrower (fields as in :data:`LABELS`) on the writer's unit; its credit code must be new there."""
    who = require(principal, LOAN_MANAGE)
    session = uow.session
    values = _clean(data)
    unit_id = own_unit(session, who)
    borrower = Borrower(unit_id=unit_id, created_by_id=who.user_id or None, created_at=uow.clock.now(), **values)
    check_write(session, who, LOAN_MANAGE, borrower)
    _unique(session, unit_id, values["credit_code"])
    session.add(borrower)
    uow.flush()
    return borrower


def _writable(session: Session, principal: Principal | None, borrower_id: int) -> Borrower:
    """The borrower if the writer sees it (else NotFound) and may manage loans over its unit (else Forbidden)."""
    who = require(principal, LOAN_MANAGE)
    borrower: Borrower = get_scoped(session, who, VIEW, Borrower, borrower_id)
    check_write(session, who, LOAN_MANAGE, borrower)
    return borrower


def update_borrower(
    uow: UnitOfWork, principal: Principal | None, borrower_id: int, data: Mapping[str, Any], *, version: int | None
) -> Borrower:
    """Change a borrower's fields with the version read (409 when someone saved it meanwhile)."""
    session = uow.session
    borrower = _writable(session, principal, borrower_id)
    expect_version(borrower, version)
    values = _clean(data)
    _unique(session, borrower.unit_id, values["credit_code"], but=borrower.id)
    for key, value in values.items():
        setattr(borrower, key, value)
    uow.flush()
    return borrower


def loan_count(session: Session, borrower_id: int) -> int:
    """The borrower's loans in every bank (not only those the caller sees): they all refer to it."""
    return session.scalar(select(func.count()).where(PledgeLoan.borrower_id == borrower_id)) or 0


def delete_borrower(uow: UnitOfWork, principal: Principal | None, borrower_id: int, *, version: int | None) -> Borrower:
    """Delete a borrower without loans, with the version read; one with loans is a ``Conflict``."""
    session = uow.session
    borrower = _writable(session, principal, borrower_id)
    expect_version(borrower, version)
    loans = loan_count(session, borrower.id)
    if loans:
        raise Conflict(f"借款企业“{borrower.name}”已有 {loans} 笔质押贷款，不能删除。")
    session.delete(borrower)
    uow.flush()
    return borrower


# ------------------------------------------------------------------------------------------------------- reads


def get_borrower(session: Session, principal: Principal | None, borrower_id: int) -> Borrower:
    """The borrower if the caller's ``finance.view`` reaches it, else ``NotFound``."""
    borrower: Borrower = get_scoped(session, principal, VIEW, Borrower, borrower_id)
    return borrower


def borrower_filters(
    stmt: Select[Any], *, q: str | None = None, credit_code: str | None = None, little_giant: bool | None = None
) -> Select[Any]:
    """``stmt`` (over :class:`Borrower`) narrowed by the filters set: ``q`` in the name (or the industry, address,
    note), ``credit_code`` a part of the code (case-insensitive), ``little_giant`` the flag."""
    text = (q or "").strip()
    if text:
        columns = (Borrower.name, Borrower.industry, Borrower.address, Borrower.note)
        stmt = stmt.where(or_(*(c.icontains(text, autoescape=True) for c in columns)))
    code = "".join((credit_code or "").split()).upper()
    if code:
        stmt = stmt.where(Borrower.credit_code.contains(code, autoescape=True))
    if little_giant is not None:
        stmt = stmt.where(Borrower.little_giant.is_(little_giant))
    return stmt


def list_borrowers(
    session: Session,
    principal: Principal | None,
    *,
    q: str | None = None,
    credit_code: str | None = None,
    little_giant: bool | None = None,
    limit: int = 200,
    offset: int = 0,
) -> list[Borrower]:
    """The borrowers the caller sees matching the filters, by name, at most ``limit`` (1–1000)."""
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_LIMIT:
        raise Invalid(f"每次最多列出 {MAX_LIMIT} 家借款企业。", field="limit")
    stmt = restrict(select(Borrower), principal, VIEW)
    stmt = borrower_filters(stmt, q=q, credit_code=credit_code, little_giant=little_giant)
    stmt = stmt.order_by(Borrower.name, Borrower.id).limit(limit).offset(max(0, offset))
    return list(session.scalars(stmt))


def loans_of(session: Session, principal: Principal | None, borrower_id: int) -> list[PledgeLoan]:
    """The borrower's loans the caller sees (``finance.view``), by application date then code."""
    stmt = select(PledgeLoan).where(PledgeLoan.borrower_id == borrower_id)
    stmt = restrict(stmt, principal, VIEW).order_by(PledgeLoan.applied_on.desc(), PledgeLoan.code)
    return list(session.scalars(stmt))


# ------------------------------------------------------------------------------------------- import and export


def read_rows(session: Session, sheet: Sheet, unit_id: int) -> list[dict[str, Any]]:
    """Every data row of ``sheet`` checked and cleaned, for the unit ``unit_id``: a credit code repeated in the file
    or already recorded in the unit is an error of its row. ``ImportRejected`` with every problem (row, column,
    reason) when any row is bad or the file has no data row."""
    fields, errors = map_header(list(sheet.header), LABELS, REQUIRED)
    if errors:
        raise ImportRejected(errors)
    good: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    rows = 0
    for line, raw in sheet.rows:
        cells = {key: clean(raw[i]) if i < len(raw) else "" for i, key in fields.items()}
        if all(v == "" for v in cells.values()):
            continue
        rows += 1
        if rows > MAX_ROWS:
            raise ImportRejected([RowError(line, "文件", f"一次最多导入 {MAX_ROWS} 行，请分批导入")])
        values, bad = check_fields({k: v if isinstance(v, str) else str(v) for k, v in cells.items()})
        errors.extend(RowError(line, LABELS.get(e.field or "", e.field or "—"), e.message) for e in bad)
        code = values.get("credit_code")
        if code is not None:
            if code in seen:
                errors.append(RowError(line, LABELS["credit_code"], f"与第 {seen[code]} 行的统一社会信用代码重复"))
                continue
            seen[code] = line
            other = _taken(session, unit_id, code)
            if other is not None:
                errors.append(RowError(line, LABELS["credit_code"], f"本单位已登记该代码的企业“{other.name}”"))
                continue
        if not bad:
            good.append(values)
    if not rows:
        raise ImportRejected([RowError(2, "文件", "文件中没有数据行")])
    if errors:
        raise ImportRejected(errors)
    return good


def import_borrowers(uow: UnitOfWork, principal: Principal | None, sheet: Sheet) -> list[int]:
    """Record every row of ``sheet`` as a borrower of the importer's unit; returns the new ids in row order. Nothing
    is written when any row is bad (``ImportRejected``)."""
    who = require(principal, LOAN_MANAGE)
    session = uow.session
    unit_id = own_unit(session, who)
    check_write(session, who, LOAN_MANAGE, Borrower(unit_id=unit_id))
    rows = read_rows(session, sheet, unit_id)
    now = uow.clock.now()
    borrowers = [Borrower(unit_id=unit_id, created_by_id=who.user_id or None, created_at=now, **r) for r in rows]
    session.add_all(borrowers)
    uow.flush()
    return [b.id for b in borrowers]


def export_rows(borrowers: Iterable[Borrower]) -> Iterable[list[Any]]:
    """The header (Chinese labels) and one row per borrower, in the import's columns (the flag as 是 / 否)."""
    yield list(LABELS.values())
    for b in borrowers:
        yield [b.name, b.credit_code, b.industry, b.address, "是" if b.little_giant else "否", b.note]
