"""JSON API of finance: Borrowers (借款企业), under ``/api/v1/finance``."""

from __future__ import annotations

from fastapi import APIRouter

from zhengwu.web.problems import PROBLEMS

router = APIRouter(prefix="/api/v1/finance", tags=["知识产权质押融资"], responses=PROBLEMS)
