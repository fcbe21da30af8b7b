"""The finance walk's cases of the pledge-loan routes (people: ``f_fh`` and ``f_js`` of finance_run), and the rows the
loans' tests share: ceilings and risk-pool rules (:func:`add_reference`), borrowers (:func:`add_borrower`) and loans
in any status written straight into the tables (:func:`add_loan`).

The walk's records are in unit ``fh`` (凤凰县): a borrower and four loans, one per status a step starts from —
``WK-APPLIED`` (with one pledged patent: edit, patents, approve, decline), ``WK-APPROVED`` (disburse),
``WK-DISBURSED`` (repay, default) and ``WK-DEFAULTED`` (dispose). ``f_js`` (吉首市) is the outsider: the loans are
not found for it (404), and the list and the export do not show them.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.support.finance_records import valid_credit_code
from tests.support.walk import Call, Case, Ids
from zhengwu.core.db import Actor, Database
from zhengwu.core.org.tables import Unit
from zhengwu.finance.defaults import HUNAN_RULE
from zhengwu.finance.model import LOAN_MANAGE, VIEW
from zhengwu.finance.tables import Borrower, PledgeCeiling, PledgedPatent, PledgeLoan, RiskPoolRule

AT = datetime(2024, 1, 2, 2, 0, tzinfo=UTC)
GRANTED, OUTSIDER = "f_fh", "f_js"
BORROWER = "权限测试科技有限公司"


def add_reference(db: Database) -> dict[str, int]:
    """Next to the shipped defaults (all types 30 %, the rule ``hunan-2023``: pool 45 %, bank and guarantor 45 %,
    valuer 10 %, per-firm cap 500万元), a ceiling of 40 % for inventions and the retired rule ``OLD``; returns the
    rules' ids by code, the shipped rule also as ``R45``."""
    with db.uow(Actor(None, "测试数据")) as uow:
        s = uow.session
        s.add(PledgeCeiling(patent_type="invention", ceiling=0.4))
        s.add(RiskPoolRule(code="OLD", name="旧规则", pool_share=0.5, lender_share=0.5, valuer_share=0.0, retired=True))
        uow.commit()
    with db.reading() as s:
        rules = {code: rid for code, rid in s.execute(select(RiskPoolRule.code, RiskPoolRule.id))}
    return {**rules, "R45": rules[str(HUNAN_RULE["code"])]}


def add_borrower(db: Database, unit: str, name: str, k: int = 1) -> int:
    """A borrower of unit ``unit`` with the ``k``-th valid credit code (the same ``k`` is the same firm)."""
    with db.uow(Actor(None, "测试数据")) as uow:
        s = uow.session
        unit_id = s.scalars(select(Unit.id).where(Unit.code == unit)).one()
        b = Borrower(unit_id=unit_id, name=name, credit_code=valid_credit_code(k), created_at=AT, little_giant=True)
        s.add(b)
        uow.commit()
        return b.id


def add_loan(db: Database, unit: str, borrower_id: int, code: str, status: str, **changes: Any) -> int:
    """A loan of 3,000,000 元 at 4.35 % over 24 months, quarterly bullet, in ``status`` with the dates that status
    implies (applied 2024-01-05, approved 01-10, disbursed 01-15, closed 2024-05-01), one invention patent worth
    10,000,000 pledged."""
    steps = ("applied", "approved", "disbursed", "defaulted")
    reached = steps.index(status) if status in steps else 0
    values: dict[str, Any] = {
        "principal": Decimal("3000000.00"), "annual_rate": 0.0435, "term_months": 24, "payments_per_year": 4,
        "amortization": "bullet", "pd_annual": 0.02, "guarantor": "湖南省融资担保集团", "guarantee_coverage": 0.8,
        "applied_on": date(2024, 1, 5),
        "approved_on": date(2024, 1, 10) if reached >= 1 else None,
        "disbursed_on": date(2024, 1, 15) if reached >= 2 else None,
        "registration_date": date(2024, 1, 12) if reached >= 2 else None,
        "registration_no": "Y2024430000123" if reached >= 2 else "",
        "maturity_date": date(2026, 1, 15) if reached >= 2 else None,
        "closed_on": date(2024, 5, 1) if reached >= 3 else None,
        "exposure_at_default": Decimal("3032625.00") if reached >= 3 else None,
    }  # fmt: skip
    values.update(changes)
    with db.uow(Actor(None, "测试数据")) as uow:
        s = uow.session
        unit_id = s.scalars(select(Unit.id).where(Unit.code == unit)).one()
        loan = PledgeLoan(
            unit_id=unit_id, code=code, borrower_id=borrower_id, status=status, created_at=AT, updated_at=AT, **values
        )
        s.add(loan)
        s.flush()
        s.add(
            PledgedPatent(
                loan_id=loan.id, patent_number=f"ZL2020{loan.id:06d}.1", title="一种质押专利", patent_type="invention",
                appraised_value=Decimal("10000000.00"), valuer="湖南湘评资产评估有限公司", valued_on=date(2023, 12, 1),
            )
        )  # fmt: skip
        uow.commit()
        return loan.id


