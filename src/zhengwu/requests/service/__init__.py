"""Use cases of the requests system, each inside the caller's unit of work: the categories dictionary and routing
rules (``categories``), intake and the reporter's identity (``intake``), and the hotline steps (``workflow``)."""

from __future__ import annotations

from zhengwu.requests.service.campaigns import (
    CampaignReport,
    DepartmentFigures,
    campaign_report,
    create_campaign,
    tag_request,
    update_campaign,
)
from zhengwu.requests.service.categories import (
    add_routing_rule,
    category_by_code,
    create_category,
    deactivate_category,
    seed_categories,
    suggest_owner,
    update_category,
)
from zhengwu.requests.service.intake import receive_request, reporter, reveal_reporter
from zhengwu.requests.service.projects import (
    MeasureInput,
    MilestoneInput,
    ProjectView,
    complete_project,
    create_project,
    project_view,
    projects_of_request,
    record_milestone,
    start_project,
    update_project,
)
from zhengwu.requests.service.workflow import (
    accept,
    call_back,
    decline,
    dispatch,
    progress,
    resolve,
    send_back,
    sign,
)

__all__ = [
    "CampaignReport",
    "DepartmentFigures",
    "MeasureInput",
    "MilestoneInput",
    "ProjectView",
    "accept",
    "add_routing_rule",
    "call_back",
    "campaign_report",
    "category_by_code",
    "complete_project",
    "create_campaign",
    "create_category",
    "create_project",
    "deactivate_category",
    "decline",
    "dispatch",
    "progress",
    "project_view",
    "projects_of_request",
    "receive_request",
    "record_milestone",
    "reporter",
    "resolve",
    "reveal_reporter",
    "seed_categories",
    "send_back",
    "sign",
    "start_project",
    "suggest_owner",
    "tag_request",
    "update_campaign",
    "update_category",
    "update_project",
]
