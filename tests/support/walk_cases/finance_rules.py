"""The finance walk's cases of the rules routes (people: ``f_fh`` and ``f_js`` of finance_run).

The pledge-rate ceilings and the risk-pool rules are reference data without a unit: ``f_fh`` (who holds
``finance.rules.manage``, over 凤凰县) reads and writes them, and no outsider applies. The records: a ceiling of
design patents to remove and a retired rule to restore, besides the shipped ``all`` ceiling and ``hunan-2023`` rule,
which the writes change (other areas may add ceilings of other types).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.support.walk import Call, Case, Ids
from zhengwu.core.db import Actor, Database
from zhengwu.core.org.model import system_principal
from zhengwu.finance.model import RULES_MANAGE, VIEW
from zhengwu.finance.tables import PledgeCeiling, RiskPoolRule

GRANTED = "f_fh"
RETIRED = {
    "code": "wk-retired",
    "name": "权限测试停用规则",
    "pool_share": 0.4,
    "lender_share": 0.5,
    "valuer_share": 0.1,
}
RULE_FORM = {"name": "湖南省风险补偿", "pool_share": "45", "lender_share": "45", "valuer_share": "10"}
RULE_JSON = {"name": "湖南省风险补偿", "pool_share": 0.45, "lender_share": 0.45, "valuer_share": 0.1}


def prepare(db: Database) -> None:
    from zhengwu.finance.service import rules

    with db.uow(Actor(None, "测试数据")) as uow:
        system = system_principal()
        rules.set_ceiling(uow, system, "design", 0.2, note="权限测试")
        rule = rules.add_rule(uow, system, RETIRED)
        rules.set_retired(uow, system, rule.id, retired=True, version=None)
        uow.commit()


def ids(session: Session) -> dict[str, Any]:
    design = session.scalar(select(PledgeCeiling).where(PledgeCeiling.patent_type == "design"))
    every = session.scalar(select(PledgeCeiling).where(PledgeCeiling.patent_type == "all"))
    hunan = session.scalar(select(RiskPoolRule).where(RiskPoolRule.code == "hunan-2023"))
    retired = session.scalar(select(RiskPoolRule).where(RiskPoolRule.code == RETIRED["code"]))
    if design is None or every is None or hunan is None or retired is None:
        return {}
    return {
        "fr_v_all": every.version,
        "fr_v_design": design.version,
        "fr_hunan": hunan.id,
        "fr_v_hunan": hunan.version,
        "fr_retired": retired.id,
        "fr_v_retired": retired.version,
    }


def case(
    action: str, method: str, url: str, *, ok: tuple[int, ...] = (200,), data: Any = None, json: Any = None
) -> Case:
    def call(i: Ids) -> Call:
        return Call(
            method,
            url.format(**{k: v for k, v in i.items() if ":" not in k}),
            data=data(i) if data else None,
            json=json(i) if json else None,
        )

    return Case(action, call, GRANTED, ok=ok, api=url.startswith("/api/"))


P, A = "/finance/rules", "/api/v1/finance"
RP = P + "/risk-pool"
RM = RULES_MANAGE
CASES: dict[tuple[str, str], Case] = {
    # ---- page
    ("GET", P): case(VIEW, "GET", P),
    ("POST", P + "/ceilings"): case(
        RM,
        "POST",
        P + "/ceilings",
        ok=(303,),
        data=lambda i: {"patent_type": "all", "ceiling": "35", "version": i["fr_v_all"]},
    ),
    ("POST", P + "/ceilings/{patent_type}/delete"): case(
        RM, "POST", P + "/ceilings/design/delete", ok=(303,), data=lambda i: {"version": i["fr_v_design"]}
    ),
    ("POST", RP): case(RM, "POST", RP, ok=(303,), data=lambda i: {**RULE_FORM, "code": "wk-new"}),
    ("POST", RP + "/{rule_id:int}"): case(
        RM, "POST", RP + "/{fr_hunan}", ok=(303,), data=lambda i: {**RULE_FORM, "version": i["fr_v_hunan"]}
    ),
    ("POST", RP + "/{rule_id:int}/retire"): case(
        RM, "POST", RP + "/{fr_hunan}/retire", ok=(303,), data=lambda i: {"version": i["fr_v_hunan"]}
    ),
    ("POST", RP + "/{rule_id:int}/restore"): case(
        RM, "POST", RP + "/{fr_retired}/restore", ok=(303,), data=lambda i: {"version": i["fr_v_retired"]}
    ),
    # ---- API
    ("GET", A + "/rules"): case(VIEW, "GET", A + "/rules"),
    ("PUT", A + "/ceilings/{patent_type}"): case(
        RM, "PUT", A + "/ceilings/all", json=lambda i: {"ceiling": 0.35, "version": i["fr_v_all"]}
    ),
    ("DELETE", A + "/ceilings/{patent_type}"): case(
        RM, "DELETE", A + "/ceilings/design?version={fr_v_design}", ok=(204,)
    ),
    ("POST", A + "/risk-pool-rules"): case(
        RM, "POST", A + "/risk-pool-rules", ok=(201,), json=lambda i: {**RULE_JSON, "code": "wk-new"}
    ),
    ("PUT", A + "/risk-pool-rules/{rule_id}"): case(
        RM,
        "PUT",
        A + "/risk-pool-rules/{fr_hunan}",
        json=lambda i: {**RULE_JSON, "per_firm_cap": "5000000", "version": i["fr_v_hunan"]},
    ),
}
