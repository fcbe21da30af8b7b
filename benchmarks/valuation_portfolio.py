"""Portfolio valuation of a million patents (issue #6): the engine against a bare NumPy evaluation of the same
formula on the same arrays, in the same run.

``run(patents, repeats, csv_rows)`` generates, with a seeded ``numpy.random.Generator``, the arrays of ``patents``
patents (types, filing dates 2005–2024 valued on 2024-06-30, legal statuses with 3 % lapsed, counts with some
unknown, 1 % ownership disputes, expert scores on the ladders for every sub-indicator without an automatic rule and
for stability where no invalidation was tried, ten years of revenue, tax, discount rate, decay, timing and the
machinery range) and times, as the median of ``repeats`` runs each:

* ``engine``: :func:`~zhengwu.valuation.model.portfolio.value_portfolio` from the arrays — the checks, the
  automatic rules, PVD with the gates, K and the income approach;
* ``bare``: :func:`bare` — the same formula written straight in NumPy with no checks and no result object (the
  floor for this formula in NumPy).

It also checks that both give the same values, and times reading and valuing a ``csv_rows``-row CSV file through the
service (the command's path) against a bare ``csv.reader`` pass over the same bytes.
Run ``python -m benchmarks.valuation_portfolio [patents] [repeats]`` for a quick look.
"""

from __future__ import annotations

import csv
import io
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from zhengwu.valuation.model.default_profile import default_profile
from zhengwu.valuation.model.industries import UNIDO_RANGES
from zhengwu.valuation.model.portfolio import FlatProfile, PortfolioIncome, flatten, value_portfolio
from zhengwu.valuation.model.portfolio_rules import HISTORIES, PATENT_TYPES, PortfolioFacts

YEARS = 10
GOAL = 0.5
AS_OF = np.datetime64("2024-06-30", "D")


def generate(n: int, seed: int = 20241129) -> tuple[FlatProfile, PortfolioFacts, np.ndarray, PortfolioIncome]:
    """The arrays of ``n`` patents (module docstring)."""
    rng = np.random.default_rng(seed)
    flat = flatten(default_profile())
    filed = np.datetime64("2005-01-01", "D") + rng.integers(0, 365 * 19, n).astype("timedelta64[D]")
    status = np.where(rng.random(n) < 0.03, 2, 1).astype(np.int8)  # lapsed or valid
    history = rng.choice(np.array([0, 0, 0, 1, 2], dtype=np.int8), n)

    def counts(low: int, high: int, unknown: float) -> np.ndarray:
        values = rng.integers(low, high, n)
        return np.where(rng.random(n) < unknown, -1, values)

    facts = PortfolioFacts(
        rng.choice(np.array([0, 0, 1, 2], dtype=np.int8), n), filed, np.full(n, AS_OF), status,
        counts(1, 30, 0.1), counts(1, 8, 0.1), counts(0, 25, 0.1), rng.random(n) < 0.01, counts(0, 4, 0.1),
        rng.integers(0, 2, n), history,
    )  # fmt: skip
    scores = np.full((n, len(flat.codes)), -1, dtype=np.int8)
    unsettled = {  # where the facts leave the sub-indicator to the expert
        None: np.ones(n, dtype=bool),
        "remaining_term": np.zeros(n, dtype=bool),
        "claim_count": facts.claim_count < 0,
        "multi_country": facts.family_countries < 0,
        "forward_citations": facts.forward_citations < 0,
        "licensing": facts.licences < 0,
        "stability": history == 0,
    }
    for j, rule in enumerate(flat.rules):
        levels = np.flatnonzero(flat.ladders[j]).astype(np.int8)
        scores[:, j] = np.where(unsettled[rule], levels[rng.integers(0, len(levels), n)], -1)
    amounts = np.round(rng.uniform(100, 5000, (n, YEARS)), 2)
    income = PortfolioIncome.of(
        amounts, rng.integers(1, YEARS + 1, n), 0.25, rng.uniform(0.06, 0.15, n),
        low=UNIDO_RANGES["machinery"].low, high=UNIDO_RANGES["machinery"].high,
        decay=rng.choice([0.0, 0.05, 0.1], n), mid_year=rng.random(n) < 0.3,
    )  # fmt: skip
    return flat, facts, scores, income


