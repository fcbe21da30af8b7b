"""The ``zhengwu finance`` command group; the area modules of this package add their commands to ``app``."""

from __future__ import annotations

import typer

app = typer.Typer(help="知识产权质押融资与证券化：现金流瀑布、蒙特卡洛模拟。", no_args_is_help=True)
