"""The valuation story in the demo: the valuation firm, the bank's technology branch and the university's IP office
with their users (``zhengwu.valuation.people``); the demo's assessments and comparable deals are added by
:func:`seed_valuation` too."""

from __future__ import annotations

from zhengwu.core.clock import FakeClock
from zhengwu.core.db import Actor, Database
from zhengwu.valuation.people import seed_people


def seed_valuation(db: Database, clock: FakeClock, password: str) -> list[tuple[str, str, str, str]]:
    """Add the valuation story to a database holding the seed's bodies and people; returns the logins."""
    with db.uow(Actor(None, "演示数据")) as uow:
        logins = seed_people(uow, password)
        uow.commit()
    return logins
