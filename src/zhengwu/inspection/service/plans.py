"""Multi-year inspection plans (巡察规划): the targets the rounds of a committee's term must cover, and the coverage by
district.

The district of a target is the unit one level below the plan's committee unit on the target's materialised path
(a target directly below the committee unit is its own district). A target counts as covered when it is a target of
any round of the plan. The rate is ``model.completion_rate`` (None when nothing is planned: shown as “—”).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from zhengwu.core.db import UnitOfWork
from zhengwu.core.errors import Invalid, NotFound
from zhengwu.core.org.access import check_write, restrict
from zhengwu.core.org.model import Principal
from zhengwu.core.org.service import expect_version, require
from zhengwu.core.org.tables import Unit
from zhengwu.inspection.model import ROUND_MANAGE, VIEW, completion_rate, path_ids
from zhengwu.inspection.service.rounds import active_unit, text
from zhengwu.inspection.tables import InspectionPlan, InspectionPlanTarget, InspectionRound, InspectionRoundTarget

MAX_TARGETS_PER_CALL = 5000


def _years(first_year: int, last_year: int) -> None:
    if not isinstance(first_year, int) or not 2000 <= first_year <= 2100:
        raise Invalid("起始年度应在 2000 至 2100 之间。", field="first_year")
    if not isinstance(last_year, int) or not first_year <= last_year <= first_year + 10:
        raise Invalid("终止年度不能早于起始年度，且规划不超过 10 年。", field="last_year")


def create_plan(
    uow: UnitOfWork, principal: Principal | None, *, committee_unit_id: int, name: str, first_year: int, last_year: int
) -> InspectionPlan:
    """A plan of the committee of ``committee_unit_id`` over ``first_year``–``last_year``."""
    require(principal, ROUND_MANAGE)
    session = uow.session
    active_unit(session, committee_unit_id, "committee_unit_id", "巡察委员会所在单位")
    _years(first_year, last_year)
    plan = InspectionPlan(
        committee_unit_id=committee_unit_id,
        name=text(name, "name", "规划名称", 128),
        first_year=first_year,
        last_year=last_year,
    )
    check_write(session, principal, ROUND_MANAGE, plan)
    session.add(plan)
    uow.flush()
    return plan


def _plan_for_write(uow: UnitOfWork, principal: Principal | None, plan_id: int) -> InspectionPlan:
    require(principal, ROUND_MANAGE)
    plan = uow.session.get(InspectionPlan, plan_id)
    if plan is None:
        raise NotFound("巡察规划不存在。")
    check_write(uow.session, principal, ROUND_MANAGE, plan)
    return plan


def update_plan(
    uow: UnitOfWork,
    principal: Principal | None,
    plan_id: int,
    *,
    name: str,
    first_year: int,
    last_year: int,
    version: int | None,
) -> InspectionPlan:
    plan = _plan_for_write(uow, principal, plan_id)
    expect_version(plan, version)
    _years(first_year, last_year)
    plan.name, plan.first_year, plan.last_year = text(name, "name", "规划名称", 128), first_year, last_year
    uow.flush()
    return plan


def add_plan_targets(
    uow: UnitOfWork,
    principal: Principal | None,
    plan_id: int,
    unit_ids: Sequence[int],
    planned_round: int | None = None,
) -> int:
    """Add the units as targets of the plan (already planned ones get the new ``planned_round``); every unit must
    lie below the plan's committee unit. Returns how many were new. One query per call, whatever the count."""
    plan = _plan_for_write(uow, principal, plan_id)
    session = uow.session
    ordered = list(dict.fromkeys(unit_ids))
    if not ordered:
        raise Invalid("请选择被巡察单位。", field="unit_ids")
    if len(ordered) > MAX_TARGETS_PER_CALL:
        raise Invalid(f"一次最多添加 {MAX_TARGETS_PER_CALL} 个单位。", field="unit_ids")
    if planned_round is not None and (not isinstance(planned_round, int) or not 1 <= planned_round <= 999):
        raise Invalid("计划轮次应为 1 至 999 的整数。", field="planned_round")
    committee = session.get(Unit, plan.committee_unit_id)
    assert committee is not None
    below = select(Unit.id).where(
        Unit.id.in_(ordered), Unit.active.is_(True), Unit.path.startswith(committee.path), Unit.id != committee.id
    )
    found = set(session.scalars(below))
    if missing := [u for u in ordered if u not in found]:
        raise Invalid(f"单位 {missing[0]} 不存在、已停用或不在规划的巡察范围内。", field="unit_ids")
    existing = {
        t.unit_id: t
        for t in session.scalars(
            select(InspectionPlanTarget).where(
                InspectionPlanTarget.plan_id == plan.id, InspectionPlanTarget.unit_id.in_(ordered)
            )
        )
    }
    added = 0
    for unit_id in ordered:
        if unit_id in existing:
            existing[unit_id].planned_round = planned_round
        else:
            session.add(InspectionPlanTarget(plan_id=plan.id, unit_id=unit_id, planned_round=planned_round))
            added += 1
    uow.flush()
    return added


