"""What the org API routes share: their router under ``/api/v1``, paged lists, PATCH merging and grant output."""

from __future__ import annotations

from typing import Any, TypeVar

from fastapi import APIRouter, Request
from pydantic import BaseModel

from zhengwu.core.db import Database
from zhengwu.core.errors import Invalid
from zhengwu.core.org.api.schemas import GrantOut, ListQuery, Paged
from zhengwu.core.org.model import ACTIONS, Principal, Scope
from zhengwu.web.deps import get_settings
from zhengwu.web.listing import ListSpec, fetch_page
from zhengwu.web.problems import PROBLEMS

M = TypeVar("M", bound=BaseModel)

router = APIRouter(prefix="/api/v1", tags=["组织与权限"], responses=PROBLEMS)


def _grant(action: str, scope: Scope, unit_ids: list[int]) -> GrantOut:
    return GrantOut(action=action, action_label=ACTIONS.get(action, action), scope=scope, unit_ids=unit_ids)


def _paged(
    request: Request, db: Database, principal: Principal, spec: ListSpec, *, query: ListQuery, item: type[M]
) -> Paged[M]:
    """One page of a shared list, filtered, sorted and scoped exactly as the page showing the same list."""
    params = query.model_dump(exclude_none=True)
    with db.reading() as session:
        page = fetch_page(session, spec, principal, params, get_settings(request).page_size)
    items = [item.model_validate(dict(r._mapping)) for r in page.rows]
    return Paged(items=items, total=page.total, page=page.page, pages=page.pages)


def _patched(body: BaseModel, current: dict[str, Any], required: dict[str, str]) -> dict[str, Any]:
    """PATCH: ``current`` overridden by the fields sent; null is refused for the ``required`` ones (name → label)."""
    sent = body.model_dump(include=body.model_fields_set - {"version"})
    for name, value in sent.items():
        if value is None and name in required:
            raise Invalid(f"{required[name]}不能为空；不修改请省略该字段。", field=name)
    return {**current, **sent}
