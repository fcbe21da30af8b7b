"""JSON API of the audit log under ``/api/v1/audit``: verify the hash chain, as the audit page does."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, Field

from zhengwu.core.audit.service import verify
from zhengwu.core.errors import Forbidden
from zhengwu.core.org.model import AUDIT_VIEW
from zhengwu.web.deps import Db, User
from zhengwu.web.problems import PROBLEMS

router = APIRouter(prefix="/api/v1/audit", tags=["审计日志"], responses=PROBLEMS)


class VerifyResult(BaseModel):
    ok: bool = Field(description="整条哈希链完好")
    checked: int = Field(description="校验通过的记录数")
    broken_entry: int | None = Field(description="第一条未通过校验的记录序号；完好时为 null")
    reason: str | None = Field(description="未通过的原因（被篡改、删除、调换顺序或截断）；完好时为 null")


@router.get("/verify", summary="校验审计日志")
def audit_verify(principal: User, db: Db) -> VerifyResult:
    """从第一条记录起逐条校验哈希链，报告第一处断裂。需要“全部”数据范围的“查看审计日志”权限。"""
    scope = principal.scope(AUDIT_VIEW)
    if scope is None or not scope.all:
        raise Forbidden("查看审计日志需要“全部”数据范围的“查看审计日志”权限。")
    with db.reading() as session:
        result = verify(session)
    broken = result.broken
    return VerifyResult(
        ok=broken is None,
        checked=result.checked,
        broken_entry=broken.entry_id if broken else None,
        reason=broken.reason if broken else None,
    )
