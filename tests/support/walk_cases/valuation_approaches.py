"""Permission cases of the stateless approach routes (market, cost, sensitivity): they need ``valuation.assess``,
compute and store nothing, so no records are prepared (see valuation_base for the people)."""

from __future__ import annotations

from tests.support.walk import Call, Case
from tests.support.walk_cases.valuation_base import INCOME_EXAMPLE
from zhengwu.valuation.model import ASSESS

MARKET = {
    "subject_pvd": 70,
    "as_of": "2024-06-30",
    "comparables": [{"id": "D1", "price": 300, "pvd": 60, "deal_date": "2023-06-30"}],
}
COST = {"items": [{"name": "重置成本", "amount": 120}], "years_used": 5, "remaining_life": 3}

CASES: dict[tuple[str, str], Case] = {
    ("POST", "/api/valuation/market"): Case(
        ASSESS, lambda i: Call("POST", "/api/valuation/market", json=MARKET), "v_fh", api=True
    ),
    ("POST", "/api/valuation/cost"): Case(
        ASSESS, lambda i: Call("POST", "/api/valuation/cost", json=COST), "v_fh", api=True
    ),
    ("POST", "/api/valuation/sensitivity"): Case(
        ASSESS, lambda i: Call("POST", "/api/valuation/sensitivity", json=INCOME_EXAMPLE), "v_fh", api=True
    ),
}
