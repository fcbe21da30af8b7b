"""``zhengwu finance loans …``: see the commands' help."""

from __future__ import annotations
