"""The seed plan of the Changsha story (DOMAIN.md, story 2; issue #7, "Around the core"), as a plan JSON dict.

In 2023 the Changsha IP bureau and Xiangjiang New Area issued central China's first securitization of IP pledge
loans (兴证圆融-湖南湘江新区知识产权资产支持专项计划): 12 "little giant" enterprises borrowed 1.35亿元 in total
against pledged patents through an entrusted-loan structure, one firm 1500万元 and another 1000万元; a guarantee
institution bore the loan risk; Xiangjiang Development Group gave a shortfall undertaking (差额支付承诺) that made
the senior securities AAA, paying 2.95 % a year over 2 years.

What the story fixes is kept: 12 loans summing to 135,000,000 元 (``L01`` 15,000,000 元, ``L02`` 10,000,000 元),
2 years, a senior coupon of 2.95 %, a guarantor and the shortfall provider (湖南湘江新区发展集团有限公司). Everything
else is illustrative and not the real plan's figures: the borrowers' names are placeholders, the other ten
principals (7,000,000–14,000,000 元, no two equal and none equal to the two named), loan rates of 4.2–5.2 %, the
mix of repayment types, default probabilities of 1–3 % a year, pledge rates of 25–30 % of the appraised value, the
tranche split (senior 128,000,000 元, subordinated 7,000,000 元), fees, recovery and correlation. A loan's pledged
value is ⌈principal ÷ pledge rate⌉ 元, so its pledge rate never exceeds the one listed (the demo's loans are approved
under the 30 % ceiling).

Periods are quarterly (``periods_per_year`` 4, legal final 8): asset-backed special plans usually pay quarterly,
every loan's term (2 years) is a whole number of quarters, and 8 rows make a waterfall table a reader can check by
hand (monthly periods would work the same with 24 rows). Money is in 元.

>>> from zhengwu.finance.model.plan import parse_plan
>>> plan = parse_plan(seed_plan())
>>> len(plan.loans), plan.pool_principal, plan.tranches[0].coupon, plan.legal_final_period
(12, 135000000.0, 0.0295, 8)
"""

from __future__ import annotations

import math
from typing import Any

# (principal 元, annual rate, amortization, pd a year, pledge rate = principal ÷ appraised value)
_LOANS: tuple[tuple[int, float, str, float, float], ...] = (
    (15_000_000, 0.0450, "bullet", 0.010, 0.30),
    (10_000_000, 0.0480, "equal_principal", 0.015, 0.28),
    (14_000_000, 0.0435, "bullet", 0.010, 0.30),
    (13_000_000, 0.0460, "level", 0.015, 0.27),
    (12_500_000, 0.0470, "bullet", 0.020, 0.30),
    (12_000_000, 0.0490, "equal_principal", 0.020, 0.25),
    (11_500_000, 0.0450, "level", 0.015, 0.28),
    (11_000_000, 0.0500, "bullet", 0.025, 0.30),
    (10_500_000, 0.0480, "equal_principal", 0.020, 0.26),
    (9_500_000, 0.0510, "level", 0.025, 0.29),
    (9_000_000, 0.0495, "bullet", 0.030, 0.25),
    (7_000_000, 0.0520, "level", 0.030, 0.30),
)


def seed_plan() -> dict[str, Any]:
    """A fresh plan dict of the story's securitization (see the module docstring); callers may change it freely.

    >>> plan = seed_plan()
    >>> [(loan["id"], loan["principal"]) for loan in plan["loans"][:2]]
    [('L01', 15000000), ('L02', 10000000)]
    >>> plan["shortfall_provider"]["name"]
    '湖南湘江新区发展集团有限公司'
    """
    loans = [
        {
            "id": f"L{k:02d}",
            "borrower": f"湘江新区“小巨人”企业{k:02d}",
            "principal": principal,
            "annual_rate": rate,
            "term_periods": 8,
            "amortization": amortization,
            "pd_annual": pd,
            "pledged_value": math.ceil(principal / pledge_rate),
        }
        for k, (principal, rate, amortization, pd, pledge_rate) in enumerate(_LOANS, start=1)
    ]
    return {
        "closing_date": "2023-07-01",
        "periods_per_year": 4,
        "legal_final_period": 8,
        "loans": loans,
        "tranches": [
            {"id": "A", "name": "优先级资产支持证券", "balance": 128_000_000, "coupon": 0.0295},
            {"id": "B", "name": "次级资产支持证券", "balance": 7_000_000, "coupon": None},
        ],
        "fees": {"annual_rate_on_pool": 0.003},
        "guarantor": {"name": "融资担保机构", "pd_annual": 0.005, "coverage": 1.0, "cap": None},
        "shortfall_provider": {
            "name": "湖南湘江新区发展集团有限公司",
            "pd_annual": 0.001,
            "covers": ["senior_interest", "senior_principal"],
        },
        "recovery": {"rate_of_pledged_value": 0.1, "lag_periods": 2},
        "correlation": 0.2,
    }
