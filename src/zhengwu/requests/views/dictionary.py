"""Pages of the category dictionary (诉求分类) and the routing rules (派单规则), for holders of
``requests.category.manage``: the whole tree (inactive entries included) with limits and urgency, create, edit
(optimistic locking) and deactivate a category; list, add and deactivate routing rules."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from zhengwu.core.errors import Conflict, Forbidden, Invalid, NotFound
from zhengwu.core.matters.model import LimitUnit
from zhengwu.core.org.model import Principal
from zhengwu.core.org.tables import Unit
from zhengwu.requests.model import CATEGORY_MANAGE, CategoryKind
from zhengwu.requests.service import categories as service
from zhengwu.requests.tables import RequestCategory
from zhengwu.web.deps import Db, User, uow_for
from zhengwu.web.pages import form_bool, form_int, form_str, redirect, render

router = APIRouter(prefix="/requests", include_in_schema=False)


def _require(principal: Principal) -> None:
    if not principal.has(CATEGORY_MANAGE):
        raise Forbidden("您没有维护诉求分类与派单规则的权限。")


def category_tree(session: Session) -> list[RequestCategory]:
    """Every category (both kinds, inactive ones too) in tree order: each parent followed by its children."""
    rows = list(session.scalars(select(RequestCategory).order_by(RequestCategory.sort_order, RequestCategory.code)))
    children: dict[int | None, list[RequestCategory]] = {}
    for r in rows:
        children.setdefault(r.parent_id, []).append(r)
    ordered: list[RequestCategory] = []

    def walk(parent: int | None) -> None:
        for r in children.get(parent, []):
            ordered.append(r)
            walk(r.id)

    walk(None)
    return _by_kind(ordered)


def _by_kind(ordered: list[RequestCategory]) -> list[RequestCategory]:
    """Types first, then subjects; within each the tree order is kept (the sort is stable)."""
    return sorted(ordered, key=lambda r: 0 if r.kind == CategoryKind.TYPE else 1)


def _limit_fields(form: FormData) -> dict[str, Any]:
    return {
        "limit_amount": form_int(form, "limit_amount", "办理时限", required=False),
        "limit_unit": form_str(form, "limit_unit") or None,
        "urgent": form_bool(form, "urgent"),
        "sort_order": form_int(form, "sort_order", "排序", required=False) or 0,
    }


def _page(request: Request, db: Any, template: str, ctx: dict[str, Any], status: int = 200) -> HTMLResponse:
    with db.reading() as session:
        ctx.setdefault("categories", category_tree(session))
    ctx.setdefault("submitted", {})
    ctx.update(kinds=list(CategoryKind), limit_units=list(LimitUnit))
    return render(request, template, ctx, status=status)


def _form_of(form: FormData) -> dict[str, str]:
    return {k: v for k, v in form.items() if isinstance(v, str) and k != "csrf_token"}


# ------------------------------------------------------------------------------------------------ categories


@router.get("/categories", response_class=HTMLResponse)
def category_page(request: Request, principal: User, db: Db) -> HTMLResponse:
    _require(principal)
    return _page(request, db, "requests/categories.html", {})


@router.get("/categories/new", response_class=HTMLResponse)
def category_new(request: Request, principal: User, db: Db) -> HTMLResponse:
    _require(principal)
    parent = request.query_params.get("parent_id", "")
    return _page(request, db, "requests/category_form.html", {"submitted": {"parent_id": parent, "kind": "subject"}})


@router.post("/categories/new", response_model=None)
async def category_create(request: Request, principal: User, db: Db) -> Response:
    _require(principal)
    form = await request.form()
    try:
        with uow_for(db, principal) as uow:
            created = service.create_category(
                uow,
                principal,
                code=form_str(form, "code"),
                name=form_str(form, "name"),
                kind=form_str(form, "kind") or CategoryKind.SUBJECT,
                parent_id=form_int(form, "parent_id", "上级分类", required=False),
                **_limit_fields(form),
            )
            uow.commit()
            name = created.name
    except Invalid as exc:
        ctx = {"submitted": _form_of(form), "error": exc.message, "field": exc.field}
        return _page(request, db, "requests/category_form.html", ctx, 422)
    return redirect("/requests/categories", f"已添加分类“{name}”")


def _category(db: Any, category_id: int) -> RequestCategory:
    with db.reading() as session:
        found: RequestCategory | None = session.get(RequestCategory, category_id)
        if found is None:
            raise NotFound("诉求分类不存在。")
        return found


@router.get("/categories/{category_id}/edit", response_class=HTMLResponse)
def category_edit(request: Request, category_id: int, principal: User, db: Db) -> HTMLResponse:
    _require(principal)
    c = _category(db, category_id)
    submitted = {
        "name": c.name,
        "limit_amount": "" if c.limit_amount is None else str(c.limit_amount),
        "limit_unit": c.limit_unit.value if c.limit_unit else "",
        "urgent": "1" if c.urgent else "",
        "active": "1" if c.active else "",
        "sort_order": str(c.sort_order),
        "version": str(c.version),
    }
    return _page(request, db, "requests/category_form.html", {"category": c, "submitted": submitted})


@router.post("/categories/{category_id}/edit", response_model=None)
async def category_update(request: Request, category_id: int, principal: User, db: Db) -> Response:
    _require(principal)
    form = await request.form()
    try:
        with uow_for(db, principal) as uow:
            service.update_category(
                uow,
                principal,
                category_id,
                version=form_int(form, "version", "版本号"),
                name=form_str(form, "name"),
                active=form_bool(form, "active"),
                **_limit_fields(form),
            )
            uow.commit()
    except (Invalid, Conflict) as exc:
        ctx = {"category": _category(db, category_id), "submitted": _form_of(form)}
        ctx.update(error=exc.message, field=exc.field)
        return _page(request, db, "requests/category_form.html", ctx, exc.status)
    return redirect("/requests/categories", "已保存分类")


@router.post("/categories/{category_id}/deactivate", response_model=None)
async def category_deactivate(request: Request, category_id: int, principal: User, db: Db) -> Response:
    _require(principal)
    form = await request.form()
    try:
        with uow_for(db, principal) as uow:
            service.deactivate_category(uow, principal, category_id, version=form_int(form, "version", "版本号"))
            uow.commit()
    except (Invalid, Conflict) as exc:
        ctx = {"error": exc.message, "field": exc.field}
        return _page(request, db, "requests/categories.html", ctx, exc.status)
    return redirect("/requests/categories", "已停用分类")


# --------------------------------------------------------------------------------------------- routing rules


def _units(session: Session) -> list[tuple[int, str]]:
    return [
        (i, n) for i, n in session.execute(select(Unit.id, Unit.name).where(Unit.active.is_(True)).order_by(Unit.path))
    ]


def _routing(request: Request, db: Any, status: int = 200, **extra: Any) -> HTMLResponse:
    with db.reading() as session:
        ctx = {
            "rules": service.routing_rules(session),
            "categories": [c for c in category_tree(session) if c.active and c.kind == CategoryKind.SUBJECT],
            "units": _units(session),
            "submitted": {},
            **extra,
        }
    return render(request, "requests/routing.html", ctx, status=status)


@router.get("/routing", response_class=HTMLResponse)
def routing_page(request: Request, principal: User, db: Db) -> HTMLResponse:
    _require(principal)
    return _routing(request, db)


@router.post("/routing", response_model=None)
async def routing_add(request: Request, principal: User, db: Db) -> Response:
    _require(principal)
    form = await request.form()
    try:
        with uow_for(db, principal) as uow:
            service.add_routing_rule(
                uow,
                principal,
                target_unit_id=form_int(form, "target_unit_id", "承办单位") or 0,
                category_id=form_int(form, "category_id", "诉求分类", required=False),
                area_unit_id=form_int(form, "area_unit_id", "区域", required=False),
                priority=form_int(form, "priority", "优先级", required=False) or 0,
            )
            uow.commit()
    except Invalid as exc:
        return _routing(request, db, 422, submitted=_form_of(form), error=exc.message, field=exc.field)
    return redirect("/requests/routing", "已添加派单规则")


@router.post("/routing/{rule_id}/deactivate", response_model=None)
def routing_deactivate(rule_id: int, principal: User, db: Db) -> Response:
    _require(principal)
    with uow_for(db, principal) as uow:
        service.deactivate_routing_rule(uow, principal, rule_id)
        uow.commit()
    return redirect("/requests/routing", "已停用派单规则")
