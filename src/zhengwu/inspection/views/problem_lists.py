"""Pages of common-problem lists (共性问题清单): the lists a reader may see, issuing a list to many units at once (one
problem a line; a group label per unit), a list's page with its totals, groups, problems and the units not yet
reported, and a unit's self-check form."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import FormData

from zhengwu.core.errors import Conflict, Forbidden, Invalid
from zhengwu.core.org.model import Principal
from zhengwu.inspection.model import RECTIFY, ROUND_MANAGE, VIEW
from zhengwu.inspection.service import problem_lists as service
from zhengwu.inspection.views.accountability import form_day, unit_choices
from zhengwu.web.deps import Db, User, uow_for
from zhengwu.web.pages import form_int, form_ints, form_str, redirect, render

router = APIRouter(prefix="/inspection", include_in_schema=False)
GROUPS = ("区县（市）", "园区", "市直单位")


def _require_view(principal: Principal) -> None:
    if not principal.has(VIEW):
        raise Forbidden("您没有查看巡察工作的权限。")


def _require_issue(principal: Principal) -> None:
    if not principal.has(ROUND_MANAGE):
        raise Forbidden("您没有下发共性问题清单的权限。")


@router.get("/problem-lists", response_class=HTMLResponse)
def problem_lists(request: Request, principal: User, db: Db) -> HTMLResponse:
    _require_view(principal)
    with db.reading() as session:
        rows = service.list_lists(session, principal)
    return render(request, "inspection/problem_lists.html", {"rows": rows, "may_issue": principal.has(ROUND_MANAGE)})


def _form(request: Request, db: Any, principal: Principal, ctx: dict[str, Any], status: int = 200) -> HTMLResponse:
    with db.reading() as session:
        ctx["units"] = unit_choices(session, principal, ROUND_MANAGE)
    ctx.setdefault("submitted", {})
    ctx.setdefault("chosen", set())
    ctx["groups"] = GROUPS
    return render(request, "inspection/problem_list_form.html", ctx, status=status)


@router.get("/problem-lists/new", response_class=HTMLResponse)
def problem_list_new(request: Request, principal: User, db: Db) -> HTMLResponse:
    _require_issue(principal)
    return _form(request, db, principal, {})


def _issue_fields(form: FormData) -> dict[str, Any]:
    units = form_ints(form, "unit_ids", "下发单位")
    return {
        "committee_unit_id": form_int(form, "committee_unit_id", "下发清单的党委") or 0,
        "title": form_str(form, "title"),
        "issued_on": form_day(form, "issued_on", "下发日期"),
        "due_on": form_day(form, "due_on", "完成时限") if form_str(form, "due_on") else None,
        "templates": [line.strip() for line in form_str(form, "templates").splitlines() if line.strip()],
        "units": [(u, form_str(form, f"group_{u}")) for u in units],
    }


@router.post("/problem-lists/new", response_model=None)
async def problem_list_issue(request: Request, principal: User, db: Db) -> Response:
    _require_issue(principal)
    form = await request.form()
    try:
        with uow_for(db, principal) as uow:
            problem_list = service.issue_list(uow, principal, **_issue_fields(form))
            uow.commit()
            target = f"/inspection/problem-lists/{problem_list.id}"
    except Invalid as exc:
        submitted = {k: v for k, v in form.items() if isinstance(v, str)}
        chosen = {v for v in form.getlist("unit_ids") if isinstance(v, str)}
        ctx = {"submitted": submitted, "chosen": chosen, "error": exc.message, "field": exc.field}
        return _form(request, db, principal, ctx, 422)
    return redirect(target, "已下发共性问题清单")


@router.get("/problem-lists/{list_id}", response_class=HTMLResponse)
def problem_list_page(request: Request, list_id: int, principal: User, db: Db) -> HTMLResponse:
    _require_view(principal)
    with db.reading() as session:
        summary = service.list_summary(session, principal, list_id)
    return render(request, "inspection/problem_list.html", {"s": summary, "may_report": principal.has(RECTIFY)})


def _self_check_page(
    request: Request, db: Any, principal: Principal, list_id: int, unit_id: int, status: int = 200, **extra: Any
) -> HTMLResponse:
    with db.reading() as session:
        sheet = service.self_check(session, principal, list_id, unit_id)
    ctx = {"sheet": sheet, "may_report": principal.has(RECTIFY), "submitted": {}, **extra}
    return render(request, "inspection/problem_list_unit.html", ctx, status=status)


@router.get("/problem-lists/{list_id}/units/{unit_id}", response_class=HTMLResponse)
def self_check_page(request: Request, list_id: int, unit_id: int, principal: User, db: Db) -> HTMLResponse:
    _require_view(principal)
    return _self_check_page(request, db, principal, list_id, unit_id)


def _count(form: FormData, name: str, label: str) -> int:
    return form_int(form, name, label, required=False) or 0


@router.post("/problem-lists/{list_id}/units/{unit_id}", response_model=None)
async def self_check_report(request: Request, list_id: int, unit_id: int, principal: User, db: Db) -> Response:
    if not principal.has(RECTIFY):
        raise Forbidden("您没有填报共性问题自查的权限。")
    form = await request.form()
    try:
        with uow_for(db, principal) as uow:
            templates = form_ints(form, "template_ids", "问题")
            checks = {
                t: (_count(form, f"found_{t}", "查摆问题数"), _count(form, f"rectified_{t}", "已整改数"))
                for t in templates
            }
            service.report_self_check(
                uow,
                principal,
                list_id,
                unit_id,
                checks=checks,
                livelihood=_count(form, "livelihood", "解决民生实事数"),
                regulations=_count(form, "regulations", "建章立制数"),
                version=form_int(form, "version", "版本号"),
            )
            uow.commit()
    except (Invalid, Conflict) as exc:
        submitted = {k: v for k, v in form.items() if isinstance(v, str)}
        ctx = {"submitted": submitted, "error": exc.message, "field": exc.field}
        return _self_check_page(request, db, principal, list_id, unit_id, exc.status, **ctx)
    return redirect(f"/inspection/problem-lists/{list_id}", "已报送自查情况")
