"""JSON API of a stored plan's results under ``/api/v1/finance/plans/{id}``: the run (the waterfall of a scenario and
the simulation, as ``POST /api/finance/run`` runs them on the plan's contract), the senior's size with the breakeven
pool default probability, and the Word report. Reading needs ``finance.view`` on the plan (404 outside the scope);
nothing is written. Bad input is a 422 whose ``field`` names it as the body writes it."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request, Response
from starlette.concurrency import run_in_threadpool

from zhengwu.core.db import Database
from zhengwu.core.org.model import Principal
from zhengwu.finance.model.plan import Plan as EnginePlan
from zhengwu.finance.service import plan_results as results
from zhengwu.finance.service.report import read_plan, report_ask, report_docx
from zhengwu.web.deps import Db, User, json_body
from zhengwu.web.problems import PROBLEMS
from zhengwu.web.uploads import content_disposition

router = APIRouter(prefix="/api/v1/finance", tags=["知识产权质押融资"], responses=PROBLEMS)

MAX_ID = 2_147_483_647
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PlanId = Annotated[int, Path(ge=1, le=MAX_ID, description="证券化方案 ID")]
Param = Annotated[str | None, Query(max_length=40)]
RUN_EXAMPLE = {"scenario": {"loan_defaults": {"L03": 3}}, "simulation": {"paths": 20_000, "seed": 2026}}
SIZING_EXAMPLE = {"target": 0.001, "metric": "expected_loss", "paths": 10_000, "seed": 2026, "threshold": 0.001}


def _body(example: dict[str, Any]) -> dict[str, Any]:
    return {
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": {"type": "object"}, "example": example}},
        }
    }


def _plan(db: Database, principal: Principal, plan_id: int) -> EnginePlan:
    with db.reading() as session:
        return results.load(session, principal, plan_id).plan


def _run(db: Database, principal: Principal, plan_id: int, body: Any) -> dict[str, Any]:
    return results.run_body(_plan(db, principal, plan_id), body)


def _size(db: Database, principal: Principal, plan_id: int, body: Any) -> dict[str, Any]:
    return results.sizing_body(_plan(db, principal, plan_id), body)


@router.post(
    "/plans/{plan_id}/run", summary="测算已登记的证券化方案：现金流瀑布与蒙特卡洛模拟", openapi_extra=_body(RUN_EXAMPLE)
)
async def run(plan_id: PlanId, request: Request, principal: User, db: Db) -> dict[str, Any]:
    """请求 {"scenario": 违约情景或 null, "simulation": {"paths": 路径数, "seed": 随机种子} 或 null}，与
    ``POST /api/finance/run`` 相同（方案取自登记的记录）；返回 {"waterfall", "simulation"}。两者都不给时按无违约情景
    计算；不给随机种子时随机选取并在结果中给出。不保存任何数据。"""
    body = await json_body(request)
    return await run_in_threadpool(_run, db, principal, plan_id, body)


@router.post("/plans/{plan_id}/sizing", summary="优先级规模与盈亏平衡违约概率", openapi_extra=_body(SIZING_EXAMPLE))
async def sizing(plan_id: PlanId, request: Request, principal: User, db: Db) -> dict[str, Any]:
    """请求 {"target": 目标（小数）, "metric": "expected_loss" | "loss_probability", "paths": 路径数（默认 10,000）,
    "seed": 随机种子（可不填）, "threshold": 盈亏平衡的损失概率门槛（默认 0）}；返回优先级在目标之内的最大本金
    （``sizing``）与优先级开始损失的资产池年违约概率（``breakeven``），以及所用路径数与随机种子。不保存任何数据。"""
    body = await json_body(request)
    return await run_in_threadpool(_size, db, principal, plan_id, body)


@router.get(
    "/plans/{plan_id}/report.docx",
    summary="证券化方案测算报告（Word）",
    response_class=Response,
    responses={200: {"content": {DOCX: {}}, "description": "Word 文档"}},
)
def report(
    plan_id: PlanId,
    principal: User,
    db: Db,
    paths: Param = None,
    seed: Param = None,
    target: Param = None,
    metric: Param = None,
    threshold: Param = None,
    sizing_paths: Param = None,
) -> Response:
    """方案条款、入池资产、证券分层、无违约现金流瀑布、模拟结果（``paths`` 默认 20,000 条，``seed`` 不填则随机选取，
    报告中写明）与测算方法；给出 ``target``（小数）时另含优先级规模与盈亏平衡违约概率（``metric``、``threshold``、
    ``sizing_paths``）。全部数字于下载时依据登记的记录计算。"""
    with db.reading() as session:
        stored, unit = read_plan(session, principal, plan_id)
    asked = {"paths": paths, "seed": seed, "target": target, "metric": metric, "threshold": threshold}
    asked["sizing_paths"] = sizing_paths
    ask = report_ask({k: v for k, v in asked.items() if v is not None}, stored.plan)
    filename, body = report_docx(stored, unit, ask, principal, db.clock.now())
    headers = {"Content-Disposition": content_disposition(filename), "X-Content-Type-Options": "nosniff"}
    return Response(body, media_type=DOCX, headers=headers)
