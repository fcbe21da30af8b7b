"""Checking the rows of a matters import: the header, every cell, and the rules between cells.

Times are local (Asia/Shanghai) unless they carry an offset. A bare date means the start of that day (the end of it
for ``due_at``); a bare resolution or closing date on the day of receipt is taken as no earlier than the receipt.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, tzinfo
from decimal import Decimal, InvalidOperation
from enum import Enum
from typing import Any

from sqlalchemy import Column, inspect

from zhengwu.core.imports import ImportRejected, RowError
from zhengwu.core.matters.model import KindSpec, Priority
from zhengwu.core.matters.registry import Kind
from zhengwu.core.matters.service import DEFAULT_TZ
from zhengwu.core.matters.tables import Matter

#: The engine's columns (field → Chinese header); a header may use either name.
COLUMNS = {
    "key": "导入编号",
    "title": "标题",
    "body": "内容",
    "owner_unit": "责任单位编码",
    "received_at": "收到时间",
    "due_at": "期限",
    "status": "状态",
    "resolved_at": "办结时间",
    "closed_at": "关闭时间",
    "priority": "优先级",
    "channel": "渠道",
}
REQUIRED = ("key", "title", "owner_unit", "received_at", "status")
LIMITS = {"key": 200, "title": 200, "body": 20000, "channel": 32}
PRIORITIES = {p.value: p for p in Priority} | {p.label: p for p in Priority}
BOOLEANS = dict.fromkeys(("1", "true", "yes", "y", "是"), True) | dict.fromkeys(("0", "false", "no", "n", "否"), False)
_DAY = re.compile(
    r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:\s*T?\s*(\d{1,2}):(\d{1,2})(?::(\d{1,2}))?)?"
)

Moment = tuple[datetime, bool]  # an instant (UTC) and whether only a date was given


class Bad(Exception):
    """Why a cell is wrong (becomes a RowError naming the row and the column)."""


@dataclass(slots=True)
class Row:
    """A checked row: what the engine's columns and the kind's own columns will hold."""

    line: int
    key: str
    title: str
    body: str
    unit_id: int
    received_at: datetime
    due_at: datetime | None
    status: str
    resolved_at: datetime | None
    closed_at: datetime | None
    priority: Priority
    channel: str
    extra: tuple[Any, ...]  # in kind_columns() order


def kind_columns(kind: Kind) -> list[Column[Any]]:
    """The columns of the kind's own table that a file may fill (all but the key joining it to ``matters``)."""
    table = inspect(kind.table).local_table
    if table is Matter.__table__:
        return []
    return [c for c in table.columns if not c.primary_key]  # type: ignore[misc]


Cell = str | date  # a cleaned cell: stripped text, or an Excel date cell's date or (naive) date-time


def clean(value: Any) -> Cell:
    """A cell as stripped text, or as the date of an Excel date cell (a number typed as 123 reads "123").

    >>> clean(" 甲 "), clean(None), clean(1001.0), clean(2.5)
    ('甲', '', '1001', '2.5')
    """
    if isinstance(value, str):
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, date):
        return value
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def moment(value: Cell, tz: tzinfo, *, end_of_day: bool = False) -> Moment:
    """An instant from a cell (text, or an Excel date cell whose midnight means a bare date).

    >>> from zoneinfo import ZoneInfo
    >>> moment("2024/6/20 9:30", ZoneInfo("Asia/Shanghai"))[0].isoformat()
    '2024-06-20T01:30:00+00:00'
    >>> moment("2024年6月20日", ZoneInfo("Asia/Shanghai"), end_of_day=True)
    (datetime.datetime(2024, 6, 20, 15, 59, 59, 999999, tzinfo=datetime.timezone.utc), True)
    """
    if isinstance(value, datetime):
        when, only_date = value, value.tzinfo is None and value.time() == time()
    elif isinstance(value, date):
        when, only_date = datetime.combine(value, time()), True
    else:
        try:
            when, only_date = datetime.fromisoformat(value), len(value) <= 10
        except ValueError:
            m = _DAY.fullmatch(value)
            try:
                if m is None:
                    raise ValueError(value) from None
                y, mo, d, h, mi, s = (int(g) if g else 0 for g in m.groups())
                when, only_date = datetime(y, mo, d, h, mi, s), m.group(4) is None
            except ValueError:
                raise Bad(f"“{value}”不是有效的日期或时间，应为 YYYY-MM-DD 或 YYYY-MM-DD HH:MM") from None
    if only_date and end_of_day:
        when = datetime.combine(when.date(), time.max)
    if when.tzinfo is None:
        when = when.replace(tzinfo=tz)
    return when.astimezone(UTC), only_date


