"""The finance walk's cases of a stored plan's results (pages and API): the waterfall, the simulation, the sizing
and the Word report. Every route only reads (finance.view on the plan) and writes nothing: the two POSTs of the API
are in ``COMPUTING_POSTS``.

The area's record: the Changsha seed plan stored with ``store_plan`` under the code ``PR-WALK``, kept by 凤凰县 with
its loans kept by 山江镇 (``fh-sj``, so that no other area's loans or borrowers of 凤凰县 meet it). ``f_fh`` (every
finance action over 凤凰县, subtree) is granted; ``f_js`` (the same over 吉首市) is the outsider and gets 404.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.support.finance_records import store_plan
from tests.support.walk import Call, Case, Ids
from zhengwu.core.db import Database
from zhengwu.core.org.tables import Unit
from zhengwu.finance.model import VIEW
from zhengwu.finance.tables import Plan

CODE = "PR-WALK"
G, OUT = "f_fh", "f_js"
P = "/finance/plans/{plan_id}"
A = "/api/v1/finance/plans/{plan_id}"


def case(method: str, path: str, query: str = "", body: Any = None) -> Case:
    def call(i: Ids) -> Call:
        return Call(method, path.replace("{plan_id}", str(i["fr:plan"])) + query, json=body)

    return Case(VIEW, call, G, outsider=OUT, out_status=(404,), api=path.startswith("/api/"))


CASES: dict[tuple[str, str], Case] = {
    ("GET", P + "/waterfall"): case("GET", P + "/waterfall", "?loan_defaults.L03=3&guarantor_default_period=2"),
    ("GET", P + "/simulation"): case("GET", P + "/simulation", "?paths=300&seed=1"),
    ("GET", P + "/sizing"): case("GET", P + "/sizing", "?target=0.1&paths=300&seed=1"),
    ("GET", P + "/report.docx"): case("GET", P + "/report.docx", "?paths=300&seed=1"),
    ("POST", A + "/run"): case(
        "POST", A + "/run", body={"scenario": {"loan_defaults": {"L03": 3}}, "simulation": {"paths": 300, "seed": 1}}
    ),
    ("POST", A + "/sizing"): case("POST", A + "/sizing", body={"target": 0.001, "paths": 300, "seed": 1}),
    ("GET", A + "/report.docx"): case("GET", A + "/report.docx", "?paths=300&seed=1&target=0.001&sizing_paths=300"),
}


def prepare(db: Database) -> None:
    store_plan(db, bank="fh-sj", manager="fh", code=CODE)


def ids(session: Session) -> dict[str, Any]:
    fh = select(Unit.id).where(Unit.code == "fh").scalar_subquery()
    plan = session.scalar(select(Plan.id).where(Plan.code == CODE, Plan.unit_id == fh))
    return {} if plan is None else {"fr:plan": plan}
