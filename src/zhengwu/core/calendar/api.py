"""JSON API of the working-day calendar under ``/api/v1/calendar``: deadline arithmetic and holiday imports.

Reads need only a logged-in user; every answer uses ``load_calendar`` so imported arrangements count. A date in a
year with no known arrangement is a 422 naming the year to import (``CalendarYearUnknown``, mapped at the edge).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException

from zhengwu.core.calendar.service import CSV_COLUMNS, import_holidays, load_calendar, parse_holiday_csv
from zhengwu.core.errors import Invalid
from zhengwu.core.imports import ImportRejected, decode_upload
from zhengwu.core.org.model import CALENDAR_MANAGE
from zhengwu.core.org.service import require
from zhengwu.web.deps import Db, User, uow_for
from zhengwu.web.problems import PROBLEMS, Problem

router = APIRouter(prefix="/api/v1/calendar", tags=["工作日历"], responses=PROBLEMS)

CSV_TYPES = frozenset({"text/csv", "application/csv", "text/plain"})
MAX_DAYS = 3650


class AddResult(BaseModel):
    start: dt.date = Field(description="起算日（不计入）")
    n: int = Field(description="工作日数")
    result: dt.date = Field(description="起算日之后第 n 个工作日")


class BetweenResult(BaseModel):
    a: dt.date = Field(description="起始日（不计入）")
    b: dt.date = Field(description="截止日（计入）")
    working_days: int = Field(description="(a, b] 内的工作日数；b 早于 a 时为负数")


class WorkingDay(BaseModel):
    date: dt.date = Field(description="日期")
    working: bool = Field(description="是否工作日（含调休上班的周末）")


class ImportDone(BaseModel):
    years: list[int] = Field(description="导入后节假日安排生效的年份")
    days: int = Field(description="写入的日期数")


class RowProblem(BaseModel):
    row: int = Field(description="行号（表头为第 1 行）")
    field: str = Field(description="列名")
    reason: str = Field(description="错误原因")


class ImportProblem(Problem):
    errors: list[RowProblem] = Field(description="每一处错误；有任何错误时不写入任何数据")


@router.get("/add", summary="加工作日")
def add(
    principal: User,
    db: Db,
    start: Annotated[dt.date, Query(description="起算日，YYYY-MM-DD（不计入）")],
    n: Annotated[int, Query(ge=0, le=MAX_DAYS, description="工作日数（0–3650）")],
) -> AddResult:
    """起算日之后第 n 个工作日，如受理之日起 5 个工作日内的截止日；n = 0 即起算日本身。"""
    with db.reading() as session:
        result = load_calendar(session).add_working_days(start, n)
    return AddResult(start=start, n=n, result=result)


@router.get("/between", summary="两日之间的工作日数")
def between(
    principal: User,
    db: Db,
    a: Annotated[dt.date, Query(description="起始日，YYYY-MM-DD（不计入）")],
    b: Annotated[dt.date, Query(description="截止日，YYYY-MM-DD（计入）")],
) -> BetweenResult:
    """半开区间 (a, b] 内的工作日数，因此 between(d, add(d, n)) = n。"""
    with db.reading() as session:
        days = load_calendar(session).working_days_between(a, b)
    return BetweenResult(a=a, b=b, working_days=days)


@router.get("/working-day", summary="是否工作日")
def working_day(principal: User, db: Db, date: Annotated[dt.date, Query(description="日期，YYYY-MM-DD")]) -> WorkingDay:
    with db.reading() as session:
        working = load_calendar(session).is_working_day(date)
    return WorkingDay(date=date, working=working)


async def holiday_csv(request: Request, principal: User) -> str:
    """The CSV text of the request body, once the caller is known to keep the calendar."""
    require(principal, CALENDAR_MANAGE)
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type not in CSV_TYPES:
        raise HTTPException(415, f"请以 text/csv 格式提交节假日 CSV（列：{','.join(CSV_COLUMNS)}）。")
    text = decode_upload(await request.body(), "body")
    if "\x00" in text:
        raise Invalid("文件中含有空字符（NUL），请另存为 UTF-8 编码的 CSV 后重试。", field="body")
    return text


CSV_BODY = {
    "required": True,
    "content": {
        "text/csv": {
            "schema": {"type": "string"},
            "example": "date,kind,name\n2027-01-01,holiday,元旦\n2027-02-06,workday,春节调休上班\n",
        }
    },
}


@router.post(
    "/holidays",
    status_code=201,
    response_model=ImportDone,
    summary="导入节假日安排",
    responses={422: {"model": ImportProblem, "description": "CSV 有误：逐行列出错误，未写入任何数据"}},
    openapi_extra={"requestBody": CSV_BODY},
)
def holidays_import(principal: User, db: Db, text: Annotated[str, Depends(holiday_csv)]) -> Response | ImportDone:
    """需要“维护节假日”权限。请求体为 CSV（列：date,kind,name；kind 为 holiday 放假或 workday 调休上班）。

    先校验全部行，有任何错误则不写入；导入后，文件中出现的年份即按“周末 + 导入的例外”计算工作日。
    """
    try:
        rows = parse_holiday_csv(text)
    except ImportRejected as exc:
        return _rejected(exc)
    with uow_for(db, principal) as uow:
        result = import_holidays(uow, rows, f"API 导入（{principal.username}）")
        uow.commit()
    return ImportDone(years=list(result.years), days=result.days)


def _rejected(exc: ImportRejected) -> JSONResponse:
    body = ImportProblem(
        title="输入有误",
        status=422,
        detail=exc.message,
        field=exc.field,
        errors=[RowProblem(**asdict(e)) for e in exc.errors],
    )
    return JSONResponse(body.model_dump(), status_code=422, media_type="application/problem+json")
