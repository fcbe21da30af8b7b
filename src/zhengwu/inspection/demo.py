"""The inspection system's part of ``zhengwu demo``: the seed's third story (湖南日报, 2024:
长沙市以高质量巡察助推高质量发展) told as records of 中共长沙市委's rounds in 2024.

* **The city** — Changsha's 8 districts, counties and cities (区县（市）), 12 economic parks, 78 city units and a
  hundred streets, villages and communities (generated names: 示例街道001, 示例市直单位01 …; the bodies the seed
  names keep their names: 长沙市民政局, 长沙市自然资源规划局, 芙蓉区荷花园街道 and its 恒达社区).
* **Six rounds** (十四届市委第一轮 … 第六轮) inspecting 184 organisations, each round's stages dated from
  preparation on; the sixth seconds 395 cadres of the talent pool to 11 teams over 55 units, which handle 1,234
  petitions (``demo_story`` staffs the teams, ``demo_spread`` writes the findings, leads, the common-problem list
  and accountability).
* **The walkable story** — the third round (提级专项巡察): 第一巡察组 enters 荷花园街道 on 31 May; the water supply of
  恒达社区聚心苑小区 20 栋 is fixed at once (立行立改); a finding's rectification item is sent back once and then
  signed off with both approvals; a lead is handed over to 市纪委监委 and fed back; the round ends with its follow-up
  evaluation (督查评估) in December.

Every step runs at the instant it happens (a ``FakeClock`` moved event by event, in time order, as the requests
story does); the draws come from a seeded ``random.Random``. Every figure the pages show is counted from these
records (``tests/e2e/test_demo_inspection.py``). Everything is written in one unit of work.

Speed: the six thousand findings are registered per round through the engine's bulk import when the round feeds
back (their steps before feedback are the ledger's columns); taking each through open-and-act from its recording
on would be some 25,000 engine steps, most of a minute. Their six thousand rectification items are imported too,
by the day their findings close (``demo_items``). The steps after feedback (rectification plans, closes, leads)
and the whole walkable story go through the engine one by one.
"""

from __future__ import annotations

import heapq
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from zhengwu.core.clock import FakeClock
from zhengwu.core.db import Actor, Database, UnitOfWork
from zhengwu.core.org.auth import load_principal
from zhengwu.core.org.model import Grant, Principal, Scope, system_principal
from zhengwu.core.org.service import create_unit
from zhengwu.core.org.tables import Unit, User
from zhengwu.inspection.model import (
    RECTIFY,
    SEED_CATEGORIES,
    VIEW,
    RoundType,
    Stage,
    StagePeriod,
    check_timeline,
)
from zhengwu.inspection.people import USERS, seed_people
from zhengwu.inspection.tables import (
    InspectionCategory,
    InspectionRound,
    InspectionRoundStage,
    InspectionRoundTarget,
    InspectionTeam,
)

TZ = ZoneInfo("Asia/Shanghai")
SEED = 5
YEAR = 2024
#: Where the demo's clock stops: the end of the year the story happens in.
YEAR_END = datetime(YEAR, 12, 31, 18, 0, tzinfo=TZ)
COMMITTEE = "cs"  # 长沙市: the unit whose committee (中共长沙市委) approves the rounds

# ------------------------------------------------------------------------------------------------- the city

