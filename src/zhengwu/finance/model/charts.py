"""Geometry of the finance pages' charts, drawn as inline SVG by the macros of ``finance/_charts.html``: the scales,
the ticks with their labels, the polyline points of a line chart and the rectangles of a bar chart. Everything is
computed here, in pure functions; the templates only draw what they are given.

Coordinates are SVG user units: x grows to the right, y downwards, so a value's height is ``frame.top +
frame.plot_height`` (the base line) minus its scaled size. Axes start at 0 whenever the data are non-negative, so
a bar's or a line's height is proportional to its value. Ticks step by 1, 2 or 5 × 10^k ("nice" numbers), at most
about ``count`` of them.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

#: Series colours, in order (the palette of the valuation charts: blue, red, green, purple, orange, teal).
PALETTE = ("#4f81bd", "#c0504d", "#9bbb59", "#8064a2", "#f79646", "#4bacc6")


@dataclass(frozen=True)
class Frame:
    """The chart's box: ``width`` × ``height`` with margins for the axes' labels around the plot area."""

    width: float = 640.0
    height: float = 260.0
    left: float = 76.0
    right: float = 16.0
    top: float = 14.0
    bottom: float = 42.0

    @property
    def plot_width(self) -> float:
        return self.width - self.left - self.right

    @property
    def plot_height(self) -> float:
        return self.height - self.top - self.bottom

    @property
    def base(self) -> float:
        """The y of the plot area's bottom edge (the x axis)."""
        return self.top + self.plot_height


@dataclass(frozen=True)
class Scale:
    """The linear map of the domain [``lo``, ``hi``] onto [``start``, ``end``] (``end`` < ``start`` for y).

    >>> Scale(0, 10, 200, 0)(2.5)
    150.0
    """

    lo: float
    hi: float
    start: float
    end: float

    def __call__(self, value: float) -> float:
        span = self.hi - self.lo
        if span == 0:
            return self.start
        return self.start + (value - self.lo) / span * (self.end - self.start)


@dataclass(frozen=True)
class Tick:
    """An axis mark at ``position`` (x or y, in user units) with its ``label``."""

    position: float
    label: str


@dataclass(frozen=True)
class Line:
    """One series of a line chart: its SVG ``points`` ("x,y x,y …"), colour and each point's value for tooltips."""

    name: str
    color: str
    points: str
    markers: tuple[tuple[float, float, str], ...]


@dataclass(frozen=True)
class LineChart:
    frame: Frame
    lines: tuple[Line, ...]
    x_ticks: tuple[Tick, ...]
    y_ticks: tuple[Tick, ...]


@dataclass(frozen=True)
class Bar:
    """A bar: its rectangle (``x``, ``y`` top-left, ``width``, ``height``) and a ``title`` for the tooltip."""

    x: float
    y: float
    width: float
    height: float
    title: str


@dataclass(frozen=True)
class BarChart:
    frame: Frame
    bars: tuple[Bar, ...]
    x_ticks: tuple[Tick, ...]
    y_ticks: tuple[Tick, ...]


def nice_step(span: float, count: int = 5) -> float:
    """The tick step 1, 2 or 5 × 10^k giving at most about ``count`` intervals over ``span`` (1 when span ≤ 0).

    >>> nice_step(128_000_000), nice_step(0.37), nice_step(7, 8), nice_step(0)
    (50000000.0, 0.1, 1.0, 1.0)
    """
    if not span > 0 or not math.isfinite(span):
        return 1.0
    raw = span / max(count, 1)
    if not raw > 1e-300:  # a subnormal span: no axis can show it
        return 1.0
    power = 10.0 ** math.floor(math.log10(raw))
    for multiple in (1.0, 2.0, 5.0, 10.0):
        if multiple * power >= raw * (1 - 1e-12):
            return multiple * power
    return 10.0 * power  # pragma: no cover - the loop always returns


def nice_ticks(lo: float, hi: float, count: int = 5) -> tuple[float, ...]:
    """Tick values covering [lo, hi], from a multiple of :func:`nice_step` at or below ``lo`` to one at or above
    ``hi``; a flat range [v, v] is widened to include 0 and 1 step.

    >>> nice_ticks(0, 128_000_000)
    (0.0, 50000000.0, 100000000.0, 150000000.0)
    >>> nice_ticks(0, 0.37), nice_ticks(0, 0)
    ((0.0, 0.1, 0.2, 0.3, 0.4), (0.0, 0.2, 0.4, 0.6, 0.8, 1.0))
    """
    if hi < lo:
        lo, hi = hi, lo
    if hi == lo:
        hi = lo + (abs(lo) or 1.0)
        lo = min(lo, 0.0)
    step = nice_step(hi - lo, count)
    first = math.floor(lo / step + 1e-9)
    last = max(math.ceil(hi / step - 1e-9), first + 1)
    return tuple(float(f"{k * step:.12g}") + 0.0 for k in range(first, last + 1))


def tick_label(value: float, step: float, suffix: str = "") -> str:
    """``value`` with thousands separators and as many decimals as ``step`` needs, then ``suffix``.

    >>> tick_label(150_000_000.0, 50_000_000.0), tick_label(0.3, 0.1, "%"), tick_label(-0.0, 1)
    ('150,000,000', '0.3%', '0')
    """
    decimals = max(0, -math.floor(math.log10(step) + 1e-9)) if step > 0 else 0
    text = f"{value:,.{decimals}f}"
    if text.lstrip("-").strip("0.,") == "":
        text = text.lstrip("-")
    return text + suffix


