"""The talent pool (巡察人才库): cadres with their unit, post and specialties, the conflicts of interest they
declared (回避申报), their secondments (抽调) to a team with a role, the evaluation, commendation (通报表扬) and
promotion of each secondment, and the figures of cadres per round.

Writes need ``inspection.cadre.manage`` over the cadre's unit and over the round's committee unit. A secondment is
refused when the cadre's unit or declared conflicts clash with any target of the team (``model.conflict``), and a
team has at most one leader.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from zhengwu.core.db import UnitOfWork
from zhengwu.core.errors import Invalid, NotFound
from zhengwu.core.org.access import check_write, restrict
from zhengwu.core.org.model import Principal
from zhengwu.core.org.service import expect_version, require, touch
from zhengwu.core.org.tables import Unit
from zhengwu.inspection.model import (
    CADRE_MANAGE,
    PROMOTION_WINDOW_DAYS,
    VIEW,
    Evaluation,
    Specialty,
    TeamRole,
    conflict,
)
from zhengwu.inspection.service.rounds import active_unit, team_for_write, text
from zhengwu.inspection.tables import (
    InspectionCadre,
    InspectionCadreSpecialty,
    InspectionConflict,
    InspectionRound,
    InspectionRoundTarget,
    InspectionSecondment,
    InspectionTeam,
)


def specialties_of(values: Iterable[Specialty | str]) -> list[Specialty]:
    """Specialties from their codes or Chinese labels, de-duplicated in order."""
    out: list[Specialty] = []
    for v in values:
        found = next((s for s in Specialty if v in (s.value, s.label)), None)
        if found is None:
            raise Invalid(f"专长“{v}”无效，可选：{'、'.join(s.label for s in Specialty)}。", field="specialties")
        if found not in out:
            out.append(found)
    return out


def _cadre_for_write(uow: UnitOfWork, principal: Principal | None, cadre_id: int) -> InspectionCadre:
    require(principal, CADRE_MANAGE)
    cadre = uow.session.get(InspectionCadre, cadre_id)
    if cadre is None:
        raise NotFound("干部不存在。")
    check_write(uow.session, principal, CADRE_MANAGE, cadre)
    return cadre


def _set_specialties(uow: UnitOfWork, cadre_id: int, specialties: Sequence[Specialty]) -> None:
    uow.session.execute(delete(InspectionCadreSpecialty).where(InspectionCadreSpecialty.cadre_id == cadre_id))
    for s in specialties:
        uow.session.add(InspectionCadreSpecialty(cadre_id=cadre_id, specialty=s))


def add_cadre(
    uow: UnitOfWork,
    principal: Principal | None,
    *,
    name: str,
    unit_id: int,
    post: str = "",
    specialties: Iterable[Specialty | str] = (),
) -> InspectionCadre:
    """A cadre of the talent pool, recorded on the unit they work in."""
    require(principal, CADRE_MANAGE)
    session = uow.session
    active_unit(session, unit_id, "unit_id", "所在单位")
    cadre = InspectionCadre(
        name=text(name, "name", "姓名", 50), unit_id=unit_id, post=text(post, "post", "职务", 64, required=False)
    )
    chosen = specialties_of(specialties)
    check_write(session, principal, CADRE_MANAGE, cadre)
    session.add(cadre)
    uow.flush()
    _set_specialties(uow, cadre.id, chosen)
    return cadre


def update_cadre(
    uow: UnitOfWork,
    principal: Principal | None,
    cadre_id: int,
    *,
    name: str,
    unit_id: int,
    post: str,
    specialties: Iterable[Specialty | str],
    active: bool,
    version: int | None,
) -> InspectionCadre:
    cadre = _cadre_for_write(uow, principal, cadre_id)
    expect_version(cadre, version)
    active_unit(uow.session, unit_id, "unit_id", "所在单位")
    cadre.name, cadre.unit_id = text(name, "name", "姓名", 50), unit_id
    cadre.post, cadre.active = text(post, "post", "职务", 64, required=False), bool(active)
    _set_specialties(uow, cadre.id, specialties_of(specialties))
    touch(cadre)
    check_write(uow.session, principal, CADRE_MANAGE, cadre)
    uow.flush()
    return cadre


def declare_conflict(
    uow: UnitOfWork, principal: Principal | None, cadre_id: int, *, unit_id: int, reason: str, declared_on: date
) -> InspectionConflict:
    """Record the cadre's declared conflict of interest with one unit (回避申报); declaring it again updates it."""
    cadre = _cadre_for_write(uow, principal, cadre_id)
    active_unit(uow.session, unit_id, "unit_id", "申报回避的单位")
    reason = text(reason, "reason", "回避事由", 200)
    if not isinstance(declared_on, date):
        raise Invalid("请填写有效的申报日期。", field="declared_on")
    found = uow.session.get(InspectionConflict, (cadre.id, unit_id))
    if found is None:
        found = InspectionConflict(cadre_id=cadre.id, unit_id=unit_id, reason=reason, declared_on=declared_on)
        uow.session.add(found)
    else:
        found.reason, found.declared_on = reason, declared_on
    touch(cadre)
    uow.flush()
    return found


