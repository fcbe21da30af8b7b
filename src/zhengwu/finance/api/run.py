"""``POST /api/finance/run``: a securitization plan's waterfall and simulation on the contract's JSON
(docs/finance.md), the path issue #7 names. Bad input is a 422 whose ``field`` names the bad field as the body
writes it (``plan.loans[2].pd_annual``, ``simulation.paths``); the run writes nothing."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool

from zhengwu.finance.model.plan import EXAMPLE as PLAN_EXAMPLE
from zhengwu.finance.service.run import run_request
from zhengwu.web.deps import User, json_body
from zhengwu.web.problems import PROBLEMS

router = APIRouter(prefix="/api/finance", tags=["知识产权质押融资"], responses=PROBLEMS)

EXAMPLE = {
    "plan": PLAN_EXAMPLE,
    "scenario": {"loan_defaults": {"L2": 3}, "guarantor_default_period": None, "provider_default_period": None},
    "simulation": {"paths": 10_000, "seed": 2026},
}


@router.post(
    "/run",
    summary="测算证券化方案：现金流瀑布与蒙特卡洛模拟",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": {"type": "object"}, "example": EXAMPLE}},
        }
    },
)
async def run(request: Request, user: User) -> dict[str, Any]:
    """请求 {"plan": 方案, "scenario": 违约情景或 null, "simulation": {"paths": 路径数, "seed": 随机种子} 或 null}；
    返回 {"waterfall": 情景的现金流瀑布或 null, "simulation": 模拟结果或 null}。两者都不给时按无违约情景计算。
    格式见 docs/finance.md；结果不做舍入。"""
    data = await json_body(request)
    return await run_in_threadpool(run_request, user, data)
