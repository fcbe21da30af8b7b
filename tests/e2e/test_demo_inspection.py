"""``zhengwu demo`` tells the seed's third story (湖南日报, 2024: 长沙市以高质量巡察助推高质量发展) as records of
中共长沙市委's rounds: every figure below is counted from the records the demo wrote, with SQL over the tables —
never a constant of the demo nor a figure computed by the service that shows it.

Reference values, all from the seed article (../shared/seed/): "对 184 家党组织开展巡察，共发现问题 5985 个、问题线索
206 条"; "市委第六轮巡察…共抽调 395人参加对 55 家单位的…巡察，推动办结信访件 1234 件"; "近年来推动立行立改问题 639
个"; "8 个区县（市）、12 个园区及 78 个市直单位共计查摆出问题 1539 个，已完成并长期坚持 1499 个，解决民生实事 102 件，
推动健全各类规章制度 284 项"; "组织处理 1 人（免职）、诫勉 4 人、批评教育 29 人，退缴资金 223.04 万元，追回资金挽回直接
经济损失 191.62 万元"; "今年 5 月 31 日，长沙市委第一巡察组进驻荷花园街道开展提级专项巡察".
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import and_, distinct, func, select
from sqlalchemy.orm import Session

from tests.conftest import ENGINES
from tests.support.demo_db import DEMO_GROUP
from zhengwu.core.audit.service import verify
from zhengwu.core.db import Database
from zhengwu.core.matters.tables import Matter, MatterEvent
from zhengwu.core.org.model import system_principal
from zhengwu.core.org.tables import Unit, User
from zhengwu.inspection.demo_story import LEAD_TITLE
from zhengwu.inspection.model import STAGES, Stage, conflict
from zhengwu.inspection.model.money import Outcome, parse_yuan
from zhengwu.inspection.model.workflows import FINDING_KIND, ITEM_KIND, LEAD_KIND, Approver
from zhengwu.inspection.tables import (
    Accountability,
    FindingMatter,
    InspectionCadre,
    InspectionConflict,
    InspectionRound,
    InspectionRoundStage,
    InspectionRoundTarget,
    InspectionSecondment,
    InspectionTeam,
    ItemApproval,
    ItemEvidence,
    ItemMatter,
    LeadMatter,
    ProblemList,
    ProblemListUnit,
    SelfCheck,
)

TZ = ZoneInfo("Asia/Shanghai")
#: One worker runs every module counting the demo's records and builds the demo once per engine for all of them.
pytestmark = pytest.mark.xdist_group(DEMO_GROUP)
#: Where the story ends: the figures "at the demo's end" are taken at this instant.
END = datetime(2024, 12, 31, 18, 0, tzinfo=TZ)


@pytest.fixture(scope="module", params=ENGINES)
def demo(request: pytest.FixtureRequest, demo_dbs: Callable[[str], Database]) -> Database:
    """The demo built into a fresh SQLite file (and a scratch PostgreSQL database when one is available)."""
    return demo_dbs(request.param)


def count(s: Session, stmt: object) -> int:
    return int(s.scalar(stmt) or 0)  # type: ignore[call-overload]


def tally(s: Session, entity: object, *where: object) -> int:
    """The rows of ``entity`` meeting every condition of ``where``."""
    return count(s, select(func.count()).select_from(entity).where(*where))  # type: ignore[arg-type]


def unit_id(s: Session, code: str) -> int:
    found = s.scalar(select(Unit.id).where(Unit.code == code))
    assert found is not None
    return found


def big_round(s: Session) -> InspectionRound:
    """The round of the 395 seconded cadres: the committee's sixth of the year."""
    return s.scalars(select(InspectionRound).where(InspectionRound.number == 6)).one()


def test_the_city_committee_inspected_184_organisations_in_2024(demo: Database) -> None:
    with demo.reading() as s:
        rounds = select(InspectionRound.id).where(
            InspectionRound.committee_unit_id == unit_id(s, "cs"), InspectionRound.year == 2024
        )
        inspected = count(
            s,
            select(func.count(distinct(InspectionRoundTarget.unit_id))).where(
                InspectionRoundTarget.round_id.in_(rounds)
            ),
        )
        types = set(s.scalars(select(InspectionRound.type).distinct()))
    assert inspected == 184
    assert {t.value for t in types} == {"regular", "special", "elevated", "cross"}


