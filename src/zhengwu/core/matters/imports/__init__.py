"""Bulk import of historical matters from an xlsx or csv file: validate every row, then write in bulk.

Columns (English or Chinese header, in any order): ``key`` 导入编号 (the row's idempotency key), ``title`` 标题,
``owner_unit`` 责任单位编码, ``received_at`` 收到时间 and ``status`` 状态 (code or Chinese label) are required;
``body`` 内容, ``due_at`` 期限, ``resolved_at`` 办结时间 (filled exactly when the status counts as resolved),
``closed_at`` 关闭时间 (exactly when it counts as closed), ``priority`` 优先级 and ``channel`` 渠道 are optional; any
column of the kind's own table may follow, under its name or its ``info["label"]``, checked against its type.

``sheets`` reads a file into rows, ``rows`` checks them (pure but for the SQLAlchemy column types of the kind's
table), ``service`` is the use case: every row is checked before anything is written, and the good rows are written
in one transaction of Core ``insert()`` batches.
"""

from zhengwu.core.matters.imports.rows import COLUMNS, REQUIRED, RowParser, kind_columns
from zhengwu.core.matters.imports.service import ImportResult, import_matters, reserve_serials
from zhengwu.core.matters.imports.sheets import Sheet, read_file

__all__ = [
    "COLUMNS",
    "REQUIRED",
    "ImportResult",
    "RowParser",
    "Sheet",
    "import_matters",
    "kind_columns",
    "read_file",
    "reserve_serials",
]
