"""Use cases of the requests system, each inside the caller's unit of work: the categories dictionary and routing
rules (``categories``), intake and the reporter's identity (``intake``), and the hotline steps (``workflow``)."""

from __future__ import annotations

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
    "accept",
    "add_routing_rule",
    "call_back",
    "category_by_code",
    "create_category",
    "deactivate_category",
    "decline",
    "dispatch",
    "progress",
    "receive_request",
    "reporter",
    "resolve",
    "reveal_reporter",
    "seed_categories",
    "send_back",
    "sign",
    "suggest_owner",
    "update_category",
]