def test_the_rounds_found_5985_problems_not_counting_withdrawn_ones(demo: Database) -> None:
    with demo.reading() as s:
        kept = tally(s, FindingMatter, FindingMatter.status != "withdrawn")
        withdrawn = tally(s, FindingMatter, FindingMatter.status == "withdrawn")
        t = InspectionRoundTarget
        own = select(t.unit_id).where(t.round_id == FindingMatter.round_id, t.unit_id == FindingMatter.target_unit_id)
        without_target = tally(s, FindingMatter, ~own.exists())
    assert kept == 5985
    assert withdrawn > 0  # the count above leaves them out on purpose
    assert without_target == 0  # every finding names a target of its own round


def test_206_leads_were_handed_over_and_639_findings_rectified_immediately(demo: Database) -> None:
    with demo.reading() as s:
        leads = count(s, select(func.count()).select_from(Matter).where(Matter.kind == LEAD_KIND))
        f = FindingMatter
        immediate = tally(s, f, f.immediate_notice.is_not(None), f.status != "withdrawn")
        immediate_done = tally(s, f, f.immediate_done_on.is_not(None))
    assert leads == 206
    assert immediate == 639 == immediate_done


def test_round_six_seconded_395_cadres_none_conflicted_to_inspect_55_units_and_handle_1234_petitions(
    demo: Database,
) -> None:
    with demo.reading() as s:
        rnd = big_round(s)
        teams = select(InspectionTeam.id).where(InspectionTeam.round_id == rnd.id)
        secondments = tally(s, InspectionSecondment, InspectionSecondment.team_id.in_(teams))
        cadres = count(
            s,
            select(func.count(distinct(InspectionSecondment.cadre_id))).where(InspectionSecondment.team_id.in_(teams)),
        )
        targets = tally(s, InspectionRoundTarget, InspectionRoundTarget.round_id == rnd.id)
        petitions = count(s, select(func.sum(InspectionTeam.petitions)).where(InspectionTeam.round_id == rnd.id))
        paths: dict[int, str] = {i: p for i, p in s.execute(select(Unit.id, Unit.path))}
        declared: dict[int, set[int]] = {}
        for cadre_id, conflict_unit in s.execute(select(InspectionConflict.cadre_id, InspectionConflict.unit_id)):
            declared.setdefault(cadre_id, set()).add(conflict_unit)
        pairs = s.execute(
            select(InspectionCadre.id, InspectionCadre.unit_id, InspectionRoundTarget.unit_id)
            .join(InspectionSecondment, InspectionSecondment.cadre_id == InspectionCadre.id)
            .join(InspectionRoundTarget, InspectionRoundTarget.team_id == InspectionSecondment.team_id)
            .where(InspectionRoundTarget.round_id == rnd.id)
        ).all()
        clashes = [(c, t) for c, u, t in pairs if conflict(paths[u], declared.get(c, set()), t, paths[t]) is not None]
    assert (secondments, cadres, targets, petitions) == (395, 395, 55, 1234)
    assert clashes == []


def test_the_parks_list_went_to_8_districts_12_parks_78_city_units_who_found_1539_and_completed_1499(
    demo: Database,
) -> None:
    with demo.reading() as s:
        list_id = s.scalars(select(ProblemList.id).where(ProblemList.title.contains("园区"))).one()
        by_group = (
            select(ProblemListUnit.group, func.count())
            .where(ProblemListUnit.list_id == list_id)
            .group_by(ProblemListUnit.group)
        )
        groups = {group: n for group, n in s.execute(by_group)}
        found, rectified = s.execute(
            select(func.sum(SelfCheck.found), func.sum(SelfCheck.rectified)).where(SelfCheck.list_id == list_id)
        ).one()
        livelihood, regulations = s.execute(
            select(func.sum(ProblemListUnit.livelihood), func.sum(ProblemListUnit.regulations)).where(
                ProblemListUnit.list_id == list_id
            )
        ).one()
        plu = ProblemListUnit
        unreported = tally(s, plu, plu.list_id == list_id, plu.reported_at.is_(None))
    assert groups == {"区县（市）": 8, "园区": 12, "市直单位": 78}
    # The seed's "共计": the figures of all 98 units the list was issued to, together.
    assert (found, rectified, livelihood, regulations) == (1539, 1499, 102, 284)
    assert unreported == 0


