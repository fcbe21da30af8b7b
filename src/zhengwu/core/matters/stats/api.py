"""JSON API of the matters statistics: ``GET /api/stats/matters`` (definitions: ``zhengwu.core.matters.stats``)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from zhengwu.core.matters.stats.model import MatterStats, fill_period, make_query
from zhengwu.core.matters.stats.service import LOCAL_TZ, matter_stats, stats_kind
from zhengwu.core.org.service import require
from zhengwu.web.deps import Db, User
from zhengwu.web.problems import PROBLEMS

router = APIRouter(prefix="/api/stats", tags=["事项统计"], responses=PROBLEMS)


class CycleTimeOut(BaseModel):
    resolved: int = Field(description="参与计算的办结件数")
    mean: float | None = Field(description="平均办理工作日")
    median: float | None = Field(description="中位办理工作日（偶数件时取中间两件的平均）")
    p90: int | None = Field(description="P90 办理工作日：至少 90% 的事项在此工作日数内办结（最近秩法）")
    fastest: int | None = Field(description="最快办理工作日")


class AgeBucketOut(BaseModel):
    label: str = Field(description="账龄区间，如“6–10 个工作日”")
    min_days: int = Field(description="区间下限（工作日，含）")
    max_days: int | None = Field(description="区间上限（工作日，含）；为空表示无上限")
    count: int = Field(description="在办事项件数")


class MatterStatsOut(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    kind: str = Field(description="事项类型代码")
    kind_label: str = Field(description="事项类型名称")
    unit_id: int | None = Field(description="责任单位（含下级）；为空表示数据范围内全部单位")
    period_from: dt.date = Field(alias="from", description="收到日期起（含，北京时间）")
    period_to: dt.date = Field(alias="to", description="收到日期止（含，北京时间）")
    channel: str | None = Field(description="渠道")
    status: str | None = Field(description="当前状态")
    as_of: dt.datetime = Field(description="统计时点（判断逾期未办结与积压账龄）")
    received: int = Field(description="接收件数")
    resolved: int = Field(description="办结件数")
    open: int = Field(description="在办件数")
    on_time: int = Field(description="按期办结件数：办结时间不晚于主办理时限")
    resolved_late: int = Field(description="逾期办结件数")
    open_overdue: int = Field(description="逾期未办结件数：在办且主办理时限已过")
    overdue: int = Field(description="逾期件数 = 逾期办结 + 逾期未办结")
    without_deadline: int = Field(description="无办理时限的办结件数（不计入按期办结率）")
    on_time_rate: float | None = Field(description="按期办结率 = 按期办结 ÷（按期办结 + 逾期办结），0–1")
    cycle_time: CycleTimeOut = Field(description="办理用时（工作日，收到之日不计）")
    backlog: list[AgeBucketOut] = Field(description="积压账龄：在办事项按收到以来的工作日数分段")


def stats_out(stats: MatterStats, kind_label: str) -> MatterStatsOut:
    q, c = stats.query, stats.cycle
    return MatterStatsOut.model_validate(
        {
            "kind": q.kind,
            "kind_label": kind_label,
            "unit_id": q.unit_id,
            "from": q.start,
            "to": q.end,
            "channel": q.channel,
            "status": q.status,
            "as_of": stats.as_of,
            "received": stats.received,
            "resolved": stats.resolved,
            "open": stats.open,
            "on_time": stats.on_time,
            "resolved_late": stats.resolved_late,
            "open_overdue": stats.open_overdue,
            "overdue": stats.overdue,
            "without_deadline": stats.without_deadline,
            "on_time_rate": stats.on_time_rate,
            "cycle_time": CycleTimeOut(resolved=c.count, mean=c.mean, median=c.median, p90=c.p90, fastest=c.fastest),
            "backlog": [
                AgeBucketOut(label=b.label, min_days=b.low, max_days=b.high, count=b.count) for b in stats.backlog
            ],
        }
    )


@router.get("/matters", summary="事项统计", response_model=MatterStatsOut)
def matters_stats(
    principal: User,
    db: Db,
    kind: Annotated[str, Query(max_length=32, description="事项类型代码")],
    unit_id: Annotated[int | None, Query(ge=1, le=2_147_483_647, description="责任单位 id（含其下级单位）")] = None,
    period_from: Annotated[
        dt.date | None,
        Query(alias="from", description="收到日期起，YYYY-MM-DD；默认“止”所在年的 1 月 1 日，均未给出时为今年"),
    ] = None,
    period_to: Annotated[
        dt.date | None, Query(alias="to", description="收到日期止（含），YYYY-MM-DD；默认“起”所在年的 12 月 31 日")
    ] = None,
    channel: Annotated[str | None, Query(max_length=32, description="渠道，如“12345热线”")] = None,
    status: Annotated[str | None, Query(max_length=32, description="当前状态代码")] = None,
) -> MatterStatsOut:
    """需要该事项类型的“查看”权限，只统计数据范围内的事项。统计对象为收到日期（北京时间）在期间内的事项；口径：

    按期办结 = 办结时间 ≤ 主办理时限；逾期 = 逾期办结 + 在办且已过时限；按期办结率 = 按期办结 ÷（按期办结 + 逾期办结）；
    办理用时为收到日至办结日之间的工作日数（收到之日不计，含暂停）；积压账龄按在办事项收到以来的工作日数分为
    ≤5、6–10、11–20、>20 个工作日。
    """
    k = stats_kind(kind)
    require(principal, k.spec.view_grant)
    now = db.clock.now()
    start, end = fill_period(period_from, period_to, now.astimezone(LOCAL_TZ).date())
    q = make_query(k.spec, start, end, unit_id=unit_id, channel=channel, status=status)
    with db.reading() as session:
        stats = matter_stats(session, principal, k, q, now)
    return stats_out(stats, k.spec.label)
