"""The geometry of the finance charts (zhengwu.finance.model.charts) and the loss-rate distribution they draw
(zhengwu.finance.model.simulation.loss_histogram): nice ticks cover the data with 1-2-5 steps and print without
float noise, lines and bars are drawn to scale inside the plot area, and the histogram's probabilities add up to
one and agree with the simulation's loss probability."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from zhengwu.finance.model.charts import Frame, bar_chart, label_every, line_chart, nice_step, nice_ticks, tick_label
from zhengwu.finance.model.plan import parse_plan
from zhengwu.finance.model.seed_plan import seed_plan
from zhengwu.finance.model.simulation import LOSS_BINS, TOLERANCE, loss_histogram, nice_upper, simulate

finite = st.floats(min_value=-1e12, max_value=1e12, allow_nan=False, allow_infinity=False)


@given(finite, finite, st.integers(min_value=2, max_value=10))
def test_nice_ticks_cover_the_range_in_few_steps_of_one_two_or_five(a: float, b: float, count: int) -> None:
    lo, hi = min(a, b), max(a, b)
    ticks = nice_ticks(lo, hi, count)
    slack = 1e-8 * max(1.0, hi - lo)
    assert ticks[0] <= lo + slack and ticks[-1] >= hi - slack
    assert 2 <= len(ticks) <= 2 * count + 2
    step = ticks[1] - ticks[0]
    mantissa = step / 10 ** math.floor(math.log10(step))
    assert any(math.isclose(mantissa, m, rel_tol=1e-6) for m in (1, 2, 5, 10))
    assert all(math.isclose(y - x, step, rel_tol=1e-6, abs_tol=1e-9 * step) for x, y in itertools.pairwise(ticks))


def test_tick_labels_have_the_decimals_of_the_step_and_no_float_noise() -> None:
    assert [tick_label(v, 0.1) for v in nice_ticks(0, 0.37)] == ["0.0", "0.1", "0.2", "0.3", "0.4"]
    assert [tick_label(v, 5e7) for v in nice_ticks(0, 1.35e8)] == ["0", "50,000,000", "100,000,000", "150,000,000"]
    assert tick_label(0.025, 0.005, "%") == "0.025%" and tick_label(-0.0, 1.0) == "0"
    assert nice_step(0) == nice_step(float("nan")) == 1.0
    assert [label_every(n) for n in (1, 12, 13, 24, 25)] == [1, 1, 2, 2, 3]


def test_a_line_chart_draws_each_value_to_scale_within_the_plot_area() -> None:
    frame = Frame()
    balances = [12800.0, 11853.2, 10906.0, 0.0]
    chart = line_chart(["成立", "1", "2", "3"], [("A", balances), ("B", [700.0, 700.0, 700.0, 0.0])], frame)
    top = float(chart.y_ticks[-1].label.replace(",", ""))
    for line, values in zip(chart.lines, (balances, [700.0, 700.0, 700.0, 0.0]), strict=True):
        coords = [tuple(map(float, p.split(","))) for p in line.points.split()]
        assert len(coords) == len(values) == len(line.markers)
        for (x, y), value in zip(coords, values, strict=True):
            assert frame.left <= x <= frame.left + frame.plot_width
            assert y == pytest.approx(frame.base - value / top * frame.plot_height, abs=0.01)
    assert chart.lines[0].color != chart.lines[1].color
    assert [t.label for t in chart.x_ticks] == ["成立", "1", "2", "3"]
    assert chart.lines[0].markers[1][2] == "1：11,853.20"
    with pytest.raises(ValueError, match="values for 4 labels"):
        line_chart(["0", "1", "2", "3"], [("A", [1.0])])


@given(st.lists(st.floats(min_value=0, max_value=1e9, allow_nan=False), min_size=1, max_size=40))
def test_bars_are_proportional_side_by_side_and_inside_the_plot(values: list[float]) -> None:
    frame = Frame()
    chart = bar_chart([str(k) for k in range(len(values))], values, frame)
    top = float(chart.y_ticks[-1].label.replace(",", ""))
    for bar, value in zip(chart.bars, values, strict=True):
        assert bar.height == pytest.approx(value / top * frame.plot_height, abs=0.02)
        assert bar.y + bar.height == pytest.approx(frame.base, abs=0.02)
        assert frame.left <= bar.x and bar.x + bar.width <= frame.left + frame.plot_width + 0.01
    assert all(a.x + a.width <= b.x + 0.01 for a, b in itertools.pairwise(chart.bars))
    assert len(chart.x_ticks) <= 12


def test_negative_bars_hang_below_the_zero_line() -> None:
    chart = bar_chart(["a", "b"], [-2.0, 4.0], Frame(width=200, height=100, left=0, right=0, top=0, bottom=0))
    zero = chart.bars[1].y + chart.bars[1].height
    assert chart.bars[0].y == pytest.approx(zero, abs=0.01)
    assert chart.bars[0].height == pytest.approx(chart.bars[1].height / 2, abs=0.01)


def test_the_loss_histogram_adds_up_to_one_with_the_no_loss_share_apart() -> None:
    loss = np.array([0.0, 0.004, 10.0, 49.0, 50.0, 120.0])  # 0.004 is below half a fen: no loss
    h = loss_histogram(loss, 100.0)
    assert h.no_loss == pytest.approx(2 / 6) and len(h.bins) == LOSS_BINS
    assert h.upper == 2.0  # the largest rate 1.2 (unpaid interest counts): the next 1-2-5 bound
    assert h.no_loss + sum(h.bins) == pytest.approx(1.0)
    assert h.bins[0] == pytest.approx(1 / 6)  # 0.10 in (0, 0.1]: bins are closed on the right
    assert h.bins[4] == pytest.approx(2 / 6)  # 0.49 and 0.50 in (0.4, 0.5]
    assert h.bins[11] == pytest.approx(1 / 6)  # 1.20 in (1.1, 1.2]
    empty = loss_histogram(np.zeros(5), 100.0)
    assert (empty.no_loss, empty.upper, sum(empty.bins)) == (1.0, 0.01, 0.0)
    assert loss_histogram(np.array([5.0, 0.0]), 0.0).no_loss == 1.0  # a tranche of balance 0 never loses
    assert [nice_upper(x) for x in (0.0, 0.01, 0.0101, 0.3, 0.5, 0.51, 7.0)] == [0.01, 0.01, 0.02, 0.5, 0.5, 1.0, 10.0]


def test_the_simulated_loss_distribution_matches_each_tranches_loss_probability() -> None:
    data = seed_plan()
    data["guarantor"]["pd_annual"] = 0.2  # the guarantor fails often enough for the subordinated tranche to lose
    plan = parse_plan(data)
    result = simulate(plan, 4_000, np.random.default_rng(11))
    for tranche, h in zip(result.tranches, result.loss_distribution, strict=True):
        assert 1 - h.no_loss == pytest.approx(tranche.loss_probability.mean, abs=1e-12)
        assert sum(h.bins) == pytest.approx(1 - h.no_loss, abs=1e-12)
        # the mean of the bins' upper edges bounds the expected loss rate from above, their lower edges from below
        width = h.upper / len(h.bins)
        low = sum(k * width * p for k, p in enumerate(h.bins))
        assert low - 1e-12 <= tranche.expected_loss_rate.mean <= low + width * (1 - h.no_loss) + 1e-12
    assert result.loss_distribution[-1].no_loss < 1.0
    assert TOLERANCE == 0.005
