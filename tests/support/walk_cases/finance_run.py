"""The finance walk's people and the plan calculator's case (``POST /api/finance/run``, which writes nothing).

People: ``f_fh`` holds every finance action over 凤凰县 (the granted caller), ``f_js`` the same over 吉首市; the
calculation concerns no record, so no outsider applies.
"""

from __future__ import annotations

from tests.support.people import add_users
from tests.support.walk import Call, Case
from zhengwu.core.db import Actor, Database
from zhengwu.finance.model import ALL_FINANCE, STRUCTURE
from zhengwu.finance.model.plan import EXAMPLE

PEOPLE = {
    "f_fh": ("fh", [(a, "subtree") for a in ALL_FINANCE]),
    "f_js": ("js", [(a, "subtree") for a in ALL_FINANCE]),
}

#: The plan of docs/finance.md with one default and a small seeded simulation.
RUN_BODY = {"plan": EXAMPLE, "scenario": {"loan_defaults": {"L2": 3}}, "simulation": {"paths": 200, "seed": 1}}

CASES: dict[tuple[str, str], Case] = {
    ("POST", "/api/finance/run"): Case(
        STRUCTURE, lambda i: Call("POST", "/api/finance/run", json=RUN_BODY), "f_fh", api=True
    ),
}


def prepare(db: Database) -> None:
    from tests.conftest import PASSWORD

    with db.uow(Actor(None, "测试数据")) as uow:
        add_users(uow, PEOPLE, PASSWORD, "role_")
        uow.commit()
