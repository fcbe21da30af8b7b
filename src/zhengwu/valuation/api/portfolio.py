"""``POST /api/v1/valuation/portfolio``: portfolio valuation of an uploaded file (multipart field ``file``: ``.xlsx``,
``.csv`` or ``.jsonl``, at most 20 MB and 20,000 patents). The answer is ``{"summary": {...}, "patents": [...]}``
(unrounded); bad rows are a 422 problem document whose ``field`` names the first one as ``rows[<row>].<column>``
(the row as the user sees it in the file, the header being row 1) and whose ``errors`` list every problem shown
(``row``, ``column``, ``field``, ``reason``) with their ``total``. Nothing is stored."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from zhengwu.core.errors import Invalid
from zhengwu.core.org.service import require
from zhengwu.valuation.model import ASSESS
from zhengwu.valuation.service.income import DEFAULT_PROFILE_CODE
from zhengwu.valuation.service.portfolio import (
    TOO_BIG_HINT,
    WEB_MAX_ROWS,
    PortfolioFileRejected,
    as_json,
    run_portfolio,
)
from zhengwu.valuation.service.portfolio_files import Options
from zhengwu.web.deps import Db, User
from zhengwu.web.problems import PROBLEMS
from zhengwu.web.uploads import read_import_file

router = APIRouter(prefix="/api/v1/valuation", tags=["专利价值评估"], responses=PROBLEMS)

UPLOAD = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {"file": {"type": "string", "format": "binary", "description": "专利事实文件"}},
                    "required": ["file"],
                }
            }
        },
    }
}


async def upload_of(request: Request) -> tuple[str, bytes]:
    """The uploaded file's name and bytes (field ``file``), at most 20 MB."""
    try:
        form = await request.form()
    except Exception:  # a body that is not multipart
        raise Invalid("请以 multipart/form-data 上传文件（字段 file）。", field="file") from None
    return await read_import_file(form, "请上传 .xlsx、.csv 或 .jsonl 文件（字段 file）。", TOO_BIG_HINT)


def rejected(exc: PortfolioFileRejected) -> JSONResponse:
    body = {
        "type": "about:blank",
        "title": "输入有误",
        "status": 422,
        "detail": exc.message,
        "field": exc.field,
        "total": exc.total,
        "errors": [
            {"row": e.row, "column": e.field, "field": getattr(e, "code", e.field), "reason": e.reason}
            for e in exc.errors
        ],
    }
    return JSONResponse(body, status_code=422, media_type="application/problem+json")


@router.post("/portfolio", summary="批量估值", openapi_extra=UPLOAD, response_model=None)
async def portfolio(
    request: Request,
    db: Db,
    user: User,
    profile: Annotated[str, Query(max_length=64, description="评价方案代码")] = DEFAULT_PROFILE_CODE,
    fill: Annotated[int | None, Query(ge=0, le=10, description="未评分二级指标的缺省档次；不给则报错")] = None,
    as_of: Annotated[date | None, Query(description="评估基准日，用于该列为空的行")] = None,
    tax_rate: Annotated[float | None, Query(ge=0, lt=1, description="所得税税率，用于该列为空的行")] = None,
    discount_rate: Annotated[float | None, Query(ge=0, lt=1, description="折现率，用于该列为空的行")] = None,
    timing: Annotated[Literal["end", "mid"], Query(description="折现时点，用于该列为空的行")] = "end",
) -> dict[str, Any] | JSONResponse:
    """逐件评分（专利价值度 PVD）、按行业区间取分成率、用收益法估值；列的写法见 docs/valuation.md“批量估值”。"""
    require(user, ASSESS)
    name, data = await upload_of(request)
    options = Options(as_of=as_of, tax_rate=tax_rate, discount_rate=discount_rate, timing=timing)

    def compute() -> dict[str, Any]:
        with db.reading() as session:
            run = run_portfolio(session, user, name, data, options, fill, profile, max_rows=WEB_MAX_ROWS)
        return as_json(run)

    try:
        return await run_in_threadpool(compute)
    except PortfolioFileRejected as exc:
        return rejected(exc)
