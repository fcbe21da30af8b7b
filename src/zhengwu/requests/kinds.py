"""The ``request`` matter kind (群众诉求, serial ``诉-2024-000123``), registered with the matters engine."""

from __future__ import annotations

from datetime import tzinfo
from typing import Any

from zhengwu.core.db import UnitOfWork
from zhengwu.core.jobs import register_job
from zhengwu.core.matters.model import KindSpec, LimitUnit, TimeLimit
from zhengwu.core.matters.registry import Kind, register_kind
from zhengwu.core.settings import Settings
from zhengwu.requests import model
from zhengwu.requests.tables import RequestMatter


def limit_for(matter: Any, limit: TimeLimit) -> tuple[int, LimitUnit]:
    """The handling limits run for what intake worked out from the request's type and category (stored on the
    request); the other limits for their own amount."""
    if limit.code in model.HANDLING_LIMITS and isinstance(matter, RequestMatter):
        return matter.handle_amount, matter.handle_unit
    return limit.amount, limit.unit


def act(
    uow: Any,
    principal: Any,
    matter_id: int,
    action: str,
    *,
    version: int | None,
    note: str,
    data: dict[str, Any],
    tz: tzinfo,
) -> RequestMatter:
    """The generic act page and API take a request's steps through the hotline services (``workflow.act``), never
    the engine's bare ``act``: dispatch's scope check, the one send-back, the decline reasons and the call-back's
    outcome hold there too. Imported here, at call time, because the services import this module's ``KIND``."""
    from zhengwu.requests.service.workflow import act as take

    return take(uow, principal, matter_id, action, version=version, note=note, data=data, tz=tz)


def detail_url(request_id: int) -> str:
    """The request's own page (the generic ``/matters/request/{id}`` redirects there)."""
    return f"/requests/{request_id}"


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
    act=act,
    detail_url=detail_url,
)

KIND: Kind = register_kind(SPEC, RequestMatter)


def forget_web_sources(uow: UnitOfWork, settings: Settings) -> str | None:
    """Blank the public form's address hashes once its rate window has passed (they serve nothing after it)."""
    from zhengwu.requests.service.public import RatePolicy, forget_sources

    count = forget_sources(uow, RatePolicy(settings.public_rate_limit, settings.public_rate_window_minutes))
    return f"清除网上表单来源地址摘要 {count} 条" if count else None


register_job("网上表单来源清理", forget_web_sources)
