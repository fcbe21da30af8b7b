"""The province's risk pool (知识产权质押融资风险补偿) sharing a defaulted loan's loss (issue #7): the compensation
pool, the bank and its guarantor, and the valuer each bear a share of the loss, and the pool pays at most a cap for
one firm over all its loans.

Money is ``Decimal`` in 元 (ledger figures, to the cent); shares are fractions summing to 1. A loan's loss is
shared at default (on its exposure) and again at disposal (on what the disposal did not recover); the latest
allocation of each loan counts, so the cap left for a loan is the cap minus the pool's part of the latest allocation
of each of the firm's other loans (:func:`cap_left`).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from zhengwu.core.errors import Invalid

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


@dataclass(frozen=True)
class Allocation:
    """The parts of a loss in 元 that sum exactly to it: ``pool`` (after the cap), ``lender`` (bank and guarantor,
    including what the cap moved to them), ``valuer``; ``capped_by`` is what the cap moved from the pool."""

    pool: Decimal
    lender: Decimal
    valuer: Decimal
    capped_by: Decimal

    @property
    def loss(self) -> Decimal:
        return self.pool + self.lender + self.valuer


def _part(loss: Decimal, share: float) -> Decimal:
    return (loss * Decimal(repr(share))).quantize(CENT, rounding=ROUND_HALF_UP)


def allocate(
    loss: Decimal, pool_share: float, lender_share: float, valuer_share: float, cap_left: Decimal | None
) -> Allocation:
    """Share ``loss`` (元, ≥ 0): pool = loss × pool share and valuer = loss × valuer share, each rounded to the
    cent (half up), the lender the remainder, so the parts sum exactly to the loss. The pool's part is at most
    ``cap_left`` (None: no cap; a negative value counts as 0); the excess moves to the lender and is reported as
    ``capped_by``. The shares must each lie in [0, 1] and sum to 1 (within 1e-9).

    The issue's example: a loss of 1,200万元 at 45 % / 45 % / 10 % with a cap of 500万元 — the pool's 540万 is cut
    to 500万 and the 40万 moves to the bank, which bears 540万 + 40万 = 580万:

    >>> a = allocate(Decimal("12000000"), 0.45, 0.45, 0.10, Decimal("5000000"))
    >>> a.pool, a.lender, a.valuer, a.capped_by
    (Decimal('5000000.00'), Decimal('5800000.00'), Decimal('1200000.00'), Decimal('400000.00'))
    >>> allocate(Decimal("100.01"), 0.45, 0.45, 0.10, None)
    Allocation(pool=Decimal('45.00'), lender=Decimal('45.01'), valuer=Decimal('10.00'), capped_by=Decimal('0.00'))

    When the lender's share is 0 and both rounded parts went up, the valuer's part is cut to what is left, so the
    lender never gets a negative cent:

    >>> allocate(Decimal("2.50"), 0.37, 0, 0.63, None)
    Allocation(pool=Decimal('0.93'), lender=Decimal('0.00'), valuer=Decimal('1.57'), capped_by=Decimal('0.00'))
    """
    shares = (pool_share, lender_share, valuer_share)
    if any(not (math.isfinite(s) and 0 <= s <= 1) for s in shares) or abs(math.fsum(shares) - 1) > 1e-9:
        raise Invalid("风险补偿规则的三方分担比例须各在 0 到 1 之间且合计为 1。", field="risk_pool_rule_id")
    if not loss.is_finite() or loss < 0:
        raise Invalid(f"损失金额须为非负数，现为 {loss}。", field="loss")
    loss = loss.quantize(CENT, rounding=ROUND_HALF_UP)
    pool = _part(loss, pool_share)
    valuer = min(_part(loss, valuer_share), loss - pool)
    capped_by = ZERO
    if cap_left is not None and pool > max(cap_left, ZERO):
        capped_by = pool - max(cap_left, ZERO).quantize(CENT)
        pool -= capped_by
    return Allocation(pool, loss - pool - valuer, valuer, capped_by)


def cap_left(per_firm_cap: Decimal | None, borne_for_other_loans: Iterable[Decimal]) -> Decimal | None:
    """What the pool may still pay for a firm: its cap minus what the pool bears for the firm's other loans (the
    pool part of each one's latest allocation), never below 0; None when the rule has no cap.

    >>> cap_left(Decimal("5000000"), [Decimal("3000000"), Decimal("1500000")]), cap_left(None, [Decimal(1)])
    (Decimal('500000'), None)
    >>> cap_left(Decimal("5000000"), [Decimal("6000000")])
    Decimal('0.00')
    """
    if per_firm_cap is None:
        return None
    return max(per_firm_cap - sum(borne_for_other_loans, Decimal(0)), ZERO)
