"""The personal to-do list: each package contributes providers that list what a user must do now."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.orm import Session

from zhengwu.core.calendar.model import WorkingCalendar
from zhengwu.core.labels import LabelledEnum
from zhengwu.core.org.model import Principal


class Urgency(LabelledEnum):
    OVERDUE = "overdue", "已逾期"
    SOON = "soon", "即将到期"
    NORMAL = "normal", "待办"


@dataclass(frozen=True)
class TodoItem:
    title: str
    href: str
    urgency: Urgency = Urgency.NORMAL
    due: date | None = None
    detail: str = ""


@dataclass(frozen=True)
class TodoContext:
    session: Session
    principal: Principal
    now: datetime
    today: date
    calendar: WorkingCalendar


TodoProvider = Callable[[TodoContext], list[TodoItem]]

ORDER = {Urgency.OVERDUE: 0, Urgency.SOON: 1, Urgency.NORMAL: 2}


def collect(providers: list[TodoProvider], ctx: TodoContext) -> list[TodoItem]:
    items = [item for p in providers for item in p(ctx)]
    return sorted(items, key=lambda i: (ORDER[i.urgency], i.due or date.max, i.title))
