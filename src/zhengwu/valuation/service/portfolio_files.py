"""Reading a portfolio file — ``.xlsx``, ``.csv`` (UTF-8 with or without BOM, or GB18030) or JSON lines
(``.jsonl``) — into the arrays of :mod:`zhengwu.valuation.model.portfolio`, every row checked first.

One row (one JSON object) per patent. Columns (the English code or the Chinese header, in any order):
``id`` 编号 (required), ``title`` 名称, ``patent_type`` 专利类型 (required), ``filing_date`` 申请日 (required),
``as_of`` 评估基准日 (required unless a default is given), ``legal_status`` 法律状态, ``claim_count`` 权利要求数,
``family_countries`` 同族国家数, ``forward_citations`` 被引次数, ``ownership_dispute`` 权属纠纷, ``licences``
许可数, ``pledges`` 质押数, ``invalidation_history`` 无效宣告历史, ``industry`` 行业 or ``range_low`` 分成率下限 and
``range_high`` 分成率上限, ``income_1`` … ``income_N`` (收益1 … 收益N; in JSON lines an ``amounts`` list),
``tax_rate`` 所得税税率, ``discount_rate`` 折现率, ``years`` 收益年限, ``economic_life`` 剩余经济寿命, ``timing``
折现时点, ``share_rate_decay`` 分成率年衰减率, and ``score.<sub-indicator code>`` (评分.<code>; in JSON lines also a
``scores`` object) for the experts' levels. Rows are read in chunks of :data:`CHUNK`, each column converted at
once (:mod:`.portfolio_cells`). Any problem — in the header, a cell, or between cells — is a :class:`CellError`
(row as the user sees it, column, reason); :class:`PortfolioFileRejected` lists the first :data:`ERROR_LIMIT`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import PurePath
from typing import Any

import numpy as np
from numpy.typing import NDArray

from zhengwu.core.errors import Invalid
from zhengwu.core.imports import ImportRejected, RowError
from zhengwu.core.matters.imports.sheets import read_file
from zhengwu.valuation.model.industries import IndustryRange
from zhengwu.valuation.model.portfolio import FlatProfile, PortfolioFacts, PortfolioIncome
from zhengwu.valuation.model.portfolio_rules import remaining_years_of
from zhengwu.valuation.service.portfolio_chunks import COLUMNS, Chunk, parse_chunk

CHUNK = 50_000
ERROR_LIMIT = 50
MAX_YEARS = 100


@dataclass(frozen=True)
class CellError(RowError):
    """A row error that also keeps the column's code (``rows[<row>].<code>`` in the API)."""

    code: str = ""


class PortfolioFileRejected(ImportRejected):
    """The file has bad rows; nothing was computed. ``errors`` are the first ones, ``total`` how many in all."""

    def __init__(self, errors: list[CellError], total: int) -> None:
        super().__init__(list(errors))
        shown = "；".join(str(e) for e in errors[:20])
        more = f"（共 {total} 处错误，列出前 {len(errors)} 处）" if total > len(errors) else ""
        self.message = f"批量估值未作计算，文件有误：{shown}{more}"
        self.args = (self.message,)
        self.field = f"rows[{errors[0].row}].{errors[0].code}" if errors else None
        self.total = total


@dataclass(frozen=True)
class Options:
    """File-wide defaults for cells left blank (the command's options, the page's fields)."""

    as_of: date | None = None
    tax_rate: float | None = None
    discount_rate: float | None = None
    timing: str = "end"
    share_rate_decay: float = 0.0


@dataclass(frozen=True)
class PortfolioFile:
    """The checked rows: ``lines`` the row numbers as the user sees them, the patents' ids and titles, their facts,
    scores (N × S in the profile's order) and income."""

    lines: NDArray[np.int64]
    ids: list[str]
    titles: list[str]
    facts: PortfolioFacts
    scores: NDArray[np.int8]
    income: PortfolioIncome
    headers: dict[str, str] = field(default_factory=dict)  # column code → the header as written

    def __len__(self) -> int:
        return len(self.ids)


class _Errors:
    def __init__(self) -> None:
        self.shown: list[CellError] = []
        self.total = 0

    def add(self, row: int, code: str, header: str, reason: str) -> None:
        self.total += 1
        if len(self.shown) < ERROR_LIMIT * 4:
            self.shown.append(CellError(row, header, reason, code))

    def raise_any(self) -> None:
        if self.total:
            errors = sorted(self.shown, key=lambda e: e.row)[:ERROR_LIMIT]
            raise PortfolioFileRejected(errors, self.total)


