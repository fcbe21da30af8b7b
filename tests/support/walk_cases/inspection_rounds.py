"""Permission cases of inspection's rounds, plans and talent pool (pages and API).

The area's records, on top of inspection_base's round of 凤凰县 (targets 养护中心 and 卫健局, 第一巡察组): a plan of
凤凰县 with 养护中心 as target, a cadre of 凤凰县民政局 seconded to 第一巡察组 as leader, and another cadre of the same
unit not yet seconded. ``i_fh`` holds every inspection action over 凤凰县 (granted), ``i_js`` the same over 吉首市
(the outsider): lists hide 凤凰县's records from it, details answer 404 and writes 403.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.support.walk import Call, Case, Ids
from zhengwu.core.db import Actor, Database
from zhengwu.core.org.model import system_principal
from zhengwu.core.org.tables import Unit
from zhengwu.inspection import model as m
from zhengwu.inspection.service import cadres, plans
from zhengwu.inspection.tables import (
    InspectionCadre,
    InspectionPlan,
    InspectionRound,
    InspectionSecondment,
    InspectionTeam,
)

PLAN = "凤凰县巡察工作规划"
LEADER = "权限测试组长"
SPARE = "权限测试待抽调干部"
ROUND = "凤凰县委第一轮巡察"
G, OUT = "i_fh", "i_js"
R = "/inspection/rounds/{i:round}"
AR = "/api/v1/inspection/rounds/{i:round}"


def fill(url: str, i: Ids) -> str:
    """``url`` with each ``{key}`` replaced by ``i[key]`` (keys such as ``i:round`` hold a colon)."""
    return re.sub(r"\{([^}]+)\}", lambda found: str(i[found.group(1)]), url)


def case(
    action: str,
    method: str,
    url: str,
    *,
    ok: tuple[int, ...] = (200,),
    outsider: str | None = OUT,
    out_status: tuple[int, ...] = (404,),
    hidden: Any = None,
    data: Any = None,
    json: Any = None,
) -> Case:
    def call(i: Ids) -> Call:
        return Call(method, fill(url, i), data=data(i) if data else None, json=json(i) if json else None)

    return Case(action, call, G, ok=ok, outsider=outsider, out_status=out_status, hidden=hidden)


def write(action: str, method: str, url: str, ok: tuple[int, ...] = (303,), **kw: Any) -> Case:
    """A write: the outsider holds the action but not over 凤凰县 (403)."""
    return case(action, method, url, ok=ok, out_status=(403,), **kw)


def round_form(i: Ids) -> dict[str, Any]:
    return {
        "committee_unit_id": i["fh"],
        "number": "2",
        "year": "2024",
        "type": "special",
        "name": "凤凰县委第二轮巡察",
        "starts_on": "2024-09-01",
    }


def round_json(i: Ids, **extra: Any) -> dict[str, Any]:
    return {**round_form(i), "number": 2, "year": 2024, **extra}


def stages(i: Ids) -> list[dict[str, Any]]:
    return [
        {"stage": "preparation", "starts_on": "2024-03-18", "ends_on": "2024-04-07"},
        {"stage": "entry", "starts_on": "2024-04-08"},
    ]


VIEW, RM, CM = m.VIEW, m.ROUND_MANAGE, m.CADRE_MANAGE
CASES: dict[tuple[str, str], Case] = {
    # ---- rounds: pages
    ("GET", "/inspection/rounds"): case(VIEW, "GET", "/inspection/rounds", hidden=lambda i: ROUND),
    ("GET", "/inspection/rounds/new"): case(RM, "GET", "/inspection/rounds/new", outsider=None),
    ("POST", "/inspection/rounds/new"): write(RM, "POST", "/inspection/rounds/new", data=round_form),
    ("GET", "/inspection/rounds/{round_id}"): case(VIEW, "GET", R),
    ("GET", "/inspection/rounds/{round_id}/edit"): case(RM, "GET", R + "/edit"),
    ("POST", "/inspection/rounds/{round_id}/edit"): write(
        RM, "POST", R + "/edit", data=lambda i: {**round_form(i), "number": "1", "version": i["v:i:round"]}
    ),
    ("POST", "/inspection/rounds/{round_id}/stages"): write(
        RM,
        "POST",
        R + "/stages",
        data=lambda i: {
            "version": i["v:i:round"],
            "preparation_starts_on": "2024-03-18",
            "preparation_ends_on": "2024-04-07",
            "entry_starts_on": "2024-04-08",
        },
    ),
    ("POST", "/inspection/rounds/{round_id}/teams"): write(
        RM, "POST", R + "/teams", data=lambda i: {"name": "第二巡察组"}
    ),
    ("POST", "/inspection/rounds/{round_id}/teams/{team_id}/petitions"): write(
        RM, "POST", R + "/teams/{i:team}/petitions", data=lambda i: {"petitions": "12", "version": i["v:i:team"]}
    ),
    ("POST", "/inspection/rounds/{round_id}/targets"): write(
        RM, "POST", R + "/targets", data=lambda i: {"unit_code": "fh-jy", "team_id": i["i:team"]}
    ),
    ("POST", "/inspection/rounds/{round_id}/targets/{unit_id}/remove"): write(
        RM, "POST", R + "/targets/{fh-wj}/remove"
    ),
    ("POST", "/inspection/rounds/{round_id}/secondments"): write(
        CM,
        "POST",
        R + "/secondments",
        data=lambda i: {"cadre_id": i["ir:spare"], "team_id": i["i:team"], "role": "member"},
    ),
    # ---- plans: pages
    ("GET", "/inspection/plans"): case(VIEW, "GET", "/inspection/plans", hidden=lambda i: PLAN),
    ("GET", "/inspection/plans/new"): case(RM, "GET", "/inspection/plans/new", outsider=None),
    ("POST", "/inspection/plans/new"): write(
        RM,
        "POST",
        "/inspection/plans/new",
        data=lambda i: {"committee_unit_id": i["fh"], "name": "新规划", "first_year": "2025", "last_year": "2027"},
    ),
    ("GET", "/inspection/plans/{plan_id}"): case(VIEW, "GET", "/inspection/plans/{ir:plan}"),
    ("POST", "/inspection/plans/{plan_id}/targets"): write(
        RM, "POST", "/inspection/plans/{ir:plan}/targets", data=lambda i: {"unit_codes": "fh-jy fh-ny"}
    ),
    # ---- talent pool: pages
    ("GET", "/inspection/cadres"): case(CM, "GET", "/inspection/cadres", hidden=lambda i: LEADER),
    ("GET", "/inspection/cadres/new"): case(CM, "GET", "/inspection/cadres/new", outsider=None),
    ("POST", "/inspection/cadres/new"): write(
        CM,
        "POST",
        "/inspection/cadres/new",
        data=lambda i: {"name": "新干部", "unit_code": "fh-mz", "post": "科员", "specialties": ["audit"]},
    ),
    ("GET", "/inspection/cadres/figures"): case(VIEW, "GET", "/inspection/cadres/figures", hidden=lambda i: ROUND),
    ("GET", "/inspection/cadres/{cadre_id}"): case(CM, "GET", "/inspection/cadres/{ir:leader}"),
    ("GET", "/inspection/cadres/{cadre_id}/edit"): case(CM, "GET", "/inspection/cadres/{ir:leader}/edit"),
    ("POST", "/inspection/cadres/{cadre_id}/edit"): write(
        CM,
        "POST",
        "/inspection/cadres/{ir:leader}/edit",
        data=lambda i: {"name": LEADER, "unit_code": "fh-mz", "active": "1", "version": i["ir:v:leader"]},
    ),
    ("POST", "/inspection/cadres/{cadre_id}/conflicts"): write(
        CM,
        "POST",
        "/inspection/cadres/{ir:spare}/conflicts",
        data=lambda i: {"unit_code": "fh-jy", "reason": "亲属任职", "declared_on": "2024-06-01"},
    ),
    ("POST", "/inspection/cadres/{cadre_id}/secondments/{secondment_id}"): case(
        CM,
        "POST",
        "/inspection/cadres/{ir:leader}/secondments/{ir:secondment}",
        ok=(303,),
        data=lambda i: {"evaluation": "excellent", "commended": "1", "version": i["ir:v:secondment"]},
    ),
    # ---- rounds and plans: API
    ("GET", "/api/v1/inspection/rounds"): case(VIEW, "GET", "/api/v1/inspection/rounds", hidden=lambda i: ROUND),
    ("POST", "/api/v1/inspection/rounds"): write(RM, "POST", "/api/v1/inspection/rounds", ok=(201,), json=round_json),
    ("GET", "/api/v1/inspection/rounds/{round_id}"): case(VIEW, "GET", AR),
    ("PUT", "/api/v1/inspection/rounds/{round_id}"): write(
        RM, "PUT", AR, ok=(200,), json=lambda i: round_json(i, number=1, version=i["v:i:round"])
    ),
    ("PUT", "/api/v1/inspection/rounds/{round_id}/stages"): write(
        RM, "PUT", AR + "/stages", ok=(200,), json=lambda i: {"version": i["v:i:round"], "stages": stages(i)}
    ),
    ("POST", "/api/v1/inspection/rounds/{round_id}/teams"): write(
        RM, "POST", AR + "/teams", ok=(201,), json=lambda i: {"name": "第二巡察组"}
    ),
    ("PUT", "/api/v1/inspection/rounds/{round_id}/teams/{team_id}/petitions"): write(
        RM,
        "PUT",
        AR + "/teams/{i:team}/petitions",
        ok=(200,),
        json=lambda i: {"petitions": 12, "version": i["v:i:team"]},
    ),
    ("PUT", "/api/v1/inspection/rounds/{round_id}/targets/{unit_id}"): write(
        RM, "PUT", AR + "/targets/{fh-jy}", ok=(200,), json=lambda i: {"team_id": i["i:team"]}
    ),
    ("DELETE", "/api/v1/inspection/rounds/{round_id}/targets/{unit_id}"): write(
        RM, "DELETE", AR + "/targets/{fh-wj}", ok=(204,)
    ),
    ("GET", "/api/v1/inspection/plans"): case(VIEW, "GET", "/api/v1/inspection/plans", hidden=lambda i: PLAN),
    ("POST", "/api/v1/inspection/plans"): write(
        RM,
        "POST",
        "/api/v1/inspection/plans",
        ok=(201,),
        json=lambda i: {"committee_unit_id": i["fh"], "name": "新规划", "first_year": 2025, "last_year": 2027},
    ),
    ("GET", "/api/v1/inspection/plans/{plan_id}"): case(VIEW, "GET", "/api/v1/inspection/plans/{ir:plan}"),
    ("PUT", "/api/v1/inspection/plans/{plan_id}"): write(
        RM,
        "PUT",
        "/api/v1/inspection/plans/{ir:plan}",
        ok=(200,),
        json=lambda i: {"name": PLAN, "first_year": 2022, "last_year": 2026, "version": i["ir:v:plan"]},
    ),
    ("POST", "/api/v1/inspection/plans/{plan_id}/targets"): write(
        RM,
        "POST",
        "/api/v1/inspection/plans/{ir:plan}/targets",
        ok=(200,),
        json=lambda i: {"unit_ids": [i["fh-jy"]], "planned_round": 2},
    ),
    # ---- talent pool: API
    ("GET", "/api/v1/inspection/cadres"): case(CM, "GET", "/api/v1/inspection/cadres", hidden=lambda i: LEADER),
    ("POST", "/api/v1/inspection/cadres"): write(
        CM,
        "POST",
        "/api/v1/inspection/cadres",
        ok=(201,),
        json=lambda i: {"name": "新干部", "unit_id": i["fh-mz"], "specialties": ["审计"]},
    ),
    ("GET", "/api/v1/inspection/cadres/figures"): case(
        VIEW, "GET", "/api/v1/inspection/cadres/figures", hidden=lambda i: ROUND
    ),
    ("PUT", "/api/v1/inspection/cadres/secondments/{secondment_id}"): write(
        CM,
        "PUT",
        "/api/v1/inspection/cadres/secondments/{ir:secondment}",
        ok=(200,),
        json=lambda i: {"evaluation": "excellent", "commended": True, "version": i["ir:v:secondment"]},
    ),
    ("GET", "/api/v1/inspection/cadres/{cadre_id}"): case(CM, "GET", "/api/v1/inspection/cadres/{ir:leader}"),
    ("PUT", "/api/v1/inspection/cadres/{cadre_id}"): write(
        CM,
        "PUT",
        "/api/v1/inspection/cadres/{ir:leader}",
        ok=(200,),
        json=lambda i: {"name": LEADER, "unit_id": i["fh-mz"], "version": i["ir:v:leader"]},
    ),
    ("POST", "/api/v1/inspection/cadres/{cadre_id}/conflicts"): write(
        CM,
        "POST",
        "/api/v1/inspection/cadres/{ir:spare}/conflicts",
        ok=(200,),
        json=lambda i: {"unit_id": i["fh-jy"], "reason": "亲属任职", "declared_on": "2024-06-01"},
    ),
    ("POST", "/api/v1/inspection/cadres/{cadre_id}/secondments"): write(
        CM,
        "POST",
        "/api/v1/inspection/cadres/{ir:spare}/secondments",
        ok=(201,),
        json=lambda i: {"team_id": i["i:team"], "role": "member"},
    ),
}


def prepare(db: Database) -> None:
    """A plan of 凤凰县, one cadre seconded to 第一巡察组 as leader and one not seconded (after inspection_base)."""
    system = system_principal()
    with db.uow(Actor(None, "测试数据")) as uow:
        s = uow.session
        unit = {c: i for c, i in s.execute(select(Unit.code, Unit.id))}
        plan = plans.create_plan(uow, system, committee_unit_id=unit["fh"], name=PLAN, first_year=2022, last_year=2026)
        plans.add_plan_targets(uow, system, plan.id, [unit["fh-gl"]], 1)
        leader = cadres.add_cadre(uow, system, name=LEADER, unit_id=unit["fh-mz"], post="副局长", specialties=["审计"])
        cadres.add_cadre(uow, system, name=SPARE, unit_id=unit["fh-mz"], post="科员", specialties=["finance"])
        rnd = s.scalar(select(InspectionRound.id).where(InspectionRound.name == ROUND))
        team_id = s.scalar(select(InspectionTeam.id).where(InspectionTeam.round_id == rnd))
        assert team_id is not None
        cadres.second(uow, system, leader.id, team_id, "leader")
        uow.commit()


def ids(session: Session) -> dict[str, Any]:
    plan = session.scalar(select(InspectionPlan).where(InspectionPlan.name == PLAN))
    leader = session.scalar(select(InspectionCadre).where(InspectionCadre.name == LEADER))
    spare = session.scalar(select(InspectionCadre.id).where(InspectionCadre.name == SPARE))
    if plan is None or leader is None or spare is None:
        return {}
    secondment = session.scalar(select(InspectionSecondment).where(InspectionSecondment.cadre_id == leader.id))
    assert secondment is not None
    team = session.get(InspectionTeam, secondment.team_id)
    assert team is not None
    return {
        "ir:plan": plan.id,
        "ir:v:plan": plan.version,
        "ir:leader": leader.id,
        "ir:v:leader": leader.version,
        "ir:spare": spare,
        "ir:secondment": secondment.id,
        "ir:v:secondment": secondment.version,
        "v:i:team": team.version,
    }