def _str(value: Cell) -> str:
    return value if isinstance(value, str) else str(value)


def choice(value: Cell, choices: dict[str, Any]) -> Any:
    try:
        return choices[_str(value)]
    except KeyError:
        shown = "、".join(dict.fromkeys(str(k) for k in choices))
        raise Bad(f"“{value}”不是可选值，可选：{shown}") from None


def limited(value: Cell, limit: int) -> str:
    text = _str(value)
    if len(text) > limit or "\x00" in text:
        raise Bad(f"不能超过 {limit} 个字，且不能含控制字符")
    return text


def typed(column: Column[Any], tz: tzinfo) -> Callable[[Cell], Any]:
    """The parser of a non-empty cell for a column of the kind's own table, by the column's Python type."""
    try:
        kind = column.type.python_type
    except NotImplementedError:
        kind = object
    if kind is str:
        limit = getattr(column.type, "length", None) or LIMITS["body"]
        return lambda v: limited(v, limit)
    if kind is bool:
        return lambda v: choice(_str(v).lower(), BOOLEANS)
    if issubclass(kind, Enum):
        choices = {m.value: m for m in kind} | {getattr(m, "label", m.value): m for m in kind}
        return lambda v: choice(v, choices)
    if kind is datetime:
        return lambda v: moment(v, tz)[0]
    if kind is date:
        return lambda v: moment(v, tz)[0].astimezone(tz).date()
    if kind in (int, float, Decimal):
        return lambda v: _number(kind, v)
    return _unsupported


def _unsupported(value: Cell) -> Any:
    raise Bad("该列的数据类型不支持从文件导入，请留空")


def _number(kind: type[Any], value: Cell) -> Any:
    try:
        return kind(value)
    except (ValueError, TypeError, InvalidOperation):
        raise Bad(f"“{value}”不是有效的数字") from None


def _required(column: Column[Any]) -> bool:
    return not column.nullable and column.default is None and column.server_default is None


