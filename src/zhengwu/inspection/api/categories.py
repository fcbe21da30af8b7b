"""JSON API of the finding categories (问题分类): read the dictionary (``inspection.view`` or
``inspection.category.manage``), add, rename (with the version read), deactivate and reactivate an entry
(``inspection.category.manage``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path
from pydantic import BaseModel, Field

from zhengwu.core.errors import Forbidden
from zhengwu.inspection.api.fields import MAX_ID, Input, Text, Version
from zhengwu.inspection.model import CATEGORY_MANAGE, VIEW
from zhengwu.inspection.service import categories as service
from zhengwu.inspection.service.categories import MAX_SORT, NAME_CHARS
from zhengwu.inspection.tables import InspectionCategory
from zhengwu.web.deps import Db, User, uow_for
from zhengwu.web.problems import PROBLEMS

router = APIRouter(prefix="/api/v1/inspection", tags=["巡察整改"], responses=PROBLEMS)
CategoryId = Annotated[int, Path(ge=1, le=MAX_ID, description="问题分类 ID")]
SortOrder = Annotated[int, Field(ge=-MAX_SORT, le=MAX_SORT, description="排序（小者在前）")]


class CategoryIn(Input):
    code: Text = Field(max_length=64, description="编码（字母、数字、点、横线、下划线），如 petition")
    name: Text = Field(max_length=NAME_CHARS, description="名称，如 信访问题")
    sort_order: SortOrder | None = Field(None, description="排序；不填排在最后")


class CategoryUpdate(Input):
    version: Version
    name: Text = Field(max_length=NAME_CHARS)
    sort_order: SortOrder | None = None


class VersionIn(Input):
    version: Version


class CategoryOut(BaseModel):
    id: int
    code: str
    name: str
    active: bool
    sort_order: int
    version: int


def _out(c: InspectionCategory) -> CategoryOut:
    return CategoryOut(id=c.id, code=c.code, name=c.name, active=c.active, sort_order=c.sort_order, version=c.version)


@router.get("/categories", summary="问题分类（含已停用）")
def list_categories(principal: User, db: Db, active_only: bool = False) -> list[CategoryOut]:
    if not (principal.has(VIEW) or principal.has(CATEGORY_MANAGE)):
        raise Forbidden("您没有查看巡察工作的权限。")
    with db.reading() as session:
        return [_out(c) for c in service.list_categories(session, active_only=active_only)]


@router.post("/categories", status_code=201, summary="新增问题分类")
def add_category(body: CategoryIn, principal: User, db: Db) -> CategoryOut:
    with uow_for(db, principal) as uow:
        added = service.add_category(uow, principal, **body.model_dump())
        uow.commit()
        return _out(added)


@router.put("/categories/{category_id}", summary="修改问题分类名称与排序")
def rename_category(category_id: CategoryId, body: CategoryUpdate, principal: User, db: Db) -> CategoryOut:
    with uow_for(db, principal) as uow:
        updated = service.rename_category(uow, principal, category_id, **body.model_dump())
        uow.commit()
        return _out(updated)


@router.post("/categories/{category_id}/deactivate", summary="停用问题分类（已登记的问题保留原分类）")
def deactivate_category(category_id: CategoryId, body: VersionIn, principal: User, db: Db) -> CategoryOut:
    with uow_for(db, principal) as uow:
        updated = service.set_active(uow, principal, category_id, version=body.version, active=False)
        uow.commit()
        return _out(updated)


@router.post("/categories/{category_id}/activate", summary="重新启用问题分类")
def activate_category(category_id: CategoryId, body: VersionIn, principal: User, db: Db) -> CategoryOut:
    with uow_for(db, principal) as uow:
        updated = service.set_active(uow, principal, category_id, version=body.version, active=True)
        uow.commit()
        return _out(updated)
