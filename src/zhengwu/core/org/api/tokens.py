"""The caller's own API tokens: list, create (the secret is shown once) and revoke."""

from __future__ import annotations

from fastapi import Response
from sqlalchemy import select

from zhengwu.core.org import auth
from zhengwu.core.org.api.common import router
from zhengwu.core.org.api.schemas import NewToken, PathId, TokenCreate, TokenOut
from zhengwu.core.org.tables import ApiToken
from zhengwu.web.deps import Db, uow_for
from zhengwu.web.deps import User as CurrentUser


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