def value_range(values: Sequence[float]) -> tuple[float, float]:
    """The range of ``values`` widened to include 0 (an axis starts at 0 for non-negative data).

    >>> value_range([3.0, 7.5]), value_range([-2.0, 4.0]), value_range([])
    ((0.0, 7.5), (-2.0, 4.0), (0.0, 0.0))
    """
    if not values:
        return 0.0, 0.0
    return min(0.0, *values), max(0.0, *values)


def y_axis(lo: float, hi: float, frame: Frame, suffix: str = "", count: int = 5) -> tuple[Scale, tuple[Tick, ...]]:
    """The y scale over the nice ticks covering [lo, hi] and the ticks placed on it."""
    values = nice_ticks(lo, hi, count)
    scale = Scale(values[0], values[-1], frame.base, frame.top)
    step = values[1] - values[0] if len(values) > 1 else 1.0
    return scale, tuple(Tick(round(scale(v), 2), tick_label(v, step, suffix)) for v in values)


def label_every(n: int, most: int = 12) -> int:
    """Label every k-th category so that at most ``most`` labels are written.

    >>> label_every(9), label_every(20), label_every(25, 10)
    (1, 2, 3)
    """
    return max(1, math.ceil(n / most))


def line_chart(
    x_labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[float]]],
    frame: Frame | None = None,
    *,
    suffix: str = "",
) -> LineChart:
    """A line chart of ``series`` (name, one value per x label) over categories spaced evenly from the plot's left
    edge to its right edge; the y axis spans the values and 0.

    >>> chart = line_chart(["0", "1", "2"], [("A", [100.0, 60.0, 0.0])], Frame(width=220, height=140, left=20,
    ...     right=0, top=20, bottom=20))
    >>> chart.lines[0].points, [t.label for t in chart.y_ticks]
    ('20.00,20.00 120.00,60.00 220.00,120.00', ['0', '20', '40', '60', '80', '100'])
    >>> chart.lines[0].markers[1], [t.position for t in chart.x_ticks]
    ((120.0, 60.0, '1：60.00'), [20.0, 120.0, 220.0])
    """
    frame = frame or Frame()
    n = len(x_labels)
    for name, values in series:
        if len(values) != n:
            raise ValueError(f"series {name} has {len(values)} values for {n} labels")
    lo, hi = value_range([v for _, values in series for v in values])
    y, y_ticks = y_axis(lo, hi, frame, suffix)
    x = Scale(0, max(n - 1, 1), frame.left, frame.left + frame.plot_width)
    lines = []
    for k, (name, values) in enumerate(series):
        coords = [(round(x(i), 2), round(y(v), 2)) for i, v in enumerate(values)]
        points = " ".join(f"{px:.2f},{py:.2f}" for px, py in coords)
        markers = tuple((px, py, f"{x_labels[i]}：{values[i]:,.2f}") for i, (px, py) in enumerate(coords))
        lines.append(Line(name, PALETTE[k % len(PALETTE)], points, markers))
    every = label_every(n)
    x_ticks = tuple(Tick(round(x(i), 2), label) for i, label in enumerate(x_labels) if i % every == 0)
    return LineChart(frame, tuple(lines), x_ticks, y_ticks)


def bar_chart(
    labels: Sequence[str],
    values: Sequence[float],
    frame: Frame | None = None,
    *,
    suffix: str = "",
    gap: float = 0.15,
    most_labels: int = 12,
) -> BarChart:
    """One bar per label, ``gap`` of each slot left empty between bars, heights from 0 to the value on a y axis
    spanning the values and 0 (negative values hang below the 0 line); every k-th label written (at most
    ``most_labels``). Each bar's tooltip is "label：value suffix".

    >>> chart = bar_chart(["0", "1"], [80.0, 20.0], Frame(width=220, height=120, left=20, right=0, top=20,
    ...     bottom=0), suffix="%", gap=0)
    >>> [(b.x, b.y, b.width, b.height) for b in chart.bars]
    [(20.0, 20.0, 100.0, 100.0), (120.0, 95.0, 100.0, 25.0)]
    >>> chart.bars[1].title, [t.label for t in chart.x_ticks], [t.label for t in chart.y_ticks]
    ('1：20%', ['0', '1'], ['0%', '20%', '40%', '60%', '80%'])
    """
    if len(labels) != len(values):
        raise ValueError(f"{len(values)} values for {len(labels)} labels")
    frame = frame or Frame()
    lo, hi = value_range(list(values))
    y, y_ticks = y_axis(lo, hi, frame, suffix)
    n = max(len(labels), 1)
    slot = frame.plot_width / n
    zero = y(0.0)
    bars = []
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        top = y(value)
        bars.append(
            Bar(
                round(frame.left + i * slot + slot * gap / 2, 2),
                round(min(top, zero), 2),
                round(slot * (1 - gap), 2),
                round(abs(zero - top), 2),
                f"{label}：{value:,.4g}{suffix}",
            )
        )
    every = label_every(len(labels), most_labels)
    x_ticks = tuple(
        Tick(round(frame.left + (i + 0.5) * slot, 2), label) for i, label in enumerate(labels) if i % every == 0
    )
    return BarChart(frame, tuple(bars), x_ticks, y_ticks)
