"""Users with roles on the three-step test kind, for tests of the matters engine's pages and API (they share
the demo password, ``tests.conftest.PASSWORD``)."""

from __future__ import annotations

from tests.conftest import PASSWORD
from tests.support import three_step
from tests.support.people import add_users
from zhengwu.core.db import Actor, Database
from zhengwu.core.matters.supervision import SUPERVISION_LIST, SUPERVISION_REPORT, SUPERVISION_SIGNOFF

__all__ = ["PASSWORD", "PEOPLE", "add_people"]


#: username → (unit code, grants)
PEOPLE: dict[str, tuple[str, list[tuple[str, str]]]] = {
    "t_clerk": ("fh", [(three_step.VIEW, "subtree"), (three_step.CREATE, "subtree")]),
    "t_handler": (
        "fh-gl",
        [
            (three_step.VIEW, "unit"),
            (three_step.ACCEPT, "unit"),
            (three_step.RESOLVE, "unit"),
            (SUPERVISION_REPORT, "unit"),
        ],
    ),
    "t_super": (
        "fh-jw",
        [
            (three_step.VIEW, "all"),
            (three_step.CLOSE, "all"),
            (three_step.EXTEND, "all"),
            (three_step.PAUSE, "all"),
            (SUPERVISION_LIST, "unit"),
            (SUPERVISION_SIGNOFF, "unit"),
        ],
    ),
    "t_outsider": ("js", [(three_step.VIEW, "subtree"), (three_step.ACCEPT, "subtree")]),
    "t_all": (
        "hn",
        [
            (a, "all")
            for a in (
                three_step.VIEW,
                three_step.CREATE,
                three_step.ACCEPT,
                three_step.RESOLVE,
                three_step.CLOSE,
                three_step.EXTEND,
                three_step.PAUSE,
            )
        ],
    ),
}


def add_people(db: Database, people: dict[str, tuple[str, list[tuple[str, str]]]] | None = None) -> None:
    """Create the test kind's table and one user (with a role of their own) for each entry of ``people``
    (default PEOPLE)."""
    three_step.install(db)
    with db.uow(Actor(None, "测试")) as uow:
        add_users(uow, people or PEOPLE, PASSWORD, "r_")
        uow.commit()
