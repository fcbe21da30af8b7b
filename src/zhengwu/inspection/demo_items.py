"""The inspection demo's rectification items (see ``zhengwu.inspection.demo``): every fed-back finding of rounds 1 to
5 (those whose rectification stage began in the year) gets one to three rectification items (整改事项) — child
matters of the finding, due on its report due date — and the items' ledger (整改台账) is registered through the
engine's bulk import, as the findings are:

* a finding the team closes has every item signed off (销号) before: its items are imported on the day it closes,
  just before the close (one import per day, with the other findings closing that day);
* the rest are lagging at the demo's end: some of their items signed off, the others still rectifying — most of
  them sent back in December for re-rectification (30 days from the send-back: not yet due), a few never
  submitted and past their due date (逾期) — imported on 31 December as the ledger stands.

A signed-off item carries its evidence (佐证材料) and the two approvals of its cycle (``ItemApproval``): the
organisation's head — the demo's ``cs_fr_head``, its one principal of an inspected organisation (the demo seeds no
user for each of the 184) — and the supervising leader ``cs_supervisor``; one in ten was sent back once before
(cycle 1). The import sets neither the parent, the evidence nor the approvals: they are written in bulk after it,
as the findings' paper approvals are. The draws come from a ``random.Random`` of their own, so the rest of the story
draws what it drew before items existed.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import Table, bindparam, insert, select, update
from sqlalchemy.orm import Session

from zhengwu.core.calendar.service import load_calendar
from zhengwu.core.matters.deadlines import due_at
from zhengwu.core.matters.imports.service import import_matters
from zhengwu.core.matters.imports.sheets import Sheet
from zhengwu.core.matters.model import LimitUnit
from zhengwu.core.matters.tables import Matter, MatterImportKey
from zhengwu.core.org.model import Grant, Principal, Scope
from zhengwu.inspection.demo import SEED, TZ, YEAR, YEAR_END, Story, at, weekday
from zhengwu.inspection.demo_story import _pdf, step
from zhengwu.inspection.kinds import FINDING, ITEM
from zhengwu.inspection.model import RECTIFY, Stage, rectification_due
from zhengwu.inspection.model.workflows import RERECTIFY_DAYS, Approver, ItemState
from zhengwu.inspection.tables import ItemApproval, ItemEvidence

if TYPE_CHECKING:
    from zhengwu.inspection.demo_spread import _Finding

ITEM_SEED = SEED * 100 + 1
END = YEAR_END.astimezone(TZ).date()
#: Items per finding, and their weights.
PER_FINDING, WEIGHTS = (1, 2, 3), (5, 3, 2)
#: Rounds still rectifying at the demo's end: the share of their findings whose items are all signed off (closed).
CLOSING = {2: 0.75, 4: 0.55, 5: 0.3}
#: A lagging finding's item: signed off; otherwise sent back in December (else never submitted: overdue).
LAGGING_SIGNED, RESUBMITTING = 0.4, 0.8
SENT_BACK_BEFORE = 0.1  # a signed-off item sent back once before (approved in cycle 1)
SENT_BACK_DAYS = (date(YEAR, 12, 9), date(YEAR, 12, 27))
MEASURES = (
    ("限期整改到位", "针对“{t}”问题，逐项查摆原因，明确责任人和完成时限，限期整改到位。"),
    ("健全制度机制", "围绕“{t}”问题修订完善相关制度，堵塞管理漏洞，建立长效机制。"),
    ("举一反三专项检查", "针对“{t}”问题开展专项检查，举一反三，防止问题反弹。"),
)
HEADER = [
    "key", "title", "body", "owner_unit", "received_at", "status", "resolved_at", "closed_at", "due_at",
    "finding_id", "measure", "responsible", "due_on", "cycle", "completed_on",
]  # fmt: skip


@dataclass
class _Item:
    key: str
    finding: _Finding
    measure: int
    cycle: int = 0
    signed_on: date | None = None  # the day of its second approval (销号); None: not signed off
    first: Approver = Approver.HEAD  # who approved first, and when
    first_on: date | None = None
    submitted_on: date | None = None  # its evidence (佐证材料) of the cycle signed off
    sent_back: datetime | None = None  # still rectifying after a send-back at this instant


def rectification(story: Story, fed_back: Sequence[_Finding]) -> None:
    """Schedule each fed-back finding's rectification plan, its items' imports and, when they are all signed off,
    its close. ``started`` is set on every finding, ``closed`` on those of rounds 1 and 3 that close."""
    rng = random.Random(ITEM_SEED)
    closing: dict[date, list[_Item]] = {}
    lagging: list[_Item] = []
    for f in fed_back:
        assert f.started is not None
        story.at(at(f.started, 15), _starter(story, f))
        if f.round_no in CLOSING and rng.random() < CLOSING[f.round_no]:
            f.closed = weekday(rng, f.started + timedelta(20), END)
        items = _items(rng, f)
        if f.closed is not None:
            closing.setdefault(f.closed, []).extend(items)
            story.at(at(f.closed, 16), _closer(story, f))
        else:
            lagging.extend(items)
    for day, items in sorted(closing.items()):
        story.at(at(day, 15), _importer(story, items, f"整改事项销号台账（{day.isoformat()}）"))
    story.at(at(END, 17), _importer(story, lagging, f"{YEAR}年末整改事项台账"))


def _items(rng: random.Random, f: _Finding) -> list[_Item]:
    """A finding's items and what became of each: all signed off by its close, or (lagging) at least one not."""
    assert f.started is not None
    n = rng.choices(PER_FINDING, WEIGHTS)[0]
    items = [_Item(f"I{f.key}-{i}", f, m) for i, m in enumerate(rng.sample(range(len(MEASURES)), n), 1)]
    for k, item in enumerate(items):
        last_open = f.closed is None and k == n - 1 and all(i.signed_on for i in items[:-1])
        if f.closed is not None or (not last_open and rng.random() < LAGGING_SIGNED):
            signed = item.signed_on = weekday(rng, f.started + timedelta(7), f.closed or END)
            item.cycle = 1 if rng.random() < SENT_BACK_BEFORE else 0
            item.first = rng.choice(list(Approver))
            item.first_on = weekday(rng, max(f.started + timedelta(1), signed - timedelta(5)), signed)
            item.submitted_on = weekday(rng, max(f.started + timedelta(1), item.first_on - timedelta(5)), item.first_on)
        elif rng.random() < RESUBMITTING:
            item.sent_back, item.cycle = at(weekday(rng, *SENT_BACK_DAYS), 10), 1
    return items