#: The 8 districts, counties and cities (区县（市）): three exist in the people seed, five are added.
NEW_DISTRICTS = [
    ("cs-d04", "开福区"),
    ("cs-d05", "雨花区"),
    ("cs-d06", "望城区"),
    ("cs-d07", "长沙县"),
    ("cs-d08", "浏阳市"),
]
DISTRICTS = ["cs-fr", "cs-tx", "cs-yl", *(code for code, _ in NEW_DISTRICTS)]
#: The bodies the seed names: code, name, kind, parent.
NAMED = [
    ("cs-mzj", "长沙市民政局", "department", "cs"),
    ("cs-zrzy", "长沙市自然资源规划局", "department", "cs"),
    ("cs-fr-hhy", "荷花园街道", "town", "cs-fr"),
    ("cs-fr-hhy-hd", "恒达社区", "village", "cs-fr-hhy"),
]
PARKS = ["cs-jk", *(f"cs-p{i:02d}" for i in range(1, 12))]
CITY_UNITS = ["cs-zjj", "cs-sj", "cs-ip", "cs-mzj", "cs-zrzy", *(f"cs-u{i:02d}" for i in range(1, 74))]
STREETS_PER_DISTRICT, VILLAGES_PER_STREET = 2, 5
#: Streets, villages and communities inspected besides the generated ones (the people seed's and the seed's own).
GRASSROOTS_NAMED = ["cs-fr-hhy", "cs-fr-hhy-hd", "cs-fr-dh", "cs-fr-dh-hl", "cs-tx-ps", "cs-yl-lsh", "cs-yl-lsh-xj"]


def _units_to_add() -> list[tuple[str, str, str, str]]:
    rows: list[tuple[str, str, str, str]] = [(code, name, "government", COMMITTEE) for code, name in NEW_DISTRICTS]
    rows += NAMED
    rows += [(code, f"示例经济园区{i:02d}", "government", COMMITTEE) for i, code in enumerate(PARKS[1:], 1)]
    rows += [(code, f"示例市直单位{i:02d}", "department", COMMITTEE) for i, code in enumerate(CITY_UNITS[5:], 1)]
    names = dict(NEW_DISTRICTS) | {"cs-fr": "芙蓉区", "cs-tx": "天心区", "cs-yl": "岳麓区"}
    street = village = 0
    for district in DISTRICTS:
        rows.append((f"{district}-xcb", f"{names[district]}委巡察办", "office", district))
        for _ in range(STREETS_PER_DISTRICT):
            street += 1
            rows.append((f"cs-s{street:03d}", f"示例街道{street:03d}", "town", district))
            for _ in range(VILLAGES_PER_STREET):
                village += 1
                kind = "社区" if village % 2 else "村"
                rows.append((f"cs-v{village:03d}", f"示例{kind}{village:03d}", "village", f"cs-s{street:03d}"))
    return rows


def grassroots() -> list[str]:
    """Streets, villages and communities the elevated and cross rounds may inspect, the seed's first."""
    generated = STREETS_PER_DISTRICT * len(DISTRICTS)
    codes = [f"cs-s{i:03d}" for i in range(1, generated + 1)]
    codes += [f"cs-v{i:03d}" for i in range(1, generated * VILLAGES_PER_STREET + 1)]
    return GRASSROOTS_NAMED + codes


# ----------------------------------------------------------------------------------------------- the rounds


@dataclass(frozen=True)
class RoundPlan:
    number: int
    type: RoundType
    name: str
    approval: str
    teams: int
    #: stage → (start, end or None), in Beijing dates
    stages: dict[Stage, tuple[date, date | None]]


def _d(month: int, day: int) -> date:
    return date(YEAR, month, day)


