"""Hot spots (热点): requests of the same subject category that point at one cause, so a unit fixes it once.

Two requests are **linked** when they have the same subject category, were received at most ``window_days`` days
apart (``|t₁ − t₂| ≤ W × 24 h``), and either

* lie on the **same road** (route code such as ``S256``) with kilometre ranges that overlap or are at most
  ``gap_m`` metres apart (``km_gap``), or
* both carry coordinates at most ``radius_m`` metres apart on the ground (``haversine_m``).

A hot spot is a connected group of linked requests (single linkage, union–find) with at least ``min_count``
members; a chain of requests along a road thus forms one group even when its ends are further apart than the gap,
which is what a maintenance crew works through as one section. Each group reports its category, its road and the
kilometre span it covers (when road-linked requests have ranges), the centre of its coordinates (the mean latitude
and longitude, adequate over the few hundred metres of a group), the number of requests and the first and last
receipt.

Cost: requests are bucketed by (category, road) and by (category, grid cell of about ``radius_m``); only pairs in
one bucket (or neighbouring cells) and within the window are compared, after sorting by receipt time.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from zhengwu.core.errors import Invalid

#: Mean Earth radius (IUGG, R₁ = (2a + b)/3 of WGS 84), in metres.
EARTH_RADIUS_M = 6_371_008.8
DEFAULT_GAP_M = 1000
DEFAULT_RADIUS_M = 500
DEFAULT_WINDOW_DAYS = 30
MAX_WINDOW_DAYS = 366
MAX_DISTANCE_M = 100_000
METRES_PER_DEGREE_LAT = math.pi * EARTH_RADIUS_M / 180


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float, radius: float = EARTH_RADIUS_M) -> float:
    """Great-circle distance in metres between two points given in degrees (haversine formula):
    d = 2R·asin(√(sin²(Δφ/2) + cos φ₁ cos φ₂ sin²(Δλ/2))).

    One degree of longitude on the equator is πR/180 = 111,195 m; Rosetta Code's "Haversine formula" task gives
    2887.26 km from Nashville (36.12, −86.67) to Los Angeles (33.94, −118.40) with R = 6372.8 km.

    >>> round(haversine_m(0, 0, 0, 1))
    111195
    >>> round(haversine_m(36.12, -86.67, 33.94, -118.40, radius=6_372_800) / 1000, 2)
    2887.26
    """
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * radius * math.asin(min(1.0, math.sqrt(h)))


def km_gap(a_from: int, a_to: int, b_from: int, b_to: int) -> int:
    """Metres between two kilometre ranges on one road: 0 when they overlap or touch, else the distance from the
    end of the one to the start of the other. A single point is a range of length 0.

    >>> km_gap(12300, 27900, 20000, 30000), km_gap(12300, 12300, 13100, 13500), km_gap(5000, 6000, 1000, 4500)
    (0, 800, 500)
    """
    return max(0, max(a_from, b_from) - min(a_to, b_to))


@dataclass(frozen=True)
class Params:
    """The three parameters of the grouping (X, D, W) and the smallest group shown."""

    gap_m: int = DEFAULT_GAP_M
    radius_m: int = DEFAULT_RADIUS_M
    window_days: int = DEFAULT_WINDOW_DAYS
    min_count: int = 2


def params(
    gap_m: int | None = None, radius_m: int | None = None, window_days: int | None = None, min_count: int | None = None
) -> Params:
    """Checked parameters (missing ones take their defaults); bad ones raise ``Invalid`` naming the parameter.

    >>> params(window_days=7)
    Params(gap_m=1000, radius_m=500, window_days=7, min_count=2)
    >>> params(radius_m=-1)
    Traceback (most recent call last):
    ...
    zhengwu.core.errors.Invalid: 坐标距离（radius_m）应为 0 到 100000 米的整数。
    """
    checks = (
        (gap_m, DEFAULT_GAP_M, "gap_m", "桩号间距（gap_m）应为 0 到 {} 米的整数。", 0, MAX_DISTANCE_M),
        (radius_m, DEFAULT_RADIUS_M, "radius_m", "坐标距离（radius_m）应为 0 到 {} 米的整数。", 0, MAX_DISTANCE_M),
        (window_days, DEFAULT_WINDOW_DAYS, "window_days", "时间窗口（window_days）应为 1 到 {} 天的整数。", 1, 366),
        (min_count, 2, "min_count", "每组最少件数（min_count）应为 2 到 {} 的整数。", 2, 1000),
    )
    out = []
    for given, default, field, message, low, high in checks:
        value = default if given is None else given
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise Invalid(message.format(high), field=field)
        out.append(value)
    return Params(*out)


@dataclass(frozen=True)
class Located:
    """A candidate request with its location (road and kilometre range, coordinates, or both)."""

    id: int
    category_id: int
    received_at: datetime
    road_code: str = ""
    km_from: int | None = None
    km_to: int | None = None
    latitude: float | None = None
    longitude: float | None = None

    @property
    def on_road(self) -> bool:
        return bool(self.road_code) and self.km_from is not None and self.km_to is not None

    @property
    def has_point(self) -> bool:
        return self.latitude is not None and self.longitude is not None


@dataclass(frozen=True)
class HotSpot:
    category_id: int
    members: tuple[Located, ...]  # oldest first
    road_code: str  # the road most of the road-linked members are on; "" when none
    km_from: int | None
    km_to: int | None
    centre: tuple[float, float] | None  # (latitude, longitude)

    @property
    def count(self) -> int:
        return len(self.members)

    @property
    def first(self) -> datetime:
        return self.members[0].received_at

    @property
    def last(self) -> datetime:
        return self.members[-1].received_at


class _Links:
    """Union–find over request positions."""

    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def join(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def _within_window(items: Sequence[Located], order: list[int], window: timedelta) -> Iterable[tuple[int, int]]:
    """Pairs of positions (from ``order``, sorted by receipt) received at most ``window`` apart."""
    for k, i in enumerate(order):
        for j in order[k + 1 :]:
            if items[j].received_at - items[i].received_at > window:
                break
            yield i, j


def hot_spots(requests: Sequence[Located], p: Params = Params()) -> list[HotSpot]:
    """The groups of linked requests (see the module docstring), largest first, then the most recent.

    >>> from datetime import datetime as t
    >>> a = Located(1, 7, t(2024, 6, 20), "S256", 12300, 13000)
    >>> b = Located(2, 7, t(2024, 6, 25), "S256", 13800, 14000)   # 800 m further on
    >>> c = Located(3, 7, t(2024, 9, 1), "S256", 12500, 12600)    # same place, but 73 days later
    >>> d = Located(4, 8, t(2024, 6, 21), "S256", 12300, 13000)   # another category
    >>> [(s.road_code, s.km_from, s.km_to, [m.id for m in s.members]) for s in hot_spots([a, b, c, d])]
    [('S256', 12300, 14000, [1, 2])]
    """
    items = list(requests)
    links = _Links(len(items))
    window = timedelta(days=p.window_days)
    by_time = sorted(range(len(items)), key=lambda i: (items[i].received_at, items[i].id))
    roads: dict[tuple[int, str], list[int]] = defaultdict(list)
    cells: dict[tuple[int, int, int], list[int]] = defaultdict(list)
    # A cell is at least radius_m tall and wide: one width of longitude for all, taken where a degree is shortest.
    cell_deg = max(p.radius_m, 1) / METRES_PER_DEGREE_LAT
    widest = max((abs(r.latitude) for r in items if r.latitude is not None), default=0.0)
    lon_deg = cell_deg / max(math.cos(math.radians(widest)), 0.01)
    for i in by_time:
        r = items[i]
        if r.on_road:
            roads[(r.category_id, r.road_code)].append(i)
        if r.has_point:
            assert r.latitude is not None and r.longitude is not None
            cells[(r.category_id, math.floor(r.latitude / cell_deg), math.floor(r.longitude / lon_deg))].append(i)
    road_linked: set[int] = set()
    for order in roads.values():
        for i, j in _within_window(items, order, window):
            a, b = items[i], items[j]
            assert a.km_from is not None and a.km_to is not None and b.km_from is not None and b.km_to is not None
            if km_gap(a.km_from, a.km_to, b.km_from, b.km_to) <= p.gap_m:
                links.join(i, j)
                road_linked.update((i, j))
    for (cat, y, x), here in cells.items():
        near = sorted(
            {k for dy in (-1, 0, 1) for dx in (-1, 0, 1) for k in cells.get((cat, y + dy, x + dx), ())},
            key=lambda k: (items[k].received_at, items[k].id),
        )
        mine = set(here)
        for i, j in _within_window(items, near, window):
            if i not in mine and j not in mine:
                continue
            a, b = items[i], items[j]
            assert a.latitude is not None and a.longitude is not None
            assert b.latitude is not None and b.longitude is not None
            if haversine_m(a.latitude, a.longitude, b.latitude, b.longitude) <= p.radius_m:
                links.join(i, j)
    groups: dict[int, list[int]] = defaultdict(list)
    for i in by_time:
        groups[links.find(i)].append(i)
    spots = [_spot(items, members, road_linked) for members in groups.values() if len(members) >= p.min_count]
    return sorted(spots, key=lambda s: (-s.count, -s.last.timestamp(), s.members[0].id))


def _spot(items: Sequence[Located], members: list[int], road_linked: set[int]) -> HotSpot:
    group = [items[i] for i in members]
    on_road = [items[i] for i in members if i in road_linked]
    road, lo, hi = "", None, None
    if on_road:
        tally: dict[str, int] = defaultdict(int)
        for r in on_road:
            tally[r.road_code] += 1
        road = max(sorted(tally), key=lambda code: tally[code])
        spans = [(r.km_from, r.km_to) for r in on_road if r.road_code == road]
        lo = min(s[0] for s in spans if s[0] is not None)
        hi = max(s[1] for s in spans if s[1] is not None)
    points = [(r.latitude, r.longitude) for r in group if r.latitude is not None and r.longitude is not None]
    centre = None
    if points:
        centre = (sum(pt[0] for pt in points) / len(points), sum(pt[1] for pt in points) / len(points))
    return HotSpot(group[0].category_id, tuple(group), road, lo, hi, centre)
