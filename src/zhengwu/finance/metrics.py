"""``zhengwu.finance.metrics`` of issue #7: XIRR and WAL on ACT/365F (implemented in
:mod:`zhengwu.finance.model.metrics`)."""

from zhengwu.finance.model.metrics import DAYS_PER_YEAR, wal, xirr

__all__ = ["DAYS_PER_YEAR", "wal", "xirr"]
