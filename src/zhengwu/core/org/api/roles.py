"""Roles through the API: the list, details with grants, creation and whole replacement."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query, Request
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from zhengwu.core.db import Database
from zhengwu.core.errors import NotFound
from zhengwu.core.org import service
from zhengwu.core.org.api.common import _grant, _paged, router
from zhengwu.core.org.api.schemas import ListQuery, Paged, PathId, RoleCreate, RoleItem, RoleOut, RoleReplace
from zhengwu.core.org.lists import ROLES
from zhengwu.core.org.model import ROLE_MANAGE, Principal
from zhengwu.core.org.tables import Role, RoleGrant
from zhengwu.web.deps import Db, uow_for
from zhengwu.web.deps import User as CurrentUser


def _role_out(r: Role) -> RoleOut:
    grants = [_grant(g.action, g.scope, sorted(u.unit_id for u in g.units)) for g in r.grants]
    return RoleOut(id=r.id, code=r.code, name=r.name, description=r.description, version=r.version, grants=grants)


@router.get("/roles", summary="角色列表")
def roles(request: Request, principal: CurrentUser, db: Db, query: Annotated[ListQuery, Query()]) -> Paged[RoleItem]:
    """需要“管理角色与授权”权限；q 按角色名称搜索。"""
    return _paged(request, db, principal, ROLES, query=query, item=RoleItem)


@router.get("/roles/{role_id}", summary="角色详情")
def role_detail(role_id: PathId, principal: CurrentUser, db: Db) -> RoleOut:
    """需要“管理角色与授权”权限。"""
    service.require(principal, ROLE_MANAGE)
    with db.reading() as session:
        role = session.scalar(
            select(Role).where(Role.id == role_id).options(selectinload(Role.grants).selectinload(RoleGrant.units))
        )
        if role is None:
            raise NotFound("角色不存在。")
        return _role_out(role)


def _save_role(db: Database, principal: Principal, role_id: int | None, body: RoleCreate) -> RoleOut:
    grants = [service.GrantInput(g.action, g.scope, tuple(g.unit_ids)) for g in body.grants]
    version = body.version if isinstance(body, RoleReplace) else None
    with uow_for(db, principal) as uow:
        fields = body.model_dump(include={"code", "name", "description"})
        role = service.save_role(uow, principal, role_id, version=version, grants=grants, **fields)
        uow.commit()
        return _role_out(role)


@router.post("/roles", status_code=201, summary="新建角色")
def role_create(body: RoleCreate, principal: CurrentUser, db: Db) -> RoleOut:
    """需要“管理角色与授权”权限；只能授予不超过您本人权限的操作和数据范围。"""
    return _save_role(db, principal, None, body)


@router.put("/roles/{role_id}", summary="修改角色")
def role_replace(role_id: PathId, body: RoleReplace, principal: CurrentUser, db: Db) -> RoleOut:
    """整体替换角色的名称、说明和授权。版本号过期返回 409。"""
    return _save_role(db, principal, role_id, body)
