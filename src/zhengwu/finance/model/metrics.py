"""Date-based metrics of dated cash flows on ACT/365F (actual days ÷ 365, as Excel's XIRR counts them):
:func:`xirr` and :func:`wal`. Importable as :mod:`zhengwu.finance.metrics` too (issue #7, "Simulation and metrics").

- XIRR: the annual rate r solving Σ_i a_i / (1 + r)^((d_i − d_0) / 365) = 0, d_0 the first date (Microsoft's XIRR
  definition). Amounts are signed (what the investor pays is negative). Solved by Brent's method
  (:func:`scipy.optimize.brentq`) on the first bracket with a sign change found around the guess, Newton's method
  (:func:`scipy.optimize.newton`) from the guess otherwise. Cash flows without both a negative and a positive
  amount, or whose equation has no root, raise ``Invalid`` in Chinese — never NaN.
- WAL: Σ_i ((d_i − start) / 365) · a_i ÷ Σ_i a_i in years, for principal amounts a_i ≥ 0 paid on or after start.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from datetime import date

import numpy as np
from scipy.optimize import brentq, newton  # type: ignore[import-untyped, unused-ignore]

from zhengwu.core.errors import Invalid

DAYS_PER_YEAR = 365.0
# Candidate rates around which a sign change is sought; brackets nearer the guess are tried first.
_GRID = (-0.9999, -0.999, -0.99, -0.95, -0.9, -0.75, -0.5, -0.25, -0.1, 0.0, 0.05, 0.1, 0.2, 0.35, 0.5, 0.75, 1.0,
         1.5, 2.0, 3.0, 5.0, 10.0, 30.0, 100.0, 1e3, 1e4)  # fmt: skip


def _flows(dates: Sequence[date], amounts: Sequence[float], *, signed: bool) -> tuple[list[date], list[float]]:
    if len(dates) != len(amounts):
        raise Invalid(f"日期 {len(dates)} 个与金额 {len(amounts)} 个数目不一致。", field="dates")
    if not dates:
        raise Invalid("请至少填写一笔现金流。", field="amounts")
    for k, d in enumerate(dates):
        if not isinstance(d, date):
            raise Invalid(f"第 {k + 1} 个日期须为日期。", field=f"dates[{k}]")
    values = []
    for k, a in enumerate(amounts):
        if isinstance(a, bool) or not isinstance(a, int | float) or not math.isfinite(a):
            raise Invalid(f"第 {k + 1} 笔金额须为有限的数字。", field=f"amounts[{k}]")
        if not signed and a < 0:
            raise Invalid(f"第 {k + 1} 笔金额不能为负数，现为 {a:g}。", field=f"amounts[{k}]")
        values.append(float(a))
    return list(dates), values


def xirr(dates: Sequence[date], amounts: Sequence[float], guess: float = 0.1) -> float:
    """The annual internal rate of return of dated cash flows on ACT/365F (Excel's XIRR).

    Microsoft's documented example of XIRR (support.microsoft.com, "XIRR function"): −10,000 on 2008-01-01, then
    2,750, 4,250, 3,250 and 2,750 on 2008-03-01, 2008-10-30, 2009-02-15 and 2009-04-01 give 0.373362535.

    >>> days = [date(2008, 1, 1), date(2008, 3, 1), date(2008, 10, 30), date(2009, 2, 15), date(2009, 4, 1)]
    >>> round(xirr(days, [-10000, 2750, 4250, 3250, 2750]), 8)  # Excel stops within 0.000001 %
    0.37336253
    >>> xirr(days[:2], [100, 50])
    Traceback (most recent call last):
    ...
    zhengwu.core.errors.Invalid: 现金流须既有流出（负数）也有流入（正数），才能计算内部收益率。
    """
    days, values = _flows(dates, amounts, signed=True)
    if not (any(v < 0 for v in values) and any(v > 0 for v in values)):
        raise Invalid("现金流须既有流出（负数）也有流入（正数），才能计算内部收益率。", field="amounts")
    tau = np.array([(d - days[0]).days / DAYS_PER_YEAR for d in days])
    a = np.array(values)

    def npv(rate: float) -> float:
        with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
            return float(np.sum(a * np.exp(-tau * math.log1p(rate))))

    points = [(r, npv(r)) for r in _GRID]
    brackets = [
        (lo, hi)
        for (lo, f_lo), (hi, f_hi) in itertools.pairwise(points)
        if math.isfinite(f_lo) and math.isfinite(f_hi) and f_lo * f_hi <= 0
    ]
    if brackets:
        lo, hi = min(
            brackets, key=lambda b: 0.0 if b[0] <= guess <= b[1] else min(abs(b[0] - guess), abs(b[1] - guess))
        )
        return float(brentq(npv, lo, hi, xtol=1e-14, rtol=1e-14, maxiter=200))
    try:
        rate = float(newton(npv, guess, maxiter=200))
    except (RuntimeError, OverflowError, ValueError):
        rate = math.nan
    if not math.isfinite(rate) or rate <= -1 or abs(npv(rate)) > 1e-6 * float(np.abs(a).sum()):
        raise Invalid("这组现金流的内部收益率无解（净现值在任何利率下都不为零）。", field="amounts")
    return rate


def wal(start: date, dates: Sequence[date], amounts: Sequence[float]) -> float:
    """The weighted average life in years (ACT/365F) of principal ``amounts`` paid on ``dates`` after ``start``.

    >>> wal(date(2024, 1, 1), [date(2025, 1, 1), date(2026, 1, 1)], [50, 50])  # 366 and 731 days
    1.5027397260273974
    """
    days, values = _flows(dates, amounts, signed=False)
    for k, d in enumerate(days):
        if d < start:
            raise Invalid(f"第 {k + 1} 个日期早于起算日 {start.isoformat()}。", field=f"dates[{k}]")
    total = math.fsum(values)
    if total <= 0:
        raise Invalid("本金合计须大于 0，才能计算加权平均期限。", field="amounts")
    return math.fsum((d - start).days / DAYS_PER_YEAR * v for d, v in zip(days, values, strict=True)) / total
