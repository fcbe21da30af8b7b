"""The matter kinds of every system.

A system declares its kinds in a module that calls ``register_kind`` when imported. Listing that module here is
what makes the kinds known to every entry point: the command line (``zhengwu import matters --kind …``,
``zhengwu tick``) and the web application load them at start-up, before anything asks for a kind by its code.
tests/unit/test_architecture.py fails if a module that registers a kind is missing from the list.
"""

from __future__ import annotations

from importlib import import_module

from zhengwu.core.matters.registry import KINDS, Kind

#: The modules that register the systems' matter kinds (the requests, inspection and IP centre systems add theirs).
KIND_MODULES: tuple[str, ...] = ("zhengwu.requests.kinds", "zhengwu.inspection.kinds")


def load_kinds() -> dict[str, Kind]:
    """Import every system's kinds module (idempotent) and return the registry."""
    for name in KIND_MODULES:
        import_module(name)
    return KINDS
