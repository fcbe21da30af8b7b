"""Permission cases of valuation's portfolio routes (see valuation_base for the people)."""

from __future__ import annotations

from tests.support.walk import Case

CASES: dict[tuple[str, str], Case] = {}
