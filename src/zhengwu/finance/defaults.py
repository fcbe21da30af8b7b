"""The shipped reference data of pledge financing: a pledge-rate ceiling of 30 % for every patent type and the
province's example risk-pool rule of issue #7 (pool 45 %, bank and guarantor 45 %, valuer 10 %, at most 500万元 from
the pool for one firm). Both are editable data. Inserted by migration 0010 and, through
:func:`zhengwu.schema.insert_reference_data`, into a database whose tables were emptied (the tests' PostgreSQL reset).
Idempotent: a table that already has rows is left alone."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import func, insert, select
from sqlalchemy.engine import Connection

from zhengwu.finance.tables import PledgeCeiling, RiskPoolRule

DEFAULT_CEILING = 0.30
HUNAN_RULE = {
    "code": "hunan-2023",
    "name": "湖南省知识产权质押融资风险补偿（示例规则）",
    "pool_share": 0.45,
    "lender_share": 0.45,
    "valuer_share": 0.10,
    "per_firm_cap": Decimal("5000000.00"),
    "source": "issue #7：风险补偿资金池 45%、银行与担保机构 45%、评估机构 10%，单户补偿上限 500 万元",
    "retired": False,
    "version": 1,
}


def insert_defaults(conn: Connection) -> None:
    """Insert the default ceiling (``all``: 30 %) and the example rule into empty tables."""
    if not conn.scalar(select(func.count()).select_from(PledgeCeiling)):
        conn.execute(
            insert(PledgeCeiling),
            [
                {
                    "patent_type": "all",
                    "ceiling": DEFAULT_CEILING,
                    "note": "质押率上限示例：贷款额不超过评估值的 30%",
                    "version": 1,
                }
            ],
        )
    if not conn.scalar(select(func.count()).select_from(RiskPoolRule)):
        conn.execute(insert(RiskPoolRule), [HUNAN_RULE])
