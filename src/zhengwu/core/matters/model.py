"""Pure domain of matters: workflows as data, time limits, and the traffic light of a deadline.

A kind declares its states (a ``LabelledEnum``), its steps (state × action → state, the grant needed, what the
action requires) and its time limits. Taking an action that the table does not allow raises
:class:`InvalidTransition`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import tzinfo
from typing import Any, Protocol

from zhengwu.core.labels import LabelledEnum


class InvalidTransition(Exception):
    """An action that the workflow does not allow from the matter's current state."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class Priority(LabelledEnum):
    NORMAL = "normal", "一般"
    URGENT = "urgent", "紧急"
    CRITICAL = "critical", "特急"


class Need(LabelledEnum):
    """What an action requires besides the grant."""

    NOTE = "note", "说明"
    ATTACHMENT = "attachment", "附件"


class LimitUnit(LabelledEnum):
    WORKING_DAYS = "working_days", "个工作日"
    WORKING_HOURS = "working_hours", "个工作小时"
    NATURAL_DAYS = "natural_days", "个自然日"


class Light(LabelledEnum):
    """The traffic light of a running deadline, derived at read time."""

    GREEN = "green", "正常"
    YELLOW = "yellow", "即将到期"
    RED = "red", "已逾期"
    DONE = "done", "已完成"
    PAUSED = "paused", "已暂停"


@dataclass(frozen=True)
class Step:
    """One row of a transition table: from any of ``sources`` the action ``code`` leads to ``target``.

    ``grant`` names the core action a principal must hold (over the matter's owner unit) to take it; ``needs``
    lists what must accompany it, and ``fields`` the data fields that must be filled.
    """

    code: str
    label: str
    sources: frozenset[str]
    target: str
    grant: str
    needs: frozenset[Need] = frozenset()
    fields: tuple[str, ...] = ()


@dataclass(frozen=True)
class TimeLimit:
    """A clock that runs while a matter is in one of ``states``, counted from the event ``start``.

    ``start`` is the name of the step whose time starts the clock (e.g. ``"sign"``), or ``"received"`` for the
    matter's receipt. ``main`` marks the limit that is the matter's own deadline (its ``due_at``).
    """

    code: str
    label: str
    amount: int
    unit: LimitUnit
    states: frozenset[str]
    start: str = "received"
    main: bool = False


@dataclass(frozen=True)
class Workflow:
    """States, steps and which states count as resolved or closed.

    >>> wf = Workflow(
    ...     states=("new", "doing", "done"), initial="new",
    ...     steps=(Step("start", "开始", frozenset({"new"}), "doing", "x.start"),
    ...            Step("finish", "办结", frozenset({"doing"}), "done", "x.finish", frozenset({Need.NOTE}))),
    ...     resolved=frozenset({"done"}), closed=frozenset({"done"}))
    >>> wf.step("new", "start").target
    'doing'
    >>> wf.step("new", "finish")
    Traceback (most recent call last):
    ...
    zhengwu.core.matters.model.InvalidTransition: 当前状态“new”下不能执行“办结”。
    """

    states: tuple[str, ...]
    initial: str
    steps: tuple[Step, ...]
    resolved: frozenset[str] = frozenset()
    closed: frozenset[str] = frozenset()
    labels: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        known = set(self.states)
        if self.initial not in known:
            raise ValueError(f"initial state {self.initial!r} is not a state")
        for s in self.steps:
            unknown = (s.sources | {s.target}) - known
            if unknown:
                raise ValueError(f"step {s.code!r} names unknown states {sorted(unknown)}")
        seen: set[tuple[str, str]] = set()
        for s in self.steps:
            for src in s.sources:
                if (src, s.code) in seen:
                    raise ValueError(f"step {s.code!r} is declared twice from {src!r}")
                seen.add((src, s.code))

    def label(self, state: str) -> str:
        return self.labels.get(state, state)

    def step(self, state: str, action: str) -> Step:
        for s in self.steps:
            if s.code == action and state in s.sources:
                return s
        names = {s.code: s.label for s in self.steps}
        raise InvalidTransition(f"当前状态“{self.label(state)}”下不能执行“{names.get(action, action)}”。")

    def available(self, state: str) -> list[Step]:
        return [s for s in self.steps if state in s.sources]

    def is_resolved(self, state: str) -> bool:
        return state in self.resolved

    def is_closed(self, state: str) -> bool:
        return state in self.closed


def workflow_from_enum(
    states: type[LabelledEnum],
    initial: LabelledEnum,
    steps: Iterable[Step],
    resolved: Iterable[LabelledEnum] = (),
    closed: Iterable[LabelledEnum] = (),
) -> Workflow:
    """A workflow whose states are the members of a labelled enum (the usual way a kind declares one)."""
    return Workflow(
        states=tuple(m.value for m in states),
        initial=initial.value,
        steps=tuple(steps),
        resolved=frozenset(m.value for m in resolved),
        closed=frozenset(m.value for m in closed),
        labels={m.value: m.label for m in states},
    )


