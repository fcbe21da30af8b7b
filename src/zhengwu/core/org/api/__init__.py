"""JSON API of organisations and access under ``/api/v1``: the caller, units, users, roles and API tokens.

Every route needs a logged-in principal (a bearer token, or a session cookie plus the ``X-CSRF-Token`` header on
unsafe methods), reads through ``restrict``/``get_scoped`` and writes through ``zhengwu.core.org.service`` inside
one unit of work. Failures are problem documents (``application/problem+json``) in Chinese, rendered at the edge.

Each subject's routes live in their own module (``me``, ``units``, ``users``, ``roles``, ``tokens``) and register on
the one router of ``common``; the schemas are in ``schemas``.
"""

from __future__ import annotations

# Importing a subject's module registers its routes: this import comes first, in the order they always had.
# isort: off
from zhengwu.core.org.api import me, units, users, roles, tokens

# isort: on
from zhengwu.core.org.api.common import router

__all__ = ["me", "roles", "router", "tokens", "units", "users"]
