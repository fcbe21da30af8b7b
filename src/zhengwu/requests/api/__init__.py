"""JSON API of public requests under ``/api/v1/requests``, one module per area; add each area's ``router`` to
``ROUTERS``."""

from __future__ import annotations

from zhengwu.requests.api import attachments, campaigns, desk, dictionary, intake, projects

ROUTERS = [projects.router, campaigns.router, dictionary.router, intake.router, desk.router]  # static paths first
ROUTERS.append(attachments.router)  # a request's attachments (metadata)
