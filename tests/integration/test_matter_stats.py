"""Matters statistics (zhengwu.core.matters.stats) against a brute-force recount, on SQLite and PostgreSQL.

The property test generates matters of the three-step test kind directly as ORM rows (bypassing the workflow
for speed, with consistent serial, year and seq), spread over autumn 2024 so that National Day (1–7 Oct off,
Sun 29 Sep and Sat 12 Oct worked) falls inside, with times near local midnight, units in two counties (凤凰县 and
吉首市), several channels, statuses and handlers. Each example then asks one statistic as one principal and
compares every figure with a recount in Python (``WorkingCalendar.working_days_between`` for working days).

Hypothesis and the function-scoped ``db`` fixture: one database per example would mean reseeding a database 25
times per engine, and unique kinds per example would leave kinds in the global registry; instead the test owns
the ``testkind`` rows of its database and deletes them at the end of every example (in ``finally``), so each
example starts from no matters. The health check about function-scoped fixtures is suppressed for that reason.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, select

from tests.support import three_step
from tests.support.three_step import KIND, State, ThreeStepMatter
from zhengwu.core.calendar.model import WorkingCalendar
from zhengwu.core.db import Actor, Database
from zhengwu.core.errors import Forbidden, Invalid, NotFound
from zhengwu.core.matters.stats.model import CycleTime, MatterStats, StatsQuery, buckets, make_query
from zhengwu.core.matters.stats.service import matter_stats, unit_choices
from zhengwu.core.matters.tables import Matter
from zhengwu.core.org.model import Grant, Principal, Scope, system_principal
from zhengwu.core.org.tables import Unit, User

TZ = ZoneInfo("Asia/Shanghai")
CAL = WorkingCalendar.builtin()
SYSTEM = Actor(None, "测试")
UNITS = ("fh", "fh-gl", "fh-wj", "fh-les", "js", "js-gl")
CHANNELS = ("", "12345热线", "网站", "来信")
FIRST = date(2024, 9, 1)  # receipts from 1 September to 30 November 2024
EDGE_TIMES = (time(0), time(0, 0, 0, 1), time(7, 59, 59), time(8), time(23, 59, 59, 999999), time(23, 59, 59, 999600))


@dataclass(frozen=True)
class Row:
    unit: str
    handler: str | None
    channel: str
    status: State
    received_at: datetime
    due_at: datetime | None
    resolved_at: datetime | None


@dataclass(frozen=True)
class World:
    org: dict[str, tuple[int, str]]  # code → (id, path); user:<name> → (id, "")

    def principal(self, who: str) -> Principal:
        """A principal holding the test kind's view grant with the scope ``who`` names."""
        if who == "system":
            return system_principal()
        scope, unit = {
            "fh-subtree": (Scope.SUBTREE, "fh"),
            "fh-gl-unit": (Scope.UNIT, "fh-gl"),
            "js-subtree": (Scope.SUBTREE, "js"),
            "fh_gl-self": (Scope.SELF, "fh-gl"),
        }[who]
        uid, path = self.org[unit]
        return Principal(
            self.org["user:fh_gl"][0], "fh_gl", "养护中心经办人", uid, path, "单位", (Grant(three_step.VIEW, scope),)
        )


def local(day: date, at: time) -> datetime:
    return datetime.combine(day, at, tzinfo=TZ).astimezone(UTC)


def local_day(moment: datetime) -> date:
    return moment.astimezone(TZ).date()


clock_times = st.one_of(st.sampled_from(EDGE_TIMES), st.times())


@st.composite
def rows(draw: st.DrawFn) -> Row:
    received = local(FIRST + timedelta(days=draw(st.integers(0, 90))), draw(clock_times))
    status = draw(st.sampled_from(list(State)))
    resolved = None
    if status in (State.RESOLVED, State.CLOSED):
        resolved = received + timedelta(days=draw(st.integers(0, 40)), seconds=draw(st.integers(0, 86_399)))
        resolved = draw(st.sampled_from([resolved, local(local_day(resolved), draw(st.sampled_from(EDGE_TIMES)))]))
        resolved = max(resolved, received)
    due = None
    if draw(st.integers(0, 5)):  # one matter in six has no main deadline
        due = local(local_day(received) + timedelta(days=draw(st.integers(0, 30))), time(23, 59, 59, 999999))
    return Row(
        unit=draw(st.sampled_from(UNITS)),
        handler=draw(st.sampled_from([None, "fh_gl", "js_admin"])),
        channel=draw(st.sampled_from(CHANNELS)),
        status=status,
        received_at=received,
        due_at=due,
        resolved_at=resolved,
    )


