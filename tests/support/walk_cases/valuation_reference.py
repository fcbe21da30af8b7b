"""Permission cases of valuation's reference routes: indicator profiles, industry ranges and comparable deals (pages
and API). See valuation_base for the people: ``v_fh`` holds every valuation action over 凤凰县 (granted), ``v_js`` the
same over 吉首市 (the outsider for the deal recorded in 凤凰县).

Profiles and industry ranges are global reference data (no record scope: ``outsider=None``); deals are read by every
holder of ``valuation.view`` but written only within the deal's unit, so the outsider's edits get 403. The records:
a deal recorded on 凤凰县 by ``v_fh``, an industry row to delete, and a retired copy of a profile to restore.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.support.walk import Call, Case, Ids
from zhengwu.core.db import Actor, Database
from zhengwu.core.org.auth import load_principal
from zhengwu.core.org.model import system_principal
from zhengwu.core.org.tables import User
from zhengwu.valuation.model import DEAL_MANAGE, PROFILE_MANAGE, VIEW
from zhengwu.valuation.model.default_profile import default_profile
from zhengwu.valuation.model.indicators import Use, profile_to_dict
from zhengwu.valuation.tables import ComparableDeal, ValuationIndustry

GRANTED, OUTSIDER = "v_fh", "v_js"
TITLE = "权限测试可比交易专利"
DEAL = {
    "patent_number": "ZL202010000001.1",
    "title": TITLE,
    "patent_type": "invention",
    "industry_code": "machinery",
    "ipc": "",
    "deal_type": "transfer",
    "deal_date": "2023-05-08",
    "price": "1250000.00",
    "pvd": "70",
    "source": "权限测试",
    "note": "",
}
CSV = ("patent_number,title,patent_type,deal_type,deal_date,price\nZL1,导入专利,发明,转让,2023-01-05,1000\n").encode()

INDUSTRIES = "行业代码,行业名称,下限,上限\nchemicals,化学,0.5%,2%\n".encode()


def prepare(db: Database) -> None:
    from zhengwu.valuation.service import deals, industries, profiles

    with db.uow(Actor(None, "测试数据")) as uow:
        s = uow.session
        who = load_principal(s, s.scalar(select(User.id).where(User.username == GRANTED)) or 0)
        deals.add_deal(uow, who, DEAL)
        system = system_principal()
        industries.add_industry(uow, system, code="wk_delete", name="权限测试行业", low=0.01, high=0.02)
        profiles.copy_profile(
            uow, system, "cnipa2012-finance", 1, new_code="wk-retired", name="停用方案", use="finance"
        )
        profiles.set_retired(uow, system, "wk-retired", retired=True)
        uow.commit()


def ids(session: Session) -> dict[str, Any]:
    deal = session.scalar(select(ComparableDeal).where(ComparableDeal.title == TITLE))
    row = session.scalar(select(ValuationIndustry).where(ValuationIndustry.code == "wk_delete"))
    machinery = session.scalar(select(ValuationIndustry).where(ValuationIndustry.code == "machinery"))
    if deal is None or row is None or machinery is None:
        return {}
    return {
        "vr_deal": deal.id,
        "vr_v_deal": deal.version,
        "vr_industry": row.id,
        "vr_v_industry": row.version,
        "vr_machinery": machinery.id,
        "vr_v_machinery": machinery.version,
    }


def case(
    action: str,
    method: str,
    url: str,
    *,
    ok: tuple[int, ...] = (200,),
    outsider: str | None = None,
    out_status: tuple[int, ...] = (403,),
    data: Any = None,
    json: Any = None,
    files: Any = None,
    api: bool = False,
) -> Case:
    def call(i: Ids) -> Call:
        return Call(
            method,
            url.format(**{k: v for k, v in i.items() if ":" not in k}),
            data=data(i) if data else None,
            json=json(i) if json else None,
            files=files() if files else None,
        )

    return Case(action, call, GRANTED, ok=ok, outsider=outsider, out_status=out_status, api=api)


def _profile_body(i: Ids) -> dict[str, Any]:
    body = {**profile_to_dict(default_profile(Use.LICENSING)), "version": 1}
    return {"profile": body, "note": "权限测试新版本", "based_on": 1}


def _profile_form(i: Ids) -> dict[str, Any]:
    return {"profile_json": json.dumps(_profile_body(i)["profile"], ensure_ascii=False), "note": "权限测试导入"}


def _edit_form(i: Ids) -> dict[str, Any]:
    return {"based_on": "1", "w:legal": "0.3", "note": "权限测试修改"}


def _copy(i: Ids) -> dict[str, Any]:
    return {"new_code": "wk-copy", "name": "复制", "use": "finance"}


def _industry_form(i: Ids) -> dict[str, Any]:
    return {"name": "机械制造", "low": "1.5", "high": "3", "source": "UNIDO", "version": i["vr_v_machinery"]}


def _deal_form(i: Ids) -> dict[str, Any]:
    return {**DEAL, "version": i["vr_v_deal"]}


P, AP = "/valuation/profiles", "/api/v1/valuation/profiles"
D, AD = "/valuation/deals", "/api/v1/valuation/deals"
IN, AI = "/valuation/industries", "/api/v1/valuation/industries"
PM, DM = PROFILE_MANAGE, DEAL_MANAGE
LIC = "/cnipa2012-licensing"
CASES: dict[tuple[str, str], Case] = {
    # ---- profiles: pages
    ("GET", P): case(VIEW, "GET", P),
    ("POST", P + "/import"): case(PM, "POST", P + "/import", ok=(303,), data=_profile_form),
    ("GET", P + "/{code}"): case(VIEW, "GET", P + LIC),
    ("GET", P + "/{code}/versions/{version:int}"): case(VIEW, "GET", P + LIC + "/versions/1"),
    ("GET", P + "/{code}/versions/{version:int}/export.json"): case(VIEW, "GET", P + LIC + "/versions/1/export.json"),
    ("GET", P + "/{code}/edit"): case(PM, "GET", P + LIC + "/edit"),
    ("POST", P + "/{code}/edit"): case(PM, "POST", P + LIC + "/edit", ok=(303,), data=_edit_form),
    ("POST", P + "/{code}/copy"): case(
        PM,
        "POST",
        P + LIC + "/copy",
        ok=(303,),
        data=_copy,
    ),
    ("POST", P + "/{code}/retire"): case(PM, "POST", P + LIC + "/retire", ok=(303,)),
    ("POST", P + "/{code}/restore"): case(PM, "POST", P + "/wk-retired/restore", ok=(303,)),
    # ---- profiles: API
    ("GET", AP): case(VIEW, "GET", AP, api=True),
    ("POST", AP): case(PM, "POST", AP, ok=(201,), json=_profile_body, api=True),
    ("GET", AP + "/{code}"): case(VIEW, "GET", AP + LIC, api=True),
    ("GET", AP + "/{code}/versions/{version}"): case(VIEW, "GET", AP + LIC + "/versions/1", api=True),
    ("POST", AP + "/{code}/copy"): case(
        PM,
        "POST",
        AP + LIC + "/copy",
        ok=(201,),
        json=_copy,
        api=True,
    ),
    ("POST", AP + "/{code}/retire"): case(PM, "POST", AP + LIC + "/retire", api=True),
    ("POST", AP + "/{code}/restore"): case(PM, "POST", AP + "/wk-retired/restore", api=True),
    # ---- industries: page and API (global records)
    ("GET", IN): case(VIEW, "GET", IN),
    ("GET", IN + "/export.xlsx"): case(VIEW, "GET", IN + "/export.xlsx"),
    ("POST", IN): case(
        PM, "POST", IN, ok=(303,), data=lambda i: {"code": "wk_new", "name": "新行业", "low": "1", "high": "2"}
    ),
    ("POST", IN + "/import"): case(
        PM, "POST", IN + "/import", ok=(303,), files=lambda: {"file": ("i.csv", INDUSTRIES, "text/csv")}
    ),
    ("POST", IN + "/{industry_id:int}"): case(PM, "POST", IN + "/{vr_machinery}", ok=(303,), data=_industry_form),
    ("POST", IN + "/{industry_id:int}/delete"): case(
        PM, "POST", IN + "/{vr_industry}/delete", ok=(303,), data=lambda i: {"version": i["vr_v_industry"]}
    ),
    ("GET", AI): case(VIEW, "GET", AI, api=True),
    ("POST", AI): case(
        PM, "POST", AI, ok=(201,), json=lambda i: {"code": "wk_new", "name": "新行业", "low": 0.01, "high": 0.02}
    ),
    ("GET", AI + "/{industry_id}"): case(VIEW, "GET", AI + "/{vr_machinery}", api=True),
    ("PUT", AI + "/{industry_id}"): case(
        PM,
        "PUT",
        AI + "/{vr_machinery}",
        json=lambda i: {"name": "机械", "low": 0.015, "high": 0.03, "version": i["vr_v_machinery"]},
        api=True,
    ),
    ("DELETE", AI + "/{industry_id}"): case(
        PM, "DELETE", AI + "/{vr_industry}?version={vr_v_industry}", ok=(204,), api=True
    ),
    # ---- deals: pages (read by all viewers; written within the deal's unit)
    ("GET", D): case(VIEW, "GET", D),
    ("GET", D + "/export.xlsx"): case(VIEW, "GET", D + "/export.xlsx"),
    ("POST", D + "/import"): case(
        DM, "POST", D + "/import", ok=(303,), files=lambda: {"file": ("d.csv", CSV, "text/csv")}
    ),
    ("GET", D + "/new"): case(DM, "GET", D + "/new"),
    ("POST", D + "/new"): case(DM, "POST", D + "/new", ok=(303,), data=lambda i: DEAL),
    ("GET", D + "/{deal_id:int}"): case(VIEW, "GET", D + "/{vr_deal}"),
    ("GET", D + "/{deal_id:int}/edit"): case(DM, "GET", D + "/{vr_deal}/edit", outsider=OUTSIDER),
    ("POST", D + "/{deal_id:int}/edit"): case(
        DM, "POST", D + "/{vr_deal}/edit", ok=(303,), outsider=OUTSIDER, data=_deal_form
    ),
    # ---- deals: API
    ("GET", AD): case(VIEW, "GET", AD, api=True),
    ("POST", AD): case(DM, "POST", AD, ok=(201,), json=lambda i: {**DEAL, "pvd": 70}, api=True),
    ("GET", AD + "/{deal_id}"): case(VIEW, "GET", AD + "/{vr_deal}", api=True),
    ("PUT", AD + "/{deal_id}"): case(
        DM,
        "PUT",
        AD + "/{vr_deal}",
        outsider=OUTSIDER,
        json=lambda i: {**DEAL, "pvd": 70, "version": i["vr_v_deal"]},
        api=True,
    ),
}
