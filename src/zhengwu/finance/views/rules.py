"""Pages of finance: Pledge-rate ceilings and risk-pool rules."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/finance", include_in_schema=False)
