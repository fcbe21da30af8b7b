"""``POST /api/valuation/market``, ``/cost`` and ``/sensitivity``: the market and cost approaches and the income
approach's sensitivity table on their JSON requests (docs/valuation.md). They compute and store nothing; bad input is
a 422 whose ``field`` names the bad field as the request writes it (``comparables[1].pvd``, ``items[0].amount``)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from zhengwu.valuation.api.income import EXAMPLE as INCOME_EXAMPLE
from zhengwu.valuation.service.approaches import run_cost, run_market, run_sensitivity
from zhengwu.valuation.service.income import DEFAULT_PROFILE_CODE
from zhengwu.web.deps import Db, User, json_body
from zhengwu.web.problems import PROBLEMS

router = APIRouter(prefix="/api/valuation", tags=["专利价值评估"], responses=PROBLEMS)

MARKET_EXAMPLE = {
    "subject_pvd": 70,
    "as_of": "2024-06-30",
    "price_growth": 0.03,
    "comparables": [
        {"id": "D1", "title": "一种齿轮箱润滑装置", "price": 300, "pvd": 60, "deal_date": "2022-06-30", "weight": 1},
        {"id": "D2", "title": "一种减速机密封结构", "price": 420, "pvd": 80, "deal_date": "2023-06-30", "weight": 1},
        {"id": "D3", "title": "一种传动轴联轴器", "price": 350, "pvd": 72, "deal_date": "2024-01-15", "weight": 2},
    ],
}
COST_EXAMPLE = {
    "items": [
        {"name": "材料费", "amount": 10},
        {"name": "工资费", "amount": 1},
        {"name": "专用设备费", "amount": 1},
        {"name": "专利申请费", "amount": 0.4},
    ],
    "price_index": 1.188,
    "profit_rate": 0.2,
    "years_used": 2,
    "remaining_life": 8,
}


def _body(example: dict[str, Any]) -> dict[str, Any]:
    return {
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": {"type": "object"}, "example": example}},
        }
    }


@router.post("/market", summary="市场法估值", openapi_extra=_body(MARKET_EXAMPLE))
async def market(request: Request, user: User) -> dict[str, Any]:
    """调整后价格 = 成交价 × (被评估专利价值度 ÷ 可比专利价值度) × (1 + 价格年增长率)^年数；
    价值 = Σ 权重 × 调整后价格 ÷ Σ 权重。可比交易少于 3 个时在 warnings 中提示。"""
    return run_market(user, await json_body(request))


@router.post("/cost", summary="成本法估值", openapi_extra=_body(COST_EXAMPLE))
async def cost(request: Request, user: User) -> dict[str, Any]:
    """重置成本 = Σ 成本项目 × 物价指数 × (1 + 成本利润率)；成新率 = 剩余经济寿命 ÷ (已使用年限 + 剩余经济寿命)
    或 1 − 贬值率；价值 = 重置成本 × 成新率。"""
    return run_cost(user, await json_body(request))


@router.post("/sensitivity", summary="收益法敏感性分析", openapi_extra=_body(INCOME_EXAMPLE))
async def sensitivity(
    request: Request,
    db: Db,
    user: User,
    profile: Annotated[str, Query(max_length=64, description="share_rate.indicators 所用的评价方案代码")] = (
        DEFAULT_PROFILE_CODE
    ),
) -> dict[str, Any]:
    """请求与收益法相同；分成率 K、折现率 i、收益额 R 分别变动 ±10%、±20%，收益年限 n 变动 ±1、±2 年，
    给出各情形的评估值及其变动，以及龙卷风图的数据（tornado）。"""
    data = await json_body(request)
    with db.reading() as session:
        return run_sensitivity(session, user, data, profile)
