"""JSON API of public requests under ``/api/v1/requests``, one module per area; add each area's ``router`` to
``ROUTERS``."""

from __future__ import annotations

from zhengwu.requests.api import intake

ROUTERS = [intake.router]
