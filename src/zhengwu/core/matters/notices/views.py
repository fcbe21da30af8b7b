"""The inbox page ``/notices`` (提醒与通知), its read-marking forms, the to-do provider and the shell module.

The page shows the notices told to the user's own unit by default (``mine=0``: every notice in their view scope, to
browse); only their own unit's notices carry the 标为已读 button, count as unread for them and go on their to-do list.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import QueryParams

from zhengwu.core.errors import Invalid
from zhengwu.core.matters.notices import service
from zhengwu.core.matters.notices.api import router as api_router
from zhengwu.core.matters.notices.model import LATE, NoticeKind
from zhengwu.core.matters.service import DEFAULT_TZ
from zhengwu.core.todo import TodoContext, TodoItem, Urgency
from zhengwu.web.deps import Db, User, get_settings, uow_for
from zhengwu.web.pages import MAX_INT, form_str, redirect, render
from zhengwu.web.shell import Module, NavItem

router = APIRouter(prefix="/notices", include_in_schema=False)
NoticeId = Annotated[int, PathParam(ge=1, le=MAX_INT)]
SHOW = {"all": "全部", "unread": "未读"}
MINE = {"1": "本单位", "0": "所辖全部"}
TODO_LIMIT = 200


def _param(params: QueryParams, name: str) -> str:
    value = (params.get(name) or "").strip()
    if "\x00" in value:
        raise Invalid("输入中含有不可见的控制字符（NUL），请删除后重新提交。", field=name)
    return value


def _page(params: QueryParams) -> int:
    text = _param(params, "page")
    try:
        page = int(text) if text else 1
    except ValueError:
        raise Invalid("页码应为正整数。", field="page") from None
    if not 1 <= page <= MAX_INT:
        raise Invalid("页码应为正整数。", field="page")
    return page


@router.get("", response_class=HTMLResponse)
def notices_page(request: Request, principal: User, db: Db) -> HTMLResponse:
    params = request.query_params
    show = _param(params, "show") or "all"
    if show not in SHOW:
        raise Invalid("显示范围应为“全部”或“未读”。", field="show")
    kind = service.notice_kind(_param(params, "kind"))
    mine = _param(params, "mine") or "1"
    if mine not in MINE:
        raise Invalid("范围应为“本单位”（mine=1）或“所辖全部”（mine=0）。", field="mine")
    page_no = _page(params)
    with db.reading() as session:
        found = service.list_notices(
            session,
            principal,
            unread_only=show == "unread",
            kind=kind,
            mine=mine == "1",
            page=page_no,
            size=get_settings(request).page_size,
        )
        unread = service.unread_count(session, principal)
        in_scope = service.unread_count(session, principal, mine=False)
    tz = ZoneInfo(get_settings(request).timezone)
    kept = {
        "show": show if show != "all" else "",
        "kind": kind.value if kind else "",
        "mine": "" if mine == "1" else mine,
    }

    def query(**overrides: Any) -> str:
        return urlencode({k: v for k, v in {**kept, **overrides}.items() if v not in ("", None, 1)})

    back = "/notices" + (f"?{q}" if (q := query(page=found.page)) else "")
    ctx = {
        "found": found,
        "unread": unread,
        "in_scope": in_scope,
        "show": show,
        "mine": mine,
        "mines": list(MINE.items()),
        "shows": list(SHOW.items()),
        "kind": kind.value if kind else "",
        "kinds": NoticeKind.choices(),
        "query": query,
        "back": back,
        "local": lambda moment: _local(moment, tz),
    }
    return render(request, "matters/notices.html", ctx)


def _local(moment: datetime | None, tz: ZoneInfo) -> str:
    return moment.astimezone(tz).strftime("%Y-%m-%d %H:%M") if moment else ""


def _back(form: Any) -> str:
    """Where to return after marking: the inbox with the filters the user had (nothing else)."""
    target = form_str(form, "back")
    if target == "/notices" or (target.startswith("/notices?") and "\\" not in target):
        return target
    return "/notices"


@router.post("/{notice_id}/read", response_model=None)
async def notice_read(request: Request, notice_id: NoticeId, principal: User, db: Db) -> Response:
    form = await request.form()
    with uow_for(db, principal) as uow:
        found = service.mark_read(uow, principal, notice_id)
        uow.commit()
    return redirect(_back(form), f"已将“{found.label}：{found.serial}”标为已读")


@router.post("/read-all", response_model=None)
async def notices_read_all(request: Request, principal: User, db: Db) -> Response:
    form = await request.form()
    with uow_for(db, principal) as uow:
        count = service.mark_all_read(uow, principal)
        uow.commit()
    done = f"已将本单位的 {count} 条提醒标为已读" if count else "本单位没有未读的提醒"
    return redirect(_back(form), done)


def notices_todo(ctx: TodoContext) -> list[TodoItem]:
    """Each unread notice told to the user's own unit that they may see (never another unit's, even in their
    scope): a missed limit (overdue, urging, criticism) is overdue, a warning ahead of time (due soon, reminder,
    report due) is soon. Marking the notice read takes it off the list."""
    items = []
    for n in service.unread(ctx.session, ctx.principal, TODO_LIMIT):
        urgency = Urgency.OVERDUE if n.kind in LATE else Urgency.SOON
        when = n.at.astimezone(DEFAULT_TZ).strftime("%Y-%m-%d %H:%M")
        items.append(
            TodoItem(
                f"{n.label}：{n.serial}「{n.title}」",
                n.href,
                urgency,
                None,
                f"{n.text}（{when} 发给{n.unit_name}；看过后请在“提醒与通知”中标为已读）",
            )
        )
    return items


module = Module(
    name="notices",
    routers=[router, api_router],
    nav=[NavItem("提醒与通知", "/notices", None, "工作台")],
    templates=Path(__file__).resolve().parents[1] / "templates",
    todos=[notices_todo],
)
