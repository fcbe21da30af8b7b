"""Sensitivity of the income approach's value to its four main inputs, and the tornado chart's bars (pure).

Each cell is :func:`~zhengwu.valuation.model.income.value_income` on the request with one input changed, all else
held, and its change from the base value V₀:

- ``K`` — the share rate: K' = K₀ · (1 + s) (K₀ the rate the request's method gives at the base discount rate),
  decay as requested; a K' above 1 has no meaning and its cell is empty (``None``);
- ``i`` — the discount rate: i' = i₀ · (1 + s); an i' of 1 or more is outside [0, 1) and its cell is empty; a share
  method that depends on i (``incremental_profit``) follows the new i, as it would in a real valuation;
- ``n`` — the income years: n' = n₀ + Δ with Δ from ``year_steps`` (default −2, −1, +1, +2 years, one per column of
  ``steps``); n' below 0 is empty; **years beyond the amounts given repeat the last year's amount** (the forecast's
  plateau: a patent earning 2500 in its last forecast year is taken to earn 2500 in the next), never more than
  100 years;
- ``revenue`` — every income amount R_t scaled by (1 + s) (whatever the basis: revenue, profit or increment).

change = V' − V₀, change_ratio = change ÷ V₀ (``None`` when V₀ = 0). The tornado chart draws, for each input, the
bar from the value at −s to the value at +s (n: the matching year steps), longest swing on top.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from zhengwu.core.errors import Invalid
from zhengwu.valuation.model.income import IncomeRequest, value_income
from zhengwu.valuation.model.share_rates import MAX_YEARS, ExplicitShare

STEPS = (-0.2, -0.1, 0.1, 0.2)
YEAR_STEPS = (-2, -1, 1, 2)
VARIABLES = {"K": "分成率 K", "i": "折现率 i", "n": "收益年限 n", "revenue": "收益额 R"}


@dataclass(frozen=True)
class Cell:
    """One changed input: ``step`` the column's relative step, ``shift`` its label ("+10%", "−1年"), ``input`` the
    changed input's value; ``value``, ``change`` and ``change_ratio`` are ``None`` when the change leaves the
    input's domain (K > 1, i ≥ 1, n < 0)."""

    step: float
    shift: str
    input: float | None
    value: float | None
    change: float | None
    change_ratio: float | None


@dataclass(frozen=True)
class Variable:
    code: str
    label: str
    base: float
    cells: tuple[Cell, ...]


@dataclass(frozen=True)
class Sensitivity:
    base_value: float
    steps: tuple[float, ...]
    year_steps: tuple[int, ...]
    variables: tuple[Variable, ...]


@dataclass(frozen=True)
class TornadoBar:
    """An input's bar: the values at −step and +step (``None`` when outside the domain) and the swing
    |V(+) − V(−)| (a missing side counts as the base value)."""

    code: str
    label: str
    low_shift: str
    high_shift: str
    low_value: float | None
    high_value: float | None
    swing: float


def _percent(step: float) -> str:
    return f"{step * 100:+.0f}%".replace("-", "−")


def sensitivity(
    req: IncomeRequest, steps: Sequence[float] = STEPS, year_steps: Sequence[int] = YEAR_STEPS
) -> Sensitivity:
    """The sensitivity table of ``req`` (see the module docstring); ``year_steps`` gives n's change in each column
    of ``steps`` (same length). Steps lie in (−1, 1), not 0.

    The issue's worked example: K 2.55% → value 168.6114; K +10% gives +10% exactly (value is linear in K).

    >>> from zhengwu.valuation.model.income import Basis, BuildUpRate
    >>> from zhengwu.valuation.model.share_rates import ScoreShare
    >>> req = IncomeRequest(Basis.REVENUE, (2000, 2200, 2400, 2500, 2500), ScoreShare(0.015, 0.03, 70), 0.25,
    ...                     BuildUpRate(0.025, 0.03, 0.02, 0.01, 0.01), 5)
    >>> s = sensitivity(req)
    >>> round(s.base_value, 4), [round(c.change_ratio, 6) for c in s.variables[0].cells]
    (168.6114, [-0.2, -0.1, 0.1, 0.2])
    >>> [c.input for c in s.variables[2].cells]  # n: 3, 4, then 6 and 7 years repeating the last amount
    [3, 4, 6, 7]
    """
    steps, year_steps = tuple(float(s) for s in steps), tuple(int(d) for d in year_steps)
    if len(steps) != len(year_steps):
        raise Invalid("收益年限的变动须与变动幅度一一对应。", field="year_steps")
    for s in steps:
        if not -1 < s < 1 or s == 0:
            raise Invalid(f"变动幅度须在 (-1, 1) 之间且不为 0，现为 {s:g}。", field="steps")
    base = value_income(req)
    k0, i0, n0 = base.share_rate, base.discount_rate, req.years

    def cell(step: float, shift: str, changed: IncomeRequest | None, given: float | None) -> Cell:
        if changed is None:
            return Cell(step, shift, given, None, None, None)
        value = value_income(changed).value
        change = value - base.value
        return Cell(step, shift, given, value, change, change / base.value if base.value else None)

    k_cells, i_cells, n_cells, r_cells = [], [], [], []
    for s, d in zip(steps, year_steps, strict=True):
        shift = _percent(s)
        k = k0 * (1 + s)
        k_cells.append(cell(s, shift, replace(req, share=ExplicitShare(k)) if k <= 1 else None, k))
        i = i0 * (1 + s)
        i_cells.append(cell(s, shift, replace(req, discount=i) if i < 1 else None, i))
        n = n0 + d
        n_label = f"{d:+d}年".replace("-", "−")
        n_cells.append(cell(s, n_label, _with_years(req, n) if 0 <= n <= MAX_YEARS else None, n))
        amounts = tuple(a * (1 + s) for a in req.amounts)
        r_cells.append(cell(s, shift, replace(req, amounts=amounts), 1 + s))
    variables = (
        Variable("K", VARIABLES["K"], k0, tuple(k_cells)),
        Variable("i", VARIABLES["i"], i0, tuple(i_cells)),
        Variable("n", VARIABLES["n"], n0, tuple(n_cells)),
        Variable("revenue", VARIABLES["revenue"], 1.0, tuple(r_cells)),
    )
    return Sensitivity(base.value, steps, year_steps, variables)


