"""JSON API of inspection rounds and plans: list, create and edit rounds; their dated stages, teams, targets and the
petitions a team handled; plans, their targets and the coverage by district. Updates carry the ``version`` read
(409 when stale); dates are ``YYYY-MM-DD`` strings."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Response
from pydantic import BaseModel, Field

from zhengwu.core.errors import Invalid
from zhengwu.inspection.api.fields import MAX_ID, Day, Id, Input, Text, Version
from zhengwu.inspection.model import ROUND_MANAGE, Stage, StagePeriod
from zhengwu.inspection.service import rounds as service
from zhengwu.web.deps import Db, User, uow_for
from zhengwu.web.problems import PROBLEMS

router = APIRouter(prefix="/api/v1/inspection", tags=["巡察整改"], responses=PROBLEMS)
RoundId = Annotated[int, Path(ge=1, le=MAX_ID, description="巡察轮次 ID")]
TeamId = Annotated[int, Path(ge=1, le=MAX_ID, description="巡察组 ID")]
UnitPath = Annotated[int, Path(ge=1, le=MAX_ID, description="单位 ID")]
PlanId = Annotated[int, Path(ge=1, le=MAX_ID, description="巡察规划 ID")]


class RoundIn(Input):
    committee_unit_id: Id = Field(description="巡察委员会所在单位 ID（数据范围按此单位）")
    number: int = Field(ge=1, le=999, description="轮次，如 第 3 轮 为 3")
    year: int = Field(ge=2000, le=2100, description="年度")
    type: Text = Field(max_length=16, description="巡察类型：regular 常规、special 专项、elevated 提级、cross 交叉")
    name: Text = Field(max_length=128, description="名称，如 十二届市委第三轮巡察")
    approval: Text = Field("", max_length=200, description="批准文件或会议")
    starts_on: Day = Field(description="开始日期")
    ends_on: Day | None = Field(None, description="结束日期")
    plan_id: Id | None = Field(None, description="所属巡察规划 ID")


class RoundUpdate(RoundIn):
    version: Version


class StageIn(Input):
    stage: Text = Field(max_length=16, description="阶段：" + "、".join(f"{s.value} {s.label}" for s in Stage))
    starts_on: Day
    ends_on: Day | None = None


class StagesIn(Input):
    version: Version
    stages: list[StageIn] = Field(max_length=len(Stage))


class TeamIn(Input):
    name: Text = Field(max_length=64, description="巡察组名称，如 第一巡察组")


class PetitionsIn(Input):
    petitions: int = Field(ge=0, le=service.MAX_PETITIONS, description="进驻期间办理信访件数")
    version: Version


class TargetIn(Input):
    team_id: Id | None = Field(None, description="负责巡察的巡察组 ID；不填为暂未分组")


class Created(BaseModel):
    id: int


class RoundItem(BaseModel):
    id: int
    committee_unit_id: int
    committee: str
    plan_id: int | None
    number: int
    year: int
    type: str
    type_label: str
    name: str
    approval: str
    starts_on: date
    ends_on: date | None
    version: int


class StageOut(BaseModel):
    stage: str
    label: str
    starts_on: date
    ends_on: date | None


class MemberOut(BaseModel):
    secondment_id: int
    cadre_id: int
    name: str
    unit: str
    role: str
    role_label: str


class UnitRef(BaseModel):
    unit_id: int
    name: str


class TeamOut(BaseModel):
    id: int
    name: str
    petitions: int
    version: int
    members: list[MemberOut]
    targets: list[UnitRef]


class RoundOut(RoundItem):
    current_stage: str | None
    current_stage_label: str | None
    stages: list[StageOut]
    teams: list[TeamOut]
    unassigned_targets: list[UnitRef]
    petitions: int = Field(description="各巡察组进驻期间办理信访件合计")
    seconded: int = Field(description="抽调干部人数")


def round_item(r: Any, committee: str) -> RoundItem:
    return RoundItem(
        id=r.id,
        committee_unit_id=r.committee_unit_id,
        committee=committee,
        plan_id=r.plan_id,
        number=r.number,
        year=r.year,
        type=r.type.value,
        type_label=r.type.label,
        name=r.name,
        approval=r.approval,
        starts_on=r.starts_on,
        ends_on=r.ends_on,
        version=r.version,
    )


def _round_out(db: Db, principal: User, round_id: int) -> RoundOut:
    with db.reading() as session:
        v = service.round_view(session, principal, round_id, service.today(db.clock))
        return RoundOut(
            **round_item(v.round, v.committee).model_dump(),
            current_stage=v.current.value if v.current else None,
            current_stage_label=v.current.label if v.current else None,
            stages=[
                StageOut(stage=p.stage.value, label=p.stage.label, starts_on=p.starts_on, ends_on=p.ends_on)
                for p in v.stages
            ],
            teams=[
                TeamOut(
                    id=t.team.id,
                    name=t.team.name,
                    petitions=t.team.petitions,
                    version=t.team.version,
                    members=[
                        MemberOut(
                            secondment_id=m.secondment_id,
                            cadre_id=m.cadre_id,
                            name=m.name,
                            unit=m.unit,
                            role=m.role.value,
                            role_label=m.role.label,
                        )
                        for m in t.members
                    ],
                    targets=[UnitRef(unit_id=u, name=n) for u, n in t.targets],
                )
                for t in v.teams
            ],
            unassigned_targets=[UnitRef(unit_id=u, name=n) for u, n in v.unassigned],
            petitions=v.petitions,
            seconded=v.seconded,
        )


def periods(stages: list[StageIn]) -> list[StagePeriod]:
    out = []
    for s in stages:
        try:
            stage = Stage(s.stage)
        except ValueError:
            raise Invalid(f"阶段“{s.stage}”无效。", field="stages") from None
        out.append(StagePeriod(stage, s.starts_on, s.ends_on))
    return out


@router.get("/rounds", summary="巡察轮次列表（新的在前）")
def list_rounds(
    principal: User,
    db: Db,
    year: Annotated[int | None, Query(ge=2000, le=2100, description="年度")] = None,
    type: Annotated[str | None, Query(max_length=16, description="巡察类型")] = None,
) -> list[RoundItem]:
    with db.reading() as session:
        return [round_item(r, c) for r, c in service.list_rounds(session, principal, year=year, type=type)]


@router.post("/rounds", status_code=201, summary="新建巡察轮次")
def create_round(body: RoundIn, principal: User, db: Db) -> Created:
    with uow_for(db, principal) as uow:
        rnd = service.create_round(uow, principal, **body.model_dump())
        uow.commit()
        return Created(id=rnd.id)


@router.get("/rounds/{round_id}", summary="巡察轮次详情：阶段时间线、当前阶段、巡察组及其成员与被巡察单位")
def get_round(round_id: RoundId, principal: User, db: Db) -> RoundOut:
    return _round_out(db, principal, round_id)


@router.put("/rounds/{round_id}", summary="修改巡察轮次")
def update_round(round_id: RoundId, body: RoundUpdate, principal: User, db: Db) -> RoundOut:
    with uow_for(db, principal) as uow:
        service.update_round(uow, principal, round_id, **body.model_dump())
        uow.commit()
    return _round_out(db, principal, round_id)


@router.put("/rounds/{round_id}/stages", summary="设置各阶段起止日期（整体替换）")
def set_stages(round_id: RoundId, body: StagesIn, principal: User, db: Db) -> RoundOut:
    with uow_for(db, principal) as uow:
        service.set_stages(uow, principal, round_id, periods(body.stages), version=body.version)
        uow.commit()
    return _round_out(db, principal, round_id)


@router.post("/rounds/{round_id}/teams", status_code=201, summary="新建巡察组")
def add_team(round_id: RoundId, body: TeamIn, principal: User, db: Db) -> Created:
    with uow_for(db, principal) as uow:
        team = service.add_team(uow, principal, round_id, body.name)
        uow.commit()
        return Created(id=team.id)


@router.put("/rounds/{round_id}/teams/{team_id}/petitions", summary="登记巡察组进驻期间办理信访件数")
def set_petitions(round_id: RoundId, team_id: TeamId, body: PetitionsIn, principal: User, db: Db) -> RoundOut:
    with uow_for(db, principal) as uow:
        team = service.team_for_write(uow, principal, team_id, ROUND_MANAGE)
        if team.round_id != round_id:
            raise Invalid("巡察组不属于本轮巡察。", field="team_id")
        service.set_petitions(uow, principal, team_id, body.petitions, version=body.version)
        uow.commit()
    return _round_out(db, principal, round_id)


@router.put("/rounds/{round_id}/targets/{unit_id}", summary="确定被巡察单位并分配巡察组（回避冲突时拒绝）")
def assign_target(round_id: RoundId, unit_id: UnitPath, body: TargetIn, principal: User, db: Db) -> RoundOut:
    with uow_for(db, principal) as uow:
        service.assign_target(uow, principal, round_id, unit_id, body.team_id)
        uow.commit()
    return _round_out(db, principal, round_id)


@router.delete("/rounds/{round_id}/targets/{unit_id}", status_code=204, summary="移出被巡察单位")
def remove_target(round_id: RoundId, unit_id: UnitPath, principal: User, db: Db) -> Response:
    with uow_for(db, principal) as uow:
        service.remove_target(uow, principal, round_id, unit_id)
        uow.commit()
    return Response(status_code=204)
