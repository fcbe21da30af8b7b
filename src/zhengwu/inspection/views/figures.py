"""The inspection figures page ``/inspection/figures`` and its xlsx export (definitions:
``zhengwu.inspection.service.figures``): a committee unit, a year or a round, and the grouping, from the query."""

from __future__ import annotations

import io
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from openpyxl import Workbook

from zhengwu.core.audit.service import record
from zhengwu.core.errors import Invalid, NotFound
from zhengwu.core.matters.stats.model import percent
from zhengwu.core.matters.stats.service import LOCAL_TZ
from zhengwu.core.org.service import require
from zhengwu.inspection.model import VIEW
from zhengwu.inspection.model.money import format_wan
from zhengwu.inspection.service.figures import (
    Figures,
    GroupBy,
    cells,
    committee_choices,
    headers,
    inspection_figures,
    round_choices,
)
from zhengwu.web.deps import Db, User, uow_for
from zhengwu.web.listing import XLSX, excel_cell
from zhengwu.web.pages import MAX_INT, render

router = APIRouter(prefix="/inspection", include_in_schema=False)

PARAMS = ("committee_unit_id", "year", "round_id", "by")
INTEGER = re.compile(r"[0-9]{1,10}")
# -------------------------------------------------------------------------------------------------- the query


def _text(params: Mapping[str, str], name: str) -> str:
    value = (params.get(name) or "").strip()
    if "\x00" in value:
        raise Invalid("输入中含有不可见的控制字符（NUL），请删除后重新提交。", field=name)
    return value


def _int(params: Mapping[str, str], name: str, label: str, low: int = 1, high: int = MAX_INT) -> int | None:
    text = _text(params, name)
    if not text:
        return None
    if not INTEGER.fullmatch(text) or not low <= int(text) <= high:
        raise Invalid(f"{label}（{name}）无效，请从列表中选择或填写 {low}–{high} 的整数。", field=name)
    return int(text)


def asked(params: Mapping[str, str]) -> dict[str, Any]:
    """The service's keyword arguments from the query (bad values raise ``Invalid`` naming the field)."""
    return {
        "committee_unit_id": _int(params, "committee_unit_id", "巡察主体单位"),
        "year": _int(params, "year", "年份", 1900, 2999),
        "round_id": _int(params, "round_id", "轮次"),
        "group_by": _group_by(_text(params, "by") or GroupBy.DISTRICT.value),
    }


def _group_by(text: str) -> GroupBy:
    if text not in {g.value for g in GroupBy}:
        raise Invalid("分组（by）应为 district（按区县）、round（按轮次）或 year（按年度）。", field="by")
    return GroupBy(text)


def _form(params: Mapping[str, str]) -> dict[str, str]:
    return {n: "" if "\x00" in (params.get(n) or "") else (params.get(n) or "").strip()[:32] for n in PARAMS}


@router.get("/figures", response_class=HTMLResponse)
def figures_page(request: Request, principal: User, db: Db) -> HTMLResponse:
    require(principal, VIEW)
    params = request.query_params
    now = db.clock.now()
    figures: Figures | None = None
    error: Invalid | NotFound | None = None
    form = _form(params)
    with db.reading() as session:
        committees = committee_choices(session, principal)
        try:
            figures = inspection_figures(session, principal, now=now, **asked(params))
        except (Invalid, NotFound) as exc:  # shown above the form, which keeps what was typed
            error = exc
        chosen = figures.committee_unit_id if figures else None
        rounds = round_choices(session, principal, chosen) if chosen is not None else []
    if figures is not None:
        form.update(committee_unit_id=str(figures.committee_unit_id or ""), by=figures.group_by.value)
    ctx: dict[str, Any] = {
        "figures": figures,
        "error": error,
        "form": form,
        "committees": committees,
        "rounds": rounds,
        "groupings": GroupBy.choices(),
        "query": urlencode({k: v for k, v in form.items() if v}),
        "headers": headers(figures) if figures else [],
        "cells": cells,
        "percent": percent,
        "wan": format_wan,
        "as_of": now.astimezone(LOCAL_TZ).strftime("%Y-%m-%d %H:%M"),
    }
    return render(request, "inspection/figures.html", ctx, status=error.status if error else 200)


@router.get("/figures/export.xlsx")
def figures_export(request: Request, principal: User, db: Db) -> Response:
    """The page's table as a workbook: the heading lines, one line per row and the totals."""
    require(principal, VIEW)
    params = request.query_params
    with db.reading() as session:
        f = inspection_figures(session, principal, now=db.clock.now(), **asked(params))
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("巡察统计")
    ws.append(["巡察主体", excel_cell(ws, f.committee_name or "—"), "期间", excel_cell(ws, f.period_label)])
    ws.append(headers(f))
    for r in f.rows:
        ws.append([excel_cell(ws, r.label), *cells(f, r.measures)])
    ws.append(["合计", *cells(f, f.totals)])
    out = io.BytesIO()
    wb.save(out)
    with uow_for(db, principal) as uow:
        record(uow.session, "export", "inspection_figures", "-", period=f.period_label, filters=dict(params))
        uow.commit()
    filename = f"巡察统计-{f.period_label}.xlsx"
    return Response(
        out.getvalue(),
        media_type=XLSX,
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(filename)}"},
    )