class RowParser:
    """Checks rows against the header, the kind's workflow and own columns, the known units and the present time.

    ``units`` maps every unit code to its id; ``forbidden_units`` are codes the importer may not register matters
    for. Keys are remembered across rows: a key met again is a bad row naming the first one.
    """

    def __init__(
        self,
        spec: KindSpec,
        columns: list[Column[Any]],
        header: Sequence[str],
        units: dict[str, int],
        now: datetime,
        tz: tzinfo = DEFAULT_TZ,
        forbidden_units: frozenset[str] = frozenset(),
    ) -> None:
        self.spec, self.columns, self.units, self.now, self.tz = spec, columns, units, now, tz
        self.forbidden = forbidden_units
        wf = spec.workflow
        self.states = {s: s for s in wf.states} | {wf.label(s): s for s in wf.states}
        self.index, self.names = self._header(header)
        self.extras = [(c, self.index.get(c.name), typed(c, tz)) for c in columns]
        checks: dict[str, Callable[[Cell], Any]] = {
            "key": lambda v: self._text(v, "key"),
            "title": lambda v: self._text(v, "title"),
            "body": lambda v: self._text(v, "body"),
            "channel": lambda v: self._text(v, "channel"),
            "owner_unit": self._unit,
            "status": lambda v: choice(self._need(v), self.states),
            "priority": lambda v: choice(v, PRIORITIES) if v else Priority.NORMAL,
            "received_at": lambda v: self._past(moment(self._need(v), tz)),
            "due_at": lambda v: moment(v, tz, end_of_day=True) if v else None,
            "resolved_at": lambda v: self._past(moment(v, tz)) if v else None,
            "closed_at": lambda v: self._past(moment(v, tz)) if v else None,
        }
        self.checks = [(field, self.index.get(field), check) for field, check in checks.items()]
        self.seen: dict[str, int] = {}

    def _header(self, header: Sequence[str]) -> tuple[dict[str, int], dict[str, str]]:
        aliases = {f: f for f in COLUMNS} | {zh: f for f, zh in COLUMNS.items()}
        aliases |= {c.name.lower(): c.name for c in self.columns}
        aliases |= {c.info["label"]: c.name for c in self.columns if c.info.get("label")}
        names = COLUMNS | {c.name: c.info.get("label") or c.name for c in self.columns}
        index: dict[str, int] = {}
        errors = []
        for i, raw in enumerate(header):
            name = _str(clean(raw))
            field = aliases.get(name) or aliases.get(name.lower())
            if not name:
                continue  # a blank header cell (Excel often carries a few)
            if field is None:
                known = "、".join([*(f"{f}（{zh}）" for f, zh in COLUMNS.items()), *(c.name for c in self.columns)])
                errors.append(RowError(1, name, f"无法识别的列名；可用的列：{known}"))
            elif field in index:
                errors.append(RowError(1, name, f"与第 {index[field] + 1} 列重复"))
            else:
                index[field], names[field] = i, name
        for f in [*REQUIRED, *(c.name for c in self.columns if _required(c))]:
            if f not in index:
                errors.append(RowError(1, names[f], f"缺少必需的列（表头写作“{f}”或“{names[f]}”均可）"))
        if errors:
            raise ImportRejected(errors)
        return index, names

    def parse(self, line: int, raw: Sequence[Any]) -> Row | list[RowError] | None:
        """The checked row, the errors of a bad one, or None for a blank row."""
        cells = [c.strip() if isinstance(c, str) else clean(c) for c in raw]
        if not any(cells):
            return None
        size = len(cells)
        errors: list[RowError] = []
        got: dict[str, Any] = {}
        for field, i, check in self.checks:
            try:
                got[field] = check(cells[i] if i is not None and i < size else "")
            except Bad as exc:
                errors.append(RowError(line, self.names[field], str(exc)))
                got[field] = None
        status, received = got["status"], got["received_at"]
        if status is not None:
            wf = self.spec.workflow
            for field, wanted in (("resolved_at", wf.is_resolved(status)), ("closed_at", wf.is_closed(status))):
                i = self.index.get(field)
                given = i is not None and i < size and bool(cells[i])
                if wanted != given:
                    must = "必须填写" if wanted else "不应填写"
                    errors.append(RowError(line, self.names[field], f"状态为“{wf.label(status)}”时{must}"))
        due = self._after(line, errors, "due_at", got["due_at"], received, "收到时间")
        resolved = self._after(line, errors, "resolved_at", got["resolved_at"], received, "收到时间")
        floor, floor_label = (resolved, "办结时间") if resolved else (received, "收到时间")
        closed = self._after(line, errors, "closed_at", got["closed_at"], floor, floor_label)
        extra = tuple(self._extra(line, errors, column, index, parse, cells) for column, index, parse in self.extras)
        key = got["key"]
        if key and key in self.seen:
            errors.append(RowError(line, self.names["key"], f"导入编号“{key}”与第 {self.seen[key]} 行重复"))
        elif key:
            self.seen[key] = line
        if errors:
            return errors
        return Row(
            line, key, got["title"], got["body"], got["owner_unit"], received[0], due and due[0], status,
            resolved and resolved[0], closed and closed[0], got["priority"], got["channel"], extra,
        )  # fmt: skip

    def _text(self, value: Cell, field: str) -> str:
        text = limited(value, LIMITS[field])
        if not text and field in REQUIRED:
            raise Bad("必须填写")
        return text

    @staticmethod
    def _need(value: Cell) -> Cell:
        if not value:
            raise Bad("必须填写")
        return value

    def _unit(self, value: Cell) -> int:
        code = _str(self._need(value))
        if code not in self.units:
            raise Bad(f"单位编码“{code}”不存在")
        if code in self.forbidden:
            raise Bad(f"您无权为单位“{code}”登记此类事项")
        return self.units[code]

    def _past(self, when: Moment) -> Moment:
        if when[0] > self.now:
            raise Bad("不能晚于当前时间")
        return when

    def _after(
        self, line: int, errors: list[RowError], field: str, value: Moment | None, floor: Moment | None, label: str
    ) -> Moment | None:
        """``value`` checked not to precede ``floor``; a bare date on the floor's own day is raised to the floor."""
        if value is None or floor is None or value[0] >= floor[0]:
            return value
        if (value[1] or floor[1]) and value[0].astimezone(self.tz).date() == floor[0].astimezone(self.tz).date():
            return floor[0], value[1]
        errors.append(RowError(line, self.names[field], f"不能早于{label}"))
        return value

    def _extra(
        self,
        line: int,
        errors: list[RowError],
        column: Column[Any],
        index: int | None,
        parse: Callable[[Cell], Any],
        cells: Sequence[Cell],
    ) -> Any:
        value = cells[index] if index is not None and index < len(cells) else ""
        try:
            if value:
                return parse(value)
            if column.nullable:
                return None
            if column.default is not None and column.default.is_scalar:
                return column.default.arg  # type: ignore[attr-defined]
            raise Bad("必须填写")
        except Bad as exc:
            errors.append(RowError(line, self.names[column.name], str(exc)))
            return None
