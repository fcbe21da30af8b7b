"""Portfolio valuation pages (批量估值), stateless: ``GET /valuation/portfolio`` is the upload form,
``GET /valuation/portfolio/example.csv`` the example file to fill in, ``POST /valuation/portfolio`` reads and values
the uploaded file and shows the summary and the first :data:`SHOWN` results — or, with ``format=xlsx``, answers with
every result as an Excel workbook. Nothing is stored: to get the workbook after looking at the page, upload the file
again with that choice."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from zhengwu.core.errors import Invalid
from zhengwu.core.imports import MAX_IMPORT_BYTES
from zhengwu.core.org.service import require
from zhengwu.valuation.model import ASSESS
from zhengwu.valuation.service.income import DEFAULT_PROFILE_CODE
from zhengwu.valuation.service.portfolio import (
    GATE_LABELS,
    RESULT_COLUMNS,
    TOO_BIG_HINT,
    WEB_MAX_ROWS,
    PortfolioFileRejected,
    example_csv,
    result_rows,
    run_portfolio,
    summary,
    xlsx_bytes,
)
from zhengwu.valuation.service.portfolio_files import Options
from zhengwu.valuation.service.reference import as_profile, current_profile_row, current_profiles
from zhengwu.web.deps import Db, User
from zhengwu.web.listing import XLSX
from zhengwu.web.pages import form_str, render
from zhengwu.web.uploads import read_import_file

router = APIRouter(prefix="/valuation", include_in_schema=False)
TEMPLATE = "valuation/portfolio.html"
SHOWN = 500
#: 批量估值结果.xlsx, 批量估值示例.csv (RFC 5987)
RESULT_NAME = "%E6%89%B9%E9%87%8F%E4%BC%B0%E5%80%BC%E7%BB%93%E6%9E%9C.xlsx"
EXAMPLE_NAME = "%E6%89%B9%E9%87%8F%E4%BC%B0%E5%80%BC%E7%A4%BA%E4%BE%8B.csv"


def _page(request: Request, db: Any, status: int = 200, **extra: Any) -> HTMLResponse:
    with db.reading() as session:
        profiles = [(p.code, p.name, p.version) for p in current_profiles(session)]
    values = {"profile": DEFAULT_PROFILE_CODE, "fill": "", "as_of": "", "tax_rate": "", "discount_rate": ""}
    context = {
        "profiles": profiles,
        "values": values | extra.pop("values", {}),
        "max_rows": WEB_MAX_ROWS,
        "max_mb": MAX_IMPORT_BYTES // 1024**2,
        "error": None,
        "field": None,
        "errors": [],
        "total": 0,
        "run": None,
        **extra,
    }
    return render(request, TEMPLATE, context, status=status)


@router.get("/portfolio", response_class=HTMLResponse)
def portfolio_page(request: Request, principal: User, db: Db) -> HTMLResponse:
    require(principal, ASSESS)
    return _page(request, db)


@router.get("/portfolio/example.csv")
def portfolio_example(principal: User, db: Db) -> Response:
    require(principal, ASSESS)
    with db.reading() as session:
        profile = as_profile(current_profile_row(session, DEFAULT_PROFILE_CODE))
    headers = {"Content-Disposition": f"attachment; filename*=UTF-8''{EXAMPLE_NAME}"}
    return Response(example_csv(profile), media_type="text/csv; charset=utf-8", headers=headers)


def _options(values: dict[str, str]) -> tuple[Options, int | None]:
    def number(name: str, label: str) -> float | None:
        text = values[name]
        if not text:
            return None
        try:
            x = float(text)
        except ValueError:
            raise Invalid(f"{label}应为数字，如 0.25。", field=name) from None
        if not 0 <= x < 1:
            raise Invalid(f"{label}须在 [0, 1) 之间。", field=name)
        return x

    day = None
    if values["as_of"]:
        try:
            day = date.fromisoformat(values["as_of"])
        except ValueError:
            raise Invalid("评估基准日应为日期，格式 YYYY-MM-DD。", field="as_of") from None
    fill = None
    if values["fill"]:
        if not values["fill"].isdigit() or not 0 <= int(values["fill"]) <= 10:
            raise Invalid("缺省档次须为 0 到 10 的整数。", field="fill")
        fill = int(values["fill"])
    if values["timing"] not in ("end", "mid"):
        raise Invalid("折现时点须为年末或年中。", field="timing")
    tax, rate = number("tax_rate", "所得税税率"), number("discount_rate", "折现率")
    return Options(as_of=day, tax_rate=tax, discount_rate=rate, timing=values["timing"]), fill


@router.post("/portfolio", response_model=None)
async def portfolio_run(request: Request, principal: User, db: Db) -> Response:
    require(principal, ASSESS)
    form = await request.form()
    names = ("profile", "fill", "as_of", "tax_rate", "discount_rate", "timing", "format")
    values = {name: form_str(form, name) for name in names}
    values["timing"] = values["timing"] or "end"
    values["profile"] = values["profile"][:64] or DEFAULT_PROFILE_CODE
    try:
        options, fill = _options(values)
        name, data = await read_import_file(form, "请选择要估值的 .xlsx、.csv 或 .jsonl 文件。", TOO_BIG_HINT)

        def compute() -> Any:
            with db.reading() as session:
                return run_portfolio(session, principal, name, data, options, fill, values["profile"])

        run = await run_in_threadpool(compute)
    except PortfolioFileRejected as exc:
        return _page(request, db, 422, values=values, errors=exc.errors, total=exc.total)
    except Invalid as exc:
        return _page(request, db, 422, values=values, error=exc.message, field=exc.field)
    if values["format"] == "xlsx":
        workbook = await run_in_threadpool(xlsx_bytes, run)
        headers = {"Content-Disposition": f"attachment; filename*=UTF-8''{RESULT_NAME}"}
        return Response(workbook, media_type=XLSX, headers=headers)
    rows = list(result_rows(run, SHOWN))
    for row in rows:
        row["gates"] = "、".join(GATE_LABELS.get(g, g) for g in row["gates"])
    return _page(
        request, db, values=values, run=summary(run), rows=rows, columns=RESULT_COLUMNS, shown=len(rows),
        file_name=name,
    )  # fmt: skip