def _starter(story: Story, f: _Finding) -> Callable[[], None]:
    who = story.target(story.unit_id(f.code))
    return lambda: step(story, who, FINDING, f.id, "start_rectification", "制定整改方案。")


def _closer(story: Story, f: _Finding) -> Callable[[], None]:
    return lambda: step(story, story.people["cs_team1"], FINDING, f.id, "close", "整改事项均已销号。")


def _when(d: date, hour: int, minute: int = 0) -> str:
    return f"{d.isoformat()} {hour:02d}:{minute:02d}"


def _keeper(story: Story) -> Principal:
    """The inspection office filing the organisations' rectification ledgers: it registers the items the
    organisations report (their own ``inspection.rectify`` grant, lent for the import: no user per organisation)."""
    office = story.people["cs_xcb_office"]
    return replace(office, grants=(*office.grants, Grant(RECTIFY, Scope.ALL)))


def _row(story: Story, item: _Item, rerectify_due: Callable[[datetime], datetime]) -> list[str]:
    f = item.finding
    assert f.started is not None
    unit = story.units[f.code]
    due_on = rectification_due(story.rounds_plan[f.round_no].stages[Stage.FEEDBACK][0])
    short, text = MEASURES[item.measure]
    measure = text.format(t=f.title)
    row = [item.key, f"{short}：{f.title}", measure, f.code, _when(f.started, 15, 30)]
    if item.signed_on is not None:
        signed = _when(item.signed_on, 11)
        row += [ItemState.CLOSED.value, signed, signed, due_on.isoformat()]
    elif item.sent_back is not None:
        row += [ItemState.RECTIFYING.value, "", "", rerectify_due(item.sent_back).isoformat()]
    else:
        row += [ItemState.RECTIFYING.value, "", "", due_on.isoformat()]
    completed = item.signed_on.isoformat() if item.signed_on else ""
    return [*row, str(f.id), measure, f"{unit.name}主要负责人", due_on.isoformat(), str(item.cycle), completed]


