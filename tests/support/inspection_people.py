"""The inspection story's people (``zhengwu.inspection.people``), the finding categories and one round ready to
work on, for the inspection tests.

``setup(db)`` adds Changsha's units, the inspection roles and users (password ``PASSWORD``) and the seed categories
to a database holding the core seed; returns the principals by username. ``add_round(db)`` records, straight into
the tables, round 1 of 2024 by 中共长沙市委 with its preparation and entry stages, 第一巡察组 inspecting 芙蓉区 and
天心区, and returns the ids: the tests of one area do not depend on another area's services to get a round.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from tests.conftest import PASSWORD, principal
from zhengwu.core.db import Actor, Database
from zhengwu.core.org.model import Principal
from zhengwu.core.org.tables import Unit
from zhengwu.inspection.model import SEED_CATEGORIES, RoundType, Stage
from zhengwu.inspection.people import USERS, seed_people
from zhengwu.inspection.tables import (
    InspectionCategory,
    InspectionRound,
    InspectionRoundStage,
    InspectionRoundTarget,
    InspectionTeam,
)

SYSTEM = Actor(None, "测试")


def setup(db: Database) -> dict[str, Principal]:
    with db.uow(SYSTEM) as uow:
        seed_people(uow, PASSWORD)
        for position, (code, name) in enumerate(SEED_CATEGORIES):
            if uow.session.scalar(select(InspectionCategory.id).where(InspectionCategory.code == code)) is None:
                uow.session.add(InspectionCategory(code=code, name=name, sort_order=position))
        uow.commit()
    return {username: principal(db, username) for username, *_ in USERS}


def unit(db: Database, code: str) -> int:
    with db.reading() as s:
        found = s.scalar(select(Unit.id).where(Unit.code == code))
        assert found is not None, f"no unit {code!r}"
        return found


def category(db: Database, code: str) -> int:
    with db.reading() as s:
        found = s.scalar(select(InspectionCategory.id).where(InspectionCategory.code == code))
        assert found is not None, f"no category {code!r}"
        return found


@dataclass(frozen=True)
class RoundIds:
    round_id: int
    team_id: int
    committee: int  # the unit the round belongs to: 长沙市 (``cs``), whose committee approves it
    targets: tuple[int, ...]  # 芙蓉区, 天心区


def add_round(db: Database, number: int = 1, year: int = 2024) -> RoundIds:
    cs, fr, tx = unit(db, "cs"), unit(db, "cs-fr"), unit(db, "cs-tx")
    with db.uow(SYSTEM) as uow:
        s = uow.session
        rnd = InspectionRound(
            committee_unit_id=cs,
            number=number,
            year=year,
            type=RoundType.REGULAR,
            name=f"十二届市委第{number}轮巡察",
            approval="市委常委会会议",
            starts_on=date(year, 3, 18),
        )
        s.add(rnd)
        s.flush()
        s.add(
            InspectionRoundStage(
                round_id=rnd.id, stage=Stage.PREPARATION, starts_on=date(year, 3, 18), ends_on=date(year, 4, 7)
            )
        )
        s.add(InspectionRoundStage(round_id=rnd.id, stage=Stage.ENTRY, starts_on=date(year, 4, 8)))
        team = InspectionTeam(round_id=rnd.id, name="第一巡察组")
        s.add(team)
        s.flush()
        for target in (fr, tx):
            s.add(InspectionRoundTarget(round_id=rnd.id, unit_id=target, team_id=team.id))
        uow.commit()
        return RoundIds(rnd.id, team.id, cs, (fr, tx))
