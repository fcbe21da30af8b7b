"""The hotline steps of a request as typed JSON endpoints, one per step, under ``/api/v1/requests/{id}``:
``accept``, ``decline``, ``dispatch``, ``send-back``, ``sign``, ``progress``, ``resolve`` and ``call-back``, plus
``GET …/history``.

Each body is strict (no unknown fields, no type coercion) and carries the ``version`` read with the request; a stale
one is refused with 409. Each step calls its hotline service (``requests.service.workflow``), so it gets the same
checks as the pages; the answer is the request as it now stands, the reporter masked, with its new ``version``.
Extensions, pauses and supervision listings are the generic ``/api/v1/matters/request/{id}/…`` endpoints.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Path
from pydantic import BaseModel, ConfigDict, Field

from zhengwu.core.errors import Forbidden
from zhengwu.core.matters import service as matters
from zhengwu.core.matters.api import EventOut, history_out
from zhengwu.requests.api.intake import RequestOut
from zhengwu.requests.api.intake import _out as request_out
from zhengwu.requests.kinds import KIND
from zhengwu.requests.model import VIEW
from zhengwu.requests.service import workflow
from zhengwu.requests.tables import RequestCategory, RequestMatter
from zhengwu.web.deps import Db, User, uow_for
from zhengwu.web.problems import PROBLEMS

router = APIRouter(prefix="/api/v1/requests", tags=["群众诉求"], responses=PROBLEMS)
MAX_ID = 2_147_483_647
PathId = Annotated[int, Path(ge=1, le=MAX_ID, description="诉求 ID")]
Text = Annotated[str, Field(pattern=r"^[^\x00]*$")]
Version = Annotated[int, Field(ge=1, le=MAX_ID, description="读取时的版本号")]


class StepIn(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    version: Version


class NoteIn(StepIn):
    note: Text = Field("", max_length=20000, description="说明（可不填）")


class DeclineIn(StepIn):
    reason: Text = Field(max_length=64, description="不予受理理由：out_of_scope / false_identity / duplicate / …")
    note: Text = Field(max_length=20000, description="向群众的说明（必填）")


class DispatchIn(StepIn):
    unit_id: int = Field(ge=1, le=MAX_ID, description="承办单位 ID（须在派单人员的范围内）")
    note: Text = Field("", max_length=20000)


class SendBackIn(StepIn):
    reason: Text = Field(max_length=20000, description="退回理由（只能退回一次）")


class ProgressIn(StepIn):
    note: Text = Field(max_length=20000, description="办理进展")


class ResolveIn(StepIn):
    result: Text = Field(max_length=20000, description="办理结果（答复群众）")
    difficulties_solved: int = Field(0, ge=0, le=workflow.MAX_DIFFICULTIES, description="解决困难数")


class CallBackIn(StepIn):
    solved: bool = Field(description="问题是否解决")
    satisfied: bool = Field(description="群众是否满意")
    unit_at_fault: bool = Field(False, description="不满意是否属承办单位责任（是则退回重办）")
    note: Text = Field("", max_length=20000, description="回访说明；退回重办时必填")


class RequestState(RequestOut):
    """The request after a step: its fields (reporter masked) and where the hotline stands."""

    version: int
    owner_unit_id: int
    due_at: datetime | None
    decline_reason: str | None
    send_back_count: int
    send_back_reason: str | None
    result: str | None
    difficulties_solved: int | None
    callback_solved: bool | None
    callback_satisfied: bool | None


def _state(session: Any, found: RequestMatter) -> RequestState:
    base = request_out(found, session.get(RequestCategory, found.category_id))
    return RequestState(
        **base.model_dump(),
        version=found.version,
        owner_unit_id=found.owner_unit_id,
        due_at=found.due_at,
        decline_reason=found.decline_reason.value if found.decline_reason else None,
        send_back_count=found.send_back_count,
        send_back_reason=found.send_back_reason,
        result=found.result,
        difficulties_solved=found.difficulties_solved,
        callback_solved=found.callback_solved,
        callback_satisfied=found.callback_satisfied,
    )


def _take(db: Any, principal: Any, request_id: int, step: Callable[..., Any], **kw: Any) -> RequestState:
    """Take the step and answer with the request as the step left it — read inside the same transaction, because
    a step may move the request out of the caller's sight (a send-back returns it to the intake unit)."""
    if not principal.has(VIEW):
        raise Forbidden("您没有办理群众诉求的权限。")
    with uow_for(db, principal) as uow:
        found = step(uow, principal, request_id, **kw)
        uow.flush()
        out = _state(uow.session, found)
        uow.commit()
    return out


@router.post("/{request_id}/accept", summary="受理")
def accept(request_id: PathId, body: NoteIn, principal: User, db: Db) -> RequestState:
    return _take(db, principal, request_id, workflow.accept, version=body.version, note=body.note)


@router.post("/{request_id}/decline", summary="不予受理（须选理由并说明）")
def decline(request_id: PathId, body: DeclineIn, principal: User, db: Db) -> RequestState:
    return _take(db, principal, request_id, workflow.decline, version=body.version, reason=body.reason, note=body.note)


@router.post("/{request_id}/dispatch", summary="派单")
def dispatch(request_id: PathId, body: DispatchIn, principal: User, db: Db) -> RequestState:
    return _take(
        db, principal, request_id, workflow.dispatch, version=body.version, unit_id=body.unit_id, note=body.note
    )


@router.post("/{request_id}/send-back", summary="退回（只能一次）")
def send_back(request_id: PathId, body: SendBackIn, principal: User, db: Db) -> RequestState:
    return _take(db, principal, request_id, workflow.send_back, version=body.version, reason=body.reason)


@router.post("/{request_id}/sign", summary="签收（开始计算办理时限）")
def sign(request_id: PathId, body: NoteIn, principal: User, db: Db) -> RequestState:
    return _take(db, principal, request_id, workflow.sign, version=body.version, note=body.note)


@router.post("/{request_id}/progress", summary="报送办理进展")
def progress(request_id: PathId, body: ProgressIn, principal: User, db: Db) -> RequestState:
    return _take(db, principal, request_id, workflow.progress, version=body.version, note=body.note)


@router.post("/{request_id}/resolve", summary="办结")
def resolve(request_id: PathId, body: ResolveIn, principal: User, db: Db) -> RequestState:
    return _take(
        db,
        principal,
        request_id,
        workflow.resolve,
        version=body.version,
        result=body.result,
        difficulties_solved=body.difficulties_solved,
    )


@router.post("/{request_id}/call-back", summary="回访（不满意且属承办单位责任则重办，否则归档）")
def call_back(request_id: PathId, body: CallBackIn, principal: User, db: Db) -> RequestState:
    return _take(
        db,
        principal,
        request_id,
        workflow.call_back,
        version=body.version,
        solved=body.solved,
        satisfied=body.satisfied,
        unit_at_fault=body.unit_at_fault,
        note=body.note,
    )


@router.get("/{request_id}/history", summary="办理记录")
def history(request_id: PathId, principal: User, db: Db) -> list[EventOut]:
    if not principal.has(VIEW):
        raise Forbidden("您没有查看群众诉求的权限。")
    with db.reading() as session:
        found = matters.load(session, principal, KIND, request_id)
        return history_out(session, KIND.spec, found)
