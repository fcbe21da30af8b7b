"""The permission walk's vocabulary: how to call a route (``Call``) and what each kind of caller must get (``Case``).

The walk itself is tests/e2e/test_route_permissions.py; each area's cases live in ``tests.support.walk_cases``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

Ids = dict[str, Any]


@dataclass(frozen=True)
class Call:
    method: str
    url: str
    data: dict[str, Any] | None = None
    json: Any = None
    files: dict[str, Any] | None = None
    content: str | None = None


@dataclass(frozen=True)
class Case:
    """How to call a route and what each kind of caller must get."""

    action: str | None  # None: any logged-in user; "public": no login needed
    call: Callable[[Ids], Call]
    granted: str = "admin"  # a user holding the action over the 凤凰县 record
    ok: tuple[int, ...] = (200,)
    outsider: str | None = None  # holds the action, not over that record (None: no record scope applies)
    out_status: tuple[int, ...] = (404,)
    hidden: Callable[[Ids], str] | None = None  # for lists: text that must not reach the outsider
    notes: str = ""
    api: bool = field(default=False)
