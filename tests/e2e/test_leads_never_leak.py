"""A lead (问题线索) never reaches anyone without ``inspection.lead.view``, on any route; and the general lists —
matter lists, searches, exports, statistics, the to-do list, the supervision ledger, notices — never show it, even to
a user who holds every lead grant.

The lead: handed over by the inspection office to 长沙市纪委监委 (cs-jw), then received and fed back, so that its
title, description and feedback are all on record; a supervision listing and a notice of it are written straight
into the tables (the services refuse them), so a general list that forgot the kind is confidential would show them.

(a) For every seeded role of ``zhengwu.demo`` and ``zhengwu.inspection.people`` without ``inspection.lead.view``,
plus a user holding every inspection action but the lead grants (the walk's ``i_nolead``) and one holding every
action of the platform but ``inspection.lead.view``, all placed in the receiving unit itself: the pages reachable by
links from the home page and the lead's own URLs are read, and every GET route of the application is called with its
path parameters filled with the lead's id (the round's and unit's ids where the parameter names one). No answer
holds the lead's text; the lead's own URLs answer 403 or 404.

(b) The administrator, who holds every action over the whole province, reads the general lists of every kind.

Every test only reads, so they share, per engine, one database holding the lead and the users (``site``); (a) is one
test per user, so that parallel workers share the walk.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.conftest import ENGINES, PASSWORD, csrf, login, own_database, principal
from tests.support.inspection_people import SYSTEM, RoundIds, add_round, setup, unit
from tests.support.people import add_users
from zhengwu import demo
from zhengwu.core.clock import FakeClock
from zhengwu.core.db import Database
from zhengwu.core.matters.registry import KINDS
from zhengwu.core.matters.tables import MatterNotice, SupervisionListing
from zhengwu.core.org.model import ACTIONS, system_principal
from zhengwu.core.org.service import create_user
from zhengwu.core.org.tables import Role
from zhengwu.core.settings import Settings
from zhengwu.inspection import model as m
from zhengwu.inspection import people as inspection_people
from zhengwu.inspection.model.workflows import LEAD_KIND
from zhengwu.inspection.people import ALL_INSPECTION
from zhengwu.inspection.service import leads

TITLE = "绝密线索摘要QX7"
SEARCH = "绝密线索摘要"  # a search for the title (the query is echoed back: it leaves the marker out)
DESCRIPTION = "绝密线索内容QX8"
FEEDBACK = "绝密处置反馈QX9"
NEVER = (TITLE, DESCRIPTION, FEEDBACK, "QX7", "QX8", "QX9")
SKIP = ("/logout", "/static/", "/docs", "/openapi.json")
MAX_PAGES = 150
LEAD_GRANTS = (m.LEAD_VIEW, m.LEAD_MANAGE, m.LEAD_RECEIVE)
NOW = datetime(2024, 6, 20, 1, 0, tzinfo=UTC)  # the instant of conftest's ``clock`` fixture (function-scoped)


def roles_without_lead_view() -> list[str]:
    seeded = [*demo.ROLES, *inspection_people.ROLES]
    return sorted({code for code, _, _, grants in seeded if all(a != m.LEAD_VIEW for a, _ in grants)})


EXTRA = {
    "lk_nolead": ("cs-jw", [(a, "all") for a in ALL_INSPECTION if a not in LEAD_GRANTS]),
    "lk_all_but_view": (
        "cs-jw",
        [(a, "all") for a in ACTIONS if a != m.LEAD_VIEW and not a.startswith("testkind.")],
    ),
}


@dataclass(frozen=True)
class Site:
    """The database with the lead, a client of the application over it, and the ids the walk fills paths with."""

    db: Database
    client: TestClient
    lead_id: int
    rnd: RoundIds


@pytest.fixture(scope="module", params=ENGINES)
def site(request: pytest.FixtureRequest) -> Iterator[Site]:
    """The seeded database, with the inspection people, the lead, the listing, the notice and the users; built once
    per engine for the module (every test only reads), with an application of its own."""
    from zhengwu.web.app import create_app

    with own_database(request.param, request, "zw_test_leak") as url:
        db = Database(url, FakeClock(NOW))
        setup(db)
        lead_id, rnd = add_lead(db)
        settings = Settings(database_url=url, secret_key="test-secret", _env_file=None)
        with TestClient(create_app(settings, db)) as client:
            yield Site(db, client, lead_id, rnd)
        db.dispose()


def add_lead(db: Database) -> tuple[int, RoundIds]:
    """The lead, fed back, with a listing and a notice of it written behind the services' back; the users."""
    rnd = add_round(db)
    with db.uow(SYSTEM) as uow:
        made = leads.hand_over(
            uow,
            principal(db, "cs_xcb_office"),
            round_id=rnd.round_id,
            target_unit_id=rnd.targets[0],
            recipient="discipline_commission",
            receiving_unit_id=unit(db, "cs-jw"),
            title=TITLE,
            description=DESCRIPTION,
        )
        uow.commit()
        lead_id = made.id
    receiver = principal(db, "cs_jw_leads")
    with db.uow(SYSTEM) as uow:
        done = leads.act(uow, receiver, lead_id, "receive", version=None)
        leads.act(uow, receiver, lead_id, "feed_back", version=done.version, note=FEEDBACK, data={"disposal": "held"})
        now = uow.clock.now()
        listing = SupervisionListing(
            matter_id=lead_id,
            supervising_unit_id=unit(db, "cs-sw"),
            letter_no="长督〔2024〕9号",
            level="挂牌督办",
            requirements="尽快核查",
            due_at=now + timedelta(days=5),
            listed_at=now,
            listed_by="测试",
        )
        uow.session.add(listing)
        uow.session.add(
            MatterNotice(
                key="leak:test", matter_id=lead_id, kind="overdue", unit_id=unit(db, "cs-jw"), at=now, text="已逾期"
            )
        )
        sp = system_principal()
        roles = {code: id_ for code, id_ in uow.session.execute(select(Role.code, Role.id))}
        for code in roles_without_lead_view():
            create_user(
                uow,
                sp,
                username=f"lk_{code}",
                full_name=f"lk_{code}",
                unit_id=unit(db, "cs-jw"),
                password=PASSWORD,
                role_ids=[roles[code]],
            )
        add_users(uow, EXTRA, PASSWORD, "role_")
        uow.commit()
    return lead_id, rnd


