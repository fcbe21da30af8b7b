"""The ``zhengwu inspection`` command group; the area modules of this package add their commands to ``app``."""

from __future__ import annotations

import typer

app = typer.Typer(help="巡察整改：统计、人才库导入。", no_args_is_help=True)