def test_the_civil_affairs_bureau_held_34_people_accountable_and_returned_and_recovered_the_seed_s_sums(
    demo: Database,
) -> None:
    with demo.reading() as s:
        by_outcome = (
            select(Accountability.outcome, func.count())
            .where(Accountability.outcome.is_not(None))
            .group_by(Accountability.outcome)
        )
        outcomes = {outcome: n for outcome, n in s.execute(by_outcome)}
        returned, recovered = s.execute(
            select(func.sum(Accountability.returned), func.sum(Accountability.recovered))
        ).one()
        units = set(s.scalars(select(Unit.name).join(Accountability, Accountability.unit_id == Unit.id)))
    assert outcomes == {Outcome.REMOVAL: 1, Outcome.ADMONISHMENT: 4, Outcome.CRITICISM: 29}
    assert returned == parse_yuan("223.04万") and recovered == parse_yuan("191.62万")
    assert units == {"长沙市民政局"}


def test_every_inspection_record_is_dated_in_2024_beijing_time(demo: Database) -> None:
    kinds = (FINDING_KIND, LEAD_KIND, ITEM_KIND)
    with demo.reading() as s:
        first, last = s.execute(
            select(func.min(MatterEvent.at), func.max(MatterEvent.at))
            .join(Matter, Matter.id == MatterEvent.matter_id)
            .where(Matter.kind.in_(kinds))
        ).one()
        starts = list(s.scalars(select(InspectionRoundStage.starts_on)))
    assert first.astimezone(TZ).year == last.astimezone(TZ).year == 2024
    assert all(d.year == 2024 for d in starts)


def test_the_audit_chain_holds_after_the_story(demo: Database) -> None:
    with demo.reading() as s:
        assert verify(s).broken is None


# ---------------------------------------------------------------------------------------- the walkable story


def test_round_three_has_every_stage_from_preparation_to_follow_up_evaluation_and_entered_on_31_may(
    demo: Database,
) -> None:
    with demo.reading() as s:
        rnd = s.scalars(select(InspectionRound).where(InspectionRound.number == 3)).one()
        stages = {
            st: (start, end)
            for st, start, end in s.execute(
                select(InspectionRoundStage.stage, InspectionRoundStage.starts_on, InspectionRoundStage.ends_on).where(
                    InspectionRoundStage.round_id == rnd.id
                )
            )
        }
        hhy = unit_id(s, "cs-fr-hhy")
        team = s.scalar(
            select(InspectionTeam.name)
            .join(InspectionRoundTarget, InspectionRoundTarget.team_id == InspectionTeam.id)
            .where(InspectionRoundTarget.round_id == rnd.id, InspectionRoundTarget.unit_id == hhy)
        )
    assert set(stages) == set(STAGES)
    assert all(end is not None for _start, end in stages.values())
    assert stages[Stage.ENTRY][0] == date(2024, 5, 31)
    assert team == "第一巡察组"


def test_the_water_supply_of_hengda_community_was_fixed_at_once(demo: Database) -> None:
    with demo.reading() as s:
        finding = s.scalars(select(FindingMatter).where(FindingMatter.title.contains("聚心苑"))).one()
    assert finding.status == "closed"
    assert finding.immediate_notice and finding.immediate_done_on is not None
    assert finding.immediate_ordered_on is not None and finding.immediate_ordered_on >= date(2024, 5, 31)


