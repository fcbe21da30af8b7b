"""Open311 over the requests system: services from the categories dictionary, service definitions, the public
request list and detail, and intake of a posted request under an API key.

The public reads need no login and see only what ``model.PUBLIC_CHANNELS`` brought in (the Open311 API and the
public web form), never a 举报 and never anything of the reporter: they select columns, not rows, so the
encrypted reporter columns are not even read. A posted request goes through ``receive_request`` as the key's
user, with channel Open311, so grants, data scope, validation and the audit log all apply as for a clerk.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.exc import DataError
from sqlalchemy.orm import Session

from zhengwu.core.db import Actor, Database
from zhengwu.core.errors import Forbidden, Invalid, ZhengwuError
from zhengwu.core.matters.service import record_event
from zhengwu.core.matters.tables import MatterEvent
from zhengwu.core.org.auth import principal_for_api_token, touch_api_token
from zhengwu.core.org.model import Principal
from zhengwu.core.org.tables import Unit
from zhengwu.requests.model import RECEIVE, CategoryKind, Channel, RequestType
from zhengwu.requests.open311.form import PARAM_OF, Submission, parse_submission
from zhengwu.requests.open311.model import (
    CLOSED_STATES,
    PUBLIC_CHANNELS,
    UNPUBLISHED_TYPES,
    Open311Error,
    PublicRequest,
    bad,
    definition_doc,
    request_doc,
)
from zhengwu.requests.open311.query import RequestQuery
from zhengwu.requests.service.categories import chain
from zhengwu.requests.service.intake import receive_request
from zhengwu.requests.tables import RequestCategory, RequestMatter

URGENT_NOTE = "（紧急安全隐患，2 个工作小时内处置）"


# ---------------------------------------------------------------------------------------------- services


def services(session: Session) -> list[dict[str, Any]]:
    """Every active subject category as a service: its code, name, the path of names as description, the
    top-level category as group and the names along the path as keywords."""
    rows = list(
        session.scalars(
            select(RequestCategory)
            .where(RequestCategory.kind == CategoryKind.SUBJECT)
            .order_by(RequestCategory.sort_order, RequestCategory.code)
        )
    )
    by_id = {r.id: r for r in rows}
    out = []
    for row in rows:
        if not row.active:
            continue
        path = [row]
        while path[-1].parent_id is not None and path[-1].parent_id in by_id and len(path) < 8:
            path.append(by_id[path[-1].parent_id])
        path.reverse()
        urgent = any(c.urgent for c in path)
        out.append(
            {
                "service_code": row.code,
                "service_name": row.name,
                "description": " › ".join(c.name for c in path) + (URGENT_NOTE if urgent else ""),
                "metadata": True,
                "type": "realtime",
                "keywords": ", ".join([*(c.name for c in path), row.code]),
                "group": path[0].name,
            }
        )
    return out


def _service(session: Session, code: str) -> RequestCategory:
    found = session.scalar(select(RequestCategory).where(RequestCategory.code == code))
    if found is None or found.kind != CategoryKind.SUBJECT or not found.active:
        raise Open311Error(404, f"service_code：服务代码“{code[:64]}”不存在或已停用，请从 services 列表中选择。")
    return found


def service_definition(session: Session, code: str) -> dict[str, Any]:
    category = _service(session, code)
    return definition_doc(category.code, any(c.urgent for c in chain(session, category)))


# ---------------------------------------------------------------------------------------------- requests


def _public() -> list[ColumnElement[bool]]:
    return [RequestMatter.channel.in_(PUBLIC_CHANNELS), RequestMatter.type.not_in(UNPUBLISHED_TYPES)]


def _rows(session: Session, where: Sequence[ColumnElement[bool]], page: tuple[int, int] | None) -> list[PublicRequest]:
    """The public requests matching ``where``, newest first; one page of them when ``page`` is given.

    A page is found first by ids alone (the filter and the sort need no join and can use the ``(channel,
    received_at)`` index), so the joins and the latest-event subquery run for that page's rows only."""
    order = (RequestMatter.received_at.desc(), RequestMatter.id.desc())
    if page is not None:
        number, size = page
        ids = select(RequestMatter.id).where(*_public(), *where).order_by(*order).offset((number - 1) * size)
        where = [RequestMatter.id.in_(list(session.scalars(ids.limit(size))))]
    updated = select(func.max(MatterEvent.at)).where(MatterEvent.matter_id == RequestMatter.id).scalar_subquery()
    stmt = (
        select(
            RequestMatter.id,
            RequestMatter.status,
            RequestMatter.decline_reason,
            RequestCategory.code,
            RequestCategory.name,
            RequestMatter.body,
            Unit.name,
            RequestMatter.received_at,
            updated,
            RequestMatter.due_at,
            RequestMatter.address,
            RequestMatter.road_code,
            RequestMatter.km_from,
            RequestMatter.km_to,
            RequestMatter.latitude,
            RequestMatter.longitude,
        )
        .join(RequestCategory, RequestCategory.id == RequestMatter.category_id)
        .join(Unit, Unit.id == RequestMatter.owner_unit_id)
        .where(*_public(), *where)
        .order_by(*order)
    )
    return [
        PublicRequest(
            id=r[0],
            state=r[1],
            decline_reason=r[2].value if r[2] is not None else None,
            service_code=r[3],
            service_name=r[4],
            description=r[5],
            agency=r[6],
            requested=r[7],
            updated=r[8],
            expected=r[9],
            address=r[10],
            road_code=r[11],
            km_from=r[12],
            km_to=r[13],
            latitude=r[14],
            longitude=r[15],
        )
        for r in session.execute(stmt)
    ]


