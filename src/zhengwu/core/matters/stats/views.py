"""The statistics page of a matter kind: ``/matters/{kind}/stats`` with a period and a unit picker."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from starlette.datastructures import QueryParams

from zhengwu.core.errors import Invalid, NotFound
from zhengwu.core.matters.registry import Kind
from zhengwu.core.matters.stats.api import router as api_router
from zhengwu.core.matters.stats.model import AGE_BOUNDS, MatterStats, fill_period, make_query, one_decimal, percent
from zhengwu.core.matters.stats.service import LOCAL_TZ, matter_stats, stats_kind, unit_choices
from zhengwu.core.org.service import require
from zhengwu.web.deps import Db, User
from zhengwu.web.pages import MAX_INT, render
from zhengwu.web.shell import Module, NavItem

router = APIRouter(prefix="/matters", include_in_schema=False)

PARAMS = ("from", "to", "unit_id", "status", "channel")


def _text(params: QueryParams, name: str) -> str:
    value = (params.get(name) or "").strip()
    if "\x00" in value:
        raise Invalid("输入中含有不可见的控制字符（NUL），请删除后重新提交。", field=name)
    return value


def _date(params: QueryParams, name: str, label: str) -> date | None:
    text = _text(params, name)
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise Invalid(f"{label}“{text[:20]}”不是有效日期，应为 YYYY-MM-DD。", field=name) from None


def _unit(params: QueryParams) -> int | None:
    text = _text(params, "unit_id")
    if not text:
        return None
    if not text.isdigit() or not 0 < int(text) <= MAX_INT:
        raise Invalid("单位无效，请从列表中选择。", field="unit_id")
    return int(text)


def days(value: float | None) -> str:
    """A number of working days as shown on the page.

    >>> days(None), days(3), days(2.25)
    ('—', '3', '2.3')
    """
    if value is None:
        return "—"
    return str(value) if isinstance(value, int) else one_decimal(value)


@router.get("/{kind_code}/stats", response_class=HTMLResponse)
def stats_page(request: Request, principal: User, db: Db, kind_code: str) -> HTMLResponse:
    k = stats_kind(kind_code)
    require(principal, k.spec.view_grant)
    params = request.query_params
    now = db.clock.now()
    stats: MatterStats | None = None
    error: Invalid | NotFound | None = None
    with db.reading() as session:
        units = unit_choices(session, principal, k)
        try:
            start, end = fill_period(
                _date(params, "from", "起始日期"), _date(params, "to", "截止日期"), now.astimezone(LOCAL_TZ).date()
            )
            q = make_query(
                k.spec,
                start,
                end,
                unit_id=_unit(params),
                channel=_text(params, "channel"),
                status=_text(params, "status"),
            )
            stats = matter_stats(session, principal, k, q, now)
        except (Invalid, NotFound) as exc:  # shown above the form, which keeps what was typed
            error = exc
    form = {name: _text_or_blank(params, name) for name in PARAMS}
    if stats is not None:
        form.update({"from": stats.query.start.isoformat(), "to": stats.query.end.isoformat()})
    api_query = urlencode({"kind": k.spec.code, **{n: v for n, v in form.items() if v}})
    ctx: dict[str, Any] = {
        "kind": k,
        "stats": stats,
        "error": error,
        "form": form,
        "units": units,
        "top_depth": min((u.depth for u in units), default=0),
        "states": [(s, k.spec.workflow.label(s)) for s in k.spec.workflow.states],
        "api_url": f"/api/stats/matters?{api_query}",
        "days": days,
        "percent": percent,
        "bounds": AGE_BOUNDS,
        "as_of": now.astimezone(LOCAL_TZ).strftime("%Y-%m-%d %H:%M"),
    }
    return render(request, "matters/stats.html", ctx, status=error.status if error else 200)


def _text_or_blank(params: QueryParams, name: str) -> str:
    value = params.get(name) or ""
    return "" if "\x00" in value else value.strip()[:64]


def stats_nav(kind: Kind) -> NavItem:
    """The navigation entry of a kind's statistics page, for the module of the system that defines the kind."""
    return NavItem(f"{kind.spec.label}统计", f"/matters/{kind.spec.code}/stats", kind.spec.view_grant, "统计分析")


#: The page and the JSON API (``stats/api.py``) together, so the shell registers both with one line.
module = Module(
    name="matter_stats",
    routers=[router, api_router],
    templates=Path(__file__).resolve().parents[1] / "templates",
)
