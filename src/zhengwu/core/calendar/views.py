"""The holiday maintenance page: which years are known, imported days, CSV import and a deadline calculator."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select

from zhengwu.core.calendar.model import CalendarYearUnknown
from zhengwu.core.calendar.service import import_holidays, load_calendar, parse_holiday_csv
from zhengwu.core.calendar.tables import CalendarDay, CalendarYear
from zhengwu.core.errors import Invalid
from zhengwu.core.imports import ImportRejected, RowError, decode_upload
from zhengwu.core.org.model import CALENDAR_MANAGE
from zhengwu.core.org.service import require
from zhengwu.core.todo import TodoContext, TodoItem, Urgency
from zhengwu.web.deps import Db, User, uow_for
from zhengwu.web.pages import redirect, render
from zhengwu.web.shell import Module, NavItem

router = APIRouter(prefix="/admin/calendar", include_in_schema=False)


def _parse_date(text: str, field: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise Invalid(f"“{text}”不是有效日期，应为 YYYY-MM-DD。", field=field) from None


def _page(request: Request, db: Any, **extra: Any) -> HTMLResponse:
    q = request.query_params
    result: dict[str, Any] = {}
    with db.reading() as session:
        cal = load_calendar(session)
        days = list(session.scalars(select(CalendarDay).order_by(CalendarDay.day.desc()).limit(400)))
        imported = list(session.scalars(select(CalendarYear).order_by(CalendarYear.year)))
    try:
        if q.get("start") and q.get("n"):
            start = _parse_date(q["start"], "start")
            try:
                n = int(q["n"])
            except ValueError:
                raise Invalid("工作日数应为非负整数。", field="n") from None
            if n < 0 or n > 3650:
                raise Invalid("工作日数应在 0 到 3650 之间。", field="n")
            result["add"] = (start, n, cal.add_working_days(start, n))
        if q.get("a") and q.get("b"):
            a, b = _parse_date(q["a"], "a"), _parse_date(q["b"], "b")
            result["between"] = (a, b, cal.working_days_between(a, b))
    except (Invalid, CalendarYearUnknown) as exc:
        result["error"] = exc.message if isinstance(exc, Invalid) else str(exc)
    ctx = {
        "known_years": sorted(cal.known_years),
        "builtin_years": sorted(cal.builtin_years),
        "imported": imported,
        "days": days,
        "result": result,
        "query": q,
        **extra,
    }
    return render(request, "calendar/calendar.html", ctx, status=422 if extra.get("errors") else 200)


@router.get("", response_class=HTMLResponse)
def calendar_page(request: Request, principal: User, db: Db) -> HTMLResponse:
    require(principal, CALENDAR_MANAGE)
    return _page(request, db)


@router.post("/import", response_model=None)
async def calendar_import(request: Request, principal: User, db: Db) -> Response:
    require(principal, CALENDAR_MANAGE)
    form = await request.form()
    upload = form.get("file")
    if upload is None or isinstance(upload, str):
        raise Invalid("请选择要导入的 CSV 文件。", field="file")
    try:
        rows = parse_holiday_csv(decode_upload(await upload.read(), "file"))
    except ImportRejected as exc:
        return _page(request, db, errors=exc.errors)
    except Invalid as exc:  # an empty, oversized or undecodable file: show it in the same table
        return _page(request, db, errors=[RowError(1, exc.field or "file", exc.message)])
    with uow_for(db, principal) as uow:
        result = import_holidays(uow, rows, f"页面导入：{upload.filename or ''}")
        uow.commit()
    years = "、".join(str(y) for y in result.years)
    removed = f"，移除该年份不再列出的 {result.removed} 天" if result.removed else ""
    return redirect("/admin/calendar", f"已导入 {result.days} 天{removed}，{years} 年的节假日安排已生效")


def missing_years_todo(ctx: TodoContext) -> list[TodoItem]:
    """Calendar keepers are told when this or next year has no holiday arrangement yet."""
    if not ctx.principal.has(CALENDAR_MANAGE):
        return []
    items = []
    for year, urgency in ((ctx.today.year, Urgency.OVERDUE), (ctx.today.year + 1, Urgency.SOON)):
        if not ctx.calendar.knows(year):
            items.append(
                TodoItem(
                    f"导入 {year} 年节假日安排",
                    "/admin/calendar",
                    urgency,
                    detail=f"{year} 年的期限无法按工作日计算，国务院办公厅公布安排后请立即导入。",
                )
            )
    return items


module = Module(
    name="calendar",
    routers=[router],
    nav=[NavItem("节假日维护", "/admin/calendar", CALENDAR_MANAGE, "系统管理")],
    templates=Path(__file__).resolve().parent / "templates",
    todos=[missing_years_todo],
)
