"""JSON API of the industries' sales-royalty ranges (行业销售收入分成率区间) under ``/api/v1/valuation/industries``:
read the table (``valuation.view``), add, edit (with the version read) and delete a row
(``valuation.profile.manage``). Rates are fractions: ``0.015`` is 1.5 %."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response
from pydantic import BaseModel, Field

from zhengwu.valuation.api.reference_fields import MAX_ID, Input, Text, Version
from zhengwu.valuation.service import industries as service
from zhengwu.valuation.tables import ValuationIndustry
from zhengwu.web.deps import Db, User, uow_for
from zhengwu.web.problems import PROBLEMS

router = APIRouter(prefix="/api/v1/valuation/industries", tags=["专利价值评估"], responses=PROBLEMS)
IndustryId = Annotated[int, Path(ge=1, le=MAX_ID, description="行业分成率区间 ID")]
Rate = Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)]
SortOrder = Annotated[int, Field(ge=-service.MAX_SORT, le=service.MAX_SORT, description="排序（小者在前）")]


class IndustryFields(Input):
    name: Text = Field(max_length=service.NAME_CHARS, description="行业名称，如 机械制造")
    low: Rate = Field(description="销售收入分成率下限（小数），如 0.015")
    high: Rate = Field(description="销售收入分成率上限（小数），如 0.03")
    source: Text = Field("", max_length=service.SOURCE_CHARS, description="数据出处")
    sort_order: SortOrder | None = Field(None, description="排序；不填排在最后（修改时不填则不变）")


class IndustryIn(IndustryFields):
    code: Text = Field(max_length=64, description="行业代码（小写字母、数字、下划线），如 machinery；保存后不可修改")


class IndustryUpdate(IndustryFields):
    version: Version


class IndustryOut(BaseModel):
    id: int
    code: str
    name: str
    low: float
    high: float
    source: str
    sort_order: int
    version: int


def _out(r: ValuationIndustry) -> IndustryOut:
    return IndustryOut(
        id=r.id,
        code=r.code,
        name=r.name,
        low=r.low,
        high=r.high,
        source=r.source,
        sort_order=r.sort_order,
        version=r.version,
    )


@router.get("", summary="行业销售收入分成率区间表")
def list_industries(principal: User, db: Db) -> list[IndustryOut]:
    with db.reading() as session:
        return [_out(r) for r in service.list_industries(session, principal)]


@router.post("", status_code=201, summary="新增行业分成率区间")
def add_industry(body: IndustryIn, principal: User, db: Db) -> IndustryOut:
    with uow_for(db, principal) as uow:
        row = service.add_industry(uow, principal, **body.model_dump())
        uow.commit()
        return _out(row)


@router.get("/{industry_id}", summary="一个行业的分成率区间")
def get_industry(industry_id: IndustryId, principal: User, db: Db) -> IndustryOut:
    with db.reading() as session:
        return _out(service.get_industry(session, principal, industry_id))


@router.put("/{industry_id}", summary="修改行业分成率区间（名称、上下限、出处、排序）")
def update_industry(industry_id: IndustryId, body: IndustryUpdate, principal: User, db: Db) -> IndustryOut:
    with uow_for(db, principal) as uow:
        row = service.update_industry(uow, principal, industry_id, **body.model_dump())
        uow.commit()
        return _out(row)


@router.delete(
    "/{industry_id}", status_code=204, response_class=Response, summary="删除行业分成率区间（已有评估保留其行业代码）"
)
def delete_industry(
    industry_id: IndustryId,
    principal: User,
    db: Db,
    version: Annotated[int, Query(ge=1, le=MAX_ID, description="读取时的版本号")],
) -> Response:
    with uow_for(db, principal) as uow:
        service.delete_industry(uow, principal, industry_id, version=version)
        uow.commit()
    return Response(status_code=204)