def as_user(client: TestClient, username: str) -> TestClient:
    client.cookies.clear()
    return login(client, username)


def text_of(response: Any) -> str:
    if response.content[:2] == b"PK":  # an Excel export: search every part of the workbook
        with zipfile.ZipFile(io.BytesIO(response.content)) as z:
            return "".join(z.read(n).decode("utf-8", "replace") for n in z.namelist())
    return str(response.content.decode("utf-8", "replace"))


def sort_free(url: str) -> str:
    """``url`` without its sort order (``sort=``)."""
    path, _, query = url.partition("?")
    kept = [part for part in query.split("&") if part and not part.startswith("sort=")]
    return path + ("?" + "&".join(kept) if kept else "")


def walk(client: TestClient, urls: list[str], start: list[str]) -> dict[str, tuple[int, str]]:
    """The status and text of every URL of ``urls``, and of every same-site page reachable by links from ``start``
    and from those pages (GET only; at most ``MAX_PAGES`` more), each read once.

    A link that differs from one read already only in its sort order is not followed: sorting orders the rows of a
    list but does not choose them, and the list's pages (``page=``) and its export, which holds every row, are
    followed as links of their own.
    """
    seen: dict[str, tuple[int, str]] = {}
    links: dict[str, list[str]] = {}
    for url in urls:
        response = client.get(url, follow_redirects=True)
        seen[url] = response.status_code, text_of(response)
        links[url] = hrefs(response)
    followed = {sort_free(url) for url in seen}
    queue = list(start)
    crawled = 0
    while queue and crawled < MAX_PAGES:
        url = queue.pop(0)
        if url.startswith(SKIP) or (url not in links and sort_free(url) in followed):
            continue
        if url not in links:
            response = client.get(url, follow_redirects=True)
            seen[url] = response.status_code, text_of(response)
            links[url] = hrefs(response)
            followed.add(sort_free(url))
            crawled += 1
        queue += [href for href in links.pop(url) if href in links or sort_free(href) not in followed]
    return seen


