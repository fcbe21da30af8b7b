"""The valuation walk's people (and the income calculator's case): the other ``valuation_*`` areas add their records
on top and use these users in their cases.

People: ``v_fh`` holds every valuation action over 凤凰县 (the granted caller), ``v_js`` the same over 吉首市 (the
outsider for records made in 凤凰县).
"""

from __future__ import annotations

from tests.support.people import add_users
from tests.support.walk import Call, Case
from zhengwu.core.db import Actor, Database
from zhengwu.valuation.model import ALL_VALUATION, ASSESS

PEOPLE = {
    "v_fh": ("fh", [(a, "subtree") for a in ALL_VALUATION]),
    "v_js": ("js", [(a, "subtree") for a in ALL_VALUATION]),
}

#: The worked example of issue #6 (docs/valuation.md).
INCOME_EXAMPLE = {
    "income": {"basis": "revenue", "amounts": [2000, 2200, 2400, 2500, 2500]},
    "share_rate": {"method": "score", "industry": "machinery", "score": 70},
    "tax_rate": 0.25,
    "discount_rate": 0.095,
}

CASES: dict[tuple[str, str], Case] = {
    ("POST", "/api/valuation/income"): Case(
        ASSESS, lambda i: Call("POST", "/api/valuation/income", json=INCOME_EXAMPLE), "v_fh", api=True
    ),
}


def prepare(db: Database) -> None:
    from tests.conftest import PASSWORD

    with db.uow(Actor(None, "测试数据")) as uow:
        add_users(uow, PEOPLE, PASSWORD, "role_")
        uow.commit()
