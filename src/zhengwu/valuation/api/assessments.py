"""JSON API of assessments (评估项目) under ``/api/v1/valuation/assessments``: list, create, read with every figure
computed from the stored inputs, edit the facts, add expert scores, set the income, market and cost inputs (the
contracts of docs/valuation.md, checked whole before saving), conclude, the sensitivity of the income approach and
the Word report. Writes carry the ``version`` read (409 when stale); a concluded assessment answers 409."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Response
from pydantic import BaseModel, ConfigDict, Field

from zhengwu.core.errors import Invalid
from zhengwu.valuation.service import assessments as service
from zhengwu.valuation.service.assessment_report import report_docx
from zhengwu.valuation.service.assessment_results import Picture, picture_of, sensitivity_of
from zhengwu.valuation.tables import Assessment
from zhengwu.web.deps import Db, User, uow_for
from zhengwu.web.problems import PROBLEMS
from zhengwu.web.uploads import content_disposition

MAX_ID = 2_147_483_647
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
Text = Annotated[str, Field(pattern=r"^[^\x00]*$")]
Version = Annotated[int, Field(ge=1, le=MAX_ID, description="读取时的版本号；记录已被他人修改则返回 409")]


class Input(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


router = APIRouter(prefix="/api/v1/valuation/assessments", tags=["专利价值评估"], responses=PROBLEMS)
AssessmentId = Annotated[int, Path(ge=1, le=MAX_ID, description="评估项目 ID")]
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
FACTS_EXAMPLE = {
    "patent_type": "invention",
    "filing_date": "2015-03-01",
    "as_of": "2024-06-30",
    "legal_status": "valid",
    "claim_count": 12,
    "family_countries": 3,
    "forward_citations": 4,
    "ownership_dispute": False,
    "licences": 1,
    "pledges": 0,
    "invalidation_history": "none",
}


class HeaderIn(Input):
    title: Text = Field(max_length=200, description="评估项目名称")
    patent_number: Text = Field(max_length=32, description="专利号，如 ZL201510123456.7")
    patent_title: Text = Field(max_length=256, description="专利名称")
    holder: Text = Field("", max_length=200, description="专利权人")
    client: Text = Field("", max_length=200, description="委托方")
    industry_code: Text | None = Field(None, max_length=64, description="行业代码（行业分成率区间表），如 machinery")
    money_unit: Text = Field("万元", max_length=8, description="金额单位：元 或 万元")
    facts: dict[str, Any] = Field(description="专利事实（见 docs/valuation.md）", examples=[FACTS_EXAMPLE])

    def header(self) -> service.Header:
        return service.Header(
            self.title,
            self.patent_number,
            self.patent_title,
            self.holder,
            self.client,
            self.industry_code,
            self.money_unit,
            self.facts,
        )


class AssessmentIn(HeaderIn):
    profile_code: Text = Field("cnipa2012-finance", max_length=64, description="评价方案代码（取其当前版本）")
    unit_id: Id | None = Field(None, description="评估项目所属单位 ID；不填为本人所在单位")


class AssessmentUpdate(HeaderIn):
    version: Version


class ScoreIn(Input):
    sub_code: Text = Field(max_length=64, description="二级指标代码，如 stability")
    value: int = Field(ge=0, le=10, description="档次，须为该二级指标评分档次之一")
    reason: Text = Field(max_length=2000, description="评分理由（必填）")
    scorer: Text = Field("", max_length=64, description="评分人；不填为当前用户姓名")


class ScoresIn(Input):
    version: Version | None = None
    scores: list[ScoreIn] = Field(min_length=1, max_length=service.MAX_SCORES_PER_CALL)


class ApproachInput(Input):
    version: Version | None = None
    input: dict[str, Any] | None = Field(description="该方法的参数（合同 JSON）；null 为清除")


class ConcludeIn(Input):
    version: Version | None = None
    chosen: Text = Field(max_length=16, description="作为结论的评估方法：income、market 或 cost")


class Created(BaseModel):
    id: int


class AssessmentItem(BaseModel):
    id: int
    unit_id: int
    unit: str
    title: str
    patent_number: str
    patent_title: str
    holder: str
    client: str
    industry_code: str | None
    money_unit: str
    status: str
    status_label: str
    chosen: str | None
    updated_at: datetime
    version: int


def item(a: Assessment, unit: str) -> AssessmentItem:
    return AssessmentItem(
        id=a.id,
        unit_id=a.unit_id,
        unit=unit,
        title=a.title,
        patent_number=a.patent_number,
        patent_title=a.patent_title,
        holder=a.holder,
        client=a.client,
        industry_code=a.industry_code,
        money_unit=a.money_unit,
        status=a.status,
        status_label=service.STATUS_LABELS[a.status],
        chosen=a.chosen,
        updated_at=a.updated_at,
        version=a.version,
    )


def detail(p: Picture, unit: str) -> dict[str, Any]:
    """The assessment with its evaluation, each approach (stored input, request as computed, result or error) and
    the conclusion; numbers unrounded."""
    a = p.assessment
    return {
        **item(a, unit).model_dump(mode="json"),
        "facts": p.facts,
        "profile": {"id": a.profile_id, "code": p.profile.code, "version": p.profile.version, "name": p.profile.name},
        "evaluation": p.evaluation_json,
        "scores": [
            {
                "sub_code": s.sub_code,
                "value": s.value,
                "scorer": s.scorer,
                "reason": s.reason,
                "scored_at": s.scored_at.isoformat(),
            }
            for s in p.history
        ],
        "approaches": {
            code: {"input": o.input, "request": o.request, "result": o.result, "error": o.error, "field": o.field}
            for code, o in p.outcomes.items()
        },
        "conclusion": p.conclusion,
    }


def _detail(db: Db, principal: User, assessment_id: int) -> dict[str, Any]:
    with db.reading() as session:
        a = service.get_assessment(session, principal, assessment_id)
        unit = service.unit_name(session, a.unit_id)
        return detail(picture_of(session, a), unit)


@router.get("", summary="评估项目列表（数据范围内，最近修改的在前）")
def list_assessments(
    principal: User,
    db: Db,
    status: Annotated[str | None, Query(max_length=16, description="draft 评估中、final 已出具结论")] = None,
    q: Annotated[str | None, Query(max_length=100, description="按名称、专利号、专利名称、权利人、委托方查找")] = None,
    industry_code: Annotated[str | None, Query(max_length=64, description="行业代码")] = None,
) -> list[AssessmentItem]:
    with db.reading() as session:
        rows = service.list_assessments(session, principal, status=status, q=q, industry_code=industry_code)
        return [item(a, unit) for a, unit in rows]


@router.post("", status_code=201, summary="新建评估项目")
def create_assessment(body: AssessmentIn, principal: User, db: Db) -> Created:
    with uow_for(db, principal) as uow:
        a = service.create_assessment(
            uow, principal, body.header(), profile_code=body.profile_code, unit_id=body.unit_id
        )
        uow.commit()
        return Created(id=a.id)


@router.get("/{assessment_id}", summary="评估项目详情：评分、价值度、各方法的参数与结果、结论")
def get_assessment(assessment_id: AssessmentId, principal: User, db: Db) -> dict[str, Any]:
    return _detail(db, principal, assessment_id)


@router.put("/{assessment_id}", summary="修改评估项目的基本情况与专利事实（仅评估中）")
def update_assessment(assessment_id: AssessmentId, body: AssessmentUpdate, principal: User, db: Db) -> dict[str, Any]:
    with uow_for(db, principal) as uow:
        service.update_assessment(uow, principal, assessment_id, body.header(), version=body.version)
        uow.commit()
    return _detail(db, principal, assessment_id)


@router.post("/{assessment_id}/scores", summary="专家评分（可一次多项；每项须为评分档次之一并写明理由）")
def add_scores(assessment_id: AssessmentId, body: ScoresIn, principal: User, db: Db) -> dict[str, Any]:
    inputs = [service.ScoreInput(s.sub_code, s.value, s.reason, s.scorer) for s in body.scores]
    with uow_for(db, principal) as uow:
        service.record_scores(uow, principal, assessment_id, inputs, version=body.version)
        uow.commit()
    return _detail(db, principal, assessment_id)


def _set(db: Db, principal: User, assessment_id: int, approach: str, body: ApproachInput) -> dict[str, Any]:
    with uow_for(db, principal) as uow:
        service.set_input(uow, principal, assessment_id, approach, body.input, version=body.version)
        uow.commit()
    return _detail(db, principal, assessment_id)


@router.put("/{assessment_id}/income", summary="收益法参数（score 方法的专利价值度与行业取自本评估项目）")
def set_income(assessment_id: AssessmentId, body: ApproachInput, principal: User, db: Db) -> dict[str, Any]:
    return _set(db, principal, assessment_id, "income", body)


@router.put("/{assessment_id}/market", summary="市场法参数（subject_pvd 取本评估项目的专利价值度）")
def set_market(assessment_id: AssessmentId, body: ApproachInput, principal: User, db: Db) -> dict[str, Any]:
    return _set(db, principal, assessment_id, "market", body)


@router.put("/{assessment_id}/cost", summary="成本法参数")
def set_cost(assessment_id: AssessmentId, body: ApproachInput, principal: User, db: Db) -> dict[str, Any]:
    return _set(db, principal, assessment_id, "cost", body)


@router.post("/{assessment_id}/conclude", summary="选定结论所用的评估方法并出具结论（此后不能再修改）")
def conclude(assessment_id: AssessmentId, body: ConcludeIn, principal: User, db: Db) -> dict[str, Any]:
    with uow_for(db, principal) as uow:
        service.conclude(uow, principal, assessment_id, body.chosen, version=body.version)
        uow.commit()
    return _detail(db, principal, assessment_id)


@router.get("/{assessment_id}/sensitivity", summary="收益法敏感性分析（K、i、n、收益额 ±）")
def sensitivity(assessment_id: AssessmentId, principal: User, db: Db) -> dict[str, Any]:
    with db.reading() as session:
        a = service.get_assessment(session, principal, assessment_id)
        found = sensitivity_of(session, picture_of(session, a))
    if found is None:
        raise Invalid("收益法尚无结果，无法做敏感性分析。", field="income")
    return found


@router.get(
    "/{assessment_id}/report.docx",
    summary="评估报告（Word）",
    response_class=Response,
    responses={200: {"content": {DOCX: {}}, "description": "Word 文档"}},
)
def report(assessment_id: AssessmentId, principal: User, db: Db) -> Response:
    with db.reading() as session:
        filename, body = report_docx(session, principal, assessment_id, db.clock.now())
    headers = {"Content-Disposition": content_disposition(filename), "X-Content-Type-Options": "nosniff"}
    return Response(body, media_type=DOCX, headers=headers)