def find_requests(session: Session, q: RequestQuery) -> tuple[list[dict[str, Any]], int]:
    """The public requests matching ``q``, newest first, one page; and how many match in all."""
    if q.ids:
        found = _rows(session, [RequestMatter.id.in_(q.ids)], None)
        return [request_doc(r) for r in found], len(found)
    where: list[ColumnElement[bool]] = []
    if q.service_codes:
        known = set(
            session.scalars(
                select(RequestCategory.code).where(
                    RequestCategory.code.in_(q.service_codes), RequestCategory.kind == CategoryKind.SUBJECT
                )
            )
        )
        unknown = [c for c in q.service_codes if c not in known]
        if unknown:
            raise bad("service_code", f"服务代码“{unknown[0][:64]}”不存在，请从 services 列表中选择。")
        ids = select(RequestCategory.id).where(RequestCategory.code.in_(q.service_codes))
        where.append(RequestMatter.category_id.in_(ids))
    if q.start is not None:
        where.append(RequestMatter.received_at >= q.start)
    if q.end is not None:
        where.append(RequestMatter.received_at <= q.end)
    if q.statuses == {"open"}:
        where.append(RequestMatter.status.not_in(CLOSED_STATES))
    elif q.statuses == {"closed"}:
        where.append(RequestMatter.status.in_(CLOSED_STATES))
    total = session.scalar(select(func.count()).select_from(RequestMatter).where(*_public(), *where)) or 0
    rows = _rows(session, where, (q.page, q.page_size)) if total else []
    return [request_doc(r) for r in rows], total


def get_request(session: Session, request_id: int) -> dict[str, Any]:
    found = _rows(session, [RequestMatter.id == request_id], None)
    if not found:
        raise Open311Error(404, f"service_request_id：诉求 {request_id} 不存在或不在公开范围内。")
    return request_doc(found[0])


# ------------------------------------------------------------------------------------------------ intake


@dataclass(frozen=True)
class Created:
    id: int
    notice: str


def authorise(db: Database, pairs: Sequence[tuple[str, str]]) -> tuple[Principal, str]:
    """The principal of the posted ``api_key`` (a token of a user holding ``requests.receive``), or a 403."""
    keys = [v.strip() for k, v in pairs if k == "api_key"]
    if not keys or not keys[0]:
        raise Open311Error(403, "api_key：缺少 API 密钥。提交诉求须在表单中提供平台签发的 api_key。")
    if len(keys) > 1:
        raise bad("api_key", "参数重复，只能提交一次。")
    with db.reading() as session:
        principal = principal_for_api_token(session, keys[0], db.clock.now())
    if principal is None:
        raise Open311Error(403, "api_key：API 密钥无效、已过期或已吊销。")
    if not principal.has(RECEIVE):
        raise Open311Error(403, "api_key：该密钥所属账号没有“登记群众诉求”的权限。")
    return principal, keys[0]


def _notice(request: RequestMatter) -> str:
    if request.urgent:
        limit = "按紧急安全隐患在 2 个工作小时内处置"
    else:
        limit = f"由承办单位签收后 {request.handle_amount} {request.handle_unit.label}内办结"
    if request.type == RequestType.REPORT:
        follow = "举报类诉求不公开查询，办理进展请向 12345 热线询问。"
    else:
        follow = "可凭 service_request_id 查询办理进展。"
    return f"已登记，编号 {request.serial}；{limit}。{follow}"


def submit(db: Database, pairs: Sequence[tuple[str, str]]) -> Created:
    """Take a posted request in (see ``form``). Everything is checked before anything is written; on any error
    nothing is stored, not even the key's last use."""
    principal, key = authorise(db, pairs)
    sub = parse_submission(pairs)
    with db.uow(Actor(principal.user_id, principal.full_name)) as uow:
        category = _service(uow.session, sub.service_code)
        try:
            request = _receive(uow, principal, category.id, sub)
        except Invalid as exc:
            raise bad(PARAM_OF.get(exc.field or "", exc.field or "request"), exc.message) from None
        except Forbidden as exc:
            raise Open311Error(403, f"api_key：{exc.message}") from None
        except ZhengwuError as exc:
            raise Open311Error(400, exc.message) from None
        except DataError:
            raise Open311Error(400, "输入中含有无法保存的字符或超出范围的数值。") from None
        if sub.media_url:
            record_event(
                uow.session,
                request,
                principal,
                uow.clock.now(),
                "open311_media",
                note=f"Open311 客户端附带的媒体链接（未经核实，请勿直接打开可疑链接）：{sub.media_url}",
                data={"media_url": sub.media_url},
            )
        touch_api_token(uow, key)
        uow.commit()
        return Created(request.id, _notice(request))


def _receive(uow: Any, principal: Principal, category_id: int, sub: Submission) -> RequestMatter:
    named = bool(sub.reporter_name or sub.phone)
    return receive_request(
        uow,
        principal,
        channel=Channel.OPEN311,
        type=sub.type,
        category_id=category_id,
        description=sub.description,
        address=sub.address,
        road_code=sub.road_code,
        km_from=sub.km_from,
        km_to=sub.km_to,
        latitude=sub.latitude,
        longitude=sub.longitude,
        reporter_name=sub.reporter_name or None,
        reporter_phone=sub.phone or None,
        anonymous=not named,
        urgent=sub.urgent,
    )
