"""Housekeeping jobs a system registers for ``zhengwu tick`` (run by cron), beside the engine's notices.

A job gets a unit of work and the settings and returns a line for the log (or None when it had nothing to do);
``zhengwu tick`` runs each in its own unit of work, so one failing job neither stops nor rolls back the others.
Systems register their jobs in the module listed in ``zhengwu.kinds.KIND_MODULES``, which every entry point loads.
"""

from __future__ import annotations

from collections.abc import Callable

from zhengwu.core.db import UnitOfWork
from zhengwu.core.settings import Settings

Job = Callable[[UnitOfWork, Settings], str | None]

#: name (Chinese, shown in the tick's report) → job
JOBS: dict[str, Job] = {}


def register_job(name: str, job: Job) -> Job:
    """Register ``job`` under ``name`` (re-registering a name replaces it: modules may be imported again)."""
    JOBS[name] = job
    return job
