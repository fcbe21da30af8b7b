"""Permission cases of rectification projects, special actions and the category dictionary (pages and API).

The area's records: a request received by the 凤凰县 hotline and dispatched to the road centre (凤凰县公路建设养护中心),
a project of it with one milestone, a campaign of the county commission with the road centre as department and that
request tagged to it, and one routing rule. ``r_projects`` (road centre) and ``r_campaigns`` (凤凰县) hold the
grants; ``r_js_works`` holds the same over 吉首 (the outsider); ``r_admin`` manages the dictionary (global).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.support.walk import Call, Case, Ids
from zhengwu.core.db import Actor, Database
from zhengwu.core.org.auth import load_principal
from zhengwu.core.org.model import Principal
from zhengwu.core.org.tables import Unit, User
from zhengwu.requests.tables import (
    RequestCampaign,
    RequestCategory,
    RequestMatter,
    RequestProject,
    RequestProjectMilestone,
    RequestRoutingRule,
)

TITLE = "整改权限测试诉求"
PROJECT = "整改权限测试项目"
CAMPAIGN = "权限测试专项行动"


def project_form(i: Ids) -> dict[str, Any]:
    return {
        "title": PROJECT,
        "starts_on": "2024-06-30",
        "duration_days": "20",
        "measure": ["路面拉毛"],
        "unit": ["公里"],
    }


def project_json(i: Ids, **extra: Any) -> dict[str, Any]:
    return {"title": PROJECT, "starts_on": "2024-06-30", "duration_days": 20, **extra}


def campaign_form(i: Ids) -> dict[str, Any]:
    return {"name": CAMPAIGN, "commission_unit_id": i["fh-jw"], "starts_on": "2024-06-01", "unit_ids": [i["fh-gl"]]}


def campaign_json(i: Ids, **extra: Any) -> dict[str, Any]:
    return {**campaign_form(i), "unit_ids": [i["fh-gl"]], **extra}


PM, CM, KM, VIEW = "requests.project.manage", "requests.campaign.manage", "requests.category.manage", "requests.view"
P = "/requests/projects/{rm_project}"
AP = "/api/v1/requests/projects/{rm_project}"
C = "/requests/campaigns/{rm_campaign}"
AC = "/api/v1/requests/campaigns/{rm_campaign}"


def case(
    action: str,
    method: str,
    url: str,
    granted: str,
    *,
    ok: tuple[int, ...] = (200,),
    outsider: str | None = None,
    out_status: tuple[int, ...] = (404,),
    hidden: Any = None,
    data: Any = None,
    json: Any = None,
) -> Case:
    def call(i: Ids) -> Call:
        return Call(method, url.format(**i), data=data(i) if data else None, json=json(i) if json else None)

    return Case(action, call, granted, ok=ok, outsider=outsider, out_status=out_status, hidden=hidden)


JS = "r_js_works"
CASES: dict[tuple[str, str], Case] = {
    # ---- rectification projects: pages
    ("GET", "/requests/projects"): case(
        VIEW, "GET", "/requests/projects", "r_projects", outsider=JS, hidden=lambda i: PROJECT
    ),
    ("GET", "/requests/projects/export.xlsx"): case(
        VIEW, "GET", "/requests/projects/export.xlsx", "r_projects", outsider=JS, hidden=lambda i: PROJECT
    ),
    ("GET", "/requests/{request_id}/projects/new"): case(
        PM, "GET", "/requests/{rm_request}/projects/new", "r_projects", outsider=JS
    ),
    ("POST", "/requests/{request_id}/projects/new"): case(
        PM, "POST", "/requests/{rm_request}/projects/new", "r_projects", ok=(303,), outsider=JS, data=project_form
    ),
    ("GET", "/requests/projects/{project_id}"): case(VIEW, "GET", P, "r_projects", outsider=JS),
    ("GET", "/requests/projects/{project_id}/edit"): case(PM, "GET", P + "/edit", "r_projects", outsider=JS),
    ("POST", "/requests/projects/{project_id}/edit"): case(
        PM,
        "POST",
        P + "/edit",
        "r_projects",
        ok=(303,),
        outsider=JS,
        out_status=(403,),
        data=lambda i: {**project_form(i), "version": i["rm_v_project"]},
    ),
    ("POST", "/requests/projects/{project_id}/start"): case(
        PM,
        "POST",
        P + "/start",
        "r_projects",
        ok=(303,),
        outsider=JS,
        out_status=(403,),
        data=lambda i: {"version": i["rm_v_project"]},
    ),
    ("POST", "/requests/projects/{project_id}/milestones/{milestone_id}"): case(
        PM,
        "POST",
        P + "/milestones/{rm_milestone}",
        "r_projects",
        ok=(303,),
        outsider=JS,
        out_status=(403,),
        data=lambda i: {"version": i["rm_v_project"], "percent": "50"},
    ),
    ("POST", "/requests/projects/{project_id}/complete"): case(
        PM,
        "POST",
        P + "/complete",
        "r_projects",
        ok=(303,),
        outsider=JS,
        out_status=(403,),
        data=lambda i: {"version": i["rm_v_project"], "completed_on": "2024-07-19"},
    ),
    # ---- rectification projects: API
    ("GET", "/api/v1/requests/projects"): case(
        VIEW, "GET", "/api/v1/requests/projects", "r_projects", outsider=JS, hidden=lambda i: PROJECT
    ),
    ("POST", "/api/v1/requests/{request_id}/projects"): case(
        PM,
        "POST",
        "/api/v1/requests/{rm_request}/projects",
        "r_projects",
        ok=(201,),
        outsider=JS,
        out_status=(403,),
        json=project_json,
    ),
    ("GET", "/api/v1/requests/projects/{project_id}"): case(VIEW, "GET", AP, "r_projects", outsider=JS),
    ("PUT", "/api/v1/requests/projects/{project_id}"): case(
        PM,
        "PUT",
        AP,
        "r_projects",
        outsider=JS,
        out_status=(403,),
        json=lambda i: project_json(i, version=i["rm_v_project"]),
    ),
    ("POST", "/api/v1/requests/projects/{project_id}/start"): case(
        PM,
        "POST",
        AP + "/start",
        "r_projects",
        outsider=JS,
        out_status=(403,),
        json=lambda i: {"version": i["rm_v_project"]},
    ),
    ("POST", "/api/v1/requests/projects/{project_id}/milestones/{milestone_id}"): case(
        PM,
        "POST",
        AP + "/milestones/{rm_milestone}",
        "r_projects",
        outsider=JS,
        out_status=(403,),
        json=lambda i: {"version": i["rm_v_project"], "percent": 50},
    ),
    ("POST", "/api/v1/requests/projects/{project_id}/complete"): case(
        PM,
        "POST",
        AP + "/complete",
        "r_projects",
        outsider=JS,
        out_status=(403,),
        json=lambda i: {"version": i["rm_v_project"], "completed_on": "2024-07-19"},
    ),
    # ---- special actions: pages (campaigns are not secret; the requests behind the figures are)
    ("GET", "/requests/campaigns"): case(VIEW, "GET", "/requests/campaigns", "r_campaigns"),
    ("GET", "/requests/campaigns/new"): case(CM, "GET", "/requests/campaigns/new", "r_campaigns"),
    ("POST", "/requests/campaigns/new"): case(
        CM,
        "POST",
        "/requests/campaigns/new",
        "r_campaigns",
        ok=(303,),
        outsider=JS,
        out_status=(403,),
        data=campaign_form,
    ),
    ("GET", "/requests/campaigns/{campaign_id}"): case(
        VIEW, "GET", C, "r_campaigns", outsider=JS, hidden=lambda i: i["rm_serial"]
    ),
    ("GET", "/requests/campaigns/{campaign_id}/export.xlsx"): case(VIEW, "GET", C + "/export.xlsx", "r_campaigns"),
    ("GET", "/requests/campaigns/{campaign_id}/edit"): case(
        CM, "GET", C + "/edit", "r_campaigns", outsider=JS, out_status=(403,)
    ),
    ("POST", "/requests/campaigns/{campaign_id}/edit"): case(
        CM,
        "POST",
        C + "/edit",
        "r_campaigns",
        ok=(303,),
        outsider=JS,
        out_status=(403,),
        data=lambda i: {**campaign_form(i), "version": i["rm_v_campaign"]},
    ),
    ("POST", "/requests/campaigns/{campaign_id}/tag"): case(
        CM,
        "POST",
        C + "/tag",
        "r_campaigns",
        ok=(303,),
        outsider=JS,
        out_status=(403,),
        data=lambda i: {"serial": i["rm_serial"]},
    ),
    # ---- special actions: API
    ("GET", "/api/v1/requests/campaigns"): case(VIEW, "GET", "/api/v1/requests/campaigns", "r_campaigns"),
    ("POST", "/api/v1/requests/campaigns"): case(
        CM,
        "POST",
        "/api/v1/requests/campaigns",
        "r_campaigns",
        ok=(201,),
        outsider=JS,
        out_status=(403,),
        json=campaign_json,
    ),
    ("GET", "/api/v1/requests/campaigns/{campaign_id}"): case(VIEW, "GET", AC, "r_campaigns"),
    ("PUT", "/api/v1/requests/campaigns/{campaign_id}"): case(
        CM,
        "PUT",
        AC,
        "r_campaigns",
        outsider=JS,
        out_status=(403,),
        json=lambda i: campaign_json(i, version=i["rm_v_campaign"]),
    ),
    ("POST", "/api/v1/requests/campaigns/{campaign_id}/requests"): case(
        CM,
        "POST",
        AC + "/requests",
        "r_campaigns",
        ok=(204,),
        outsider=JS,
        out_status=(403,),
        json=lambda i: {"request_id": i["rm_request"]},
    ),
    ("DELETE", "/api/v1/requests/campaigns/{campaign_id}/requests/{request_id}"): case(
        CM, "DELETE", AC + "/requests/{rm_request}", "r_campaigns", ok=(204,), outsider=JS, out_status=(403,)
    ),
    # ---- the category dictionary and routing rules (global: no outsider)
    ("GET", "/requests/categories"): case(KM, "GET", "/requests/categories", "r_admin"),
    ("GET", "/requests/categories/new"): case(KM, "GET", "/requests/categories/new", "r_admin"),
    ("POST", "/requests/categories/new"): case(
        KM,
        "POST",
        "/requests/categories/new",
        "r_admin",
        ok=(303,),
        data=lambda i: {"code": "walk.cat", "name": "权限测试分类", "kind": "subject"},
    ),
    ("GET", "/requests/categories/{category_id}/edit"): case(
        KM, "GET", "/requests/categories/{rm_cat_road}/edit", "r_admin"
    ),
    ("POST", "/requests/categories/{category_id}/edit"): case(
        KM,
        "POST",
        "/requests/categories/{rm_cat_road}/edit",
        "r_admin",
        ok=(303,),
        data=lambda i: {"name": "公路养护", "active": "1", "version": i["rm_v_road"]},
    ),
    ("POST", "/requests/categories/{category_id}/deactivate"): case(
        KM,
        "POST",
        "/requests/categories/{rm_cat_market}/deactivate",
        "r_admin",
        ok=(303,),
        data=lambda i: {"version": i["rm_v_market"]},
    ),
    ("GET", "/requests/routing"): case(KM, "GET", "/requests/routing", "r_admin"),
    ("POST", "/requests/routing"): case(
        KM, "POST", "/requests/routing", "r_admin", ok=(303,), data=lambda i: {"target_unit_id": i["fh-gl"]}
    ),
    ("POST", "/requests/routing/{rule_id}/deactivate"): case(
        KM, "POST", "/requests/routing/{rm_rule}/deactivate", "r_admin", ok=(303,)
    ),
    ("POST", "/api/v1/requests/categories"): case(
        KM,
        "POST",
        "/api/v1/requests/categories",
        "r_admin",
        ok=(201,),
        json=lambda i: {"code": "walk.cat", "name": "权限测试分类"},
    ),
    ("PUT", "/api/v1/requests/categories/{category_id}"): case(
        KM,
        "PUT",
        "/api/v1/requests/categories/{rm_cat_road}",
        "r_admin",
        json=lambda i: {"name": "公路养护", "version": i["rm_v_road"]},
    ),
    ("POST", "/api/v1/requests/categories/{category_id}/deactivate"): case(
        KM,
        "POST",
        "/api/v1/requests/categories/{rm_cat_market}/deactivate",
        "r_admin",
        json=lambda i: {"version": i["rm_v_market"]},
    ),
    ("GET", "/api/v1/requests/routing"): case(KM, "GET", "/api/v1/requests/routing", "r_admin"),
    ("POST", "/api/v1/requests/routing"): case(
        KM, "POST", "/api/v1/requests/routing", "r_admin", ok=(201,), json=lambda i: {"target_unit_id": i["fh-gl"]}
    ),
    ("POST", "/api/v1/requests/routing/{rule_id}/deactivate"): case(
        KM, "POST", "/api/v1/requests/routing/{rm_rule}/deactivate", "r_admin"
    ),
}


def _who(session: Session, username: str) -> Principal:
    found = load_principal(session, session.scalar(select(User.id).where(User.username == username)) or 0)
    assert found is not None, username
    return found


def prepare(db: Database) -> None:
    """The area's records (after requests_intake, whose people and categories they use)."""
    from zhengwu.requests import service as requests
    from zhengwu.requests.service.projects import MilestoneInput

    actor = Actor(None, "测试数据")
    with db.uow(actor) as uow:
        s = uow.session
        hotline = _who(s, "r_hotline")
        unit = {c: i for c, i in s.execute(select(Unit.code, Unit.id))}
        req = requests.receive_request(
            uow,
            hotline,
            channel="phone",
            type="complaint",
            category_id=requests.category_by_code(s, "traffic.road").id,
            description="S256 线弯道路面湿滑",
            title=TITLE,
            reporter_phone="13900000001",
        )
        requests.accept(uow, hotline, req.id)
        requests.dispatch(uow, hotline, req.id, unit_id=unit["fh-gl"])
        requests.create_project(
            uow,
            _who(s, "r_projects"),
            req.id,
            title=PROJECT,
            starts_on=date(2024, 6, 30),
            duration_days=20,
            milestones=[MilestoneInput("拉毛施工", date(2024, 7, 10))],
        )
        campaigns = _who(s, "r_campaigns")
        campaign = requests.create_campaign(
            uow,
            campaigns,
            name=CAMPAIGN,
            commission_unit_id=unit["fh-jw"],
            starts_on=date(2024, 6, 1),
            unit_ids=[unit["fh-gl"]],
        )
        requests.tag_request(uow, campaigns, req.id, campaign.id)
        requests.add_routing_rule(uow, _who(s, "r_admin"), target_unit_id=unit["fh-gl"])
        uow.commit()


def ids(session: Session) -> Ids:
    req = session.scalar(select(RequestMatter).where(RequestMatter.title == TITLE))
    project = session.scalar(select(RequestProject).where(RequestProject.title == PROJECT))
    campaign = session.scalar(select(RequestCampaign).where(RequestCampaign.name == CAMPAIGN))
    if req is None or project is None or campaign is None:
        return {}
    cats = {
        c: (i, v)
        for c, i, v in session.execute(select(RequestCategory.code, RequestCategory.id, RequestCategory.version))
    }
    return {
        "rm_request": req.id,
        "rm_serial": req.serial,
        "rm_project": project.id,
        "rm_v_project": project.version,
        "rm_milestone": session.scalar(
            select(RequestProjectMilestone.id).where(RequestProjectMilestone.project_id == project.id)
        ),
        "rm_campaign": campaign.id,
        "rm_v_campaign": campaign.version,
        "rm_rule": session.scalar(select(RequestRoutingRule.id)),
        "rm_cat_road": cats["traffic.road"][0],
        "rm_v_road": cats["traffic.road"][1],
        "rm_cat_market": cats["market"][0],
        "rm_v_market": cats["market"][1],
    }
