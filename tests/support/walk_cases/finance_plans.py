"""The finance walk's cases of the plans routes (pages and API; people: ``f_fh`` and ``f_js`` of finance_run).

The record: the Changsha seed plan stored by ``store_plan`` as the draft plan ``WP1`` of 凤凰县 (renamed
:data:`NAME`), its twelve disbursed loans kept by 腊尔山镇 (``fh-les``, under 凤凰县: each area storing the seed's
loans uses a unit of its own, since loan numbers and credit codes are unique within a unit). ``f_fh`` holds every
finance action over 凤凰县 and below (granted); ``f_js`` the same over 吉首市 (the outsider): the lists hide the plan
from it and every call on the plan answers 404. Creating a plan concerns no record (it goes to the caller's own
unit): no outsider.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from tests.support.finance_records import store_plan
from tests.support.walk import Call, Case, Ids
from zhengwu.core.db import Actor, Database
from zhengwu.finance.model import STRUCTURE, VIEW
from zhengwu.finance.service.plans import percent_text, seed_terms
from zhengwu.finance.tables import Plan, PlanLoan
from zhengwu.finance.views.plans import form_of

NAME = "权限测试证券化方案"
G, OUT = "f_fh", "f_js"
P, A = "/finance/plans", "/api/v1/finance/plans"
TERMS, TRANCHES = seed_terms()


def prepare(db: Database) -> None:
    plan_id = store_plan(db, bank="fh-les", manager="fh", code="WP1")
    with db.uow(Actor(None, "测试数据")) as uow:
        uow.session.execute(update(Plan).where(Plan.id == plan_id).values(name=NAME))
        uow.commit()


def ids(session: Session) -> dict[str, Any]:
    plan = session.scalar(select(Plan).where(Plan.name == NAME))
    if plan is None:
        return {}
    loans = list(session.scalars(select(PlanLoan.loan_id).where(PlanLoan.plan_id == plan.id)))
    return {"fp:plan": plan.id, "fp:v": plan.version, "fp:loans": sorted(loans)}


def fill(url: str, i: Ids) -> str:
    return re.sub(r"\{([^}]+)\}", lambda found: str(i[found.group(1)]), url)


def case(
    action: str,
    method: str,
    url: str,
    *,
    ok: tuple[int, ...] = (200,),
    outsider: str | None = OUT,
    hidden: Any = None,
    data: Any = None,
    json: Any = None,
) -> Case:
    def call(i: Ids) -> Call:
        return Call(method, fill(url, i), data=data(i) if data else None, json=json(i) if json else None)

    api = url.startswith("/api/")
    return Case(action, call, G, ok=ok, outsider=outsider, out_status=(404,), hidden=hidden, api=api)


def _terms_form(i: Ids) -> dict[str, Any]:
    return {**form_of({**TERMS, "code": "WP1", "name": NAME}), "version": i["fp:v"]}


def _tranches_form(i: Ids) -> dict[str, Any]:
    form: dict[str, Any] = {"version": i["fp:v"]}
    for k, t in enumerate(TRANCHES):
        coupon = percent_text(t["coupon"])
        form.update({f"tranches[{k}].code": t["code"], f"tranches[{k}].name": t["name"],
                     f"tranches[{k}].balance": str(t["balance"]), f"tranches[{k}].coupon": coupon})  # fmt: skip
    return form


PLAN, API_PLAN = P + "/{fp:plan}", A + "/{fp:plan}"
CASES: dict[tuple[str, str], Case] = {
    # ---- pages
    ("GET", P): case(VIEW, "GET", P, hidden=lambda i: NAME),
    ("GET", P + "/new"): case(STRUCTURE, "GET", P + "/new?sample=1", outsider=None),
    ("POST", P + "/new"): case(
        STRUCTURE, "POST", P + "/new", ok=(303,), outsider=None, data=lambda i: form_of({**TERMS, "code": "WK-NEW"})
    ),
    ("GET", P + "/{plan_id:int}"): case(VIEW, "GET", PLAN),
    ("GET", P + "/{plan_id:int}/contract.json"): case(VIEW, "GET", PLAN + "/contract.json"),
    ("GET", P + "/{plan_id:int}/edit"): case(STRUCTURE, "GET", PLAN + "/edit"),
    ("POST", P + "/{plan_id:int}/edit"): case(STRUCTURE, "POST", PLAN + "/edit", ok=(303,), data=_terms_form),
    ("GET", P + "/{plan_id:int}/tranches"): case(STRUCTURE, "GET", PLAN + "/tranches"),
    ("POST", P + "/{plan_id:int}/tranches"): case(
        STRUCTURE, "POST", PLAN + "/tranches", ok=(303,), data=_tranches_form
    ),
    ("GET", P + "/{plan_id:int}/loans"): case(STRUCTURE, "GET", PLAN + "/loans"),
    ("POST", P + "/{plan_id:int}/loans"): case(
        STRUCTURE, "POST", PLAN + "/loans", ok=(303,), data=lambda i: {"loan": i["fp:loans"], "version": i["fp:v"]}
    ),
    ("POST", P + "/{plan_id:int}/issue"): case(
        STRUCTURE, "POST", PLAN + "/issue", ok=(303,), data=lambda i: {"version": i["fp:v"]}
    ),
    ("POST", P + "/{plan_id:int}/delete"): case(
        STRUCTURE, "POST", PLAN + "/delete", ok=(303,), data=lambda i: {"version": i["fp:v"]}
    ),
    # ---- API
    ("GET", A): case(VIEW, "GET", A, hidden=lambda i: NAME),
    ("POST", A): case(STRUCTURE, "POST", A, ok=(201,), outsider=None, json=lambda i: {**TERMS, "code": "WK-API"}),
    ("GET", A + "/{plan_id}"): case(VIEW, "GET", API_PLAN),
    ("GET", A + "/{plan_id}/contract"): case(VIEW, "GET", API_PLAN + "/contract"),
    ("PUT", A + "/{plan_id}"): case(
        STRUCTURE, "PUT", API_PLAN, json=lambda i: {**TERMS, "code": "WP1", "name": NAME, "version": i["fp:v"]}
    ),
    ("DELETE", A + "/{plan_id}"): case(STRUCTURE, "DELETE", API_PLAN + "?version={fp:v}", ok=(204,)),
    ("PUT", A + "/{plan_id}/tranches"): case(
        STRUCTURE, "PUT", API_PLAN + "/tranches", json=lambda i: {"version": i["fp:v"], "tranches": TRANCHES}
    ),
    ("PUT", A + "/{plan_id}/loans"): case(
        STRUCTURE, "PUT", API_PLAN + "/loans", json=lambda i: {"version": i["fp:v"], "loans": i["fp:loans"]}
    ),
    ("POST", A + "/{plan_id}/issue"): case(
        STRUCTURE, "POST", API_PLAN + "/issue", json=lambda i: {"version": i["fp:v"]}
    ),
}
