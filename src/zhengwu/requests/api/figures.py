"""JSON API of the hotline's figures and hot spots: ``GET /api/v1/requests/figures`` and
``GET /api/v1/requests/hotspots`` (definitions: ``zhengwu.requests.figures`` and ``zhengwu.requests.hotspots``)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from zhengwu.core.matters.stats.service import LOCAL_TZ
from zhengwu.core.org.service import require
from zhengwu.requests import hotspots
from zhengwu.requests.figures import Counts, Period, period
from zhengwu.requests.model import VIEW, format_km
from zhengwu.requests.service.figures import RequestFigures, Row, request_figures, request_hot_spots
from zhengwu.web.deps import Db, User
from zhengwu.web.problems import PROBLEMS

router = APIRouter(prefix="/api/v1/requests", tags=["诉求统计"], responses=PROBLEMS)
MAX_ID = 2_147_483_647

Year = Annotated[int | None, Query(ge=1900, le=2999, description="年份；不给期间时为今年")]
Quarter = Annotated[int | None, Query(ge=1, le=4, description="季度 1–4（与年份合用）")]
Month = Annotated[int | None, Query(ge=1, le=12, description="月份 1–12（与年份合用）")]
From = Annotated[dt.date | None, Query(alias="from", description="收到日期起（含，北京时间），YYYY-MM-DD")]
To = Annotated[dt.date | None, Query(alias="to", description="收到日期止（含，北京时间），YYYY-MM-DD")]
UnitId = Annotated[int | None, Query(ge=1, le=MAX_ID, description="承办单位 id（含其下级单位）")]


class RateOut(BaseModel):
    numerator: int = Field(description="分子")
    denominator: int = Field(description="分母")
    rate: float | None = Field(description="比率 0–1；分母为 0 时为空")


class CountsOut(BaseModel):
    received: int = Field(description="受理登记件数（期间内收到）")
    resolved: int = Field(description="办结件数")
    due_for_signing: int = Field(description="应签收件数：已签收，或待签收且已超时")
    signed_on_time: int = Field(description="按时签收件数")
    called_back: int = Field(description="已回访件数")
    solved: int = Field(description="回访认为已解决件数")
    satisfied: int = Field(description="回访满意件数")
    overdue: int = Field(description="当前逾期件数（签收或办理时限已过）")


class RowOut(CountsOut):
    key: str = Field(description="分组代码")
    label: str = Field(description="分组名称")
    depth: int = Field(description="层级（问题分类：1 一级，2 二级）")


class OverdueOut(BaseModel):
    request_id: int
    serial: str
    title: str
    unit: str = Field(description="承办单位")
    limit: str = Field(description="逾期的时限")
    due_at: dt.datetime
    working_days_overdue: int = Field(description="逾期工作日数（时限所在日之后起算）")


class PeriodOut(BaseModel):
    start: dt.date = Field(description="起（含）")
    end: dt.date = Field(description="止（含）")
    label: str


class FiguresOut(BaseModel):
    period: PeriodOut
    unit_id: int | None
    as_of: dt.datetime = Field(description="统计时点")
    response_rate: RateOut = Field(description="响应率 = 按时签收 ÷ 应签收")
    resolution_rate: RateOut = Field(description="解决率 = 回访已解决 ÷ 已回访")
    satisfaction_rate: RateOut = Field(description="满意率 = 回访满意 ÷ 已回访")
    totals: CountsOut
    by_type: list[RowOut]
    by_category: list[RowOut]
    by_unit: list[RowOut]
    by_channel: list[RowOut]
    by_month: list[RowOut]
    overdue: list[OverdueOut] = Field(description="逾期清单（最早到期的前 200 条）")
    overdue_total: int


def _counts(c: Counts) -> dict[str, int]:
    return {name: getattr(c, name) for name in CountsOut.model_fields}


def _row(r: Row) -> RowOut:
    return RowOut(key=r.key, label=r.label, depth=r.depth, **_counts(r.counts))


def figures_out(f: RequestFigures) -> FiguresOut:
    t = f.totals
    return FiguresOut(
        period=PeriodOut(start=f.period.start, end=f.period.end, label=f.period.label),
        unit_id=f.unit_id,
        as_of=f.as_of,
        response_rate=RateOut(numerator=t.signed_on_time, denominator=t.due_for_signing, rate=t.response_rate),
        resolution_rate=RateOut(numerator=t.solved, denominator=t.called_back, rate=t.resolution_rate),
        satisfaction_rate=RateOut(numerator=t.satisfied, denominator=t.called_back, rate=t.satisfaction_rate),
        totals=CountsOut(**_counts(t)),
        by_type=[_row(r) for r in f.by_type],
        by_category=[_row(r) for r in f.by_category],
        by_unit=[_row(r) for r in f.by_unit],
        by_channel=[_row(r) for r in f.by_channel],
        by_month=[_row(r) for r in f.by_month],
        overdue=[
            OverdueOut(
                request_id=o.request_id,
                serial=o.serial,
                title=o.title,
                unit=o.unit_name,
                limit=o.limit,
                due_at=o.due_at,
                working_days_overdue=o.working_days,
            )
            for o in f.overdue
        ],
        overdue_total=f.overdue_total,
    )


def _period(
    db: Db, year: int | None, quarter: int | None, month: int | None, start: dt.date | None, end: dt.date | None
) -> Period:
    today = db.clock.now().astimezone(LOCAL_TZ).date()
    return period(today, year=year, quarter=quarter, month=month, start=start, end=end)


@router.get("/figures", summary="诉求统计：三率、分类统计与逾期清单", response_model=FiguresOut)
def figures_api(
    principal: User,
    db: Db,
    year: Year = None,
    quarter: Quarter = None,
    month: Month = None,
    period_from: From = None,
    period_to: To = None,
    unit_id: UnitId = None,
) -> FiguresOut:
    """需要“查看群众诉求”权限，只统计数据范围内、期间内收到的诉求。期间：年（默认今年）、年+季度、年+月，或起止日期。

    响应率 = 按时签收 ÷ 应签收（已签收的，加上待签收且已超时的；尚在签收时限内或已退回的不计）；解决率 = 回访已解决 ÷
    已回访；满意率 = 回访满意 ÷ 已回访（未回访的不计）。分母为 0 时比率为空。
    """
    require(principal, VIEW)
    p = _period(db, year, quarter, month, period_from, period_to)
    with db.reading() as session:
        return figures_out(request_figures(session, principal, p, unit_id, db.clock.now()))


class SpotRequestOut(BaseModel):
    id: int
    serial: str
    title: str
    status: str
    received_at: dt.datetime
    road_code: str
    km_from: str | None = Field(description="起点桩号，如 K12+300")
    km_to: str | None
    latitude: float | None
    longitude: float | None


class HotSpotOut(BaseModel):
    category_id: int
    category: str = Field(description="问题分类")
    count: int = Field(description="件数")
    road_code: str = Field(description="路线编号；按坐标归组时为空")
    km_from: str | None = Field(description="路段起点桩号")
    km_to: str | None = Field(description="路段止点桩号")
    centre_latitude: float | None = Field(description="坐标中心纬度")
    centre_longitude: float | None
    first_received_at: dt.datetime
    last_received_at: dt.datetime
    requests: list[SpotRequestOut]


def _km(value: int | None) -> str | None:
    return None if value is None else format_km(value)


@router.get("/hotspots", summary="诉求热点：同类问题同一路段或相近位置的诉求", response_model=list[HotSpotOut])
def hotspots_api(
    principal: User,
    db: Db,
    year: Year = None,
    quarter: Quarter = None,
    month: Month = None,
    period_from: From = None,
    period_to: To = None,
    unit_id: UnitId = None,
    gap_m: Annotated[
        int | None, Query(ge=0, le=hotspots.MAX_DISTANCE_M, description="同一路线桩号区间相隔不超过的米数，默认 1000")
    ] = None,
    radius_m: Annotated[
        int | None, Query(ge=0, le=hotspots.MAX_DISTANCE_M, description="坐标相距不超过的米数，默认 500")
    ] = None,
    window_days: Annotated[
        int | None, Query(ge=1, le=hotspots.MAX_WINDOW_DAYS, description="收到时间相隔不超过的天数，默认 30")
    ] = None,
    min_count: Annotated[int | None, Query(ge=2, le=1000, description="每组最少件数，默认 2")] = None,
) -> list[HotSpotOut]:
    """同一问题分类、收到时间相隔不超过时间窗口的诉求，在同一路线上桩号区间重叠或相隔不超过“桩号间距”，或坐标相距
    不超过“坐标距离”，即相连；相连的诉求归为一组（链式归组），件数不少于“每组最少件数”的组为热点。"""
    require(principal, VIEW)
    p = _period(db, year, quarter, month, period_from, period_to)
    params = hotspots.params(gap_m, radius_m, window_days, min_count)
    with db.reading() as session:
        views = request_hot_spots(session, principal, p, unit_id, params)
    return [
        HotSpotOut(
            category_id=v.spot.category_id,
            category=v.category,
            count=v.spot.count,
            road_code=v.spot.road_code,
            km_from=_km(v.spot.km_from),
            km_to=_km(v.spot.km_to),
            centre_latitude=v.spot.centre[0] if v.spot.centre else None,
            centre_longitude=v.spot.centre[1] if v.spot.centre else None,
            first_received_at=v.spot.first,
            last_received_at=v.spot.last,
            requests=[
                SpotRequestOut(
                    id=r.id,
                    serial=r.serial,
                    title=r.title,
                    status=r.status,
                    received_at=r.received_at,
                    road_code=r.road_code,
                    km_from=_km(r.km_from),
                    km_to=_km(r.km_to),
                    latitude=r.latitude,
                    longitude=r.longitude,
                )
                for r in v.requests
            ],
        )
        for v in views
    ]
