"""Permission cases of valuation's assessments (pages and API) and the income calculator page.

The area's records: an assessment of 凤凰县 (fully scored by experts, with income and cost inputs, so every page and
figure exists) and a comparable deal of 凤凰县 to pick for the market approach. ``v_fh`` holds every valuation action
over 凤凰县 (granted), ``v_js`` the same over 吉首市 (the outsider): the list hides the assessment from it, reads
answer 404 and so do writes (an assessment outside the writer's scope is not found).
"""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.support.walk import Call, Case, Ids
from zhengwu.core.db import Actor, Database
from zhengwu.core.org.tables import Unit
from zhengwu.valuation.model import ASSESS, VIEW
from zhengwu.valuation.tables import Assessment, AssessmentScore, ComparableDeal, ValuationProfile

TITLE = "权限测试评估项目"
G, OUT = "v_fh", "v_js"
P = "/valuation/assessments/{va:assessment}"
A = "/api/v1/valuation/assessments/{va:assessment}"
FACTS = {"patent_type": "invention", "filing_date": "2015-03-01", "as_of": "2024-06-30", "claim_count": 12}
INCOME = {
    "income": {"basis": "revenue", "amounts": [2000, 2200, 2400, 2500, 2500]},
    "share_rate": {"method": "score"},
    "tax_rate": 0.25,
    "discount_rate": 0.095,
}
COST = {"items": [{"name": "研制成本", "amount": 80}], "obsolescence_rate": 0.4}
HEADER = {
    "title": "新评估项目",
    "patent_number": "ZL202010000001.1",
    "patent_title": "一种齿轮箱",
    "money_unit": "万元",
}


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

    return Case(action, call, G, ok=ok, outsider=outsider, out_status=(404,), hidden=hidden)


def page_write(url: str, data: Any = None) -> Case:
    return case(ASSESS, "POST", url, ok=(303,), data=data or (lambda i: {}))


def income_form(i: Ids) -> dict[str, str]:
    return {
        "income.basis": "revenue",
        "income.amounts": "100 100 100",
        "share_rate.method": "explicit",
        "share_rate.value": "0.05",
        "tax_rate": "0.25",
        "discount_rate": "0.1",
        "discount_mode": "given",
    }


def header_form(i: Ids) -> dict[str, str]:
    facts = {f"facts.{k}": str(v) for k, v in FACTS.items()}
    return {**HEADER, "industry_code": "machinery", "profile_code": "cnipa2012-finance", **facts}


