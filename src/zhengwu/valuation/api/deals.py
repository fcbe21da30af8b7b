"""JSON API of comparable deals (可比交易) under ``/api/v1/valuation/deals``: list with filters, read one (every
holder of ``valuation.view``: deals are shared reference data), record one and edit it with the version read
(``valuation.deal.manage`` over the deal's unit). ``price`` is in 元 with at most two decimals: it may be sent as a
JSON number or, to keep every digit, as text (``"1250000.00"``), and is always answered as text."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, Field

from zhengwu.valuation.api.reference_fields import MAX_ID, Id, Input, Text, Version
from zhengwu.valuation.service import deals as service
from zhengwu.valuation.tables import ComparableDeal
from zhengwu.web.deps import Db, User, uow_for
from zhengwu.web.problems import PROBLEMS

router = APIRouter(prefix="/api/v1/valuation/deals", tags=["专利价值评估"], responses=PROBLEMS)
DealId = Annotated[int, Path(ge=1, le=MAX_ID, description="可比交易 ID")]
Money = Annotated[
    int | float | str,
    Field(
        description='成交价（元），至多两位小数；可写作数字或文字，如 1250000 或 "1250000.00"',
        json_schema_extra={"examples": ["1250000.00"]},
    ),
]


class DealFields(Input):
    patent_number: Text = Field(max_length=32, description="专利号，如 ZL201510123456.7")
    title: Text = Field(max_length=256, description="专利名称")
    patent_type: Text = Field(max_length=16, description="专利类型：invention 发明、utility 实用新型、design 外观设计")
    industry_code: Text | None = Field(None, max_length=64, description="行业代码（行业分成率区间表），如 machinery")
    ipc: Text = Field("", max_length=32, description="IPC 分类号，如 F16H 57/04")
    deal_type: Text = Field(max_length=16, description="交易类型：transfer 转让、licence 许可")
    deal_date: Text = Field(max_length=10, description="交易日期 YYYY-MM-DD，不晚于今天")
    price: Money
    pvd: int | float | None = Field(None, description="该专利评分时的专利价值度（0–100），未评分不填")
    source: Text = Field("", max_length=256, description="来源，如 技术交易所公告")
    note: Text = Field("", max_length=2000, description="备注")


class DealIn(DealFields):
    unit_id: Id | None = Field(None, description="登记单位 ID；不填为本人所在单位")


class DealUpdate(DealFields):
    version: Version


class DealOut(BaseModel):
    id: int
    unit_id: int
    patent_number: str
    title: str
    patent_type: str
    industry_code: str | None
    ipc: str
    deal_type: str
    deal_date: date
    price: Decimal = Field(description="成交价（元），以文字给出以保留每一位")
    pvd: float | None
    source: str
    note: str
    created_at: datetime
    version: int


def _out(d: ComparableDeal) -> DealOut:
    return DealOut(
        id=d.id,
        unit_id=d.unit_id,
        patent_number=d.patent_number,
        title=d.title,
        patent_type=d.patent_type,
        industry_code=d.industry_code,
        ipc=d.ipc,
        deal_type=d.deal_type,
        deal_date=d.deal_date,
        price=d.price,
        pvd=d.pvd,
        source=d.source,
        note=d.note,
        created_at=d.created_at,
        version=d.version,
    )


def _fields(body: DealFields) -> dict[str, Any]:
    return body.model_dump(exclude={"unit_id", "version"})


@router.get("", summary="可比交易列表（按交易日期从新到旧）")
def list_deals(
    principal: User,
    db: Db,
    industry_code: Annotated[str | None, Query(max_length=64, description="行业代码")] = None,
    patent_type: Annotated[str | None, Query(max_length=16, description="invention、utility、design")] = None,
    deal_type: Annotated[str | None, Query(max_length=16, description="transfer、licence")] = None,
    date_from: Annotated[date | None, Query(description="交易日期起（含）")] = None,
    date_to: Annotated[date | None, Query(description="交易日期止（含）")] = None,
    q: Annotated[str | None, Query(max_length=100, description="专利号、名称、IPC、来源或备注包含的文字")] = None,
    limit: Annotated[int, Query(ge=1, le=service.MAX_LIMIT, description="至多返回多少条")] = 200,
    offset: Annotated[int, Query(ge=0, le=MAX_ID, description="跳过多少条")] = 0,
) -> list[DealOut]:
    with db.reading() as session:
        rows = service.list_deals(
            session,
            principal,
            industry_code=industry_code,
            patent_type=patent_type,
            deal_type=deal_type,
            date_from=date_from,
            date_to=date_to,
            q=(q or "").replace("\x00", ""),
            limit=limit,
            offset=offset,
        )
        return [_out(d) for d in rows]


@router.post("", status_code=201, summary="登记可比交易")
def add_deal(body: DealIn, principal: User, db: Db) -> DealOut:
    with uow_for(db, principal) as uow:
        deal = service.add_deal(uow, principal, _fields(body), unit_id=body.unit_id)
        uow.commit()
        return _out(deal)


@router.get("/{deal_id}", summary="一条可比交易")
def get_deal(deal_id: DealId, principal: User, db: Db) -> DealOut:
    with db.reading() as session:
        return _out(service.get_deal(session, principal, deal_id))


@router.put("/{deal_id}", summary="修改可比交易")
def update_deal(deal_id: DealId, body: DealUpdate, principal: User, db: Db) -> DealOut:
    with uow_for(db, principal) as uow:
        deal = service.update_deal(uow, principal, deal_id, _fields(body), version=body.version)
        uow.commit()
        return _out(deal)
