"""JSON API of a request's attachments: their metadata (``GET /api/v1/requests/{id}/attachments``). The bytes are
downloaded from the ``url`` each item gives, under the same access check."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Path
from pydantic import BaseModel, Field

from zhengwu.core.errors import Forbidden
from zhengwu.requests.model import VIEW
from zhengwu.requests.service.attachments import list_attachments
from zhengwu.web.deps import Db, User
from zhengwu.web.problems import PROBLEMS

router = APIRouter(prefix="/api/v1/requests", tags=["群众诉求"], responses=PROBLEMS)
PathId = Annotated[int, Path(ge=1, le=2_147_483_647, description="诉求 ID")]


class AttachmentOut(BaseModel):
    id: int
    purpose: str = Field(description="intake（受理照片）或 evidence（办理佐证）")
    purpose_label: str
    filename: str
    content_type: str = Field(description="按文件头识别的真实类型")
    size: int = Field(description="字节数")
    sha256: str
    uploaded_at: datetime
    uploader: str = Field(description="上传人姓名；群众经网上表单上传的为“群众”")
    url: str = Field(description="下载地址（需登录，权限同查看诉求）")


@router.get("/{request_id}/attachments", summary="诉求附件列表（不含文件内容）")
def attachments(request_id: PathId, principal: User, db: Db) -> list[AttachmentOut]:
    if not principal.has(VIEW):
        raise Forbidden("您没有查看群众诉求的权限。")
    with db.reading() as session:
        items = list_attachments(session, principal, request_id)
    return [
        AttachmentOut(
            id=a.id,
            purpose=a.purpose.value,
            purpose_label=a.purpose.label,
            filename=a.filename,
            content_type=a.content_type,
            size=a.size,
            sha256=a.sha256,
            uploaded_at=a.uploaded_at,
            uploader=a.uploader,
            url=a.url,
        )
        for a in items
    ]
