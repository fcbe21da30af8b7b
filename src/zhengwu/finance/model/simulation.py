"""Monte Carlo over the plan (issue #7, "Simulation and metrics"): default times from the one-factor Gaussian copula
(:mod:`~zhengwu.finance.model.simulation_draws`), the waterfall run on them in chunks of paths
(:func:`~zhengwu.finance.model.waterfall.run_waterfall`, vectorised over the paths of a chunk), and per-path
outcomes reduced to estimates with their standard errors.

Reported, over n paths:

- per tranche: expected loss E[L] in money and as a rate E[L] ÷ B_0 (B_0 the tranche's balance at closing; 0 for
  a tranche of balance 0), the probability of any loss P(L > 0.005), and the mean WAL over the paths on which the
  tranche was repaid some principal (a tranche repaid nothing has no WAL; ``wal_paths`` counts the others);
- the shortfall provider: the probability it is drawn at all, and the distribution of its total draws per path
  (mean, quantiles 50/90/95/99 % by linear interpolation, maximum);
- the pool: the number of loans defaulting per path (mean and the whole distribution P(k defaults), k = 0..loans);
- per tranche, the distribution of its loss rate L ÷ B_0 (:func:`loss_histogram`): the probability of no loss and
  ``LOSS_BINS`` equal bins over (0, upper], upper the smallest 1, 2 or 5 × 10^k (at least 1 %) reaching the largest
  rate seen — computed from the per-path losses already kept, so it costs no memory.

L is the tranche's loss at legal final (unpaid principal + unpaid interest), in the plan's money unit. A loss or a
draw counts when it exceeds ``TOLERANCE`` = 0.005 (half a fen when money is in 元: it rounds to at least 1 分), so
float rounding never counts as a loss. Every mean has standard error s ÷ √n (s the sample standard deviation,
n − 1 in the denominator); for a probability p̂ that is √(p̂(1 − p̂) ÷ (n − 1)).

Randomness comes only from the ``numpy.random.Generator`` passed in; the same seed gives identical results, and so
does any ``chunk_paths`` (the normals of consecutive chunks are consecutive rows of one stream). Memory is bounded
by the chunk: :func:`bytes_per_path` bounds the peak working bytes of one path, 8 · (8·T + 11·K·T + 6·L + 64) for
T periods, K tranches and L loans (fitted above peaks measured with ``tracemalloc`` over T = 12..96, K = 2..12,
L = 10..500: the waterfall's period and tranche arrays, the draws), and the default chunk keeps a chunk under
``CHUNK_BYTES`` = 64 MiB and its (paths × loans) arrays within ``CHUNK_CELLS`` = 2¹⁷ cells (cache-sized: see
:data:`CHUNK_CELLS`). For the issue's 500-loan, 36-period pool with 3 tranches that is 36 kB a path (measured:
31–35 kB), about 2 bytes per path-loan-period: no (paths × loans × periods) array is ever built. Besides the chunk,
the run keeps 8 · (3·K + 2) bytes for every path (losses, principal repaid, WAL, provider draws, default count:
the quantiles need them all), 88 bytes a path for 3 tranches.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from zhengwu.finance.model.plan import Plan
from zhengwu.finance.model.schedule import pool_schedule
from zhengwu.finance.model.simulation_draws import check_paths, defaults_from_latent, draw_latent
from zhengwu.finance.model.waterfall import Defaults, run_waterfall

Floats = NDArray[np.float64]

TOLERANCE = 0.005
CHUNK_BYTES = 64 * 2**20
#: At most this many path × loan cells a chunk: each period makes about ten passes over the (paths × loans) arrays,
#: which run 4× faster while they stay in the CPU's cache (benchmarks/finance_waterfall.py: the 500-loan pool went from
#: 0.13–0.18 to 0.58–0.69 of a bare NumPy pass).
CHUNK_CELLS = 2**17
QUANTILES = (0.5, 0.9, 0.95, 0.99)
LOSS_BINS = 20


@dataclass(frozen=True)
class Estimate:
    """A Monte Carlo mean and its standard error."""

    mean: float
    se: float


@dataclass(frozen=True)
class TrancheSummary:
    id: str
    name: str
    balance: float
    expected_loss: Estimate
    expected_loss_rate: Estimate
    loss_probability: Estimate
    wal_years: Estimate
    wal_paths: int


@dataclass(frozen=True)
class ProviderSummary:
    """The shortfall provider's total draws per path: P(drawn), their mean, quantiles (by level) and maximum."""

    drawn_probability: Estimate
    total_draws: Estimate
    quantiles: tuple[tuple[float, float], ...]
    max: float


@dataclass(frozen=True)
class LossHistogram:
    """A tranche's loss-rate distribution over the paths: ``no_loss`` = P(L ≤ 0.005) and ``bins[k]`` = P(a loss
    with rate L ÷ B_0 in (k·w, (k + 1)·w]), w = ``upper`` ÷ len(bins); no_loss + Σ bins = 1."""

    no_loss: float
    upper: float
    bins: tuple[float, ...]


