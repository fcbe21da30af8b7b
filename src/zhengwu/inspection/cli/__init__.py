"""``zhengwu inspection …``: the command group (``app``) with every area's commands registered."""

from __future__ import annotations

from zhengwu.inspection.cli import cadres, figures
from zhengwu.inspection.cli.app import app

__all__ = ["app", "cadres", "figures"]
