"""What the finding and item step handlers share: the local day, reading a step's ``data`` (strings from a form or
typed JSON values) with a Chinese message naming the field, and refusing fields a step does not take."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, tzinfo
from typing import Any

from zhengwu.core.db import UnitOfWork
from zhengwu.core.errors import Invalid
from zhengwu.core.matters.registry import Kind


def local_today(uow: UnitOfWork, tz: tzinfo) -> date:
    """Today in the platform's time zone (the clock keeps UTC)."""
    today: date = uow.clock.now().astimezone(tz).date()
    return today


def text(value: Any, field: str, label: str, max_len: int, *, required: bool = True) -> str:
    """A text field, stripped; ``Invalid`` naming ``field`` when missing (if required), too long, not text or
    holding control characters other than line breaks.

    >>> text(" 整改 ", "measure", "整改措施", 10)
    '整改'
    >>> text("", "measure", "整改措施", 10)
    Traceback (most recent call last):
    ...
    zhengwu.core.errors.Invalid: 请填写整改措施。
    """
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise Invalid(f"{label}应为文字。", field=field)
    out = str(value).strip()
    if required and not out:
        raise Invalid(f"请填写{label}。", field=field)
    if len(out) > max_len or any(not ch.isprintable() and ch not in "\r\n\t" for ch in out):
        raise Invalid(f"{label}不能超过 {max_len} 个字，且不能含控制字符。", field=field)
    return out


def day(value: Any, field: str, label: str) -> date | None:
    """A date: a ``date`` or ``YYYY-MM-DD`` text; empty → None.

    >>> day("2024-08-20", "due_on", "整改期限"), day("", "due_on", "整改期限")
    (datetime.date(2024, 8, 20), None)
    >>> day("20240820", "due_on", "整改期限")
    Traceback (most recent call last):
    ...
    zhengwu.core.errors.Invalid: 整改期限应为有效日期（如 2024-08-20）。
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, date):
        return value
    if isinstance(value, str) and len(value.strip()) == 10:
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise Invalid(f"{label}应为有效日期（如 2024-08-20）。", field=field)


def check_fields(kind: Kind, action: str, data: Mapping[str, Any], allowed: Mapping[str, frozenset[str]]) -> None:
    """Refuse an unknown action, and any field the action does not take (``attachments`` is always accepted: the
    generic act form sends it)."""
    if action not in allowed:
        raise Invalid(f"未知的办理动作“{action}”，可选：{'、'.join(allowed)}。", field="action")
    for name in data:
        if name != "attachments" and name not in allowed[action]:
            raise Invalid(f"“{kind.spec.action_label(action)}”不接受字段“{name}”。", field=name)
