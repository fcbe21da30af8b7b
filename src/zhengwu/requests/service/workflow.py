"""The hotline steps of a request, each a thin layer over the engine's ``act`` that checks what the step needs:
accept or decline (with a reason from the 不予受理 list), dispatch to a unit, send back once, sign for, report
progress, resolve (result, difficulties solved) and call back (satisfied → closed; unsatisfied through the unit's
fault → reopened)."""

from __future__ import annotations

from typing import Any

from zhengwu.core.db import UnitOfWork
from zhengwu.core.errors import Invalid
from zhengwu.core.matters import service as matters
from zhengwu.core.org.access import check_write
from zhengwu.core.org.model import Principal
from zhengwu.core.org.tables import Unit
from zhengwu.requests.kinds import KIND
from zhengwu.requests.model import DISPATCH, MAX_SEND_BACKS, DeclineReason, State
from zhengwu.requests.tables import RequestMatter

MAX_DIFFICULTIES = 10_000


def _act(
    uow: UnitOfWork,
    principal: Principal | None,
    request_id: int,
    action: str,
    *,
    version: int | None = None,
    note: str = "",
    data: dict[str, Any] | None = None,
) -> RequestMatter:
    matter = matters.act(uow, principal, KIND, request_id, action, version=version, note=note, data=data)
    assert isinstance(matter, RequestMatter)
    return matter


def accept(
    uow: UnitOfWork, principal: Principal | None, request_id: int, *, version: int | None = None
) -> RequestMatter:
    return _act(uow, principal, request_id, "accept", version=version)


def decline(
    uow: UnitOfWork,
    principal: Principal | None,
    request_id: int,
    *,
    reason: DeclineReason | str,
    note: str,
    version: int | None = None,
) -> RequestMatter:
    """不予受理: a reason from the list and an explanation for the citizen are both required."""
    found = next((r for r in DeclineReason if reason in (r, r.value, r.label)), None)
    if found is None:
        raise Invalid(f"请选择不予受理的理由：{'、'.join(r.label for r in DeclineReason)}。", field="decline_reason")
    return _act(uow, principal, request_id, "decline", version=version, note=note, data={"decline_reason": found})


def dispatch(
    uow: UnitOfWork,
    principal: Principal | None,
    request_id: int,
    *,
    unit_id: int,
    note: str = "",
    version: int | None = None,
) -> RequestMatter:
    """派单: the request becomes the unit's; it must lie within the dispatcher's scope."""
    unit = uow.session.get(Unit, unit_id)
    if unit is None or not unit.active:
        raise Invalid("承办单位不存在或已停用。", field="unit_id")
    matter = _act(uow, principal, request_id, "dispatch", version=version, note=note, data={"owner_unit_id": unit_id})
    uow.flush()
    check_write(uow.session, principal, DISPATCH, matter)  # cannot dispatch out of one's own scope
    return matter


def send_back(
    uow: UnitOfWork, principal: Principal | None, request_id: int, *, reason: str, version: int | None = None
) -> RequestMatter:
    """退回: the unit returns a request it should not handle, once; it goes back to the intake unit's dispatcher."""
    matter = matters.load(uow.session, principal, KIND, request_id)
    assert isinstance(matter, RequestMatter)
    if matter.status == State.DISPATCHED and matter.send_back_count >= MAX_SEND_BACKS:
        raise Invalid(
            "该诉求已退回过一次，不能再次退回；请签收办理，确需调整的请与派单人员协商。", field="send_back_reason"
        )
    matter = _act(
        uow, principal, request_id, "send_back", version=version, note=reason, data={"send_back_reason": reason.strip()}
    )
    matter.send_back_count += 1
    matter.owner_unit_id = matter.intake_unit_id
    uow.flush()
    return matter


def sign(uow: UnitOfWork, principal: Principal | None, request_id: int, *, version: int | None = None) -> RequestMatter:
    """签收: the handling clock starts."""
    return _act(uow, principal, request_id, "sign", version=version)


def progress(
    uow: UnitOfWork, principal: Principal | None, request_id: int, *, note: str, version: int | None = None
) -> RequestMatter:
    return _act(uow, principal, request_id, "progress", version=version, note=note)


def resolve(
    uow: UnitOfWork,
    principal: Principal | None,
    request_id: int,
    *,
    result: str,
    difficulties_solved: int = 0,
    version: int | None = None,
) -> RequestMatter:
    """办结: the result (told to the citizen) and how many difficulties it solved."""
    if not isinstance(difficulties_solved, int) or not 0 <= difficulties_solved <= MAX_DIFFICULTIES:
        raise Invalid(f"解决困难数应为 0 到 {MAX_DIFFICULTIES} 的整数。", field="difficulties_solved")
    matter = _act(
        uow,
        principal,
        request_id,
        "resolve",
        version=version,
        note=result,
        data={"result": result.strip(), "difficulties_solved": difficulties_solved},
    )
    matter.difficulties_solved = difficulties_solved
    uow.flush()
    return matter


def call_back(
    uow: UnitOfWork,
    principal: Principal | None,
    request_id: int,
    *,
    solved: bool,
    satisfied: bool,
    unit_at_fault: bool = False,
    note: str = "",
    version: int | None = None,
) -> RequestMatter:
    """回访: record whether the citizen says it was solved and is satisfied. Unsatisfied through the unit's fault
    reopens the request (a note is required, and the handling limit runs again); otherwise it is closed."""
    reopen = not satisfied and unit_at_fault
    data = {"callback_solved": solved, "callback_satisfied": satisfied, "unit_at_fault": unit_at_fault}
    action = "reopen" if reopen else "close"
    matter = _act(uow, principal, request_id, action, version=version, note=note, data=data)
    matter.callback_solved, matter.callback_satisfied = solved, satisfied
    uow.flush()
    return matter
