"""Pages of finance: Borrowers (借款企业)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/finance", include_in_schema=False)
