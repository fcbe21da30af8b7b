"""Accountability (问责) and money returned or recovered (退缴 / 追回): record an outcome for a person or a unit, list
the records a reader may view with their totals by outcome and in 元.

A record belongs to the unit of the person or body held accountable (``unit_id``). Writing needs
``inspection.accountability.manage`` over that unit, reading ``inspection.view``. Money goes through
:func:`zhengwu.inspection.model.money.parse_yuan` (``Decimal`` in 元, two decimals at most, never negative): a bad
amount is refused naming its field and nothing is written.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from zhengwu.core.db import UnitOfWork
from zhengwu.core.errors import Invalid, NotFound
from zhengwu.core.org.access import check_write, restrict
from zhengwu.core.org.model import Principal
from zhengwu.core.org.service import expect_version, require
from zhengwu.core.org.tables import Unit
from zhengwu.inspection.model import ACCOUNTABILITY_MANAGE, VIEW, SubjectKind
from zhengwu.inspection.model.money import FAMILY, Outcome, OutcomeFamily, format_wan, parse_yuan
from zhengwu.inspection.tables import Accountability, FindingMatter, InspectionRound

MAX_NAME = 100
MAX_NOTE = 2000
MAX_SHOWN = 1000


def _enum(enum: Any, value: Any, field: str, label: str) -> Any:
    try:
        return enum(value)
    except ValueError:
        raise Invalid(f"{label}无效。", field=field) from None


def _checked(
    session: Session,
    *,
    unit_id: int,
    subject_kind: Any,
    subject_name: str,
    outcome: Any,
    decided_on: date,
    returned: Any,
    recovered: Any,
    round_id: int | None,
    finding_id: int | None,
    note: str,
) -> dict[str, Any]:
    unit = session.get(Unit, unit_id)
    if unit is None or not unit.active:
        raise Invalid("所在单位不存在或已停用。", field="unit_id")
    kind = _enum(SubjectKind, subject_kind, "subject_kind", "问责对象类别")
    name = (subject_name or "").strip()
    if not name:
        raise Invalid("请填写问责对象（姓名或单位名称）。", field="subject_name")
    if len(name) > MAX_NAME:
        raise Invalid(f"问责对象不能超过 {MAX_NAME} 个字。", field="subject_name")
    result = None if outcome in (None, "") else _enum(Outcome, outcome, "outcome", "处理结果")
    if not isinstance(decided_on, date):
        raise Invalid("请填写有效的处理日期。", field="decided_on")
    money_returned = parse_yuan(returned if returned not in (None, "") else 0, field="returned", label="退缴金额")
    money_recovered = parse_yuan(recovered if recovered not in (None, "") else 0, field="recovered", label="追回金额")
    if result is None and not money_returned and not money_recovered:
        raise Invalid("请选择处理结果，或填写退缴、追回金额。", field="outcome")
    if round_id is not None and session.get(InspectionRound, round_id) is None:
        raise Invalid("巡察轮次不存在。", field="round_id")
    if finding_id is not None:
        finding = session.get(FindingMatter, finding_id)
        if finding is None:
            raise Invalid("巡察发现问题不存在。", field="finding_id")
        if round_id is None:
            round_id = finding.round_id
        elif finding.round_id != round_id:
            raise Invalid("该问题不属于所选巡察轮次。", field="finding_id")
    note = (note or "").strip()
    if len(note) > MAX_NOTE:
        raise Invalid(f"备注不能超过 {MAX_NOTE} 个字。", field="note")
    return {
        "unit_id": unit_id,
        "subject_kind": kind,
        "subject_name": name,
        "outcome": result,
        "decided_on": decided_on,
        "returned": money_returned,
        "recovered": money_recovered,
        "round_id": round_id,
        "finding_id": finding_id,
        "note": note,
    }


def record_accountability(
    uow: UnitOfWork,
    principal: Principal | None,
    *,
    unit_id: int,
    subject_kind: SubjectKind | str,
    subject_name: str,
    outcome: Outcome | str | None,
    decided_on: date,
    returned: str | int | Decimal = 0,
    recovered: str | int | Decimal = 0,
    round_id: int | None = None,
    finding_id: int | None = None,
    note: str = "",
) -> Accountability:
    """Record an outcome (or money alone: ``outcome`` None) for a person or unit of ``unit_id``; amounts in 元 as
    clerks write them (``223.04万``) or as numbers. A finding given without a round sets the round."""
    require(principal, ACCOUNTABILITY_MANAGE)
    session = uow.session
    values = _checked(
        session,
        unit_id=unit_id,
        subject_kind=subject_kind,
        subject_name=subject_name,
        outcome=outcome,
        decided_on=decided_on,
        returned=returned,
        recovered=recovered,
        round_id=round_id,
        finding_id=finding_id,
        note=note,
    )
    record = Accountability(**values)
    check_write(session, principal, ACCOUNTABILITY_MANAGE, record)
    session.add(record)
    uow.flush()
    return record


def update_accountability(
    uow: UnitOfWork, principal: Principal | None, record_id: int, *, version: int, **values: Any
) -> Accountability:
    """Edit a record (the same fields as :func:`record_accountability`, all given); both the old and the new unit
    must lie in the writer's scope; ``version`` is the one the editor loaded."""
    require(principal, ACCOUNTABILITY_MANAGE)
    session = uow.session
    record = session.get(Accountability, record_id)
    if record is None:
        raise NotFound("问责记录不存在。")
    check_write(session, principal, ACCOUNTABILITY_MANAGE, record)
    expect_version(record, version)
    checked = _checked(session, **values)
    for name, value in checked.items():
        setattr(record, name, value)
    check_write(session, principal, ACCOUNTABILITY_MANAGE, record)
    uow.flush()
    return record


