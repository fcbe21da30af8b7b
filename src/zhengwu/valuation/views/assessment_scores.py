"""The scoring page of an assessment: every sub-indicator of its profile version with its ladder (levels and their
descriptions as the choices), the automatic score from the patent's facts pre-selected with its explanation, the score
that counts now, the expert's new score with a required reason, and the history of scores with who gave each and when.

Only what changed is recorded: a sub-indicator whose chosen level and reason are those that count already is left
alone, so submitting the form again does not repeat the history. A changed level needs a reason."""

from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from zhengwu.core.errors import Conflict, Invalid
from zhengwu.core.org.model import Principal
from zhengwu.core.org.service import require
from zhengwu.valuation.model import ASSESS, VIEW
from zhengwu.valuation.service import assessments as service
from zhengwu.valuation.service.assessment_results import Picture
from zhengwu.valuation.views.assessment_forms import submitted
from zhengwu.valuation.views.assessments import BASE, picture_page
from zhengwu.web.deps import Db, User, uow_for
from zhengwu.web.pages import form_str, redirect

router = APIRouter(prefix="/valuation", include_in_schema=False)


def _by_code(session: Session, p: Picture) -> dict[str, Any]:
    history: dict[str, list[Any]] = {}
    for row in p.history:
        history.setdefault(row.sub_code, []).append(row)
    return {"history": history}


def scores_page(
    request: Request, db: Any, principal: Principal, assessment_id: int, status: int = 200, **extra: Any
) -> HTMLResponse:
    extra.setdefault("values", {})
    return picture_page(
        request, db, principal, assessment_id, "valuation/assessment_scores.html", status, more=_by_code, **extra
    )


@router.get("/assessments/{assessment_id}/scores", response_class=HTMLResponse)
def assessment_scores(request: Request, assessment_id: int, principal: User, db: Db) -> HTMLResponse:
    require(principal, VIEW)
    return scores_page(request, db, principal, assessment_id)


def changed_scores(form: FormData, p: Picture, scorer: str) -> tuple[list[str], list[service.ScoreInput]]:
    """The sub-indicators whose level or reason differs from the score that counts, as scores to record."""
    codes, scores = [], []
    for _, _, sub in p.profile.walk():
        text = form_str(form, f"value.{sub.code}")
        if not text:
            continue
        try:
            value = int(text)
        except ValueError:
            raise Invalid(f"“{sub.name}”的评分须为评分档次之一。", field=f"value.{sub.code}") from None
        reason = form_str(form, f"reason.{sub.code}")
        current = p.evaluation.scores.get(sub.code)
        if current is not None and current.value == value and (not reason or reason == current.reason):
            continue
        if not reason:
            raise Invalid(f"请填写“{sub.name}”的评分理由。", field=f"reason.{sub.code}")
        codes.append(sub.code)
        scores.append(service.ScoreInput(sub.code, value, reason, scorer))
    if not scores:
        raise Invalid("没有新的评分：请选择档次并写明理由后再保存。", field="scores")
    return codes, scores


def _form_field(field: str | None, codes: list[str]) -> str | None:
    """``scores[2].reason`` of the service → ``reason.<code>`` of the form."""
    found = re.fullmatch(r"scores\[(\d+)\]\.(\w+)", field or "")
    if found is None or int(found.group(1)) >= len(codes):
        return field
    key = found.group(2)
    return "scorer" if key == "scorer" else f"{key}.{codes[int(found.group(1))]}"


@router.post("/assessments/{assessment_id}/scores", response_model=None)
async def assessment_score(request: Request, assessment_id: int, principal: User, db: Db) -> Response:
    require(principal, ASSESS)
    form = await request.form()
    codes: list[str] = []
    try:
        with uow_for(db, principal) as uow:
            from zhengwu.valuation.service.assessment_results import picture_of

            p = picture_of(uow.session, service.get_assessment(uow.session, principal, assessment_id))
            codes, scores = changed_scores(form, p, form_str(form, "scorer"))
            service.record_scores(uow, principal, assessment_id, scores)
            uow.commit()
    except (Invalid, Conflict) as exc:
        field = _form_field(exc.field, codes)
        extra = {"error": exc.message, "field": field, "values": submitted(form)}
        return scores_page(request, db, principal, assessment_id, exc.status, **extra)
    return redirect(f"{BASE}/{assessment_id}/scores", f"已记录 {len(scores)} 项评分")
