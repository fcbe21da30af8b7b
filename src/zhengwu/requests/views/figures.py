"""The hotline's figures page ``/requests/figures`` (with its xlsx export) and the hot spots page
``/requests/hotspots``; both take a period (year, quarter, month or a date range) and a unit from the query."""

from __future__ import annotations

import io
import re
from collections.abc import Mapping
from datetime import date
from typing import Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from openpyxl import Workbook

from zhengwu.core.audit.service import record
from zhengwu.core.errors import Invalid, NotFound
from zhengwu.core.matters.stats.model import percent
from zhengwu.core.matters.stats.service import LOCAL_TZ, unit_choices
from zhengwu.core.org.service import require
from zhengwu.requests import hotspots
from zhengwu.requests.figures import Counts, Period, period
from zhengwu.requests.kinds import KIND
from zhengwu.requests.model import VIEW, State, format_km
from zhengwu.requests.service.figures import RequestFigures, Row, request_figures, request_hot_spots
from zhengwu.web.deps import Db, User, uow_for
from zhengwu.web.listing import XLSX, excel_cell
from zhengwu.web.pages import MAX_INT, render

router = APIRouter(prefix="/requests", include_in_schema=False)

PERIOD_PARAMS = ("year", "quarter", "month", "from", "to", "unit_id")
SPOT_PARAMS = ("gap_m", "radius_m", "window_days", "min_count")
INTEGER = re.compile(r"-?[0-9]{1,10}")


def _text(params: Mapping[str, str], name: str) -> str:
    value = (params.get(name) or "").strip()
    if "\x00" in value:
        raise Invalid("输入中含有不可见的控制字符（NUL），请删除后重新提交。", field=name)
    return value


def _int(params: Mapping[str, str], name: str, label: str) -> int | None:
    text = _text(params, name)
    if not text:
        return None
    if not INTEGER.fullmatch(text) or not -MAX_INT <= int(text) <= MAX_INT:
        raise Invalid(f"{label}（{name}）应为整数。", field=name)
    return int(text)


def _date(params: Mapping[str, str], name: str, label: str) -> date | None:
    text = _text(params, name)
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise Invalid(f"{label}（{name}）“{text[:20]}”不是有效日期，应为 YYYY-MM-DD。", field=name) from None


def _unit(params: Mapping[str, str]) -> int | None:
    value = _int(params, "unit_id", "单位")
    if value is not None and value <= 0:
        raise Invalid("单位（unit_id）无效，请从列表中选择。", field="unit_id")
    return value


def _period(params: Mapping[str, str], today: date) -> Period:
    return period(
        today,
        year=_int(params, "year", "年份"),
        quarter=_int(params, "quarter", "季度"),
        month=_int(params, "month", "月份"),
        start=_date(params, "from", "起始日期"),
        end=_date(params, "to", "截止日期"),
    )


def _form(params: Mapping[str, str], names: tuple[str, ...]) -> dict[str, str]:
    return {n: "" if "\x00" in (params.get(n) or "") else (params.get(n) or "").strip()[:32] for n in names}


def _query(form: Mapping[str, str]) -> str:
    return urlencode({k: v for k, v in form.items() if v})


def _base_ctx(session: Any, principal: Any, params: Mapping[str, str]) -> dict[str, Any]:
    units = unit_choices(session, principal, KIND)
    form = _form(params, PERIOD_PARAMS + SPOT_PARAMS)
    return {
        "units": units,
        "top_depth": min((u.depth for u in units), default=0),
        "form": form,
        "query": _query({k: form[k] for k in PERIOD_PARAMS}),
        "percent": percent,
        "km": format_km,
        "tz": LOCAL_TZ,
        "states": {s.value: s.label for s in State},
    }


@router.get("/figures", response_class=HTMLResponse)
def figures_page(request: Request, principal: User, db: Db) -> HTMLResponse:
    require(principal, VIEW)
    params = request.query_params
    now = db.clock.now()
    figures: RequestFigures | None = None
    error: Invalid | NotFound | None = None
    with db.reading() as session:
        ctx = _base_ctx(session, principal, params)
        try:
            figures = request_figures(
                session, principal, _period(params, now.astimezone(LOCAL_TZ).date()), _unit(params), now
            )
        except (Invalid, NotFound) as exc:  # shown above the form, which keeps what was typed
            error = exc
    ctx.update(
        figures=figures,
        error=error,
        as_of=now.astimezone(LOCAL_TZ).strftime("%Y-%m-%d %H:%M"),
        tables=_tables(figures) if figures else [],
    )
    return render(request, "requests/figures.html", ctx, status=error.status if error else 200)


