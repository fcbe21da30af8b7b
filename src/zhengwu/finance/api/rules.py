"""JSON API of finance: Pledge-rate ceilings and risk-pool rules, under ``/api/v1/finance``: read both
(``finance.view``), set or remove a patent type's ceiling and create or edit a rule (``finance.rules.manage``).
Rates and shares are fractions (``0.3`` is 30 %); the per-firm cap is in 元 (a JSON number, or text to keep every
digit, always answered as text; ``null`` is no cap)."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Path, Query, Response
from pydantic import BaseModel, Field

from zhengwu.core.org.api.schemas import MAX_ID, Input, Text
from zhengwu.finance.model.rules import CeilingType
from zhengwu.finance.service import rules as service
from zhengwu.finance.tables import PledgeCeiling, RiskPoolRule
from zhengwu.web.deps import Db, User, uow_for
from zhengwu.web.problems import PROBLEMS

router = APIRouter(prefix="/api/v1/finance", tags=["知识产权质押融资"], responses=PROBLEMS)
TYPES = "、".join(f"{t.value}（{t.label}）" for t in CeilingType)
PatentType = Annotated[str, Path(max_length=16, description=f"专利类型：{TYPES}")]
RuleId = Annotated[int, Path(ge=1, le=MAX_ID, description="风险补偿规则 ID")]
Version = Annotated[int, Field(ge=1, le=MAX_ID, description="读取时的版本号；记录已被他人修改则返回 409")]
Share = Annotated[float, Field(allow_inf_nan=False)]
Cap = Annotated[
    int | float | str | None,
    Field(
        description='单户补偿上限（元），至多两位小数；可写作数字或文字，如 5000000 或 "5000000.00"；null 为不设上限'
    ),
]


class CeilingIn(Input):
    ceiling: Share = Field(description="质押率上限（小数），大于 0 且不超过 1，如 0.3")
    note: Text = Field("", max_length=300, description="说明")
    version: Version | None = Field(None, description="修改已设的上限时必填：读取时的版本号；新设时不填")


class CeilingOut(BaseModel):
    patent_type: str
    label: str
    ceiling: float
    note: str
    version: int


class RuleFields(Input):
    name: Text = Field(max_length=200, description="规则名称")
    pool_share: Share = Field(description="风险补偿资金池分担比例（小数），如 0.45")
    lender_share: Share = Field(description="银行与担保机构分担比例（小数），如 0.45")
    valuer_share: Share = Field(description="评估机构分担比例（小数），如 0.1；三者之和须为 1")
    per_firm_cap: Cap = None
    source: Text = Field("", max_length=300, description="依据（文件名、文号）")


class RuleIn(RuleFields):
    code: Text = Field(max_length=64, description="规则代码（小写字母、数字、-、_），如 hunan-2023；保存后不可修改")


class RuleUpdate(RuleFields):
    retired: bool | None = Field(None, description="true 停用、false 恢复使用；不填则不变")
    version: Version


class RuleOut(BaseModel):
    id: int
    code: str
    name: str
    pool_share: float
    lender_share: float
    valuer_share: float
    per_firm_cap: Decimal | None = Field(description="单户补偿上限（元），以文字给出；null 为不设上限")
    source: str
    retired: bool
    version: int


class RulesOut(BaseModel):
    ceilings: list[CeilingOut]
    risk_pool_rules: list[RuleOut]


def _ceiling(c: PledgeCeiling) -> CeilingOut:
    label = CeilingType(c.patent_type).label
    return CeilingOut(patent_type=c.patent_type, label=label, ceiling=c.ceiling, note=c.note, version=c.version)


def _rule(r: RiskPoolRule) -> RuleOut:
    return RuleOut(
        id=r.id,
        code=r.code,
        name=r.name,
        pool_share=r.pool_share,
        lender_share=r.lender_share,
        valuer_share=r.valuer_share,
        per_firm_cap=r.per_firm_cap,
        source=r.source,
        retired=r.retired,
        version=r.version,
    )


@router.get("/rules", summary="质押率上限与风险补偿规则")
def list_rules(principal: User, db: Db) -> RulesOut:
    with db.reading() as session:
        return RulesOut(
            ceilings=[_ceiling(c) for c in service.list_ceilings(session, principal)],
            risk_pool_rules=[_rule(r) for r in service.list_rules(session, principal)],
        )


@router.put("/ceilings/{patent_type}", summary="设置全部类型或某一专利类型的质押率上限")
def set_ceiling(patent_type: PatentType, body: CeilingIn, principal: User, db: Db) -> CeilingOut:
    with uow_for(db, principal) as uow:
        row = service.set_ceiling(uow, principal, patent_type, body.ceiling, note=body.note, version=body.version)
        uow.commit()
        return _ceiling(row)


@router.delete(
    "/ceilings/{patent_type}",
    status_code=204,
    response_class=Response,
    summary="删除某一专利类型单独设置的质押率上限（改用全部类型的上限；all 不能删除）",
)
def remove_ceiling(
    patent_type: PatentType,
    principal: User,
    db: Db,
    version: Annotated[int, Query(ge=1, le=MAX_ID, description="读取时的版本号")],
) -> Response:
    with uow_for(db, principal) as uow:
        service.remove_ceiling(uow, principal, patent_type, version=version)
        uow.commit()
    return Response(status_code=204)


@router.post("/risk-pool-rules", status_code=201, summary="新建风险补偿规则")
def add_rule(body: RuleIn, principal: User, db: Db) -> RuleOut:
    with uow_for(db, principal) as uow:
        rule = service.add_rule(uow, principal, body.model_dump())
        uow.commit()
        return _rule(rule)


@router.put("/risk-pool-rules/{rule_id}", summary="修改风险补偿规则（可同时停用或恢复）")
def update_rule(rule_id: RuleId, body: RuleUpdate, principal: User, db: Db) -> RuleOut:
    with uow_for(db, principal) as uow:
        fields = body.model_dump(exclude={"retired", "version"})
        rule = service.update_rule(uow, principal, rule_id, fields, version=body.version, retired=body.retired)
        uow.commit()
        return _rule(rule)
