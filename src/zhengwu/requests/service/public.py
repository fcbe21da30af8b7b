"""The citizen's public web form: intake without a login on behalf of the configured intake unit, a per-address
rate limit, and the status look-up by serial and query code.

The client's address is never stored: the receipt keeps ``HMAC-SHA256(key, address)`` with a key derived from the
settings' secret, enough to count one address's recent submissions across processes and restarts. The query code
is shown to the citizen once; only its hash (bound to the serial) is kept.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from zhengwu.core.attachments import Limits, Purpose
from zhengwu.core.db import UnitOfWork
from zhengwu.core.errors import Invalid, TooManyRequests
from zhengwu.core.org.model import Grant, Principal, Scope
from zhengwu.core.org.tables import Unit
from zhengwu.requests.kinds import KIND
from zhengwu.requests.model import RECEIVE, Channel, DeclineReason, RequestType, State
from zhengwu.requests.service.attachments import Upload, add_intake_photos, check_uploads
from zhengwu.requests.service.intake import receive_request
from zhengwu.requests.tables import RequestAttachment, RequestCategory, RequestMatter, RequestWebReceipt

PUBLIC_NAME = "网上群众"
CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: read aloud and typed back
CODE_LENGTH = 10  # 32^10 = 2^50 codes
#: States after which the status page shows the unit's result.
RESULT_STATES = frozenset({State.RESOLVED.value, State.CLOSED.value})


@dataclass(frozen=True)
class RatePolicy:
    """At most ``limit`` submissions from one address in ``window_minutes``."""

    limit: int = 5
    window_minutes: int = 10


def client_hash(secret: str, address: str) -> str:
    """A keyed hash of a client address: stable for one secret, useless without it (no rainbow table of the
    IPv4 space can reverse it).

    >>> h = client_hash("s3cret", "203.0.113.7")
    >>> len(h), h == client_hash("s3cret", "203.0.113.7"), h == client_hash("other", "203.0.113.7")
    (64, True, False)
    """
    key = hashlib.sha256(b"zhengwu client address\x00" + secret.encode()).digest()
    return hmac.new(key, address.encode(), hashlib.sha256).hexdigest()


def new_query_code() -> str:
    """A fresh query code: 10 characters of an alphabet without look-alikes (50 bits)."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(text: str) -> str:
    """What the citizen typed, as stored: spaces and dashes dropped, upper case.

    >>> normalise_code(" abcd-efgh jk ")
    'ABCDEFGHJK'
    """
    return "".join(ch for ch in text.upper() if ch not in " -")


def query_hash(serial: str, code: str) -> str:
    """The stored form of a query code, bound to its request's serial.

    >>> query_hash("诉-2024-000001", "ABCDEFGHJK") == query_hash("诉-2024-000002", "ABCDEFGHJK")
    False
    """
    data = "\x00".join(("zhengwu query code", serial, normalise_code(code)))
    return hashlib.sha256(data.encode()).hexdigest()


def public_principal(uow: UnitOfWork, unit_code: str) -> Principal:
    """Who the public form acts as: no user, receiving for the configured intake unit and nothing else."""
    unit = uow.session.scalar(select(Unit).where(Unit.code == unit_code, Unit.active.is_(True)))
    if unit is None:
        raise Invalid("网上受理单位未配置或已停用，请联系管理员（ZHENGWU_PUBLIC_INTAKE_UNIT）。", field="unit")
    return Principal(0, "public", PUBLIC_NAME, unit.id, unit.path, unit.name, (Grant(RECEIVE, Scope.UNIT),))


def recent_submissions(uow: UnitOfWork, source: str, since: datetime) -> int:
    stmt = select(func.count()).where(RequestWebReceipt.source_hash == source, RequestWebReceipt.submitted_at >= since)
    return uow.session.scalar(stmt) or 0


