"""Tranche metrics of the waterfall, vectorised over paths (WAL, IRR), and the contract's JSON output of one path.

- WAL (years) = Σ_t (t ÷ periods_per_year) · principal_t ÷ Σ_t principal_t; a tranche repaid no principal gets 0.
- IRR: the annual effective rate r_a = (1 + r)^periods_per_year − 1, where r per period solves
  −B_0 + Σ_t CF_t / (1 + r)^t = 0 for the tranche's closing balance B_0 > 0 and its cash flows CF_t ≥ 0 (interest +
  principal, plus the residual for the last tranche). With u = ln(1 + r) the function
  g(u) = ln Σ_t CF_t·e^(−u·t) − ln B_0 is convex and decreasing, so its root is unique; with c = ln(Σ CF ÷ B_0) it
  lies between c ÷ T and c (T the last period), and Newton's method started at the lower end climbs to it without
  overshooting (each tangent of a convex function lies below it). It is computed in the log domain (log-sum-exp),
  so no power overflows. A tranche that receives nothing (Σ CF = 0) gets r_a = −1 (−100 %), never NaN; r_a is
  capped at e^700 − 1 (reached only by a residual many orders of magnitude above the balance).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

if TYPE_CHECKING:
    from zhengwu.finance.model.plan import Plan
    from zhengwu.finance.model.waterfall import WaterfallResult

Floats = NDArray[np.float64]
_MAX_ITERATIONS = 200


def wal_years(principal: Floats, periods_per_year: int) -> Floats:
    """Σ (t ÷ periods_per_year) · principal_t ÷ Σ principal_t over the last axis (periods 1..T); 0 where nothing
    is repaid.

    >>> wal_years(np.array([[0.0, 50.0, 0.0, 50.0], [0.0, 0.0, 0.0, 0.0]]), 4).tolist()
    [0.75, 0.0]
    """
    t = np.arange(1, principal.shape[-1] + 1) / periods_per_year
    total = principal.sum(axis=-1)
    weighted = (principal * t).sum(axis=-1)
    return np.where(total > 0, weighted / np.where(total > 0, total, 1.0), 0.0)


def period_irr_log(balance: Floats, flows: Floats) -> Floats:
    """u = ln(1 + r) per period for each row: ``balance`` (n,) > 0 invested at closing, ``flows`` (n, T) ≥ 0
    received in periods 1..T; −inf where a row receives nothing (see the module docstring); 0 where nothing was
    invested (``balance`` 0: no rate of return exists, 0 by convention, never NaN).

    >>> u = period_irr_log(np.array([100.0, 100.0, 0.0]), np.array([[0.0, 121.0], [10.0, 110.0], [5.0, 5.0]]))
    >>> np.round(np.expm1(u), 12).tolist()
    [0.1, 0.1, 0.0]
    """
    rows, periods = flows.shape
    t = np.arange(1, periods + 1, dtype=np.float64)
    total = flows.sum(axis=1)
    out = np.full(rows, -np.inf)
    out[balance <= 0] = 0.0  # nothing invested at closing (a sizing candidate's empty tranche): 0 by convention
    paid = np.flatnonzero((total > 0) & (balance > 0))
    if paid.size == 0:
        return out
    with np.errstate(divide="ignore"):
        log_flows = np.log(flows[paid])
    log_b = np.log(balance[paid])
    c = np.log(total[paid]) - log_b
    u, hi = np.minimum(c, c / periods), np.maximum(c, c / periods)
    todo = np.arange(paid.size)
    for _ in range(_MAX_ITERATIONS):
        x = log_flows[todo] - u[todo, None] * t
        m = x.max(axis=1, keepdims=True)
        w = np.exp(x - m)
        s = w.sum(axis=1)
        g = m[:, 0] + np.log(s) - log_b[todo]
        slope = -(w * t).sum(axis=1) / s  # ≤ −1 < 0
        step = -g / slope
        u[todo] = np.minimum(u[todo] + np.maximum(step, 0.0), hi[todo])
        todo = todo[np.abs(step) > 1e-13 * (1.0 + np.abs(u[todo]))]
        if todo.size == 0:
            break
    out[paid] = u
    return out


def annual_irr(balance: Floats, flows: Floats, periods_per_year: int) -> Floats:
    """The annual effective IRR (1 + r)^periods_per_year − 1 of each row; −1 where nothing is received.

    >>> annual_irr(np.array([100.0, 50.0]), np.array([[1.0, 1.0, 1.0, 101.0], [0.0, 0.0, 0.0, 0.0]]), 4).round(8)
    array([ 0.04060401, -1.        ])
    """
    u = period_irr_log(balance, flows)
    return np.where(np.isfinite(u), np.expm1(np.minimum(u * periods_per_year, 700.0)), -1.0)


def waterfall_json(plan: Plan, result: WaterfallResult, path: int = 0) -> dict[str, Any]:
    """The contract's output for one simulated path (a deterministic scenario has only path 0): ``periods`` — for
    each period its ``collections``, ``defaults`` (claims defaulting that period), ``guarantor_paid``,
    ``recoveries``, ``fees`` (paid), ``provider_draw`` and per tranche ``interest``, ``principal`` and ``balance``
    (after the payment); ``tranches`` — per tranche ``loss``, ``wal_years`` and ``irr``; and ``residual`` (the
    total paid to the subordinated tranche after its principal). Plain floats, unrounded, never NaN.
    """
    ids = [tranche.id for tranche in plan.tranches]
    rows = []
    for c in range(plan.legal_final_period):
        rows.append(
            {
                "period": c + 1,
                "collections": float(result.collections[path, c]),
                "defaults": float(result.defaults[path, c]),
                "guarantor_paid": float(result.guarantor_paid[path, c]),
                "recoveries": float(result.recoveries[path, c]),
                "fees": float(result.fees[path, c]),
                "provider_draw": float(result.provider_draw[path, c]),
                "tranches": {
                    tid: {
                        "interest": float(result.interest[path, k, c]),
                        "principal": float(result.principal[path, k, c]),
                        "balance": float(result.balance[path, k, c]),
                    }
                    for k, tid in enumerate(ids)
                },
            }
        )
    tranches = {
        tid: {
            "loss": float(result.loss[path, k]),
            "wal_years": float(result.wal_years[path, k]),
            "irr": float(result.irr[path, k]),
        }
        for k, tid in enumerate(ids)
    }
    return {"periods": rows, "tranches": tranches, "residual": float(result.residual[path].sum())}
