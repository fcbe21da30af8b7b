"""Pages of special actions (专项行动): the list, create and edit a campaign, its report (“共收集诉求 N 件，解决困难
M 个” overall and per department, counting only the requests the reader may view) with an Excel export, and tagging
a request to it by serial."""

from __future__ import annotations

import io
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from openpyxl import Workbook
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from zhengwu.core.audit.service import record
from zhengwu.core.errors import Conflict, Forbidden, Invalid, NotFound
from zhengwu.core.org.access import restrict
from zhengwu.core.org.model import Principal
from zhengwu.core.org.tables import Unit
from zhengwu.requests.kinds import KIND
from zhengwu.requests.model import CAMPAIGN_MANAGE, VIEW
from zhengwu.requests.service import campaigns as service
from zhengwu.requests.tables import RequestCampaign
from zhengwu.requests.views.projects import form_date
from zhengwu.web.deps import Db, User, uow_for
from zhengwu.web.listing import XLSX, excel_cell
from zhengwu.web.pages import form_int, form_ints, form_str, redirect, render

router = APIRouter(prefix="/requests/campaigns", include_in_schema=False)


def _require_view(principal: Principal) -> None:
    if not principal.has(VIEW):
        raise Forbidden("您没有查看群众诉求的权限。")


def _require_manage(principal: Principal) -> None:
    if not principal.has(CAMPAIGN_MANAGE):
        raise Forbidden("您没有维护专项行动的权限。")


def unit_choices(session: Session, principal: Principal) -> list[tuple[int, str]]:
    """Active units within the caller's ``requests.campaign.manage`` scope, in tree order."""
    stmt = select(Unit.id, Unit.name).where(Unit.active.is_(True)).order_by(Unit.path)
    return [(i, n) for i, n in session.execute(restrict(stmt, principal, CAMPAIGN_MANAGE, Unit))]


def _fields(form: FormData) -> dict[str, Any]:
    starts_on = form_date(form, "starts_on", "开始日期")
    return {
        "name": form_str(form, "name"),
        "commission_unit_id": form_int(form, "commission_unit_id", "牵头单位") or 0,
        "starts_on": starts_on,
        "ends_on": form_date(form, "ends_on", "结束日期", required=False),
        "unit_ids": form_ints(form, "unit_ids", "参加部门"),
    }


def _form(request: Request, db: Any, principal: Principal, ctx: dict[str, Any], status: int = 200) -> HTMLResponse:
    with db.reading() as session:
        ctx["units"] = unit_choices(session, principal)
    ctx.setdefault("submitted", {})
    ctx.setdefault("chosen", set())
    return render(request, "requests/campaign_form.html", ctx, status=status)


def _chosen(form: FormData) -> set[str]:
    return {v for v in form.getlist("unit_ids") if isinstance(v, str)}


@router.get("", response_class=HTMLResponse)
def campaign_list(request: Request, principal: User, db: Db) -> HTMLResponse:
    _require_view(principal)
    with db.reading() as session:
        rows = service.list_campaigns(session, principal)
    return render(request, "requests/campaigns.html", {"rows": rows, "may_manage": principal.has(CAMPAIGN_MANAGE)})


@router.get("/new", response_class=HTMLResponse)
def campaign_new(request: Request, principal: User, db: Db) -> HTMLResponse:
    _require_manage(principal)
    return _form(request, db, principal, {"action": "/requests/campaigns/new"})


@router.post("/new", response_model=None)
async def campaign_create(request: Request, principal: User, db: Db) -> Response:
    _require_manage(principal)
    form = await request.form()
    try:
        with uow_for(db, principal) as uow:
            campaign = service.create_campaign(uow, principal, **_fields(form))
            uow.commit()
            target = f"/requests/campaigns/{campaign.id}"
    except Invalid as exc:
        submitted = {k: v for k, v in form.items() if isinstance(v, str)}
        ctx = {"action": "/requests/campaigns/new", "submitted": submitted, "chosen": _chosen(form)}
        return _form(request, db, principal, {**ctx, "error": exc.message, "field": exc.field}, 422)
    return redirect(target, "已建立专项行动")


def _report(
    request: Request, db: Any, principal: Principal, campaign_id: int, status: int = 200, **extra: Any
) -> HTMLResponse:
    with db.reading() as session:
        report = service.campaign_report(session, principal, campaign_id)
        commission = session.get(Unit, report.campaign.commission_unit_id)
        tagged = service.tagged_requests(session, principal, campaign_id)
    ctx = {
        "report": report,
        "commission": commission,
        "tagged": tagged,
        "label": KIND.spec.workflow.label,
        "may_manage": principal.has(CAMPAIGN_MANAGE),
        **extra,
    }
    return render(request, "requests/campaign.html", ctx, status=status)


