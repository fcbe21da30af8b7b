"""JSON API of the talent pool (巡察人才库): cadres, their declared conflicts of interest, secondments to a team
(refused with the reason on a conflict of interest), evaluations, and the figures of seconded cadres per round."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, Field

from zhengwu.inspection.api.fields import MAX_ID, Day, Id, Input, Text, Version
from zhengwu.inspection.model import Evaluation, Specialty, TeamRole
from zhengwu.inspection.service import cadres as service
from zhengwu.inspection.tables import InspectionCadre
from zhengwu.web.deps import Db, User, uow_for
from zhengwu.web.problems import PROBLEMS

router = APIRouter(prefix="/api/v1/inspection", tags=["巡察整改"], responses=PROBLEMS)
CadreId = Annotated[int, Path(ge=1, le=MAX_ID, description="干部 ID")]
SecondmentId = Annotated[int, Path(ge=1, le=MAX_ID, description="抽调记录 ID")]
SPECIALTIES = "、".join(f"{s.value} {s.label}" for s in Specialty)


class CadreIn(Input):
    name: Text = Field(max_length=50, description="姓名")
    unit_id: Id = Field(description="所在单位 ID（干部实际工作的单位）")
    post: Text = Field("", max_length=64, description="职务")
    specialties: list[Annotated[Text, Field(max_length=16)]] = Field(
        [], max_length=len(Specialty), description=f"专长，编码或中文：{SPECIALTIES}"
    )


class CadreUpdate(CadreIn):
    active: bool = Field(True, description="是否在库")
    version: Version


class ConflictIn(Input):
    unit_id: Id = Field(description="申报回避的单位 ID")
    reason: Text = Field(max_length=200, description="回避事由")
    declared_on: Day = Field(description="申报日期")


class SecondmentIn(Input):
    team_id: Id = Field(description="巡察组 ID")
    role: Text = Field(max_length=16, description="角色：" + "、".join(f"{r.value} {r.label}" for r in TeamRole))


class EvaluationIn(Input):
    evaluation: Text | None = Field(
        None, max_length=16, description="考核等次：" + "、".join(f"{e.value} {e.label}" for e in Evaluation)
    )
    commended: bool = Field(False, description="是否通报表扬")
    promoted_on: Day | None = Field(None, description="提拔任用日期")
    version: Version


class Created(BaseModel):
    id: int


class CadreItem(BaseModel):
    id: int
    name: str
    unit_id: int
    unit: str
    post: str
    specialties: list[str]
    specialty_labels: list[str]
    active: bool
    version: int


class ConflictOut(BaseModel):
    unit_id: int
    unit: str
    reason: str
    declared_on: date


class SecondmentOut(BaseModel):
    id: int
    round_id: int
    round: str
    team_id: int
    team: str
    role: str
    role_label: str
    evaluation: str | None
    commended: bool
    promoted_on: date | None
    version: int


class CadreOut(CadreItem):
    conflicts: list[ConflictOut]
    secondments: list[SecondmentOut]


class CountOut(BaseModel):
    name: str
    count: int


class FiguresOut(BaseModel):
    round_id: int | None
    round: str | None
    seconded: int = Field(description="抽调干部人数（同一轮只计一次）")
    by_unit: list[CountOut] = Field(description="按派出单位")
    by_evaluation: list[CountOut] = Field(description="按考核等次")
    commended: int = Field(description="通报表扬人次")
    promoted: int = Field(description="轮次结束后一年内提拔任用人数")


class AllFiguresOut(BaseModel):
    total: FiguresOut
    rounds: list[FiguresOut]


def _item(c: InspectionCadre, unit: str, specs: list[Specialty]) -> CadreItem:
    return CadreItem(
        id=c.id,
        name=c.name,
        unit_id=c.unit_id,
        unit=unit,
        post=c.post,
        specialties=[s.value for s in specs],
        specialty_labels=[s.label for s in specs],
        active=c.active,
        version=c.version,
    )


def _cadre_out(db: Db, principal: User, cadre_id: int) -> CadreOut:
    with db.reading() as session:
        v = service.cadre_view(session, principal, cadre_id)
        return CadreOut(
            **_item(v.cadre, v.unit, v.specialties).model_dump(),
            conflicts=[
                ConflictOut(unit_id=c.unit_id, unit=n, reason=c.reason, declared_on=c.declared_on)
                for c, n in v.conflicts
            ],
            secondments=[
                SecondmentOut(
                    id=r.secondment.id,
                    round_id=r.round.id,
                    round=r.round.name,
                    team_id=r.secondment.team_id,
                    team=r.team,
                    role=r.secondment.role.value,
                    role_label=r.secondment.role.label,
                    evaluation=r.secondment.evaluation.value if r.secondment.evaluation else None,
                    commended=r.secondment.commended,
                    promoted_on=r.secondment.promoted_on,
                    version=r.secondment.version,
                )
                for r in v.service
            ],
        )


def figures_out(f: service.CadreFigures) -> FiguresOut:
    return FiguresOut(
        round_id=f.round.id if f.round else None,
        round=f.round.name if f.round else None,
        seconded=f.seconded,
        by_unit=[CountOut(name=n, count=c) for n, c in f.by_unit],
        by_evaluation=[CountOut(name=e.label, count=c) for e, c in f.by_evaluation.items()],
        commended=f.commended,
        promoted=f.promoted,
    )


@router.get("/cadres", summary="巡察人才库（按专长、单位筛选）")
def list_cadres(
    principal: User,
    db: Db,
    specialty: Annotated[str | None, Query(max_length=16, description="专长编码或中文")] = None,
    unit_id: Annotated[int | None, Query(ge=1, le=MAX_ID, description="所在单位 ID")] = None,
) -> list[CadreItem]:
    with db.reading() as session:
        rows = service.list_cadres(session, principal, specialty=specialty, unit_id=unit_id)
        return [_item(c, n, s) for c, n, s in rows]


@router.post("/cadres", status_code=201, summary="新增人才库干部")
def add_cadre(body: CadreIn, principal: User, db: Db) -> Created:
    with uow_for(db, principal) as uow:
        cadre = service.add_cadre(uow, principal, **body.model_dump())
        uow.commit()
        return Created(id=cadre.id)


@router.get("/cadres/figures", summary="抽调干部统计：按轮次与累计")
def cadre_figures(
    principal: User,
    db: Db,
    round_id: Annotated[int | None, Query(ge=1, le=MAX_ID, description="巡察轮次 ID")] = None,
) -> AllFiguresOut:
    with db.reading() as session:
        rounds, total = service.cadre_figures(session, principal, round_id)
        return AllFiguresOut(total=figures_out(total), rounds=[figures_out(f) for f in rounds])


@router.put("/cadres/secondments/{secondment_id}", summary="登记考核等次、通报表扬与提拔任用")
def evaluate(secondment_id: SecondmentId, body: EvaluationIn, principal: User, db: Db) -> CadreOut:
    with uow_for(db, principal) as uow:
        s = service.evaluate(uow, principal, secondment_id, **body.model_dump())
        cadre_id = s.cadre_id
        uow.commit()
    return _cadre_out(db, principal, cadre_id)


@router.get("/cadres/{cadre_id}", summary="干部详情：回避申报与抽调经历")
def get_cadre(cadre_id: CadreId, principal: User, db: Db) -> CadreOut:
    return _cadre_out(db, principal, cadre_id)


@router.put("/cadres/{cadre_id}", summary="修改人才库干部")
def update_cadre(cadre_id: CadreId, body: CadreUpdate, principal: User, db: Db) -> CadreOut:
    with uow_for(db, principal) as uow:
        service.update_cadre(uow, principal, cadre_id, **body.model_dump())
        uow.commit()
    return _cadre_out(db, principal, cadre_id)


@router.post("/cadres/{cadre_id}/conflicts", summary="登记回避申报")
def declare_conflict(cadre_id: CadreId, body: ConflictIn, principal: User, db: Db) -> CadreOut:
    with uow_for(db, principal) as uow:
        service.declare_conflict(uow, principal, cadre_id, **body.model_dump())
        uow.commit()
    return _cadre_out(db, principal, cadre_id)


@router.post("/cadres/{cadre_id}/secondments", status_code=201, summary="抽调干部到巡察组（回避冲突时拒绝并说明原因）")
def second(cadre_id: CadreId, body: SecondmentIn, principal: User, db: Db) -> Created:
    with uow_for(db, principal) as uow:
        s = service.second(uow, principal, cadre_id, body.team_id, body.role)
        uow.commit()
        return Created(id=s.id)
