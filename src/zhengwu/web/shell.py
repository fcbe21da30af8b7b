"""What a package contributes to the web shell: routers, navigation entries, templates, to-do providers."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from fastapi import APIRouter

from zhengwu.core.todo import TodoProvider


@dataclass(frozen=True)
class NavItem:
    label: str
    href: str
    action: str | None  # shown only to principals holding this action (None: every logged-in user)
    group: str = "业务"


@dataclass(frozen=True)
class Module:
    name: str
    routers: list[APIRouter] = field(default_factory=list)
    nav: list[NavItem] = field(default_factory=list)
    templates: Path | None = None
    todos: list[TodoProvider] = field(default_factory=list)