@st.composite
def questions(draw: st.DrawFn) -> tuple[date, date, str | None, str, str | None, str]:
    """Mostly wide questions (a narrow filter on 40 matters often leaves nothing to count), sometimes narrow."""
    start = FIRST + timedelta(days=draw(st.integers(-10, 60)))
    end = start + timedelta(days=draw(st.integers(0, 120)))
    unit = draw(st.sampled_from([None, None, None, *UNITS[:4], "js"]))
    channel = draw(st.sampled_from([None, None, None, *CHANNELS[1:]]))
    status = draw(st.sampled_from([None, None, None, None, "handling", "resolved"]))
    who = draw(
        st.sampled_from(["system", "system", "fh-subtree", "fh-subtree", "fh-gl-unit", "js-subtree", "fh_gl-self"])
    )
    return start, end, unit, channel or "", status, who


@pytest.fixture
def world(db: Database) -> Iterator[World]:
    three_step.install(db)
    with db.reading() as s:
        org = {code: (uid, path) for code, uid, path in s.execute(select(Unit.code, Unit.id, Unit.path))}
        org.update({f"user:{name}": (uid, "") for name, uid in s.execute(select(User.username, User.id))})
    yield World(org)
    _clear(db)


def _clear(db: Database) -> None:
    with db.uow(SYSTEM) as uow:
        tables = Matter.metadata.tables
        uow.session.execute(delete(tables[ThreeStepMatter.__tablename__]))
        uow.session.execute(delete(tables[Matter.__tablename__]).where(tables["matters"].c.kind == KIND.spec.code))
        uow.commit()


def insert(db: Database, w: World, data: list[Row]) -> None:
    with db.uow(SYSTEM) as uow:
        for seq, r in enumerate(data, start=1):
            year = local_day(r.received_at).year
            uow.session.add(
                ThreeStepMatter(
                    serial=f"测-{year}-{seq:06d}",
                    year=year,
                    seq=seq,
                    title=f"生成的事项 {seq}",
                    owner_unit_id=w.org[r.unit][0],
                    handler_id=w.org[f"user:{r.handler}"][0] if r.handler else None,
                    status=r.status.value,
                    channel=r.channel,
                    created_at=r.received_at,
                    received_at=r.received_at,
                    due_at=r.due_at,
                    resolved_at=r.resolved_at,
                    closed_at=r.resolved_at if r.status is State.CLOSED else None,
                )
            )
        uow.commit()


def recount(w: World, data: list[Row], q: StatsQuery, who: Principal, now: datetime) -> MatterStats:
    """The statistics by brute force over the generated rows (definitions: zhengwu.core.matters.stats)."""
    scope = who.scope(three_step.VIEW)
    assert scope is not None
    paths = {uid: path for code, (uid, path) in w.org.items() if not code.startswith("user:")}

    def seen(r: Row) -> bool:
        uid, path = w.org[r.unit]
        return scope.covers(uid, path, w.org[f"user:{r.handler}"][0] if r.handler else None, who.user_id)

    cohort = [
        r
        for r in data
        if seen(r)
        and q.start <= local_day(r.received_at) <= q.end
        and (q.unit_id is None or w.org[r.unit][1].startswith(paths[q.unit_id]))
        and (q.channel is None or r.channel == q.channel)
        and (q.status is None or r.status == q.status)
    ]
    done = [(r, r.resolved_at) for r in cohort if r.resolved_at is not None]
    still = [r for r in cohort if r.resolved_at is None]
    judged = [(at, r.due_at) for r, at in done if r.due_at is not None]
    cycles = sorted(CAL.working_days_between(local_day(r.received_at), local_day(at)) for r, at in done)
    n = len(cycles)
    p90 = next((x for x in cycles if 10 * sum(c <= x for c in cycles) >= 9 * n), None)
    ages = [CAL.working_days_between(local_day(r.received_at), local_day(now)) for r in still]
    return MatterStats(
        query=q,
        as_of=now,
        received=len(cohort),
        resolved=len(done),
        on_time=sum(1 for at, due in judged if at <= due),
        resolved_late=sum(1 for at, due in judged if at > due),
        open_overdue=sum(1 for r in still if r.due_at is not None and r.due_at < now),
        cycle=CycleTime(
            n,
            statistics.fmean(cycles) if n else None,
            statistics.median(cycles) if n else None,
            p90,
            min(cycles) if n else None,
        ),
        backlog=buckets(
            [
                sum(a <= 5 for a in ages),
                sum(6 <= a <= 10 for a in ages),
                sum(11 <= a <= 20 for a in ages),
                sum(a > 20 for a in ages),
            ]
        ),
    )