def hrefs(response: Any) -> list[str]:
    """The same-site links of an HTML page."""
    if "html" not in response.headers.get("content-type", ""):
        return []
    return [found.replace("&amp;", "&") for found in re.findall(r'href="(/[^"#]*)"', response.text)]


def get_urls(client: TestClient, values: dict[str, str], default: str) -> list[str]:
    """Every GET route of the application (pages and API) with its path parameters filled."""
    urls = []
    app: Any = client.app
    for route in (r for mod in app.state.modules for router in mod.routers for r in router.routes):
        if not isinstance(route, APIRoute) or "GET" not in (route.methods or ()) or route.path.startswith(SKIP):
            continue
        urls.append(re.sub(r"{(\w+)(?::\w+)?}", lambda g: values.get(g.group(1), default), route.path))
    return urls


USERS = [f"lk_{code}" for code in roles_without_lead_view()] + sorted(EXTRA)


def test_the_walk_covers_every_role_without_the_view_grant() -> None:
    assert "lk_admin" not in USERS and "lk_inspection_team" in USERS and "lk_auditor" in USERS


@pytest.mark.parametrize("username", USERS)
def test_no_role_without_the_view_grant_ever_sees_a_lead(site: Site, username: str) -> None:
    client, lead_id = site.client, site.lead_id
    own = [
        "/inspection/leads",
        f"/inspection/leads/{lead_id}",
        "/api/v1/inspection/leads",
        f"/api/v1/inspection/leads/{lead_id}",
        f"/matters/{LEAD_KIND}/{lead_id}",
        f"/api/v1/matters/{LEAD_KIND}/{lead_id}",
    ]
    values = {"round_id": str(site.rnd.round_id), "team_id": str(site.rnd.team_id), "kind_code": LEAD_KIND}
    values["unit_id"] = str(unit(site.db, "cs-jw"))
    as_user(client, username)
    for url in own:
        r = client.get(url, follow_redirects=False)
        assert r.status_code in (403, 404), (username, url, r.status_code)
    routes = get_urls(client, values, str(lead_id))
    assert len(routes) > 150  # every GET route of every system
    answers = walk(client, routes, ["/", "/admin/audit", *own])
    read = sum(status == 200 for status, _ in answers.values())
    assert read >= 15, read  # the walk really read pages as the user (the narrowest reads 19)
    for where, (_, text) in answers.items():
        for secret in NEVER:
            assert secret not in text, f"{secret} reached {username} on {where}"


def test_the_general_lists_never_show_a_lead_even_to_a_holder_of_every_grant(site: Site) -> None:
    client, lead_id = site.client, site.lead_id
    as_user(client, "admin")
    assert TITLE in client.get(f"/inspection/leads/{lead_id}").text  # the lead's own page does show it
    general = ["/", "/supervision", "/supervision/export.xlsx", "/notices", "/api/v1/notices"]
    general += ["/api/v1/supervision/listings", f"/api/v1/supervision/listings?q={SEARCH}"]
    for code in sorted(KINDS):
        for path in ("", f"?q={SEARCH}", "/export.xlsx", f"/export.xlsx?q={SEARCH}", "/stats"):
            general.append(f"/matters/{code}{path}")
        general += [f"/api/v1/matters/{code}", f"/api/v1/matters/{code}?q={SEARCH}"]
        general.append(f"/api/stats/matters?kind={code}&from=2024-01-01&to=2024-12-31")
    shown = 0
    for url in general:
        r = client.get(url)
        text = text_of(r)
        shown += r.status_code == 200
        for secret in NEVER:
            assert secret not in text, f"{secret} shown on {url}"
        if LEAD_KIND in url:
            assert r.status_code == 404, url
    assert shown > 20
    home = client.get("/").text
    assert "线-2024-000001" not in home  # not on the to-do list, though the administrator may close it
    headers = {"X-CSRF-Token": csrf(client)}
    ledger = client.get("/api/v1/supervision/listings", headers=headers).json()
    assert ledger["total"] == 0