def secondment_conflict(session: Session, cadre: InspectionCadre, team_id: int) -> str | None:
    """Why the cadre may not inspect some target of the team (naming it), or None."""
    cadre_path = session.scalar(select(Unit.path).where(Unit.id == cadre.unit_id))
    assert cadre_path is not None
    declared = list(session.scalars(select(InspectionConflict.unit_id).where(InspectionConflict.cadre_id == cadre.id)))
    targets = session.execute(
        select(Unit.id, Unit.name, Unit.path)
        .join(InspectionRoundTarget, InspectionRoundTarget.unit_id == Unit.id)
        .where(InspectionRoundTarget.team_id == team_id)
        .order_by(Unit.path)
    )
    for unit_id, name, path in targets:
        reason = conflict(cadre_path, declared, unit_id, path)
        if reason is not None:
            return f"被巡察单位“{name}”：{reason}"
    return None


def second(
    uow: UnitOfWork, principal: Principal | None, cadre_id: int, team_id: int, role: TeamRole | str
) -> InspectionSecondment:
    """Second the cadre to the team with ``role``; refused (with the reason) on a conflict of interest with any of
    the team's targets, for an inactive cadre, a cadre already on the team, or a second leader."""
    cadre = _cadre_for_write(uow, principal, cadre_id)
    team = team_for_write(uow, principal, team_id, CADRE_MANAGE)
    session = uow.session
    try:
        role = TeamRole(role)
    except ValueError:
        raise Invalid(f"角色无效，可选：{'、'.join(r.label for r in TeamRole)}。", field="role") from None
    if not cadre.active:
        raise Invalid(f"{cadre.name}已不在人才库中（停用），不能抽调。", field="cadre_id")
    taken = select(InspectionSecondment.id).where(
        InspectionSecondment.cadre_id == cadre.id, InspectionSecondment.team_id == team.id
    )
    if session.scalar(taken) is not None:
        raise Invalid(f"{cadre.name}已在{team.name}。", field="cadre_id")
    if role is TeamRole.LEADER:
        leader = session.scalar(
            select(InspectionSecondment.id).where(
                InspectionSecondment.team_id == team.id, InspectionSecondment.role == TeamRole.LEADER
            )
        )
        if leader is not None:
            raise Invalid(f"{team.name}已有组长，每个巡察组只能有一名组长。", field="role")
    reason = secondment_conflict(session, cadre, team.id)
    if reason is not None:
        raise Invalid(f"{cadre.name}不能抽调到{team.name}。{reason}", field="cadre_id")
    secondment = InspectionSecondment(cadre_id=cadre.id, team_id=team.id, role=role)
    session.add(secondment)
    uow.flush()
    return secondment