def _lookup() -> dict[str, str]:
    found = {code: code for code in COLUMNS} | {label: code for code, label in COLUMNS.items()}
    return found | {"分成率区间下限": "range_low", "分成率区间上限": "range_high", "经济寿命": "economic_life"}


def header_code(name: str, subs: Mapping[str, str]) -> str | None:
    """The column code of a header (``income_3`` for 收益3 or 第3年收益, ``score.stability`` for 评分.stability or
    评分.稳定性), or ``None`` when it is not a known column.

    >>> header_code("申请日", {}), header_code("第3年收益", {}), header_code("评分.稳定性", {"稳定性": "stability"})
    ('filing_date', 'income_3', 'score.stability')
    """
    name = name.strip()
    found = _lookup().get(name) or _lookup().get(name.lower())
    if found:
        return found
    for prefix in ("income_", "收益", "第"):
        rest = name.removeprefix(prefix).removesuffix("年收益")
        if rest != name and rest.isdigit() and 1 <= int(rest) <= MAX_YEARS:
            return f"income_{int(rest)}"
    for prefix in ("score.", "评分.", "评分·", "评分："):
        if name.startswith(prefix):
            sub = name[len(prefix) :].strip()
            return f"score.{subs.get(sub, sub)}"
    return None


def read_portfolio(
    name: str,
    data: bytes,
    flat: FlatProfile,
    industries: Mapping[str, IndustryRange],
    options: Options = Options(),
    *,
    max_rows: int,
) -> PortfolioFile:
    """Read and check every row of the file ``name`` (by its suffix); raises :class:`PortfolioFileRejected`."""
    suffix = PurePath(name).suffix.lower()
    if suffix in (".jsonl", ".ndjson"):
        header, rows = _json_lines(data, flat)
    elif suffix in (".csv", ".xlsx"):
        sheet = read_file(name, data)
        header, rows = [str(h or "").strip() for h in sheet.header], sheet.rows
    else:
        raise Invalid("只能读取 .xlsx、.csv 或 .jsonl（JSON lines）文件。", field="file")
    errors = _Errors()
    subs = {sub: code for code, sub in zip(flat.codes, flat.names, strict=True)} | {c: c for c in flat.codes}
    positions = _header(header, subs, flat, errors)
    errors.raise_any()
    headers = {code: header[k] for code, k in positions.items()}
    chunks: list[Chunk] = []
    batch: list[tuple[int, Sequence[Any]]] = []
    count = 0
    for line, raw in rows:
        if not any(raw) and all(c is None or (isinstance(c, str) and not c.strip()) for c in raw):
            continue
        count += 1
        if count > max_rows:
            raise PortfolioFileRejected(
                [CellError(line, "文件", f"一次最多估值 {max_rows:,} 件专利，请分批上传", "file")], 1
            )
        batch.append((line, raw))
        if len(batch) == CHUNK:
            chunks.append(parse_chunk(batch, positions, headers, flat, industries, options, errors))
            batch = []
    if batch or not chunks:
        chunks.append(parse_chunk(batch, positions, headers, flat, industries, options, errors))
    if count == 0:
        errors.add(2, "file", "文件", "文件中没有数据行")
    errors.raise_any()
    return _assemble(chunks, headers, errors)


def _header(header: list[str], subs: Mapping[str, str], flat: FlatProfile, errors: _Errors) -> dict[str, int]:
    positions: dict[str, int] = {}
    for k, name in enumerate(header):
        if not name:
            continue
        code = header_code(name, subs)
        if code is None:
            errors.add(1, name, name, "未知的列（列名见 docs/valuation.md 的“批量估值”一节）")
        elif code.startswith("score.") and code[6:] not in flat.codes:
            errors.add(1, code, name, f"评价方案“{flat.code}”中没有二级指标“{code[6:]}”")
        elif code in positions:
            errors.add(1, code, name, "列重复")
        else:
            positions[code] = k
    for code in ("id", "patent_type", "filing_date"):
        if code not in positions:
            errors.add(1, code, COLUMNS[code], "缺少必填列")
    if not any(c.startswith("income_") for c in positions):
        errors.add(1, "income_1", "income_1", "缺少收益额列（income_1、income_2……）")
    return positions