def get_record(session: Session, principal: Principal | None, record_id: int) -> Accountability:
    record = session.scalar(restrict(select(Accountability).where(Accountability.id == record_id), principal, VIEW))
    if record is None:
        raise NotFound("问责记录不存在或不在您的数据范围内。")
    return record


@dataclass(frozen=True)
class Row:
    record: Accountability
    unit: str
    round: str


@dataclass
class Ledger:
    """The records a reader may view (newest first, at most ``MAX_SHOWN``) and the totals over all of them."""

    rows: list[Row] = field(default_factory=list)
    count: int = 0
    persons: int = 0
    units: int = 0
    by_outcome: dict[Outcome, int] = field(default_factory=dict)
    by_family: dict[OutcomeFamily, int] = field(default_factory=dict)
    returned: Decimal = Decimal("0.00")
    recovered: Decimal = Decimal("0.00")

    @property
    def returned_wan(self) -> str:
        return format_wan(self.returned)

    @property
    def recovered_wan(self) -> str:
        return format_wan(self.recovered)

    @property
    def records(self) -> list[Accountability]:
        return [r.record for r in self.rows]


def ledger(
    session: Session,
    principal: Principal | None,
    *,
    round_id: int | None = None,
    year: int | None = None,
    unit_id: int | None = None,
) -> Ledger:
    """The records in the reader's ``inspection.view`` scope, filtered by round, year decided and unit (the unit
    and every unit below it), with the number per outcome (in the order of :class:`Outcome`) and per family, and
    the money returned and recovered summed exactly."""
    require(principal, VIEW)
    stmt = (
        select(Accountability, Unit.name, InspectionRound.name)
        .join(Unit, Unit.id == Accountability.unit_id)
        .outerjoin(InspectionRound, InspectionRound.id == Accountability.round_id)
        .order_by(Accountability.decided_on.desc(), Accountability.id.desc())
    )
    if round_id is not None:
        stmt = stmt.where(Accountability.round_id == round_id)
    if year is not None:
        stmt = stmt.where(Accountability.decided_on.between(date(year, 1, 1), date(year, 12, 31)))
    if unit_id is not None:
        path = session.scalar(select(Unit.path).where(Unit.id == unit_id))
        if path is None:
            raise Invalid("单位不存在。", field="unit_id")
        stmt = stmt.where(Unit.path.startswith(path))
    result = Ledger()
    outcomes: Counter[Outcome] = Counter()
    for record, unit, round_name in session.execute(restrict(stmt, principal, VIEW, Accountability)):
        result.count += 1
        if len(result.rows) < MAX_SHOWN:
            result.rows.append(Row(record, str(unit), str(round_name or "")))
        if record.subject_kind is SubjectKind.PERSON:
            result.persons += 1
        else:
            result.units += 1
        if record.outcome is not None:
            outcomes[record.outcome] += 1
        result.returned += record.returned
        result.recovered += record.recovered
    result.by_outcome = {o: outcomes[o] for o in Outcome if outcomes[o]}
    families: Counter[OutcomeFamily] = Counter()
    for o, n in outcomes.items():
        families[FAMILY[o]] += n
    result.by_family = {f: families[f] for f in OutcomeFamily if families[f]}
    return result