S = Stage
ROUNDS = [
    RoundPlan(1, RoundType.REGULAR, "十四届市委第一轮巡察", "市委常委会会议 2024年第1次", 6, {
        S.PREPARATION: (_d(1, 8), _d(2, 23)), S.ENTRY: (_d(2, 26), _d(4, 26)), S.REPORT: (_d(4, 29), _d(5, 17)),
        S.FEEDBACK: (_d(5, 27), _d(5, 31)), S.HANDOVER: (_d(6, 3), _d(6, 14)),
        S.RECTIFICATION: (_d(6, 3), _d(8, 30)), S.EVALUATION: (_d(11, 4), _d(11, 29)),
    }),
    RoundPlan(2, RoundType.SPECIAL, "十四届市委第二轮巡察（经济园区专项巡察）", "市委常委会会议 2024年第4次", 4, {
        S.PREPARATION: (_d(3, 4), _d(3, 22)), S.ENTRY: (_d(3, 25), _d(5, 24)), S.REPORT: (_d(5, 27), _d(6, 14)),
        S.FEEDBACK: (_d(6, 24), _d(6, 28)), S.HANDOVER: (_d(7, 1), _d(7, 12)), S.RECTIFICATION: (_d(7, 1), None),
    }),
    RoundPlan(3, RoundType.ELEVATED, "十四届市委第三轮巡察（提级专项巡察）", "市委常委会会议 2024年第9次", 5, {
        S.PREPARATION: (_d(5, 6), _d(5, 30)), S.ENTRY: (_d(5, 31), _d(7, 19)), S.REPORT: (_d(7, 22), _d(8, 2)),
        S.FEEDBACK: (_d(8, 12), _d(8, 16)), S.HANDOVER: (_d(8, 19), _d(8, 30)),
        S.RECTIFICATION: (_d(8, 19), _d(11, 15)), S.EVALUATION: (_d(12, 2), _d(12, 20)),
    }),
    RoundPlan(4, RoundType.REGULAR, "十四届市委第四轮巡察", "市委常委会会议 2024年第11次", 5, {
        S.PREPARATION: (_d(6, 3), _d(6, 28)), S.ENTRY: (_d(7, 1), _d(8, 30)), S.REPORT: (_d(9, 2), _d(9, 13)),
        S.FEEDBACK: (_d(9, 23), _d(9, 27)), S.HANDOVER: (_d(9, 30), _d(10, 18)), S.RECTIFICATION: (_d(9, 30), None),
    }),
    RoundPlan(5, RoundType.CROSS, "十四届市委第五轮巡察（提级交叉巡察）", "市委常委会会议 2024年第13次", 5, {
        S.PREPARATION: (_d(7, 1), _d(7, 26)), S.ENTRY: (_d(7, 29), _d(9, 27)), S.REPORT: (_d(9, 30), _d(10, 18)),
        S.FEEDBACK: (_d(10, 28), _d(11, 1)), S.HANDOVER: (_d(11, 4), _d(11, 15)), S.RECTIFICATION: (_d(11, 4), None),
    }),
    RoundPlan(6, RoundType.REGULAR, "十四届市委第六轮巡察", "市委常委会会议 2024年第16次", 11, {
        S.PREPARATION: (_d(8, 26), _d(9, 20)), S.ENTRY: (_d(9, 23), _d(11, 22)), S.REPORT: (_d(11, 25), _d(12, 6)),
        S.FEEDBACK: (_d(12, 16), _d(12, 20)), S.HANDOVER: (_d(12, 23), None),
    }),
]  # fmt: skip
BIG_ROUND = 6
STORY_ROUND = 3
#: Targets per round: (city units, parks, grassroots): 30 + 22 + 27 + 24 + 26 + 55 = 184 organisations, of which
#: 78 city units, 12 parks and 94 streets, villages and communities.
TARGETS = {1: (30, 0, 0), 2: (10, 12, 0), 3: (0, 0, 27), 4: (24, 0, 0), 5: (0, 0, 26), 6: (14, 0, 41)}
TEAM_NAMES = "一二三四五六七八九十"


def team_name(i: int) -> str:
    """第一巡察组 … 第十一巡察组 (``i`` from 1)."""
    number = TEAM_NAMES[i - 1] if i <= 10 else f"十{TEAM_NAMES[i - 11]}"
    return f"第{number}巡察组"


def at(d: date, hour: int, minute: int = 0) -> datetime:
    """An instant given in Beijing time, as UTC."""
    return datetime.combine(d, time(hour, minute), TZ).astimezone(UTC)


def split(total: int, n: int, rng: random.Random, low: int = 1, high: int = 10) -> list[int]:
    """``total`` split into ``n`` non-negative integers in proportion to weights drawn from [low, high]; the
    parts sum to ``total`` exactly (largest remainders get the rest)."""
    weights = [rng.randint(low, high) for _ in range(n)]
    scale = total / sum(weights)
    exact = [w * scale for w in weights]
    parts = [int(x) for x in exact]
    for i in sorted(range(n), key=lambda i: parts[i] - exact[i])[: total - sum(parts)]:
        parts[i] += 1
    return parts


