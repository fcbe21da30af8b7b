"""Pages of rectification projects (整改项目): spawn one from a request, list those in the reader's scope (expected
against actual completion, overdue flag, Excel export), show one with its measures and milestones, and edit, start,
record a milestone and complete it. Every write carries the version the user loaded (409 when stale)."""

from __future__ import annotations

from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response, StreamingResponse
from sqlalchemy import and_, case, select
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from zhengwu.core.db import AnySelect
from zhengwu.core.errors import Conflict, Forbidden, Invalid
from zhengwu.core.matters import service as matters
from zhengwu.core.matters.tables import Matter
from zhengwu.core.org.access import check_write, restrict
from zhengwu.core.org.model import Principal
from zhengwu.core.org.tables import Unit
from zhengwu.requests.kinds import KIND
from zhengwu.requests.model import PROJECT_MANAGE, VIEW, ProjectStatus
from zhengwu.requests.service import projects as service
from zhengwu.requests.service.projects import MeasureInput, MilestoneInput
from zhengwu.requests.tables import RequestMatter, RequestProject
from zhengwu.web.deps import Db, User, get_settings, uow_for
from zhengwu.web.listing import Column, Filter, ListSpec, equals, export_xlsx, fetch_page, like
from zhengwu.web.pages import form_bool, form_int, form_str, redirect, render

router = APIRouter(prefix="/requests", include_in_schema=False)
BLANK_ROWS = 3


# ----------------------------------------------------------------------------------------------- form helpers


def local_today(request: Request, db: Any) -> date:
    """Today in the platform's time zone (the clock keeps UTC)."""
    today: date = db.clock.now().astimezone(ZoneInfo(get_settings(request).timezone)).date()
    return today


def form_date(form: FormData, name: str, label: str, *, required: bool = True) -> date | None:
    """A ``YYYY-MM-DD`` field; ``Invalid`` naming it when missing (if required) or not a date."""
    return parse_date(form_str(form, name), name, label, required=required)


def parse_date(text: str, name: str, label: str, *, required: bool = True) -> date | None:
    """
    >>> parse_date("2024-06-30", "starts_on", "开工日期")
    datetime.date(2024, 6, 30)
    >>> parse_date("", "done_on", "完成日期", required=False) is None
    True
    """
    if not text:
        if required:
            raise Invalid(f"请填写{label}。", field=name)
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise Invalid(f"{label}应为有效日期（如 2024-06-30）。", field=name) from None


def form_rows(form: FormData, *names: str) -> list[dict[str, str]]:
    """Repeated fields read as table rows (``name[i]`` of each column); rows left wholly empty are dropped."""
    columns = {n: [v if isinstance(v, str) else "" for v in form.getlist(n)] for n in names}
    size = max((len(c) for c in columns.values()), default=0)
    rows = []
    for i in range(size):
        row = {n: (c[i] if i < len(c) else "").strip() for n, c in columns.items()}
        if any("\x00" in v for v in row.values()):
            raise Invalid("输入中含有不可见的控制字符（NUL），请删除后重新提交。", field=names[0])
        if any(row.values()):
            rows.append(row)
    return rows


def _percent(text: str) -> int:
    try:
        return int(text or "0")
    except ValueError:
        raise Invalid("完成百分比应为 0 到 100 之间的整数。", field="percent") from None


def _fields(form: FormData) -> dict[str, Any]:
    """The project form's fields as the service takes them."""
    measures = [
        MeasureInput(r["measure"], r["quantity"] or None, r["unit"])
        for r in form_rows(form, "measure", "quantity", "unit")
    ]
    milestones = []
    for r in form_rows(form, "milestone", "planned_on", "percent", "done_on"):
        planned = parse_date(r["planned_on"], "planned_on", "节点计划日期")
        assert planned is not None
        done = parse_date(r["done_on"], "done_on", "节点完成日期", required=False)
        milestones.append(MilestoneInput(r["milestone"], planned, _percent(r["percent"]), done))
    starts_on = form_date(form, "starts_on", "开工日期")
    assert starts_on is not None
    return {
        "title": form_str(form, "title"),
        "survey": form_str(form, "survey"),
        "survey_done_on": form_date(form, "survey_done_on", "勘察设计完成日期", required=False),
        "starts_on": starts_on,
        "duration_days": form_int(form, "duration_days", "工期（天）") or 0,
        "working_days": form_bool(form, "working_days"),
        "measures": measures,
        "milestones": milestones,
    }


def _submitted(form: FormData) -> dict[str, Any]:
    """What the user typed, to fill the form again after an error."""
    scalars: dict[str, Any] = {k: v for k, v in form.items() if isinstance(v, str) and k != "csrf_token"}
    scalars["measures"] = form_rows(form, "measure", "quantity", "unit")
    scalars["milestones"] = form_rows(form, "milestone", "planned_on", "percent", "done_on")
    return scalars


def _require_manage(principal: Principal) -> None:
    if not principal.has(PROJECT_MANAGE):
        raise Forbidden("您没有维护整改项目的权限。")


