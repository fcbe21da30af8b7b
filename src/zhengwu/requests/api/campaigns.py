"""JSON API of special actions (专项行动): list, create, edit, the report per department (counting only the
requests the caller may view) and tagging a request to a campaign or taking it off."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Path, Response
from pydantic import BaseModel, Field

from zhengwu.core.errors import Forbidden, Invalid, NotFound
from zhengwu.core.org.access import check_write
from zhengwu.core.org.service import require
from zhengwu.requests.api.projects import MAX_ID, Day, Input, Text, Version
from zhengwu.requests.model import CAMPAIGN_MANAGE, VIEW
from zhengwu.requests.service import campaigns as service
from zhengwu.requests.service.campaigns import MAX_DEPARTMENTS
from zhengwu.requests.tables import RequestMatter
from zhengwu.web.deps import Db, User, uow_for
from zhengwu.web.problems import PROBLEMS

router = APIRouter(prefix="/api/v1/requests/campaigns", tags=["群众诉求 · 专项行动"], responses=PROBLEMS)
CampaignId = Annotated[int, Path(ge=1, le=MAX_ID, description="专项行动 ID")]
RequestId = Annotated[int, Path(ge=1, le=MAX_ID, description="诉求 ID")]
UnitId = Annotated[int, Field(ge=1, le=MAX_ID)]


class CampaignIn(Input):
    name: Text = Field(max_length=128, description="专项行动名称")
    commission_unit_id: int = Field(ge=1, le=MAX_ID, description="牵头单位 ID")
    starts_on: Day = Field(description="开始日期")
    ends_on: Day | None = Field(None, description="结束日期")
    unit_ids: list[UnitId] = Field([], max_length=MAX_DEPARTMENTS, description="参加部门 ID，按顺序")


class CampaignUpdate(CampaignIn):
    version: Version


class TagIn(Input):
    request_id: int = Field(ge=1, le=MAX_ID, description="诉求 ID")


class CampaignItem(BaseModel):
    id: int
    name: str
    commission_unit_id: int
    commission: str
    starts_on: date
    ends_on: date | None
    surfaced: int = Field(description="列入的诉求件数（数据范围内）")
    version: int


class DepartmentOut(BaseModel):
    unit_id: int
    unit: str
    surfaced: int = Field(description="收集诉求（件）")
    resolved: int = Field(description="已办结（件）")
    difficulties_solved: int = Field(description="解决困难（个）")


class ReportOut(BaseModel):
    id: int
    name: str
    commission_unit_id: int
    starts_on: date
    ends_on: date | None
    version: int
    unit_ids: list[int]
    surfaced: int
    resolved: int
    difficulties_solved: int
    summary: str = Field(description="如“共收集诉求 12 件，解决困难 8 个”")
    departments: list[DepartmentOut]


class Created(BaseModel):
    id: int


def _report(db: Db, principal: User, campaign_id: int) -> ReportOut:
    with db.reading() as session:
        report = service.campaign_report(session, principal, campaign_id)
        c = report.campaign
        return ReportOut(
            id=c.id,
            name=c.name,
            commission_unit_id=c.commission_unit_id,
            starts_on=c.starts_on,
            ends_on=c.ends_on,
            version=c.version,
            unit_ids=service.department_ids(session, c.id),
            surfaced=report.surfaced,
            resolved=report.resolved,
            difficulties_solved=report.difficulties_solved,
            summary=f"共收集诉求 {report.surfaced} 件，解决困难 {report.difficulties_solved} 个",
            departments=[
                DepartmentOut(
                    unit_id=d.unit_id,
                    unit=d.unit_name,
                    surfaced=d.surfaced,
                    resolved=d.resolved,
                    difficulties_solved=d.difficulties_solved,
                )
                for d in report.departments
            ],
        )


def _require_view(principal: User) -> None:
    if not principal.has(VIEW):
        raise Forbidden("您没有查看群众诉求的权限。")


@router.get("", summary="专项行动列表")
def list_campaigns(principal: User, db: Db) -> list[CampaignItem]:
    _require_view(principal)
    with db.reading() as session:
        return [
            CampaignItem(
                id=r.campaign.id,
                name=r.campaign.name,
                commission_unit_id=r.campaign.commission_unit_id,
                commission=r.commission,
                starts_on=r.campaign.starts_on,
                ends_on=r.campaign.ends_on,
                surfaced=r.surfaced,
                version=r.campaign.version,
            )
            for r in service.list_campaigns(session, principal)
        ]


@router.post("", status_code=201, summary="新建专项行动")
def create_campaign(body: CampaignIn, principal: User, db: Db) -> Created:
    with uow_for(db, principal) as uow:
        campaign = service.create_campaign(uow, principal, **body.model_dump())
        uow.commit()
        return Created(id=campaign.id)


@router.get("/{campaign_id}", summary="专项行动情况：总数与各部门收集诉求、解决困难")
def get_campaign(campaign_id: CampaignId, principal: User, db: Db) -> ReportOut:
    _require_view(principal)
    return _report(db, principal, campaign_id)


@router.put("/{campaign_id}", summary="修改专项行动（参加部门整体替换）")
def update_campaign(campaign_id: CampaignId, body: CampaignUpdate, principal: User, db: Db) -> ReportOut:
    with uow_for(db, principal) as uow:
        service.update_campaign(uow, principal, campaign_id, **body.model_dump())
        uow.commit()
    return _report(db, principal, campaign_id)


@router.post("/{campaign_id}/requests", status_code=204, summary="将诉求列入专项行动")
def tag(campaign_id: CampaignId, body: TagIn, principal: User, db: Db) -> Response:
    with uow_for(db, principal) as uow:
        service.tag_request(uow, principal, body.request_id, campaign_id)
        uow.commit()
    return Response(status_code=204)


@router.delete("/{campaign_id}/requests/{request_id}", status_code=204, summary="将诉求移出专项行动")
def untag(campaign_id: CampaignId, request_id: RequestId, principal: User, db: Db) -> Response:
    require(principal, CAMPAIGN_MANAGE)
    with uow_for(db, principal) as uow:
        found = uow.session.get(RequestMatter, request_id)
        if found is None:
            raise NotFound("诉求不存在。")
        check_write(uow.session, principal, CAMPAIGN_MANAGE, found)
        if found.campaign_id != campaign_id:
            raise Invalid("该诉求未列入本专项行动。", field="request_id")
        service.tag_request(uow, principal, request_id, None)
        uow.commit()
    return Response(status_code=204)