# ------------------------------------------------------------------------------------------------------- the walk

STATUSES = {
    "WK-APPLIED": "applied",
    "WK-APPROVED": "approved",
    "WK-DISBURSED": "disbursed",
    "WK-DEFAULTED": "defaulted",
}


def prepare(db: Database) -> None:
    add_reference(db)
    borrower = add_borrower(db, "fh", BORROWER, 77)
    for code, status in STATUSES.items():
        add_loan(db, "fh", borrower, code, status)


def ids(session: Session) -> dict[str, Any]:
    rows = session.execute(
        select(PledgeLoan.code, PledgeLoan.id, PledgeLoan.version).where(PledgeLoan.code.in_(STATUSES))
    )
    out: dict[str, Any] = {}
    for code, loan_id, version in rows:
        key = code.removeprefix("WK-").lower()
        out[f"fl_{key}"], out[f"fl_v_{key}"] = loan_id, version
    if "fl_applied" in out:
        out["fl_patent"] = session.scalar(select(PledgedPatent.id).where(PledgedPatent.loan_id == out["fl_applied"]))
        out["fl_borrower"] = session.scalar(select(Borrower.id).where(Borrower.name == BORROWER))
    return out


def _application(i: Ids) -> dict[str, Any]:
    return {
        "code": "WK-NEW", "borrower_id": i["fl_borrower"], "principal": "1000000", "annual_rate": "4.2",
        "term_months": "12", "payments_per_year": "4", "amortization": "bullet", "pd_annual": "2",
        "guarantor": "", "guarantee_coverage": "", "risk_pool_rule_id": "", "applied_on": "2024-06-01", "note": "",
    }  # fmt: skip


def _json_application(i: Ids) -> dict[str, Any]:
    body = {**_application(i), "annual_rate": 0.042, "pd_annual": 0.02, "term_months": 12, "payments_per_year": 4}
    return {**body, "borrower_id": i["fl_borrower"], "guarantee_coverage": 0, "risk_pool_rule_id": None}


STEP_FIELDS: dict[str, tuple[str, dict[str, Any]]] = {
    "approve": ("applied", {"approved_on": "2024-06-01"}),
    "decline": ("applied", {"closed_on": "2024-06-01", "reason": "质押专利权属不清"}),
    "disburse": (
        "approved",
        {"disbursed_on": "2024-06-01", "registration_no": "Y1", "registration_date": "2024-05-30"},
    ),
    "repay": ("disbursed", {"closed_on": "2024-06-01"}),
    "default": ("disbursed", {"closed_on": "2024-06-01"}),
    "dispose": ("defaulted", {"disposed_on": "2024-06-01", "disposal_proceeds": "1000000"}),
}
PATENT = {
    "patent_number": "ZL202210000009.9", "title": "一种新增质押专利", "patent_type": "utility",
    "appraised_value": "1000000", "valuer": "湖南湘评资产评估有限公司", "valued_on": "2024-05-01",
}  # fmt: skip


def case(action: str, method: str, url: str, *, ok: tuple[int, ...] = (200,), api: bool = False, **kw: Any) -> Case:
    def call(i: Ids) -> Call:
        data, body = kw.get("data"), kw.get("json")
        where = url.format(**{k: v for k, v in i.items() if ":" not in k})
        return Call(method, where, data=data(i) if data else None, json=body(i) if body else None)

    return Case(action, call, GRANTED, ok=ok, outsider=OUTSIDER, out_status=(404,), api=api)


