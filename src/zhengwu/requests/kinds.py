"""The ``request`` matter kind (群众诉求, serial ``诉-2024-000123``), registered with the matters engine."""

from __future__ import annotations

from typing import Any

from zhengwu.core.matters.model import KindSpec, LimitUnit, TimeLimit
from zhengwu.core.matters.registry import Kind, register_kind
from zhengwu.requests import model
from zhengwu.requests.tables import RequestMatter


def limit_for(matter: Any, limit: TimeLimit) -> tuple[int, LimitUnit]:
    """The handling limits run for what intake worked out from the request's type and category (stored on the
    request); the other limits for their own amount."""
    if limit.code in model.HANDLING_LIMITS and isinstance(matter, RequestMatter):
        return matter.handle_amount, matter.handle_unit
    return limit.amount, limit.unit


SPEC = KindSpec(
    code=model.KIND_CODE,
    label="群众诉求",
    prefix="诉",
    workflow=model.WORKFLOW,
    limits=model.LIMITS,
    view_grant=model.VIEW,
    create_grant=model.RECEIVE,
    extend_grant=model.EXTEND,
    pause_grant=model.PAUSE,
    limit_for=limit_for,
)

KIND: Kind = register_kind(SPEC, RequestMatter)
