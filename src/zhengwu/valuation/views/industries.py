"""The page of the industries' sales-royalty ranges (行业分成率): the table with rates in %, editing a row (name,
range, source, order) with the version read, adding and deleting a row (``valuation.profile.manage``), and its Excel
export. Assessments keep the industry code they were made with, so deleting a row changes none of them."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from openpyxl import Workbook
from starlette.datastructures import FormData

from zhengwu.core.audit.service import record
from zhengwu.core.db import UnitOfWork
from zhengwu.core.errors import Conflict, Invalid, NotFound
from zhengwu.core.imports import ImportRejected
from zhengwu.core.matters.imports.sheets import read_file
from zhengwu.core.org.model import Principal
from zhengwu.core.org.service import require
from zhengwu.valuation.model import PROFILE_MANAGE, VIEW
from zhengwu.valuation.service import industries as service
from zhengwu.web.deps import Db, User, uow_for
from zhengwu.web.listing import XLSX, excel_cell
from zhengwu.web.pages import form_int, form_str, redirect, render
from zhengwu.web.uploads import read_import_file

router = APIRouter(prefix="/valuation", include_in_schema=False)
PAGE = "/valuation/industries"


def _page(request: Request, db: Any, principal: Principal, status: int = 200, **extra: Any) -> HTMLResponse:
    with db.reading() as session:
        rows = service.list_industries(session, principal)
    ctx = {"rows": rows, "may_manage": principal.has(PROFILE_MANAGE), "submitted": {}, **extra}
    return render(request, "valuation/industries.html", ctx, status=status)


@router.get("/industries", response_class=HTMLResponse)
def industry_page(request: Request, principal: User, db: Db) -> HTMLResponse:
    require(principal, VIEW)
    return _page(request, db, principal)


@router.get("/industries/export.xlsx")
def industry_export(principal: User, db: Db) -> Response:
    require(principal, VIEW)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("行业分成率")
    ws.append(["行业代码", "行业名称", "下限", "上限", "出处"])
    with db.reading() as session:
        rows = service.list_industries(session, principal)
    for r in rows:
        ws.append([excel_cell(ws, v) for v in (r.code, r.name, r.low, r.high, r.source)])
    out = io.BytesIO()
    wb.save(out)
    with uow_for(db, principal) as uow:
        record(uow.session, "export", "行业分成率", "-", rows=len(rows))
        uow.commit()
    headers = {"Content-Disposition": f"attachment; filename*=UTF-8''{quote('行业分成率.xlsx')}"}
    return Response(out.getvalue(), media_type=XLSX, headers=headers)


async def _attempt(
    request: Request, db: Any, principal: Principal, work: Callable[[UnitOfWork, FormData], str]
) -> Response:
    require(principal, PROFILE_MANAGE)
    form = await request.form()
    try:
        with uow_for(db, principal) as uow:
            notice = work(uow, form)
            uow.commit()
    except (Invalid, Conflict, NotFound) as exc:
        submitted = {k: v for k, v in form.items() if isinstance(v, str) and k != "csrf_token"}
        extra = {"error": exc.message, "field": exc.field, "submitted": submitted, "conflict": exc.status == 409}
        return _page(request, db, principal, exc.status, **extra)
    return redirect(PAGE, notice)


@router.post("/industries", response_model=None)
async def industry_add(request: Request, principal: User, db: Db) -> Response:
    def work(uow: UnitOfWork, form: FormData) -> str:
        service.add_industry(
            uow,
            principal,
            code=form_str(form, "code"),
            name=form_str(form, "name"),
            low=form_str(form, "low"),
            high=form_str(form, "high"),
            source=form_str(form, "source"),
            sort_order=form_int(form, "sort_order", "排序", required=False),
            percent=True,
        )
        return "已新增行业"

    return await _attempt(request, db, principal, work)


@router.post("/industries/{industry_id:int}", response_model=None)
async def industry_update(request: Request, industry_id: int, principal: User, db: Db) -> Response:
    def work(uow: UnitOfWork, form: FormData) -> str:
        service.update_industry(
            uow,
            principal,
            industry_id,
            version=form_int(form, "version", "版本号"),
            name=form_str(form, "name"),
            low=form_str(form, "low"),
            high=form_str(form, "high"),
            source=form_str(form, "source"),
            sort_order=form_int(form, "sort_order", "排序", required=False),
            percent=True,
        )
        return "已保存行业分成率区间"

    return await _attempt(request, db, principal, work)


@router.post("/industries/{industry_id:int}/delete", response_model=None)
async def industry_delete(request: Request, industry_id: int, principal: User, db: Db) -> Response:
    def work(uow: UnitOfWork, form: FormData) -> str:
        row = service.delete_industry(uow, principal, industry_id, version=form_int(form, "version", "版本号"))
        return f"已删除行业“{row.name}”（已有评估保留其行业代码 {row.code}）"

    return await _attempt(request, db, principal, work)


@router.post("/industries/import", response_model=None)
async def industry_import(request: Request, principal: User, db: Db) -> Response:
    """Merge an ``.xlsx`` or ``.csv`` file of rows by code (the export's columns); nothing is written on any error."""
    require(principal, PROFILE_MANAGE)
    form = await request.form()
    try:
        filename, data = await read_import_file(form, "请选择要导入的 .xlsx 或 .csv 文件。")
        sheet = read_file(filename, data)
        with uow_for(db, principal) as uow:
            added, updated = service.import_industries(uow, principal, sheet)
            uow.commit()
    except ImportRejected as exc:
        return _page(request, db, principal, 422, errors=exc.errors, error=exc.message[:200])
    except (Invalid, Conflict) as exc:
        return _page(request, db, principal, exc.status, error=exc.message, field=exc.field)
    return redirect(PAGE, f"已导入：新增 {added} 行，更新 {updated} 行")
