"""The finance walk's cases of the rules routes (people: ``f_fh`` and ``f_js`` of finance_run)."""

from __future__ import annotations

from tests.support.walk import Case

CASES: dict[tuple[str, str], Case] = {}
