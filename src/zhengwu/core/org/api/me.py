"""The caller: who is logged in (or owns the token), their unit and every grant they hold."""

from __future__ import annotations

from sqlalchemy import select

from zhengwu.core.org.api.common import _grant, router
from zhengwu.core.org.api.schemas import Me, UnitRef
from zhengwu.core.org.tables import Unit
from zhengwu.web.deps import Db
from zhengwu.web.deps import User as CurrentUser


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
