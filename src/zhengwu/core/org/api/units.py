"""Units through the API: the scoped list, details, creation and partial edits."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query, Request

from zhengwu.core.org import service
from zhengwu.core.org.access import get_scoped
from zhengwu.core.org.api.common import _paged, _patched, router
from zhengwu.core.org.api.schemas import Paged, PathId, UnitCreate, UnitItem, UnitOut, UnitPatch, UnitQuery
from zhengwu.core.org.lists import UNITS
from zhengwu.core.org.model import UNIT_MANAGE, UNIT_VIEW
from zhengwu.core.org.tables import Unit
from zhengwu.web.deps import Db, uow_for
from zhengwu.web.deps import User as CurrentUser


@router.get("/units", summary="单位列表")
def units(request: Request, principal: CurrentUser, db: Db, query: Annotated[UnitQuery, Query()]) -> Paged[UnitItem]:
    """“查看单位”数据范围内的单位；q 按名称或编码搜索。筛选、排序、分页与单位管理页面相同。"""
    return _paged(request, db, principal, UNITS, query=query, item=UnitItem)


@router.get("/units/{unit_id}", summary="单位详情")
def unit_detail(unit_id: PathId, principal: CurrentUser, db: Db) -> UnitOut:
    with db.reading() as session:
        return UnitOut.model_validate(get_scoped(session, principal, UNIT_VIEW, Unit, unit_id))


@router.post("/units", status_code=201, summary="新建单位")
def unit_create(body: UnitCreate, principal: CurrentUser, db: Db) -> UnitOut:
    """需要“管理单位”权限，新单位须在您的数据范围内。"""
    with uow_for(db, principal) as uow:
        unit = service.create_unit(uow, principal, **body.model_dump())
        uow.commit()
        return UnitOut.model_validate(unit)


@router.patch("/units/{unit_id}", summary="修改单位")
def unit_update(unit_id: PathId, body: UnitPatch, principal: CurrentUser, db: Db) -> UnitOut:
    """需要“管理单位”权限；只修改提交了的字段。版本号过期返回 409。"""
    with uow_for(db, principal) as uow:
        unit: Unit = get_scoped(uow.session, principal, UNIT_MANAGE, Unit, unit_id)
        current = {"name": unit.name, "kind": unit.kind.value, "parent_id": unit.parent_id, "active": unit.active}
        changes = _patched(body, current, {"name": "单位名称", "kind": "单位类型", "active": "是否启用"})
        unit = service.update_unit(uow, principal, unit_id, version=body.version, **changes)
        uow.commit()
        return UnitOut.model_validate(unit)
