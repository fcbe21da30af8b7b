"""Helpers of the Word report (:mod:`zhengwu.valuation.service.report`): number formats, paragraphs and tables on a
python-docx ``Document``, and the East Asian font that makes Word show the Chinese text in 宋体."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from docx.document import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.oxml.ns import qn
from docx.shared import Pt
from docx.table import Table

CHINESE_FONT = "宋体"
LATIN_FONT = "Times New Roman"


def set_east_asian_font(document: Document, font: str = CHINESE_FONT) -> None:
    """Every style and run of ``document`` in ``font`` for East Asian text (the run's ``w:rFonts w:eastAsia``)."""
    for style in document.styles:
        element = getattr(style, "element", None)
        if element is None or getattr(style, "font", None) is None:
            continue
        _east_asia(element.get_or_add_rPr(), font)
    for paragraph in _paragraphs(document):
        for run in paragraph.runs:
            run.font.name = LATIN_FONT
            _east_asia(run._element.get_or_add_rPr(), font)


def _east_asia(rpr: Any, font: str) -> None:
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.insert(0, fonts)
    fonts.set(qn("w:eastAsia"), font)


def _paragraphs(document: Document) -> Iterable[Any]:
    yield from document.paragraphs
    for table in document.tables:
        yield from _table_paragraphs(table)


def _table_paragraphs(table: Table) -> Iterable[Any]:
    for row in table.rows:
        for cell in row.cells:
            yield from cell.paragraphs
            for inner in cell.tables:
                yield from _table_paragraphs(inner)


def number(value: Any, places: int = 4) -> str:
    """A figure with thousands separators and ``places`` decimals; ``—`` when missing.

    >>> number(1686114.0, 0), number(168.61139872722546), number(None)
    ('1,686,114', '168.6114', '—')
    """
    if value is None or isinstance(value, bool) or not isinstance(value, int | float):
        return "—"
    return f"{value:,.{places}f}"


def percent(value: Any, places: int = 4) -> str:
    """A rate as a percentage without trailing zeros; ``—`` when missing.

    >>> percent(0.0255), percent(0.095), percent(4.0), percent(None)
    ('2.55%', '9.5%', '400%', '—')
    """
    if value is None or isinstance(value, bool) or not isinstance(value, int | float):
        return "—"
    text = f"{value * 100:.{places}f}".rstrip("0").rstrip(".")
    return f"{text}%"


def plain(value: Any) -> str:
    """A number as written (``g`` format), a text as is, ``—`` when missing.

    >>> plain(70.0), plain(0.015), plain("machinery"), plain(None)
    ('70', '0.015', 'machinery', '—')
    """
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, int | float):
        return f"{value:g}"
    return str(value)


def heading(document: Document, text: str, level: int = 1) -> None:
    document.add_heading(text, level=level)


def para(document: Document, text: str, *, bold: bool = False, size: float | None = None) -> None:
    run = document.add_paragraph().add_run(text)
    run.bold = bold
    if size is not None:
        run.font.size = Pt(size)


def formula(document: Document, text: str) -> None:
    """A formula on its own line, in italics."""
    run = document.add_paragraph().add_run(text)
    run.italic = True


def table(document: Document, headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> Table:
    """A grid table with a bold header row; cells are written with :func:`plain` unless already text."""
    t: Table = document.add_table(rows=1, cols=len(headers))
    t.style = "Table Grid"
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, text in zip(t.rows[0].cells, headers, strict=True):
        cell.text = ""
        cell.paragraphs[0].add_run(text).bold = True
    for row in rows:
        cells = t.add_row().cells  # type: ignore[no-untyped-call]  # python-docx leaves add_row unannotated
        for cell, value in zip(cells, row, strict=True):
            cell.text = value if isinstance(value, str) else plain(value)
    document.add_paragraph()
    return t


def pairs(document: Document, rows: Iterable[tuple[str, Any]]) -> Table:
    """A two-column table of label → value."""
    return table(document, ("项目", "内容"), rows)
