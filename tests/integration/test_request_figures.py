"""The hotline's figures and hot spots through the service, on SQLite and PostgreSQL, over the hand-built requests
of ``tests.support.request_figures`` (A–I), whose expected figures are counted by hand there and below."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from tests.support.request_figures import NOW, build
from zhengwu.core.clock import FakeClock
from zhengwu.core.db import Database
from zhengwu.core.errors import NotFound
from zhengwu.core.org.model import Principal
from zhengwu.requests.figures import Counts, period
from zhengwu.requests.hotspots import Params
from zhengwu.requests.service.figures import RequestFigures, request_figures, request_hot_spots

JUNE = period(date(2024, 6, 20), year=2024, month=6)


@pytest.fixture
def records(db: Database, clock: FakeClock) -> dict[str, Any]:
    return build(db, clock)


def figures(db: Database, who: Principal, unit: int | None = None) -> RequestFigures:
    with db.reading() as s:
        return request_figures(s, who, JUNE, unit, NOW)


def test_the_three_rates_count_on_time_sign_for_and_leave_out_what_is_not_judged_yet(
    db: Database, records: dict[str, Any]
) -> None:
    f = figures(db, records["people"]["r_hotline"])
    # Received A B C D E F I; due for signing A B C (signed) and D (late, unsigned); on time A C.
    # Called back A B (C not yet): solved A B, satisfied A. Resolved A B C. Overdue: D.
    assert f.totals == Counts(
        received=7, resolved=3, due_for_signing=4, signed_on_time=2, called_back=2, solved=2, satisfied=1, overdue=1
    )
    assert (f.totals.response_rate, f.totals.resolution_rate, f.totals.satisfaction_rate) == (0.5, 1.0, 0.5)


def test_breakdowns_by_type_category_unit_channel_and_month(db: Database, records: dict[str, Any]) -> None:
    f = figures(db, records["people"]["r_hotline"])
    assert [(r.label, r.counts.received) for r in f.by_type] == [("求助", 1), ("投诉", 6)]
    assert [(r.depth, r.label, r.counts.received) for r in f.by_category] == [
        (1, "交通运输", 6),
        (2, "公路养护", 6),
        (1, "卫生健康", 1),
    ]
    units = {r.label: r.counts for r in f.by_unit}
    # I went back to the hotline (凤凰县) with the send-back, F was never dispatched.
    assert {k: c.received for k, c in units.items()} == {
        "凤凰县公路建设养护中心": 4,
        "凤凰县": 2,
        "凤凰县卫生健康局": 1,
    }
    assert (units["凤凰县公路建设养护中心"].signed_on_time, units["凤凰县公路建设养护中心"].due_for_signing) == (1, 3)
    assert [(r.label, r.counts.received) for r in f.by_channel] == [("网站", 1), ("电话", 6)]
    assert [(r.label, r.counts.received) for r in f.by_month] == [("2024年6月", 7)]


def test_a_year_counts_may_too_and_gives_every_month_a_row(db: Database, records: dict[str, Any]) -> None:
    with db.reading() as s:
        f = request_figures(s, records["people"]["r_hotline"], period(date(2024, 6, 20), year=2024), None, NOW)
    assert f.totals.received == 8
    assert len(f.by_month) == 12
    assert [r.counts.received for r in f.by_month[4:6]] == [1, 7]


def test_the_overdue_list_counts_working_days_through_the_calendar(db: Database, records: dict[str, Any]) -> None:
    f = figures(db, records["people"]["r_hotline"])
    assert f.overdue_total == 1
    (d,) = f.overdue
    assert (d.request_id, d.limit, d.unit_name) == (records["ids"]["D"], "签收时限", "凤凰县公路建设养护中心")
    # Due at the end of Tue 4 June; to Thu 20 June: 5–7, 11–14, 17–20 June (10 June is a holiday) = 11 working days.
    assert d.working_days == 11


def test_a_unit_subtree_and_the_readers_scope_narrow_every_figure(db: Database, records: dict[str, Any]) -> None:
    p = records["people"]
    assert figures(db, p["r_hotline"], records["gl"]).totals.received == 4
    assert figures(db, p["r_road"]).totals.received == 4  # A B D E: the centre sees its own requests only
    outsider = figures(db, p["r_outsider"])  # 吉首 sees its own G and none of 凤凰县's
    assert outsider.totals.received == 1
    assert outsider.overdue == []
    with pytest.raises(NotFound) as caught, db.reading() as s:
        request_figures(s, p["r_outsider"], JUNE, records["gl"], NOW)
    assert caught.value.field == "unit_id"


def test_hot_spots_group_the_same_category_on_one_road_section_or_within_a_distance(
    db: Database, records: dict[str, Any]
) -> None:
    ids = records["ids"]
    with db.reading() as s:
        spots = request_hot_spots(s, records["people"]["r_hotline"], JUNE, None, Params())
    found = sorted(([r.id for r in v.requests], v.spot.road_code, v.spot.km_from, v.spot.km_to) for v in spots)
    # A and B are 800 m apart on S256 (≤ 1000 m); E and F are 333 m apart (≤ 500 m); D is 26 km further on.
    assert found == sorted([([ids["A"], ids["B"]], "S256", 12300, 14000), ([ids["E"], ids["F"]], "", None, None)])
    with db.reading() as s:
        tight = request_hot_spots(s, records["people"]["r_hotline"], JUNE, None, Params(gap_m=500, radius_m=300))
        outsider = request_hot_spots(s, records["people"]["r_outsider"], JUNE, None, Params())
    assert tight == []
    assert outsider == []
