"""Shared pieces of file imports: validate everything first, report row, field and reason, write nothing."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from zhengwu.core.errors import Invalid

MAX_IMPORT_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True)
class RowError:
    row: int
    field: str
    reason: str

    def __str__(self) -> str:
        return f"第 {self.row} 行，字段“{self.field}”：{self.reason}"


class ImportRejected(Invalid):
    """An import that failed validation; nothing was written. ``errors`` lists row, field and reason."""

    def __init__(self, errors: list[RowError]) -> None:
        shown = "；".join(str(e) for e in errors[:20])
        more = f"（另有 {len(errors) - 20} 处错误）" if len(errors) > 20 else ""
        super().__init__(f"导入失败，未写入任何数据：{shown}{more}", field=errors[0].field if errors else None)
        self.errors = errors


def decode_upload(data: bytes, field: str) -> str:
    """Text of an uploaded CSV: UTF-8 (with or without BOM) or GB18030, as Excel on Chinese Windows saves it.

    >>> decode_upload("日期".encode("gb18030"), "file")
    '日期'
    """
    if not data:
        raise Invalid("上传的文件是空的。", field=field)
    if len(data) > MAX_IMPORT_BYTES:
        raise Invalid("文件超过 20 MB。", field=field)
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise Invalid("无法识别文件编码，请另存为 UTF-8 编码的 CSV。", field=field)


def map_header(
    header: Sequence[Any], columns: Mapping[str, str], required: Sequence[str]
) -> tuple[dict[int, str], list[RowError]]:
    """Column position → field code, read from a header row (row 1) whose cells are field codes or their Chinese
    labels (``columns``: code → label; codes in any letter case), and the header's problems: unknown or repeated
    columns, missing required ones.

    >>> fields, errors = map_header(["姓名", "Unit", "备注"], {"name": "姓名", "unit": "单位"}, ["name", "unit"])
    >>> fields, [str(e) for e in errors]
    ({0: 'name', 1: 'unit'}, ['第 1 行，字段“备注”：未知的列；可用的列：姓名、单位'])
    """
    lookup = {code: code for code in columns} | {label: code for code, label in columns.items()}
    fields: dict[int, str] = {}
    errors: list[RowError] = []
    for i, raw in enumerate(header):
        name = str(raw or "").strip()
        if not name:
            continue
        code = lookup.get(name) or lookup.get(name.lower())
        if code is None:
            errors.append(RowError(1, name, f"未知的列；可用的列：{'、'.join(columns.values())}"))
        elif code in fields.values():
            errors.append(RowError(1, name, "列重复"))
        else:
            fields[i] = code
    for code in required:
        if code not in fields.values():
            errors.append(RowError(1, columns[code], "缺少必填列"))
    return fields, errors
