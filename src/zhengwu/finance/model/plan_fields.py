"""The field readers of the plan contract (:mod:`zhengwu.finance.model.plan`): each returns a checked value or
raises ``Invalid`` with a Chinese message naming the field as the contract writes it (``loans[2].pd_annual``).
A bool is not a number; NaN, infinities and magnitudes above :data:`MAX_NUMBER` are refused."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from zhengwu.core.errors import Invalid

MAX_PERIODS = 600  # 50 years of months; a longer plan is a unit mistake
MAX_NUMBER = 1e15  # any amount above this is a unit mistake; keeps every sum finite
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def read_object(value: Any, field: str, label: str) -> Mapping[str, Any]:
    if value is None:
        raise Invalid(f"请填写{label}。", field=field or None)
    if not isinstance(value, Mapping):
        raise Invalid(f"{label}须为 JSON 对象。", field=field or None)
    return value


def read_list(data: Mapping[str, Any], key: str, label: str) -> Sequence[Any]:
    value = data.get(key)
    if isinstance(value, str | bytes) or not isinstance(value, Sequence) or not value:
        raise Invalid(f"{label}须为非空列表。", field=key)
    return value


def reject_unknown(data: Mapping[str, Any], known: set[str], prefix: str) -> None:
    for key in data:
        if key not in known:
            raise Invalid(f"无法识别的字段“{key}”。", field=f"{prefix}{key}")


def check_unique(ids: list[str], field: str, label: str) -> None:
    seen = {x for x in ids if ids.count(x) > 1}
    if seen:
        raise Invalid(f"{label}重复：{'、'.join(sorted(seen))}。", field=field)


def read_text(data: Mapping[str, Any], key: str, field: str, label: str) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value.strip():
        raise Invalid(f"请填写{label}（文字）。", field=field)
    return value


def as_number(value: Any, field: str, label: str) -> float:
    if value is None:
        raise Invalid(f"请填写{label}。", field=field)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise Invalid(f"{label}须为数字。", field=field)
    if abs(value) > MAX_NUMBER or not math.isfinite(value):
        raise Invalid(f"{label}须为有限的数字（不超过 1e15）。", field=field)
    return float(value)


def read_number(data: Mapping[str, Any], key: str, field: str, label: str) -> float:
    return as_number(data.get(key), field, label)


def check_range(value: float, field: str, label: str, upper: float, upper_open: bool) -> float:
    if value < 0 or value > upper or (upper_open and value == upper):
        raise Invalid(f"{label}须在 [0, {upper:g}{')' if upper_open else ']'} 之间，现为 {value:g}。", field=field)
    return value


def read_fraction(data: Mapping[str, Any], key: str, field: str, label: str, *, upper_open: bool = False) -> float:
    return check_range(read_number(data, key, field, label), field, label, 1.0, upper_open)


def read_nonnegative(data: Mapping[str, Any], key: str, field: str, label: str) -> float:
    value = read_number(data, key, field, label)
    if value < 0:
        raise Invalid(f"{label}不能为负数，现为 {value:g}。", field=field)
    return value


def read_rate(data: Mapping[str, Any], key: str, field: str, label: str) -> float:
    """An annual rate: finite, in [0, 1] (100 % a year is the ceiling of any loan, coupon or fee here)."""
    return read_fraction(data, key, field, label)


def read_positive(data: Mapping[str, Any], key: str, field: str, label: str) -> float:
    value = read_number(data, key, field, label)
    if value <= 0:
        raise Invalid(f"{label}须大于 0，现为 {value:g}。", field=field)
    return value


def read_integer(data: Mapping[str, Any], key: str, field: str, label: str, least: int) -> int:
    value = data.get(key)
    if value is None:
        raise Invalid(f"请填写{label}。", field=field)
    if isinstance(value, bool) or not isinstance(value, int):
        raise Invalid(f"{label}须为整数。", field=field)
    if value < least or value > MAX_PERIODS:
        raise Invalid(f"{label}须为 {least} 至 {MAX_PERIODS} 之间的整数，现为 {value}。", field=field)
    return value


def read_period(value: Any, field: str, final: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise Invalid("违约期须为整数（第几期）。", field=field)
    if not 1 <= value <= final:
        raise Invalid(f"违约期须在第 1 至 {final} 期之间，现为 {value}。", field=field)
    return value


def read_date(value: Any) -> date:
    if not isinstance(value, str) or not _DATE.fullmatch(value):
        raise Invalid("成立日须为 YYYY-MM-DD 格式的日期。", field="closing_date")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise Invalid(f"成立日“{value}”不是有效日期。", field="closing_date") from None