def weekday(rng: random.Random, first: date, last: date) -> date:
    """A weekday between ``first`` and ``last`` (``first`` itself if there is none)."""
    days = [first + timedelta(i) for i in range((last - first).days + 1)]
    weekdays = [d for d in days if d.weekday() < 5]
    return rng.choice(weekdays) if weekdays else first


# ----------------------------------------------------------------------------------------------- the story


@dataclass(order=True)
class _Event:
    when: datetime
    seq: int
    run: Callable[[], object] = field(compare=False)


@dataclass
class Round:
    plan: RoundPlan
    id: int
    teams: list[int]
    #: unit id → team id
    targets: dict[int, int]

    def stage(self, stage: Stage) -> tuple[date, date | None]:
        return self.plan.stages[stage]


@dataclass
class Story:
    """What the events share: the open unit of work, people, units, categories, rounds and the event queue."""

    uow: UnitOfWork
    people: dict[str, Principal]
    units: dict[str, Unit]
    categories: dict[str, int]
    rng: random.Random
    rounds: dict[int, Round] = field(default_factory=dict)
    #: round number → the codes of its targets, known before the round is recorded
    assigned: dict[int, list[str]] = field(default_factory=dict)
    events: list[_Event] = field(default_factory=list)
    _seq: int = 0
    _targets: dict[int, Principal] = field(default_factory=dict)

    def at(self, when: datetime, run: Callable[[], object]) -> None:
        """Schedule ``run`` at ``when`` (events at the same instant keep the order they were scheduled in)."""
        self._seq += 1
        heapq.heappush(self.events, _Event(when, self._seq, run))

    def play(self, clock: FakeClock, until: datetime) -> int:
        """Run the events up to ``until`` in time order, the clock standing at each one's instant."""
        ran = 0
        while self.events and self.events[0].when <= until:
            event = heapq.heappop(self.events)
            clock.set(event.when)
            event.run()
            ran += 1
        self.events.clear()
        return ran

    @property
    def rounds_plan(self) -> dict[int, RoundPlan]:
        return {plan.number: plan for plan in ROUNDS}

    def unit_id(self, code: str) -> int:
        return self.units[code].id

    def target(self, unit_id: int) -> Principal:
        """The inspected organisation acting on its own rectification (the demo seeds no user for each of the 184
        organisations: its steps are recorded under the organisation's name)."""
        found = self._targets.get(unit_id)
        if found is None:
            unit = self.uow.session.get(Unit, unit_id)
            assert unit is not None
            grants = (Grant(VIEW, Scope.UNIT), Grant(RECTIFY, Scope.UNIT))
            found = self._targets[unit_id] = Principal(0, "", unit.name, unit.id, unit.path, unit.name, grants)
        return found


def _add_units(uow: UnitOfWork) -> dict[str, Unit]:
    system = system_principal()
    units = {u.code: u for u in uow.session.scalars(select(Unit))}
    for code, name, kind, parent in _units_to_add():
        if code not in units:
            units[code] = create_unit(uow, system, code=code, name=name, kind=kind, parent_id=units[parent].id)
    return units


def _seed_categories(uow: UnitOfWork) -> dict[str, int]:
    s = uow.session
    found = {code: id_ for code, id_ in s.execute(select(InspectionCategory.code, InspectionCategory.id))}
    for position, (code, name) in enumerate(SEED_CATEGORIES):
        if code not in found:
            category = InspectionCategory(code=code, name=name, sort_order=position)
            s.add(category)
            s.flush()
            found[code] = category.id
    return found


def _people(uow: UnitOfWork) -> dict[str, Principal]:
    wanted = {username for username, *_ in USERS}
    found: dict[str, Principal] = {}
    for username, user_id in uow.session.execute(select(User.username, User.id).where(User.username.in_(wanted))):
        p = load_principal(uow.session, user_id)
        if p is not None:
            found[username] = p
    return found


