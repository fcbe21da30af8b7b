"""The finance engine's Monte Carlo (issue #7): paths per second of the simulation against a bare NumPy pass over
arrays of the same shape, in the same run, and peak memory per million path-loan-periods.

Two plans:

* ``seed``: the Changsha seed plan (:func:`~zhengwu.finance.model.seed_plan.seed_plan`: 12 loans, 1.35亿元,
  8 quarters, 2 tranches, a guarantor and the shortfall provider);
* ``pool``: a generated pool (:func:`generated_plan`, seeded) of 500 loans over 36 monthly periods — principals of
  1–20 million 元, rates 4–7 %, terms 12–36 months, the three repayment types, pds 0.5–5 % a year, pledge rates
  20–30 % — with three tranches (senior 80 % at 3 %, mezzanine 10 % at 5 %, subordinated), a guarantor covering
  80 % within a cap of 10 % of the pool, the shortfall provider, recoveries of 20 % of the pledged value 3 months
  later and correlation 0.2.

For each, as the median of ``repeats`` runs (engine and baseline alternate, so both see the same load):

* ``engine``: :func:`~zhengwu.finance.model.simulation.simulate` on ``paths`` paths — the copula draws, default
  periods, the whole waterfall (collections, defaults, guarantor and cap, lagged recoveries, fees, every tranche's
  interest and principal, the provider's draws), WAL, IRR and the summaries with standard errors;
* ``bare``: :func:`bare` — the same copula draws and default periods, then the two quantities the waterfall needs
  from every path, loan and period, as one pass over (paths × loans × periods) arrays: the collections
  Σ_loans [default period > t] · payment_t and the claims Σ_loans [default period = t] · (balance + interest)_t,
  per path and period (``np.einsum`` over a boolean mask; no checks, no tranches, no result object). It touches
  every path-loan-period as the engine must, so it is the floor for this simulation in NumPy; both run in chunks
  of paths (the engine its default, cache-sized within 64 MiB; the bare pass within 64 MiB), on the same draws
  (``same`` checks that the bare collections and claims equal the engine's waterfall's on the first paths).

The ratio is the engine's paths per second ÷ the bare pass's (goal ≥ ``GOAL`` = 0.3). Peak memory is measured
with ``tracemalloc`` in a separate run (tracing slows the code it watches) and reported per million
path-loan-periods (paths × loans × legal final periods); it includes the per-path outcomes the simulation keeps.
Run ``python -m benchmarks.finance_waterfall [seed_paths] [pool_paths] [repeats]`` for a quick look.
"""

from __future__ import annotations

import math
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy.special import log_ndtr  # type: ignore[import-untyped, unused-ignore]

from zhengwu.finance.model.plan import Plan, parse_plan
from zhengwu.finance.model.schedule import pool_schedule
from zhengwu.finance.model.seed_plan import seed_plan
from zhengwu.finance.model.simulation import CHUNK_BYTES, default_chunk, simulate
from zhengwu.finance.model.simulation_draws import draw_defaults
from zhengwu.finance.model.waterfall import run_waterfall

GOAL = 0.3
SEED = 20261129
Floats = NDArray[np.float64]


def generated_plan(loans: int = 500, periods: int = 36, seed: int = SEED) -> dict[str, Any]:
    """The plan JSON of a generated pool of ``loans`` loans over ``periods`` monthly periods (module docstring)."""
    rng = np.random.default_rng(seed)
    principal = np.round(rng.uniform(1e6, 2e7, loans), -3)
    kinds = rng.choice(np.array(["bullet", "level", "equal_principal"]), loans)
    rates, pds = rng.uniform(0.04, 0.07, loans), rng.uniform(0.005, 0.05, loans)
    terms, pledge = rng.integers(min(12, periods), periods + 1, loans), rng.uniform(0.2, 0.3, loans)
    total = float(principal.sum())
    senior, mezzanine = round(total * 0.8), round(total * 0.1)
    return {
        "closing_date": "2024-01-01",
        "periods_per_year": 12,
        "legal_final_period": periods,
        "loans": [
            {"id": f"L{k:04d}", "borrower": f"企业{k:04d}", "principal": float(principal[k]),
             "annual_rate": float(rates[k]), "term_periods": int(terms[k]), "amortization": str(kinds[k]),
             "pd_annual": float(pds[k]), "pledged_value": float(round(principal[k] / pledge[k]))}
            for k in range(loans)
        ],
        "tranches": [
            {"id": "A", "name": "优先级", "balance": senior, "coupon": 0.03},
            {"id": "M", "name": "夹层", "balance": mezzanine, "coupon": 0.05},
            {"id": "B", "name": "次级", "balance": math.floor(total - senior - mezzanine), "coupon": None},
        ],
        "fees": {"annual_rate_on_pool": 0.003},
        "guarantor": {"name": "融资担保机构", "pd_annual": 0.01, "coverage": 0.8, "cap": round(total * 0.1)},
        "shortfall_provider": {"name": "差额支付承诺人", "pd_annual": 0.002,
                               "covers": ["senior_interest", "senior_principal"]},
        "recovery": {"rate_of_pledged_value": 0.2, "lag_periods": 3},
        "correlation": 0.2,
    }  # fmt: skip