def _step_case(step: str, api: bool) -> Case:
    status, fields = STEP_FIELDS[step]
    if api:
        return case(
            LOAN_MANAGE, "POST", A + f"/{{fl_{status}}}/{step}", api=True,
            json=lambda i: {**fields, "version": i[f"fl_v_{status}"]},
        )  # fmt: skip
    return case(
        LOAN_MANAGE, "POST", P + f"/{{fl_{status}}}/steps/{step}", ok=(303,),
        data=lambda i: {**fields, "version": i[f"fl_v_{status}"]},
    )  # fmt: skip


IMPORT = (
    "贷款编号,借款企业,贷款本金（元）,年利率（%）,期限（月）,还款方式,年违约概率（%）,申请日期\n"
    f"WK-IMP,{valid_credit_code(77)},1000000,4.2,12,到期一次还本,2,2024-06-01\n"
).encode()
P, A = "/finance/loans", "/api/v1/finance/loans"
LM = LOAN_MANAGE
CASES: dict[tuple[str, str], Case] = {
    # ---- pages
    ("GET", P): Case(VIEW, lambda i: Call("GET", P), GRANTED, outsider=OUTSIDER, hidden=lambda i: "WK-APPLIED"),
    ("GET", P + "/export.xlsx"): Case(
        VIEW, lambda i: Call("GET", P + "/export.xlsx"), GRANTED, outsider=OUTSIDER, hidden=lambda i: "WK-APPLIED"
    ),
    ("POST", P + "/import"): Case(
        LM, lambda i: Call("POST", P + "/import", files={"file": ("l.csv", IMPORT, "text/csv")}), GRANTED, ok=(303,)
    ),
    ("GET", P + "/new"): Case(LM, lambda i: Call("GET", P + "/new"), GRANTED),
    ("POST", P + "/new"): Case(LM, lambda i: Call("POST", P + "/new", data=_application(i)), GRANTED, ok=(303,)),
    ("GET", P + "/{loan_id:int}"): case(VIEW, "GET", P + "/{fl_applied}"),
    ("GET", P + "/{loan_id:int}/edit"): case(LM, "GET", P + "/{fl_applied}/edit"),
    ("POST", P + "/{loan_id:int}/edit"): case(
        LM,
        "POST",
        P + "/{fl_applied}/edit",
        ok=(303,),
        data=lambda i: {**_application(i), "code": "WK-APPLIED", "version": i["fl_v_applied"]},
    ),
    ("POST", P + "/{loan_id:int}/patents"): case(
        LM, "POST", P + "/{fl_applied}/patents", ok=(303,), data=lambda i: {**PATENT, "version": i["fl_v_applied"]}
    ),
    ("POST", P + "/{loan_id:int}/patents/{patent_id:int}/delete"): case(
        LM,
        "POST",
        P + "/{fl_applied}/patents/{fl_patent}/delete",
        ok=(303,),
        data=lambda i: {"version": i["fl_v_applied"]},
    ),
    ("POST", P + "/{loan_id:int}/steps/{step}"): _step_case("approve", api=False),
    # ---- API
    ("GET", A): Case(
        VIEW, lambda i: Call("GET", A), GRANTED, outsider=OUTSIDER, hidden=lambda i: "WK-APPLIED", api=True
    ),
    ("POST", A): Case(LM, lambda i: Call("POST", A, json=_json_application(i)), GRANTED, ok=(201,), api=True),
    ("GET", A + "/{loan_id}"): case(VIEW, "GET", A + "/{fl_applied}", api=True),
    ("PUT", A + "/{loan_id}"): case(
        LM,
        "PUT",
        A + "/{fl_applied}",
        api=True,
        json=lambda i: {**_json_application(i), "code": "WK-APPLIED", "version": i["fl_v_applied"]},
    ),
    ("POST", A + "/{loan_id}/patents"): case(
        LM,
        "POST",
        A + "/{fl_applied}/patents",
        ok=(201,),
        api=True,
        json=lambda i: {**PATENT, "version": i["fl_v_applied"]},
    ),
    ("DELETE", A + "/{loan_id}/patents/{patent_id}"): case(
        LM, "DELETE", A + "/{fl_applied}/patents/{fl_patent}?version={fl_v_applied}", ok=(204,), api=True
    ),
    **{("POST", A + f"/{{loan_id}}/{step}"): _step_case(step, api=True) for step in STEP_FIELDS},
}