@router.get("/{campaign_id}", response_class=HTMLResponse)
def campaign_page(request: Request, campaign_id: int, principal: User, db: Db) -> HTMLResponse:
    _require_view(principal)
    return _report(request, db, principal, campaign_id)


@router.get("/{campaign_id}/export.xlsx")
def campaign_export(campaign_id: int, principal: User, db: Db) -> Response:
    """The report as a workbook (the figures the page shows, within the reader's scope); the export is audited."""
    _require_view(principal)
    with db.reading() as session:
        report = service.campaign_report(session, principal, campaign_id)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("专项行动")
    ws.append([excel_cell(ws, report.campaign.name)])
    ws.append([f"共收集诉求 {report.surfaced} 件，办结 {report.resolved} 件，解决困难 {report.difficulties_solved} 个"])
    ws.append(["部门", "收集诉求（件）", "已办结（件）", "解决困难（个）"])
    for d in report.departments:
        ws.append([excel_cell(ws, d.unit_name), d.surfaced, d.resolved, d.difficulties_solved])
    ws.append(["合计", report.surfaced, report.resolved, report.difficulties_solved])
    out = io.BytesIO()
    wb.save(out)
    with uow_for(db, principal) as uow:
        record(uow.session, "export", "request_campaigns", campaign_id, rows=len(report.departments))
        uow.commit()
    filename = quote(f"专项行动-{campaign_id}.xlsx")
    headers = {"Content-Disposition": f"attachment; filename*=UTF-8''{filename}"}
    return Response(out.getvalue(), media_type=XLSX, headers=headers)


@router.get("/{campaign_id}/edit", response_class=HTMLResponse)
def campaign_edit(request: Request, campaign_id: int, principal: User, db: Db) -> HTMLResponse:
    _require_manage(principal)
    with db.reading() as session:
        campaign = session.get(RequestCampaign, campaign_id)
        if campaign is None:
            raise NotFound("专项行动不存在。")
        service.may_edit(session, principal, campaign)
        submitted = {
            "name": campaign.name,
            "commission_unit_id": str(campaign.commission_unit_id),
            "starts_on": campaign.starts_on.isoformat(),
            "ends_on": campaign.ends_on.isoformat() if campaign.ends_on else "",
            "version": str(campaign.version),
        }
        chosen = {str(u) for u in service.department_ids(session, campaign_id)}
    ctx = {"action": f"/requests/campaigns/{campaign_id}/edit", "submitted": submitted, "chosen": chosen}
    return _form(request, db, principal, {**ctx, "editing": True})


@router.post("/{campaign_id}/edit", response_model=None)
async def campaign_update(request: Request, campaign_id: int, principal: User, db: Db) -> Response:
    _require_manage(principal)
    form = await request.form()
    try:
        with uow_for(db, principal) as uow:
            version = form_int(form, "version", "版本号")
            service.update_campaign(uow, principal, campaign_id, version=version, **_fields(form))
            uow.commit()
    except (Invalid, Conflict) as exc:
        submitted = {k: v for k, v in form.items() if isinstance(v, str)}
        ctx: dict[str, Any] = {"action": f"/requests/campaigns/{campaign_id}/edit", "submitted": submitted}
        ctx.update(chosen=_chosen(form), editing=True, error=exc.message, field=exc.field)
        return _form(request, db, principal, ctx, exc.status)
    return redirect(f"/requests/campaigns/{campaign_id}", "已保存专项行动")


@router.post("/{campaign_id}/tag", response_model=None)
async def campaign_tag(request: Request, campaign_id: int, principal: User, db: Db) -> Response:
    """Tag the request with the serial given to this campaign (``untag``: take it off again)."""
    _require_manage(principal)
    form = await request.form()
    untag = form_str(form, "untag") == "1"
    try:
        with uow_for(db, principal) as uow:
            found = service.request_by_serial(uow.session, form_str(form, "serial"))
            if untag and found.campaign_id != campaign_id:
                raise Invalid(f"诉求 {found.serial} 未列入本专项行动。", field="serial")
            service.tag_request(uow, principal, found.id, None if untag else campaign_id)
            serial = found.serial
            uow.commit()
    except Invalid as exc:
        return _report(request, db, principal, campaign_id, 422, error=exc.message, field=exc.field)
    notice = f"已将 {serial} 移出本专项行动" if untag else f"已将 {serial} 列入本专项行动"
    return redirect(f"/requests/campaigns/{campaign_id}", notice)