#: Labels of history entries that are not workflow steps.
EVENT_LABELS = {
    "open": "登记",
    "imported": "导入",
    "extension_requested": "申请延期",
    "extension_approved": "批准延期",
    "extension_refused": "驳回延期",
    "paused": "暂停计时",
    "resumed": "恢复计时",
    "listed": "挂牌督办",
    "supervision_reported": "报送督办进展",
    "supervision_signed_off": "督办销号",
    "notice_due_soon": "到期预警",
    "notice_overdue": "逾期警示",
    "notice_reminder": "到期提醒",
    "notice_urging": "催办通知",
    "notice_criticism": "通报批评",
    "notice_report_due": "进展报送提醒",
}


class StepHandler(Protocol):
    """A kind's own handler of its workflow steps (``KindSpec.act``): the same arguments as the engine's
    ``service.act`` without the kind. ``data`` holds the step's fields as they came, strings from a form or typed
    JSON values, which the handler must parse and check (raising ``Invalid`` naming the field)."""

    def __call__(
        self,
        uow: Any,
        principal: Any,
        matter_id: int,
        action: str,
        *,
        version: int | None,
        note: str,
        data: dict[str, Any],
        tz: tzinfo,
    ) -> Any: ...


@dataclass(frozen=True)
class KindSpec:
    """Everything the engine needs to know of a matter kind.

    Two optional hooks let a kind that has its own pages and use cases keep the generic ones honest: ``act`` replaces
    the engine's ``service.act`` behind the generic act page and API (so a step cannot bypass the kind's own checks),
    and ``detail_url`` names the kind's own page of a matter, to which the generic pages link and redirect.
    """

    code: str  # also the polymorphic identity of its table
    label: str  # e.g. 群众诉求
    prefix: str  # serial prefix, e.g. 诉 → 诉-2024-000123
    workflow: Workflow
    limits: tuple[TimeLimit, ...] = ()
    view_grant: str = ""  # the core action that lets a principal see matters of this kind (scoped by owner unit)
    create_grant: str = ""  # who may open a matter of this kind for an owner unit
    extend_grant: str = ""  # who may approve an extension (requests need only the view grant over the matter)
    pause_grant: str = ""  # who may pause and resume
    #: Optional: given the matter (its ORM row) and a limit about to start, the amount and unit to use instead of the
    #: limit's own, e.g. a time limit that depends on the matter's category. Consulted only when a clock starts.
    limit_for: Callable[[Any, TimeLimit], tuple[int, LimitUnit]] | None = None
    #: Optional: the kind's own step handler; the generic act page and API call it instead of ``service.act``.
    act: StepHandler | None = None
    #: Optional: the URL of the kind's own page of a matter (given its id), instead of ``/matters/{code}/{id}``.
    detail_url: Callable[[int], str] | None = None
    #: A confidential kind (inspection leads) never shows in the engine's general lists, searches, exports, to-do
    #: and supervision ledgers, nor on its generic pages: only the kind's own, audited pages show it.
    confidential: bool = False

    def url_of(self, matter_id: int) -> str:
        """Where a matter of this kind is shown: the kind's own page if it has one, else the generic page.

        >>> spec = KindSpec("k", "测试", "测", Workflow(("a",), "a", ()))
        >>> spec.url_of(7)
        '/matters/k/7'
        >>> KindSpec("k", "测试", "测", Workflow(("a",), "a", ()), detail_url=lambda i: f"/k/{i}").url_of(7)
        '/k/7'
        """
        return self.detail_url(matter_id) if self.detail_url is not None else f"/matters/{self.code}/{matter_id}"

    def action_label(self, code: str) -> str:
        """The Chinese label of a history entry's action.

        >>> KindSpec("k", "测试", "测", Workflow(("a",), "a", ())).action_label("paused")
        '暂停计时'
        """
        for step in self.workflow.steps:
            if step.code == code:
                return step.label
        return EVENT_LABELS.get(code, code)

    def limit(self, code: str) -> TimeLimit:
        for lim in self.limits:
            if lim.code == code:
                return lim
        raise KeyError(code)

    def amount_of(self, matter: Any, limit: TimeLimit) -> tuple[int, LimitUnit]:
        """The amount and unit a starting ``limit`` runs for on ``matter``: the kind's ``limit_for`` if it has one,
        else the limit's own.

        >>> lim = TimeLimit("handle", "办理时限", 5, LimitUnit.WORKING_DAYS, frozenset({"a"}))
        >>> spec = KindSpec("k", "测试", "测", Workflow(("a",), "a", ()), (lim,))
        >>> spec.amount_of(None, lim)
        (5, <LimitUnit.WORKING_DAYS: 'working_days'>)
        """
        if self.limit_for is None:
            return limit.amount, limit.unit
        return self.limit_for(matter, limit)

    def limits_starting(self, event: str, state: str) -> list[TimeLimit]:
        """The limits whose clock starts with ``event`` when the matter enters ``state``."""
        return [lim for lim in self.limits if lim.start == event and state in lim.states]