Question = tuple[date, date, str | None, str, str | None, str]
#: Asked of every generated data set besides the drawn questions: everything, as the system sees it.
EVERYTHING: Question = (FIRST - timedelta(days=10), FIRST + timedelta(days=130), None, "", None, "system")


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    data=st.lists(rows(), min_size=10, max_size=60),
    asked=st.lists(questions(), min_size=3, max_size=6),
    now_day=st.integers(30, 121),
    now_time=clock_times,
)
def test_statistics_equal_a_brute_force_recount(
    db: Database, world: World, data: list[Row], asked: list[Question], now_day: int, now_time: time
) -> None:
    now = local(FIRST + timedelta(days=now_day), now_time)
    insert(db, world, data)
    try:
        for start, end, unit, channel, status, who_key in [EVERYTHING, *asked]:
            who = world.principal(who_key)
            unit_id = world.org[unit][0] if unit else None
            q = make_query(KIND.spec, start, end, unit_id=unit_id, channel=channel, status=status)
            scope = who.scope(three_step.VIEW)
            assert scope is not None
            with db.reading() as s:
                if unit and not scope.covers(world.org[unit][0], world.org[unit][1], None, who.user_id):
                    with pytest.raises(NotFound):
                        matter_stats(s, who, KIND, q, now)
                    continue
                got = matter_stats(s, who, KIND, q, now)
            want = recount(world, data, q, who, now)
            assert got.cycle.mean == pytest.approx(want.cycle.mean)  # the sums may add up in another order
            assert replace(got, cycle=replace(got.cycle, mean=None)) == replace(
                want, cycle=replace(want.cycle, mean=None)
            )
    finally:
        _clear(db)


# ---------------------------------------------------------------- the definitions, one example each


def test_cycle_time_counts_working_days_so_a_matter_over_national_day_took_one(db: Database, world: World) -> None:
    insert(
        db,
        world,
        [
            Row(
                "fh-gl",
                None,
                "",
                State.RESOLVED,
                local(date(2024, 9, 30), time(10)),
                None,
                local(date(2024, 10, 8), time(9)),
            ),
            Row(
                "fh-gl",
                None,
                "",
                State.RESOLVED,
                local(date(2024, 9, 30), time(23, 30)),
                None,
                local(date(2024, 9, 30), time(23, 59)),
            ),
        ],
    )
    q = make_query(KIND.spec, date(2024, 9, 30), date(2024, 9, 30))
    with db.reading() as s:
        got = matter_stats(s, system_principal(), KIND, q, local(date(2024, 10, 9), time(9)))
    assert (got.received, got.resolved) == (2, 2)
    assert (got.cycle.fastest, got.cycle.median, got.cycle.p90) == (0, 0.5, 1)


def test_on_time_means_resolved_by_the_main_deadline_and_overdue_counts_late_and_open_past_due(
    db: Database, world: World
) -> None:
    due = local(date(2024, 10, 12), time(23, 59, 59, 999999))
    recv = local(date(2024, 9, 30), time(10))
    insert(
        db,
        world,
        [
            Row("fh-gl", None, "", State.RESOLVED, recv, due, due),  # on the last instant: on time
            Row("fh-gl", None, "", State.CLOSED, recv, due, due + timedelta(microseconds=1)),  # late
            Row("fh-gl", None, "", State.HANDLING, recv, due, None),  # open and past due at `now`
            Row("fh-gl", None, "", State.HANDLING, recv, None, None),  # no deadline: never overdue
            Row("fh-gl", None, "", State.RESOLVED, recv, None, due),  # no deadline: neither
        ],
    )
    q = make_query(KIND.spec, date(2024, 9, 1), date(2024, 12, 31))
    with db.reading() as s:
        got = matter_stats(s, system_principal(), KIND, q, local(date(2024, 10, 14), time(9)))
    assert (got.received, got.resolved, got.open) == (5, 3, 2)
    assert (got.on_time, got.resolved_late, got.open_overdue, got.overdue, got.without_deadline) == (1, 1, 1, 2, 1)
    assert got.on_time_rate == 0.5
    # received 30 Sep, today Monday 14 Oct: Oct 8–12 (Sat 12 worked) and 14 = 6 working days, so 6–10 old
    assert [b.count for b in got.backlog] == [0, 2, 0, 0]