def evaluate(
    uow: UnitOfWork,
    principal: Principal | None,
    secondment_id: int,
    *,
    evaluation: Evaluation | str | None,
    commended: bool = False,
    promoted_on: date | None = None,
    version: int | None = None,
) -> InspectionSecondment:
    """Record the secondment's evaluation, commendation (通报表扬) and the cadre's promotion date."""
    require(principal, CADRE_MANAGE)
    s = uow.session.get(InspectionSecondment, secondment_id)
    if s is None:
        raise NotFound("抽调记录不存在。")
    team_for_write(uow, principal, s.team_id, CADRE_MANAGE)
    expect_version(s, version)
    if evaluation in (None, ""):
        s.evaluation = None
    else:
        try:
            s.evaluation = Evaluation(evaluation)
        except ValueError:
            options = "、".join(e.label for e in Evaluation)
            raise Invalid(f"考核等次无效，可选：{options}。", field="evaluation") from None
    if promoted_on is not None and not isinstance(promoted_on, date):
        raise Invalid("请填写有效的提拔日期。", field="promoted_on")
    s.commended, s.promoted_on = bool(commended), promoted_on
    uow.flush()
    return s


# ------------------------------------------------------------------------------------------------------ reads


def list_cadres(
    session: Session, principal: Principal | None, *, specialty: str | None = None, unit_id: int | None = None
) -> list[tuple[InspectionCadre, str, list[Specialty]]]:
    """The cadres the reader may manage, by name, with their unit's name and specialties."""
    stmt = select(InspectionCadre, Unit.name).join(Unit, Unit.id == InspectionCadre.unit_id)
    if specialty:
        wanted = specialties_of([specialty])[0]
        stmt = stmt.where(
            InspectionCadre.id.in_(
                select(InspectionCadreSpecialty.cadre_id).where(InspectionCadreSpecialty.specialty == wanted)
            )
        )
    if unit_id is not None:
        stmt = stmt.where(InspectionCadre.unit_id == unit_id)
    rows = list(
        session.execute(restrict(stmt.order_by(InspectionCadre.name, InspectionCadre.id), principal, CADRE_MANAGE))
    )
    specs: dict[int, list[Specialty]] = {}
    ids = [c.id for c, _ in rows]
    for i in range(0, len(ids), 500):
        stmt2 = select(InspectionCadreSpecialty).where(InspectionCadreSpecialty.cadre_id.in_(ids[i : i + 500]))
        for sp in session.scalars(stmt2):
            specs.setdefault(sp.cadre_id, []).append(sp.specialty)
    order = {s: i for i, s in enumerate(Specialty)}
    return [(c, n, sorted(specs.get(c.id, []), key=lambda s: order[s])) for c, n in rows]


@dataclass(frozen=True)
class ServiceRow:
    secondment: InspectionSecondment
    round: InspectionRound
    team: str


@dataclass(frozen=True)
class CadreView:
    cadre: InspectionCadre
    unit: str
    specialties: list[Specialty]
    conflicts: list[tuple[InspectionConflict, str]]
    service: list[ServiceRow]


def cadre_view(session: Session, principal: Principal | None, cadre_id: int) -> CadreView:
    stmt = select(InspectionCadre, Unit.name).join(Unit, Unit.id == InspectionCadre.unit_id)
    row = session.execute(restrict(stmt.where(InspectionCadre.id == cadre_id), principal, CADRE_MANAGE)).first()
    if row is None:
        raise NotFound("干部不存在或不在您的数据范围内。")
    cadre, unit = row
    order = {s: i for i, s in enumerate(Specialty)}
    specs = sorted(
        session.scalars(
            select(InspectionCadreSpecialty.specialty).where(InspectionCadreSpecialty.cadre_id == cadre.id)
        ),
        key=lambda s: order[s],
    )
    conflicts = [
        (c, n)
        for c, n in session.execute(
            select(InspectionConflict, Unit.name)
            .join(Unit, Unit.id == InspectionConflict.unit_id)
            .where(InspectionConflict.cadre_id == cadre.id)
            .order_by(InspectionConflict.declared_on)
        )
    ]
    service = [
        ServiceRow(s, r, t)
        for s, r, t in session.execute(
            select(InspectionSecondment, InspectionRound, InspectionTeam.name)
            .join(InspectionTeam, InspectionTeam.id == InspectionSecondment.team_id)
            .join(InspectionRound, InspectionRound.id == InspectionTeam.round_id)
            .where(InspectionSecondment.cadre_id == cadre.id)
            .order_by(InspectionRound.starts_on.desc())
        )
    ]
    return CadreView(cadre, unit, specs, conflicts, service)


