"""The matter list counts with a slimmer statement than it pages with (only ``matters``, no display joins); the
two must always agree, whatever the scope and the filters."""

from __future__ import annotations

import itertools
import random
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update

from tests.conftest import principal, unit_id
from tests.support import three_step
from tests.support.matter_people import add_people
from zhengwu.core.db import Actor, Database
from zhengwu.core.matters import service
from zhengwu.core.matters.lists import matter_list
from zhengwu.core.matters.tables import Matter
from zhengwu.core.org.model import system_principal
from zhengwu.web.listing import fetch_page

UNITS = ("fh", "fh-gl", "fh-jw", "js")
STATUSES = [s.value for s in three_step.State]


@pytest.fixture
def listed(db: Database) -> Database:
    """Forty matters of the test kind over four units, statuses and priorities mixed, two titles with a ``%``."""
    add_people(db)
    rnd = random.Random(7)
    start = datetime(2024, 6, 1, 2, 0, tzinfo=UTC)
    with db.uow(Actor(None, "测试")) as uow:
        for i in range(40):
            m = service.open_matter(
                uow,
                system_principal(),
                three_step.KIND,
                title=f"路面破损 {i}" if i % 20 else f"100% 完成 {i}",
                owner_unit_id=unit_id(db, rnd.choice(UNITS)),
                received_at=start + timedelta(hours=i),
            )
            uow.session.flush()
            uow.session.execute(
                update(Matter)
                .where(Matter.id == m.id)
                .values(status=rnd.choice(STATUSES), priority=rnd.choice(["normal", "urgent"]))
                .execution_options(synchronize_session=False)
            )
        uow.commit()
    return db


FILTERS = [
    {},
    {"q": "破损"},
    {"q": "100%"},
    {"q": "测-2024-00001"},
    {"status": STATUSES[0]},
    {"status": STATUSES[-1], "priority": "urgent"},
    {"q": "路面", "priority": "normal"},
]


@pytest.mark.parametrize("who", ["t_clerk", "t_handler", "t_outsider", "t_all", "system"])
def test_the_list_total_equals_the_rows_it_pages_through_for_every_scope_and_filter(listed: Database, who: str) -> None:
    spec = matter_list(three_step.KIND)
    person = system_principal() if who == "system" else principal(listed, who)
    for params, size in itertools.product(FILTERS, (7, 100)):
        with listed.reading() as s:
            first = fetch_page(s, spec, person, params, size)
            rows = [
                r.id
                for p in range(1, first.pages + 1)
                for r in fetch_page(s, spec, person, {**params, "page": str(p)}, size).rows
            ]
        assert first.total == len(rows) == len(set(rows)), (who, params, size)


def test_the_list_does_not_count_matters_of_other_kinds(listed: Database) -> None:
    with listed.uow(Actor(None, "测试")) as uow:
        uow.session.execute(
            update(Matter).where(Matter.id <= 5).values(kind="otherkind").execution_options(synchronize_session=False)
        )
        uow.commit()
    with listed.reading() as s:
        page = fetch_page(s, matter_list(three_step.KIND), system_principal(), {}, 100)
    assert page.total == len(page.rows) == 35
