"""The ``zhengwu valuation`` command group; the area modules of this package add their commands to ``app``."""

from __future__ import annotations

import typer

app = typer.Typer(help="专利价值评估：收益法估值、批量（组合）估值、评价方案与可比交易。", no_args_is_help=True)
