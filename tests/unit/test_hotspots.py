"""Hot spots (zhengwu.requests.hotspots): the distances they rest on and how requests are grouped."""

from __future__ import annotations

import math
from datetime import datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from zhengwu.core.errors import Invalid
from zhengwu.requests.hotspots import (
    EARTH_RADIUS_M,
    Located,
    Params,
    haversine_m,
    hot_spots,
    km_gap,
    params,
)

T0 = datetime(2024, 6, 20, 9)


def at_road(i: int, km_from: int, km_to: int, days: float = 0, category: int = 1, road: str = "S256") -> Located:
    return Located(i, category, T0 + timedelta(days=days), road, km_from, km_to)


def at_point(i: int, lat: float, lon: float, days: float = 0, category: int = 1) -> Located:
    return Located(i, category, T0 + timedelta(days=days), latitude=lat, longitude=lon)


def ids(spots: list) -> list[list[int]]:  # type: ignore[type-arg]
    return [[m.id for m in s.members] for s in spots]


def test_haversine_matches_reference_distances() -> None:
    # A quarter of a meridian is πR/2 on a sphere of mean radius R (IUGG 6,371,008.8 m): 10,007.5 km.
    assert haversine_m(0, 0, 90, 0) == pytest.approx(math.pi * EARTH_RADIUS_M / 2, rel=1e-12)
    # Rosetta Code, "Haversine formula": Nashville BNA (36.12, −86.67) to Los Angeles LAX (33.94, −118.40) with
    # R = 6372.8 km is 2887.2599506071106 km.
    assert haversine_m(36.12, -86.67, 33.94, -118.40, radius=6_372_800) == pytest.approx(2_887_259.95, abs=0.01)
    assert haversine_m(27.95, 109.6, 27.95, 109.6) == 0


@given(
    st.floats(-80, 80),
    st.floats(-179, 179),
    st.floats(-80, 80),
    st.floats(-179, 179),
)
def test_haversine_is_symmetric_and_never_exceeds_half_the_circumference(
    a: float, b: float, c: float, d: float
) -> None:
    there, back = haversine_m(a, b, c, d), haversine_m(c, d, a, b)
    assert there == pytest.approx(back, abs=1e-6)
    assert 0 <= there <= math.pi * EARTH_RADIUS_M + 1e-6


def test_kilometre_ranges_that_overlap_or_touch_have_no_gap() -> None:
    assert km_gap(12300, 27900, 27900, 30000) == 0
    assert km_gap(12300, 27900, 13000, 14000) == 0  # one inside the other
    assert km_gap(27901, 28000, 12300, 27900) == 1


def test_requests_on_one_road_within_the_gap_and_window_form_one_group() -> None:
    spots = hot_spots([at_road(1, 12300, 13000), at_road(2, 14000, 14100, days=3), at_road(3, 15100, 15100, days=6)])
    # 1–2 are 1000 m apart, 2–3 1000 m: one chain, spanning K12+300–K15+100.
    assert ids(spots) == [[1, 2, 3]]
    assert (spots[0].road_code, spots[0].km_from, spots[0].km_to) == ("S256", 12300, 15100)


def test_another_road_another_category_or_outside_the_window_is_not_linked() -> None:
    base = at_road(1, 12300, 13000)
    assert hot_spots([base, at_road(2, 12300, 13000, road="S229")]) == []
    assert hot_spots([base, at_road(2, 12300, 13000, category=2)]) == []
    assert hot_spots([base, at_road(2, 12300, 13000, days=30.5)]) == []
    assert ids(hot_spots([base, at_road(2, 12300, 13000, days=30)])) == [[1, 2]]  # exactly W days: linked
    assert hot_spots([base, at_road(2, 14001, 14001)]) == []  # 1001 m > 1000 m


def test_points_within_the_radius_are_linked_and_the_centre_is_their_mean() -> None:
    # 0.004° of latitude is 444.8 m (πR/180 × 0.004); 0.005° is 556.0 m.
    near = hot_spots([at_point(1, 27.950, 109.6), at_point(2, 27.954, 109.6, days=1)])
    assert ids(near) == [[1, 2]]
    assert near[0].centre == pytest.approx((27.952, 109.6))
    assert hot_spots([at_point(1, 27.950, 109.6), at_point(2, 27.955, 109.6)]) == []


def test_points_either_side_of_a_grid_cell_border_are_still_compared() -> None:
    # The cell height is radius_m / 111,195 m per degree; put the pair astride a multiple of it.
    cell = 500 / (math.pi * EARTH_RADIUS_M / 180)
    border = cell * 6291
    spots = hot_spots([at_point(1, border - cell / 10, 109.6), at_point(2, border + cell / 10, 109.6)])
    assert ids(spots) == [[1, 2]]


def test_groups_come_largest_first_and_respect_the_minimum_size() -> None:
    pair = [at_road(1, 0, 0), at_road(2, 100, 100)]
    triple = [at_road(3, 50000, 50000), at_road(4, 50100, 50100), at_road(5, 50200, 50200)]
    assert ids(hot_spots(pair + triple)) == [[3, 4, 5], [1, 2]]
    assert ids(hot_spots(pair + triple, Params(min_count=3))) == [[3, 4, 5]]


def test_parameters_default_and_bad_ones_name_the_parameter() -> None:
    assert params() == Params(1000, 500, 30, 2)
    for kwargs, field in (
        ({"gap_m": -1}, "gap_m"),
        ({"radius_m": 100_001}, "radius_m"),
        ({"window_days": 367}, "window_days"),
        ({"window_days": 0}, "window_days"),
        ({"min_count": 1}, "min_count"),
    ):
        with pytest.raises(Invalid) as caught:
            params(**kwargs)
        assert caught.value.field == field
