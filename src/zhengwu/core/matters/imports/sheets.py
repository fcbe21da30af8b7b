"""Reading an import file into a header and numbered rows: ``.csv`` (UTF-8 or GB18030) or ``.xlsx``."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

from zhengwu.core.errors import Invalid
from zhengwu.core.imports import MAX_IMPORT_BYTES, ImportRejected, RowError, decode_upload


@dataclass(frozen=True)
class Sheet:
    """An import file's header and data rows, numbered as a clerk sees them (the header is row 1).

    >>> sheet = read_file("历史.csv", "导入编号,标题\\nA-1,路灯不亮\\n".encode("gb18030"))
    >>> sheet.header, list(sheet.rows)
    (['导入编号', '标题'], [(2, ['A-1', '路灯不亮'])])
    """

    name: str
    header: list[str]
    rows: Iterable[tuple[int, Sequence[Any]]]
    size: int | None = None  # data rows, estimated (for the progress bar)


def read_file(name: str, data: bytes) -> Sheet:
    """The sheet of a ``.csv`` file or of an ``.xlsx`` file's first worksheet (read lazily, row by row)."""
    suffix = PurePath(name).suffix.lower()
    if suffix == ".csv":
        return _read_csv(name, data)
    if suffix == ".xlsx":
        return _read_xlsx(name, data)
    raise Invalid("只能导入 .xlsx 或 .csv 文件。", field="file")


def _read_csv(name: str, data: bytes) -> Sheet:
    content = decode_upload(data, "file") if len(data) <= MAX_IMPORT_BYTES else _decode_large(data)
    reader = csv.reader(_lines(content))
    try:
        header = next(reader, None)
    except csv.Error:
        header = None
    if header is None:
        raise ImportRejected([RowError(1, "表头", "文件是空的或无法读取；第 1 行应为表头")])

    def rows() -> Iterator[tuple[int, list[str]]]:
        try:
            yield from enumerate(reader, start=2)
        except csv.Error:
            raise ImportRejected(
                [RowError(reader.line_num, "文件", "CSV 格式有误（引号不配对或单元格过长）")]
            ) from None

    return Sheet(name, header, rows(), content.count("\n"))


def _lines(content: str) -> Iterator[str]:
    """The lines of ``content``, each with its end (so quoted cells may span lines), without copying it whole:
    ``io.StringIO`` would hold a second, four-bytes-a-character copy of a file of a million rows."""
    start, size = 0, len(content)
    while start < size:
        end = content.find("\n", start) + 1 or size
        yield content[start:end]
        start = end


def _decode_large(data: bytes) -> str:
    """``decode_upload`` without its 20 MB cap (meant for web uploads): a file on the server's disk may be larger."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise Invalid("无法识别文件编码，请另存为 UTF-8 编码的 CSV。", field="file")


def _read_xlsx(name: str, data: bytes) -> Sheet:
    from openpyxl import load_workbook

    unreadable = Invalid("无法读取该 Excel 文件，请确认是未损坏的 .xlsx 文件。", field="file")
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheet = book.worksheets[0]
        cells = sheet.iter_rows(values_only=True)
        header = next(cells, None)
    except Exception:
        raise unreadable from None
    if header is None:
        book.close()
        raise ImportRejected([RowError(1, "表头", "工作表是空的；第 1 行应为表头")])

    def rows() -> Iterator[tuple[int, Sequence[Any]]]:
        try:
            yield from enumerate(cells, start=2)
        except Exception:
            raise unreadable from None
        finally:
            book.close()

    size = sheet.max_row - 1 if sheet.max_row else None
    return Sheet(name, ["" if h is None else str(h) for h in header], rows(), size)
