"""Downloading a request's attachments and adding evidence of handling; reading uploaded files from a form.

A download is always ``Content-Disposition: attachment`` with ``X-Content-Type-Options: nosniff`` and the type the
magic bytes showed, so a browser never renders an uploaded file inline as a page of this site.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.datastructures import FormData, UploadFile

from zhengwu.core.attachments import Limits
from zhengwu.core.errors import Forbidden
from zhengwu.core.settings import Settings
from zhengwu.requests.kinds import KIND
from zhengwu.requests.model import HANDLE
from zhengwu.requests.service.attachments import Upload, add_evidence, get_attachment
from zhengwu.web.deps import Db, User, get_settings, uow_for
from zhengwu.web.pages import redirect

router = APIRouter(prefix="/requests", include_in_schema=False)


def limits_of(settings: Settings) -> Limits:
    return Limits(max_bytes=settings.attachment_max_bytes, max_files=settings.attachment_max_files)


async def read_uploads(form: FormData, name: str, limits: Limits) -> list[Upload]:
    """The files of the form field ``name`` (empty file inputs skipped). Each is read to at most one byte past
    the size limit, enough for the check to refuse it without holding a huge upload in memory; past the count
    limit the rest are not read at all (the count check refuses them)."""
    out: list[Upload] = []
    for value in form.getlist(name):
        if not isinstance(value, UploadFile) or not (value.filename or value.size):
            continue
        if len(out) >= limits.max_files:
            out.append((value.filename or "", b"\x00"))  # counted, never stored: the count check refuses it
            continue
        out.append((value.filename or "", await value.read(limits.max_bytes + 1)))
    return out


def content_disposition(filename: str) -> str:
    """``attachment`` with an ASCII fallback and the UTF-8 name (RFC 6266 / RFC 5987).

    >>> print(content_disposition("路面 K12.png"))
    attachment; filename="K12.png"; filename*=UTF-8''%E8%B7%AF%E9%9D%A2%20K12.png
    """
    ascii_name = "".join(ch for ch in filename if ch.isascii() and ch.isprintable() and ch not in '"\\').strip()
    return f"attachment; filename=\"{ascii_name or 'attachment'}\"; filename*=UTF-8''{quote(filename, safe='')}"


@router.get("/{request_id}/attachments/{attachment_id}")
def download(request_id: int, attachment_id: int, principal: User, db: Db) -> Response:
    """The file itself, for a reader of the request (``requests.view`` over it)."""
    with db.reading() as session:
        found = get_attachment(session, principal, request_id, attachment_id)
        data, content_type, filename = found.data, found.content_type, found.filename
    headers = {
        "Content-Disposition": content_disposition(filename),
        "X-Content-Type-Options": "nosniff",
        "Cache-Control": "private, no-store",
        "Content-Security-Policy": "default-src 'none'; sandbox",
    }
    return Response(data, media_type=content_type, headers=headers)


@router.post("/{request_id}/attachments", response_model=None)
async def upload_evidence(request: Request, request_id: int, principal: User, db: Db) -> Response:
    """Add evidence of handling (photos, PDF) to a request; back to the request's page."""
    if not principal.has(HANDLE):
        raise Forbidden("您没有办理群众诉求的权限。")
    form = await request.form()
    files = await read_uploads(form, "files", limits_of(get_settings(request)))
    with uow_for(db, principal) as uow:
        added: Any = add_evidence(uow, principal, request_id, files, limits_of(get_settings(request)))
        uow.commit()
        count = len(added)
    return redirect(KIND.spec.url_of(request_id), f"已上传 {count} 个办理佐证")
