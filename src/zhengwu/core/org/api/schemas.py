"""Pydantic schemas of the org API: request bodies refuse unknown fields, responses never carry a password hash."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Generic, TypeVar

from fastapi import Path
from pydantic import BaseModel, ConfigDict, Field, SecretStr, computed_field

from zhengwu.core.org.model import ACTIONS, Scope, UnitKind

T = TypeVar("T")
MAX_ID = 2_147_483_647

#: Text without NUL characters (PostgreSQL cannot store them).
Text = Annotated[str, Field(pattern=r"^[^\x00]*$")]
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
PathId = Annotated[int, Path(ge=1, le=MAX_ID, description="记录 ID")]
VERSION = "读取时的版本号（version）；记录已被他人修改则返回 409"
KIND_HELP = "单位类型，编码或中文名称均可：" + "、".join(f"{k.value}（{k.label}）" for k in UnitKind)


class Input(BaseModel):
    """A request body: unknown fields are refused, so a misspelt field is not silently ignored, and values are
    taken strictly (``true`` is not the version 1, ``"5"`` is not the number 5)."""

    model_config = ConfigDict(extra="forbid", strict=True)


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
