"""Users through the API: the scoped list, details (never the password), creation and partial edits."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query, Request

from zhengwu.core.org import service
from zhengwu.core.org.access import get_scoped
from zhengwu.core.org.api.common import _paged, _patched, router
from zhengwu.core.org.api.schemas import ListQuery, Paged, PathId, UserCreate, UserItem, UserOut, UserPatch
from zhengwu.core.org.lists import USERS
from zhengwu.core.org.model import USER_MANAGE, USER_VIEW
from zhengwu.core.org.tables import User
from zhengwu.web.deps import Db, uow_for
from zhengwu.web.deps import User as CurrentUser


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
