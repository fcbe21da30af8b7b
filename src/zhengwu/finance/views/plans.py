"""Pages of finance: Securitization plans: their terms, tranches and pooled loans."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/finance", include_in_schema=False)
