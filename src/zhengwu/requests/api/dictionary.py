"""JSON API of the category dictionary and the routing rules (``requests.category.manage``): add, edit (with the
version read) and deactivate a category; list, add and deactivate routing rules. The active tree is read through
``GET /api/v1/requests/categories`` (``api/intake.py``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path
from pydantic import BaseModel, Field

from zhengwu.core.errors import Forbidden
from zhengwu.requests.api.projects import MAX_ID, Input, Text, Version
from zhengwu.requests.model import CATEGORY_MANAGE
from zhengwu.requests.service import categories as service
from zhengwu.requests.service.categories import MAX_PRIORITY
from zhengwu.requests.tables import RequestCategory
from zhengwu.web.deps import Db, User, uow_for
from zhengwu.web.problems import PROBLEMS

router = APIRouter(prefix="/api/v1/requests", tags=["群众诉求 · 分类与派单规则"], responses=PROBLEMS)
CategoryId = Annotated[int, Path(ge=1, le=MAX_ID, description="分类 ID")]
RuleId = Annotated[int, Path(ge=1, le=MAX_ID, description="派单规则 ID")]
SortOrder = Annotated[int, Field(ge=-MAX_ID, le=MAX_ID, description="排序")]


class LimitFields(Input):
    limit_amount: int | None = Field(None, ge=1, le=1000, description="办理时限；不填则沿用上级或类型的时限")
    limit_unit: Text | None = Field(
        None, max_length=32, description="时限单位：working_days / working_hours / natural_days"
    )
    urgent: bool = Field(False, description="紧急安全隐患（2 个工作小时内处置）")
    sort_order: SortOrder = 0


class CategoryIn(LimitFields):
    code: Text = Field(max_length=64, description="编码，如 traffic.road.bridge")
    name: Text = Field(max_length=64)
    kind: Text = Field("subject", max_length=16, description="种类：type 诉求类型 / subject 问题分类")
    parent_id: int | None = Field(None, ge=1, le=MAX_ID, description="上级分类 ID")


class CategoryUpdate(LimitFields):
    version: Version
    name: Text = Field(max_length=64)
    active: bool = True


class VersionIn(Input):
    version: Version


class CategoryOut(BaseModel):
    id: int
    code: str
    name: str
    kind: str
    parent_id: int | None
    level: int
    limit_amount: int | None
    limit_unit: str | None
    urgent: bool
    active: bool
    sort_order: int
    version: int


class RuleIn(Input):
    category_id: int | None = Field(None, ge=1, le=MAX_ID, description="诉求分类 ID（含下级）；不填为任意分类")
    area_unit_id: int | None = Field(None, ge=1, le=MAX_ID, description="区域单位 ID（含下级）；不填为任何地区")
    target_unit_id: int = Field(ge=1, le=MAX_ID, description="承办单位 ID")
    priority: int = Field(0, ge=-MAX_PRIORITY, le=MAX_PRIORITY, description="同等具体时优先级高者优先")


class RuleOut(BaseModel):
    id: int
    category_id: int | None
    category: str | None
    area_unit_id: int | None
    area: str | None
    target_unit_id: int
    target: str
    priority: int
    active: bool


def _category(c: RequestCategory) -> CategoryOut:
    return CategoryOut(
        id=c.id,
        code=c.code,
        name=c.name,
        kind=c.kind.value,
        parent_id=c.parent_id,
        level=c.level,
        limit_amount=c.limit_amount,
        limit_unit=c.limit_unit.value if c.limit_unit else None,
        urgent=c.urgent,
        active=c.active,
        sort_order=c.sort_order,
        version=c.version,
    )


def _rules(db: Db, rule_id: int | None = None) -> list[RuleOut]:
    with db.reading() as session:
        return [
            RuleOut(
                id=r.rule.id,
                category_id=r.rule.category_id,
                category=r.category,
                area_unit_id=r.rule.area_unit_id,
                area=r.area,
                target_unit_id=r.rule.target_unit_id,
                target=r.target,
                priority=r.rule.priority,
                active=r.rule.active,
            )
            for r in service.routing_rules(session)
            if rule_id is None or r.rule.id == rule_id
        ]


@router.post("/categories", status_code=201, summary="新增诉求分类")
def create_category(body: CategoryIn, principal: User, db: Db) -> CategoryOut:
    with uow_for(db, principal) as uow:
        created = service.create_category(uow, principal, **body.model_dump())
        uow.commit()
        return _category(created)


@router.put("/categories/{category_id}", summary="修改诉求分类（名称、时限、紧急、排序、启用）")
def update_category(category_id: CategoryId, body: CategoryUpdate, principal: User, db: Db) -> CategoryOut:
    with uow_for(db, principal) as uow:
        updated = service.update_category(uow, principal, category_id, **body.model_dump())
        uow.commit()
        return _category(updated)


@router.post("/categories/{category_id}/deactivate", summary="停用诉求分类（已登记的诉求保留原分类）")
def deactivate_category(category_id: CategoryId, body: VersionIn, principal: User, db: Db) -> CategoryOut:
    with uow_for(db, principal) as uow:
        updated = service.deactivate_category(uow, principal, category_id, version=body.version)
        uow.commit()
        return _category(updated)


@router.get("/routing", summary="派单规则（含已停用）")
def list_rules(principal: User, db: Db) -> list[RuleOut]:
    if not principal.has(CATEGORY_MANAGE):
        raise Forbidden("您没有维护诉求分类与派单规则的权限。")
    return _rules(db)


@router.post("/routing", status_code=201, summary="添加派单规则")
def add_rule(body: RuleIn, principal: User, db: Db) -> RuleOut:
    with uow_for(db, principal) as uow:
        rule = service.add_routing_rule(uow, principal, **body.model_dump())
        uow.commit()
        rule_id = rule.id
    return _rules(db, rule_id)[0]


@router.post("/routing/{rule_id}/deactivate", summary="停用派单规则")
def deactivate_rule(rule_id: RuleId, principal: User, db: Db) -> RuleOut:
    with uow_for(db, principal) as uow:
        service.deactivate_routing_rule(uow, principal, rule_id)
        uow.commit()
    return _rules(db, rule_id)[0]
