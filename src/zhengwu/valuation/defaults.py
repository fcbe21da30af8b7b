"""The shipped reference data of valuation: one example indicator profile per use (the CNIPA 2012 structure with
editable example weights — 无官方默认权重) and the UNIDO royalty ranges of issue #6. Inserted by migration 0009 and,
through :func:`zhengwu.schema.insert_reference_data`, into a database whose tables were emptied (the tests'
PostgreSQL reset). Idempotent: a table that already has rows is left alone."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from sqlalchemy import func, insert, select
from sqlalchemy.engine import Connection

from zhengwu.valuation.model.default_profile import WEIGHTS_NOTE, default_profile
from zhengwu.valuation.model.indicators import Use, profile_to_dict
from zhengwu.valuation.model.industries import UNIDO_ROWS
from zhengwu.valuation.tables import ValuationIndustry, ValuationProfile

UNIDO_SOURCE = "联合国工业发展组织（UNIDO）行业销售收入分成率，见 issue #6"


def insert_defaults(conn: Connection, now: datetime | None = None) -> None:
    """Insert the default profiles (version 1 of ``cnipa2012-<use>``) and the UNIDO rows into empty tables."""
    at = now or datetime.now(UTC)
    profiles, industries = ValuationProfile, ValuationIndustry
    if not conn.scalar(select(func.count()).select_from(profiles)):
        rows = []
        for use in Use:
            p = default_profile(use)
            rows.append(
                {
                    "code": p.code,
                    "version": p.version,
                    "use": use.value,
                    "name": p.name,
                    "body": json.dumps(profile_to_dict(p), ensure_ascii=False),
                    "note": f"随平台提供的示例方案（{WEIGHTS_NOTE}）",
                    "retired": False,
                    "created_by_id": None,
                    "created_at": at,
                }
            )
        conn.execute(insert(profiles), rows)
    if not conn.scalar(select(func.count()).select_from(industries)):
        conn.execute(
            insert(industries),
            [{**row, "source": UNIDO_SOURCE, "sort_order": k, "version": 1} for k, row in enumerate(UNIDO_ROWS)],
        )