def test_an_item_was_sent_back_once_then_signed_off_with_both_approvals_of_its_second_cycle(demo: Database) -> None:
    with demo.reading() as s:
        item = s.scalars(select(ItemMatter).where(ItemMatter.title == "规范社区“三资”管理")).one()
        actions = list(
            s.scalars(select(MatterEvent.action).where(MatterEvent.matter_id == item.id).order_by(MatterEvent.id))
        )
        approvals = s.execute(
            select(ItemApproval.approver, ItemApproval.cycle, User.username)
            .join(User, User.id == ItemApproval.user_id)
            .where(ItemApproval.item_id == item.id)
        ).all()
        finding = s.get(FindingMatter, item.finding_id)
        assert finding is not None
    assert actions.count("send_back") == 1 and actions.count("submit") == 2
    assert item.status == "closed" and item.cycle == 1 and item.completed_on is not None
    final = {(a, u) for a, c, u in approvals if c == item.cycle}
    assert final == {(Approver.HEAD, "cs_fr_head"), (Approver.SUPERVISOR, "cs_supervisor")}
    assert finding.status == "closed"


def test_a_lead_was_handed_over_to_the_city_commission_and_fed_back(demo: Database) -> None:
    with demo.reading() as s:
        lead = s.scalars(select(LeadMatter).where(LeadMatter.title == LEAD_TITLE)).one()
        actions = list(
            s.scalars(select(MatterEvent.action).where(MatterEvent.matter_id == lead.id).order_by(MatterEvent.id))
        )
        jw = unit_id(s, "cs-jw")
    assert lead.receiving_unit_id == lead.owner_unit_id == jw
    assert actions == ["open", "receive", "feed_back", "close"]
    assert lead.status == "closed" and lead.disposal is not None and lead.feedback
    assert lead.due_on == date(2025, 2, 19)  # 6 calendar months after the handover on 19 August


def test_the_figures_service_shows_the_same_seed_figures_as_the_records(demo: Database) -> None:
    """The figures page's numbers agree with the counts above (a check of both; the counts above stand alone)."""
    from zhengwu.inspection.service.figures import inspection_figures

    now = datetime(2025, 1, 1, tzinfo=UTC)
    with demo.reading() as s:
        cs, big = unit_id(s, "cs"), big_round(s).id
        year = inspection_figures(s, system_principal(), committee_unit_id=cs, year=2024, now=now).totals
        sixth = inspection_figures(s, system_principal(), round_id=big, now=now).totals
    assert (year.organisations, year.findings, year.leads, year.immediate) == (184, 5985, 206, 639)
    assert {o: n for o, n in year.outcomes.items() if n} == {
        Outcome.REMOVAL: 1,
        Outcome.ADMONISHMENT: 4,
        Outcome.CRITICISM: 29,
    }
    assert (year.returned, year.recovered) == (parse_yuan("223.04万"), parse_yuan("191.62万"))
    assert (sixth.organisations, sixth.cadres, sixth.secondments, sixth.petitions) == (55, 395, 395, 1234)


# ---------------------------------------------------------------------------------------- rectification items


def item_counts(s: Session) -> tuple[int, int, int, int]:
    """Items: total, signed off, not signed off, and open past their due time at the demo's end."""
    i = ItemMatter
    closed, overdue = i.status == "closed", and_(i.resolved_at.is_(None), i.due_at < END)
    return (tally(s, i), tally(s, i, closed), tally(s, i, ~closed), tally(s, i, overdue))


def test_every_fed_back_finding_of_the_rounds_rectifying_has_items_due_on_its_report_due_date(demo: Database) -> None:
    f, i = FindingMatter, ItemMatter
    with demo.reading() as s:
        stage = InspectionRoundStage
        rounds = select(stage.round_id).where(stage.stage == Stage.RECTIFICATION, stage.starts_on <= END.date())
        fed_back = select(f.id).where(f.round_id.in_(rounds), f.fed_back_on.is_not(None), f.status != "withdrawn")
        fed_back = fed_back.where(f.immediate_notice.is_(None)).correlate(None)
        with_items = select(i.finding_id).correlate(None)
        findings = tally(s, f, f.id.in_(fed_back))
        without = tally(s, f, f.id.in_(fed_back), ~f.id.in_(with_items))
        elsewhere = tally(s, i, ~i.finding_id.in_(fed_back))
        t = f.__table__
        due = select(func.count()).select_from(i).join(t, t.c.id == i.finding_id)
        misdated = count(s, due.where((i.due_on != t.c.report_due_on) | i.parent_id.is_distinct_from(i.finding_id)))
        numbers = set(s.scalars(select(InspectionRound.number).where(InspectionRound.id.in_(rounds))))
    assert numbers == {1, 2, 3, 4, 5}
    assert findings > 3000 and without == 0 and elsewhere == 0
    assert misdated == 0  # each item is a child of its finding, due on the finding's report due date


