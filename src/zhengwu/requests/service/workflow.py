"""The hotline steps of a request, each a thin layer over the engine's ``act`` that checks what the step needs:
accept or decline (with a reason from the 不予受理 list), dispatch to a unit, send back once, sign for, report
progress, resolve (result, difficulties solved) and call back (satisfied → closed; unsatisfied through the unit's
fault → reopened).

``act`` is the request kind's step handler (``KindSpec.act``): the generic act page and API go through it, so a
step taken there gets the same checks as here. It parses the step's ``data`` — strings from a form or typed JSON
values — and names the field of anything it cannot use.
"""

from __future__ import annotations

from datetime import tzinfo
from typing import Any

from zhengwu.core.db import UnitOfWork
from zhengwu.core.errors import Invalid
from zhengwu.core.matters import service as matters
from zhengwu.core.matters.service import DEFAULT_TZ
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
    tz: tzinfo = DEFAULT_TZ,
) -> RequestMatter:
    matter = matters.act(uow, principal, KIND, request_id, action, version=version, note=note, data=data, tz=tz)
    assert isinstance(matter, RequestMatter)
    return matter


def accept(
    uow: UnitOfWork, principal: Principal | None, request_id: int, *, version: int | None = None, note: str = ""
) -> RequestMatter:
    return _act(uow, principal, request_id, "accept", version=version, note=note)


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
    tz: tzinfo = DEFAULT_TZ,
) -> RequestMatter:
    """派单: the request becomes the unit's; it must lie within the dispatcher's scope."""
    unit = uow.session.get(Unit, unit_id)
    if unit is None or not unit.active:
        raise Invalid("承办单位不存在或已停用。", field="unit_id")
    matter = _act(
        uow, principal, request_id, "dispatch", version=version, note=note, data={"owner_unit_id": unit_id}, tz=tz
    )
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


def sign(
    uow: UnitOfWork,
    principal: Principal | None,
    request_id: int,
    *,
    version: int | None = None,
    note: str = "",
    tz: tzinfo = DEFAULT_TZ,
) -> RequestMatter:
    """签收: the handling clock starts."""
    return _act(uow, principal, request_id, "sign", version=version, note=note, tz=tz)


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
    tz: tzinfo = DEFAULT_TZ,
) -> RequestMatter:
    """回访: record whether the citizen says it was solved and is satisfied. Unsatisfied through the unit's fault
    reopens the request (a note is required, and the handling limit runs again); otherwise it is closed."""
    reopen = not satisfied and unit_at_fault
    data = {"callback_solved": solved, "callback_satisfied": satisfied, "unit_at_fault": unit_at_fault}
    action = "reopen" if reopen else "close"
    matter = _act(uow, principal, request_id, action, version=version, note=note, data=data, tz=tz)
    matter.callback_solved, matter.callback_satisfied = solved, satisfied
    uow.flush()
    return matter


# ------------------------------------------------------------------------------ the kind's step handler

TRUE = frozenset({"1", "on", "true", "yes", "是"})
FALSE = frozenset({"", "0", "off", "false", "no", "否"})
#: The data fields each action takes (by the names of the generic form's ``field__…`` inputs and the API's ``data``).
FIELDS: dict[str, frozenset[str]] = {
    "accept": frozenset(),
    "decline": frozenset({"decline_reason"}),
    "dispatch": frozenset({"owner_unit_id", "unit_id"}),
    "send_back": frozenset({"send_back_reason"}),
    "sign": frozenset(),
    "progress": frozenset(),
    "resolve": frozenset({"result", "difficulties_solved"}),
    "call_back": frozenset({"solved", "satisfied", "unit_at_fault"}),
    "close": frozenset({"solved", "satisfied", "unit_at_fault"}),
    "reopen": frozenset({"solved", "satisfied", "unit_at_fault"}),
}
LABELS = {
    "decline_reason": "不予受理理由",
    "owner_unit_id": "承办单位",
    "unit_id": "承办单位",
    "send_back_reason": "退回理由",
    "result": "办理结果",
    "difficulties_solved": "解决困难数",
    "solved": "是否解决",
    "satisfied": "是否满意",
    "unit_at_fault": "是否承办单位责任",
}


def as_bool(value: Any, field: str) -> bool:
    """A yes/no field from a form (``"on"``, ``"1"``, absent) or JSON (``true``).

    >>> as_bool("on", "solved"), as_bool(None, "solved"), as_bool(False, "solved"), as_bool(" 是 ", "solved")
    (True, False, False, True)
    >>> as_bool("maybe", "satisfied")
    Traceback (most recent call last):
    ...
    zhengwu.core.errors.Invalid: 是否满意应为“是”或“否”。
    """
    if value is None or isinstance(value, bool):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in TRUE | FALSE:
        return value.strip().lower() in TRUE
    raise Invalid(f"{LABELS.get(field, field)}应为“是”或“否”。", field=field)