def _with_years(req: IncomeRequest, years: int) -> IncomeRequest:
    """``req`` over ``years`` years; amounts beyond those given repeat the last one."""
    amounts = req.amounts
    if years > len(amounts):
        amounts = amounts + (amounts[-1],) * (years - len(amounts))
    return replace(req, amounts=amounts, years=years)


def tornado_bars(s: Sensitivity, step: float = 0.1) -> tuple[TornadoBar, ...]:
    """Each input's bar from −``step`` to +``step`` (n: the year steps in those columns), largest swing first.

    >>> from zhengwu.valuation.model.income import Basis
    >>> req = IncomeRequest(Basis.INCREMENTAL, (100.0,) * 5, None, 0.25, 0.1, 5)
    >>> [bar.code for bar in tornado_bars(sensitivity(req))]  # K = 1 cannot rise: half a bar
    ['n', 'revenue', 'K', 'i']
    """
    try:
        low, high = s.steps.index(-step), s.steps.index(step)
    except ValueError:
        raise Invalid(f"敏感性分析中没有 ±{step * 100:g}% 的变动幅度。", field="step") from None
    bars = []
    for v in s.variables:
        a, b = v.cells[low], v.cells[high]
        lo = s.base_value if a.value is None else a.value
        hi = s.base_value if b.value is None else b.value
        bars.append(TornadoBar(v.code, v.label, a.shift, b.shift, a.value, b.value, abs(hi - lo)))
    return tuple(sorted(bars, key=lambda bar: -bar.swing))


def sensitivity_as_json(s: Sensitivity, tornado_step: float | None = None) -> dict[str, Any]:
    """``{"base_value", "steps", "year_steps", "variables": [{"code", "label", "base", "cells": [{"step", "shift",
    "input", "value", "change", "change_ratio"}]}], "tornado": {"step", "bars": [{"code", "label", "low_shift",
    "high_shift", "low_value", "high_value", "swing"}]}}``, unrounded. The tornado is drawn at ``tornado_step``
    (default: the smallest positive step that also appears negated; no tornado, ``null``, if none)."""
    step = tornado_step
    if step is None:
        candidates = sorted(x for x in s.steps if x > 0 and -x in s.steps)
        step = candidates[0] if candidates else None
    return {
        "base_value": s.base_value,
        "steps": list(s.steps),
        "year_steps": list(s.year_steps),
        "variables": [
            {
                "code": v.code,
                "label": v.label,
                "base": v.base,
                "cells": [
                    {
                        "step": c.step,
                        "shift": c.shift,
                        "input": c.input,
                        "value": c.value,
                        "change": c.change,
                        "change_ratio": c.change_ratio,
                    }
                    for c in v.cells
                ],
            }
            for v in s.variables
        ],
        "tornado": None
        if step is None
        else {
            "step": step,
            "bars": [
                {
                    "code": b.code,
                    "label": b.label,
                    "low_shift": b.low_shift,
                    "high_shift": b.high_shift,
                    "low_value": b.low_value,
                    "high_value": b.high_value,
                    "swing": b.swing,
                }
                for b in tornado_bars(s, step)
            ],
        },
    }