def _target_units(story: Story) -> dict[int, list[str]]:
    """Round number → the codes of its targets (184 distinct organisations); the seed's bodies where its story
    places them: 民政局 and 自然资源规划局 in round 1, 荷花园街道 first in round 3."""
    city = ["cs-mzj", "cs-zrzy", *(c for c in CITY_UNITS if c not in ("cs-mzj", "cs-zrzy"))]
    rest = city[2:]
    story.rng.shuffle(rest)
    city = city[:2] + rest
    parks, grass = list(PARKS), grassroots()
    assigned: dict[int, list[str]] = {}
    for number, (n_city, n_parks, n_grass) in TARGETS.items():
        assigned[number] = city[:n_city] + parks[:n_parks] + grass[:n_grass]
        city, parks, grass = city[n_city:], parks[n_parks:], grass[n_grass:]
    return assigned


def _add_round(story: Story, plan: RoundPlan, codes: list[str]) -> None:
    """Round ``plan`` with its dated stages, teams (targets dealt to them in turn) and targets, recorded when its
    preparation starts."""
    s = story.uow.session
    periods = check_timeline(StagePeriod(st, start, end) for st, (start, end) in plan.stages.items())
    rnd = InspectionRound(
        committee_unit_id=story.unit_id(COMMITTEE),
        number=plan.number,
        year=YEAR,
        type=plan.type,
        name=plan.name,
        approval=plan.approval,
        starts_on=periods[0].starts_on,
        ends_on=plan.stages.get(Stage.EVALUATION, (None, None))[1],
    )
    s.add(rnd)
    s.flush()
    for p in periods:
        s.add(InspectionRoundStage(round_id=rnd.id, stage=p.stage, starts_on=p.starts_on, ends_on=p.ends_on))
    teams = [InspectionTeam(round_id=rnd.id, name=team_name(i)) for i in range(1, plan.teams + 1)]
    s.add_all(teams)
    s.flush()
    targets: dict[int, int] = {}
    for i, code in enumerate(codes):
        targets[story.unit_id(code)] = teams[i % plan.teams].id
        s.add(InspectionRoundTarget(round_id=rnd.id, unit_id=story.unit_id(code), team_id=teams[i % plan.teams].id))
    s.flush()
    story.rounds[plan.number] = Round(plan, rnd.id, [t.id for t in teams], targets)


def rounds(story: Story) -> None:
    """Schedule the six rounds' creation at the start of each one's preparation."""
    story.assigned = _target_units(story)
    for plan in ROUNDS:
        start = plan.stages[Stage.PREPARATION][0]
        story.at(at(start, 8, 30), _round_maker(story, plan))


def _round_maker(story: Story, plan: RoundPlan) -> Callable[[], None]:
    return lambda: _add_round(story, plan, story.assigned[plan.number])


def build_story(uow: UnitOfWork) -> Story:
    """The units and categories the story needs, added to the core seed and the inspection people."""
    units = _add_units(uow)
    categories = _seed_categories(uow)
    return Story(uow, _people(uow), units, categories, random.Random(SEED))


def seed_inspection(db: Database, clock: FakeClock, password: str) -> list[tuple[str, str, str, str]]:
    """Tell the story into a database that holds the seed's bodies and people (``zhengwu.demo.seed_core``);
    returns the logins of the inspection roles' users, as ``seed_people`` does."""
    from zhengwu.inspection import demo_spread, demo_story

    clock.set(at(date(YEAR, 1, 2), 8, 0))
    with db.uow(Actor(None, "演示数据")) as uow:
        logins = seed_people(uow, password)
        story = build_story(uow)
        rounds(story)
        demo_story.cadres(story)
        demo_story.walkable(story)
        demo_spread.spread(story)
        story.play(clock, YEAR_END.astimezone(UTC))
        uow.commit()
    return logins
