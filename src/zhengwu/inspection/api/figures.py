"""JSON API of the inspection figures: ``GET /api/v1/inspection/figures`` (definitions:
``zhengwu.inspection.service.figures``). Amounts are strings in 元 with two decimals, never floats."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from zhengwu.core.org.service import require
from zhengwu.inspection.api.fields import MAX_ID
from zhengwu.inspection.model import VIEW
from zhengwu.inspection.model.money import Outcome
from zhengwu.inspection.service.figures import Figures, GroupBy, as_dict, inspection_figures
from zhengwu.web.deps import Db, User
from zhengwu.web.problems import PROBLEMS

router = APIRouter(prefix="/api/v1/inspection", tags=["巡察整改"], responses=PROBLEMS)


class OutcomeOut(BaseModel):
    outcome: Outcome = Field(description="问责处理方式代码")
    label: str = Field(description="处理方式")
    count: int = Field(description="人次（单位）")


class MeasuresOut(BaseModel):
    organisations: int = Field(description="被巡察党组织数（去重）")
    findings: int = Field(description="发现问题数（不含已撤销）")
    immediate: int = Field(description="立行立改问题数")
    immediate_done: int = Field(description="立行立改已完成数")
    leads: int = Field(description="问题线索条数（只给条数，线索内容保密）")
    items: int = Field(description="整改事项数")
    items_closed: int = Field(description="已销号整改事项数")
    completion_rate: float | None = Field(description="整改完成率 0–1 = 已销号 ÷ 整改事项；无整改事项时为空")
    items_overdue: int = Field(description="逾期整改事项数：未办结且已过整改时限")
    petitions: int = Field(description="巡察组受理信访件数之和")
    cadres: int = Field(description="抽调干部人数（去重）")
    secondments: int = Field(description="抽调人次")
    outcomes: list[OutcomeOut] = Field(description="问责处理，按处理方式")
    returned: str = Field(description="退缴金额（元，两位小数）", examples=["2230400.00"])
    recovered: str = Field(description="追回金额（元，两位小数）", examples=["1916200.00"])


class RowOut(MeasuresOut):
    key: str = Field(description="分组键：轮次 id、年份或区县单位 id；“本级及其他”“未关联轮次”为空")
    label: str = Field(description="分组名称")


class FiguresOut(BaseModel):
    committee_unit_id: int | None = Field(description="巡察主体单位 id；数据范围内没有轮次时为空")
    committee: str = Field(description="巡察主体单位名称")
    year: int | None
    round_id: int | None
    period: str = Field(description="期间：某年、某轮次或全部年度")
    group_by: GroupBy = Field(description="分组：district 区县（单位）、round 轮次、year 年度")
    as_of: dt.datetime = Field(description="统计时点（判断逾期）")
    totals: MeasuresOut = Field(description="合计（去重计数不等于各行之和）")
    rows: list[RowOut]


def figures_out(f: Figures) -> FiguresOut:
    return FiguresOut.model_validate(as_dict(f))


@router.get("/figures", summary="巡察统计：按区县、轮次或年度", response_model=FiguresOut)
def figures_api(
    principal: User,
    db: Db,
    committee_unit_id: Annotated[
        int | None, Query(ge=1, le=MAX_ID, description="巡察主体单位 id；默认所选轮次的，或数据范围内最高一级的")
    ] = None,
    year: Annotated[int | None, Query(ge=1900, le=2999, description="年度；不给时为全部年度")] = None,
    round_id: Annotated[int | None, Query(ge=1, le=MAX_ID, description="只统计这一轮次")] = None,
    by: Annotated[GroupBy, Query(description="分组：district（默认）、round、year")] = GroupBy.DISTRICT,
) -> FiguresOut:
    """需要“查看巡察工作”权限，只统计数据范围内（巡察主体单位）的轮次。问题线索只给条数。金额为元，字符串，两位小数。"""
    require(principal, VIEW)
    with db.reading() as session:
        f = inspection_figures(
            session,
            principal,
            committee_unit_id=committee_unit_id,
            year=year,
            round_id=round_id,
            group_by=by,
            now=db.clock.now(),
        )
    return figures_out(f)