def test_backlog_ages_count_working_days_from_the_local_day_of_receipt_and_due_now_is_not_yet_overdue(
    db: Database, world: World
) -> None:
    now = local(date(2024, 10, 14), time(23, 59, 59, 999999))  # Monday; Sat 12 Oct was worked, Oct 1–7 off
    insert(
        db,
        world,
        [
            # received at local midnight of Tue 8 Oct: Oct 9, 10, 11, 12, 14 = 5 working days old
            Row("fh-gl", None, "", State.HANDLING, local(date(2024, 10, 8), time(0)), now, None),
            # one microsecond earlier is the holiday of 7 Oct: 6 working days old
            Row("fh-gl", None, "", State.HANDLING, local(date(2024, 10, 7), time(23, 59, 59, 999999)), None, None),
            Row("fh-gl", None, "", State.RECEIVED, local(date(2024, 9, 10), time(12)), None, None),  # 20 old
            Row("fh-gl", None, "", State.RECEIVED, local(date(2024, 9, 9), time(12)), None, None),  # 21 old
        ],
    )
    q = make_query(KIND.spec, date(2024, 9, 1), date(2024, 10, 31))
    with db.reading() as s:
        got = matter_stats(s, system_principal(), KIND, q, now)
    assert [(b.label, b.count) for b in got.backlog] == [
        ("≤5 个工作日", 1),
        ("6–10 个工作日", 1),
        ("11–20 个工作日", 1),
        (">20 个工作日", 1),
    ]
    assert got.open_overdue == 0  # due at this very instant: not yet past due


def test_a_unit_means_its_subtree_and_a_unit_outside_the_scope_is_not_found(db: Database, world: World) -> None:
    recv = local(date(2024, 10, 8), time(10))
    insert(db, world, [Row(u, None, "", State.RECEIVED, recv, None, None) for u in ("fh", "fh-gl", "fh-les", "js")])
    q = make_query(KIND.spec, date(2024, 10, 1), date(2024, 10, 31), unit_id=world.org["fh"][0])
    now = local(date(2024, 10, 9), time(9))
    with db.reading() as s:
        assert matter_stats(s, system_principal(), KIND, q, now).received == 3
        assert (
            matter_stats(s, world.principal("fh-gl-unit"), KIND, make_query(KIND.spec, q.start, q.end), now).received
            == 1
        )
        with pytest.raises(NotFound) as outside:
            matter_stats(s, world.principal("js-subtree"), KIND, q, now)
        assert outside.value.field == "unit_id"
        with pytest.raises(Forbidden):
            matter_stats(s, None, KIND, q, now)
        assert [u.code for u in unit_choices(s, world.principal("js-subtree"), KIND)] == ["js", "js-jw", "js-gl"]


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"start": date(2024, 2, 1), "end": date(2024, 1, 1)}, "to"),
        ({"start": date(1800, 1, 1), "end": date(2024, 1, 1)}, "from"),
        ({"status": "nonsense"}, "status"),
        ({"channel": "x" * 33}, "channel"),
        ({"channel": "a\x00b"}, "channel"),
        ({"unit_id": 0}, "unit_id"),
    ],
)
def test_a_bad_question_is_refused_naming_the_field(kwargs: dict[str, object], field: str) -> None:
    args: dict[str, object] = {"start": date(2024, 1, 1), "end": date(2024, 12, 31), **kwargs}
    with pytest.raises(Invalid) as bad:
        make_query(KIND.spec, **args)  # type: ignore[arg-type]
    assert bad.value.field == field
