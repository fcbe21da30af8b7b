"""The ``zhengwu finance`` command group (``app``); the area modules add their commands to it and are imported
here so that the commands exist when the group is added to the main command line."""

from __future__ import annotations

from zhengwu.finance.cli import loans, plans, run  # noqa: F401  (registers its commands)
from zhengwu.finance.cli.app import app

__all__ = ["app"]
