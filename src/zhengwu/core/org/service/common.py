"""What every org use case shares: the permission gate, optimistic locking and the checks of form text."""

from __future__ import annotations

import re
from typing import Any

from zhengwu.core.errors import Conflict, Forbidden, Invalid
from zhengwu.core.org.model import ACTIONS, Principal, UnitKind

CODE_RE = re.compile(r"^[A-Za-z0-9_.\-]{1,64}$")


def require(principal: Principal | None, action: str) -> Principal:
    """The principal, if they hold ``action`` at all (pages that only offer a form check this)."""
    if principal is None or not principal.has(action):
        raise Forbidden(f"您没有“{ACTIONS.get(action, action)}”的权限。")
    return principal


def expect_version(record: Any, version: int | None) -> None:
    """Optimistic locking for forms: the version the user loaded must still be current."""
    if version is not None and record.version != version:
        raise Conflict(
            f"该记录已被他人修改（您编辑的是第 {version} 版，当前为第 {record.version} 版），"
            "您的修改未保存。请刷新页面查看最新内容后重新提交。"
        )


def touch(record: Any) -> None:
    """Count a change that lives in another table (a user's roles, a role's grants) as an edit of ``record``.

    Setting the version counter by hand makes SQLAlchemy emit ``UPDATE … SET version = n + 1 WHERE version = n``,
    so a concurrent edit still conflicts, without marking a column as changed (which would lose its old value
    in the audit log).
    """
    record.version = record.version + 1


def _text(value: str | None, field: str, label: str, max_len: int) -> str:
    value = (value or "").strip()
    if not value:
        raise Invalid(f"请填写{label}。", field=field)
    if len(value) > max_len:
        raise Invalid(f"{label}不能超过 {max_len} 个字符。", field=field)
    return value


def parse_kind(value: str, field: str = "kind") -> UnitKind:
    for k in UnitKind:
        if value.strip() in (k.value, k.label):
            return k
    raise Invalid(f"单位类型“{value}”无效，可选：{'、'.join(k.label for k in UnitKind)}。", field=field)
