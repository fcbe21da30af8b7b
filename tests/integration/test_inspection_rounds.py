"""Rounds, plans, teams and the talent pool through their services, on SQLite and PostgreSQL.

The clock stands at 2024-06-20 09:00 Beijing time. ``add_round`` gives 长沙市委 2024 round 1 (preparation from 18 March,
entry from 8 April, open-ended) with 第一巡察组 inspecting 芙蓉区 and 天心区.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy import func, select

from tests.conftest import PASSWORD, principal
from tests.support.inspection_people import SYSTEM, RoundIds, add_round, setup, unit
from tests.support.people import add_users
from zhengwu.core.db import Database
from zhengwu.core.errors import Conflict, Forbidden, Invalid, NotFound
from zhengwu.core.org.model import Principal
from zhengwu.inspection import model as m
from zhengwu.inspection.model import Evaluation, Specialty, Stage, StagePeriod, TeamRole
from zhengwu.inspection.service import cadres, plans, rounds
from zhengwu.inspection.tables import InspectionRoundStage, InspectionSecondment, InspectionTeam

TODAY = date(2024, 6, 20)


@pytest.fixture
def people(db: Database) -> dict[str, Principal]:
    found = setup(db)
    with db.uow(SYSTEM) as uow:
        add_users(
            uow,
            {
                "fr_office": ("cs-fr", [(m.VIEW, "subtree"), (m.ROUND_MANAGE, "subtree"), (m.CADRE_MANAGE, "subtree")]),
            },
            PASSWORD,
            "t_",
        )
        uow.commit()
    found["fr_office"] = principal(db, "fr_office")
    return found


@pytest.fixture
def rnd(db: Database, people: Any) -> RoundIds:
    return add_round(db)


def office(people: dict[str, Principal]) -> Principal:
    return people["cs_xcb_office"]


def new_cadre(db: Database, who: Principal, name: str, unit_code: str, *specialties: str) -> int:
    with db.uow(SYSTEM) as uow:
        c = cadres.add_cadre(uow, who, name=name, unit_id=unit(db, unit_code), post="科长", specialties=specialties)
        uow.commit()
        return c.id


def second(db: Database, who: Principal, cadre_id: int, team_id: int, role: str = "member") -> int:
    with db.uow(SYSTEM) as uow:
        s = cadres.second(uow, who, cadre_id, team_id, role)
        uow.commit()
        return s.id


# ------------------------------------------------------------------------------------------------------ rounds


def test_a_round_is_created_within_the_committee_units_scope_and_numbered_once_a_year(
    db: Database, people: Any
) -> None:
    args: dict[str, Any] = dict(
        committee_unit_id=unit(db, "cs"),
        number=3,
        year=2024,
        type="special",
        name="十二届市委第三轮巡察",
        approval="市委常委会会议 2024年第5次",
        starts_on=date(2024, 9, 2),
    )
    with db.uow(SYSTEM) as uow:
        r = rounds.create_round(uow, office(people), **args)
        uow.commit()
    assert r.type is m.RoundType.SPECIAL
    with db.uow(SYSTEM) as uow, pytest.raises(Invalid) as exc:
        rounds.create_round(uow, office(people), **args)
    assert exc.value.field == "number"
    with db.uow(SYSTEM) as uow, pytest.raises(Forbidden):
        rounds.create_round(uow, people["fr_office"], **{**args, "number": 4})
    with db.uow(SYSTEM) as uow, pytest.raises(Invalid) as exc:
        rounds.create_round(uow, office(people), **{**args, "number": 5, "type": "巡视"})
    assert exc.value.field == "type"


def test_the_list_is_newest_first_filtered_by_year_and_type_and_limited_to_the_readers_scope(
    db: Database, people: Any, rnd: RoundIds
) -> None:
    add_round(db, number=2, year=2024)
    add_round(db, number=1, year=2023)
    with db.reading() as s:
        listed = [(r.year, r.number) for r, _ in rounds.list_rounds(s, office(people))]
        assert listed == [(2024, 2), (2024, 1), (2023, 1)]
        assert [r.number for r, _ in rounds.list_rounds(s, office(people), year=2023)] == [1]
        assert rounds.list_rounds(s, office(people), type="cross") == []
        assert rounds.list_rounds(s, people["fr_office"]) == []  # 长沙市's rounds lie above 芙蓉区


def test_stages_are_replaced_as_a_checked_timeline_and_the_current_stage_follows_the_clock(
    db: Database, people: Any, rnd: RoundIds
) -> None:
    with db.reading() as s:
        version = rounds.get_round(s, office(people), rnd.round_id).version
        assert rounds.round_view(s, office(people), rnd.round_id, TODAY).current is Stage.ENTRY
    periods = [
        StagePeriod(Stage.PREPARATION, date(2024, 3, 18), date(2024, 4, 7)),
        StagePeriod(Stage.ENTRY, date(2024, 4, 8), date(2024, 5, 31)),
        StagePeriod(Stage.REPORT, date(2024, 6, 1), date(2024, 6, 15)),
        StagePeriod(Stage.FEEDBACK, date(2024, 6, 18)),
    ]
    with db.uow(SYSTEM) as uow:
        rounds.set_stages(uow, office(people), rnd.round_id, periods, version=version)
        uow.commit()
    with db.reading() as s:
        view = rounds.round_view(s, office(people), rnd.round_id, TODAY)
        assert [p.stage for p in view.stages] == [Stage.PREPARATION, Stage.ENTRY, Stage.REPORT, Stage.FEEDBACK]
        assert view.current is Stage.FEEDBACK
        assert view.round.version == version + 1
    with db.uow(SYSTEM) as uow, pytest.raises(Conflict):
        rounds.set_stages(uow, office(people), rnd.round_id, periods, version=version)
    bad = [StagePeriod(Stage.PREPARATION, date(2024, 3, 18), date(2024, 3, 1))]
    with db.uow(SYSTEM) as uow, pytest.raises(Invalid) as exc:
        rounds.set_stages(uow, office(people), rnd.round_id, bad, version=version + 1)
    assert exc.value.field == "preparation_ends_on"
    with db.uow(SYSTEM) as uow, pytest.raises(Invalid) as exc:
        rounds.set_stages(uow, office(people), rnd.round_id, [StagePeriod(Stage.ENTRY, date(2024, 4, 8))], version=None)
    assert exc.value.field == "preparation_starts_on"
    with db.reading() as s:
        count = s.scalar(select(func.count()).where(InspectionRoundStage.round_id == rnd.round_id))
    assert count == 4


def test_teams_are_named_once_per_round_and_record_their_petitions(db: Database, people: Any, rnd: RoundIds) -> None:
    with db.uow(SYSTEM) as uow:
        team = rounds.add_team(uow, office(people), rnd.round_id, "第二巡察组")
        uow.commit()
    with db.uow(SYSTEM) as uow, pytest.raises(Invalid) as exc:
        rounds.add_team(uow, office(people), rnd.round_id, "第二巡察组")
    assert exc.value.field == "name"
    with db.uow(SYSTEM) as uow:
        rounds.set_petitions(uow, office(people), team.id, 1234, version=team.version)
        uow.commit()
    with db.uow(SYSTEM) as uow, pytest.raises(Invalid):
        rounds.set_petitions(uow, office(people), team.id, -1)
    with db.reading() as s:
        assert rounds.round_view(s, office(people), rnd.round_id, TODAY).petitions == 1234


def test_a_target_must_lie_below_the_committee_unit_and_its_team_must_be_of_the_round(
    db: Database, people: Any, rnd: RoundIds
) -> None:
    other = add_round(db, number=2)
    with db.uow(SYSTEM) as uow:
        rounds.assign_target(uow, office(people), rnd.round_id, unit(db, "cs-yl"), rnd.team_id)
        rounds.assign_target(uow, office(people), rnd.round_id, unit(db, "cs-sj"), None)
        uow.commit()
    with db.uow(SYSTEM) as uow, pytest.raises(Invalid) as exc:
        rounds.assign_target(uow, office(people), rnd.round_id, unit(db, "cs"), None)
    assert exc.value.field == "unit_id"
    with db.uow(SYSTEM) as uow, pytest.raises(Invalid) as exc:
        rounds.assign_target(uow, office(people), rnd.round_id, unit(db, "cs-zjj"), other.team_id)
    assert exc.value.field == "team_id"
    with db.reading() as s:
        view = rounds.round_view(s, office(people), rnd.round_id, TODAY)
    assert [n for _, n in view.teams[0].targets] == ["芙蓉区", "天心区", "岳麓区"]
    assert [n for _, n in view.unassigned] == ["长沙市审计局"]


# ------------------------------------------------------------------------------------------------ talent pool


def test_a_cadre_of_the_unit_below_a_target_is_refused_with_the_reason(
    db: Database, people: Any, rnd: RoundIds
) -> None:
    town = new_cadre(db, office(people), "王五", "cs-fr-dh", "纪检监察")
    with db.uow(SYSTEM) as uow, pytest.raises(Invalid) as exc:
        cadres.second(uow, office(people), town, rnd.team_id, "member")
    assert "芙蓉区" in exc.value.message and "上级单位" in exc.value.message
    with db.reading() as s:
        assert s.scalar(select(func.count()).select_from(InspectionSecondment)) == 0


def test_a_declared_conflict_refuses_the_secondment_and_later_the_target(
    db: Database, people: Any, rnd: RoundIds
) -> None:
    auditor = new_cadre(db, office(people), "李四", "cs-sj", "审计", "finance")
    builder = new_cadre(db, office(people), "赵六", "cs-zjj")
    with db.uow(SYSTEM) as uow:
        cadres.declare_conflict(
            uow, office(people), auditor, unit_id=unit(db, "cs-tx"), reason="配偶在天心区任职", declared_on=TODAY
        )
        cadres.declare_conflict(
            uow, office(people), builder, unit_id=unit(db, "cs-yl"), reason="曾在岳麓区任职", declared_on=TODAY
        )
        uow.commit()
    with db.uow(SYSTEM) as uow, pytest.raises(Invalid) as exc:
        cadres.second(uow, office(people), auditor, rnd.team_id, "member")
    assert "天心区" in exc.value.message and "申报" in exc.value.message
    second(db, office(people), builder, rnd.team_id, "deputy")
    with db.uow(SYSTEM) as uow, pytest.raises(Invalid) as exc:
        rounds.assign_target(uow, office(people), rnd.round_id, unit(db, "cs-yl"), rnd.team_id)
    assert "赵六" in exc.value.message and exc.value.field == "team_id"


def test_a_team_has_one_leader_and_a_cadre_joins_a_team_once(db: Database, people: Any, rnd: RoundIds) -> None:
    a = new_cadre(db, office(people), "张三", "cs-sj")
    b = new_cadre(db, office(people), "钱七", "cs-zjj")
    second(db, office(people), a, rnd.team_id, "leader")
    with db.uow(SYSTEM) as uow, pytest.raises(Invalid) as exc:
        cadres.second(uow, office(people), b, rnd.team_id, "leader")
    assert exc.value.message == "第一巡察组已有组长，每个巡察组只能有一名组长。"
    with db.uow(SYSTEM) as uow, pytest.raises(Invalid):
        cadres.second(uow, office(people), a, rnd.team_id, "member")
    second(db, office(people), b, rnd.team_id, "member")
    with db.reading() as s:
        view = rounds.round_view(s, office(people), rnd.round_id, TODAY)
    assert [(x.name, x.role) for x in view.teams[0].members] == [("张三", TeamRole.LEADER), ("钱七", TeamRole.MEMBER)]


def test_the_pool_is_filtered_by_specialty_and_unit_within_scope(db: Database, people: Any) -> None:
    new_cadre(db, office(people), "李四", "cs-sj", "审计")
    new_cadre(db, office(people), "王五", "cs-fr-dh", "discipline")
    with db.reading() as s:
        assert [c.name for c, _, _ in cadres.list_cadres(s, office(people), specialty="audit")] == ["李四"]
        assert [c.name for c, _, _ in cadres.list_cadres(s, office(people), unit_id=unit(db, "cs-fr-dh"))] == ["王五"]
        assert [c.name for c, _, _ in cadres.list_cadres(s, people["fr_office"])] == ["王五"]
        with pytest.raises(NotFound):
            cadres.cadre_view(s, people["fr_office"], cadres.list_cadres(s, office(people), specialty="审计")[0][0].id)
    with db.uow(SYSTEM) as uow, pytest.raises(Invalid) as exc:
        cadres.add_cadre(uow, office(people), name="某", unit_id=unit(db, "cs-sj"), specialties=["烹饪"])
    assert exc.value.field == "specialties"


def test_figures_count_seconded_cadres_units_evaluations_commendations_and_promotions_in_a_year(
    db: Database, people: Any, rnd: RoundIds
) -> None:
    with db.uow(SYSTEM) as uow:
        rounds.update_round(
            uow,
            office(people),
            rnd.round_id,
            version=None,
            committee_unit_id=rnd.committee,
            number=1,
            year=2024,
            type="regular",
            name="十二届市委第1轮巡察",
            approval="",
            starts_on=date(2024, 3, 18),
            ends_on=date(2024, 6, 30),
            plan_id=None,
        )
        uow.commit()
    ids = [new_cadre(db, office(people), f"干部{i}", "cs-sj" if i < 3 else "cs-zjj") for i in range(5)]
    secondments = [second(db, office(people), c, rnd.team_id) for c in ids]  # in cadre order
    promoted = {0: date(2025, 3, 1), 1: date(2025, 7, 1), 2: date(2024, 5, 1)}  # inside, too late, before the end
    with db.uow(SYSTEM) as uow:
        for i, sid in enumerate(secondments):
            cadres.evaluate(
                uow,
                office(people),
                sid,
                evaluation="excellent" if i < 2 else "competent",
                commended=i == 0,
                promoted_on=promoted.get(i),
            )
        uow.commit()
    with db.reading() as s:
        per_round, total = cadres.cadre_figures(s, office(people))
    assert total.seconded == 5 and per_round[0].seconded == 5
    assert total.by_unit == [("长沙市审计局", 3), ("长沙市住房和城乡建设局", 2)]
    assert total.by_evaluation[Evaluation.EXCELLENT] == 2 and total.by_evaluation[Evaluation.COMPETENT] == 3
    assert (total.commended, total.promoted) == (1, 1)
    with db.uow(SYSTEM) as uow, pytest.raises(Invalid) as exc:
        cadres.evaluate(uow, office(people), secondments[0], evaluation="优良")
    assert exc.value.field == "evaluation"


def test_many_secondments_in_one_unit_of_work(db: Database, people: Any, rnd: RoundIds) -> None:
    with db.uow(SYSTEM) as uow:
        team = uow.session.get(InspectionTeam, rnd.team_id)
        assert team is not None
        for i in range(60):
            c = cadres.add_cadre(
                uow, office(people), name=f"干部{i}", unit_id=unit(db, "cs-sj"), specialties=[Specialty.AUDIT]
            )
            cadres.second(uow, office(people), c.id, team.id, "member")
        uow.commit()
    with db.reading() as s:
        assert rounds.round_view(s, office(people), rnd.round_id, TODAY).seconded == 60


# ------------------------------------------------------------------------------------------------------ plans


def test_plan_coverage_groups_targets_by_district_and_counts_those_in_a_round_of_the_plan(
    db: Database, people: Any
) -> None:
    with db.uow(SYSTEM) as uow:
        plan = plans.create_plan(
            uow,
            office(people),
            committee_unit_id=unit(db, "cs"),
            name="十二届市委巡察规划",
            first_year=2022,
            last_year=2026,
        )
        codes = ["cs-fr-dh", "cs-fr-dh-hl", "cs-tx-ps", "cs-yl-lsh-xj", "cs-sj"]
        assert plans.add_plan_targets(uow, office(people), plan.id, [unit(db, c) for c in codes], 1) == 5
        r = rounds.create_round(
            uow,
            office(people),
            committee_unit_id=unit(db, "cs"),
            number=1,
            year=2024,
            type="regular",
            name="第一轮",
            approval="",
            starts_on=date(2024, 3, 1),
            plan_id=plan.id,
        )
        rounds.assign_target(uow, office(people), r.id, unit(db, "cs-fr-dh-hl"), None)
        rounds.assign_target(uow, office(people), r.id, unit(db, "cs-sj"), None)
        uow.commit()
    with db.uow(SYSTEM) as uow, pytest.raises(Invalid):
        plans.add_plan_targets(uow, office(people), plan.id, [unit(db, "cs")])
    with db.reading() as s:
        c = plans.plan_coverage(s, office(people), plan.id)
    rows = {d.name: (d.planned, d.covered, plans.format_rate(d.rate)) for d in c.districts}
    assert rows == {
        "芙蓉区": (2, 1, "50.0%"),
        "天心区": (1, 0, "0.0%"),
        "岳麓区": (1, 0, "0.0%"),
        "长沙市审计局": (1, 1, "100.0%"),
    }
    assert (c.planned, c.covered) == (5, 2)
    with db.uow(SYSTEM) as uow:
        empty = plans.create_plan(
            uow, office(people), committee_unit_id=unit(db, "cs"), name="空", first_year=2027, last_year=2027
        )
        uow.commit()
    with db.reading() as s:
        assert plans.format_rate(plans.plan_coverage(s, office(people), empty.id).rate) == "—"