@dataclass(frozen=True)
class CadreFigures:
    """Cadres of one round (``round`` None: over all rounds the reader may view)."""

    round: InspectionRound | None
    seconded: int
    by_unit: list[tuple[str, int]]
    by_evaluation: dict[Evaluation, int]
    commended: int
    promoted: int


def promoted_in_window(promoted_on: date | None, round_ends_on: date | None) -> bool:
    """Whether a promotion counts: on or after the round's end and within ``PROMOTION_WINDOW_DAYS`` of it.

    >>> promoted_in_window(date(2025, 5, 1), date(2024, 6, 30)), promoted_in_window(date(2025, 7, 1), date(2024, 6, 30))
    (True, False)
    """
    if promoted_on is None or round_ends_on is None:
        return False
    return round_ends_on <= promoted_on <= round_ends_on + timedelta(days=PROMOTION_WINDOW_DAYS)


def cadre_figures(
    session: Session, principal: Principal | None, round_id: int | None = None
) -> tuple[list[CadreFigures], CadreFigures]:
    """Per round (newest first) and over all of them: cadres seconded (each counted once per round), their source
    units, evaluations by grade, commended, promoted within a year of the round's end."""
    stmt = (
        select(InspectionSecondment, InspectionRound, Unit.name)
        .join(InspectionTeam, InspectionTeam.id == InspectionSecondment.team_id)
        .join(InspectionRound, InspectionRound.id == InspectionTeam.round_id)
        .join(InspectionCadre, InspectionCadre.id == InspectionSecondment.cadre_id)
        .join(Unit, Unit.id == InspectionCadre.unit_id)
    )
    if round_id is not None:
        stmt = stmt.where(InspectionRound.id == round_id)
    rows = session.execute(restrict(stmt, principal, VIEW, InspectionRound)).all()
    rounds: dict[int, InspectionRound] = {}
    per: dict[int | None, list[tuple[InspectionSecondment, InspectionRound, str]]] = {}
    for s, r, unit in rows:
        rounds[r.id] = r
        per.setdefault(r.id, []).append((s, r, unit))
        per.setdefault(None, []).append((s, r, unit))

    def figures(
        rnd: InspectionRound | None, items: list[tuple[InspectionSecondment, InspectionRound, str]]
    ) -> CadreFigures:
        cadres: dict[tuple[int, int], str] = {(s.cadre_id, r.id): unit for s, r, unit in items}
        units: dict[str, int] = {}
        for unit in cadres.values():
            units[unit] = units.get(unit, 0) + 1
        grades = {e: 0 for e in Evaluation}
        for s, _, _ in items:
            if s.evaluation is not None:
                grades[s.evaluation] += 1
        return CadreFigures(
            rnd,
            len(cadres),
            sorted(units.items(), key=lambda kv: (-kv[1], kv[0])),
            grades,
            sum(1 for s, _, _ in items if s.commended),
            len({(s.cadre_id, r.id) for s, r, _ in items if promoted_in_window(s.promoted_on, r.ends_on)}),
        )

    ordered = sorted(rounds.values(), key=lambda r: (r.year, r.number, r.id), reverse=True)
    return [figures(r, per[r.id]) for r in ordered], figures(None, per.get(None, []))
