"""JSON API of multi-year inspection plans (巡察规划): list, create and edit a plan, add its targets, and the
coverage by district. Its routes are served with :mod:`zhengwu.inspection.api.rounds`' router."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, Field

from zhengwu.inspection.api.fields import Id, Input, Text, Version
from zhengwu.inspection.api.rounds import Created, PlanId
from zhengwu.inspection.service import plans as plan_service
from zhengwu.web.deps import Db, User, uow_for
from zhengwu.web.problems import PROBLEMS

router = APIRouter(prefix="/api/v1/inspection", tags=["巡察整改"], responses=PROBLEMS)


class PlanIn(Input):
    committee_unit_id: Id = Field(description="巡察委员会所在单位 ID")
    name: Text = Field(max_length=128, description="规划名称，如 十二届市委巡察工作规划")
    first_year: int = Field(ge=2000, le=2100)
    last_year: int = Field(ge=2000, le=2100)


class PlanUpdate(Input):
    name: Text = Field(max_length=128)
    first_year: int = Field(ge=2000, le=2100)
    last_year: int = Field(ge=2000, le=2100)
    version: Version


class PlanTargetsIn(Input):
    unit_ids: list[Id] = Field(min_length=1, max_length=plan_service.MAX_TARGETS_PER_CALL)
    planned_round: int | None = Field(None, ge=1, le=999, description="计划在第几轮巡察")


class PlanItem(BaseModel):
    id: int
    committee_unit_id: int
    committee: str
    name: str
    first_year: int
    last_year: int
    version: int


class DistrictOut(BaseModel):
    unit_id: int
    name: str
    planned: int = Field(description="规划巡察单位数")
    covered: int = Field(description="已列入本规划某一轮巡察的单位数")
    rate: float | None = Field(description="覆盖率（0–1）；没有规划单位时为 null")


class PlanOut(PlanItem):
    planned: int
    covered: int
    rate: float | None
    districts: list[DistrictOut]
    round_ids: list[int]


class TargetsAdded(BaseModel):
    added: int


def _plan_out(db: Db, principal: User, plan_id: int) -> PlanOut:
    with db.reading() as session:
        c = plan_service.plan_coverage(session, principal, plan_id)
        p = c.plan
        return PlanOut(
            id=p.id,
            committee_unit_id=p.committee_unit_id,
            committee=c.committee,
            name=p.name,
            first_year=p.first_year,
            last_year=p.last_year,
            version=p.version,
            planned=c.planned,
            covered=c.covered,
            rate=c.rate,
            districts=[
                DistrictOut(unit_id=d.unit_id, name=d.name, planned=d.planned, covered=d.covered, rate=d.rate)
                for d in c.districts
            ],
            round_ids=[r.id for r in c.rounds],
        )


@router.get("/plans", summary="巡察规划列表")
def list_plans(principal: User, db: Db) -> list[PlanItem]:
    with db.reading() as session:
        return [
            PlanItem(
                id=p.id,
                committee_unit_id=p.committee_unit_id,
                committee=c,
                name=p.name,
                first_year=p.first_year,
                last_year=p.last_year,
                version=p.version,
            )
            for p, c in plan_service.list_plans(session, principal)
        ]


@router.post("/plans", status_code=201, summary="新建巡察规划")
def create_plan(body: PlanIn, principal: User, db: Db) -> Created:
    with uow_for(db, principal) as uow:
        plan = plan_service.create_plan(uow, principal, **body.model_dump())
        uow.commit()
        return Created(id=plan.id)


@router.get("/plans/{plan_id}", summary="巡察规划及分区县覆盖情况")
def get_plan(plan_id: PlanId, principal: User, db: Db) -> PlanOut:
    return _plan_out(db, principal, plan_id)


@router.put("/plans/{plan_id}", summary="修改巡察规划")
def update_plan(plan_id: PlanId, body: PlanUpdate, principal: User, db: Db) -> PlanOut:
    with uow_for(db, principal) as uow:
        plan_service.update_plan(uow, principal, plan_id, **body.model_dump())
        uow.commit()
    return _plan_out(db, principal, plan_id)


@router.post("/plans/{plan_id}/targets", summary="添加规划巡察单位")
def add_plan_targets(plan_id: PlanId, body: PlanTargetsIn, principal: User, db: Db) -> TargetsAdded:
    with uow_for(db, principal) as uow:
        added = plan_service.add_plan_targets(uow, principal, plan_id, body.unit_ids, body.planned_round)
        uow.commit()
    return TargetsAdded(added=added)
