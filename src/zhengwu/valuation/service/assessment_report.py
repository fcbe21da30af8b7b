"""The Word report (评估报告) of an assessment: the picture computed from its stored inputs handed to the report
builder of :mod:`zhengwu.valuation.service.report`, with the scorers, every input, formula and intermediate figure."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from zhengwu.core.org.model import Principal
from zhengwu.valuation.service.assessment_results import Picture, picture_of, sensitivity_of
from zhengwu.valuation.service.assessments import get_assessment, unit_name
from zhengwu.valuation.service.reference import industry_table


def _as_of(picture: Picture) -> date | None:
    return None if picture.patent_facts is None else picture.patent_facts.as_of


def _with_industry_range(session: Session, request: dict[str, Any] | None) -> dict[str, Any] | None:
    """The income request for the report: an industry code shown with its name and range (m, n), so the report
    prints the figures of the formula rather than a code."""
    share = None if request is None else request.get("share_rate")
    if request is None or not isinstance(share, dict) or share.get("method") != "score" or "industry" not in share:
        return request
    found = industry_table(session).get(str(share["industry"]))
    if found is None:
        return request
    shown = {**share, "industry": f"{found.name}（{found.code}）", "range": [found.low, found.high]}
    return {**request, "share_rate": shown}


def report_docx(session: Session, principal: Principal | None, assessment_id: int, now: datetime) -> tuple[str, bytes]:
    """(file name, .docx bytes) of the assessment's report, for anyone who may view it; a draft's report has no
    conclusion yet."""
    from zhengwu.valuation.service.report import ReportData, build_report

    a = get_assessment(session, principal, assessment_id)
    picture = picture_of(session, a)
    outcomes = picture.outcomes
    data = ReportData(
        title=a.title,
        unit_name=unit_name(session, a.unit_id),
        patent_number=a.patent_number,
        patent_title=a.patent_title,
        holder=a.holder,
        client=a.client,
        as_of=_as_of(picture),
        money_unit=a.money_unit,
        profile=picture.profile,
        evaluation=picture.evaluation_json,
        income_input=_with_industry_range(session, outcomes["income"].request),
        income_result=outcomes["income"].result,
        market_input=outcomes["market"].request,
        market_result=outcomes["market"].result,
        cost_input=outcomes["cost"].request,
        cost_result=outcomes["cost"].result,
        sensitivity=sensitivity_of(session, picture),
        chosen=a.chosen,  # type: ignore[arg-type]
        conclusion=picture.conclusion,
        prepared_by=principal.full_name if principal is not None else "",
        prepared_at=now,
    )
    return f"评估报告-{a.patent_number}-{a.id}.docx", build_report(data)
