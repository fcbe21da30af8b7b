"""Bulk import of requests: the upload page, the import itself (validate-first) and the template to fill in."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from zhengwu.core.errors import Invalid
from zhengwu.core.imports import ImportRejected
from zhengwu.core.matters.imports.sheets import read_file
from zhengwu.core.org.service import require
from zhengwu.requests.model import RECEIVE
from zhengwu.requests.service.imports import COLUMNS, MAX_ROWS, REQUIRED, category_paths, import_requests, template_xlsx
from zhengwu.web.deps import Db, User, uow_for
from zhengwu.web.listing import XLSX
from zhengwu.web.pages import redirect, render
from zhengwu.web.uploads import read_import_file

router = APIRouter(prefix="/requests", include_in_schema=False)
TEMPLATE = "requests/import.html"


def _page(request: Request, status: int = 200, **extra: object) -> HTMLResponse:
    columns = [(label, field in REQUIRED) for field, label in COLUMNS.items()]
    context = {"columns": columns, "max_rows": MAX_ROWS, "error": None, "field": None, "errors": [], **extra}
    return render(request, TEMPLATE, context, status=status)


@router.get("/import", response_class=HTMLResponse)
def import_page(request: Request, principal: User) -> HTMLResponse:
    require(principal, RECEIVE)
    return _page(request)


@router.get("/import/template.xlsx")
def import_template(principal: User, db: Db) -> Response:
    require(principal, RECEIVE)
    with db.reading() as session:
        data = template_xlsx(category_paths(session))
    disposition = "attachment; filename*=UTF-8''%E8%AF%89%E6%B1%82%E5%AF%BC%E5%85%A5%E6%A8%A1%E6%9D%BF.xlsx"
    return Response(data, media_type=XLSX, headers={"Content-Disposition": disposition})


@router.post("/import", response_model=None)
async def import_upload(request: Request, principal: User, db: Db) -> Response:
    require(principal, RECEIVE)
    form = await request.form()
    try:
        filename, data = await read_import_file(form, "请选择要导入的 .xlsx 或 .csv 文件。")
        sheet = read_file(filename, data)
        with uow_for(db, principal) as uow:
            created = import_requests(uow, principal, sheet)
            uow.commit()
    except ImportRejected as exc:
        return _page(request, 422, errors=exc.errors)
    except Invalid as exc:
        return _page(request, 422, error=exc.message, field=exc.field)
    return redirect("/requests/import", f"已导入 {len(created)} 件诉求")