def test_most_items_are_signed_off_some_still_rectifying_and_a_few_overdue_at_the_demo_s_end(demo: Database) -> None:
    i = ItemMatter
    with demo.reading() as s:
        total, closed, open_, overdue = item_counts(s)
        completed = tally(s, i, (i.status == "closed") == i.completed_on.is_not(None))
        signed_late = tally(s, i, i.status == "closed", i.resolved_at >= END)
    assert total == closed + open_ and total > 5000
    assert closed > total * 0.7  # most signed off
    assert open_ > overdue > 0  # some still rectifying, a few of them overdue
    assert overdue < total * 0.1
    assert completed == total and signed_late == 0


def test_every_signed_off_item_has_its_evidence_and_both_approvals_of_its_cycle_by_different_people(
    demo: Database,
) -> None:
    a, i = ItemApproval, ItemMatter
    with demo.reading() as s:
        closed = select(i.id).where(i.status == "closed").correlate(None)
        this_cycle = select(a.item_id, a.approver, a.user_id).join(i, and_(i.id == a.item_id, i.cycle == a.cycle))
        approvals = s.execute(this_cycle.where(a.item_id.in_(closed))).all()
        n_closed = tally(s, i, i.id.in_(closed))
        when = select(func.count()).select_from(a).join(i, i.id == a.item_id)
        untimely = count(s, when.where((a.approved_at > i.resolved_at) | (a.approved_at < i.received_at)))
        e = ItemEvidence
        evidenced = select(e.item_id).join(
            i, and_(i.id == e.item_id, i.cycle == e.cycle, e.uploaded_at <= i.resolved_at)
        )
        without_evidence = tally(s, i, i.id.in_(closed), ~i.id.in_(evidenced.correlate(None)))
    by_item: dict[int, dict[Approver, int]] = {}
    for item_id, approver, user_id in approvals:
        by_item.setdefault(item_id, {})[approver] = user_id
    assert len(by_item) == n_closed
    assert all(set(given) == set(Approver) and len(set(given.values())) == 2 for given in by_item.values())
    assert untimely == 0  # approved after the item was opened, and by its sign-off
    assert without_evidence == 0  # each submitted with its evidence (佐证材料) before it was signed off


def test_a_finding_with_items_is_closed_exactly_when_all_its_items_are_signed_off(demo: Database) -> None:
    f, i = FindingMatter, ItemMatter
    with demo.reading() as s:
        open_items = select(i.finding_id).where(i.status != "closed").correlate(None)
        with_items = select(i.finding_id).correlate(None)
        closed_with_open = tally(s, f, f.status == "closed", f.id.in_(open_items))
        open_all_signed = tally(s, f, f.status != "closed", f.id.in_(with_items), ~f.id.in_(open_items))
        closed_with_items = tally(s, f, f.status == "closed", f.id.in_(with_items))
    assert closed_with_open == 0 and open_all_signed == 0
    assert closed_with_items > 2000


def test_the_figures_service_shows_the_items_completion_rate_and_overdue_count_of_the_records(demo: Database) -> None:
    from zhengwu.inspection.service.figures import inspection_figures

    with demo.reading() as s:
        total, closed, _open, overdue = item_counts(s)
        year = inspection_figures(s, system_principal(), committee_unit_id=unit_id(s, "cs"), year=2024, now=END).totals
    assert (year.items, year.items_closed, year.items_overdue) == (total, closed, overdue)
    assert year.completion_rate == closed / total
