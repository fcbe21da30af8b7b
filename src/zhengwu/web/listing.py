"""The shared list component: filter, sort, paginate, and export any list to Excel within the user's scope.

A :class:`ListSpec` names its columns (SQL expressions), filters and a query builder that has already passed
through ``restrict()``. Pages and exports run the same statement, so an export shows exactly what the user may
see with the filters they chose. Exports stream: rows are fetched in batches and written by openpyxl's
write-only workbook to a temporary file, which is then sent in chunks.
"""

from __future__ import annotations

import math
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import Enum
from typing import IO, Any
from urllib.parse import quote, urlencode
from zoneinfo import ZoneInfo

from fastapi.responses import StreamingResponse
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from zhengwu.core.audit.service import record
from zhengwu.core.db import AnySelect, Database, UnitOfWork
from zhengwu.core.errors import Invalid
from zhengwu.core.org.model import Principal

LOCAL_TZ = ZoneInfo("Asia/Shanghai")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def display(value: Any) -> str:
    """How a cell reads on a page.

    >>> display(None), display(True), display(3)
    ('', '是', '3')
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, Enum):
        return str(getattr(value, "label", value.value))
    if isinstance(value, datetime):
        return value.astimezone(LOCAL_TZ).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def excel_value(value: Any) -> Any:
    if value is None or (isinstance(value, int | float) and not isinstance(value, bool)):
        return value
    if isinstance(value, datetime):
        return value.astimezone(LOCAL_TZ).replace(tzinfo=None)
    if isinstance(value, date):
        return value
    return display(value)


def excel_cell(ws: Any, value: Any) -> Any:
    """A cell for an export row: text stays text (a name like ``=HYPERLINK(…)`` is not a formula) and control
    characters that Excel cannot store are dropped."""
    if not isinstance(value, str):
        return value
    value = ILLEGAL_CHARACTERS_RE.sub("", value)
    if not value.startswith("="):
        return value
    cell = WriteOnlyCell(ws, value=value)
    cell.data_type = "s"
    return cell


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    expr: Any
    sortable: bool = True
    fmt: Callable[[Any], str] | None = None

    def value(self, row: Any) -> Any:
        return row._mapping[self.key]

    def show(self, row: Any) -> str:
        v = self.value(row)
        return self.fmt(v) if self.fmt else display(v)


@dataclass(frozen=True)
class Filter:
    key: str
    label: str
    apply: Callable[[AnySelect, str], AnySelect]
    choices: list[tuple[str, str]] | None = None


@dataclass(frozen=True)
class ListSpec:
    name: str
    columns: tuple[Column, ...]
    query: Callable[[Principal | None], AnySelect]
    filters: tuple[Filter, ...] = ()
    default_sort: str = "id"
    tiebreak: Any = None
    #: A slimmer statement to count the rows with (same scope, same filters, without the joins that only add
    #: display columns); every filter must apply to it. None: count the page's own statement.
    count_query: Callable[[Principal | None], AnySelect] | None = None

    def column(self, key: str) -> Column:
        for c in self.columns:
            if c.key == key:
                return c
        raise Invalid(f"不能按“{key}”排序。", field="sort")


def like(expr: Any) -> Callable[[AnySelect, str], AnySelect]:
    """A filter matching ``expr`` containing the text (case-insensitive)."""

    def apply(stmt: AnySelect, text: str) -> AnySelect:
        return stmt.where(expr.icontains(text, autoescape=True))

    return apply


def equals(expr: Any) -> Callable[[AnySelect, str], AnySelect]:
    def apply(stmt: AnySelect, text: str) -> AnySelect:
        return stmt.where(expr == text)

    return apply


@dataclass
class Page:
    spec: ListSpec
    rows: list[Any]
    total: int
    page: int
    pages: int
    sort: str
    params: dict[str, str] = field(default_factory=dict)

    @property
    def sort_key(self) -> str:
        return self.sort.lstrip("-")

    @property
    def descending(self) -> bool:
        return self.sort.startswith("-")

    def toggle(self, key: str) -> str:
        return f"-{key}" if self.sort == key else key

    def query(self, **overrides: Any) -> str:
        params: dict[str, Any] = {**self.params, "sort": self.sort, "page": self.page}
        params.update(overrides)
        return urlencode({k: v for k, v in params.items() if v not in (None, "")})


def filtered(spec: ListSpec, stmt: AnySelect, params: Mapping[str, str]) -> AnySelect:
    """``stmt`` with the list's filters that ``params`` set."""
    for f in spec.filters:
        text = (params.get(f.key) or "").strip()
        if text:
            if f.choices is not None and text not in {v for v, _ in f.choices}:
                raise Invalid(f"筛选条件“{f.label}”的取值无效。", field=f.key)
            stmt = f.apply(stmt, text)
    return stmt


