"""Records and callers for the tests of rectification projects, special actions and the dictionary pages: a
request received by the 凤凰县 hotline and dispatched to a unit, and clients logged in for pages or the API."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.conftest import csrf, login, principal, unit_id
from tests.support.request_people import SYSTEM, category
from zhengwu.core.db import Database
from zhengwu.requests import service as requests
from zhengwu.requests.tables import RequestMatter

SECRET = "Secret123"


def dispatched_request(db: Database, unit: str = "fh-gl", description: str = "S256 线弯道路面湿滑") -> int:
    """A complaint received by the 凤凰县 hotline, accepted and dispatched to ``unit`` (its owner from then on)."""
    hotline = principal(db, "r_hotline")
    with db.uow(SYSTEM) as uow:
        req = requests.receive_request(
            uow,
            hotline,
            channel="phone",
            type="complaint",
            category_id=category(db, "traffic.road"),
            description=description,
            reporter_phone="13812345678",
        )
        requests.accept(uow, hotline, req.id)
        requests.dispatch(uow, hotline, req.id, unit_id=unit_id(db, unit))
        uow.commit()
        return req.id


def serial_of(db: Database, request_id: int) -> str:
    with db.reading() as s:
        return s.scalar(select(RequestMatter.serial).where(RequestMatter.id == request_id)) or ""


def page_user(client: TestClient, username: str) -> TestClient:
    """``client`` logged in as ``username`` for the pages (forms carry the CSRF token themselves)."""
    client.cookies.clear()
    client.headers.pop("X-CSRF-Token", None)
    login(client, username, SECRET)
    return client


def api_user(client: TestClient, username: str) -> TestClient:
    """``client`` logged in as ``username`` for the JSON API (the CSRF token in the header)."""
    page_user(client, username)
    client.headers["X-CSRF-Token"] = csrf(client)
    return client


def post(client: TestClient, url: str, data: dict[str, Any]) -> Any:
    """Submit a page form (with the CSRF token), without following the redirect."""
    return client.post(url, data={**data, "csrf_token": csrf(client)}, follow_redirects=False)