def check_rate(uow: UnitOfWork, source: str, policy: RatePolicy) -> None:
    """``TooManyRequests`` when the address already sent ``limit`` requests within the window."""
    since = uow.clock.now() - timedelta(minutes=policy.window_minutes)
    if recent_submissions(uow, source, since) >= policy.limit:
        raise TooManyRequests(
            f"同一网络地址在 {policy.window_minutes} 分钟内最多可提交 {policy.limit} 件诉求，请稍后再试；"
            "紧急情况请拨打 12345 热线或 110。"
        )


def receive_from_web(
    uow: UnitOfWork,
    *,
    unit_code: str,
    source: str,
    policy: RatePolicy,
    limits: Limits,
    photos: list[Upload],
    fields: dict[str, Any],
) -> tuple[RequestMatter, str]:
    """Take a citizen's request in through the web form: rate limit, then every field and photo checked, then the
    request, its photos and its receipt written; returns the request and the query code (shown once). The caller
    commits. Without a name and phone the request is anonymous."""
    check_rate(uow, source, policy)
    check_uploads(photos, Purpose.INTAKE, limits, "photos")
    principal = public_principal(uow, unit_code)
    anonymous = not (fields.get("reporter_name") or fields.get("reporter_phone"))
    if fields.get("reporter_name") and not fields.get("reporter_phone"):
        message = "留下姓名时请一并填写联系电话，以便回访；也可以姓名、电话都不填，匿名反映。"
        raise Invalid(message, field="reporter_phone")
    request = receive_request(uow, principal, channel=Channel.WEB, anonymous=anonymous, **fields)
    add_intake_photos(uow, principal, request, photos, limits)
    code = new_query_code()
    uow.session.add(
        RequestWebReceipt(
            matter_id=request.id,
            source_hash=source,
            submitted_at=uow.clock.now(),
            query_hash=query_hash(request.serial, code),
        )
    )
    uow.flush()
    return request, code


def forget_sources(uow: UnitOfWork, policy: RatePolicy) -> int:
    """Blank the address hashes of receipts older than the rate window (they serve nothing after it); returns how
    many. Meant for a periodic job; the caller commits."""
    cutoff = uow.clock.now() - timedelta(minutes=policy.window_minutes)
    rows = list(
        uow.session.scalars(
            select(RequestWebReceipt).where(
                RequestWebReceipt.submitted_at < cutoff, RequestWebReceipt.source_hash != ""
            )
        )
    )
    for row in rows:
        row.source_hash = ""
    uow.flush()
    return len(rows)


@dataclass(frozen=True)
class PublicStatus:
    """What the citizen sees of their request: nothing personal, nothing internal."""

    serial: str
    received_at: datetime
    type_label: str
    category: str
    status_label: str
    unit_name: str
    result: str
    decline_reason: str
    photos: int


def public_status(uow: UnitOfWork, serial: str, code: str) -> PublicStatus | None:
    """The status of the request with ``serial`` if ``code`` is its query code; None otherwise (the same answer
    for an unknown serial and a wrong code, so neither can be probed)."""
    session = uow.session
    row = session.execute(
        select(RequestMatter, RequestWebReceipt.query_hash)
        .join(RequestWebReceipt, RequestWebReceipt.matter_id == RequestMatter.id)
        .where(RequestMatter.serial == serial.strip(), RequestMatter.kind == KIND.spec.code)
    ).first()
    expected = query_hash(serial.strip(), code)
    if row is None or not hmac.compare_digest(row[1], expected):
        return None
    request: RequestMatter = row[0]
    category = session.get(RequestCategory, request.category_id)
    unit = session.get(Unit, request.owner_unit_id)
    photos = session.scalar(select(func.count()).where(RequestAttachment.matter_id == request.id)) or 0
    state = State(request.status)
    return PublicStatus(
        serial=request.serial,
        received_at=request.received_at,
        type_label=RequestType(request.type).label,
        category=category.name if category else "",
        status_label=state.label,
        unit_name=unit.name if unit else "",
        result=(request.result or "") if request.status in RESULT_STATES else "",
        decline_reason=DeclineReason(request.decline_reason).label if request.decline_reason else "",
        photos=photos,
    )
