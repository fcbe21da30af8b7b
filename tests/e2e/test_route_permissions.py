"""The generated permission walk: every route of the platform, four ways.

For each route the table below says which action it needs and how to call it on a record in 凤凰县 (Fenghuang).
Every route is then called as: anonymous; a logged-in user without any grant; a user holding the action over the
record; a user holding the action but over another county (吉首市, Jishou) — or, for global resources, holding it
with too narrow a scope. A route that exists in the app but not in the table fails the suite, so a new route
cannot ship without its permission case.

The calls that must write nothing — every GET, and every call expected to be refused (anonymous, without the
grant, over another county) — share one prepared database per engine (per xdist worker) and one logged-in client
per caller (``shared``); each compares the row counts of every table and the audit head right before and after
itself, so a refused call that writes anyway fails. The calls that may write (a granted POST, PUT, PATCH or DELETE;
an own-records or public write) each get a fresh database (``walk``).
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.conftest import ENGINES, PASSWORD, csrf, login, reset_postgres, scratch_postgres
from tests.support.matter_people import add_people
from tests.support.three_step import KIND as THREE_STEP
from tests.support.walk import (
    AUDITED_READS,
    COMPUTING_POSTS,
    Call,
    Case,
    Ids,
    assert_unchanged,
    db_state,
    tables_of,
)
from tests.support.walk_cases import AREAS
from zhengwu.core.clock import FakeClock
from zhengwu.core.db import Actor, Database
from zhengwu.core.matters import service as matter_service
from zhengwu.core.matters.supervision import list_for_supervision
from zhengwu.core.matters.tables import Matter, MatterExtension, MatterNotice, SupervisionListing
from zhengwu.core.matters.tick import tick
from zhengwu.core.org import auth
from zhengwu.core.org.auth import load_principal
from zhengwu.core.org.model import AUDIT_VIEW, ROLE_MANAGE, UNIT_VIEW, Scope, system_principal
from zhengwu.core.org.service import GrantInput, create_user, save_role
from zhengwu.core.org.tables import ApiToken, Role, Unit, User
from zhengwu.core.settings import Settings
from zhengwu.web.app import create_app


def unit_form(ids: Ids, parent: str = "fh") -> dict[str, Any]:
    return {"code": "perm-new", "name": "权限测试单位", "kind": "department", "parent_id": ids[parent]}


def unit_csv(parent_code: str) -> dict[str, Any]:
    body = f"code,name,kind,parent_code\nperm-imp,导入单位,department,{parent_code}\n".encode()
    return {"file": ("units.csv", body, "text/csv")}


#: The instant of conftest's ``clock`` fixture (function-scoped, so not usable by the shared databases).
WALK_NOW = datetime(2024, 6, 20, 1, 0, tzinfo=UTC)

HOLIDAYS = {"file": ("h.csv", b"date,kind,name\n2027-01-01,holiday,\xe5\x85\x83\xe6\x97\xa6\n", "text/csv")}

CASES: dict[tuple[str, str], Case] = {
    # ---- shell
    ("GET", "/login"): Case("public", lambda i: Call("GET", "/login")),
    ("POST", "/login"): Case(
        "public", lambda i: Call("POST", "/login", data={"username": "fh_gl", "password": PASSWORD}), ok=(303,)
    ),
    ("POST", "/logout"): Case("public", lambda i: Call("POST", "/logout"), ok=(303,)),
    ("GET", "/"): Case(None, lambda i: Call("GET", "/")),
    ("GET", "/account"): Case(None, lambda i: Call("GET", "/account")),
    ("POST", "/account/password"): Case(
        None,
        lambda i: Call(
            "POST",
            "/account/password",
            data={"old_password": PASSWORD, "new_password": "Newpass2024", "confirm_password": "Newpass2024"},
        ),
        ok=(303,),
    ),
    ("POST", "/account/tokens"): Case(None, lambda i: Call("POST", "/account/tokens", data={"name": "对接"})),
    ("POST", "/account/tokens/{token_id}/revoke"): Case(
        None,
        lambda i: Call("POST", f"/account/tokens/{i['token']}/revoke"),
        granted="fh_admin",
        ok=(303,),
        notes="the token belongs to fh_admin: anyone else gets 404",
        outsider="js_admin",
    ),
    # ---- units
    ("GET", "/admin/units"): Case(
        UNIT_VIEW,
        lambda i: Call("GET", "/admin/units?q=公路"),
        "fh_admin",
        hidden=lambda i: "凤凰县公路建设养护中心",
        outsider="js_admin",
    ),
    ("GET", "/admin/units/export.xlsx"): Case(
        UNIT_VIEW,
        lambda i: Call("GET", "/admin/units/export.xlsx"),
        "fh_admin",
        hidden=lambda i: "fh-gl",
        outsider="js_admin",
    ),
    ("GET", "/admin/units/new"): Case(
        "org.unit.manage", lambda i: Call("GET", "/admin/units/new"), "fh_admin", outsider=None
    ),
    ("POST", "/admin/units"): Case(
        "org.unit.manage",
        lambda i: Call("POST", "/admin/units", data=unit_form(i)),
        "fh_admin",
        ok=(303,),
        out_status=(403,),
        notes="js_admin may create units, but not under 凤凰县",
        outsider="js_admin",
    ),
    ("GET", "/admin/units/import"): Case(
        "org.unit.manage", lambda i: Call("GET", "/admin/units/import"), "fh_admin", outsider=None
    ),
    ("POST", "/admin/units/import"): Case(
        "org.unit.manage",
        lambda i: Call("POST", "/admin/units/import", files=unit_csv("fh")),
        "fh_admin",
        ok=(303,),
        out_status=(403,),
        outsider="js_admin",
    ),
    ("GET", "/admin/units/{unit_id}"): Case(
        UNIT_VIEW, lambda i: Call("GET", f"/admin/units/{i['fh-gl']}"), "fh_admin", outsider="js_admin"
    ),
    ("POST", "/admin/units/{unit_id}"): Case(
        "org.unit.manage",
        lambda i: Call(
            "POST",
            f"/admin/units/{i['fh-gl']}",
            data={
                "name": "凤凰县公路建设养护中心",
                "kind": "centre",
                "parent_id": i["fh"],
                "version": i["v:fh-gl"],
                "active": "1",
            },
        ),
        "fh_admin",
        ok=(303,),
        outsider="js_admin",
    ),
    # ---- users
    ("GET", "/admin/users"): Case(
        "org.user.view",
        lambda i: Call("GET", "/admin/users"),
        "fh_admin",
        hidden=lambda i: "养护中心经办人",
        outsider="js_admin",
    ),
    ("GET", "/admin/users/export.xlsx"): Case(
        "org.user.view",
        lambda i: Call("GET", "/admin/users/export.xlsx"),
        "fh_admin",
        hidden=lambda i: "fh_gl",
        outsider="js_admin",
    ),
    ("GET", "/admin/users/new"): Case(
        "org.user.manage", lambda i: Call("GET", "/admin/users/new"), "fh_admin", outsider=None
    ),
    ("POST", "/admin/users"): Case(
        "org.user.manage",
        lambda i: Call(
            "POST",
            "/admin/users",
            data={
                "username": "perm_u",
                "full_name": "新用户",
                "unit_id": i["fh-gl"],
                "password": "Abcdefg123",
                "role_ids": [i["role:clerk"]],
            },
        ),
        "fh_admin",
        ok=(303,),
        out_status=(403,),
        outsider="js_admin",
    ),
    ("GET", "/admin/users/{user_id}"): Case(
        "org.user.view", lambda i: Call("GET", f"/admin/users/{i['user:fh_gl']}"), "fh_admin", outsider="js_admin"
    ),
    ("POST", "/admin/users/{user_id}"): Case(
        "org.user.manage",
        lambda i: Call(
            "POST",
            f"/admin/users/{i['user:fh_gl']}",
            data={
                "full_name": "养护中心经办人",
                "unit_id": i["fh-gl"],
                "version": i["v:user:fh_gl"],
                "active": "1",
                "role_ids": [i["role:clerk"]],
            },
        ),
        "fh_admin",
        ok=(303,),
        outsider="js_admin",
    ),
    ("POST", "/admin/users/{user_id}/password"): Case(
        "org.user.manage",
        lambda i: Call("POST", f"/admin/users/{i['user:fh_gl']}/password", data={"password": "Reset2024x"}),
        "fh_admin",
        ok=(303,),
        outsider="js_admin",
    ),
    # ---- roles (global records: the outsider holds role management but only narrow grants to hand out)
    ("GET", "/admin/roles"): Case(ROLE_MANAGE, lambda i: Call("GET", "/admin/roles"), outsider=None),
    ("GET", "/admin/roles/export.xlsx"): Case(
        ROLE_MANAGE, lambda i: Call("GET", "/admin/roles/export.xlsx"), outsider=None
    ),
    ("GET", "/admin/roles/new"): Case(ROLE_MANAGE, lambda i: Call("GET", "/admin/roles/new"), outsider=None),
    ("POST", "/admin/roles"): Case(
        ROLE_MANAGE,
        lambda i: Call("POST", "/admin/roles", data={"code": "perm_r", "name": "新角色", f"scope__{UNIT_VIEW}": "all"}),
        ok=(303,),
        outsider="fh_roles",
        out_status=(403,),
        notes="fh_roles holds unit.view for its subtree only",
    ),
    ("GET", "/admin/roles/{role_id}"): Case(
        ROLE_MANAGE, lambda i: Call("GET", f"/admin/roles/{i['role:clerk']}"), outsider=None
    ),
    ("POST", "/admin/roles/{role_id}"): Case(
        ROLE_MANAGE,
        lambda i: Call(
            "POST",
            f"/admin/roles/{i['role:clerk']}",
            data={"code": "clerk", "name": "经办人员", "version": i["v:role:clerk"], f"scope__{UNIT_VIEW}": "all"},
        ),
        ok=(303,),
        outsider="fh_roles",
        out_status=(403,),
    ),
    # ---- calendar (global data: no record scope)
    ("GET", "/admin/calendar"): Case("calendar.manage", lambda i: Call("GET", "/admin/calendar"), outsider=None),
    ("POST", "/admin/calendar/import"): Case(
        "calendar.manage", lambda i: Call("POST", "/admin/calendar/import", files=HOLIDAYS), ok=(303,), outsider=None
    ),
    # ---- audit (needs scope ALL; the outsider holds audit.view for its own subtree only)
    ("GET", "/admin/audit"): Case(
        AUDIT_VIEW, lambda i: Call("GET", "/admin/audit"), "auditor", outsider="fh_auditor", out_status=(403,)
    ),
    ("GET", "/admin/audit/export.xlsx"): Case(
        AUDIT_VIEW,
        lambda i: Call("GET", "/admin/audit/export.xlsx"),
        "auditor",
        outsider="fh_auditor",
        out_status=(403,),
    ),
    ("POST", "/admin/audit/verify"): Case(
        AUDIT_VIEW, lambda i: Call("POST", "/admin/audit/verify"), "auditor", outsider="fh_auditor", out_status=(403,)
    ),
}

API_CASES: dict[tuple[str, str], Case] = {
    ("GET", "/api/v1/me"): Case(None, lambda i: Call("GET", "/api/v1/me")),
    ("GET", "/api/v1/units"): Case(
        UNIT_VIEW,
        lambda i: Call("GET", "/api/v1/units?q=公路"),
        "fh_admin",
        outsider="js_admin",
        hidden=lambda i: "凤凰县公路建设养护中心",
    ),
    ("GET", "/api/v1/units/{unit_id}"): Case(
        UNIT_VIEW, lambda i: Call("GET", f"/api/v1/units/{i['fh-gl']}"), "fh_admin", outsider="js_admin"
    ),
    ("POST", "/api/v1/units"): Case(
        "org.unit.manage",
        lambda i: Call(
            "POST",
            "/api/v1/units",
            json={"code": "api-new", "name": "接口单位", "kind": "department", "parent_id": i["fh"]},
        ),
        "fh_admin",
        ok=(201,),
        outsider="js_admin",
        out_status=(403,),
    ),
    ("PATCH", "/api/v1/units/{unit_id}"): Case(
        "org.unit.manage",
        lambda i: Call("PATCH", f"/api/v1/units/{i['fh-gl']}", json={"version": i["v:fh-gl"], "name": "养护中心"}),
        "fh_admin",
        outsider="js_admin",
    ),
    ("GET", "/api/v1/users"): Case(
        "org.user.view",
        lambda i: Call("GET", "/api/v1/users"),
        "fh_admin",
        outsider="js_admin",
        hidden=lambda i: "养护中心经办人",
    ),
    ("GET", "/api/v1/users/{user_id}"): Case(
        "org.user.view", lambda i: Call("GET", f"/api/v1/users/{i['user:fh_gl']}"), "fh_admin", outsider="js_admin"
    ),
    ("POST", "/api/v1/users"): Case(
        "org.user.manage",
        lambda i: Call(
            "POST",
            "/api/v1/users",
            json={
                "username": "api_u",
                "full_name": "接口用户",
                "unit_id": i["fh-gl"],
                "password": "Abcdefg123",
                "role_ids": [i["role:clerk"]],
            },
        ),
        "fh_admin",
        ok=(201,),
        outsider="js_admin",
        out_status=(403,),
    ),
    ("PATCH", "/api/v1/users/{user_id}"): Case(
        "org.user.manage",
        lambda i: Call(
            "PATCH", f"/api/v1/users/{i['user:fh_gl']}", json={"version": i["v:user:fh_gl"], "full_name": "经办人"}
        ),
        "fh_admin",
        outsider="js_admin",
    ),
    ("GET", "/api/v1/roles"): Case(ROLE_MANAGE, lambda i: Call("GET", "/api/v1/roles")),
    ("GET", "/api/v1/roles/{role_id}"): Case(ROLE_MANAGE, lambda i: Call("GET", f"/api/v1/roles/{i['role:clerk']}")),
    ("POST", "/api/v1/roles"): Case(
        ROLE_MANAGE,
        lambda i: Call(
            "POST",
            "/api/v1/roles",
            json={"code": "api_r", "name": "接口角色", "grants": [{"action": UNIT_VIEW, "scope": "all"}]},
        ),
        ok=(201,),
        outsider="fh_roles",
        out_status=(403,),
    ),
    ("PUT", "/api/v1/roles/{role_id}"): Case(
        ROLE_MANAGE,
        lambda i: Call(
            "PUT",
            f"/api/v1/roles/{i['role:clerk']}",
            json={
                "version": i["v:role:clerk"],
                "code": "clerk",
                "name": "经办人员",
                "grants": [{"action": UNIT_VIEW, "scope": "all"}],
            },
        ),
        outsider="fh_roles",
        out_status=(403,),
    ),
    ("GET", "/api/v1/tokens"): Case(None, lambda i: Call("GET", "/api/v1/tokens")),
    ("POST", "/api/v1/tokens"): Case(None, lambda i: Call("POST", "/api/v1/tokens", json={"name": "对接"}), ok=(201,)),
    ("DELETE", "/api/v1/tokens/{token_id}"): Case(
        None, lambda i: Call("DELETE", f"/api/v1/tokens/{i['token']}"), "fh_admin", ok=(204,), outsider="js_admin"
    ),
    ("GET", "/api/v1/calendar/add"): Case(None, lambda i: Call("GET", "/api/v1/calendar/add?start=2024-09-30&n=5")),
    ("GET", "/api/v1/calendar/between"): Case(
        None, lambda i: Call("GET", "/api/v1/calendar/between?a=2024-06-20&b=2024-07-18")
    ),
    ("GET", "/api/v1/calendar/working-day"): Case(
        None, lambda i: Call("GET", "/api/v1/calendar/working-day?date=2024-10-12")
    ),
    ("POST", "/api/v1/calendar/holidays"): Case(
        "calendar.manage",
        lambda i: Call("POST", "/api/v1/calendar/holidays", content="date,kind,name\n2027-01-01,holiday,元旦\n"),
        ok=(201,),
    ),
    ("GET", "/api/v1/audit/verify"): Case(
        AUDIT_VIEW, lambda i: Call("GET", "/api/v1/audit/verify"), "auditor", outsider="fh_auditor", out_status=(403,)
    ),
}
CASES.update(API_CASES)

TK = "/matters/testkind"
SERIAL = "测-2024-000001"
TKA = "/api/v1/matters/testkind"
MATTER_CASES: dict[tuple[str, str], Case] = {
    ("GET", "/matters/{kind_code}"): Case(
        "testkind.view",
        lambda i: Call("GET", TK),
        "t_handler",
        outsider="t_outsider",
        hidden=lambda i: SERIAL,
    ),
    ("GET", "/matters/{kind_code}/export.xlsx"): Case(
        "testkind.view",
        lambda i: Call("GET", f"{TK}/export.xlsx"),
        "t_handler",
        outsider="t_outsider",
        hidden=lambda i: SERIAL,
    ),
    ("GET", "/matters/{kind_code}/{matter_id}"): Case(
        "testkind.view", lambda i: Call("GET", f"{TK}/{i['matter']}"), "t_handler", outsider="t_outsider"
    ),
    ("POST", "/matters/{kind_code}/{matter_id}/act"): Case(
        "testkind.accept",
        lambda i: Call("POST", f"{TK}/{i['matter']}/act", data={"action": "accept", "version": i["v:matter"]}),
        "t_handler",
        ok=(303,),
        outsider="t_outsider",
    ),
    ("POST", "/matters/{kind_code}/{matter_id}/extensions"): Case(
        "testkind.accept",
        lambda i: Call(
            "POST", f"{TK}/{i['paused']}/extensions", data={"limit_code": "sign", "amount": 1, "reason": "等材料"}
        ),
        "t_handler",
        ok=(303, 422),
        outsider="t_outsider",
        notes="the second matter is paused: a request is still accepted (303) or refused as invalid, never 500",
    ),
    ("POST", "/matters/{kind_code}/{matter_id}/extensions/{extension_id}"): Case(
        "testkind.extend",
        lambda i: Call("POST", f"{TK}/{i['matter']}/extensions/{i['extension']}", data={"decision": "approve"}),
        "t_super",
        ok=(303,),
    ),
    ("POST", "/matters/{kind_code}/{matter_id}/pause"): Case(
        "testkind.pause",
        lambda i: Call("POST", f"{TK}/{i['matter']}/pause", data={"reason": "等材料"}),
        "t_super",
        ok=(303,),
    ),
    ("POST", "/matters/{kind_code}/{matter_id}/resume"): Case(
        "testkind.pause", lambda i: Call("POST", f"{TK}/{i['paused']}/resume"), "t_super", ok=(303,)
    ),
    ("GET", "/api/v1/matters/{kind_code}"): Case(
        "testkind.view",
        lambda i: Call("GET", TKA),
        "t_handler",
        outsider="t_outsider",
        hidden=lambda i: SERIAL,
    ),
    ("GET", "/api/v1/matters/{kind_code}/{matter_id}"): Case(
        "testkind.view", lambda i: Call("GET", f"{TKA}/{i['matter']}"), "t_handler", outsider="t_outsider"
    ),
    ("POST", "/api/v1/matters/{kind_code}/{matter_id}/actions"): Case(
        "testkind.accept",
        lambda i: Call("POST", f"{TKA}/{i['matter']}/actions", json={"action": "accept", "version": i["v:matter"]}),
        "t_handler",
        outsider="t_outsider",
    ),
    ("POST", "/api/v1/matters/{kind_code}/{matter_id}/extensions"): Case(
        "testkind.accept",
        lambda i: Call(
            "POST", f"{TKA}/{i['matter']}/extensions", json={"limit_code": "sign", "amount": 1, "reason": "等材料"}
        ),
        "t_handler",
        ok=(201, 422),
        outsider="t_outsider",
        notes="the first matter already has a pending extension: 422 names it; the grant check comes first",
    ),
    ("POST", "/api/v1/matters/{kind_code}/{matter_id}/extensions/{extension_id}/decision"): Case(
        "testkind.extend",
        lambda i: Call("POST", f"{TKA}/{i['matter']}/extensions/{i['extension']}/decision", json={"approve": True}),
        "t_super",
    ),
    ("POST", "/api/v1/matters/{kind_code}/{matter_id}/pause"): Case(
        "testkind.pause", lambda i: Call("POST", f"{TKA}/{i['matter']}/pause", json={"reason": "等材料"}), "t_super"
    ),
    ("POST", "/api/v1/matters/{kind_code}/{matter_id}/resume"): Case(
        "testkind.pause", lambda i: Call("POST", f"{TKA}/{i['paused']}/resume", json={}), "t_super"
    ),
    ("POST", "/matters/{kind_code}/{matter_id}/listings"): Case(
        "supervision.list",
        lambda i: Call(
            "POST",
            f"{TK}/{i['matter']}/listings",
            data={
                "supervising_unit_id": i["fh-jw"],
                "letter_no": "凤纪督〔2024〕9号",
                "level": "挂牌督办",
                "requirements": "尽快整改",
                "due_in": 10,
            },
        ),
        "t_super",
        ok=(303,),
    ),
    ("POST", "/matters/{kind_code}/{matter_id}/listings/{listing_id}/reports"): Case(
        "supervision.report",
        lambda i: Call("POST", f"{TK}/{i['resolved']}/listings/{i['listing']}/reports", data={"text": "已完成"}),
        "t_handler",
        ok=(303,),
    ),
    ("POST", "/matters/{kind_code}/{matter_id}/listings/{listing_id}/signoff"): Case(
        "supervision.signoff",
        lambda i: Call("POST", f"{TK}/{i['resolved']}/listings/{i['listing']}/signoff", data={"note": "同意销号"}),
        "t_super",
        ok=(303,),
    ),
}
CASES.update(MATTER_CASES)

STATS_CASES: dict[tuple[str, str], Case] = {
    ("GET", "/matters/{kind_code}/stats"): Case(
        "testkind.view",
        lambda i: Call("GET", f"{TK}/stats?unit_id={i['fh-gl']}&from=2024-01-01&to=2024-12-31"),
        "t_handler",
        outsider="t_outsider",
        notes="the unit picked lies outside the outsider's scope: 404 naming unit_id",
    ),
    ("GET", "/api/stats/matters"): Case(
        "testkind.view",
        lambda i: Call("GET", f"/api/stats/matters?kind=testkind&unit_id={i['fh-gl']}"),
        "t_handler",
        outsider="t_outsider",
    ),
}
CASES.update(STATS_CASES)

NOTICE_CASES: dict[tuple[str, str], Case] = {
    # Any logged-in user has an inbox; it holds the notices of the matters they may view (the kind's view grant
    # over the unit told and the matter), so the walk's notice (to 养护中心) is the handler's, not 吉首市's. The
    # lists are walked in their "所辖全部" view (mine=0): by default they show only the caller's own unit's notices,
    # which would hide the walk's notice from the outsider whatever the scope. Marking read is further limited to the
    # unit told (another unit's notice in scope: 403), which tests/integration/test_notices.py checks.
    ("GET", "/notices"): Case(
        None, lambda i: Call("GET", "/notices?mine=0"), "t_handler", outsider="t_outsider", hidden=lambda i: SERIAL
    ),
    ("POST", "/notices/{notice_id}/read"): Case(
        None,
        lambda i: Call("POST", f"/notices/{i['notice']}/read"),
        "t_handler",
        ok=(303,),
        outsider="t_outsider",
        notes="a notice outside the caller's scope does not exist for them: 404",
    ),
    ("POST", "/notices/read-all"): Case(
        None,
        lambda i: Call("POST", "/notices/read-all"),
        "t_handler",
        ok=(303,),
        outsider="t_outsider",
        out_status=(303,),
        notes="marks only what the caller sees: nothing for the outsider (checked in tests/integration)",
    ),
    ("GET", "/api/v1/notices"): Case(
        None,
        lambda i: Call("GET", "/api/v1/notices?mine=false"),
        "t_handler",
        outsider="t_outsider",
        hidden=lambda i: SERIAL,
    ),
    ("GET", "/api/v1/notices/unread-count"): Case(
        None,
        lambda i: Call("GET", "/api/v1/notices/unread-count"),
        "t_handler",
        outsider="t_outsider",
        hidden=lambda i: '"unread_in_scope":1',
    ),
    ("POST", "/api/v1/notices/{notice_id}/read"): Case(
        None, lambda i: Call("POST", f"/api/v1/notices/{i['notice']}/read", json={}), "t_handler", outsider="t_outsider"
    ),
    ("POST", "/api/v1/notices/read-all"): Case(
        None,
        lambda i: Call("POST", "/api/v1/notices/read-all", json={}),
        "t_handler",
        outsider="t_outsider",
        out_status=(200,),
        notes="marks only what the caller sees: nothing for the outsider (checked in tests/integration)",
    ),
}
CASES.update(NOTICE_CASES)

SUP_LETTER = "凤纪督〔2024〕1号"  # the walk's listing, of 凤凰县纪委监委 on the third matter
#: Holds every supervision grant and the kind's view, but over 吉首市 only.
OUTSIDE_SUPERVISOR = {
    "t_js_super": (
        "js",
        [
            ("testkind.view", "subtree"),
            ("supervision.list", "unit"),
            ("supervision.signoff", "unit"),
            ("supervision.report", "subtree"),
        ],
    )
}
SUPERVISION_CASES: dict[tuple[str, str], Case] = {
    ("GET", "/supervision"): Case(
        "supervision.list",
        lambda i: Call("GET", "/supervision"),
        "t_super",
        outsider="t_js_super",
        hidden=lambda i: SUP_LETTER,
    ),
    ("GET", "/supervision/export.xlsx"): Case(
        "supervision.list",
        lambda i: Call("GET", "/supervision/export.xlsx"),
        "t_super",
        outsider="t_js_super",
        hidden=lambda i: SUP_LETTER,
    ),
    ("GET", "/api/v1/supervision/listings"): Case(
        "supervision.list",
        lambda i: Call("GET", "/api/v1/supervision/listings"),
        "t_super",
        outsider="t_js_super",
        hidden=lambda i: SUP_LETTER,
    ),
    ("GET", "/api/v1/matters/{kind_code}/{matter_id}/listings"): Case(
        "supervision.report",
        lambda i: Call("GET", f"{TKA}/{i['resolved']}/listings"),
        "t_handler",
        outsider="t_js_super",
        notes="any grant through which a listing can be seen lets one ask; the matter and its listings stay hidden",
    ),
    ("POST", "/api/v1/matters/{kind_code}/{matter_id}/listings"): Case(
        "supervision.list",
        lambda i: Call(
            "POST",
            f"{TKA}/{i['matter']}/listings",
            json={
                "supervising_unit_id": i["fh-jw"],
                "letter_no": "凤纪督〔2024〕8号",
                "level": "挂牌督办",
                "requirements": "尽快整改",
                "due_in": 10,
            },
        ),
        "t_super",
        ok=(201,),
        outsider="t_js_super",
    ),
    ("POST", "/api/v1/matters/{kind_code}/{matter_id}/listings/{listing_id}/reports"): Case(
        "supervision.report",
        lambda i: Call("POST", f"{TKA}/{i['resolved']}/listings/{i['listing']}/reports", json={"text": "已完成"}),
        "t_handler",
        ok=(201,),
        outsider="t_js_super",
    ),
    ("POST", "/api/v1/matters/{kind_code}/{matter_id}/listings/{listing_id}/signoff"): Case(
        "supervision.signoff",
        lambda i: Call(
            "POST",
            f"{TKA}/{i['resolved']}/listings/{i['listing']}/signoff",
            json={"note": "同意销号", "version": i["v:listing"]},
        ),
        "t_super",
        outsider="t_js_super",
    ),
}
CASES.update(SUPERVISION_CASES)


for _area in AREAS:
    CASES.update(_area.CASES)

# Routes served for everyone (documentation) or as files.
PUBLIC_INFRA = {("GET", "/docs"), ("GET", "/openapi.json")}


def app_routes(client: TestClient) -> set[tuple[str, str]]:
    app: Any = client.app
    found = {
        (m, r.path)
        for mod in app.state.modules
        for rt in mod.routers
        for r in rt.routes
        for m in r.methods
        if m != "HEAD"
    }
    return found | PUBLIC_INFRA


def extra_users(db: Database) -> None:
    """A user without grants, a narrow role manager and a narrow auditor, all in 凤凰县; a token of fh_admin."""
    system = system_principal()
    with db.uow(Actor(None, "测试数据")) as uow:
        s = uow.session
        fh = s.scalar(select(Unit.id).where(Unit.code == "fh"))
        assert fh
        narrow = save_role(
            uow,
            system,
            None,
            version=None,
            code="fh_roles",
            name="县级角色管理",
            description="",
            grants=[GrantInput(ROLE_MANAGE, Scope.SUBTREE), GrantInput(UNIT_VIEW, Scope.SUBTREE)],
        )
        narrow_audit = save_role(
            uow,
            system,
            None,
            version=None,
            code="fh_audit",
            name="县级审计",
            description="",
            grants=[GrantInput(AUDIT_VIEW, Scope.SUBTREE)],
        )
        for username, role_ids in (("nogrant", []), ("fh_roles", [narrow.id]), ("fh_auditor", [narrow_audit.id])):
            create_user(
                uow, system, username=username, full_name=username, unit_id=fh, password=PASSWORD, role_ids=role_ids
            )
        fh_admin = s.scalar(select(User.id).where(User.username == "fh_admin"))
        auth.create_api_token(uow, fh_admin or 0, "测试", None)
        uow.commit()


def matters_for_the_walk(db: Database) -> None:
    """The test kind with its users; a matter of 养护中心 waiting to be signed for (with a pending extension), and
    a second one whose clocks are paused."""
    add_people(db)
    add_people(db, OUTSIDE_SUPERVISOR)
    sp = system_principal()
    with db.uow(Actor(None, "测试数据")) as uow:
        owner = uow.session.scalar(select(Unit.id).where(Unit.code == "fh-gl")) or 0
        first = matter_service.open_matter(uow, sp, THREE_STEP, title="S256 路面湿滑", owner_unit_id=owner)
        second = matter_service.open_matter(uow, sp, THREE_STEP, title="第二件", owner_unit_id=owner)
        handler = load_principal(
            uow.session, uow.session.scalar(select(User.id).where(User.username == "t_handler")) or 0
        )
        matter_service.request_extension(uow, handler, THREE_STEP, first.id, "sign", 1, "需踏勘")
        matter_service.pause(uow, sp, THREE_STEP, second.id, "等待材料")
        third = matter_service.open_matter(uow, sp, THREE_STEP, title="第三件", owner_unit_id=owner)
        matter_service.act(uow, sp, THREE_STEP, third.id, "accept")
        super_id = uow.session.scalar(select(User.id).where(User.username == "t_super")) or 0
        supervisor = load_principal(uow.session, super_id)
        fh_jw = uow.session.scalar(select(Unit.id).where(Unit.code == "fh-jw")) or 0
        list_for_supervision(
            uow,
            supervisor,
            THREE_STEP,
            third.id,
            supervising_unit_id=fh_jw,
            letter_no="凤纪督〔2024〕1号",
            level="挂牌督办",
            requirements="尽快整改",
            due_in=10,
        )
        matter_service.act(uow, sp, THREE_STEP, third.id, "resolve", note="办结", data={"result": "已整改"})
        uow.commit()
    with db.uow(Actor(None, "测试数据")) as uow:
        tick(uow, uow.clock.now())  # the first matter's sign-for limit is due soon: one notice to 养护中心
        uow.commit()


def ids_of(db: Database) -> Ids:
    with db.reading() as s:
        matters = list(s.scalars(select(Matter).order_by(Matter.id)))
        if matters:
            ids = {
                "matter": matters[0].id,
                "v:matter": matters[0].version,
                "paused": matters[1].id,
                "resolved": matters[2].id,
                "listing": s.scalar(select(SupervisionListing.id).order_by(SupervisionListing.id)),
                "v:listing": s.scalar(select(SupervisionListing.version).order_by(SupervisionListing.id)),
                "notice": s.scalar(select(MatterNotice.id).order_by(MatterNotice.id)),
            }
        extension = s.scalar(select(MatterExtension.id).order_by(MatterExtension.id))
        found: Ids = dict(s.execute(select(Unit.code, Unit.id)).all())
        found.update(ids if matters else {})
        found["extension"] = extension
        ids = found
        ids.update({f"user:{u}": i for u, i in s.execute(select(User.username, User.id))})
        ids.update({f"role:{c}": i for c, i in s.execute(select(Role.code, Role.id))})
        # fh_admin's token (other areas may add tokens of their own)
        ids["token"] = s.scalar(select(ApiToken.id).join(User).where(User.username == "fh_admin"))
        for area in AREAS:
            if hasattr(area, "ids"):
                ids.update(area.ids(s))
        ids.update({f"v:{c}": v for c, v in s.execute(select(Unit.code, Unit.version))})
        ids.update({f"v:user:{u}": v for u, v in s.execute(select(User.username, User.version))})
        ids.update({f"v:role:{c}": v for c, v in s.execute(select(Role.code, Role.version))})
    return ids


def send(client: TestClient, call: Call) -> Any:
    headers = {"X-CSRF-Token": csrf(client)} if call.method != "GET" and call.json is not None else {}
    if call.method == "DELETE":
        return client.request(call.method, call.url, headers={"X-CSRF-Token": csrf(client)}, follow_redirects=False)
    data = dict(call.data or {})
    if call.method != "GET" and call.json is None and call.content is None:
        data["csrf_token"] = csrf(client)
    if call.content is not None:
        headers = {"X-CSRF-Token": csrf(client), "Content-Type": "text/csv"}
        return client.request(
            call.method, call.url, content=call.content.encode(), headers=headers, follow_redirects=False
        )
    if call.json is not None:
        return client.request(call.method, call.url, json=call.json, headers=headers, follow_redirects=False)
    return client.request(
        call.method, call.url, data=data or None, files=call.files, headers=headers, follow_redirects=False
    )


def _prepare(db: Database) -> None:
    extra_users(db)
    matters_for_the_walk(db)
    for area in AREAS:
        if hasattr(area, "prepare"):
            area.prepare(db)


@pytest.fixture(scope="session")
def walk_template(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seeded SQLite template plus the walk's users and matters, built once and copied for each test."""
    path = tmp_path_factory.mktemp("walk") / "walk.db"
    shutil.copy(sqlite_template, path)
    _prepare_at(f"sqlite:///{path}")
    db = Database(f"sqlite:///{path}")
    with db.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    db.dispose()
    return path


