"""Bad input, generated from the OpenAPI document and the forms: always a 4xx in Chinese, never a 500, nothing written.

For every JSON operation, every body field is given values of the wrong type, out of range, too long or with a
NUL character, and the body as a whole is replaced by junk; every path id and query parameter gets junk too. The
caller is the system administrator, so no refusal comes from permissions: each one must come from validation.

Since every case asserts that nothing is written, the cases share, per engine, one prepared database and one
logged-in client per caller for the whole module (``walk``); each case compares the row counts of every table and the
audit head taken right before its own request, so a case that does write fails alone. Only the form test, whose last
step writes on purpose, gets a fresh database of its own.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.testclient import TestClient
from sqlalchemy import Table, select

from tests.conftest import ENGINES, csrf, login, own_database
from tests.support.matter_people import add_people
from tests.support.three_step import KIND as THREE_STEP
from tests.support.walk import assert_unchanged, db_state, tables_of
from zhengwu.core.clock import FakeClock
from zhengwu.core.db import Actor, Database
from zhengwu.core.matters import service as matter_service
from zhengwu.core.matters.tables import (
    Matter,
    MatterExtension,
)
from zhengwu.core.org.auth import load_principal
from zhengwu.core.org.model import system_principal
from zhengwu.core.org.tables import Role, Unit, User
from zhengwu.core.settings import Settings
from zhengwu.web.app import create_app

CJK = re.compile(r"[\u4e00-\u9fff]")
JUNK_BODIES: list[Any] = [None, [], "文本", 12, {"unknown_field": 1}]
BAD_VALUES: dict[str, list[Any]] = {
    "string": [123, ["x"], {"a": 1}, "x" * 5000, "a\x00b"],
    "integer": ["abc", -1, 0, 2**40, 1.5, True],
    "boolean": ["maybe", 3, [True]],
    "array": ["1,2", 7, [["nested"]], ["abc"]],
}


def _operations() -> Iterator[tuple[str, str, dict[str, Any], dict[str, Any]]]:
    spec = create_app().openapi()
    for path, ops in spec["paths"].items():
        for method, op in ops.items():
            yield method.upper(), path, op, spec["components"]["schemas"]


def _body_schema(op: dict[str, Any], schemas: dict[str, Any]) -> dict[str, Any] | None:
    content = op.get("requestBody", {}).get("content", {}).get("application/json")
    if content is None:
        return None
    ref = content["schema"].get("$ref", "")
    found: dict[str, Any] = schemas[ref.rsplit("/", 1)[-1]] if ref else content["schema"]
    return found


def _kind(prop: dict[str, Any]) -> str | None:
    for option in [prop, *prop.get("anyOf", [])]:
        if option.get("type") in BAD_VALUES:
            return str(option["type"])
    return None


JSON_TYPES = {bool: "boolean", int: "integer", float: "number", str: "string", list: "array", dict: "object"}


def _mistyped(value: Any, schema: dict[str, Any]) -> bool:
    """Whether ``value``'s JSON type is none of those ``schema`` names (a number for a text, a text or a fraction
    for an integer, a list for an object, ...): the body model FastAPI reads a request with refuses it, before any
    of the route's own code runs. ``None`` never counts (an optional body may be left out), nor does a schema some
    option of which names no type."""
    options = [schema, *schema.get("anyOf", [])] if "anyOf" in schema else [schema]
    if value is None or any("type" not in option for option in options):
        return False
    allowed = {str(option["type"]) for option in options}
    if "number" in allowed and isinstance(value, int | float) and not isinstance(value, bool):
        return False
    return JSON_TYPES[type(value)] not in allowed and not (isinstance(value, bool) and "integer" in allowed)


def _read_by_model(op: dict[str, Any]) -> bool:
    """Whether FastAPI reads the operation's body with a model (a ``$ref`` schema), not the route itself (a schema
    given in ``openapi_extra``)."""
    content = op.get("requestBody", {}).get("content", {}).get("application/json", {})
    return "$ref" in content.get("schema", {})


@dataclass(frozen=True)
class BadBody:
    method: str
    path: str
    label: str
    body: Any
    mistyped: bool  # refused while FastAPI reads the body with its model, whatever the engine: see ``_mistyped``


def _cases() -> list[BadBody]:
    """Every junk body and every bad field value of every JSON operation."""
    cases = []
    for method, path, op, schemas in _operations():
        schema = _body_schema(op, schemas)
        if schema is None:
            continue
        model = _read_by_model(op)
        for i, junk in enumerate(JUNK_BODIES):
            cases.append(BadBody(method, path, f"junk{i}", junk, model and _mistyped(junk, schema)))
        for name, prop in schema.get("properties", {}).items():
            kind = _kind(prop)
            for j, value in enumerate(BAD_VALUES.get(kind or "", [])):
                cases.append(BadBody(method, path, f"{name}-{j}", {name: value}, model and _mistyped(value, prop)))
    return cases


CASES = _cases()
IDS = ["x", "0", "-3", str(2**40), "1.5"]


def _url(path: str, db_ids: dict[str, int]) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: str(db_ids.get(m.group(1), 1)), path)


def _state(db: Database) -> dict[str, Any]:
    """The row count of every table of the schema (the audit log and every system's tables included, and the test
    kind's own table) and the audit head, in one query: whatever a refused request might write, it shows here."""
    if db.url not in _TABLES:
        _TABLES[db.url] = tables_of(db)
    return db_state(db, _TABLES[db.url])


_TABLES: dict[str, list[Table]] = {}


def _assert_unchanged(before: dict[str, Any], db: Database) -> None:
    assert_unchanged(db, _TABLES[db.url], before, frozenset())


def _valid_ids(db: Database) -> dict[str, Any]:
    with db.reading() as s:
        return {
            "unit_id": s.scalar(select(Unit.id).where(Unit.code == "fh-gl")) or 1,
            "user_id": s.scalar(select(User.id).where(User.username == "fh_gl")) or 1,
            "role_id": s.scalar(select(Role.id).where(Role.code == "clerk")) or 1,
            "token_id": 1,
            "kind_code": "testkind",
            "matter_id": s.scalar(select(Matter.id)) or 1,
            "extension_id": s.scalar(select(MatterExtension.id)) or 1,
        }


def _add_a_matter(db: Database) -> None:
    """The three-step test kind with its users and one matter of 养护中心 with a pending extension."""
    add_people(db)
    with db.uow(Actor(None, "测试")) as uow:
        owner = uow.session.scalar(select(Unit.id).where(Unit.code == "fh-gl")) or 0
        m = matter_service.open_matter(uow, system_principal(), THREE_STEP, title="测试", owner_unit_id=owner)
        everyone = load_principal(uow.session, uow.session.scalar(select(User.id).where(User.username == "t_all")) or 0)
        matter_service.request_extension(uow, everyone, THREE_STEP, m.id, "sign", 1, "需踏勘")
        uow.commit()


# ---------------------------------------------------------------- the shared database of the read-only cases


@pytest.fixture(scope="module", params=ENGINES)
def walk_url(request: pytest.FixtureRequest) -> Iterator[str]:
    """A migrated and seeded database for this module alone (as conftest's ``db_url``, but built once per engine)."""
    with own_database(request.param, request, "zw_test_bad") as url:
        yield url


@dataclass(frozen=True)
class Walk:
    db: Database
    clients: dict[str, TestClient]  # caller → a client logged in as them
    ids: dict[str, Any]  # path parameter → the id of an existing record
    read_refusals: list[int]  # [bodies refused while FastAPI read them, so far]

    def client(self, path: str) -> TestClient:
        return self.clients[_caller(path)]


@pytest.fixture(scope="module")
def walk(walk_url: str) -> Iterator[Walk]:
    """The database with the matter records, and the callers logged in once (before any case counts rows).

    Every case only reads, so they all share it; none may rely on another's side effects.
    """
    # The instant of conftest's ``clock`` fixture (which is function-scoped, so not usable here).
    db = Database(walk_url, FakeClock(datetime(2024, 6, 20, 1, 0, tzinfo=UTC)))
    _add_a_matter(db)
    settings = Settings(database_url=walk_url, secret_key="test-secret", _env_file=None)
    app = create_app(settings, db)
    read_refusals = [0]
    refuse = app.exception_handlers[RequestValidationError]

    async def counted(request: Request, exc: Exception) -> Response:
        read_refusals[0] += 1
        answer = refuse(request, exc)
        return answer if isinstance(answer, Response) else await answer

    # Set before the first request, which builds the application's middleware with the handlers it then holds.
    app.exception_handlers[RequestValidationError] = counted
    with ExitStack() as stack:
        clients = {who: login(stack.enter_context(TestClient(app)), who) for who in ("admin", "t_all")}
        yield Walk(db, clients, _valid_ids(db), read_refusals)
    db.dispose()


def _caller(path: str) -> str:
    return "t_all" if path.startswith(("/api/v1/matters", "/api/stats/matters", "/api/v1/supervision")) else "admin"


def _assert_refused(r: Any) -> None:
    assert 400 <= r.status_code < 500, (r.status_code, r.text[:300])
    assert r.status_code != 401, ("the shared client is no longer logged in", r.text[:300])
    body = r.json()
    assert CJK.search(body["detail"]), body


@pytest.mark.parametrize(
    "case",
    [pytest.param(case, marks=[pytest.mark.engines("sqlite")] if case.mistyped else []) for case in CASES],
    ids=[f"{case.method} {case.path} {case.label}" for case in CASES],
)
def test_a_bad_json_body_is_refused_in_chinese_and_writes_nothing(walk: Walk, case: BadBody) -> None:
    """A mistyped body is refused while FastAPI reads it, before the route's own code runs: PostgreSQL would see
    only the login check, which every other case runs there. So it is sent on SQLite only, where the test checks
    that FastAPI did refuse it while reading it."""
    client = walk.client(case.path)
    before = _state(walk.db)
    read_refusals = walk.read_refusals[0]
    r = client.request(case.method, _url(case.path, walk.ids), json=case.body, headers={"X-CSRF-Token": csrf(client)})
    _assert_refused(r)
    _assert_unchanged(before, walk.db)
    if case.mistyped:
        assert walk.read_refusals[0] == read_refusals + 1, "a mistyped body reached the route's code"


def test_a_body_that_is_not_json_is_refused(walk: Walk) -> None:
    client = walk.clients["admin"]
    before = _state(walk.db)
    r = client.post(
        "/api/v1/units",
        content=b'{"code": "x", ',
        headers={"X-CSRF-Token": csrf(client), "Content-Type": "application/json"},
    )
    _assert_refused(r)
    _assert_unchanged(before, walk.db)


PATH_OPS = sorted({(m, p) for m, p, _, _ in _operations() if "{" in p})


@pytest.mark.parametrize(("method", "path"), PATH_OPS, ids=[f"{m} {p}" for m, p in PATH_OPS])
def test_a_junk_path_id_is_a_4xx(walk: Walk, method: str, path: str) -> None:
    client = walk.client(path)
    before = _state(walk.db)
    for junk in IDS:
        url = re.sub(r"\{\w+\}", junk, path)
        r = client.request(method, url, json={"version": 1}, headers={"X-CSRF-Token": csrf(client)})
        _assert_refused(r)
    _assert_unchanged(before, walk.db)


QUERY_OPS = sorted(
    {
        (p, prm["name"])
        for m, p, op, _ in _operations()
        if m == "GET"
        for prm in op.get("parameters", [])
        if prm["in"] == "query"
    }
)


@pytest.mark.parametrize(("path", "param"), QUERY_OPS, ids=[f"{p} {q}" for p, q in QUERY_OPS])
def test_a_junk_query_parameter_is_refused_or_ignored_but_never_a_500(walk: Walk, path: str, param: str) -> None:
    client = walk.client(path)
    for junk in ["", "\x00", "-1", "9" * 30, "2024-13-45", "'; drop table units; --", "x" * 3000]:
        r = client.get(path, params={param: junk})
        assert r.status_code < 500, (param, junk, r.text[:200])
        if r.status_code >= 400:
            assert r.status_code != 401, ("the shared client is no longer logged in", r.text[:200])
            assert CJK.search(r.json()["detail"])


TEXT = ["", "\x00", "x" * 5000]
IDS_BAD = ["abc", str(2**40), "-1", "999999"]
CODES = [*TEXT, "有中文", "a b"]


def _forms(ids: dict[str, Any]) -> dict[str, tuple[dict[str, Any], dict[str, list[str]]]]:
    """url → (a valid form, {field: values each of which alone makes the form invalid})."""
    return {
        "/admin/units": (
            {"code": "bi-new", "name": "某单位", "kind": "department", "parent_id": ids["fh"]},
            {"code": CODES, "name": TEXT, "kind": ["", "castle", "\x00"], "parent_id": IDS_BAD},
        ),
        "/admin/users": (
            {
                "username": "bi_u",
                "full_name": "某人",
                "unit_id": ids["fh"],
                "password": "Abcdef123",
                "role_ids": ids["clerk"],
            },
            {
                "username": CODES,
                "full_name": TEXT,
                "unit_id": ["", *IDS_BAD],
                "password": ["", "short", "abcdefgh"],
                "role_ids": IDS_BAD,
            },
        ),
        "/admin/roles": (
            {"code": "bi_r", "name": "某角色", "description": "说明"},
            {"code": CODES, "name": TEXT, "description": ["\x00", "x" * 300]},
        ),
        "/account/tokens": (
            {"name": "对接", "days": "30"},
            {"name": TEXT, "days": ["abc", "-1", "0", "99999", "\x00"]},
        ),
        "/account/password": (
            {"old_password": "Zhengwu@2024", "new_password": "Newpass123", "confirm_password": "Newpass123"},
            {"old_password": ["", "wrong"], "new_password": ["", "short"], "confirm_password": ["Other1234"]},
        ),
    }


@pytest.mark.parametrize(
    "url", ["/admin/units", "/admin/users", "/admin/roles", "/account/tokens", "/account/password"]
)
def test_a_form_with_junk_in_any_field_gets_a_chinese_4xx_page_and_writes_nothing(
    app_client: TestClient, db: Database, url: str
) -> None:
    login(app_client, "admin")
    with db.reading() as s:
        ids = {
            "fh": s.scalar(select(Unit.id).where(Unit.code == "fh")),
            "clerk": s.scalar(select(Role.id).where(Role.code == "clerk")),
        }
    valid, bad = _forms(ids)[url]
    before = _state(db)
    for field, values in bad.items():
        for junk in values:
            data = valid | {field: junk, "csrf_token": csrf(app_client)}
            r = app_client.post(url, data=data, follow_redirects=False)
            assert 400 <= r.status_code < 500, (field, junk[:20], r.status_code)
            assert CJK.search(r.text)
    _assert_unchanged(before, db)
    r = app_client.post(url, data=valid | {"csrf_token": csrf(app_client)}, follow_redirects=False)
    assert r.status_code in (200, 303), r.text[:300]  # the valid form itself goes through
