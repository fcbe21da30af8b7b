"""JSON API of public requests under ``/api/v1/requests``, one module per area; add each area's ``router`` to
``ROUTERS``."""

from __future__ import annotations

from zhengwu.requests.api import attachments, campaigns, desk, dictionary, figures, intake, projects
from zhengwu.requests.open311 import api as open311

ROUTERS = [projects.router, campaigns.router, dictionary.router, intake.router, desk.router]  # static paths first
ROUTERS.insert(0, figures.router)  # /figures and /hotspots before intake's /{request_id}
ROUTERS.append(attachments.router)  # a request's attachments (metadata)
ROUTERS.append(open311.router)  # Open311 GeoReport v2 at /open311/v2/ (zhengwu.requests.open311)