def _tables(f: RequestFigures) -> list[tuple[str, str, list[Row]]]:
    return [
        ("按诉求类型", "诉求类型", f.by_type),
        ("按问题分类", "问题分类", f.by_category),
        ("按承办单位", "承办单位", f.by_unit),
        ("按渠道", "渠道", f.by_channel),
        ("按月份", "月份", f.by_month),
    ]


COLUMNS = ("受理", "办结", "应签收", "按时签收", "响应率", "已回访", "已解决", "解决率", "满意", "满意率", "当前逾期")


def _cells(c: Counts) -> list[Any]:
    return [
        c.received,
        c.resolved,
        c.due_for_signing,
        c.signed_on_time,
        percent(c.response_rate),
        c.called_back,
        c.solved,
        percent(c.resolution_rate),
        c.satisfied,
        percent(c.satisfaction_rate),
        c.overdue,
    ]


@router.get("/figures/export.xlsx")
def figures_export(request: Request, principal: User, db: Db) -> Response:
    """The figures of the page as a workbook: the rates, one sheet per breakdown and the overdue list."""
    require(principal, VIEW)
    params = request.query_params
    now = db.clock.now()
    with db.reading() as session:
        f = request_figures(session, principal, _period(params, now.astimezone(LOCAL_TZ).date()), _unit(params), now)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("三率")
    ws.append(["期间", f.period.label, "单位", f.unit_name or "全部（数据范围内）"])
    ws.append(["指标", "分子", "分母", "比率"])
    t = f.totals
    for label, num, den, value in (
        ("响应率（按时签收 ÷ 应签收）", t.signed_on_time, t.due_for_signing, t.response_rate),
        ("解决率（回访已解决 ÷ 已回访）", t.solved, t.called_back, t.resolution_rate),
        ("满意率（回访满意 ÷ 已回访）", t.satisfied, t.called_back, t.satisfaction_rate),
    ):
        ws.append([label, num, den, value])
    ws.append(["合计", *COLUMNS])
    ws.append(["", *_cells(t)])
    for title, head, rows in _tables(f):
        sheet = wb.create_sheet(title)
        sheet.append([head, *COLUMNS])
        for r in rows:
            sheet.append([excel_cell(sheet, ("　" if r.depth > 1 else "") + r.label), *_cells(r.counts)])
    sheet = wb.create_sheet("逾期清单")
    sheet.append(["编号", "标题", "承办单位", "逾期时限", "到期时间", "逾期工作日"])
    for o in f.overdue:
        due = o.due_at.astimezone(LOCAL_TZ).replace(tzinfo=None)
        sheet.append([o.serial, excel_cell(sheet, o.title), o.unit_name, o.limit, due, o.working_days])
    out = io.BytesIO()
    wb.save(out)
    with uow_for(db, principal) as uow:
        record(uow.session, "export", "requests_figures", "-", period=f.period.label, filters=dict(params))
        uow.commit()
    filename = f"诉求统计-{f.period.label}.xlsx"
    headers = {"Content-Disposition": f"attachment; filename*=UTF-8''{quote(filename)}"}
    return Response(out.getvalue(), media_type=XLSX, headers=headers)


@router.get("/hotspots", response_class=HTMLResponse)
def hotspots_page(request: Request, principal: User, db: Db) -> HTMLResponse:
    require(principal, VIEW)
    params = request.query_params
    now = db.clock.now()
    error: Invalid | NotFound | None = None
    spots = None
    chosen: hotspots.Params | None = None
    with db.reading() as session:
        ctx = _base_ctx(session, principal, params)
        try:
            chosen_period = _period(params, now.astimezone(LOCAL_TZ).date())
            chosen = hotspots.params(
                _int(params, "gap_m", "桩号间距"),
                _int(params, "radius_m", "坐标距离"),
                _int(params, "window_days", "时间窗口"),
                _int(params, "min_count", "每组最少件数"),
            )
            spots = request_hot_spots(session, principal, chosen_period, _unit(params), chosen)
            ctx["period"] = chosen_period
        except (Invalid, NotFound) as exc:
            error = exc
    ctx.update(spots=spots, error=error, params=chosen or hotspots.Params())
    return render(request, "requests/hotspots.html", ctx, status=error.status if error else 200)