def statement(spec: ListSpec, principal: Principal | None, params: Mapping[str, str]) -> tuple[AnySelect, str]:
    """The filtered and sorted statement of a list, and the sort it used."""
    stmt = filtered(spec, spec.query(principal), params)
    sort = (params.get("sort") or spec.default_sort).strip()
    column = spec.column(sort.lstrip("-"))
    if not column.sortable:
        raise Invalid(f"不能按“{column.label}”排序。", field="sort")
    order = column.expr.desc() if sort.startswith("-") else column.expr.asc()
    stmt = stmt.order_by(order, *([spec.tiebreak] if spec.tiebreak is not None else []))
    return stmt, sort


def fetch_page(
    session: Session, spec: ListSpec, principal: Principal | None, params: Mapping[str, str], size: int
) -> Page:
    stmt, sort = statement(spec, principal, params)
    try:
        page = max(1, int(params.get("page") or 1))
    except ValueError:
        raise Invalid("页码应为正整数。", field="page") from None
    counted = stmt.order_by(None) if spec.count_query is None else filtered(spec, spec.count_query(principal), params)
    total = session.scalar(select(func.count()).select_from(counted.subquery())) or 0
    pages = max(1, math.ceil(total / size))
    page = min(page, pages)
    rows = list(session.execute(stmt.limit(size).offset((page - 1) * size)))
    kept = {f.key: params[f.key] for f in spec.filters if params.get(f.key)}
    return Page(spec, rows, total, page, pages, sort, kept)


def export_xlsx(
    db: Database, uow: UnitOfWork, spec: ListSpec, principal: Principal | None, params: Mapping[str, str]
) -> StreamingResponse:
    """Write the whole filtered list to a temporary .xlsx and stream it; the export itself is audited."""
    stmt, _sort = statement(spec, principal, params)
    out = tempfile.TemporaryFile()  # noqa: SIM115 - closed when the response has been sent
    try:
        wb = Workbook(write_only=True)
        ws = wb.create_sheet(spec.name[:31])
        ws.append([c.label for c in spec.columns])
        count = 0
        with db.reading() as session:
            for row in session.execute(stmt.execution_options(yield_per=1000)):
                ws.append([excel_cell(ws, c.show(row) if c.fmt else excel_value(c.value(row))) for c in spec.columns])
                count += 1
        wb.save(out)
        record(uow.session, "export", spec.name, "-", rows=count, filters=dict(params))
        uow.commit()
        out.seek(0)
    except BaseException:
        out.close()
        raise

    return stream_file(out, f"{spec.name}.xlsx")


#: Ids of an export's rows read at a time by :func:`export_records`.
EXPORT_CHUNK = 500


def export_records(
    db: Database,
    uow: UnitOfWork,
    spec: ListSpec,
    principal: Principal | None,
    params: Mapping[str, str],
    rows_of: Callable[[Session, list[int]], Iterable[Sequence[Any]]],
) -> StreamingResponse:
    """Write the whole filtered list to a temporary .xlsx in a record's own columns and stream it; the export is
    audited in ``uow``. The list's statement gives the ids (its first column ``id``) in its order; ``rows_of(session,
    ids)`` gives, for up to :data:`EXPORT_CHUNK` ids at a time, the header and then one row per id in that order
    (the header is written once). Used where an export must be the import's columns, so the file imports again."""
    out = tempfile.TemporaryFile()  # noqa: SIM115 - closed when the response has been sent
    try:
        with db.reading() as session:
            stmt, _ = statement(spec, principal, params)
            ids = [row.id for row in session.execute(stmt)]
            wb = Workbook(write_only=True)
            ws = wb.create_sheet(spec.name[:31])
            for start in range(0, max(len(ids), 1), EXPORT_CHUNK):
                rows = iter(rows_of(session, ids[start : start + EXPORT_CHUNK]))
                header = next(rows)
                if not start:
                    ws.append(list(header))
                for cells in rows:
                    ws.append([excel_cell(ws, c) for c in cells])
        wb.save(out)
        record(uow.session, "export", spec.name, "-", rows=len(ids), filters=dict(params))
        uow.commit()
        out.seek(0)
    except BaseException:
        out.close()
        raise
    return stream_file(out, f"{spec.name}.xlsx")


def stream_file(out: IO[bytes], filename: str, media_type: str = XLSX) -> StreamingResponse:
    """Stream a written temporary file (read from its start) as an attachment named ``filename``, closing it when
    the response has been sent."""

    def chunks() -> Iterator[bytes]:
        try:
            while data := out.read(65536):
                yield data
        finally:
            out.close()

    headers = {"Content-Disposition": f"attachment; filename*=UTF-8''{quote(filename)}"}
    return StreamingResponse(chunks(), media_type=media_type, headers=headers)
