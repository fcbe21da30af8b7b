"""Pages of finance: A stored plan's results: waterfall, simulation, sizing and the Word report."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/finance", include_in_schema=False)