@dataclass(frozen=True)
class SimulationResult:
    n_paths: int
    tranches: tuple[TrancheSummary, ...]
    provider: ProviderSummary
    default_count: Estimate
    default_count_distribution: tuple[float, ...]
    loss_distribution: tuple[LossHistogram, ...] = ()  # per tranche, in the plan's order


def nice_upper(value: float, least: float = 0.01) -> float:
    """The smallest 1, 2 or 5 × 10^k that is ≥ ``value`` and ≥ ``least``.

    >>> nice_upper(0.0), nice_upper(0.013), nice_upper(0.2), nice_upper(1.004)
    (0.01, 0.02, 0.2, 2.0)
    """
    if not value > least:
        return least
    power = 10.0 ** math.floor(math.log10(value))
    for multiple in (1.0, 2.0, 5.0, 10.0):
        if multiple * power >= value * (1 - 1e-12):
            return float(f"{multiple * power:.12g}")
    return 10.0 * power  # pragma: no cover - the loop always returns


def loss_histogram(loss: Floats, balance: float, bins: int = LOSS_BINS) -> LossHistogram:
    """The distribution of the loss rate ``loss`` ÷ ``balance`` over the paths (see :class:`LossHistogram`); a loss
    counts above ``TOLERANCE`` as everywhere, and a tranche of balance 0 never loses.

    >>> h = loss_histogram(np.array([0.0, 0.0, 30.0, 100.0]), 100.0, bins=4)
    >>> h.no_loss, h.upper, h.bins
    (0.5, 1.0, (0.0, 0.25, 0.0, 0.25))
    """
    n = loss.size
    lost = loss > TOLERANCE if balance > 0 else np.zeros(n, dtype=bool)
    rates = loss[lost] / balance if balance > 0 else np.zeros(0)
    upper = nice_upper(float(rates.max()) if rates.size else 0.0)
    index = np.clip(np.ceil(rates / (upper / bins)).astype(np.int64) - 1, 0, bins - 1)  # bins closed on the right
    share = np.bincount(index, minlength=bins) / n if n else np.zeros(bins)
    return LossHistogram(float(1.0 - lost.mean()) if n else 1.0, upper, tuple(float(x) for x in share))


def estimate(values: Floats) -> Estimate:
    """The sample mean of ``values`` and its standard error s ÷ √n (0 for fewer than two values).

    >>> estimate(np.array([1.0, 2.0, 3.0, 4.0]))
    Estimate(mean=2.5, se=0.6454972243679028)
    """
    n = values.size
    if n == 0:
        return Estimate(0.0, 0.0)
    mean = float(values.mean())
    se = float(values.std(ddof=1) / math.sqrt(n)) if n > 1 else 0.0
    return Estimate(mean, se)


def bytes_per_path(plan: Plan) -> int:
    """The working memory of one simulated path in bytes (see the module docstring), for choosing chunks.

    >>> from zhengwu.finance.model.plan import EXAMPLE, parse_plan
    >>> bytes_per_path(parse_plan(EXAMPLE))  # 8 periods, 2 tranches, 2 loans: 8 · (64 + 176 + 12 + 64)
    2528
    """
    t, k, n_loans = plan.legal_final_period, len(plan.tranches), len(plan.loans)
    return 8 * (8 * t + 11 * k * t + 6 * n_loans + 64)