def _ids(session: Session, keys: list[str]) -> dict[str, int]:
    """The items' ids by their import keys."""
    t, found = MatterImportKey, {}
    for i in range(0, len(keys), 500):
        stmt = select(t.key, t.matter_id).where(t.kind == ITEM.spec.code, t.key.in_(keys[i : i + 500]))
        found.update({key: matter_id for key, matter_id in session.execute(stmt)})
    return found


def _importer(story: Story, items: list[_Item], name: str) -> Callable[[], None]:
    """The items' ledger imported through the engine, then their parent finding and approvals written in bulk."""

    def run() -> None:
        if not items:
            return
        s = story.uow.session
        cal = load_calendar(s)

        def rerectify_due(sent_back: datetime) -> datetime:  # the engine's re-rectification limit
            return due_at(cal, sent_back, RERECTIFY_DAYS, LimitUnit.NATURAL_DAYS, TZ)

        rows = [_row(story, item, rerectify_due) for item in items]
        import_matters(story.uow, _keeper(story), ITEM, Sheet(name, HEADER, enumerate(rows, 2), len(rows)))
        ids = _ids(s, [item.key for item in items])
        matters = cast(Table, Matter.__table__)
        parents = [{"b_id": ids[item.key], "b_parent": item.finding.id} for item in items]
        stmt = update(matters).where(matters.c.id == bindparam("b_id")).values(parent_id=bindparam("b_parent"))
        s.execute(stmt, parents)
        people = {Approver.HEAD: story.people["cs_fr_head"], Approver.SUPERVISOR: story.people["cs_supervisor"]}
        approvals: list[dict[str, Any]] = []
        for item in items:
            if item.signed_on is None or item.first_on is None:
                continue
            second = Approver.SUPERVISOR if item.first is Approver.HEAD else Approver.HEAD
            for approver, when in ((item.first, at(item.first_on, 10)), (second, at(item.signed_on, 11))):
                approvals.append(
                    {
                        "item_id": ids[item.key],
                        "approver": approver,
                        "user_id": people[approver].user_id,
                        "cycle": item.cycle,
                        "approved_at": when,
                    }
                )
        s.execute(insert(cast(Table, ItemApproval.__table__)), approvals)
        s.execute(
            insert(cast(Table, ItemEvidence.__table__)), [_evidence(ids[i.key], i) for i in items if i.submitted_on]
        )

    return run


def _evidence(item_id: int, item: _Item) -> dict[str, Any]:
    """The evidence an organisation submitted with its signed-off item (a one-page PDF, as the walkable story's)."""
    assert item.submitted_on is not None
    name = "整改完成情况及佐证材料.pdf"
    data = _pdf(f"{item.key} {name}")
    return {
        "item_id": item_id, "cycle": item.cycle, "filename": name, "content_type": "application/pdf",
        "size": len(data), "sha256": hashlib.sha256(data).hexdigest(), "data": data, "uploaded_by": None,
        "uploaded_at": at(item.submitted_on, 9),
    }  # fmt: skip
