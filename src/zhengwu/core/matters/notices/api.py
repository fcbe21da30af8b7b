"""JSON API of notices under ``/api/v1/notices``: the inbox, the unread count and read marking.

The inbox lists the notices told to the caller's own unit by default (``mine=false``: every notice in their view
scope). Only the notices told to the caller's own unit count as unread for them and may be marked read by them;
marking another unit's notice they can see is refused with 403, one they cannot see is 404.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from pydantic import BaseModel, Field

from zhengwu.core.matters.notices import service
from zhengwu.core.matters.notices.model import NoticeKind
from zhengwu.web.deps import Db, User, get_settings, uow_for
from zhengwu.web.problems import PROBLEMS

router = APIRouter(prefix="/api/v1/notices", tags=["提醒与通知"], responses=PROBLEMS)
MAX_ID = 2_147_483_647
NoticeId = Annotated[int, Path(ge=1, le=MAX_ID, description="提醒 ID")]


class NoticeOut(BaseModel):
    id: int
    kind: str = Field(description="due_soon 到期预警 / overdue 逾期警示 / reminder 到期提醒 / urging 催办通知 / "
                      "criticism 通报批评 / report_due 进展报送提醒")  # fmt: skip
    kind_label: str
    matter_id: int
    matter_kind: str
    serial: str = Field(description="事项编号")
    title: str = Field(description="事项标题")
    unit_id: int = Field(description="被通知单位")
    unit: str
    at: datetime
    text: str
    read: bool
    read_at: datetime | None
    read_by: str = Field(description="标为已读的人（空：未读）")
    mine: bool = Field(description="是否发给本人所在单位；只有被通知单位的人可以标为已读")


class NoticePageOut(BaseModel):
    items: list[NoticeOut]
    total: int
    page: int
    pages: int


class UnreadCount(BaseModel):
    unread: int = Field(description="发给本单位的未读提醒数（待办中的条数）")
    unread_in_scope: int = Field(description="数据范围内全部未读提醒数（含其他单位的，仅供浏览，不能代为标记）")


class Marked(BaseModel):
    marked: int = Field(description="本次标为已读的条数")


def _out(n: service.NoticeView) -> NoticeOut:
    return NoticeOut(
        id=n.id,
        kind=n.kind,
        kind_label=n.label,
        matter_id=n.matter_id,
        matter_kind=n.matter_kind,
        serial=n.serial,
        title=n.title,
        unit_id=n.unit_id,
        unit=n.unit_name,
        at=n.at,
        text=n.text,
        read=not n.unread,
        read_at=n.read_at,
        read_by=n.read_by,
        mine=n.mine,
    )


@router.get("", summary="提醒列表（未读在前，新的在前）")
def list_notices(
    request: Request,
    principal: User,
    db: Db,
    unread: Annotated[bool, Query(description="只看未读")] = False,
    kind: Annotated[NoticeKind | None, Query(description="提醒类型")] = None,
    mine: Annotated[
        bool, Query(description="true（默认）：只看发给本单位的提醒；false：数据范围内所辖全部单位的提醒")
    ] = True,
    page: Annotated[int, Query(ge=1, le=MAX_ID)] = 1,
) -> NoticePageOut:
    with db.reading() as session:
        found = service.list_notices(
            session,
            principal,
            unread_only=unread,
            kind=kind,
            mine=mine,
            page=page,
            size=get_settings(request).page_size,
        )
    return NoticePageOut(items=[_out(n) for n in found.items], total=found.total, page=found.page, pages=found.pages)


@router.get("/unread-count", summary="未读提醒数（本单位；另报数据范围内全部）")
def unread_count(principal: User, db: Db) -> UnreadCount:
    with db.reading() as session:
        return UnreadCount(
            unread=service.unread_count(session, principal),
            unread_in_scope=service.unread_count(session, principal, mine=False),
        )


@router.post("/read-all", summary="全部标为已读（仅发给本单位的提醒）")
def read_all(principal: User, db: Db) -> Marked:
    with uow_for(db, principal) as uow:
        count = service.mark_all_read(uow, principal)
        uow.commit()
    return Marked(marked=count)


@router.post(
    "/{notice_id}/read",
    summary="标为已读（仅被通知单位；其他单位的提醒返回 403）",
)
def read_one(notice_id: NoticeId, principal: User, db: Db) -> NoticeOut:
    with uow_for(db, principal) as uow:
        found = service.mark_read(uow, principal, notice_id)
        uow.commit()
    return _out(found)