def bare(plan: Plan, n_paths: int, rng: np.random.Generator, chunk: int | None = None) -> tuple[Floats, Floats]:
    """Collections and defaulted claims per (path, period) from the copula's default periods, in plain NumPy over
    (paths × loans × periods) masks, chunked to ``CHUNK_BYTES`` (module docstring). Draws the normals exactly as
    :func:`~zhengwu.finance.model.simulation_draws.draw_latent` does, so the same seed gives the same defaults.
    Assumes every loan's pd is above 0 (as in both plans here); no checks."""
    sched = pool_schedule(plan.loans, plan.periods_per_year, plan.legal_final_period)
    payment, claim = sched.payment, sched.balance_start + sched.interest
    loans, periods = payment.shape
    hazard = np.log1p(-np.array([loan.pd_annual for loan in plan.loans]))
    term = np.array([min(loan.term_periods, periods) for loan in plan.loans])
    period = np.arange(1, periods + 1)
    rho, ppy = plan.correlation, plan.periods_per_year
    chunk = chunk or max(1, CHUNK_BYTES // (loans * periods * 8))
    collections, claims = np.empty((n_paths, periods)), np.empty((n_paths, periods))
    for start in range(0, n_paths, chunk):
        stop = min(start + chunk, n_paths)
        z = rng.standard_normal((stop - start, 1 + loans + 2))
        y = math.sqrt(rho) * z[:, :1] + math.sqrt(1.0 - rho) * z[:, 1 : 1 + loans]
        tau = ppy * log_ndtr(-y) / hazard
        at = np.where(tau < term, np.floor(tau) + 1, periods + 1)
        collections[start:stop] = np.einsum("plt,lt->pt", at[:, :, None] > period, payment)
        claims[start:stop] = np.einsum("plt,lt->pt", at[:, :, None] == period, claim)
    return collections, claims


def same_as_engine(plan: Plan, n_paths: int = 200) -> bool:
    """Whether the bare pass's collections and claims equal the engine's waterfall's on the same seeded draws."""
    collections, claims = bare(plan, n_paths, np.random.default_rng(SEED))
    result = run_waterfall(plan, draw_defaults(plan, n_paths, np.random.default_rng(SEED)))
    return bool(
        np.allclose(collections, result.collections, rtol=1e-9, atol=1e-6)
        and np.allclose(claims, result.defaults, rtol=1e-9, atol=1e-6)
    )


def peak_bytes(fn: Callable[[], object]) -> int:
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def measure(plan: Plan, paths: int, repeats: int) -> dict[str, Any]:
    """Timings (medians), paths per second, the ratios, peak memory and a few results of the engine on ``plan``:
    ``engine`` with its default (cache-sized) chunk, ``bare`` (module docstring)."""
    times: dict[str, list[float]] = {"engine": [], "bare": []}
    runs: dict[str, Callable[[], object]] = {
        "engine": lambda: simulate(plan, paths, np.random.default_rng(SEED)),
        "bare": lambda: bare(plan, paths, np.random.default_rng(SEED)),
    }
    result = simulate(plan, paths, np.random.default_rng(SEED))
    for _ in range(repeats):
        for name, fn in runs.items():  # alternating, so that both see the same load
            t0 = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - t0)
    cells = paths * len(plan.loans) * plan.legal_final_period  # path-loan-periods
    got: dict[str, Any] = {
        "paths": paths,
        "loans": len(plan.loans),
        "periods": plan.legal_final_period,
        "tranches": len(plan.tranches),
        "chunk": default_chunk(plan),
        "same": same_as_engine(plan, min(paths, 200)),
        "senior_expected_loss_rate": result.tranches[0].expected_loss_rate.mean,
        "provider_drawn_probability": result.provider.drawn_probability.mean,
        "mean_defaults": result.default_count.mean,
    }
    for name, fn in runs.items():
        seconds = statistics.median(times[name])
        got[f"{name}_s"], got[f"{name}_per_s"] = seconds, paths / seconds
        peak = peak_bytes(fn)
        got[f"{name}_peak_mb"] = peak / 1e6
        got[f"{name}_mb_per_million"] = peak / cells  # bytes per path-loan-period = MB per million
    got["ratio"] = got["bare_s"] / got["engine_s"]  # the engine's paths per second ÷ the bare pass's
    got["met"] = got["ratio"] >= GOAL
    return got


def run(seed_paths: int = 100_000, pool_paths: int = 5_000, repeats: int = 5, loans: int = 500) -> dict[str, Any]:
    """Both plans measured (module docstring); ``loans`` sizes the generated pool (36 periods)."""
    return {
        "seed": measure(parse_plan(seed_plan()), seed_paths, repeats),
        "pool": measure(parse_plan(generated_plan(loans)), pool_paths, repeats),
        "load": _load(),
    }


def _load() -> str:
    try:
        with open("/proc/loadavg", encoding="ascii") as f:
            return " ".join(f.read().split()[:3])
    except OSError:
        return "unknown"


if __name__ == "__main__":
    args = [int(a) for a in sys.argv[1:]]
    print(run(*args[:3]))
