"""The inspection walk's people and round (no routes of its own): the other ``inspection_*`` areas add their records
on top and use these users in their cases.

People: ``i_fh`` holds every inspection action over 凤凰县 (the granted caller), ``i_js`` the same over 吉首市 (the
outsider), ``i_nolead`` every inspection action except the lead grants over 凤凰县 (to prove leads stay hidden from
a user who sees everything else). The round: 凤凰县委 round 1 of 2024, preparation and entry dated, 第一巡察组
inspecting 养护中心 and 卫健局.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.support.people import add_users
from tests.support.walk import Case
from zhengwu.core.db import Actor, Database
from zhengwu.core.org.tables import Unit
from zhengwu.inspection import model as m
from zhengwu.inspection.model import SEED_CATEGORIES, RoundType, Stage
from zhengwu.inspection.people import ALL_INSPECTION
from zhengwu.inspection.tables import (
    InspectionCategory,
    InspectionRound,
    InspectionRoundStage,
    InspectionRoundTarget,
    InspectionTeam,
)

CASES: dict[tuple[str, str], Case] = {}
LEAD_GRANTS = (m.LEAD_VIEW, m.LEAD_MANAGE, m.LEAD_RECEIVE)
PEOPLE = {
    "i_fh": ("fh", [(a, "subtree") for a in ALL_INSPECTION]),
    "i_js": ("js", [(a, "subtree") for a in ALL_INSPECTION]),
    "i_nolead": ("fh", [(a, "subtree") for a in ALL_INSPECTION if a not in LEAD_GRANTS]),
}


def prepare(db: Database) -> None:
    from tests.conftest import PASSWORD

    with db.uow(Actor(None, "测试数据")) as uow:
        s = uow.session
        add_users(uow, PEOPLE, PASSWORD, "role_")
        for position, (code, name) in enumerate(SEED_CATEGORIES):
            s.add(InspectionCategory(code=code, name=name, sort_order=position))
        units: dict[str, int] = {code: id_ for code, id_ in s.execute(select(Unit.code, Unit.id))}
        rnd = InspectionRound(
            committee_unit_id=units["fh"],
            number=1,
            year=2024,
            type=RoundType.REGULAR,
            name="凤凰县委第一轮巡察",
            starts_on=date(2024, 3, 18),
        )
        s.add(rnd)
        s.flush()
        s.add(
            InspectionRoundStage(
                round_id=rnd.id, stage=Stage.PREPARATION, starts_on=date(2024, 3, 18), ends_on=date(2024, 4, 7)
            )
        )
        s.add(InspectionRoundStage(round_id=rnd.id, stage=Stage.ENTRY, starts_on=date(2024, 4, 8)))
        team = InspectionTeam(round_id=rnd.id, name="第一巡察组")
        s.add(team)
        s.flush()
        for code in ("fh-gl", "fh-wj"):
            s.add(InspectionRoundTarget(round_id=rnd.id, unit_id=units[code], team_id=team.id))
        uow.commit()


def ids(session: Session) -> dict[str, Any]:
    rnd = session.scalar(select(InspectionRound).where(InspectionRound.name == "凤凰县委第一轮巡察"))
    if rnd is None:
        return {}
    team = session.scalar(select(InspectionTeam).where(InspectionTeam.round_id == rnd.id))
    assert team is not None
    return {
        "i:round": rnd.id,
        "v:i:round": rnd.version,
        "i:team": team.id,
        "i:category": session.scalar(select(InspectionCategory.id).where(InspectionCategory.code == "conduct")),
    }
