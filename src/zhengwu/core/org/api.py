"""JSON API of organisations and access under ``/api/v1``: the caller, units, users, roles and API tokens.

Every route needs a logged-in principal (a bearer token, or a session cookie plus the ``X-CSRF-Token`` header on
unsafe methods), reads through ``restrict``/``get_scoped`` and writes through ``zhengwu.core.org.service`` inside
one unit of work. Failures are problem documents (``application/problem+json``) in Chinese, rendered at the edge.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Generic, TypeVar

from fastapi import APIRouter, Path, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field, SecretStr, computed_field
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from zhengwu.core.db import Database
from zhengwu.core.errors import Invalid, NotFound
from zhengwu.core.org import auth, service
from zhengwu.core.org.access import get_scoped
from zhengwu.core.org.lists import ROLES, UNITS, USERS
from zhengwu.core.org.model import (
    ACTIONS,
    ROLE_MANAGE,
    UNIT_MANAGE,
    UNIT_VIEW,
    USER_MANAGE,
    USER_VIEW,
    Principal,
    Scope,
    UnitKind,
)
from zhengwu.core.org.tables import ApiToken, Role, RoleGrant, Unit, User
from zhengwu.web.deps import Db, get_settings, uow_for
from zhengwu.web.deps import User as CurrentUser
from zhengwu.web.listing import ListSpec, fetch_page
from zhengwu.web.problems import PROBLEMS

T = TypeVar("T")
M = TypeVar("M", bound=BaseModel)
MAX_ID = 2_147_483_647

#: Text without NUL characters (PostgreSQL cannot store them).
Text = Annotated[str, Field(pattern=r"^[^\x00]*$")]
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
PathId = Annotated[int, Path(ge=1, le=MAX_ID, description="记录 ID")]
VERSION = "读取时的版本号（version）；记录已被他人修改则返回 409"
KIND_HELP = "单位类型，编码或中文名称均可：" + "、".join(f"{k.value}（{k.label}）" for k in UnitKind)


router = APIRouter(prefix="/api/v1", tags=["组织与权限"], responses=PROBLEMS)


class Input(BaseModel):
    """A request body: unknown fields are refused, so a misspelt field is not silently ignored."""

    model_config = ConfigDict(extra="forbid")


class Out(BaseModel):
    """A response: read from a record's attributes or a list row's columns (never the password hash)."""

    model_config = ConfigDict(from_attributes=True)


class Paged(BaseModel, Generic[T]):
    items: list[T] = Field(description="本页记录")
    total: int = Field(description="符合条件的记录总数")
    page: int = Field(description="当前页码（从 1 开始）")
    pages: int = Field(description="总页数")


class ListQuery(BaseModel):
    q: Text | None = Field(None, description="搜索文字（包含即可）")
    sort: Text | None = Field(None, description="排序列，前加 - 为倒序，如 -name")
    page: Text | None = Field(None, description="页码，从 1 开始")


class UnitQuery(ListQuery):
    kind: Text | None = Field(None, description="按单位类型筛选：" + "、".join(k.value for k in UnitKind))


# ---------------------------------------------------------------- schemas


class UnitRef(Out):
    id: int = Field(description="单位 ID")
    code: str = Field(description="单位编码")
    name: str = Field(description="单位名称")


class GrantOut(Out):
    action: str = Field(description="操作编码，如 org.unit.view")
    action_label: str = Field(description="操作名称")
    scope: Scope = Field(description="数据范围：" + "、".join(f"{s.value}（{s.label}）" for s in Scope))
    unit_ids: list[int] = Field(default_factory=list, description="数据范围为“指定单位”时的单位 ID")


class Me(Out):
    id: int = Field(description="用户 ID")
    username: str = Field(description="用户名")
    full_name: str = Field(description="姓名")
    unit: UnitRef = Field(description="所属单位")
    grants: list[GrantOut] = Field(description="通过角色获得的全部授权")


class UnitBase(UnitRef):
    kind: UnitKind = Field(description="单位类型")
    path: str = Field(description="从顶级单位到本单位的 ID 路径，如 /1/4/9/")
    active: bool = Field(description="是否启用")

    @computed_field  # type: ignore[prop-decorator]
    @property
    def kind_label(self) -> str:
        """单位类型名称"""
        return self.kind.label


class UnitItem(UnitBase):
    parent: str | None = Field(description="上级单位名称")


class UnitOut(UnitBase):
    parent_id: int | None = Field(description="上级单位 ID；顶级单位为 null")
    version: int = Field(description="版本号；修改时原样提交，用于发现并发修改")


class UnitCreate(Input):
    code: Text = Field(description="单位编码（字母、数字、点、横线、下划线，最长 64）")
    name: Text = Field(description="单位名称（最长 128）")
    kind: Text = Field(description=KIND_HELP)
    parent_id: Id | None = Field(None, description="上级单位 ID；省略或 null 为顶级单位")


class UnitPatch(Input):
    version: Id = Field(description=VERSION)
    name: Text | None = Field(None, description="单位名称；省略则不修改")
    kind: Text | None = Field(None, description=KIND_HELP + "；省略则不修改")
    parent_id: Id | None = Field(None, description="上级单位 ID；省略则不修改，null 表示改为顶级单位")
    active: bool | None = Field(None, description="是否启用；省略则不修改")


class UserBase(Out):
    id: int = Field(description="用户 ID")
    username: str = Field(description="用户名")
    full_name: str = Field(description="姓名")
    active: bool = Field(description="是否启用")
    locked_until: datetime | None = Field(description="因连续登录失败锁定至（UTC）")
    last_login_at: datetime | None = Field(description="最近登录时间（UTC）")


class UserItem(UserBase):
    unit: str = Field(description="所属单位名称")


class RoleRef(Out):
    id: int = Field(description="角色 ID")
    code: str = Field(description="角色编码")
    name: str = Field(description="角色名称")


class UserOut(UserBase):
    unit: UnitRef = Field(description="所属单位")
    roles: list[RoleRef] = Field(description="角色")
    version: int = Field(description="版本号；修改时原样提交，用于发现并发修改")


class UserCreate(Input):
    username: Text = Field(description="用户名（字母、数字、点、横线、下划线，最长 64）")
    full_name: Text = Field(description="姓名（最长 64）")
    unit_id: Id = Field(description="所属单位 ID")
    password: SecretStr = Field(description="初始密码：至少 8 位，须同时包含字母和数字")
    role_ids: list[Id] = Field(default_factory=list, description="角色 ID；只能分配权限不超过您本人的角色")


class UserPatch(Input):
    version: Id = Field(description=VERSION)
    full_name: Text | None = Field(None, description="姓名；省略则不修改")
    unit_id: Id | None = Field(None, description="所属单位 ID；省略则不修改")
    active: bool | None = Field(None, description="是否启用；省略则不修改")
    role_ids: list[Id] | None = Field(None, description="全部角色 ID（整体替换）；省略则不修改")


class RoleItem(RoleRef):
    description: str = Field(description="说明")


class RoleOut(RoleItem):
    version: int = Field(description="版本号；修改时原样提交，用于发现并发修改")
    grants: list[GrantOut] = Field(description="授权")


class GrantIn(Input):
    action: Text = Field(
        description="操作编码：" + "、".join(f"{c}（{label}）" for c, label in sorted(ACTIONS.items()))
    )
    scope: Text = Field(description="数据范围：" + "、".join(f"{s.value}（{s.label}）" for s in Scope))
    unit_ids: list[Id] = Field(default_factory=list, description="数据范围为 listed（指定单位）时的单位 ID")


class RoleCreate(Input):
    code: Text = Field(description="角色编码（字母、数字、点、横线、下划线，最长 64）")
    name: Text = Field(description="角色名称（最长 64）")
    description: Text = Field("", description="说明（最长 256）")
    grants: list[GrantIn] = Field(default_factory=list, description="授权；只能授予不超过您本人权限的操作和范围")


class RoleReplace(RoleCreate):
    version: Id = Field(description=VERSION)
    grants: list[GrantIn] = Field(description="全部授权（整体替换）；只能授予不超过您本人权限的操作和范围")


class TokenCreate(Input):
    name: Text = Field(description="令牌名称，如调用它的系统（最长 64）")
    days: int | None = Field(None, description="有效天数（1–3650）；null 表示长期有效")


class TokenOut(Out):
    id: int = Field(description="令牌 ID")
    name: str = Field(description="令牌名称")
    prefix: str = Field(description="令牌开头几位，用于辨认")
    created_at: datetime = Field(description="创建时间（UTC）")
    expires_at: datetime | None = Field(description="过期时间（UTC）；null 表示长期有效")
    revoked_at: datetime | None = Field(description="吊销时间（UTC）")
    last_used_at: datetime | None = Field(description="最近使用时间（UTC）")


class NewToken(TokenOut):
    token: str = Field(description="令牌明文，只在创建时返回这一次；调用时放在请求头 Authorization: Bearer <令牌>")


# ---------------------------------------------------------------- helpers


def _grant(action: str, scope: Scope, unit_ids: list[int]) -> GrantOut:
    return GrantOut(action=action, action_label=ACTIONS.get(action, action), scope=scope, unit_ids=unit_ids)


def _role_out(r: Role) -> RoleOut:
    grants = [_grant(g.action, g.scope, sorted(u.unit_id for u in g.units)) for g in r.grants]
    return RoleOut(id=r.id, code=r.code, name=r.name, description=r.description, version=r.version, grants=grants)


def _paged(
    request: Request, db: Database, principal: Principal, spec: ListSpec, *, query: ListQuery, item: type[M]
) -> Paged[M]:
    """One page of a shared list, filtered, sorted and scoped exactly as the page showing the same list."""
    params = query.model_dump(exclude_none=True)
    with db.reading() as session:
        page = fetch_page(session, spec, principal, params, get_settings(request).page_size)
    items = [item.model_validate(dict(r._mapping)) for r in page.rows]
    return Paged(items=items, total=page.total, page=page.page, pages=page.pages)


def _patched(body: BaseModel, current: dict[str, Any], required: dict[str, str]) -> dict[str, Any]:
    """PATCH: ``current`` overridden by the fields sent; null is refused for the ``required`` ones (name → label)."""
    sent = body.model_dump(include=body.model_fields_set - {"version"})
    for name, value in sent.items():
        if value is None and name in required:
            raise Invalid(f"{required[name]}不能为空；不修改请省略该字段。", field=name)
    return {**current, **sent}


# ---------------------------------------------------------------- the caller


@router.get("/me", summary="当前用户")
def me(principal: CurrentUser, db: Db) -> Me:
    """当前登录用户（或令牌所属用户）、所属单位和全部授权。"""
    with db.reading() as session:
        code = session.scalar(select(Unit.code).where(Unit.id == principal.unit_id)) or ""
    grants = {(g.action, g.scope, tuple(sorted(g.listed_unit_ids))) for g in principal.grants}
    return Me(
        id=principal.user_id,
        username=principal.username,
        full_name=principal.full_name,
        unit=UnitRef(id=principal.unit_id, code=code, name=principal.unit_name),
        grants=[_grant(a, s, list(ids)) for a, s, ids in sorted(grants)],
    )


# ---------------------------------------------------------------- units


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


# ---------------------------------------------------------------- users


@router.get("/users", summary="用户列表")
def users(request: Request, principal: CurrentUser, db: Db, query: Annotated[ListQuery, Query()]) -> Paged[UserItem]:
    """“查看用户”数据范围内的用户；q 按用户名、姓名或单位搜索。筛选、排序、分页与用户管理页面相同。"""
    return _paged(request, db, principal, USERS, query=query, item=UserItem)


@router.get("/users/{user_id}", summary="用户详情")
def user_detail(user_id: PathId, principal: CurrentUser, db: Db) -> UserOut:
    """用户信息和角色（不含密码）。"""
    with db.reading() as session:
        return UserOut.model_validate(get_scoped(session, principal, USER_VIEW, User, user_id))


@router.post("/users", status_code=201, summary="新建用户")
def user_create(body: UserCreate, principal: CurrentUser, db: Db) -> UserOut:
    """需要“管理用户”权限；用户须在您的数据范围内，角色权限不得超过您本人。"""
    with uow_for(db, principal) as uow:
        fields = body.model_dump(exclude={"password"})
        user = service.create_user(uow, principal, **fields, password=body.password.get_secret_value())
        uow.commit()
        return UserOut.model_validate(user)


@router.patch("/users/{user_id}", summary="修改用户")
def user_update(user_id: PathId, body: UserPatch, principal: CurrentUser, db: Db) -> UserOut:
    """需要“管理用户”权限；只修改提交了的字段。版本号过期返回 409。"""
    with uow_for(db, principal) as uow:
        user: User = get_scoped(uow.session, principal, USER_MANAGE, User, user_id)
        current = {"full_name": user.full_name, "unit_id": user.unit_id, "active": user.active}
        current["role_ids"] = [r.id for r in user.roles]
        labels = {"full_name": "姓名", "unit_id": "所属单位", "active": "是否启用", "role_ids": "角色"}
        user = service.update_user(uow, principal, user_id, version=body.version, **_patched(body, current, labels))
        uow.commit()
        return UserOut.model_validate(user)


# ---------------------------------------------------------------- roles


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


# ---------------------------------------------------------------- API tokens


@router.get("/tokens", summary="我的 API 令牌")
def tokens(principal: CurrentUser, db: Db) -> list[TokenOut]:
    """当前用户的全部令牌（不含令牌明文）。"""
    with db.reading() as session:
        rows = session.scalars(select(ApiToken).where(ApiToken.user_id == principal.user_id).order_by(ApiToken.id))
        return [TokenOut.model_validate(t) for t in rows]


@router.post("/tokens", status_code=201, summary="创建 API 令牌")
def token_create(body: TokenCreate, principal: CurrentUser, db: Db) -> NewToken:
    """为当前用户创建令牌；令牌代表该用户调用 API。明文只返回这一次，请妥善保存。"""
    with uow_for(db, principal) as uow:
        row, token = auth.create_api_token(uow, principal.user_id, body.name, body.days)
        uow.commit()
        return NewToken(**TokenOut.model_validate(row).model_dump(), token=token)


@router.delete("/tokens/{token_id}", status_code=204, response_class=Response, summary="吊销 API 令牌")
def token_revoke(token_id: PathId, principal: CurrentUser, db: Db) -> Response:
    """吊销当前用户自己的令牌；之后用它发出的请求返回 401。"""
    with uow_for(db, principal) as uow:
        auth.revoke_api_token(uow, principal, token_id)
        uow.commit()
    return Response(status_code=204)