def _require_view(principal: Principal) -> None:
    if not principal.has(VIEW):
        raise Forbidden("您没有查看群众诉求的权限。")


# ------------------------------------------------------------------------------------------------------- list


def project_list(today: date) -> ListSpec:
    """Projects in the reader's ``requests.view`` scope; ``overdue``: not completed past the expected date, or
    completed after it."""
    overdue = case(
        (and_(RequestProject.completed_on.is_(None), RequestProject.expected_on < today), "已逾期"),
        (RequestProject.completed_on > RequestProject.expected_on, "逾期完工"),
        else_="",
    )

    def query(principal: Principal | None) -> AnySelect:
        stmt = (
            select(
                RequestProject.id.label("id"),
                RequestProject.title.label("title"),
                Matter.serial.label("serial"),
                Unit.name.label("unit"),
                RequestProject.status.label("status"),
                RequestProject.starts_on.label("starts_on"),
                RequestProject.expected_on.label("expected_on"),
                RequestProject.completed_on.label("completed_on"),
                overdue.label("overdue"),
            )
            .join(Matter, Matter.id == RequestProject.request_id)
            .join(Unit, Unit.id == RequestProject.unit_id)
        )
        return restrict(stmt, principal, VIEW, RequestProject)

    return ListSpec(
        name="整改项目",
        columns=(
            Column("title", "项目名称", RequestProject.title),
            Column("serial", "诉求编号", Matter.serial),
            Column("unit", "责任单位", Unit.name),
            Column("status", "状态", RequestProject.status),
            Column("starts_on", "开工日期", RequestProject.starts_on),
            Column("expected_on", "预计完工", RequestProject.expected_on),
            Column("completed_on", "实际完工", RequestProject.completed_on),
            Column("overdue", "逾期", overdue, sortable=False),
        ),
        query=query,
        filters=(
            Filter("q", "项目名称", like(RequestProject.title)),
            Filter("status", "状态", equals(RequestProject.status), [(s.value, s.label) for s in ProjectStatus]),
        ),
        default_sort="-starts_on",
        tiebreak=RequestProject.id.desc(),
    )


@router.get("/projects", response_class=HTMLResponse)
def project_list_page(request: Request, principal: User, db: Db) -> HTMLResponse:
    _require_view(principal)
    spec = project_list(local_today(request, db))
    with db.reading() as session:
        page = fetch_page(session, spec, principal, request.query_params, get_settings(request).page_size)
    return render(request, "requests/projects.html", {"page": page})


@router.get("/projects/export.xlsx")
def project_export(request: Request, principal: User, db: Db) -> StreamingResponse:
    _require_view(principal)
    with uow_for(db, principal) as uow:
        return export_xlsx(db, uow, project_list(local_today(request, db)), principal, request.query_params)


# ----------------------------------------------------------------------------------------------------- create


def _request_summary(session: Session, principal: Principal, request_id: int) -> dict[str, Any]:
    found = matters.load(session, principal, KIND, request_id)
    assert isinstance(found, RequestMatter)
    return {"id": found.id, "serial": found.serial, "title": found.title}


def _form_page(
    request: Request, ctx: dict[str, Any], status: int = 200, exc: Invalid | Conflict | None = None
) -> HTMLResponse:
    ctx.setdefault("submitted", {})
    if exc is not None:
        ctx.update(error=exc.message, field=exc.field)
    ctx["blank_rows"] = BLANK_ROWS
    return render(request, "requests/project_form.html", ctx, status=status)


@router.get("/{request_id}/projects/new", response_class=HTMLResponse)
def project_new(request: Request, request_id: int, principal: User, db: Db) -> HTMLResponse:
    _require_manage(principal)
    with db.reading() as session:
        matter = _request_summary(session, principal, request_id)
    submitted = {"title": matter["title"], "starts_on": local_today(request, db).isoformat()}
    return _form_page(
        request, {"matter": matter, "submitted": submitted, "action": f"/requests/{request_id}/projects/new"}
    )


@router.post("/{request_id}/projects/new", response_model=None)
async def project_create(request: Request, request_id: int, principal: User, db: Db) -> Response:
    _require_manage(principal)
    form = await request.form()
    with db.reading() as session:
        matter = _request_summary(session, principal, request_id)
    try:
        with uow_for(db, principal) as uow:
            project = service.create_project(uow, principal, request_id, **_fields(form))
            uow.commit()
            target = f"/requests/projects/{project.id}"
    except Invalid as exc:
        ctx = {"matter": matter, "submitted": _submitted(form), "action": f"/requests/{request_id}/projects/new"}
        return _form_page(request, ctx, 422, exc)
    return redirect(target, "已建立整改项目")


# ----------------------------------------------------------------------------------------- show, edit, actions


def may_manage(session: Session, principal: Principal, record: Any) -> bool:
    """Whether ``principal`` holds ``requests.project.manage`` over ``record``."""
    try:
        check_write(session, principal, PROJECT_MANAGE, record)
    except Forbidden:
        return False
    return True


