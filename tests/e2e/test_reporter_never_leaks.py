"""A reporter's name and phone never reach a user without the reveal grant: not in any page, export or API answer
reachable from the application, and never in a log line, for anyone.

The reader holds every registered action over the whole province except ``requests.reveal_reporter``. Pages are
found by following every link from the home page and the navigation (an Excel export is unzipped and searched);
JSON and Open311 answers by calling every GET route whose path parameters we can fill. Logging is captured at DEBUG
for the whole test, including intake through the page, the API and the reveal by a granted user.
"""

from __future__ import annotations

import io
import logging
import re
import zipfile
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from starlette.routing import Route

from tests.conftest import csrf, login
from tests.support.request_people import category, setup
from zhengwu.core.crypto import mask_phone
from zhengwu.core.db import Database
from zhengwu.core.org.model import ACTIONS
from zhengwu.core.settings import Settings
from zhengwu.requests import model
from zhengwu.requests.tables import RequestMatter

PHONE = "13912345678"
NAME = "欧阳锋"
SECRET = "Secret123"
#: What must never appear: the phone whole, its hidden middle digits next to a neighbour, the full name.
NEVER = (PHONE, "9123456", NAME)
SKIP = ("/logout", "/static/", "/docs", "/openapi.json")
MAX_PAGES = 400


@pytest.fixture
def client(settings: Settings, db: Database) -> Iterator[TestClient]:
    # the test-only kind's actions are left out: its table exists only in the databases of its own tests
    every_but_reveal = [(a, "all") for a in ACTIONS if a != model.REVEAL_REPORTER and not a.startswith("testkind.")]
    setup(db, {"r_everything_else": ("hn", every_but_reveal)})
    from zhengwu.web.app import create_app

    with TestClient(create_app(settings, db)) as c:
        yield c


def as_user(client: TestClient, username: str) -> TestClient:
    client.cookies.clear()
    login(client, username, SECRET)
    return client


def receive_two_requests(client: TestClient, db: Database) -> list[int]:
    """One through the clerk's page and one through the API, both naming the reporter."""
    as_user(client, "r_hotline")
    form = {
        "channel": "phone",
        "type": "complaint",
        "category_id": str(category(db, "traffic.road")),
        "description": "S256 线路面坑槽",
        "road_code": "S256",
        "km_from": "K12+300",
        "km_to": "K27+900",
        "reporter_name": NAME,
        "reporter_phone": PHONE,
        "csrf_token": csrf(client),
    }
    assert client.post("/requests/new", data=form, follow_redirects=False).status_code == 303
    body = {k: v for k, v in form.items() if k != "csrf_token"}
    body["category_id"] = category(db, "traffic.road")
    made = client.post("/api/v1/requests", json=body, headers={"X-CSRF-Token": csrf(client)})
    assert made.status_code == 201, made.text
    with db.reading() as s:
        return list(s.scalars(select(RequestMatter.id).order_by(RequestMatter.id)))


def text_of(response: Any) -> str:
    if response.content[:2] == b"PK":  # an Excel export: search every part of the workbook
        with zipfile.ZipFile(io.BytesIO(response.content)) as z:
            return "".join(z.read(n).decode("utf-8", "replace") for n in z.namelist())
    return response.content.decode("utf-8", "replace")


def crawl(client: TestClient, start: list[str]) -> dict[str, str]:
    """Every same-site page reachable by links from ``start`` (GET only), with its text."""
    seen: dict[str, str] = {}
    queue = list(start)
    while queue and len(seen) < MAX_PAGES:
        url = queue.pop(0)
        if url in seen or url.startswith(SKIP):
            continue
        response = client.get(url, follow_redirects=True)
        seen[url] = text_of(response)
        if "html" in response.headers.get("content-type", ""):
            for found in re.findall(r'href="(/[^"#]*)"', response.text):
                href = found.replace("&amp;", "&")
                if href not in seen:
                    queue.append(href)
    return seen


def api_urls(client: TestClient, request_ids: list[int]) -> list[str]:
    """Every GET route of the JSON API and Open311 whose path parameters name a request, a kind or a format."""
    fill = {"request_id": str(request_ids[0]), "matter_id": str(request_ids[0]), "kind_code": model.KIND_CODE}
    urls = []
    app: Any = client.app
    for route in (r for mod in app.state.modules for router in mod.routers for r in router.routes):
        if not isinstance(route, Route) or "GET" not in (route.methods or ()):
            continue
        if not route.path.startswith(("/api/", "/open311/")):
            continue
        params = re.findall(r"{(\w+)(?::\w+)?}", route.path)
        variants = ["json", "xml"] if "fmt" in params or "format" in params else [""]
        for variant in variants:
            values = {**fill, "fmt": variant, "format": variant}
            if all(p in values for p in params):
                urls.append(re.sub(r"{(\w+)(?::\w+)?}", lambda m, v=values: v[m.group(1)], route.path))
    return urls


def test_a_user_without_the_reveal_grant_never_sees_the_reporter_and_no_log_line_holds_them(
    client: TestClient, db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    ids = receive_two_requests(client, db)
    as_user(client, "r_commission")  # holds the grant: the reveal works, and is not logged in clear either
    reveal = client.post(f"/api/v1/requests/{ids[0]}/reporter", headers={"X-CSRF-Token": csrf(client)})
    assert reveal.status_code == 200 and PHONE in reveal.text

    as_user(client, "r_everything_else")
    pages = crawl(client, ["/", f"/matters/request/{ids[0]}", f"/requests/{ids[0]}", "/matters/request"])
    answers = {url: text_of(client.get(url)) for url in api_urls(client, ids)}
    assert len(pages) > 20, sorted(pages)  # the crawl really walked the application
    assert any(str(ids[0]) in url for url in answers)
    assert any(mask_phone(PHONE) in text for text in pages.values()), "the request pages were not reached"
    assert any(url.endswith(".xlsx") for url in pages), "no export was reached"
    for where, text in {**pages, **answers}.items():
        for secret in NEVER:
            assert secret not in text, f"{secret} leaked on {where}"
    logged = "\n".join(f"{r.getMessage()} {r.args!r}" for r in caplog.records)
    for secret in NEVER:
        assert secret not in logged, f"{secret} written to the log"
