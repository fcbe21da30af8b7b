"""Pure side of the statistics: the question asked, the frozen results and the arithmetic on them.

See the package docstring for the definitions of every figure.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from zhengwu.core.calendar.model import WorkingCalendar
from zhengwu.core.errors import Invalid
from zhengwu.core.matters.model import KindSpec

#: Upper bounds (inclusive, in working days) of the backlog age buckets; the last bucket is open-ended.
AGE_BOUNDS: tuple[int, ...] = (5, 10, 20)
#: Periods are limited to dates a database of any engine stores without surprise.
FIRST_DAY, LAST_DAY = date(1900, 1, 1), date(2999, 12, 31)
CHANNEL_MAX = 32


@dataclass(frozen=True)
class StatsQuery:
    """What is counted: one kind, the matters received from ``start`` to ``end`` (local dates, inclusive)."""

    kind: str
    start: date
    end: date
    unit_id: int | None = None  # owner unit with its subtree; None: everything in the principal's scope
    channel: str | None = None
    status: str | None = None


def fill_period(start: date | None, end: date | None, today: date) -> tuple[date, date]:
    """The period asked for, its missing ends filled in: by default the current year; with one end given, the
    rest of that end's year.

    >>> fill_period(None, None, date(2024, 6, 20))
    (datetime.date(2024, 1, 1), datetime.date(2024, 12, 31))
    >>> fill_period(date(2023, 3, 1), None, date(2024, 6, 20))
    (datetime.date(2023, 3, 1), datetime.date(2023, 12, 31))
    """
    if start is None:
        start = date((end or today).year, 1, 1)
    if end is None:
        end = date(start.year, 12, 31)
    return start, end


def make_query(
    spec: KindSpec,
    start: date,
    end: date,
    *,
    unit_id: int | None = None,
    channel: str | None = None,
    status: str | None = None,
) -> StatsQuery:
    """A checked query; bad input raises ``Invalid`` naming the field.

    >>> from zhengwu.core.matters.model import Workflow
    >>> spec = KindSpec("k", "测试", "测", Workflow(("new", "done"), "new", ()))
    >>> make_query(spec, date(2024, 1, 1), date(2024, 12, 31), status="done").status
    'done'
    >>> make_query(spec, date(2024, 2, 1), date(2024, 1, 1))
    Traceback (most recent call last):
    ...
    zhengwu.core.errors.Invalid: 截止日期（to）不能早于起始日期（from）。
    """
    for value, field, label in ((start, "from", "起始日期"), (end, "to", "截止日期")):
        if not FIRST_DAY <= value <= LAST_DAY:
            raise Invalid(f"{label}（{field}）应在 {FIRST_DAY} 至 {LAST_DAY} 之间。", field=field)
    if end < start:
        raise Invalid("截止日期（to）不能早于起始日期（from）。", field="to")
    if unit_id is not None and not 0 < unit_id <= 2_147_483_647:
        raise Invalid("单位（unit_id）无效。", field="unit_id")
    channel = (channel or "").strip() or None
    if channel is not None and (len(channel) > CHANNEL_MAX or any(ord(c) < 32 for c in channel)):
        raise Invalid(f"渠道（channel）不能超过 {CHANNEL_MAX} 个字，且不能含控制字符。", field="channel")
    status = (status or "").strip() or None
    if status is not None and status not in spec.workflow.states:
        options = "、".join(f"{s}（{spec.workflow.label(s)}）" for s in spec.workflow.states)
        raise Invalid(f"状态（status）“{status[:32]}”无效，可选：{options}。", field="status")
    return StatsQuery(spec.code, start, end, unit_id, channel, status)


@dataclass(frozen=True)
class CycleTime:
    """Working days from receipt to resolution over the resolved matters (None when there are none)."""

    count: int
    mean: float | None
    median: float | None
    p90: int | None
    fastest: int | None


@dataclass(frozen=True)
class AgeBucket:
    """Open matters whose age in working days lies in [low, high] (``high`` None: no upper bound)."""

    low: int
    high: int | None
    count: int

    @property
    def label(self) -> str:
        """
        >>> [AgeBucket(lo, hi, 0).label for lo, hi in ((0, 5), (6, 10), (21, None))]
        ['≤5 个工作日', '6–10 个工作日', '>20 个工作日']
        """
        if self.high is None:
            return f">{self.low - 1} 个工作日"
        if self.low == 0:
            return f"≤{self.high} 个工作日"
        return f"{self.low}–{self.high} 个工作日"


@dataclass(frozen=True)
class MatterStats:
    query: StatsQuery
    as_of: datetime
    received: int
    resolved: int
    on_time: int
    resolved_late: int
    open_overdue: int
    cycle: CycleTime
    backlog: tuple[AgeBucket, ...]

    @property
    def open(self) -> int:
        return self.received - self.resolved

    @property
    def overdue(self) -> int:
        return self.resolved_late + self.open_overdue

    @property
    def without_deadline(self) -> int:
        """Resolved matters that had no main deadline (neither on time nor late)."""
        return self.resolved - self.on_time - self.resolved_late

    @property
    def on_time_rate(self) -> float | None:
        judged = self.on_time + self.resolved_late
        return self.on_time / judged if judged else None


def age_cutoffs(cal: WorkingCalendar, today: date, bounds: Iterable[int] = AGE_BOUNDS) -> list[date]:
    """For each bound k, the earliest receipt date whose age on ``today`` is still at most k working days.

    The age of a matter received on d is ``working_days_between(d, today)``, which only grows as d moves back,
    so "age ≤ k" is "received on or after the cut-off".

    >>> cal = WorkingCalendar.builtin()
    >>> age_cutoffs(cal, date(2024, 10, 8), (1, 2))   # after National Day; Sunday 29 September was worked
    [datetime.date(2024, 9, 30), datetime.date(2024, 9, 29)]
    """
    out = []
    day, age = today, 0
    for k in sorted(bounds):
        while True:
            step = int(cal.is_working_day(day))  # age of the day before = age of ``day`` + whether it works
            if age + step > k:
                break
            age += step
            day -= timedelta(days=1)
        out.append(day)
    return out


def buckets(counts: Iterable[int], bounds: Iterable[int] = AGE_BOUNDS) -> tuple[AgeBucket, ...]:
    """The age buckets from their counts (one more count than bounds)."""
    edges = sorted(bounds)
    lows = [0, *(b + 1 for b in edges)]
    highs: list[int | None] = [*edges, None]
    return tuple(AgeBucket(lo, hi, n) for lo, hi, n in zip(lows, highs, counts, strict=True))


def working_days_of_pairs(cal: WorkingCalendar, pairs: Mapping[tuple[date, date], int]) -> dict[int, int]:
    """Turn counts per (receipt date, resolution date) into counts per number of working days between them.

    Each distinct date gets its running count of working days from the earliest date, once; a pair is then the
    difference of two running counts.

    >>> cal, national_day = WorkingCalendar.builtin(), date(2024, 9, 30)
    >>> working_days_of_pairs(cal, {(national_day, date(2024, 10, 8)): 3, (national_day, national_day): 1})
    {1: 3, 0: 1}
    """
    days = sorted({d for pair in pairs for d in pair})
    running: dict[date, int] = {}
    total = 0
    for i, day in enumerate(days):
        total += cal.working_days_between(days[i - 1], day) if i else 0
        running[day] = total
    out: dict[int, int] = {}
    for (received, resolved), n in pairs.items():
        wd = running[resolved] - running[received]
        out[wd] = out.get(wd, 0) + n
    return out


def cycle_time(distribution: Mapping[int, int]) -> CycleTime:
    """Mean, median, P90 (nearest rank) and minimum of a distribution given as value → count.

    >>> cycle_time({0: 1, 3: 2, 10: 1})          # values 0, 3, 3, 10
    CycleTime(count=4, mean=4.0, median=3.0, p90=10, fastest=0)
    >>> cycle_time({})
    CycleTime(count=0, mean=None, median=None, p90=None, fastest=None)
    """
    items = sorted((v, n) for v, n in distribution.items() if n > 0)
    count = sum(n for _, n in items)
    if not count:
        return CycleTime(0, None, None, None, None)

    def nth(k: int) -> int:  # the k-th smallest value, 0-based
        seen = 0
        for v, n in items:
            seen += n
            if k < seen:
                return v
        raise IndexError(k)

    median = (nth((count - 1) // 2) + nth(count // 2)) / 2
    p90 = nth((9 * count + 9) // 10 - 1)  # nearest rank ⌈0.9·n⌉, in integers so no rounding creeps in
    mean = sum(v * n for v, n in items) / count
    return CycleTime(count, mean, median, p90, items[0][0])


def one_decimal(value: float) -> str:
    """Rounded half up to one decimal, as figures are read in reports (四舍五入), not half to even.

    >>> one_decimal(2.25), one_decimal(2.35), one_decimal(3.0)
    ('2.3', '2.4', '3.0')
    """
    return str(Decimal(repr(value)).quantize(Decimal("0.1"), ROUND_HALF_UP))


def percent(rate: float | None) -> str:
    """A rate as read in reports: percent rounded half up to one decimal, "—" when there is none.

    >>> percent(None), percent(0.8575), percent(1.0)
    ('—', '85.8%', '100.0%')
    """
    return "—" if rate is None else f"{one_decimal(rate * 100)}%"
