"""Files attached to requests: photos taken in at intake, evidence added while handling, and reading them back.

Reading needs ``requests.view`` over the request; adding evidence needs ``requests.handle`` over it; intake photos
are added in the same transaction that receives the request, by whoever received it (``requests.receive``). Every
file of a submission is checked (count, size, magic bytes) before any is written. The rows are audited by the unit
of work like every write, with the bytes masked (``RequestAttachment.__audit_mask__``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from zhengwu.core.attachments import CheckedFile, Limits, Purpose, check_count, check_file, size_label
from zhengwu.core.db import UnitOfWork
from zhengwu.core.errors import Conflict, Forbidden, Invalid, NotFound
from zhengwu.core.matters import service as matters
from zhengwu.core.org.access import check_write
from zhengwu.core.org.model import Principal
from zhengwu.core.org.tables import User
from zhengwu.requests.kinds import KIND
from zhengwu.requests.model import HANDLE, RECEIVE, State
from zhengwu.requests.tables import RequestAttachment, RequestMatter

#: A submitted file: the name the client gave and its bytes.
Upload = tuple[str, bytes]
CLOSED_STATES = frozenset({State.CLOSED.value, State.DECLINED.value})


@dataclass(frozen=True)
class AttachmentInfo:
    """What lists show of an attachment (never its bytes)."""

    id: int
    matter_id: int
    purpose: Purpose
    filename: str
    content_type: str
    size: int
    sha256: str
    uploaded_at: datetime
    uploader: str

    @property
    def size_label(self) -> str:
        return size_label(self.size)

    @property
    def url(self) -> str:
        return f"/requests/{self.matter_id}/attachments/{self.id}"


def check_uploads(files: Sequence[Upload], purpose: Purpose, limits: Limits, field: str) -> list[CheckedFile]:
    """Every file checked (count first), or ``Invalid`` naming ``field``; nothing is written."""
    present = [(name, data) for name, data in files if name or data]
    check_count(present, limits, field)
    return [check_file(name, data, purpose, limits, field) for name, data in present]


def _store(
    uow: UnitOfWork,
    principal: Principal | None,
    request: RequestMatter,
    purpose: Purpose,
    checked: Sequence[CheckedFile],
) -> list[RequestAttachment]:
    now = uow.clock.now()
    uploader = principal.user_id if principal is not None and principal.user_id else None
    rows = [
        RequestAttachment(
            matter_id=request.id,
            purpose=purpose,
            filename=f.filename,
            content_type=f.content_type,
            size=f.size,
            sha256=f.sha256,
            data=f.data,
            uploaded_at=now,
            uploaded_by=uploader,
        )
        for f in checked
    ]
    uow.session.add_all(rows)
    uow.flush()
    return rows


def add_intake_photos(
    uow: UnitOfWork,
    principal: Principal | None,
    request: RequestMatter,
    files: Sequence[Upload],
    limits: Limits,
    field: str = "photos",
) -> list[RequestAttachment]:
    """Photos given with a request, stored in the transaction that received it (still ``received``)."""
    checked = check_uploads(files, Purpose.INTAKE, limits, field)
    if not checked:
        return []
    check_write(uow.session, principal, RECEIVE, request)
    if request.status != State.RECEIVED.value:
        raise Conflict("受理照片只能在登记诉求时上传；办理中的材料请作为办理佐证上传。")
    return _store(uow, principal, request, Purpose.INTAKE, checked)


def add_evidence(
    uow: UnitOfWork,
    principal: Principal | None,
    request_id: int,
    files: Sequence[Upload],
    limits: Limits,
    field: str = "files",
) -> list[RequestAttachment]:
    """Evidence of handling (photos or PDF) for a request the principal handles; not on an archived request."""
    request = matters.load(uow.session, principal, KIND, request_id)
    assert isinstance(request, RequestMatter)
    check_write(uow.session, principal, HANDLE, request)
    checked = check_uploads(files, Purpose.EVIDENCE, limits, field)
    if not checked:
        raise Invalid("请选择要上传的文件。", field=field)
    if request.status in CLOSED_STATES:
        raise Conflict("该诉求已归档或不予受理，不能再上传办理佐证。")
    return _store(uow, principal, request, Purpose.EVIDENCE, checked)


def list_attachments(session: Session, principal: Principal | None, request_id: int) -> list[AttachmentInfo]:
    """The attachments of a request within the principal's view scope, oldest first, without their bytes."""
    matters.load(session, principal, KIND, request_id)
    rows = session.execute(
        select(
            RequestAttachment.id,
            RequestAttachment.matter_id,
            RequestAttachment.purpose,
            RequestAttachment.filename,
            RequestAttachment.content_type,
            RequestAttachment.size,
            RequestAttachment.sha256,
            RequestAttachment.uploaded_at,
            User.full_name,
        )
        .outerjoin(User, User.id == RequestAttachment.uploaded_by)
        .where(RequestAttachment.matter_id == request_id)
        .order_by(RequestAttachment.id)
    )
    return [AttachmentInfo(*row[:8], row[8] or "群众") for row in rows]


def get_attachment(
    session: Session, principal: Principal | None, request_id: int, attachment_id: int
) -> RequestAttachment:
    """One attachment with its bytes, if the request lies in the principal's view scope (NotFound otherwise)."""
    matters.load(session, principal, KIND, request_id)
    found = session.scalar(
        select(RequestAttachment).where(
            RequestAttachment.id == attachment_id, RequestAttachment.matter_id == request_id
        )
    )
    if found is None:
        raise NotFound("附件不存在。")
    _ = found.data  # load the deferred bytes while the session is open
    return found


def attachments_panel(session: Session, principal: Principal | None, request_id: int) -> dict[str, Any]:
    """The context of ``requests/_attachments.html`` for a request page: the list and whether the viewer may add
    evidence (``requests.handle`` over the request, and the request not archived)."""
    items = list_attachments(session, principal, request_id)
    request = session.get(RequestMatter, request_id)
    can_add = False
    if principal is not None and principal.has(HANDLE) and request is not None and request.status not in CLOSED_STATES:
        try:
            check_write(session, principal, HANDLE, request)
            can_add = True
        except Forbidden:
            can_add = False
    return {"request_id": request_id, "attachments": items, "can_add_evidence": can_add}