def remove_plan_target(uow: UnitOfWork, principal: Principal | None, plan_id: int, unit_id: int) -> None:
    plan = _plan_for_write(uow, principal, plan_id)
    target = uow.session.get(InspectionPlanTarget, (plan.id, unit_id))
    if target is None:
        raise NotFound("该单位不在规划中。")
    uow.session.delete(target)
    uow.flush()


# ------------------------------------------------------------------------------------------------------ reads


def list_plans(session: Session, principal: Principal | None) -> list[tuple[InspectionPlan, str]]:
    stmt = (
        select(InspectionPlan, Unit.name)
        .join(Unit, Unit.id == InspectionPlan.committee_unit_id)
        .order_by(InspectionPlan.first_year.desc(), InspectionPlan.id.desc())
    )
    return [(p, n) for p, n in session.execute(restrict(stmt, principal, VIEW, InspectionPlan))]


def get_plan(session: Session, principal: Principal | None, plan_id: int) -> InspectionPlan:
    plan = session.scalar(restrict(select(InspectionPlan).where(InspectionPlan.id == plan_id), principal, VIEW))
    if plan is None:
        raise NotFound("巡察规划不存在或不在您的数据范围内。")
    return plan


@dataclass(frozen=True)
class DistrictCoverage:
    unit_id: int
    name: str
    planned: int
    covered: int

    @property
    def rate(self) -> float | None:
        return completion_rate(self.covered, self.planned)


@dataclass(frozen=True)
class PlanCoverage:
    plan: InspectionPlan
    committee: str
    districts: list[DistrictCoverage]
    rounds: list[InspectionRound]

    @property
    def planned(self) -> int:
        return sum(d.planned for d in self.districts)

    @property
    def covered(self) -> int:
        return sum(d.covered for d in self.districts)

    @property
    def rate(self) -> float | None:
        return completion_rate(self.covered, self.planned)


def plan_coverage(session: Session, principal: Principal | None, plan_id: int) -> PlanCoverage:
    """The plan's targets grouped by district: planned, covered (a target of any round of the plan), rate."""
    plan = get_plan(session, principal, plan_id)
    committee = session.get(Unit, plan.committee_unit_id)
    assert committee is not None
    depth = len(path_ids(committee.path))
    rounds = list(
        session.scalars(
            select(InspectionRound)
            .where(InspectionRound.plan_id == plan.id)
            .order_by(InspectionRound.year, InspectionRound.number)
        )
    )
    covered = set(
        session.scalars(
            select(InspectionRoundTarget.unit_id)
            .join(InspectionRound, InspectionRound.id == InspectionRoundTarget.round_id)
            .where(InspectionRound.plan_id == plan.id)
        )
    )
    planned: dict[int, int] = {}
    done: dict[int, int] = {}
    rows = session.execute(
        select(Unit.id, Unit.path)
        .join(InspectionPlanTarget, InspectionPlanTarget.unit_id == Unit.id)
        .where(InspectionPlanTarget.plan_id == plan.id)
    )
    for unit_id, path in rows:
        ids = path_ids(path)
        district = ids[depth] if len(ids) > depth else unit_id
        planned[district] = planned.get(district, 0) + 1
        done[district] = done.get(district, 0) + (unit_id in covered)
    names = session.execute(select(Unit.id, Unit.name).where(Unit.id.in_(list(planned))).order_by(Unit.path))
    districts = [DistrictCoverage(d, name, planned[d], done[d]) for d, name in names]
    return PlanCoverage(plan, committee.name, districts, rounds)


def format_rate(rate: float | None) -> str:
    """A rate as a percentage with one decimal, “—” when there is none.

    >>> format_rate(0.974), format_rate(None)
    ('97.4%', '—')
    """
    return "—" if rate is None else f"{rate * 100:.1f}%"