def _detail(request: Request, db: Any, principal: Principal, project_id: int, **extra: Any) -> HTMLResponse:
    with db.reading() as session:
        view = service.project_view(session, principal, project_id)
        project = view.project
        ctx = {
            "view": view,
            "project": project,
            "unit": session.get(Unit, project.unit_id),
            "matter": session.get(Matter, project.request_id),
            "may_manage": may_manage(session, principal, project),
            "today": local_today(request, db),
            **extra,
        }
    status = 409 if extra.get("conflict") else 422 if extra.get("error") else 200
    return render(request, "requests/project.html", ctx, status=status)


@router.get("/projects/{project_id}", response_class=HTMLResponse)
def project_page(request: Request, project_id: int, principal: User, db: Db) -> HTMLResponse:
    _require_view(principal)
    return _detail(request, db, principal, project_id)


def _edit_values(view: service.ProjectView) -> dict[str, Any]:
    p = view.project
    return {
        "title": p.title,
        "survey": p.survey,
        "survey_done_on": p.survey_done_on.isoformat() if p.survey_done_on else "",
        "starts_on": p.starts_on.isoformat(),
        "duration_days": str(p.duration_days),
        "working_days": "1" if p.working_days else "",
        "version": str(p.version),
        "measures": [
            {"measure": m.description, "quantity": "" if m.quantity is None else str(m.quantity), "unit": m.unit}
            for m in view.measures
        ],
        "milestones": [
            {
                "milestone": m.name,
                "planned_on": m.planned_on.isoformat(),
                "percent": str(m.percent),
                "done_on": m.done_on.isoformat() if m.done_on else "",
            }
            for m in view.milestones
        ],
    }


@router.get("/projects/{project_id}/edit", response_class=HTMLResponse)
def project_edit(request: Request, project_id: int, principal: User, db: Db) -> HTMLResponse:
    _require_manage(principal)
    with db.reading() as session:
        view = service.project_view(session, principal, project_id)
        check_write(session, principal, PROJECT_MANAGE, view.project)
        matter = _request_summary(session, principal, view.project.request_id)
    ctx = {"matter": matter, "submitted": _edit_values(view), "action": f"/requests/projects/{project_id}/edit"}
    return _form_page(request, {**ctx, "editing": True})


@router.post("/projects/{project_id}/edit", response_model=None)
async def project_update(request: Request, project_id: int, principal: User, db: Db) -> Response:
    _require_manage(principal)
    form = await request.form()
    try:
        with uow_for(db, principal) as uow:
            version = form_int(form, "version", "版本号")
            service.update_project(uow, principal, project_id, version=version, **_fields(form))
            uow.commit()
    except (Invalid, Conflict) as exc:
        with db.reading() as session:
            view = service.project_view(session, principal, project_id)
            matter = _request_summary(session, principal, view.project.request_id)
        action = f"/requests/projects/{project_id}/edit"
        ctx = {"matter": matter, "submitted": _submitted(form), "action": action, "editing": True}
        return _form_page(request, ctx, exc.status, exc)
    return redirect(f"/requests/projects/{project_id}", "已保存整改项目")


async def _act(request: Request, db: Any, principal: Principal, project_id: int, how: Any, notice: str) -> Response:
    _require_manage(principal)
    form = await request.form()
    try:
        with uow_for(db, principal) as uow:
            how(uow, form, form_int(form, "version", "版本号"))
            uow.commit()
    except Conflict as exc:
        return _detail(request, db, principal, project_id, conflict=exc.message, error=exc.message, field=exc.field)
    except Invalid as exc:
        return _detail(request, db, principal, project_id, error=exc.message, field=exc.field)
    return redirect(f"/requests/projects/{project_id}", notice)


@router.post("/projects/{project_id}/start", response_model=None)
async def project_start(request: Request, project_id: int, principal: User, db: Db) -> Response:
    def how(uow: Any, form: FormData, version: int | None) -> None:
        service.start_project(uow, principal, project_id, version=version)

    return await _act(request, db, principal, project_id, how, "项目已开工")


@router.post("/projects/{project_id}/milestones/{milestone_id}", response_model=None)
async def project_milestone(request: Request, project_id: int, milestone_id: int, principal: User, db: Db) -> Response:
    def how(uow: Any, form: FormData, version: int | None) -> None:
        percent = form_int(form, "percent", "完成百分比") or 0
        done = form_date(form, "done_on", "节点完成日期", required=False)
        service.record_milestone(
            uow, principal, project_id, milestone_id, version=version, percent=percent, done_on=done
        )

    return await _act(request, db, principal, project_id, how, "已记录节点进度")


@router.post("/projects/{project_id}/complete", response_model=None)
async def project_complete(request: Request, project_id: int, principal: User, db: Db) -> Response:
    def how(uow: Any, form: FormData, version: int | None) -> None:
        done = form_date(form, "completed_on", "完工日期")
        assert done is not None
        service.complete_project(uow, principal, project_id, version=version, completed_on=done)

    return await _act(request, db, principal, project_id, how, "已记录完工")
