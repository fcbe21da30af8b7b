"""The one access choke-point.

``restrict(stmt, principal, action)`` adds the principal's data scope for ``action`` to a ``select()`` of a scoped
entity (one that names its unit column in ``__scope_unit__`` and optionally its owner column in
``__scope_owner__``). Every list, detail, export and search goes through it. ``check_write`` re-checks a record
inside the writing transaction, before and after the change, so a write cannot reach or move a record out of
the writer's scope.
"""

from __future__ import annotations

from typing import Any, TypeVarTuple

from sqlalchemy import ColumnElement, Select, false, or_, select
from sqlalchemy.orm import Session

from zhengwu.core.errors import Forbidden, NotFound
from zhengwu.core.org.model import ACTIONS, Principal, ScopeSet
from zhengwu.core.org.tables import Unit

Ts = TypeVarTuple("Ts")


def _require(principal: Principal | None, action: str) -> tuple[Principal, ScopeSet]:
    if principal is None:
        raise Forbidden("请先登录。")
    scope = principal.scope(action)
    if scope is None:
        raise Forbidden(f"您没有“{ACTIONS.get(action, action)}”的权限。")
    return principal, scope


def scope_condition(
    principal: Principal, scope: ScopeSet, unit_col: Any, owner_col: Any | None
) -> ColumnElement[bool] | None:
    """The WHERE clause of a scope, or None when the scope is everything."""
    if scope.all:
        return None
    conds: list[ColumnElement[bool]] = []
    if scope.unit_ids:
        conds.append(unit_col.in_(sorted(scope.unit_ids)))
    for path in sorted(scope.subtree_paths):
        conds.append(unit_col.in_(select(Unit.id).where(Unit.path.startswith(path))))
    if scope.own_records and owner_col is not None:
        conds.append(owner_col == principal.user_id)
    return or_(*conds) if conds else false()


def restrict(stmt: Select[*Ts], principal: Principal | None, action: str, entity: Any = None) -> Select[*Ts]:
    """``stmt`` limited to the rows of ``entity`` (default: its first entity) that ``action`` may reach."""
    principal, scope = _require(principal, action)
    if entity is None:
        entity = stmt.column_descriptions[0]["entity"]
    unit_col = getattr(entity, entity.__scope_unit__)
    owner_name = getattr(entity, "__scope_owner__", None)
    owner_col = getattr(entity, owner_name) if owner_name else None
    cond = scope_condition(principal, scope, unit_col, owner_col)
    return stmt if cond is None else stmt.where(cond)


def allowed(principal: Principal | None, action: str) -> bool:
    return principal is not None and principal.has(action)


def check_write(session: Session, principal: Principal | None, action: str, record: Any) -> None:
    """Raise Forbidden unless ``record`` (as it now stands in this transaction) lies in the scope of ``action``."""
    principal, scope = _require(principal, action)
    if scope.all:
        return
    unit_id = getattr(record, type(record).__scope_unit__)
    owner_name = getattr(type(record), "__scope_owner__", None)
    owner_id = getattr(record, owner_name) if owner_name else None
    path = session.scalar(select(Unit.path).where(Unit.id == unit_id)) if unit_id is not None else None
    if not scope.covers(unit_id, path, owner_id, principal.user_id):
        raise Forbidden(f"该记录不在您“{ACTIONS.get(action, action)}”的数据范围内。")


def get_scoped(session: Session, principal: Principal | None, action: str, entity: Any, key: Any) -> Any:
    """One record by primary key, through ``restrict``: NotFound when absent or outside the scope."""
    pk = entity.__mapper__.primary_key[0]
    row = session.scalar(restrict(select(entity).where(pk == key), principal, action))
    if row is None:
        raise NotFound("记录不存在或不在您的数据范围内。")
    return row