CASES: dict[tuple[str, str], Case] = {
    # ---- pages
    ("GET", "/valuation/assessments"): case(VIEW, "GET", "/valuation/assessments", hidden=lambda i: TITLE),
    ("GET", "/valuation/assessments/new"): case(ASSESS, "GET", "/valuation/assessments/new", outsider=None),
    ("POST", "/valuation/assessments/new"): case(
        ASSESS, "POST", "/valuation/assessments/new", ok=(303,), outsider=None, data=header_form
    ),
    ("GET", "/valuation/assessments/{assessment_id}"): case(VIEW, "GET", P),
    ("GET", "/valuation/assessments/{assessment_id}/edit"): case(ASSESS, "GET", P + "/edit"),
    ("POST", "/valuation/assessments/{assessment_id}/edit"): page_write(
        P + "/edit", lambda i: {**header_form(i), "version": i["va:v:assessment"]}
    ),
    ("GET", "/valuation/assessments/{assessment_id}/scores"): case(VIEW, "GET", P + "/scores"),
    ("POST", "/valuation/assessments/{assessment_id}/scores"): page_write(
        P + "/scores", lambda i: {"value.stability": "10", "reason.stability": "经无效宣告请求审查维持有效"}
    ),
    ("GET", "/valuation/assessments/{assessment_id}/income"): case(VIEW, "GET", P + "/income"),
    ("POST", "/valuation/assessments/{assessment_id}/income"): page_write(P + "/income", income_form),
    ("GET", "/valuation/assessments/{assessment_id}/market"): case(VIEW, "GET", P + "/market"),
    ("POST", "/valuation/assessments/{assessment_id}/market"): page_write(
        P + "/market", lambda i: {"deal": str(i["va:deal"]), "price_growth": "0"}
    ),
    ("GET", "/valuation/assessments/{assessment_id}/cost"): case(VIEW, "GET", P + "/cost"),
    ("POST", "/valuation/assessments/{assessment_id}/cost"): page_write(
        P + "/cost",
        lambda i: {
            "item_name_0": "研制成本",
            "item_amount_0": "50",
            "obsolescence_mode": "rate",
            "obsolescence_rate": "0.2",
        },
    ),
    ("GET", "/valuation/assessments/{assessment_id}/sensitivity"): case(VIEW, "GET", P + "/sensitivity"),
    ("GET", "/valuation/assessments/{assessment_id}/report.docx"): case(VIEW, "GET", P + "/report.docx"),
    ("POST", "/valuation/assessments/{assessment_id}/conclude"): page_write(
        P + "/conclude", lambda i: {"chosen": "income"}
    ),
    ("GET", "/valuation/calculator"): case(ASSESS, "GET", "/valuation/calculator", outsider=None),
    ("POST", "/valuation/calculator"): case(
        ASSESS, "POST", "/valuation/calculator", outsider=None, data=lambda i: {**income_form(i)}
    ),
    # ---- API
    ("GET", "/api/v1/valuation/assessments"): case(
        VIEW, "GET", "/api/v1/valuation/assessments", hidden=lambda i: TITLE
    ),
    ("POST", "/api/v1/valuation/assessments"): case(
        ASSESS,
        "POST",
        "/api/v1/valuation/assessments",
        ok=(201,),
        outsider=None,
        json=lambda i: {**HEADER, "facts": FACTS},
    ),
    ("GET", "/api/v1/valuation/assessments/{assessment_id}"): case(VIEW, "GET", A),
    ("PUT", "/api/v1/valuation/assessments/{assessment_id}"): case(
        ASSESS, "PUT", A, json=lambda i: {**HEADER, "facts": FACTS, "version": i["va:v:assessment"]}
    ),
    ("POST", "/api/v1/valuation/assessments/{assessment_id}/scores"): case(
        ASSESS,
        "POST",
        A + "/scores",
        json=lambda i: {"scores": [{"sub_code": "stability", "value": 10, "reason": "经无效宣告请求审查维持有效"}]},
    ),
    ("PUT", "/api/v1/valuation/assessments/{assessment_id}/income"): case(
        ASSESS, "PUT", A + "/income", json=lambda i: {"input": INCOME}
    ),
    ("PUT", "/api/v1/valuation/assessments/{assessment_id}/market"): case(
        ASSESS,
        "PUT",
        A + "/market",
        json=lambda i: {"input": {"comparables": [{"id": "X1", "price": 300, "pvd": 60, "deal_date": "2023-06-30"}]}},
    ),
    ("PUT", "/api/v1/valuation/assessments/{assessment_id}/cost"): case(
        ASSESS, "PUT", A + "/cost", json=lambda i: {"input": COST}
    ),
    ("POST", "/api/v1/valuation/assessments/{assessment_id}/conclude"): case(
        ASSESS, "POST", A + "/conclude", json=lambda i: {"chosen": "income"}
    ),
    ("GET", "/api/v1/valuation/assessments/{assessment_id}/sensitivity"): case(VIEW, "GET", A + "/sensitivity"),
    ("GET", "/api/v1/valuation/assessments/{assessment_id}/report.docx"): case(VIEW, "GET", A + "/report.docx"),
}


def prepare(db: Database) -> None:
    """The assessment of 凤凰县, every sub-indicator scored by an expert, with income and cost inputs; and a deal."""
    from zhengwu.valuation.model.default_profile import default_profile

    now = datetime(2024, 6, 20, 1, 0, tzinfo=UTC)
    with db.uow(Actor(None, "测试数据")) as uow:
        s = uow.session
        fh = s.scalar(select(Unit.id).where(Unit.code == "fh"))
        profile = s.scalar(select(ValuationProfile.id).where(ValuationProfile.code == "cnipa2012-finance"))
        a = Assessment(
            unit_id=fh,
            title=TITLE,
            patent_number="ZL201510123456.7",
            patent_title="一种齿轮箱",
            industry_code="machinery",
            profile_id=profile,
            facts=json.dumps(FACTS),
            money_unit="万元",
            income_input=json.dumps(INCOME),
            cost_input=json.dumps(COST),
            status="draft",
            created_at=now,
            updated_at=now,
        )
        s.add(a)
        s.flush()
        for sub in default_profile().sub_codes:
            s.add(
                AssessmentScore(assessment_id=a.id, sub_code=sub, value=6, scorer="专家", reason="示例", scored_at=now)
            )
        s.add(
            ComparableDeal(
                unit_id=fh,
                patent_number="ZL201410000002.2",
                title="权限测试可比交易",
                patent_type="invention",
                industry_code="machinery",
                deal_type="transfer",
                deal_date=date(2023, 6, 30),
                price=Decimal("3000000"),
                pvd=60.0,
                created_at=now,
            )
        )
        uow.commit()


def ids(session: Session) -> dict[str, Any]:
    a = session.scalar(select(Assessment).where(Assessment.title == TITLE))
    deal = session.scalar(select(ComparableDeal.id).where(ComparableDeal.title == "权限测试可比交易"))
    if a is None:
        return {}
    return {"va:assessment": a.id, "va:v:assessment": a.version, "va:deal": deal}
