"""The escalation ladder of a supervision listing (pure): its steps as data, their JSON form, and the working-day
rules that date them and the progress reports.

Default (issue #3): a reminder 1 working day before the listing's deadline, an urging notice (催办通知) on the first
working day after it, a circulated criticism (通报批评) on the 5th working day after it. Each listing stores its own
ladder as JSON, so each step can be moved, renamed, dropped or repeated (two reminders, say).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from zhengwu.core.calendar.model import WorkingCalendar
from zhengwu.core.errors import Invalid
from zhengwu.core.labels import LabelledEnum

MAX_STEPS = 10
EARLIEST, LATEST = -30, 60  # a step lies at most 30 working days before or 60 after the deadline


class StepCode(LabelledEnum):
    REMINDER = "reminder", "到期提醒"
    URGING = "urging", "催办通知"
    CRITICISM = "criticism", "通报批评"


@dataclass(frozen=True)
class EscalationStep:
    """One rung of the ladder. ``when`` counts working days from the listing's deadline date: negative before it
    (a reminder), 0 on it, positive after it (1 = the first working day after the deadline). A step is due from
    the start (00:00 local) of its day."""

    code: StepCode
    label: str
    when: int


def default_ladder(remind_before: int = 1, criticise_after: int = 5) -> tuple[EscalationStep, ...]:
    """The issue's ladder: a reminder ``remind_before`` working days before the deadline, an urging notice on the
    first working day after it, a circulated criticism on the ``criticise_after``-th working day after it.

    >>> [(s.code.value, s.when) for s in default_ladder()]
    [('reminder', -1), ('urging', 1), ('criticism', 5)]
    """
    return (
        EscalationStep(StepCode.REMINDER, StepCode.REMINDER.label, -remind_before),
        EscalationStep(StepCode.URGING, StepCode.URGING.label, 1),
        EscalationStep(StepCode.CRITICISM, StepCode.CRITICISM.label, criticise_after),
    )


def working_days_before(cal: WorkingCalendar, day: date, n: int) -> date:
    """The n-th working day before ``day`` (``day`` itself not counted; n = 0 gives ``day``).

    >>> cal = WorkingCalendar.builtin()
    >>> working_days_before(cal, date(2024, 9, 30), 1)   # Sunday 29 September 2024 was worked (调休)
    datetime.date(2024, 9, 29)
    >>> working_days_before(cal, date(2024, 10, 8), 1)   # back over the National Day holiday
    datetime.date(2024, 9, 30)
    """
    while n > 0:
        day -= timedelta(days=1)
        if cal.is_working_day(day):
            n -= 1
    return day


def step_day(cal: WorkingCalendar, deadline_day: date, when: int) -> date:
    """The day a step falls on, for a listing due at the end of ``deadline_day``.

    >>> cal = WorkingCalendar.builtin()   # National Day 2024: 国办发明电〔2023〕7号
    >>> [step_day(cal, date(2024, 9, 30), s.when).isoformat() for s in default_ladder()]
    ['2024-09-29', '2024-10-08', '2024-10-12']
    >>> step_day(cal, date(2024, 10, 5), 1)   # a deadline in the holiday: urged on the first day back
    datetime.date(2024, 10, 8)
    """
    if when >= 0:
        return cal.add_working_days(deadline_day, when)
    return working_days_before(cal, deadline_day, -when)


def reporting_days(cal: WorkingCalendar, anchor: date, every: int, today: date) -> tuple[list[date], date]:
    """Progress reports are due by the end of every ``every``-th working day after ``anchor`` (the day of the
    listing or of the last report). Returns the reporting days already over before ``today`` (missed, since no
    report came after ``anchor``) and the next one (today or later).

    >>> cal = WorkingCalendar.builtin()
    >>> missed, upcoming = reporting_days(cal, date(2024, 9, 27), 2, date(2024, 10, 8))
    >>> [d.isoformat() for d in missed], upcoming.isoformat()
    (['2024-09-30'], '2024-10-09')
    """
    missed: list[date] = []
    day = cal.add_working_days(anchor, every)
    while day < today:
        missed.append(day)
        day = cal.add_working_days(day, every)
    return missed, day


def _bad(i: int, message: str) -> Invalid:
    return Invalid(f"督办升级规则第 {i} 步：{message}", field="ladder")


def _parse_step(i: int, item: Any) -> EscalationStep:
    if not isinstance(item, dict):
        raise _bad(i, "应为含 code（类型）与 when（工作日数）的对象。")
    unknown = sorted(set(item) - {"code", "label", "when"})
    if unknown:
        raise _bad(i, f"含未知项“{'、'.join(map(str, unknown))}”，只能有 code、label、when。")
    raw = item.get("code")
    if not isinstance(raw, str) or raw not in StepCode.__members__.values():
        names = "、".join(f"{c.value}（{c.label}）" for c in StepCode)
        raise _bad(i, f"类型（code）“{raw}”无效，应为 {names}。")
    code = StepCode(raw)
    when = item.get("when")
    if not isinstance(when, int) or isinstance(when, bool):
        raise _bad(i, "工作日数（when）应为整数。")
    if not EARLIEST <= when <= LATEST:
        raise _bad(i, f"工作日数（when）应在 {EARLIEST} 到 {LATEST} 之间。")
    if code is StepCode.REMINDER and when > 0:
        raise _bad(i, "到期提醒应在期限当日或之前（when 不大于 0）。")
    if code is not StepCode.REMINDER and when < 1:
        raise _bad(i, f"{code.label}应在期限之后（when 不小于 1）。")
    label = item.get("label", code.label)
    if not isinstance(label, str) or not label.strip() or len(label.strip()) > 32:
        raise _bad(i, "名称（label）应为 1 到 32 个字。")
    return EscalationStep(code, label.strip(), when)


def parse_ladder(text: str) -> tuple[EscalationStep, ...]:
    """The ladder stored as JSON (``[{"code": "reminder", "label": "到期提醒", "when": -1}, …]``), validated and
    ordered by day; an empty list means no escalation. Errors are ``Invalid`` on the field ``ladder``.

    >>> [s.when for s in parse_ladder('[{"code": "urging", "when": 2}, {"code": "reminder", "when": -3}]')]
    [-3, 2]
    >>> parse_ladder('[{"code": "urging", "when": 0}]')
    Traceback (most recent call last):
    ...
    zhengwu.core.errors.Invalid: 督办升级规则第 1 步：催办通知应在期限之后（when 不小于 1）。
    """
    try:
        items = json.loads(text)
    except (TypeError, ValueError):
        raise Invalid("督办升级规则不是有效的 JSON。", field="ladder") from None
    if not isinstance(items, list):
        raise Invalid("督办升级规则应为步骤列表。", field="ladder")
    if len(items) > MAX_STEPS:
        raise Invalid(f"督办升级规则最多 {MAX_STEPS} 步。", field="ladder")
    steps = [_parse_step(i, item) for i, item in enumerate(items, 1)]
    seen: set[tuple[StepCode, int]] = set()
    for i, s in enumerate(steps, 1):
        if (s.code, s.when) in seen:
            raise _bad(i, f"与前面的步骤重复（{s.code.label}，{s.when} 个工作日）。")
        seen.add((s.code, s.when))
    return tuple(sorted(steps, key=lambda s: (s.when, s.code.value)))


def ladder_json(steps: Sequence[EscalationStep]) -> str:
    """The JSON a ladder is stored as (``parse_ladder`` reads it back)."""
    return json.dumps([{"code": s.code.value, "label": s.label, "when": s.when} for s in steps], ensure_ascii=False)
