"""Taking a request in from any channel, and the reporter's identity: masked for everyone, revealed (and audited)
only to holders of ``requests.reveal_reporter``.

Every field is checked before anything is written; a bad one raises ``Invalid`` naming it. The reporter's phone
is never logged nor put in a history entry.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select

from zhengwu.core.audit.service import record
from zhengwu.core.db import UnitOfWork
from zhengwu.core.errors import Invalid
from zhengwu.core.matters import service as matters
from zhengwu.core.matters.model import Priority
from zhengwu.core.org.access import check_write
from zhengwu.core.org.model import Principal
from zhengwu.core.org.tables import Unit
from zhengwu.requests.kinds import KIND
from zhengwu.requests.model import (
    REVEAL_REPORTER,
    ROAD_CODE,
    CategoryKind,
    Channel,
    Reporter,
    RequestType,
    handling_limit,
    has_html,
    in_china,
    parse_km,
)
from zhengwu.requests.service.categories import chain, limit_setting
from zhengwu.requests.tables import (
    REPORTER_NAME_CHARS,
    REPORTER_PHONE_CHARS,
    RequestCampaign,
    RequestCategory,
    RequestMatter,
)

MAX_DESCRIPTION = 4000
TITLE_CHARS = 60
PHONE_CHARS = frozenset("0123456789+-() ")


def _choice(enum: Any, value: Any, field: str, label: str) -> Any:
    for member in enum:
        if value in (member, member.value, member.label):
            return member
    options = "、".join(m.label for m in enum)
    raise Invalid(f"{label}“{value}”无效，可选：{options}。", field=field)


def _plain(value: str | None, field: str, label: str, max_len: int, *, required: bool = False) -> str:
    text = (value or "").strip()
    if required and not text:
        raise Invalid(f"请填写{label}。", field=field)
    if len(text) > max_len:
        raise Invalid(f"{label}不能超过 {max_len} 个字（现有 {len(text)} 个）。", field=field)
    if "\x00" in text or has_html(text):
        raise Invalid(f"{label}不能包含 HTML 标记或控制字符。", field=field)
    return text


def _km(value: str | int | None, field: str) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, int):
        if value < 0:
            raise Invalid("桩号不能为负数。", field=field)
        return value
    try:
        return parse_km(value)
    except ValueError as exc:
        raise Invalid(str(exc), field=field) from None


def _location(
    road_code: str, km_from: str | int | None, km_to: str | int | None, lat: float | None, lon: float | None
) -> dict[str, Any]:
    road = (road_code or "").strip().upper()
    if road and not ROAD_CODE.fullmatch(road):
        raise Invalid(f"路线编号“{road_code.strip()}”不对，应为 G209、S256、X041 这样的编号。", field="road_code")
    start, end = _km(km_from, "km_from"), _km(km_to, "km_to")
    if (start is None) != (end is None):
        raise Invalid("起止桩号须同时填写（单点问题起止填同一桩号）。", field="km_to" if end is None else "km_from")
    if start is not None and not road:
        raise Invalid("填写桩号时须填写路线编号。", field="road_code")
    if start is not None and end is not None and end < start:
        raise Invalid("止点桩号不能小于起点桩号。", field="km_to")
    if (lat is None) != (lon is None):
        raise Invalid("经纬度须同时填写。", field="longitude" if lon is None else "latitude")
    if lat is not None and lon is not None and not in_china(lat, lon):
        raise Invalid("坐标不在中国境内（纬度 3.8–53.6，经度 73.5–135.1），请核对经纬度。", field="latitude")
    return {"road_code": road, "km_from": start, "km_to": end, "latitude": lat, "longitude": lon}


def _reporter(name: str | None, phone: str | None, anonymous: bool) -> tuple[str | None, str | None]:
    name_ = _plain(name, "reporter_name", "反映人姓名", REPORTER_NAME_CHARS)
    phone_ = (phone or "").strip()
    if anonymous:
        if name_ or phone_:
            raise Invalid("匿名反映不登记姓名和电话：请清空它们，或取消匿名。", field="anonymous")
        return None, None
    if not phone_:
        raise Invalid("请填写反映人联系电话（或选择匿名反映）。", field="reporter_phone")
    digits = sum(ch.isdigit() for ch in phone_)
    if len(phone_) > REPORTER_PHONE_CHARS or not set(phone_) <= PHONE_CHARS or not 5 <= digits <= 15:
        raise Invalid("联系电话格式不对：只能包含数字、+、-、括号和空格，5 到 15 位数字。", field="reporter_phone")
    return name_ or None, phone_


def receive_request(
    uow: UnitOfWork,
    principal: Principal | None,
    *,
    channel: Channel | str,
    type: RequestType | str,
    category_id: int,
    description: str,
    address: str = "",
    road_code: str = "",
    km_from: str | int | None = None,
    km_to: str | int | None = None,
    latitude: float | None = None,
    longitude: float | None = None,
    reporter_name: str | None = None,
    reporter_phone: str | None = None,
    anonymous: bool = False,
    received_at: datetime | None = None,
    campaign_id: int | None = None,
    intake_unit_id: int | None = None,
    area_unit_id: int | None = None,
    urgent: bool = False,
    title: str = "",
) -> RequestMatter:
    """Register a request with the intake unit (default: the clerk's own unit) as its owner until dispatch."""
    session = uow.session
    channel_ = _choice(Channel, channel, "channel", "渠道")
    type_ = _choice(RequestType, type, "type", "诉求类型")
    category = session.get(RequestCategory, category_id) if isinstance(category_id, int) else None
    if category is None or category.kind != CategoryKind.SUBJECT or not category.active:
        raise Invalid("问题分类不存在或已停用，请从分类目录中选择。", field="category_id")
    text = _plain(description, "description", "诉求内容", MAX_DESCRIPTION, required=True)
    where = _location(road_code, km_from, km_to, latitude, longitude)
    address_ = _plain(address, "address", "地址", 200)
    name, phone = _reporter(reporter_name, reporter_phone, anonymous)
    title_ = _plain(title, "title", "标题", 200) or text.splitlines()[0][:TITLE_CHARS]
    if campaign_id is not None and session.get(RequestCampaign, campaign_id) is None:
        raise Invalid("专项行动不存在。", field="campaign_id")
    if area_unit_id is not None and session.get(Unit, area_unit_id) is None:
        raise Invalid("问题所在区域（单位）不存在。", field="area_unit_id")
    intake = intake_unit_id if intake_unit_id is not None else (principal.unit_id if principal else None)
    if intake is None:
        raise Invalid("请指定受理单位。", field="intake_unit_id")
    type_row = session.scalar(
        select(RequestCategory).where(RequestCategory.code == type_.value, RequestCategory.kind == CategoryKind.TYPE)
    )
    subjects = chain(session, category)
    is_urgent = urgent or any(c.urgent for c in subjects)
    amount, unit = handling_limit(
        type_, limit_setting(type_row) if type_row else None, [limit_setting(c) for c in subjects], urgent=is_urgent
    )
    request: Any = matters.open_matter(
        uow,
        principal,
        KIND,
        title=title_,
        body=text,
        owner_unit_id=intake,
        received_at=received_at,
        priority=Priority.URGENT if is_urgent else Priority.NORMAL,
        channel=channel_.value,
        fields={
            "type": type_,
            "category_id": category.id,
            "intake_unit_id": intake,
            "area_unit_id": area_unit_id,
            "address": address_,
            **where,
            "reporter_name": name,
            "reporter_phone": phone,
            "anonymous": anonymous,
            "urgent": is_urgent,
            "handle_amount": amount,
            "handle_unit": unit,
            "campaign_id": campaign_id,
        },
    )
    assert isinstance(request, RequestMatter)
    return request


def reporter(request: RequestMatter) -> Reporter:
    """The reporter as everyone sees them: masked (``张*``, ``138****5678``)."""
    return Reporter(request.reporter_name or "", request.reporter_phone or "", request.anonymous).masked()


def reveal_reporter(uow: UnitOfWork, principal: Principal | None, request_id: int) -> Reporter:
    """The reporter's real name and phone, for a holder of ``requests.reveal_reporter`` over the request. Every
    reveal is written to the audit log (who, which request — never the values); the caller commits."""
    session = uow.session
    request = matters.load(session, principal, KIND, request_id)
    check_write(session, principal, REVEAL_REPORTER, request)
    assert isinstance(request, RequestMatter)
    record(session, "reveal_reporter", RequestMatter.__tablename__, request.id, serial=request.serial)
    return Reporter(request.reporter_name or "", request.reporter_phone or "", request.anonymous)
