"""The list of matters of one kind, shared by the page, the Excel export and the API."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from zhengwu.core.db import AnySelect
from zhengwu.core.matters.model import Priority
from zhengwu.core.matters.registry import Kind
from zhengwu.core.matters.tables import Matter
from zhengwu.core.org.access import restrict
from zhengwu.core.org.model import Principal
from zhengwu.core.org.tables import Unit
from zhengwu.web.listing import Column, Filter, ListSpec, equals

_SPECS: dict[str, ListSpec] = {}


def matter_list(kind: Kind) -> ListSpec:
    """The list spec of ``kind`` (built once per kind)."""
    if kind.spec.code not in _SPECS:
        _SPECS[kind.spec.code] = _build(kind)
    return _SPECS[kind.spec.code]


def _build(kind: Kind) -> ListSpec:
    table, spec = kind.table, kind.spec

    def query(principal: Principal | None) -> AnySelect:
        stmt = select(
            table.id.label("id"),
            table.serial.label("serial"),
            table.title.label("title"),
            Unit.name.label("owner"),
            table.status.label("status"),
            table.priority.label("priority"),
            table.received_at.label("received_at"),
            table.due_at.label("due_at"),
        ).join(Unit, Unit.id == table.owner_unit_id)
        # The kind is implied by the join to the kind's table, but saying it lets the (kind, …) indexes serve.
        return restrict(stmt.where(Matter.kind == spec.code), principal, spec.view_grant, table)

    def counted(principal: Principal | None) -> AnySelect:
        """The count needs neither the kind's table nor the unit's name: only ``matters``."""
        return restrict(select(Matter.id).where(Matter.kind == spec.code), principal, spec.view_grant, Matter)

    def search(stmt: AnySelect, text: str) -> AnySelect:
        return stmt.where(table.title.icontains(text, autoescape=True) | table.serial.icontains(text, autoescape=True))

    label: Any = spec.workflow.label
    return ListSpec(
        name=spec.label,
        columns=(
            Column("serial", "编号", table.serial),
            Column("title", "标题", table.title),
            Column("owner", "责任单位", Unit.name),
            Column("status", "状态", table.status, fmt=label),
            Column("priority", "缓急", table.priority),
            Column("received_at", "收到时间", table.received_at),
            Column("due_at", "期限", table.due_at),
        ),
        query=query,
        count_query=counted,
        filters=(
            Filter("q", "标题或编号", search),
            Filter("status", "状态", equals(table.status), [(s, label(s)) for s in spec.workflow.states]),
            Filter("priority", "缓急", equals(table.priority), Priority.choices()),
        ),
        default_sort="-received_at",
        tiebreak=table.id.desc(),
    )
