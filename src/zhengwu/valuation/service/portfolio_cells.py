"""Reading the cells of a portfolio file column by column into NumPy arrays: one fast pass with a built-in
conversion per column (``float``, ``int``, a dict lookup), and, only for a column where that fails, a second pass
cell by cell that says which cell is wrong and why (:class:`Bad`). Cells are text (from a CSV file) or the values an
``.xlsx`` sheet or a JSON line holds (numbers, booleans, dates, ``None``).

>>> values, errors = integers(["3", "", "x", "-2"], least=0, unknown=-1)
>>> values.tolist(), [(k, str(e)) for k, e in errors]
([3, -1, -1, -1], [(2, '“x”不是整数'), (3, '须为不小于 0 的整数')])
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from typing import Any

import numpy as np
from numpy.typing import NDArray

Errors = list[tuple[int, "Bad"]]  # (position in the column, why)
_DAY = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")
YES = frozenset({"是", "有", "1", "true", "yes", "y"})
NO = frozenset({"否", "无", "", "0", "false", "no", "n"})


class Bad(Exception):
    """Why a cell is wrong (becomes an error naming the row and the column)."""


def text(cell: object) -> str:
    """A cell as trimmed text: ``None`` is empty, a whole float loses its ``.0``, a date is ``YYYY-MM-DD``.

    >>> text(None), text(12.0), text(0.25), text(True), text(datetime(2024, 6, 30, 0, 0)), text(" a ")
    ('', '12', '0.25', 'true', '2024-06-30', 'a')
    """
    if cell is None:
        return ""
    if isinstance(cell, str):
        return cell.strip()
    if isinstance(cell, bool):
        return "true" if cell else "false"
    if isinstance(cell, float) and cell.is_integer() and abs(cell) < 1e15:
        return str(int(cell))
    if isinstance(cell, datetime):
        return cell.date().isoformat()
    if isinstance(cell, date):
        return cell.isoformat()
    return str(cell).strip()


def _slow(cells: Sequence[Any], parse: Callable[[str], Any], placeholder: Any) -> tuple[list[Any], Errors]:
    values, errors = [], []
    for k, cell in enumerate(cells):
        try:
            values.append(parse(text(cell)))
        except Bad as exc:
            errors.append((k, exc))
            values.append(placeholder)
    return values, errors


Bounds = tuple[float, float, bool, str]  # low, high, whether high is left out, the message when outside


def floats(
    cells: Sequence[Any], *, default: float | None, label: str = "数", within: Bounds | None = None
) -> tuple[NDArray[np.float64], Errors]:
    """Finite numbers (``25%`` is 0.25), within ``within`` when given; a blank cell is ``default`` (``None``:
    required).

    >>> values, errors = floats(["0.25", "25%", "1", ""], default=0.0, within=(0, 1, True, "须在 [0, 1) 之间"))
    >>> values.tolist(), [(k, str(e)) for k, e in errors]
    ([0.25, 0.25, 0.0, 0.0], [(2, '须在 [0, 1) 之间，现为 1')])
    """

    def inside(x: NDArray[np.float64]) -> bool:
        if within is None:
            return True
        low, high, open_, _ = within
        return bool(((x >= low) & ((x < high) if open_ else (x <= high))).all())

    def one(s: str) -> float:
        if not s:
            if default is None:
                raise Bad("请填写")
            return default
        try:
            x = float(s.rstrip("%")) / 100 if s.endswith("%") else float(s)
        except ValueError:
            raise Bad(f"“{s[:30]}”不是{label}") from None
        if not math.isfinite(x):
            raise Bad(f"“{s[:30]}”不是有限的数")
        if within is not None and not inside(np.array([x])):
            raise Bad(f"{within[3]}，现为 {s[:30]}")
        return x

    try:
        blank = [c is None or c == "" for c in cells]
        if default is None or not any(blank):
            values = np.array([float(c) for c in cells], dtype=np.float64)
        else:
            values = np.array([default if b else float(c) for b, c in zip(blank, cells, strict=True)], dtype=np.float64)
        finite = np.isfinite(values)
        only_blanks = finite.all() or (not np.isinf(values).any() and int((~finite).sum()) == sum(blank))
        if only_blanks and inside(values[finite]):
            return values, []  # every NaN is a blank cell's default
    except (TypeError, ValueError):
        pass
    got, errors = _slow(cells, one, 0.0)
    return np.array(got, dtype=np.float64), errors


def integers(cells: Sequence[Any], *, least: int, unknown: int | None) -> tuple[NDArray[np.int64], Errors]:
    """Whole numbers not below ``least``; a blank cell is ``unknown`` (``None``: required)."""

    def one(s: str) -> int:
        if not s:
            if unknown is None:
                raise Bad("请填写")
            return unknown
        try:
            x = float(s)
        except ValueError:
            raise Bad(f"“{s[:30]}”不是整数") from None
        if not x.is_integer():
            raise Bad(f"“{s[:30]}”不是整数")
        if x < least or x > 2**31:
            raise Bad(f"须为不小于 {least} 的整数")
        return int(x)

    try:
        if not any(type(c) is float for c in cells):  # int("12.5") fails, int(12.5) would cut it
            blank = -(2**62)  # a blank cell, told apart from a number written in the cell
            if unknown is None:
                values = np.array([int(c) for c in cells], dtype=np.int64)
            else:
                values = np.array([blank if c is None or c == "" else int(c) for c in cells], dtype=np.int64)
            given = values[values != blank]
            if given.size == 0 or (given.min() >= least and given.max() <= 2**31):
                return np.where(values == blank, unknown if unknown is not None else 0, values), []
    except (TypeError, ValueError, OverflowError):
        pass
    got, errors = _slow(cells, one, unknown if unknown is not None else 0)
    return np.array(got, dtype=np.int64), errors


def choices(
    cells: Sequence[Any], lookup: Mapping[str, int], *, default: int | None, names: str
) -> tuple[NDArray[np.int8], Errors]:
    """Codes or Chinese labels (``lookup``: lower-case text → index); a blank cell is ``default``."""

    def one(s: str) -> int:
        if not s:
            if default is None:
                raise Bad(f"请填写（可选：{names}）")
            return default
        found = lookup.get(s.lower())
        if found is None:
            raise Bad(f"“{s[:30]}”无效，可选：{names}")
        return found

    try:
        return np.array([lookup[c] for c in cells], dtype=np.int8), []
    except (KeyError, TypeError):
        got, errors = _slow(cells, one, 0)
        return np.array(got, dtype=np.int8), errors


def yes_no(cells: Sequence[Any]) -> tuple[NDArray[np.bool_], Errors]:
    """是 / 否 (or true/false, 1/0, yes/no); blank is no."""

    def one(s: str) -> bool:
        if s.lower() in YES:
            return True
        if s.lower() in NO:
            return False
        raise Bad(f"“{s[:30]}”应填 是 或 否")

    got, errors = _slow(cells, one, False)
    return np.array(got, dtype=bool), errors


def dates(cells: Sequence[Any], *, default: date | None, label: str) -> tuple[NDArray[np.datetime64], Errors]:
    """Dates as ``YYYY-MM-DD`` (also 2024/6/30 or 2024年6月30日, or an Excel date); blank is ``default``."""

    def one(s: str) -> date:
        if not s:
            if default is None:
                raise Bad(f"请填写{label}（YYYY-MM-DD）")
            return default
        found = _DAY.fullmatch(s)
        if found is None:
            raise Bad(f"{label}“{s[:30]}”应为日期，格式 YYYY-MM-DD")
        try:
            return date(int(found[1]), int(found[2]), int(found[3]))
        except ValueError:
            raise Bad(f"{label}“{s[:30]}”不是有效的日期") from None

    try:
        if all(isinstance(c, str) and len(c) == 10 and c[4] == "-" == c[7] for c in cells):
            return np.array([date.fromisoformat(c) for c in cells], dtype="datetime64[D]"), []
    except ValueError:
        pass
    got, errors = _slow(cells, one, None)  # NaT: compares false with every date
    return np.array(got, dtype="datetime64[D]"), errors


def levels(cells: Sequence[Any], ladder: Sequence[int], name: str) -> tuple[NDArray[np.int8], Errors]:
    """Expert scores: levels of the sub-indicator ``name``'s ``ladder``; blank is −1 (not scored).

    >>> values, errors = levels(["4", "", 5, "x"], (0, 2, 4, 6, 8, 10), "稳定性")
    >>> values.tolist(), [str(e) for _, e in errors]
    ([4, -1, -1, -1], ['“稳定性”的评分须为评分档次之一（0、2、4、6、8、10），现为“5”', '“x”不是整数'])
    """
    shown = "、".join(str(v) for v in ladder)

    def one(s: str) -> int:
        if not s:
            return -1
        try:
            x = float(s)
        except ValueError:
            raise Bad(f"“{s[:30]}”不是整数") from None
        if not x.is_integer() or int(x) not in ladder:
            raise Bad(f"“{name}”的评分须为评分档次之一（{shown}），现为“{s[:30]}”")
        return int(x)

    try:
        values = np.array([_LEVELS[c] for c in cells], dtype=np.int8)
        if np.isin(values[values >= 0], ladder).all():
            return values, []
    except (KeyError, TypeError):
        pass
    got, errors = _slow(cells, one, -1)
    return np.array(got, dtype=np.int8), errors


#: The cells a score column usually holds (text, or numbers from a sheet: 8.0 looks up as 8), for the fast pass.
_LEVELS: dict[object, int] = {"": -1, None: -1} | {str(v): v for v in range(11)} | {v: v for v in range(11)}


def texts(cells: Sequence[Any], *, required: bool, limit: int, label: str) -> tuple[list[str], Errors]:
    def one(s: str) -> str:
        if required and not s:
            raise Bad(f"请填写{label}")
        if len(s) > limit:
            raise Bad(f"{label}不能超过 {limit} 个字")
        return s

    return _slow(cells, one, "")
