"""Default times drawn from a one-factor Gaussian copula (issue #7, "Simulation and metrics"), pure and vectorised.

For every path, name j (each loan, then the guarantor, then the shortfall provider) gets a latent

    Y_j = √ρ · M + √(1 − ρ) · ε_j,        M, ε_j ~ N(0, 1) independent, ρ = ``plan.correlation``,

one common factor M per path. With U_j = Φ(Y_j), j defaults in the first period t (1 ≤ t ≤ its last period) whose
cumulative default probability F_j(t) = 1 − (1 − pd_j)^(t / periods_per_year) exceeds U_j, else never. Inverting F:

    F_j(t) > U_j  ⇔  t > τ_j = periods_per_year · ln(1 − U_j) / ln(1 − pd_j),   so   t_j = ⌊τ_j⌋ + 1,

and P(t_j ≤ k) = F_j(k) exactly. ln(1 − U_j) = ln Φ(−Y_j) is computed by ``scipy.special.log_ndtr`` (accurate far
in both tails, never −∞ for a finite Y), ln(1 − pd) by ``log1p``; pd = 0 never defaults. A loan's last period is
its term (a repaid loan cannot default), the guarantor's and the provider's the plan's legal final period; "never"
is the engine's sentinel ``plan.never`` = legal final + 1.

The uniforms are kept as :class:`Latent` so that callers can re-derive default times for other default
probabilities on the same draws (common random numbers: the breakeven search of :mod:`~.sizing`). Normals are
drawn as one (paths × (1 + loans + 2)) array per call, row by row, so drawing n paths in chunks gives exactly the
draws of one call for n paths; the guarantor's and the provider's columns are drawn even when the plan has none, so
adding a guarantor does not move the loans' draws.

Memory: (loans + 3) × 8 bytes per path for the normals, the same again for ``Latent``, and 8 bytes per path-name
for the default periods.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.special import log_ndtr  # type: ignore[import-untyped, unused-ignore]

from zhengwu.core.errors import Invalid
from zhengwu.finance.model.plan import Plan
from zhengwu.finance.model.waterfall import Defaults

Floats = NDArray[np.float64]
Ints = NDArray[np.int64]


@dataclass(frozen=True)
class Latent:
    """ln(1 − U) per path: ``loans`` (paths × loans), ``guarantor`` and ``provider`` (paths,); all ≤ 0, finite."""

    loans: Floats
    guarantor: Floats
    provider: Floats

    @property
    def n_paths(self) -> int:
        return int(self.loans.shape[0])

    def rows(self, start: int, stop: int) -> Latent:
        """Paths ``start`` to ``stop`` − 1 (views, no copy)."""
        return Latent(self.loans[start:stop], self.guarantor[start:stop], self.provider[start:stop])


def check_paths(n_paths: object, field: str = "n_paths", minimum: int = 1) -> int:
    """``n_paths`` as an int ≥ ``minimum``, else ``Invalid`` naming ``field``.

    >>> check_paths(0)
    Traceback (most recent call last):
    ...
    zhengwu.core.errors.Invalid: 模拟路径数须为不小于 1 的整数，现为 0。
    """
    if isinstance(n_paths, bool) or not isinstance(n_paths, int | np.integer) or n_paths < minimum:
        raise Invalid(f"模拟路径数须为不小于 {minimum} 的整数，现为 {n_paths}。", field=field)
    return int(n_paths)


def draw_latent(plan: Plan, n_paths: int, rng: np.random.Generator) -> Latent:
    """The copula's ln(1 − U_j) for ``n_paths`` paths, drawn from ``rng`` (see the module docstring).

    >>> from zhengwu.finance.model.plan import EXAMPLE, parse_plan
    >>> latent = draw_latent(parse_plan(EXAMPLE), 4, np.random.default_rng(1))
    >>> latent.loans.shape, latent.guarantor.shape, bool((latent.loans <= 0).all())
    ((4, 2), (4,), True)
    """
    n = check_paths(n_paths)
    rho = float(plan.correlation)
    z = rng.standard_normal((n, 1 + len(plan.loans) + 2))
    y = math.sqrt(rho) * z[:, :1] + math.sqrt(1.0 - rho) * z[:, 1:]
    log_survival = np.asarray(log_ndtr(-y), dtype=np.float64)  # ln(1 − Φ(Y)) = ln Φ(−Y)
    return Latent(log_survival[:, :-2], log_survival[:, -2], log_survival[:, -1])


def default_periods(log_survival: Floats, pd_annual: Floats, periods_per_year: int, last: Ints, never: int) -> Ints:
    """t = ⌊ppy · ln(1 − U) / ln(1 − pd)⌋ + 1 where that is ≤ ``last``, else ``never``; pd = 0 gives ``never``.

    ``log_survival`` broadcasts against ``pd_annual`` and ``last`` (one per name). A pd of 1 − (1 − 0.5)^(1/2) ≈
    0.2929 a year is 0.5 over two years: U = 0.4 defaults (in year 2), U = 0.6 does not.

    >>> ls = np.log1p(-np.array([[0.1, 0.4, 0.6]]))
    >>> default_periods(ls, np.full(3, 1 - 0.5 ** 0.5), 1, np.full(3, 2), 3).tolist()
    [[1, 2, 3]]
    """
    pd = np.asarray(pd_annual, dtype=np.float64)
    hazard = np.log1p(-pd)  # ln(1 − pd) ≤ 0
    safe = np.where(hazard < 0, hazard, -1.0)
    with np.errstate(over="ignore"):  # a pd near 0 (say 1e-300) gives τ = +inf: never, as it should
        tau = periods_per_year * log_survival / safe  # ≥ 0, no NaN
    defaults = (hazard < 0) & (tau < last)  # ⌊τ⌋ + 1 ≤ last
    periods = np.floor(np.where(defaults, tau, 0.0)).astype(np.int64) + 1
    return np.where(defaults, periods, never).astype(np.int64)


def defaults_from_latent(plan: Plan, latent: Latent, loan_pd: float | Floats | None = None) -> Defaults:
    """The default periods of ``latent``'s uniforms under the plan's default probabilities, or, for the loans, under
    ``loan_pd`` (one annual pd for every loan, or one per loan) instead: the same draws, other probabilities."""
    ppy, final, never = plan.periods_per_year, plan.legal_final_period, plan.never
    if loan_pd is None:
        pds = np.array([loan.pd_annual for loan in plan.loans], dtype=np.float64)
    else:
        pds = np.broadcast_to(np.asarray(loan_pd, dtype=np.float64), (len(plan.loans),))
    terms = np.array([min(loan.term_periods, final) for loan in plan.loans], dtype=np.int64)
    loans = default_periods(latent.loans, pds, ppy, terms, never)
    last = np.array([final], dtype=np.int64)
    guarantor = _single(latent.guarantor, plan.guarantor.pd_annual if plan.guarantor else 0.0, ppy, last, never)
    provider = _single(latent.provider, plan.provider.pd_annual if plan.provider else 0.0, ppy, last, never)
    return Defaults(loans, guarantor, provider)


def _single(log_survival: Floats, pd: float, ppy: int, last: Ints, never: int) -> Ints:
    return default_periods(log_survival, np.array([pd], dtype=np.float64), ppy, last, never)


def draw_defaults(plan: Plan, n_paths: int, rng: np.random.Generator) -> Defaults:
    """Default periods of every loan, the guarantor and the provider on ``n_paths`` copula paths drawn from ``rng``
    (``plan.never`` = legal final + 1 = never). The doctest plan's loan L1 (pd 2 % a year, 8 quarters) defaults by
    its term with probability 1 − 0.98² = 3.96 %.

    >>> from zhengwu.finance.model.plan import EXAMPLE, parse_plan
    >>> d = draw_defaults(parse_plan(EXAMPLE), 100_000, np.random.default_rng(7))
    >>> d.loan_period.shape, round(float((d.loan_period[:, 0] <= 8).mean()), 2)
    ((100000, 2), 0.04)
    """
    return defaults_from_latent(plan, draw_latent(plan, n_paths, rng))
