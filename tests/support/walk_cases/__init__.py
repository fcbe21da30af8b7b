"""Each area's permission cases for the walk (tests/e2e/test_route_permissions.py).

An area module defines ``CASES`` (route → Case), and optionally ``prepare(db)`` to add its records after the core
ones (users, matters) exist, and ``ids(session)`` to name them for the calls. Add a new module to ``AREAS``.
"""

from __future__ import annotations

from tests.support.walk_cases import (
    finance_borrowers,
    finance_loans,
    finance_plan_results,
    finance_plans,
    finance_rules,
    finance_run,
    inspection_base,
    inspection_figures,
    inspection_findings,
    inspection_leads,
    inspection_ledgers,
    inspection_rounds,
    requests_desk,
    requests_figures,
    requests_import,
    requests_intake,
    requests_manage,
    requests_public,
    valuation_approaches,
    valuation_assessments,
    valuation_base,
    valuation_portfolio,
    valuation_reference,
)
from tests.support.walk_cases import open311 as open311_area

AREAS = [requests_intake, requests_public]
AREAS.append(requests_figures)  # after requests_intake, whose people and categories it uses
AREAS.append(requests_desk)  # after requests_intake, whose people and categories it uses
AREAS.append(requests_manage)  # after requests_intake, whose people and categories it uses
AREAS.append(open311_area)  # its own account and request; after requests_intake (data key, categories)
AREAS.append(requests_import)  # after requests_intake, whose people it uses
AREAS.append(inspection_base)  # the inspection people and round; the inspection areas below build on them
AREAS += [inspection_rounds, inspection_findings, inspection_leads, inspection_ledgers, inspection_figures]
AREAS.append(valuation_base)  # the valuation people; the valuation areas below build on them
AREAS += [valuation_approaches, valuation_reference, valuation_assessments, valuation_portfolio]
AREAS.append(finance_run)  # the finance people and the plan calculator
AREAS += [finance_rules, finance_borrowers, finance_loans, finance_plans, finance_plan_results]  # after finance_run