def as_int(value: Any, field: str) -> int | None:
    """A whole number from a form (``"12"``, empty → None) or JSON (``12``); a JSON ``true`` is not a number.

    >>> as_int("12", "unit_id"), as_int(12, "unit_id"), as_int(" ", "unit_id")
    (12, 12, None)
    >>> as_int("3.5", "difficulties_solved")
    Traceback (most recent call last):
    ...
    zhengwu.core.errors.Invalid: 解决困难数应为整数。
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit() and len(value.strip()) <= 12:
        return int(value.strip())
    raise Invalid(f"{LABELS.get(field, field)}应为整数。", field=field)


def as_text(value: Any, field: str) -> str:
    """A text field: a string (None → empty).

    >>> as_text(" 已修补 ", "result"), as_text(None, "result")
    (' 已修补 ', '')
    >>> as_text(["x"], "result")
    Traceback (most recent call last):
    ...
    zhengwu.core.errors.Invalid: 办理结果应为文字。
    """
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    raise Invalid(f"{LABELS.get(field, field)}应为文字。", field=field)


def act(
    uow: UnitOfWork,
    principal: Principal | None,
    request_id: int,
    action: str,
    *,
    version: int | None = None,
    note: str = "",
    data: dict[str, Any] | None = None,
    tz: tzinfo = DEFAULT_TZ,
) -> RequestMatter:
    """Take a hotline step named by its code, with its fields in ``data`` — the request kind's ``KindSpec.act``.

    Besides the workflow's step codes it takes ``call_back`` (closes or reopens by the answers); ``close`` and
    ``reopen`` are call-backs whose answers must lead there. A field the step does not take is refused, and so is
    one that cannot be read (a number that is not one, a yes/no that is neither).
    """
    fields = dict(data or {})
    if action not in FIELDS:
        known = "、".join(FIELDS)
        raise Invalid(f"未知的办理动作“{action}”，可选：{known}。", field="action")
    for name in fields:
        if name not in FIELDS[action]:
            label = KIND.spec.action_label(action) if action != "call_back" else "回访"
            raise Invalid(f"“{label}”不接受字段“{name}”。", field=name)
    common: dict[str, Any] = {"version": version}
    if action == "accept":
        return accept(uow, principal, request_id, note=note, **common)
    if action == "decline":
        reason = as_text(fields.get("decline_reason"), "decline_reason")
        return decline(uow, principal, request_id, reason=reason.strip(), note=note, **common)
    if action == "dispatch":
        key = "unit_id" if "unit_id" in fields else "owner_unit_id"
        unit_id = as_int(fields.get(key), key)
        if unit_id is None:
            raise Invalid("请选择承办单位。", field=key)
        return dispatch(uow, principal, request_id, unit_id=unit_id, note=note, tz=tz, **common)
    if action == "send_back":
        reason = as_text(fields.get("send_back_reason"), "send_back_reason").strip() or note
        return send_back(uow, principal, request_id, reason=reason, **common)
    if action == "sign":
        return sign(uow, principal, request_id, note=note, tz=tz, **common)
    if action == "progress":
        return progress(uow, principal, request_id, note=note, **common)
    if action == "resolve":
        result = as_text(fields.get("result"), "result").strip() or note
        difficulties = as_int(fields.get("difficulties_solved"), "difficulties_solved") or 0
        return resolve(uow, principal, request_id, result=result, difficulties_solved=difficulties, **common)
    return _call_back(uow, principal, request_id, action, fields, note=note, tz=tz, **common)


def _call_back(
    uow: UnitOfWork,
    principal: Principal | None,
    request_id: int,
    action: str,
    fields: dict[str, Any],
    *,
    version: int | None,
    note: str,
    tz: tzinfo,
) -> RequestMatter:
    defaults = {"satisfied": False, "unit_at_fault": True} if action == "reopen" else {}
    answers = {name: as_bool(fields.get(name, defaults.get(name)), name) for name in FIELDS["call_back"]}
    reopens = not answers["satisfied"] and answers["unit_at_fault"]
    if action == "close" and reopens:
        raise Invalid("群众不满意且属承办单位责任的，应当重办，不能归档。", field="unit_at_fault")
    if action == "reopen" and not reopens:
        raise Invalid("只有群众不满意且属承办单位责任的，才能退回重办。", field="satisfied")
    return call_back(uow, principal, request_id, note=note, version=version, tz=tz, **answers)
