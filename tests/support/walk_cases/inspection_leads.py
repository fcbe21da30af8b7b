"""Permission cases of inspection's leads (问题线索) pages and API.

The area's record: one lead of 凤凰县委第一轮巡察 about 凤凰县公路建设养护中心, handed over by ``i_fh`` to
凤凰县纪委监委 (fh-jw). ``i_fh`` holds every lead grant over 凤凰县 (granted), ``i_js`` the same over 吉首市 (the
outsider); ``i_nolead`` (everything but the lead grants, tests/e2e/test_leads_never_leak.py) sees none of it.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.support.walk import Call, Case, Ids
from zhengwu.core.db import Actor, Database
from zhengwu.core.org.auth import load_principal
from zhengwu.core.org.tables import Unit, User
from zhengwu.inspection import model as m
from zhengwu.inspection.tables import InspectionRound, LeadMatter

TITLE = "凤凰县线索权限测试摘要"
DESCRIPTION = "凤凰县线索权限测试内容LW8"
ROUND = "凤凰县委第一轮巡察"
GRANTED, OUTSIDER = "i_fh", "i_js"


def prepare(db: Database) -> None:
    from zhengwu.inspection.service.leads import hand_over

    with db.uow(Actor(None, "测试数据")) as uow:
        s = uow.session
        who = load_principal(s, s.scalar(select(User.id).where(User.username == GRANTED)) or 0)
        units = {code: id_ for code, id_ in s.execute(select(Unit.code, Unit.id))}
        hand_over(
            uow,
            who,
            round_id=s.scalar(select(InspectionRound.id).where(InspectionRound.name == ROUND)) or 0,
            target_unit_id=units["fh-gl"],
            recipient="discipline_commission",
            receiving_unit_id=units["fh-jw"],
            title=TITLE,
            description=DESCRIPTION,
        )
        uow.commit()


def ids(session: Session) -> dict[str, Any]:
    lead = session.scalar(select(LeadMatter).where(LeadMatter.title == TITLE))
    return {"i:lead": lead.id, "v:i:lead": lead.version} if lead is not None else {}


def form(i: Ids) -> dict[str, Any]:
    return {
        "round_id": i["i:round"],
        "target_unit_id": i["fh-wj"],
        "recipient": "discipline_commission",
        "receiving_unit_id": i["fh-jw"],
        "title": "权限测试新线索",
        "description": "权限测试新线索内容",
    }


def case(
    action: str,
    method: str,
    url: str,
    *,
    ok: tuple[int, ...] = (200,),
    outsider: str | None = OUTSIDER,
    hidden: Any = None,
    data: Any = None,
    json: Any = None,
) -> Case:
    def call(i: Ids) -> Call:
        where = url.replace("{lead}", str(i["i:lead"]))
        return Call(method, where, data=data(i) if data else None, json=json(i) if json else None)

    return Case(action, call, GRANTED, ok=ok, outsider=outsider, hidden=hidden)


def _title(i: Ids) -> str:
    return TITLE


L, AL = "/inspection/leads/{lead}", "/api/v1/inspection/leads/{lead}"
CASES: dict[tuple[str, str], Case] = {
    ("GET", "/inspection/leads"): case(m.LEAD_VIEW, "GET", "/inspection/leads", hidden=_title),
    ("GET", "/inspection/leads/new"): case(m.LEAD_MANAGE, "GET", "/inspection/leads/new", outsider=None),
    ("POST", "/inspection/leads/new"): case(m.LEAD_MANAGE, "POST", "/inspection/leads/new", ok=(303,), data=form),
    ("GET", "/inspection/leads/{lead_id:int}"): case(m.LEAD_VIEW, "GET", L),
    ("POST", "/inspection/leads/{lead_id:int}/{step}"): case(
        m.LEAD_RECEIVE, "POST", L + "/receive", ok=(303,), data=lambda i: {"version": i["v:i:lead"]}
    ),
    ("GET", "/api/v1/inspection/leads"): case(m.LEAD_VIEW, "GET", "/api/v1/inspection/leads", hidden=_title),
    ("POST", "/api/v1/inspection/leads"): case(m.LEAD_MANAGE, "POST", "/api/v1/inspection/leads", ok=(201,), json=form),
    ("GET", "/api/v1/inspection/leads/{lead_id}"): case(m.LEAD_VIEW, "GET", AL),
    ("POST", "/api/v1/inspection/leads/{lead_id}/{step}"): case(
        m.LEAD_RECEIVE, "POST", AL + "/receive", json=lambda i: {"version": i["v:i:lead"]}
    ),
}
