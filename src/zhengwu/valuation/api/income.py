"""``POST /api/valuation/income``: the income approach on the contract's JSON (docs/valuation.md), the path issue #6
names. Bad input is a 422 whose ``field`` names the bad field as the contract writes it (``income.amounts[2]``)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from zhengwu.valuation.service.income import DEFAULT_PROFILE_CODE, run_income
from zhengwu.web.deps import Db, User, json_body
from zhengwu.web.problems import PROBLEMS

router = APIRouter(prefix="/api/valuation", tags=["专利价值评估"], responses=PROBLEMS)

EXAMPLE = {
    "income": {"basis": "revenue", "amounts": [2000, 2200, 2400, 2500, 2500]},
    "share_rate": {"method": "score", "range": [0.015, 0.03], "score": 70},
    "tax_rate": 0.25,
    "discount_rate": {
        "risk_free": 0.025,
        "premia": {"technology": 0.03, "market": 0.02, "funding": 0.01, "management": 0.01},
    },
    "years": 5,
    "timing": "end",
    "share_rate_decay": 0,
}


@router.post(
    "/income",
    summary="收益法估值",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": {"type": "object"}, "example": EXAMPLE}},
        }
    },
)
async def income(
    request: Request,
    db: Db,
    user: User,
    profile: Annotated[str, Query(max_length=64, description="share_rate.indicators 所用的评价方案代码")] = (
        DEFAULT_PROFILE_CODE
    ),
) -> dict[str, Any]:
    """价值 = Σ K_t·R_t·(1 − 所得税税率)/(1 + i)^t。输入输出见 docs/valuation.md；结果不做舍入。"""
    data = await json_body(request)
    with db.reading() as session:
        return run_income(session, user, data, profile)
