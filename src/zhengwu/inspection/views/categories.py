"""The dictionary page of finding categories (问题分类, ``inspection.category.manage``): list every entry, add one,
rename it and change its order (with the version read), deactivate or reactivate it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from zhengwu.core.errors import Conflict, Forbidden, Invalid
from zhengwu.core.org.model import Principal
from zhengwu.inspection.model import CATEGORY_MANAGE
from zhengwu.inspection.service import categories as service
from zhengwu.web.deps import Db, User, uow_for
from zhengwu.web.pages import form_int, form_str, redirect, render

router = APIRouter(prefix="/inspection", include_in_schema=False)
PAGE = "/inspection/categories"


def _require(principal: Principal) -> None:
    if not principal.has(CATEGORY_MANAGE):
        raise Forbidden("您没有维护巡察问题分类的权限。")


def _page(request: Request, db: Any, status: int = 200, **extra: Any) -> HTMLResponse:
    with db.reading() as session:
        rows = service.list_categories(session)
    return render(request, "inspection/categories.html", {"categories": rows, **extra}, status=status)


@router.get("/categories", response_class=HTMLResponse)
def category_page(request: Request, principal: User, db: Db) -> HTMLResponse:
    _require(principal)
    return _page(request, db)


async def _attempt(request: Request, db: Any, principal: Principal, work: Callable[..., str]) -> Response:
    _require(principal)
    form = await request.form()
    try:
        with uow_for(db, principal) as uow:
            notice = work(uow, form)
            uow.commit()
    except (Invalid, Conflict) as exc:
        submitted = {k: v for k, v in form.items() if isinstance(v, str) and k != "csrf_token"}
        return _page(
            request, db, exc.status, error=exc.message, field=exc.field, submitted=submitted, conflict=exc.status == 409
        )
    return redirect(PAGE, notice)


@router.post("/categories", response_model=None)
async def category_add(request: Request, principal: User, db: Db) -> Response:
    def work(uow: Any, form: Any) -> str:
        service.add_category(
            uow,
            principal,
            code=form_str(form, "code"),
            name=form_str(form, "name"),
            sort_order=form_int(form, "sort_order", "排序", required=False),
        )
        return "已新增问题分类"

    return await _attempt(request, db, principal, work)


@router.post("/categories/{category_id:int}", response_model=None)
async def category_rename(request: Request, category_id: int, principal: User, db: Db) -> Response:
    def work(uow: Any, form: Any) -> str:
        service.rename_category(
            uow,
            principal,
            category_id,
            version=form_int(form, "version", "版本号"),
            name=form_str(form, "name"),
            sort_order=form_int(form, "sort_order", "排序", required=False),
        )
        return "已保存问题分类"

    return await _attempt(request, db, principal, work)


@router.post("/categories/{category_id:int}/deactivate", response_model=None)
async def category_deactivate(request: Request, category_id: int, principal: User, db: Db) -> Response:
    def work(uow: Any, form: Any) -> str:
        service.set_active(uow, principal, category_id, version=form_int(form, "version", "版本号"), active=False)
        return "已停用问题分类"

    return await _attempt(request, db, principal, work)


@router.post("/categories/{category_id:int}/activate", response_model=None)
async def category_activate(request: Request, category_id: int, principal: User, db: Db) -> Response:
    def work(uow: Any, form: Any) -> str:
        service.set_active(uow, principal, category_id, version=form_int(form, "version", "版本号"), active=True)
        return "已启用问题分类"

    return await _attempt(request, db, principal, work)
