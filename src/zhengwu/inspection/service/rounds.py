"""Rounds of inspection (巡察轮次): create and edit a round, date its stages (a timeline checked by
``model.check_timeline``), add its teams, assign targets to teams and record the petitions a team handled.

Writes need ``inspection.round.manage`` over the round's committee unit (``check_write``, inside the transaction);
reads go through ``restrict`` with ``inspection.view``. Every function works on one round's rows by key, so the demo
writer can call them hundreds of times in one unit of work without reloading the round.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from zhengwu.core.clock import Clock
from zhengwu.core.db import UnitOfWork
from zhengwu.core.errors import Invalid, NotFound
from zhengwu.core.matters.stats.service import LOCAL_TZ
from zhengwu.core.org.access import check_write, restrict
from zhengwu.core.org.model import Principal
from zhengwu.core.org.service import expect_version, require, touch
from zhengwu.core.org.tables import Unit
from zhengwu.inspection.model import (
    ROUND_MANAGE,
    VIEW,
    RoundType,
    Stage,
    StagePeriod,
    TeamRole,
    check_timeline,
    conflict,
    current_stage,
)
from zhengwu.inspection.tables import (
    InspectionCadre,
    InspectionConflict,
    InspectionPlan,
    InspectionRound,
    InspectionRoundStage,
    InspectionRoundTarget,
    InspectionSecondment,
    InspectionTeam,
)

MAX_PETITIONS = 1_000_000


def today(clock: Clock) -> date:
    """Today in Beijing time (what a round's current stage is judged against)."""
    return clock.now().astimezone(LOCAL_TZ).date()


def text(value: str | None, field: str, label: str, max_len: int, *, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise Invalid(f"请填写{label}。", field=field)
    if len(value) > max_len:
        raise Invalid(f"{label}不能超过 {max_len} 个字。", field=field)
    return value


def active_unit(session: Session, unit_id: int, field: str, label: str) -> Unit:
    found = session.get(Unit, unit_id) if isinstance(unit_id, int) else None
    if found is None or not found.active:
        raise Invalid(f"{label}不存在或已停用。", field=field)
    return found


def round_type(value: RoundType | str) -> RoundType:
    try:
        return RoundType(value)
    except ValueError:
        raise Invalid(f"巡察类型无效，可选：{'、'.join(t.label for t in RoundType)}。", field="type") from None


def _checked(
    session: Session,
    *,
    committee_unit_id: int,
    number: int,
    year: int,
    type: RoundType | str,
    name: str,
    approval: str,
    starts_on: date,
    ends_on: date | None,
    plan_id: int | None,
) -> dict[str, Any]:
    active_unit(session, committee_unit_id, "committee_unit_id", "巡察委员会所在单位")
    if not isinstance(number, int) or not 1 <= number <= 999:
        raise Invalid("轮次应为 1 至 999 的整数。", field="number")
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        raise Invalid("年度应在 2000 至 2100 之间。", field="year")
    if not isinstance(starts_on, date):
        raise Invalid("请填写有效的开始日期。", field="starts_on")
    if ends_on is not None and (not isinstance(ends_on, date) or ends_on < starts_on):
        raise Invalid("结束日期不能早于开始日期。", field="ends_on")
    if plan_id is not None:
        plan = session.get(InspectionPlan, plan_id)
        if plan is None or plan.committee_unit_id != committee_unit_id:
            raise Invalid("巡察规划不存在或不属于该巡察委员会。", field="plan_id")
        if not plan.first_year <= year <= plan.last_year:
            raise Invalid(f"年度不在规划的 {plan.first_year}—{plan.last_year} 年之内。", field="year")
    return {
        "committee_unit_id": committee_unit_id,
        "number": number,
        "year": year,
        "type": round_type(type),
        "name": text(name, "name", "轮次名称", 128),
        "approval": text(approval, "approval", "批准文件或会议", 200, required=False),
        "starts_on": starts_on,
        "ends_on": ends_on,
        "plan_id": plan_id,
    }


def _unique_number(session: Session, values: dict[str, Any], round_id: int | None) -> None:
    stmt = select(InspectionRound.id).where(
        InspectionRound.committee_unit_id == values["committee_unit_id"],
        InspectionRound.year == values["year"],
        InspectionRound.number == values["number"],
    )
    if round_id is not None:
        stmt = stmt.where(InspectionRound.id != round_id)
    if session.scalar(stmt) is not None:
        raise Invalid(f"{values['year']} 年第 {values['number']} 轮巡察已存在。", field="number")


def create_round(
    uow: UnitOfWork,
    principal: Principal | None,
    *,
    committee_unit_id: int,
    number: int,
    year: int,
    type: RoundType | str,
    name: str,
    approval: str,
    starts_on: date,
    ends_on: date | None = None,
    plan_id: int | None = None,
) -> InspectionRound:
    """A round of the committee of ``committee_unit_id`` (第 ``number`` 轮, unique within the year)."""
    require(principal, ROUND_MANAGE)
    session = uow.session
    values = _checked(
        session,
        committee_unit_id=committee_unit_id,
        number=number,
        year=year,
        type=type,
        name=name,
        approval=approval,
        starts_on=starts_on,
        ends_on=ends_on,
        plan_id=plan_id,
    )
    rnd = InspectionRound(**values)
    check_write(session, principal, ROUND_MANAGE, rnd)
    _unique_number(session, values, None)
    session.add(rnd)
    uow.flush()
    return rnd


def round_for_write(uow: UnitOfWork, principal: Principal | None, round_id: int, action: str) -> InspectionRound:
    """The round (NotFound when absent), after checking ``action`` covers its committee unit."""
    require(principal, action)
    rnd = uow.session.get(InspectionRound, round_id)
    if rnd is None:
        raise NotFound("巡察轮次不存在。")
    check_write(uow.session, principal, action, rnd)
    return rnd


def update_round(
    uow: UnitOfWork, principal: Principal | None, round_id: int, *, version: int | None, **fields: Any
) -> InspectionRound:
    """Edit a round's number, year, type, name, approval, period and plan (``version``: the one the editor read)."""
    rnd = round_for_write(uow, principal, round_id, ROUND_MANAGE)
    expect_version(rnd, version)
    values = _checked(uow.session, **fields)
    _unique_number(uow.session, values, rnd.id)
    for key, value in values.items():
        setattr(rnd, key, value)
    check_write(uow.session, principal, ROUND_MANAGE, rnd)
    uow.flush()
    return rnd


def stages_of(session: Session, round_id: int) -> list[StagePeriod]:
    rows = session.scalars(select(InspectionRoundStage).where(InspectionRoundStage.round_id == round_id))
    order = {s: i for i, s in enumerate(Stage)}
    periods = [StagePeriod(r.stage, r.starts_on, r.ends_on) for r in rows]
    return sorted(periods, key=lambda p: order[p.stage])


def set_stages(
    uow: UnitOfWork, principal: Principal | None, round_id: int, periods: Sequence[StagePeriod], *, version: int | None
) -> InspectionRound:
    """Replace the round's dated stages by ``periods`` (checked as a timeline; counts as an edit of the round)."""
    rnd = round_for_write(uow, principal, round_id, ROUND_MANAGE)
    expect_version(rnd, version)
    ordered = check_timeline(periods)
    if ordered and ordered[0].starts_on < rnd.starts_on:
        raise Invalid("“准备”阶段不能早于轮次开始日期。", field="preparation_starts_on")
    session = uow.session
    session.execute(delete(InspectionRoundStage).where(InspectionRoundStage.round_id == rnd.id))
    for p in ordered:
        session.add(InspectionRoundStage(round_id=rnd.id, stage=p.stage, starts_on=p.starts_on, ends_on=p.ends_on))
    touch(rnd)
    uow.flush()
    return rnd


def add_team(uow: UnitOfWork, principal: Principal | None, round_id: int, name: str) -> InspectionTeam:
    """A new team of the round; names are unique within a round."""
    rnd = round_for_write(uow, principal, round_id, ROUND_MANAGE)
    name = text(name, "name", "巡察组名称", 64)
    session = uow.session
    taken = select(InspectionTeam.id).where(InspectionTeam.round_id == rnd.id, InspectionTeam.name == name)
    if session.scalar(taken) is not None:
        raise Invalid(f"本轮已有“{name}”。", field="name")
    team = InspectionTeam(round_id=rnd.id, name=name)
    session.add(team)
    uow.flush()
    return team


def team_for_write(uow: UnitOfWork, principal: Principal | None, team_id: int, action: str) -> InspectionTeam:
    require(principal, action)
    team = uow.session.get(InspectionTeam, team_id)
    if team is None:
        raise NotFound("巡察组不存在。")
    round_for_write(uow, principal, team.round_id, action)
    return team


def team_conflict(session: Session, team_id: int, unit_id: int, unit_path: str) -> str | None:
    """Why a cadre already on the team may not inspect the unit (the first such cadre), or None."""
    rows = session.execute(
        select(InspectionCadre.id, InspectionCadre.name, Unit.path)
        .join(InspectionSecondment, InspectionSecondment.cadre_id == InspectionCadre.id)
        .join(Unit, Unit.id == InspectionCadre.unit_id)
        .where(InspectionSecondment.team_id == team_id)
        .order_by(InspectionCadre.id)
    ).all()
    if not rows:
        return None
    declared: dict[int, list[int]] = {}
    stmt = select(InspectionConflict.cadre_id, InspectionConflict.unit_id).where(
        InspectionConflict.cadre_id.in_([r[0] for r in rows]), InspectionConflict.unit_id == unit_id
    )
    for cadre_id, conflicted in session.execute(stmt):
        declared.setdefault(cadre_id, []).append(conflicted)
    for cadre_id, name, path in rows:
        reason = conflict(path, declared.get(cadre_id, []), unit_id, unit_path)
        if reason is not None:
            return f"{name}：{reason}"
    return None


def assign_target(
    uow: UnitOfWork, principal: Principal | None, round_id: int, unit_id: int, team_id: int | None
) -> InspectionRoundTarget:
    """Make the unit a target of the round, inspected by ``team_id`` (None: no team yet). Refused when a cadre
    already seconded to that team may not inspect the unit (回避), with the reason."""
    rnd = round_for_write(uow, principal, round_id, ROUND_MANAGE)
    session = uow.session
    unit = active_unit(session, unit_id, "unit_id", "被巡察单位")
    committee = session.get(Unit, rnd.committee_unit_id)
    if committee is None or not unit.path.startswith(committee.path) or unit.id == committee.id:
        raise Invalid("被巡察单位须是巡察委员会所在单位的下级单位。", field="unit_id")
    if team_id is not None:
        team = session.get(InspectionTeam, team_id)
        if team is None or team.round_id != rnd.id:
            raise Invalid("巡察组不属于本轮巡察。", field="team_id")
        reason = team_conflict(session, team.id, unit.id, unit.path)
        if reason is not None:
            raise Invalid(f"不能将“{unit.name}”分配给{team.name}。{reason}", field="team_id")
    target = session.get(InspectionRoundTarget, (rnd.id, unit.id))
    if target is None:
        target = InspectionRoundTarget(round_id=rnd.id, unit_id=unit.id, team_id=team_id)
        session.add(target)
    else:
        target.team_id = team_id
    uow.flush()
    return target


def remove_target(uow: UnitOfWork, principal: Principal | None, round_id: int, unit_id: int) -> None:
    rnd = round_for_write(uow, principal, round_id, ROUND_MANAGE)
    target = uow.session.get(InspectionRoundTarget, (rnd.id, unit_id))
    if target is None:
        raise NotFound("该单位不是本轮的被巡察单位。")
    uow.session.delete(target)
    uow.flush()


def set_petitions(
    uow: UnitOfWork, principal: Principal | None, team_id: int, count: int, *, version: int | None = None
) -> InspectionTeam:
    """Record the petitions (信访件) the team handled during entry."""
    team = team_for_write(uow, principal, team_id, ROUND_MANAGE)
    expect_version(team, version)
    if not isinstance(count, int) or isinstance(count, bool) or not 0 <= count <= MAX_PETITIONS:
        raise Invalid(f"办理信访件数应为 0 至 {MAX_PETITIONS} 的整数。", field="petitions")
    team.petitions = count
    uow.flush()
    return team


# ------------------------------------------------------------------------------------------------------ reads


def list_rounds(
    session: Session, principal: Principal | None, *, year: int | None = None, type: str | None = None
) -> list[tuple[InspectionRound, str]]:
    """The rounds the reader may view, newest first, with the committee unit's name."""
    stmt = select(InspectionRound, Unit.name).join(Unit, Unit.id == InspectionRound.committee_unit_id)
    if year is not None:
        stmt = stmt.where(InspectionRound.year == year)
    if type:
        stmt = stmt.where(InspectionRound.type == round_type(type))
    stmt = stmt.order_by(InspectionRound.year.desc(), InspectionRound.number.desc(), InspectionRound.id.desc())
    return [(r, n) for r, n in session.execute(restrict(stmt, principal, VIEW, InspectionRound))]


def get_round(session: Session, principal: Principal | None, round_id: int, action: str = VIEW) -> InspectionRound:
    rnd = session.scalar(restrict(select(InspectionRound).where(InspectionRound.id == round_id), principal, action))
    if rnd is None:
        raise NotFound("巡察轮次不存在或不在您的数据范围内。")
    return rnd


@dataclass(frozen=True)
class Member:
    secondment_id: int
    cadre_id: int
    name: str
    unit: str
    role: TeamRole


@dataclass
class TeamView:
    team: InspectionTeam
    members: list[Member] = field(default_factory=list)
    targets: list[tuple[int, str]] = field(default_factory=list)


@dataclass(frozen=True)
class RoundView:
    round: InspectionRound
    committee: str
    plan: str | None
    stages: list[StagePeriod]
    current: Stage | None
    teams: list[TeamView]
    unassigned: list[tuple[int, str]]

    @property
    def petitions(self) -> int:
        return sum(t.team.petitions for t in self.teams)

    @property
    def targets(self) -> int:
        return sum(len(t.targets) for t in self.teams) + len(self.unassigned)

    @property
    def seconded(self) -> int:
        return len({m.cadre_id for t in self.teams for m in t.members})


def round_view(session: Session, principal: Principal | None, round_id: int, today: date) -> RoundView:
    """Everything the round's page shows: stages and the current one, teams with members and targets."""
    rnd = get_round(session, principal, round_id)
    committee = session.scalar(select(Unit.name).where(Unit.id == rnd.committee_unit_id)) or ""
    plan = session.scalar(select(InspectionPlan.name).where(InspectionPlan.id == rnd.plan_id)) if rnd.plan_id else None
    stages = stages_of(session, rnd.id)
    teams = {
        t.id: TeamView(t)
        for t in session.scalars(
            select(InspectionTeam).where(InspectionTeam.round_id == rnd.id).order_by(InspectionTeam.id)
        )
    }
    members = session.execute(
        select(InspectionSecondment, InspectionCadre.name, Unit.name)
        .join(InspectionCadre, InspectionCadre.id == InspectionSecondment.cadre_id)
        .join(Unit, Unit.id == InspectionCadre.unit_id)
        .where(InspectionSecondment.team_id.in_(list(teams)))
        .order_by(InspectionSecondment.id)
    )
    order = {r: i for i, r in enumerate(TeamRole)}
    for s, name, unit in members:
        teams[s.team_id].members.append(Member(s.id, s.cadre_id, name, unit, s.role))
    for t in teams.values():
        t.members.sort(key=lambda m: order[m.role])
    unassigned: list[tuple[int, str]] = []
    targets = session.execute(
        select(InspectionRoundTarget.team_id, Unit.id, Unit.name)
        .join(Unit, Unit.id == InspectionRoundTarget.unit_id)
        .where(InspectionRoundTarget.round_id == rnd.id)
        .order_by(Unit.path)
    )
    for team_id, unit_id, name in targets:
        (teams[team_id].targets if team_id in teams else unassigned).append((unit_id, name))
    try:
        current = current_stage(stages, today)
    except Invalid:
        current = None
    return RoundView(rnd, committee, plan, stages, current, list(teams.values()), unassigned)


def round_years(session: Session, principal: Principal | None) -> list[int]:
    stmt = select(InspectionRound.year).group_by(InspectionRound.year).order_by(InspectionRound.year.desc())
    return list(session.scalars(restrict(stmt, principal, VIEW, InspectionRound)))


def petitions_total(session: Session, round_id: int) -> int:
    return int(
        session.scalar(select(func.sum(InspectionTeam.petitions)).where(InspectionTeam.round_id == round_id)) or 0
    )