def default_chunk(plan: Plan) -> int:
    """The number of paths per chunk keeping a chunk's working memory under ``CHUNK_BYTES`` and its (paths × loans)
    arrays within ``CHUNK_CELLS`` cells."""
    return max(1, min(CHUNK_BYTES // bytes_per_path(plan), CHUNK_CELLS // len(plan.loans)))


def check_chunk(chunk_paths: int | None, plan: Plan) -> int:
    if chunk_paths is None:
        return default_chunk(plan)
    return check_paths(chunk_paths, "chunk_paths")


@dataclass(frozen=True)
class Outcomes:
    """Per-path outcomes kept from the waterfall: ``loss`` and ``repaid`` (principal repaid) and ``wal`` per
    (paths, tranches), the provider's ``draws`` and the ``defaults`` count per path."""

    loss: Floats
    repaid: Floats
    wal: Floats
    draws: Floats
    defaults: NDArray[np.int64]


def run_outcomes(plan: Plan, n: int, draw: Callable[[int, int], Defaults], chunk: int) -> Outcomes:
    """Run the waterfall on ``n`` paths, ``chunk`` at a time; ``draw(start, stop)`` gives the
    :class:`~zhengwu.finance.model.waterfall.Defaults` of paths start..stop − 1."""
    schedule = pool_schedule(plan.loans, plan.periods_per_year, plan.legal_final_period)
    k = len(plan.tranches)
    loss, repaid, wal = (np.empty((n, k)) for _ in range(3))
    draws, counts = np.empty(n), np.empty(n, dtype=np.int64)
    for start in range(0, n, chunk):
        stop = min(start + chunk, n)
        defaults = draw(start, stop)
        result = run_waterfall(plan, defaults, schedule)
        loss[start:stop], wal[start:stop] = result.loss, result.wal_years
        repaid[start:stop] = result.principal.sum(axis=2)
        draws[start:stop] = result.provider_draw.sum(axis=1)
        counts[start:stop] = (defaults.loan_period <= plan.legal_final_period).sum(axis=1)
    return Outcomes(loss, repaid, wal, draws, counts)


def simulate(plan: Plan, n_paths: int, rng: np.random.Generator, chunk_paths: int | None = None) -> SimulationResult:
    """``n_paths`` copula paths of ``plan`` drawn from ``rng``, run through the waterfall ``chunk_paths`` at a time
    (default: :func:`default_chunk`), summarised with standard errors (see the module docstring).

    >>> from zhengwu.finance.model.plan import EXAMPLE, parse_plan
    >>> result = simulate(parse_plan(EXAMPLE), 2_000, np.random.default_rng(2026))
    >>> senior = result.tranches[0]
    >>> senior.id, senior.loss_probability.mean, round(senior.wal_years.mean, 2)
    ('A', 0.0, 1.23)
    """
    n = check_paths(n_paths, minimum=2)
    chunk = check_chunk(chunk_paths, plan)

    def draw(start: int, stop: int) -> Defaults:
        return defaults_from_latent(plan, draw_latent(plan, stop - start, rng))

    return summarise(plan, run_outcomes(plan, n, draw, chunk))


def summarise(plan: Plan, out: Outcomes) -> SimulationResult:
    """The estimates of :class:`SimulationResult` from per-path outcomes."""
    n = out.draws.size
    tranches = []
    for k, tranche in enumerate(plan.tranches):
        loss = out.loss[:, k]
        rate = loss / tranche.balance if tranche.balance > 0 else np.zeros(n)
        repaid = out.repaid[:, k] > 0
        tranches.append(
            TrancheSummary(
                tranche.id,
                tranche.name,
                tranche.balance,
                estimate(loss),
                estimate(rate),
                estimate((loss > TOLERANCE).astype(np.float64)),
                estimate(out.wal[repaid, k]),
                int(repaid.sum()),
            )
        )
    levels = np.quantile(out.draws, QUANTILES)
    provider = ProviderSummary(
        estimate((out.draws > TOLERANCE).astype(np.float64)),
        estimate(out.draws),
        tuple((q, float(v)) for q, v in zip(QUANTILES, levels, strict=True)),
        float(out.draws.max()),
    )
    histogram = np.bincount(out.defaults, minlength=len(plan.loans) + 1) / n
    return SimulationResult(
        n,
        tuple(tranches),
        provider,
        estimate(out.defaults.astype(np.float64)),
        tuple(float(x) for x in histogram),
        tuple(loss_histogram(out.loss[:, k], t.balance) for k, t in enumerate(plan.tranches)),
    )


def simulation_json(result: SimulationResult) -> dict[str, Any]:
    """The simulation as plain JSON (floats and ints, never NaN): each estimate is ``{"mean", "se"}``; quantile
    keys are percentages ("50", "90", "95", "99"); ``default_count.distribution[k]`` is P(k loans default);
    ``loss_distribution`` gives per tranche id its :class:`LossHistogram` (``no_loss``, ``upper``, ``bins``).

    >>> from zhengwu.finance.model.plan import EXAMPLE, parse_plan
    >>> out = simulation_json(simulate(parse_plan(EXAMPLE), 100, np.random.default_rng(1)))
    >>> list(out), list(out["tranches"]["A"]), list(out["provider"]["total_draws"])
    (['n_paths', 'tranches', 'provider', 'default_count', 'loss_distribution'], ['name', 'balance', \
'expected_loss', 'expected_loss_rate', 'loss_probability', 'wal_years', 'wal_paths'], ['mean', 'se', 'quantiles', \
'max'])
    >>> list(out["loss_distribution"]["B"]), len(out["loss_distribution"]["B"]["bins"])
    (['no_loss', 'upper', 'bins'], 20)
    """

    def est(e: Estimate) -> dict[str, float]:
        return {"mean": e.mean, "se": e.se}

    return {
        "n_paths": result.n_paths,
        "tranches": {
            t.id: {
                "name": t.name,
                "balance": t.balance,
                "expected_loss": est(t.expected_loss),
                "expected_loss_rate": est(t.expected_loss_rate),
                "loss_probability": est(t.loss_probability),
                "wal_years": est(t.wal_years),
                "wal_paths": t.wal_paths,
            }
            for t in result.tranches
        },
        "provider": {
            "drawn_probability": est(result.provider.drawn_probability),
            "total_draws": {
                **est(result.provider.total_draws),
                "quantiles": {f"{round(q * 100)}": v for q, v in result.provider.quantiles},
                "max": result.provider.max,
            },
        },
        "default_count": {**est(result.default_count), "distribution": list(result.default_count_distribution)},
        "loss_distribution": {
            t.id: {"no_loss": h.no_loss, "upper": h.upper, "bins": list(h.bins)}
            for t, h in zip(result.tranches, result.loss_distribution, strict=True)
        },
    }
