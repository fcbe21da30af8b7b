"""``zhengwu finance plans …``: see the commands' help."""

from __future__ import annotations
