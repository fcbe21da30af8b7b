"""Downloading a request's attachments and adding evidence of handling (the form and download helpers are shared:
:mod:`zhengwu.web.uploads`)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from zhengwu.core.errors import Forbidden
from zhengwu.requests.kinds import KIND
from zhengwu.requests.model import HANDLE
from zhengwu.requests.service.attachments import add_evidence, get_attachment
from zhengwu.web.deps import Db, User, get_settings, uow_for
from zhengwu.web.pages import redirect
from zhengwu.web.uploads import content_disposition, limits_of, read_uploads

router = APIRouter(prefix="/requests", include_in_schema=False)


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
