"""A pledge loan's page and what is done on it: its terms, the pledged patents with the pledge rate against the
ceiling (and the forms to pledge or release a patent before disbursement), the repayment schedule, the steps open in
its status with their forms, the history of its steps and the risk pool's sharing of the loss at default and
disposal. A refused form shows the page again with the message and the field (422, or 409 when the loan changed)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from zhengwu.core.db import Database
from zhengwu.core.errors import Conflict, Forbidden, Invalid
from zhengwu.core.org.access import check_write
from zhengwu.core.org.model import Principal
from zhengwu.core.org.service import require
from zhengwu.finance.model import LOAN_MANAGE
from zhengwu.finance.model.loans import PATENTS_EDITABLE, LoanStatus, Step, percent
from zhengwu.finance.model.plan import Amortization
from zhengwu.finance.service import loan_workflow as workflow
from zhengwu.finance.service import loans as service
from zhengwu.finance.views.loans import LIST, money, pct_input
from zhengwu.valuation.model.indicators import PatentType
from zhengwu.web.deps import Db, User, uow_for
from zhengwu.web.pages import form_int, form_str, redirect, render

router = APIRouter(prefix="/finance", include_in_schema=False)
PATENT_FIELDS = ("assessment_id", "patent_number", "title", "patent_type", "appraised_value", "valuer", "valued_on")
STEP_FIELDS: dict[Step, tuple[str, ...]] = {
    Step.APPROVE: ("approved_on", "note"),
    Step.DECLINE: ("closed_on", "reason"),
    Step.DISBURSE: ("disbursed_on", "registration_no", "registration_date", "note"),
    Step.REPAY: ("closed_on", "note"),
    Step.DEFAULT: ("closed_on", "exposure_at_default", "note"),
    Step.DISPOSE: ("disposed_on", "disposal_proceeds", "note"),
}


def _may_manage(session: Session, principal: Principal, record: Any) -> bool:
    if not principal.has(LOAN_MANAGE):
        return False
    try:
        check_write(session, principal, LOAN_MANAGE, record)
    except Forbidden:
        return False
    return True


def _assessments(session: Session, principal: Principal) -> list[tuple[int, str]]:
    """The concluded assessments the caller may cite (newest first), for the patent form's choice."""
    from zhengwu.valuation.model import VIEW as VALUATION_VIEW
    from zhengwu.valuation.service.assessments import list_assessments

    if not principal.has(VALUATION_VIEW):
        return []
    rows = list_assessments(session, principal, status="final", limit=200)
    return [(a.id, f"{a.patent_number} {a.patent_title}（{unit}）") for a, unit in rows]


def _page(
    request: Request, db: Database, principal: Principal, loan_id: int, status: int = 200, **extra: Any
) -> HTMLResponse:
    with db.reading() as session:
        d = workflow.loan_detail(session, principal, loan_id)
        may = _may_manage(session, principal, d.loan)
        ctx = {
            "d": d,
            "loan": d.loan,
            "money": money,
            "percent": percent,
            "pct_input": pct_input,
            "amortization": Amortization(d.loan.amortization).label,
            "status_label": LoanStatus(d.loan.status).label,
            "patent_types": PatentType.choices(),
            "type_label": {v: label for v, label in PatentType.choices()},
            "may_manage": may,
            "patents_open": may and d.loan.status in PATENTS_EDITABLE,
            "steps": [(s, STEP_FIELDS[s]) for s in d.steps] if may else [],
            "assessments": _assessments(session, principal) if may and d.loan.status in PATENTS_EDITABLE else [],
            "submitted": {},
            **extra,
        }
        return render(request, "finance/loan.html", ctx, status=status)


@router.get("/loans/{loan_id:int}", response_class=HTMLResponse)
def loan_page(request: Request, loan_id: int, principal: User, db: Db) -> HTMLResponse:
    return _page(request, db, principal, loan_id)


def _fields(form: FormData, keys: tuple[str, ...]) -> dict[str, str]:
    return {key: form_str(form, key) for key in keys}


@router.post("/loans/{loan_id:int}/patents", response_model=None)
async def patent_add(request: Request, loan_id: int, principal: User, db: Db) -> Response:
    require(principal, LOAN_MANAGE)
    form = await request.form()
    try:
        with uow_for(db, principal) as uow:
            version = form_int(form, "version", "版本号")
            service.add_patent(uow, principal, loan_id, _fields(form, PATENT_FIELDS), version=version)
            uow.commit()
    except (Invalid, Conflict) as exc:
        submitted = {"patent": _fields(form, PATENT_FIELDS)}
        return _page(
            request, db, principal, loan_id, exc.status, error=exc.message, field=exc.field, submitted=submitted
        )
    return redirect(f"{LIST}/{loan_id}", "已登记质押专利")


@router.post("/loans/{loan_id:int}/patents/{patent_id:int}/delete", response_model=None)
async def patent_delete(request: Request, loan_id: int, patent_id: int, principal: User, db: Db) -> Response:
    require(principal, LOAN_MANAGE)
    form = await request.form()
    try:
        with uow_for(db, principal) as uow:
            version = form_int(form, "version", "版本号")
            service.remove_patent(uow, principal, loan_id, patent_id, version=version)
            uow.commit()
    except (Invalid, Conflict) as exc:
        return _page(request, db, principal, loan_id, exc.status, error=exc.message, field=exc.field)
    return redirect(f"{LIST}/{loan_id}", "已解除该专利的质押")


@router.post("/loans/{loan_id:int}/steps/{step}", response_model=None)
async def loan_step(request: Request, loan_id: int, step: str, principal: User, db: Db) -> Response:
    require(principal, LOAN_MANAGE)
    form = await request.form()
    try:
        chosen = workflow.step_of(step)
        with uow_for(db, principal) as uow:
            version = form_int(form, "version", "版本号")
            loan = workflow.take_step(
                uow, principal, loan_id, chosen, _fields(form, STEP_FIELDS[chosen]), version=version
            )
            uow.commit()
            now = LoanStatus(loan.status).label
    except (Invalid, Conflict) as exc:
        keys = STEP_FIELDS.get(Step(step), ()) if step in Step._value2member_map_ else ()
        submitted = {"step": step, **_fields(form, keys)}
        return _page(
            request, db, principal, loan_id, exc.status, error=exc.message, field=exc.field, submitted=submitted
        )
    return redirect(f"{LIST}/{loan_id}", f"已{chosen.label}，贷款现为“{now}”")