def bare(flat: FlatProfile, f: PortfolioFacts, scores: np.ndarray, inc: PortfolioIncome) -> np.ndarray:
    """The same formula in plain NumPy: automatic levels where no expert score is given, weighted sums, gates,
    K = low + (high − low)·PVD/100, value = K·(1 − tax)·Σ_{t≤n} (1 − d)^(t−1)·R_t·DF_t. No checks."""
    term = np.array([20, 10, 15])[f.patent_type]
    term = np.where((f.patent_type == 2) & (f.filing_date < np.datetime64("2021-06-01")), 10, term)
    month = f.filing_date.astype("datetime64[M]")
    end = (month + term.astype("timedelta64[Y]").astype("timedelta64[M]")).astype("datetime64[D]") + (
        f.filing_date - month)  # fmt: skip
    years_left = np.maximum(0.0, (end - f.as_of).astype(np.int64) / 365.25)
    auto = {
        "remaining_term": np.select(
            [years_left <= 0, years_left >= 15, years_left >= 10, years_left >= 6, years_left >= 3], [0, 10, 8, 6, 4], 2
        ),
        "claim_count": np.select([f.claim_count >= t for t in (15, 10, 7, 4, 1)], [10, 8, 6, 4, 2], -1),
        "multi_country": np.select([f.family_countries >= t for t in (5, 3, 2, 1)], [10, 8, 6, 4], -1),
        "forward_citations": np.select([f.forward_citations >= t for t in (11, 6, 3, 1, 0)], [10, 8, 6, 4, 2], -1),
        "licensing": np.select(
            [f.licences >= 2, f.licences == 1, (f.licences == 0) & (f.pledges > 0), f.licences == 0], [10, 8, 4, 2], -1
        ),
        "stability": np.select([f.invalidation_history == 1, f.invalidation_history == 2], [10, 8], -1),
    }
    levels = scores.copy()
    for j, rule in enumerate(flat.rules):
        if rule is not None:
            levels[:, j] = np.where(scores[:, j] < 0, auto[rule], scores[:, j])
    dims = np.clip(levels @ flat.weights, 0, 100)
    pvd = np.clip(dims @ flat.alpha, 0, 100) * np.where(f.ownership_dispute | (f.legal_status >= 2), 0.0, 1.0)
    k = inc.range_low + (inc.range_high - inc.range_low) * pvd / 100
    growth = 1 + inc.discount_rate
    step = np.where(inc.mid_year, growth**-0.5, 1 / growth)
    ratio = (1 - inc.share_rate_decay) / growth
    total = np.zeros(len(k))
    for t in range(inc.amounts.shape[1]):
        total += np.where(inc.years > t, inc.amounts[:, t] * step, 0.0)
        step = step * ratio
    return np.asarray(k * (1 - inc.tax_rate) * total)


def median_of(fn: Callable[[], object], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def csv_file(n: int) -> bytes:
    """A portfolio CSV of ``n`` patents (the generated facts; scores as in :func:`generate`)."""
    flat, f, scores, inc = generate(n, seed=7)
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    head = ["id", "patent_type", "filing_date", "as_of", "legal_status", "claim_count", "family_countries",
            "forward_citations", "licences", "pledges", "invalidation_history", "industry", "tax_rate",
            "discount_rate", "timing"]  # fmt: skip
    w.writerow(head + [f"income_{t + 1}" for t in range(YEARS)] + [f"score.{c}" for c in flat.codes])
    kinds = [PATENT_TYPES[k].value for k in f.patent_type.tolist()]
    statuses = ["lapsed" if s == 2 else "valid" for s in f.legal_status.tolist()]

    def opt(values: np.ndarray) -> list[str]:
        return ["" if v < 0 else str(v) for v in values.tolist()]

    columns = [
        [f"P{k:07d}" for k in range(n)], kinds, [str(d) for d in f.filing_date], [str(AS_OF)] * n, statuses,
        opt(f.claim_count), opt(f.family_countries), opt(f.forward_citations), opt(f.licences),
        [str(v) for v in f.pledges.tolist()], [HISTORIES[h].value for h in f.invalidation_history.tolist()],
        ["machinery"] * n, ["0.25"] * n,
        [f"{r:.4f}" for r in inc.discount_rate.tolist()], ["mid" if m else "end" for m in inc.mid_year.tolist()],
    ]  # fmt: skip
    columns += [[f"{a:.2f}" for a in inc.amounts[:, t].tolist()] for t in range(YEARS)]
    columns += [opt(scores[:, j]) for j in range(len(flat.codes))]
    w.writerows(zip(*columns, strict=True))
    return out.getvalue().encode("utf-8")


def run(patents: int = 1_000_000, repeats: int = 5, csv_rows: int = 100_000) -> dict[str, Any]:
    from zhengwu.valuation.service.portfolio import compute_portfolio

    flat, facts, scores, income = generate(patents)
    result = value_portfolio(flat, facts, scores, income)
    reference = bare(flat, facts, scores, income)
    same = bool(np.allclose(result.value, reference, rtol=1e-9, atol=0.0))
    engine_s = median_of(lambda: value_portfolio(flat, facts, scores, income), repeats)
    bare_s = median_of(lambda: bare(flat, facts, scores, income), repeats)
    got: dict[str, Any] = {
        "patents": patents,
        "same": same,
        "engine_s": engine_s,
        "bare_s": bare_s,
        "engine_per_s": patents / engine_s,
        "bare_per_s": patents / bare_s,
        "ratio": bare_s / engine_s,  # engine's patents per second ÷ bare's
        "total_value": float(result.value.sum()),
        "gated": int(np.count_nonzero(result.pvd == 0)),
    }
    got["met"] = got["ratio"] >= GOAL
    if csv_rows:
        data = csv_file(csv_rows)
        profile = default_profile()
        t0 = time.perf_counter()
        compute_portfolio("bench.csv", data, profile, UNIDO_RANGES, max_rows=csv_rows)
        got["csv_s"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        sum(1 for _ in csv.reader(io.StringIO(data.decode("utf-8"))))
        got["csv_bare_s"] = time.perf_counter() - t0
        got["csv_rows"], got["csv_mb"] = csv_rows, len(data) / 1e6
    return got


if __name__ == "__main__":
    args = [int(a) for a in sys.argv[1:]]
    print(run(*args[:2]))
