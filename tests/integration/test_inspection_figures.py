"""Inspection figures through the service, on SQLite and PostgreSQL, over hand-built records (ORM inserts) whose
expected figures are counted by hand below.

The records (committee unit 长沙市 ``cs`` unless said; districts are 长沙市's children):

* R1, 2024 round 1 (``add_round``): 第一巡察组 T1 (100 petitions, cadres C1 C2) inspects 芙蓉区 and 天心区.
  Findings F1 芙蓉区 (immediate, done), F2 芙蓉区 (withdrawn), F3 天心区 (immediate, not done), F4 天心区 with items
  I1 (closed), I2 (open, due 1 June: overdue), I3 (open, due 31 October). Lead L1 on 天心区. Accountability: a removal
  at 天心区 with 1,000.50 元 returned.
* R2, 2024 round 2: T2a (30 petitions, C1) inspects 荷花池社区 (in 芙蓉区) and 新街村 (in 岳麓区); T2b (5, C3) inspects
  长沙市审计局. Findings F5 荷花池社区 with item I4 (open, due 10 June: overdue), F6 新街村, F7 审计局. Leads L2, L3 on
  新街村. Two admonishments at 新街村 with 100.10 and 100.15 元 recovered.
* R3, 2023 round 1: T3 (7 petitions, C2) inspects 芙蓉区. Finding F8 with item I5 (closed).
* Not tied to a round: a criticism at 定王台街道 (芙蓉区) with 0.10 元 returned and a record without outcome at
  荷花池社区 with 0.20 元 returned, both in 2024; a criticism at 岳麓区 in 2023 with 50.00 元 recovered; a removal at
  凤凰县公路建设养护中心 (outside 长沙市) in 2024.
* Another committee: 凤凰县's 2024 round inspecting 养护中心 with finding F9 and lead L4 (never counted for 长沙市).

``now`` is 20 June 2024 09:00 Beijing time (the test clock).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select

from tests.support.inspection_people import SYSTEM, add_round, category, setup, unit
from zhengwu.core.clock import FakeClock
from zhengwu.core.db import Database
from zhengwu.core.errors import Invalid, NotFound
from zhengwu.core.org.model import Grant, Principal, Scope
from zhengwu.core.org.tables import Unit
from zhengwu.inspection.model import VIEW, RoundType, SubjectKind
from zhengwu.inspection.model.money import Outcome
from zhengwu.inspection.model.workflows import FindingState, ItemState, LeadState, Recipient
from zhengwu.inspection.service.figures import Figures, GroupBy, Measures, inspection_figures
from zhengwu.inspection.tables import (
    Accountability,
    FindingMatter,
    InspectionCadre,
    InspectionRound,
    InspectionRoundTarget,
    InspectionSecondment,
    InspectionTeam,
    ItemMatter,
    LeadMatter,
)

T0 = datetime(2024, 5, 6, 2, 0, tzinfo=UTC)


def _at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 15, 59, 59, tzinfo=UTC)  # end of the day in Beijing


def build(db: Database) -> dict[str, Any]:
    """The records described in the module docstring; returns the people and ids."""
    people = setup(db)
    r1 = add_round(db, 1, 2024)
    u = {c: unit(db, c) for c in ("cs", "cs-fr", "cs-tx", "cs-fr-dh", "cs-fr-dh-hl", "cs-yl", "cs-yl-lsh-xj")}
    u.update({c: unit(db, c) for c in ("cs-sj", "cs-zjj", "cs-jw", "fh", "fh-gl")})
    cat = category(db, "conduct")
    seq = iter(range(1, 1000))

    def matter(cls: Any, prefix: str, owner: int, status: str, **kw: Any) -> Any:
        n = next(seq)
        return cls(
            serial=f"{prefix}2024-{n:03d}",
            year=2024,
            seq=n,
            title=f"测试{prefix}{n}",
            owner_unit_id=owner,
            status=status,
            created_at=T0,
            received_at=T0,
            **kw,
        )

    with db.uow(SYSTEM) as uow:
        s = uow.session

        def round_(committee: str, number: int, year: int, teams: dict[str, tuple[int, list[str]]]) -> Any:
            rnd = InspectionRound(
                committee_unit_id=u[committee],
                number=number,
                year=year,
                type=RoundType.REGULAR,
                name=f"测试{committee}{year}年第{number}轮",
                starts_on=date(year, 3, 1),
            )
            s.add(rnd)
            s.flush()
            ids = {}
            for name, (petitions, targets) in teams.items():
                team = InspectionTeam(round_id=rnd.id, name=name, petitions=petitions)
                s.add(team)
                s.flush()
                ids[name] = team.id
                for code in targets:
                    s.add(InspectionRoundTarget(round_id=rnd.id, unit_id=u[code], team_id=team.id))
            return rnd, ids

        r2, t2 = round_("cs", 2, 2024, {"T2a": (30, ["cs-fr-dh-hl", "cs-yl-lsh-xj"]), "T2b": (5, ["cs-sj"])})
        r3, t3 = round_("cs", 1, 2023, {"T3": (7, ["cs-fr"])})
        rf, _ = round_("fh", 1, 2024, {"FH": (9, ["fh-gl"])})
        t1 = s.get(InspectionTeam, r1.team_id)
        assert t1 is not None
        t1.petitions = 100

        def finding(rnd: int, code: str, status: FindingState = FindingState.FED_BACK, **kw: Any) -> int:
            f = matter(FindingMatter, "巡", u[code], status.value, round_id=rnd, target_unit_id=u[code], **kw)
            f.category_id = cat
            s.add(f)
            s.flush()
            return int(f.id)

        ordered = {"immediate_notice": "立即整改", "immediate_ordered_on": date(2024, 4, 20)}
        finding(r1.round_id, "cs-fr", FindingState.CLOSED, **ordered, immediate_done_on=date(2024, 4, 28))
        finding(r1.round_id, "cs-fr", FindingState.WITHDRAWN)
        finding(r1.round_id, "cs-tx", FindingState.IMMEDIATE, **ordered)
        f4 = finding(r1.round_id, "cs-tx", FindingState.RECTIFYING)
        f5 = finding(r2.id, "cs-fr-dh-hl")
        finding(r2.id, "cs-yl-lsh-xj")
        finding(r2.id, "cs-sj")
        f8 = finding(r3.id, "cs-fr", FindingState.CLOSED)
        finding(rf.id, "fh-gl")

        def item(f: int, code: str, due: date, closed: bool = False) -> None:
            state = ItemState.CLOSED if closed else ItemState.RECTIFYING
            i = matter(ItemMatter, "改", u[code], state.value, finding_id=f, measure="整改", responsible="张三")
            i.parent_id, i.due_on, i.due_at = f, due, _at(due)
            if closed:
                i.resolved_at = i.closed_at = _at(due) - timedelta(days=3)
            s.add(i)

        item(f4, "cs-tx", date(2024, 5, 31), closed=True)  # I1
        item(f4, "cs-tx", date(2024, 6, 1))  # I2: overdue
        item(f4, "cs-tx", date(2024, 10, 31))  # I3
        item(f5, "cs-fr-dh-hl", date(2024, 6, 10))  # I4: overdue
        item(f8, "cs-fr", date(2023, 9, 30), closed=True)  # I5

        def lead(rnd: int, code: str) -> None:
            handed = date(2024, 5, 10)
            s.add(
                matter(
                    LeadMatter,
                    "线",
                    u["cs-jw"],
                    LeadState.HANDED_OVER.value,
                    round_id=rnd,
                    target_unit_id=u[code],
                    recipient=Recipient.DISCIPLINE_COMMISSION,
                    receiving_unit_id=u["cs-jw"],
                    handed_over_on=handed,
                    due_on=date(2024, 11, 10),
                )
            )

        lead(r1.round_id, "cs-tx")
        lead(r2.id, "cs-yl-lsh-xj")
        lead(r2.id, "cs-yl-lsh-xj")
        lead(rf.id, "fh-gl")

        cadres = []
        for name in ("C1", "C2", "C3"):
            c = InspectionCadre(name=name, unit_id=u["cs-zjj"])
            s.add(c)
            s.flush()
            cadres.append(c.id)
        c1, c2, c3 = cadres
        for cadre, team in ((c1, r1.team_id), (c2, r1.team_id), (c1, t2["T2a"]), (c3, t2["T2b"]), (c2, t3["T3"])):
            s.add(InspectionSecondment(cadre_id=cadre, team_id=team, role="member"))

        def held(rnd: int | None, code: str, outcome: Outcome | None, day: date, **money: str) -> None:
            s.add(
                Accountability(
                    round_id=rnd,
                    unit_id=u[code],
                    subject_kind=SubjectKind.PERSON,
                    subject_name="某某",
                    outcome=outcome,
                    decided_on=day,
                    **{k: Decimal(v) for k, v in money.items()},
                )
            )

        held(r1.round_id, "cs-tx", Outcome.REMOVAL, date(2024, 6, 1), returned="1000.50")
        held(r2.id, "cs-yl-lsh-xj", Outcome.ADMONISHMENT, date(2024, 6, 2), recovered="100.10")
        held(r2.id, "cs-yl-lsh-xj", Outcome.ADMONISHMENT, date(2024, 6, 3), recovered="100.15")
        held(None, "cs-fr-dh", Outcome.CRITICISM, date(2024, 5, 1), returned="0.10")
        held(None, "cs-fr-dh-hl", None, date(2024, 5, 2), returned="0.20")
        held(None, "cs-yl", Outcome.CRITICISM, date(2023, 11, 1), recovered="50.00")
        held(None, "fh-gl", Outcome.REMOVAL, date(2024, 5, 3))
        uow.commit()
    return {"people": people, "units": u, "r1": r1.round_id, "r2": r2.id, "r3": r3.id, "rf": rf.id}


@pytest.fixture
def records(db: Database) -> dict[str, Any]:
    return build(db)


def figures(db: Database, clock: FakeClock, who: Principal, **kw: Any) -> Figures:
    with db.reading() as s:
        return inspection_figures(s, who, now=clock.now(), **kw)


def rows(f: Figures) -> dict[str, Measures]:
    return {r.label: r.measures for r in f.rows}


def test_a_year_by_district_counts_each_figure_of_the_committees_rounds(
    db: Database, clock: FakeClock, records: dict[str, Any]
) -> None:
    f = figures(db, clock, records["people"]["cs_xcb_office"], committee_unit_id=records["units"]["cs"], year=2024)
    t = f.totals
    assert (f.committee_name, f.period_label, f.group_by) == ("长沙市", "2024年", GroupBy.DISTRICT)
    # Targets of R1 and R2: 芙蓉区, 天心区, 荷花池社区, 新街村, 审计局.
    assert t.organisations == 5
    # F1 F3 F4 F5 F6 F7 (F2 withdrawn, F8 is 2023's, F9 凤凰县's); immediate F1 F3, done F1.
    assert (t.findings, t.immediate, t.immediate_done) == (6, 2, 1)
    # L1 L2 L3.
    assert t.leads == 3
    # I1–I4: I1 closed, I2 and I4 past due and open.
    assert (t.items, t.items_closed, t.items_overdue, t.completion_rate) == (4, 1, 2, 0.25)
    # T1 100 + T2a 30 + T2b 5; cadres C1 C2 C3 in four secondments.
    assert (t.petitions, t.cadres, t.secondments) == (135, 3, 4)
    # R1's removal, R2's two admonishments, the unlinked criticism at 定王台街道 (凤凰县's removal is outside).
    assert t.outcomes == {Outcome.REMOVAL: 1, Outcome.ADMONISHMENT: 2, Outcome.CRITICISM: 1}
    assert f.outcomes == [Outcome.CRITICISM, Outcome.ADMONISHMENT, Outcome.REMOVAL]
    # 1000.50 + 0.10 + 0.20 returned; 100.10 + 100.15 recovered — exact decimals.
    assert (t.returned, t.recovered) == (Decimal("1000.80"), Decimal("200.25"))


def test_districts_are_the_units_below_the_committee_on_each_target_path(
    db: Database, clock: FakeClock, records: dict[str, Any]
) -> None:
    f = figures(db, clock, records["people"]["cs_xcb_office"], committee_unit_id=records["units"]["cs"], year=2024)
    by = rows(f)
    assert list(by) == ["芙蓉区", "天心区", "岳麓区", "长沙市审计局"]
    fr, tx, yl, sj = by["芙蓉区"], by["天心区"], by["岳麓区"], by["长沙市审计局"]
    # 芙蓉区: itself (R1) and 荷花池社区 (R2); findings F1 F5; item I4 overdue; the unlinked 0.10 and 0.20 元.
    assert (fr.organisations, fr.findings, fr.immediate, fr.immediate_done, fr.leads) == (2, 2, 1, 1, 0)
    assert (fr.items, fr.items_closed, fr.items_overdue, fr.completion_rate) == (1, 0, 1, 0.0)
    assert (fr.outcomes, fr.returned, fr.recovered) == ({Outcome.CRITICISM: 1}, Decimal("0.30"), Decimal("0.00"))
    # Teams count in every district where they inspected: T1 (100, C1 C2) and T2a (30, C1) in 芙蓉区.
    assert (fr.petitions, fr.cadres, fr.secondments) == (130, 2, 3)
    # 天心区: F3 F4, L1, I1–I3, T1, the removal.
    assert (tx.organisations, tx.findings, tx.immediate, tx.leads, tx.items, tx.items_closed) == (1, 2, 1, 1, 3, 1)
    assert (tx.petitions, tx.cadres, tx.secondments, tx.returned) == (100, 2, 2, Decimal("1000.50"))
    # 岳麓区: 新街村 (R2): F6, L2 L3, T2a (30, C1), two admonishments.
    assert (yl.organisations, yl.findings, yl.leads, yl.items, yl.completion_rate) == (1, 1, 2, 0, None)
    assert (yl.petitions, yl.cadres, yl.outcomes, yl.recovered) == (30, 1, {Outcome.ADMONISHMENT: 2}, Decimal("200.25"))
    # 审计局: F7, T2b (5, C3).
    assert (sj.organisations, sj.findings, sj.petitions, sj.cadres) == (1, 1, 5, 1)


def test_by_round_lists_every_round_of_the_year_and_the_records_without_a_round_last(
    db: Database, clock: FakeClock, records: dict[str, Any]
) -> None:
    f = figures(
        db,
        clock,
        records["people"]["cs_xcb_office"],
        committee_unit_id=records["units"]["cs"],
        year=2024,
        group_by="round",
    )
    assert [r.label for r in f.rows] == ["十二届市委第1轮巡察", "测试cs2024年第2轮", "未关联轮次"]
    r1, r2, none = (r.measures for r in f.rows)
    # R1: 芙蓉区 天心区; F1 F3 F4; L1; I1–I3; T1; the removal.
    assert (r1.organisations, r1.findings, r1.leads, r1.items, r1.items_overdue, r1.petitions) == (2, 3, 1, 3, 1, 100)
    assert (r1.cadres, r1.outcomes, r1.returned) == (2, {Outcome.REMOVAL: 1}, Decimal("1000.50"))
    # R2: three targets; F5–F7; L2 L3; I4; T2a + T2b; C1 C3.
    assert (r2.organisations, r2.findings, r2.leads, r2.items, r2.petitions, r2.cadres) == (3, 3, 2, 1, 35, 2)
    # The unlinked records of 2024 inside 长沙市.
    assert (none.findings, none.outcomes, none.returned) == (0, {Outcome.CRITICISM: 1}, Decimal("0.30"))
    assert f.rows[0].key == str(records["r1"])


def test_by_year_over_all_years_counts_an_organisation_inspected_twice_once_in_the_totals(
    db: Database, clock: FakeClock, records: dict[str, Any]
) -> None:
    f = figures(
        db, clock, records["people"]["cs_xcb_office"], committee_unit_id=records["units"]["cs"], group_by=GroupBy.YEAR
    )
    assert f.period_label == "全部年度"
    by = rows(f)
    assert list(by) == ["2023年", "2024年"]
    y23 = by["2023年"]
    # R3: 芙蓉区, F8, I5 closed, T3 (7, C2); the 2023 unlinked criticism at 岳麓区 (50.00 元 recovered).
    assert (y23.organisations, y23.findings, y23.items, y23.items_closed, y23.completion_rate) == (1, 1, 1, 1, 1.0)
    assert (y23.petitions, y23.cadres, y23.outcomes, y23.recovered) == (7, 1, {Outcome.CRITICISM: 1}, Decimal("50"))
    # 芙蓉区 was inspected in both years: 1 + 5 in the rows, 5 distinct organisations in the totals.
    assert by["2024年"].organisations == 5 and f.totals.organisations == 5
    # C2 served in both years: 3 distinct cadres, 5 secondments.
    assert (f.totals.cadres, f.totals.secondments, f.totals.findings) == (3, 5, 7)


def test_one_round_takes_its_committee_and_leaves_out_records_without_a_round(
    db: Database, clock: FakeClock, records: dict[str, Any]
) -> None:
    f = figures(db, clock, records["people"]["cs_xcb_office"], round_id=records["r2"])
    assert (f.committee_name, f.period_label) == ("长沙市", "测试cs2024年第2轮")
    t = f.totals
    assert (t.organisations, t.findings, t.leads, t.petitions, t.outcomes) == (3, 3, 2, 35, {Outcome.ADMONISHMENT: 2})
    assert t.returned == Decimal("0.00")


def test_leads_are_counted_for_a_reader_without_the_lead_grant(
    db: Database, clock: FakeClock, records: dict[str, Any]
) -> None:
    team = records["people"]["cs_team1"]
    assert not team.has("inspection.lead.view")
    f = figures(db, clock, team, committee_unit_id=records["units"]["cs"], year=2024)
    assert f.totals.leads == 3


def test_a_committee_outside_the_readers_scope_is_not_found_and_the_default_is_their_own(
    db: Database, clock: FakeClock, records: dict[str, Any]
) -> None:
    with db.reading() as s:
        fh = s.scalars(select(Unit).where(Unit.code == "fh")).one()
    county = Principal(0, "fh_reader", "县巡察办", fh.id, fh.path, fh.name, (Grant(VIEW, Scope.SUBTREE),))
    with pytest.raises(NotFound) as exc:
        figures(db, clock, county, committee_unit_id=records["units"]["cs"])
    assert exc.value.field == "committee_unit_id"
    with pytest.raises(NotFound):
        figures(db, clock, county, round_id=records["r2"])
    f = figures(db, clock, county)  # no committee given: 凤凰县, the only one they see
    # 凤凰县's round: 养护中心, F9, L4, 9 petitions; the unlinked removal at 养护中心 in its subtree.
    assert (f.committee_name, f.totals.organisations, f.totals.findings, f.totals.leads) == ("凤凰县", 1, 1, 1)
    assert (f.totals.petitions, f.totals.outcomes) == (9, {Outcome.REMOVAL: 1})


def test_a_reader_who_sees_no_round_gets_empty_figures(db: Database, clock: FakeClock, records: dict[str, Any]) -> None:
    f = figures(db, clock, records["people"]["cs_fr_head"])  # sees 芙蓉区's subtree: no committee there
    assert (f.committee_unit_id, f.rows, f.totals) == (None, [], Measures())


def test_a_round_of_another_year_or_an_unknown_grouping_is_refused(
    db: Database, clock: FakeClock, records: dict[str, Any]
) -> None:
    office = records["people"]["cs_xcb_office"]
    with pytest.raises(Invalid) as exc:
        figures(db, clock, office, round_id=records["r3"], year=2024)
    assert exc.value.field == "round_id"
    with pytest.raises(Invalid) as exc:
        figures(db, clock, office, group_by="month")
    assert exc.value.field == "group_by"