def _json_lines(data: bytes, flat: FlatProfile) -> tuple[list[str], Iterable[tuple[int, Sequence[Any]]]]:
    """JSON lines as a header (every known column, the income years up to the longest ``amounts``, every score) and
    rows. The lines are parsed twice (once for the width, once for the rows) rather than held in memory."""
    try:
        content = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise Invalid("JSON lines 文件须为 UTF-8 编码。", field="file") from None
    bad: list[CellError] = []
    width = 0
    for line, obj in _objects(content):
        amounts = obj.get("amounts") if isinstance(obj, dict) else None
        if not isinstance(obj, dict):
            bad.append(CellError(line, "行", "每行须为一个 JSON 对象", "line"))
        elif not isinstance(amounts, list) or not 1 <= len(amounts) <= MAX_YEARS:
            bad.append(CellError(line, "amounts", f"须为收益额列表（1 至 {MAX_YEARS} 年）", "amounts"))
        else:
            width = max(width, len(amounts))
    if bad:
        raise PortfolioFileRejected(bad[:ERROR_LIMIT], len(bad))
    header = [*COLUMNS, *(f"income_{t}" for t in range(1, width + 1)), *(f"score.{c}" for c in flat.codes)]
    index = {h: k for k, h in enumerate(header)}

    def unknown(line: int, key: str) -> PortfolioFileRejected:
        return PortfolioFileRejected([CellError(line, key[:40], "未知的字段", key[:40])], 1)

    def rows() -> Iterator[tuple[int, list[Any]]]:
        for line, obj in _objects(content):
            row: list[Any] = [None] * len(header)
            for key, value in obj.items():
                if key == "amounts":
                    for t, amount in enumerate(value, start=1):
                        row[index[f"income_{t}"]] = _json_cell(amount)
                elif key == "scores" and isinstance(value, dict):
                    for code, level in value.items():
                        if f"score.{code}" not in index:
                            raise unknown(line, f"scores.{code}")
                        row[index[f"score.{code}"]] = _json_cell(level)
                elif key in index and not key.startswith("income_"):
                    row[index[key]] = _json_cell(value)
                else:
                    raise unknown(line, str(key))
            yield line, row

    return header, rows()


def _objects(content: str) -> Iterator[tuple[int, Any]]:
    for line, text in enumerate(content.splitlines(), start=1):
        if text.strip():
            try:
                yield line, json.loads(text)
            except (json.JSONDecodeError, RecursionError):
                raise PortfolioFileRejected([CellError(line, "行", "不是有效的 JSON", "line")], 1) from None


def _json_cell(value: Any) -> Any:
    """A JSON value as a cell: ``true``/``false`` stay words (a boolean is not a number); lists and objects are bad."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | dict):
        return "（列表或对象）"
    return value


def _assemble(chunks: list[Chunk], headers: dict[str, str], errors: _Errors) -> PortfolioFile:
    width = max(c.amounts.shape[1] for c in chunks)
    amounts = np.concatenate([np.pad(c.amounts, ((0, 0), (0, width - c.amounts.shape[1]))) for c in chunks])
    facts = PortfolioFacts(**{f: np.concatenate([getattr(c.facts, f) for c in chunks]) for f in _FACT_FIELDS})
    lines = np.concatenate([c.lines for c in chunks])
    count = np.concatenate([c.count for c in chunks])
    years = np.concatenate([c.years for c in chunks])
    life = np.concatenate([c.life for c in chunks])
    derived = years < 0
    if derived.any():
        remaining = remaining_years_of(facts.patent_type, facts.filing_date, facts.as_of)
        by_life = np.floor(np.minimum(remaining, np.where(np.isnan(life), np.inf, life)))
        years = np.where(derived, np.where(np.isnan(life), count, by_life), years).astype(np.int64)
    for k in np.flatnonzero(years > count)[: ERROR_LIMIT * 2]:
        how = "按剩余保护期与经济寿命算得" if derived[k] else ""
        errors.add(int(lines[k]), "years", headers.get("years", "years"),
                   f"{how}收益年限 {years[k]} 年超过已填收益额的 {count[k]} 年")  # fmt: skip
    errors.total += max(0, int((years > count).sum()) - ERROR_LIMIT * 2)
    errors.raise_any()
    income = PortfolioIncome(amounts, years, *(np.concatenate([getattr(c, f) for c in chunks]) for f in _INCOME_FIELDS))
    ids = [i for c in chunks for i in c.ids]
    titles = [t for c in chunks for t in c.titles]
    return PortfolioFile(lines, ids, titles, facts, np.concatenate([c.scores for c in chunks]), income, headers)


_FACT_FIELDS = tuple(PortfolioFacts.__dataclass_fields__)
_INCOME_FIELDS = ("tax_rate", "discount_rate", "share_rate_decay", "mid_year", "range_low", "range_high")
__all__ = [
    "CHUNK",
    "COLUMNS",
    "ERROR_LIMIT",
    "CellError",
    "Options",
    "PortfolioFile",
    "PortfolioFileRejected",
    "header_code",
    "read_portfolio",
]
