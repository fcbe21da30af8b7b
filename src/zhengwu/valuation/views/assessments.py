"""Pages of assessments (评估项目): the list in the caller's scope with filters, a new assessment, its overview
(facts, profile and version, PVD with LVD/TVD/EVD and gates, each approach's result, the chosen approach and the
conclusion), editing the facts, concluding, the sensitivity page with the tornado chart and the Word report. The
scoring page is in :mod:`.assessment_scores`, the approaches' inputs in :mod:`.assessment_inputs`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from zhengwu.core.errors import Conflict, Invalid
from zhengwu.core.org.model import Principal
from zhengwu.core.org.service import require
from zhengwu.valuation.model import ASSESS, VIEW
from zhengwu.valuation.model.indicators import InvalidationHistory, LegalStatus, PatentType
from zhengwu.valuation.service import assessments as service
from zhengwu.valuation.service.assessment_report import report_docx
from zhengwu.valuation.service.assessment_results import Picture, picture_of, sensitivity_of
from zhengwu.valuation.service.reference import current_profiles, industry_table
from zhengwu.valuation.views.assessment_forms import FORMATS, facts_from_form, facts_values, field_of, submitted
from zhengwu.web.deps import Db, User, uow_for
from zhengwu.web.pages import form_int, form_str, redirect, render
from zhengwu.web.uploads import content_disposition

router = APIRouter(prefix="/valuation", include_in_schema=False)
BASE = "/valuation/assessments"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
CHOICES = {
    "patent_types": [(t.value, t.label) for t in PatentType],
    "legal_statuses": [(s.value, s.label) for s in LegalStatus],
    "histories": [(h.value, h.label) for h in InvalidationHistory],
    "status_labels": service.STATUS_LABELS,
    "approaches": service.APPROACHES,
    "money_units": service.MONEY_UNITS,
}


def common(session: Session) -> dict[str, Any]:
    """What every assessment page shows: the choices and the formats."""
    return {**CHOICES, **FORMATS, "industries": industry_table(session)}


def picture_page(
    request: Request,
    db: Any,
    principal: Principal,
    assessment_id: int,
    template: str,
    status: int = 200,
    more: Callable[[Session, Picture], dict[str, Any]] | None = None,
    **extra: Any,
) -> HTMLResponse:
    """Render ``template`` with the assessment (``a``) and its computed picture (``p``); ``more(session, p)`` adds
    what a page needs besides, ``extra`` the error of a refused form."""
    with db.reading() as session:
        a = service.get_assessment(session, principal, assessment_id)
        p = picture_of(session, a)
        ctx = {
            "p": p,
            "a": a,
            "unit": service.unit_name(session, a.unit_id),
            "may_assess": principal.has(ASSESS) and a.status == service.DRAFT,
            **common(session),
        }
        if more is not None:
            ctx.update(more(session, p))
    ctx.update(extra)
    return render(request, template, ctx, status=status)


@router.get("/assessments", response_class=HTMLResponse)
def assessment_list(
    request: Request,
    principal: User,
    db: Db,
    status: Annotated[str, Query(max_length=16)] = "",
    q: Annotated[str, Query(max_length=100)] = "",
    industry: Annotated[str, Query(max_length=64)] = "",
) -> HTMLResponse:
    require(principal, VIEW)
    status = status if status in service.STATUS_LABELS else ""
    with db.reading() as session:
        rows = service.list_assessments(session, principal, status=status or None, q=q, industry_code=industry or None)
        ctx = {"rows": rows, "filters": {"status": status, "q": q, "industry": industry}, **common(session)}
    ctx["may_assess"] = principal.has(ASSESS)
    return render(request, "valuation/assessments.html", ctx)


def _form(request: Request, db: Any, ctx: dict[str, Any], status: int = 200) -> HTMLResponse:
    with db.reading() as session:
        ctx.update(common(session))
        ctx["profiles"] = current_profiles(session)
    ctx.setdefault("values", {"money_unit": "万元", "profile_code": "cnipa2012-finance", "facts.legal_status": "valid"})
    return render(request, "valuation/assessment_form.html", ctx, status=status)


def _header(form: FormData) -> service.Header:
    return service.Header(
        title=form_str(form, "title"),
        patent_number=form_str(form, "patent_number"),
        patent_title=form_str(form, "patent_title"),
        holder=form_str(form, "holder"),
        client=form_str(form, "client"),
        industry_code=form_str(form, "industry_code") or None,
        money_unit=form_str(form, "money_unit"),
        facts=facts_from_form(form),
    )


def _failed(form: FormData, exc: Invalid | Conflict) -> dict[str, Any]:
    return {"values": submitted(form), "error": exc.message, "field": exc.field, "field_name": field_of(exc.field)}


@router.get("/assessments/new", response_class=HTMLResponse)
def assessment_new(request: Request, principal: User, db: Db) -> HTMLResponse:
    require(principal, ASSESS)
    return _form(request, db, {})


@router.post("/assessments/new", response_model=None)
async def assessment_create(request: Request, principal: User, db: Db) -> Response:
    require(principal, ASSESS)
    form = await request.form()
    try:
        with uow_for(db, principal) as uow:
            a = service.create_assessment(uow, principal, _header(form), profile_code=form_str(form, "profile_code"))
            uow.commit()
            target = f"{BASE}/{a.id}"
    except Invalid as exc:
        return _form(request, db, _failed(form, exc), 422)
    return redirect(target, "已建立评估项目，请为各项指标评分")


@router.get("/assessments/{assessment_id}", response_class=HTMLResponse)
def assessment_detail(request: Request, assessment_id: int, principal: User, db: Db) -> HTMLResponse:
    require(principal, VIEW)
    return picture_page(request, db, principal, assessment_id, "valuation/assessment.html")


def _edit_page(
    request: Request, db: Any, principal: Principal, assessment_id: int, status: int = 200, **extra: Any
) -> HTMLResponse:
    with db.reading() as session:
        a = service.get_assessment(session, principal, assessment_id)
        values = {
            "title": a.title,
            "patent_number": a.patent_number,
            "patent_title": a.patent_title,
            "holder": a.holder,
            "client": a.client,
            "industry_code": a.industry_code or "",
            "money_unit": a.money_unit,
            "version": str(a.version),
            **facts_values(service.facts_of(a)),
        }
        ctx: dict[str, Any] = {"a": a, "values": values, **common(session)}
    ctx.update(extra)
    return render(request, "valuation/assessment_form.html", ctx, status=status)


@router.get("/assessments/{assessment_id}/edit", response_class=HTMLResponse)
def assessment_edit(request: Request, assessment_id: int, principal: User, db: Db) -> HTMLResponse:
    require(principal, ASSESS)
    return _edit_page(request, db, principal, assessment_id)


@router.post("/assessments/{assessment_id}/edit", response_model=None)
async def assessment_update(request: Request, assessment_id: int, principal: User, db: Db) -> Response:
    require(principal, ASSESS)
    form = await request.form()
    try:
        with uow_for(db, principal) as uow:
            version = form_int(form, "version", "版本号", required=False)
            service.update_assessment(uow, principal, assessment_id, _header(form), version=version)
            uow.commit()
    except (Invalid, Conflict) as exc:
        return _edit_page(request, db, principal, assessment_id, exc.status, **_failed(form, exc))
    return redirect(f"{BASE}/{assessment_id}", "已保存评估项目的基本情况")


@router.post("/assessments/{assessment_id}/conclude", response_model=None)
async def assessment_conclude(request: Request, assessment_id: int, principal: User, db: Db) -> Response:
    require(principal, ASSESS)
    form = await request.form()
    try:
        with uow_for(db, principal) as uow:
            version = form_int(form, "version", "版本号", required=False)
            service.conclude(uow, principal, assessment_id, form_str(form, "chosen"), version=version)
            uow.commit()
    except (Invalid, Conflict) as exc:
        template = "valuation/assessment.html"
        return picture_page(
            request, db, principal, assessment_id, template, exc.status, error=exc.message, field=exc.field
        )
    return redirect(f"{BASE}/{assessment_id}", "已出具评估结论")


@router.get("/assessments/{assessment_id}/sensitivity", response_class=HTMLResponse)
def assessment_sensitivity(request: Request, assessment_id: int, principal: User, db: Db) -> HTMLResponse:
    require(principal, VIEW)
    return picture_page(
        request,
        db,
        principal,
        assessment_id,
        "valuation/assessment_sensitivity.html",
        more=lambda session, p: {"sensitivity": sensitivity_of(session, p)},
    )


@router.get("/assessments/{assessment_id}/report.docx")
def assessment_report(assessment_id: int, principal: User, db: Db) -> Response:
    require(principal, VIEW)
    with db.reading() as session:
        filename, body = report_docx(session, principal, assessment_id, db.clock.now())
    headers = {"Content-Disposition": content_disposition(filename), "X-Content-Type-Options": "nosniff"}
    return Response(body, media_type=DOCX, headers=headers)