# ---------------------------------------------------------------- fresh databases, for the calls that may write


@pytest.fixture(params=ENGINES)
def engine(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def db_url(engine: str, request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """As in conftest, but the database already holds the walk's records."""
    if engine == "sqlite":
        target = tmp_path / "zhengwu.db"
        shutil.copy(request.getfixturevalue("walk_template"), target)
        return f"sqlite:///{target}"
    url: str = request.getfixturevalue("pg_database")
    reset_postgres(url, _prepare_at, "walk")
    return url


def _prepare_at(url: str) -> None:
    db = Database(url, FakeClock(WALK_NOW))
    _prepare(db)
    db.dispose()


#: engine → the ids of a fresh database's records: every fresh database is a copy of one template (SQLite) or one
#: snapshot restored with its sequences (PostgreSQL), so they are the same for each and read once.
_FRESH_IDS: dict[str, Ids] = {}


@pytest.fixture
def walk(app_client: TestClient, db: Database, engine: str) -> tuple[TestClient, Ids]:
    if engine not in _FRESH_IDS:
        _FRESH_IDS[engine] = ids_of(db)
    return app_client, dict(_FRESH_IDS[engine])


def as_user(client: TestClient, username: str | None) -> TestClient:
    """``client`` as ``username`` (None: anonymous, with the CSRF cookie a first visit gets)."""
    client.cookies.clear()
    if username:
        login(client, username)  # its first step is the visit to the login page
    else:
        client.get("/login")
    return client


# ---------------------------------------------------------------- one shared database, for the calls that cannot


class Shared:
    """One prepared database per engine, with a client logged in once per caller, for every call expected to write
    nothing. Each such call compares the row counts and the audit head right before and after itself, so a call
    that writes when it must not fails alone; none may rely on another's side effects."""

    def __init__(self, url: str, stack: ExitStack) -> None:
        self.db = Database(url, FakeClock(WALK_NOW))
        stack.callback(self.db.dispose)
        settings = Settings(database_url=url, secret_key="test-secret", _env_file=None)
        self.app = create_app(settings, self.db)
        self.stack = stack
        self.clients: dict[str | None, TestClient] = {}
        self.ids = ids_of(self.db)
        self.tables = tables_of(self.db)

    def client(self, username: str | None) -> TestClient:
        """A client logged in as ``username`` (None: anonymous), made on first use (logging in writes)."""
        if username not in self.clients:
            client = self.stack.enter_context(TestClient(self.app))
            self.clients[username] = as_user(client, username)
        return self.clients[username]

    def send_nothing_written(self, username: str | None, case: Case) -> tuple[Any, Ids]:
        client = self.client(username)
        call = case.call(self.ids)
        before = db_state(self.db, self.tables)
        r = send(client, call)
        assert_unchanged(self.db, self.tables, before, AUDITED_READS if call.method == "GET" else frozenset())
        return r, self.ids


@pytest.fixture(scope="module")
def shared() -> Iterator[Callable[[str, pytest.FixtureRequest], Shared]]:
    """engine → its shared database, built on first use and kept for the module (per xdist worker)."""
    made: dict[str, Shared] = {}
    with ExitStack() as stack:

        def get(engine: str, request: pytest.FixtureRequest) -> Shared:
            if engine not in made:
                if engine == "sqlite":
                    path = request.getfixturevalue("tmp_path_factory").mktemp("walk_shared") / "walk.db"
                    shutil.copy(request.getfixturevalue("walk_template"), path)
                    url = f"sqlite:///{path}"
                else:
                    url = stack.enter_context(scratch_postgres("zw_test_walk"))
                    reset_postgres(url, _prepare_at, "walk")
                made[engine] = Shared(url, stack)
            return made[engine]

        yield get


def call(
    request: pytest.FixtureRequest, engine: str, username: str | None, case: Case, writes: bool
) -> tuple[Any, Ids]:
    """Send ``case``'s call as ``username``: on a fresh database when it ``writes`` (or may), else on the shared one,
    asserting that nothing changed. Returns the response and the ids the call was made with."""
    if writes:
        client, ids = request.getfixturevalue("walk")
        return send(as_user(client, username), case.call(ids)), ids
    shared: Callable[[str, pytest.FixtureRequest], Shared] = request.getfixturevalue("shared")
    return shared(engine, request).send_nothing_written(username, case)


def test_every_route_has_a_permission_case(app_client: TestClient) -> None:
    routes = app_routes(app_client) - PUBLIC_INFRA
    assert not sorted(routes - CASES.keys()), "add a Case for each new route"
    assert not sorted(CASES.keys() - routes), "remove the Case of a route that no longer exists"


def _reads(key: tuple[str, str]) -> bool:
    return key[0] == "GET" or key in COMPUTING_POSTS


@pytest.mark.parametrize("key", sorted(CASES), ids=lambda k: f"{k[0]} {k[1]}")
def test_anonymous_callers_are_sent_to_login(request: pytest.FixtureRequest, engine: str, key: tuple[str, str]) -> None:
    case = CASES[key]
    public = case.action == "public"
    r, _ = call(request, engine, None, case, writes=public and not _reads(key))
    if public:
        assert r.status_code in case.ok, r.text
    elif key[1].startswith("/api/"):
        assert r.status_code == 401, r.text
    elif key[0] == "GET":
        assert r.status_code == 303 and r.headers["location"].startswith("/login"), r.status_code
    else:
        assert r.status_code == 401, r.text


@pytest.mark.parametrize(
    "key", sorted(k for k, c in CASES.items() if c.action != "public"), ids=lambda k: f"{k[0]} {k[1]}"
)
def test_a_user_without_the_grant_is_refused(request: pytest.FixtureRequest, engine: str, key: tuple[str, str]) -> None:
    case = CASES[key]
    own_records = case.action is None  # routes any logged-in user may call, on their own records
    r, _ = call(request, engine, "nogrant", case, writes=own_records and not _reads(key))
    if own_records:
        assert r.status_code in case.ok or r.status_code == 404, r.text  # nothing of theirs
    else:
        assert r.status_code == 403, r.text


@pytest.mark.parametrize("key", sorted(CASES), ids=lambda k: f"{k[0]} {k[1]}")
def test_a_user_with_the_grant_succeeds(request: pytest.FixtureRequest, engine: str, key: tuple[str, str]) -> None:
    case = CASES[key]
    caller = None if case.action == "public" else case.granted
    r, ids = call(request, engine, caller, case, writes=not _reads(key))
    assert r.status_code in case.ok, r.text
    if case.hidden is not None:
        assert case.hidden(ids) in _text(r)


@pytest.mark.parametrize("key", sorted(k for k, c in CASES.items() if c.outsider), ids=lambda k: f"{k[0]} {k[1]}")
def test_a_user_with_the_grant_over_another_county_sees_nothing(
    request: pytest.FixtureRequest, engine: str, key: tuple[str, str]
) -> None:
    case = CASES[key]
    refused = all(status >= 400 for status in case.out_status)
    r, ids = call(request, engine, case.outsider, case, writes=not (_reads(key) or refused))
    if case.hidden is not None:
        assert r.status_code == 200
        assert case.hidden(ids) not in _text(r)
    else:
        assert r.status_code in case.out_status, r.text


def _text(response: Any) -> str:
    if response.headers.get("content-type", "").startswith("application/vnd.openxmlformats"):
        import io

        from openpyxl import load_workbook

        wb = load_workbook(io.BytesIO(response.content), read_only=True)
        return "\n".join(str(c) for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for c in row)
    return str(response.text)
