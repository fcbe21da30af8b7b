"""Open311 GeoReport v2 at /open311/v2/: discovery, services and definitions from the categories, the public
request list with every filter and the paging extension, one request, and form-encoded intake under an API key, in
JSON and XML. The public reads publish only public channels, never a 举报, never the reporter; every error is the
spec's error document with 400/403/404 and stores nothing.

Element names are those of the spec (http://wiki.open311.org/GeoReport_v2, "Response" tables).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from tests.conftest import login
from tests.support.open311_data import NAME, PHONE, keys, seed
from zhengwu.core.audit.tables import AuditEntry
from zhengwu.core.db import Database
from zhengwu.core.matters.tables import Matter, MatterEvent
from zhengwu.core.org.tables import ApiToken, User
from zhengwu.core.settings import Settings
from zhengwu.requests.tables import RequestMatter

V2 = "/open311/v2"
REQUEST_FIELDS = [
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
]
SERVICE_FIELDS = ["service_code", "service_name", "description", "metadata", "type", "keywords", "group"]
ATTRIBUTE_FIELDS = [
    "variable",
    "code",
    "datatype",
    "required",
    "datatype_description",
    "order",
    "description",
    "values",
]


@pytest.fixture
def world(settings: Settings, db: Database) -> Iterator[tuple[TestClient, dict[str, int], dict[str, str]]]:
    ids = seed(db)
    api_keys = keys(db)
    from zhengwu.web.app import create_app

    with TestClient(create_app(settings, db)) as client:
        yield client, ids, api_keys


def xml(r: Any) -> ET.Element:
    assert r.headers["content-type"] == "text/xml; charset=utf-8"
    assert r.text.startswith('<?xml version="1.0" encoding="utf-8"?>')
    return ET.fromstring(r.content)  # well-formed, or this raises


def xml_items(root: ET.Element, item: str) -> list[dict[str, str]]:
    return [{child.tag: child.text or "" for child in element} for element in root.findall(item)]


def ids_of(r: Any, fmt: str) -> list[int]:
    if fmt == "json":
        return [doc["service_request_id"] for doc in r.json()]
    return [int(doc["service_request_id"]) for doc in xml_items(xml(r), "request")]


def rows(db: Database) -> tuple[int, ...]:
    with db.reading() as s:
        counts = tuple(s.scalar(select(func.count()).select_from(t)) or 0 for t in (Matter, MatterEvent, AuditEntry))
        used = tuple(s.scalars(select(ApiToken.last_used_at).order_by(ApiToken.id)))
    return (*counts, hash(used))


def errors(r: Any, fmt: str) -> list[tuple[int, str]]:
    if fmt == "json":
        assert r.headers["content-type"] == "application/json; charset=utf-8"
        return [(e["code"], e["description"]) for e in r.json()]
    root = xml(r)
    assert root.tag == "errors"
    return [(int(e.findtext("code") or 0), e.findtext("description") or "") for e in root.findall("error")]


# ------------------------------------------------------------------------------------- discovery, services


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_discovery_names_the_v2_endpoint_and_both_formats(world: Any, fmt: str) -> None:
    client, _, _ = world
    r = client.get(f"{V2}/discovery.{fmt}")
    assert r.status_code == 200
    if fmt == "json":
        doc = r.json()
        endpoint = doc["endpoints"][0]
        formats = endpoint["formats"]
        assert {"changeset", "contact", "key_service", "endpoints"} <= set(doc)
    else:
        root = xml(r)
        assert root.tag == "discovery"
        assert [c.tag for c in root] == ["changeset", "contact", "key_service", "endpoints"]
        endpoint = xml_items(root.find("endpoints"), "endpoint")[0]  # type: ignore[arg-type]
        formats = [f.text for f in root.iter("format")]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"].endswith("/open311/v2") and endpoint["type"] == "production"
    assert sorted(formats) == ["application/json", "text/xml"]


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_services_are_the_active_subject_categories(world: Any, fmt: str) -> None:
    client, _, _ = world
    r = client.get(f"{V2}/services.{fmt}")
    assert r.status_code == 200
    if fmt == "json":
        found = r.json()
        assert all(list(s) == SERVICE_FIELDS for s in found)
    else:
        root = xml(r)
        assert root.tag == "services" and {c.tag for c in root} == {"service"}
        found = xml_items(root, "service")
        assert all(list(s) == SERVICE_FIELDS for s in found)
    by_code = {s["service_code"]: s for s in found}
    assert "complaint" not in by_code and "consult" not in by_code  # request types are an attribute, not services
    road = by_code["traffic.road"]
    assert road["service_name"] == "公路养护" and road["group"] == "交通运输"
    assert road["description"] == "交通运输 › 公路养护"
    assert str(road["metadata"]).lower() == "true" and road["type"] == "realtime"
    assert "紧急安全隐患" in by_code["traffic.safety"]["description"]


def test_a_deactivated_category_is_no_longer_offered(world: Any, db: Database) -> None:
    client, _, _ = world
    from zhengwu.core.db import Actor
    from zhengwu.requests.service.categories import category_by_code

    with db.uow(Actor(None, "测试")) as uow:
        category_by_code(uow.session, "market").active = False
        uow.commit()
    codes = [s["service_code"] for s in client.get(f"{V2}/services.json").json()]
    assert "market" not in codes and "traffic.road" in codes
    assert client.get(f"{V2}/services/market.json").status_code == 404


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_a_service_definition_lists_the_attributes(world: Any, fmt: str) -> None:
    client, _, _ = world
    r = client.get(f"{V2}/services/traffic.safety.{fmt}")
    assert r.status_code == 200
    if fmt == "json":
        doc = r.json()
        attributes = doc["attributes"]
        assert doc["service_code"] == "traffic.safety"
        type_values = [v["key"] for v in attributes[0]["values"]]
    else:
        root = xml(r)
        assert root.tag == "service_definition" and [c.tag for c in root] == ["service_code", "attributes"]
        elements = root.findall("attributes/attribute")
        assert all([c.tag for c in e] == ATTRIBUTE_FIELDS for e in elements)
        attributes = [{c.tag: c.text for c in e} for e in elements]
        type_values = [v.findtext("key") for v in elements[0].findall("values/value")]
    assert [a["code"] for a in attributes] == ["type", "road_code", "km_from", "km_to", "urgent", "urgent_notice"]
    assert type_values == ["consult", "help", "complaint", "report", "suggestion"]
    assert str(attributes[-1]["variable"]).lower() == "false"  # an urgent category's notice, not an input


def test_an_ordinary_category_has_no_urgent_notice(world: Any) -> None:
    client, _, _ = world
    codes = [a["code"] for a in client.get(f"{V2}/services/traffic.road.json").json()["attributes"]]
    assert codes == ["type", "road_code", "km_from", "km_to", "urgent"]


@pytest.mark.parametrize("code", ["nope", "complaint", "traffic.road.x"])
@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_an_unknown_service_is_404(world: Any, code: str, fmt: str) -> None:
    client, _, _ = world
    r = client.get(f"{V2}/services/{code}.{fmt}")
    assert r.status_code == 404
    [(status, description)] = errors(r, fmt)
    assert status == 404 and "service_code" in description


def test_an_unsupported_format_is_404_in_json(world: Any) -> None:
    client, _, _ = world
    r = client.get(f"{V2}/services.html")
    assert r.status_code == 404 and "json" in errors(r, "json")[0][1]


# -------------------------------------------------------------------------------------------- public reads


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_the_list_publishes_public_channels_only_never_a_report_nor_the_reporter(world: Any, fmt: str) -> None:
    client, ids, _ = world
    r = client.get(f"{V2}/requests.{fmt}")
    assert r.status_code == 200
    assert ids_of(r, fmt) == [ids["open_road"], ids["declined"], ids["closed_health"]]  # newest first
    assert r.headers["x-total-count"] == "3"
    assert PHONE not in r.text and NAME not in r.text and "张" not in r.text and "138" not in r.text
    assert "举报内容" not in r.text and "电话反映" not in r.text


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_a_request_maps_status_owner_deadline_and_location(world: Any, fmt: str) -> None:
    client, ids, _ = world
    r = client.get(f"{V2}/requests/{ids['open_road']}.{fmt}")
    assert r.status_code == 200
    if fmt == "json":
        [doc] = r.json()
        assert list(doc) == REQUEST_FIELDS
        assert (doc["lat"], doc["long"], doc["service_notice"]) == (27.95, 109.6, None)
    else:
        root = xml(r)
        assert root.tag == "service_requests"
        [element] = root.findall("request")
        assert [c.tag for c in element] == REQUEST_FIELDS
        [doc] = xml_items(root, "request")
        assert (doc["lat"], doc["long"], doc["service_notice"]) == ("27.95", "109.6", "")
    assert doc["status"] == "open" and doc["status_notes"] == "待受理"
    assert (doc["service_code"], doc["service_name"], doc["agency_responsible"]) == (
        "traffic.road",
        "公路养护",
        "凤凰县",
    )
    assert doc["requested_datetime"] == "2024-06-20T01:00:00Z" and doc["updated_datetime"] == "2024-06-20T01:00:00Z"
    assert doc["address"] == "拉尔山乌巢河至大马段 S256 K12+300–K27+900"
    assert doc["description"] == "S256 拉尔山段路面湿滑，多处坑槽。联系电话 ***"


def test_closed_and_declined_requests(world: Any) -> None:
    client, ids, _ = world
    [health] = client.get(f"{V2}/requests/{ids['closed_health']}.json").json()
    assert (health["status"], health["status_notes"], health["agency_responsible"]) == (
        "closed",
        "已办结",
        "凤凰县卫生健康局",
    )
    assert health["expected_datetime"] is not None and health["expected_datetime"].endswith("Z")
    [declined] = client.get(f"{V2}/requests/{ids['declined']}.json").json()
    assert (declined["status"], declined["status_notes"]) == ("closed", "不予受理：重复反映")
    assert declined["description"] is None  # never vetted: not republished


@pytest.mark.parametrize("name", ["phone", "report"])
@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_an_unpublished_request_is_404(world: Any, name: str, fmt: str) -> None:
    client, ids, _ = world
    r = client.get(f"{V2}/requests/{ids[name]}.{fmt}")
    assert r.status_code == 404 and errors(r, fmt)[0][0] == 404


@pytest.mark.parametrize("rid", ["999999", "0", "abc", "99999999999"])
def test_an_unknown_request_is_404(world: Any, rid: str) -> None:
    client, _, _ = world
    assert client.get(f"{V2}/requests/{rid}.json").status_code == 404


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_service_request_id_lists_overrides_every_other_filter(world: Any, fmt: str) -> None:
    client, ids, _ = world
    wanted = f"{ids['old']},{ids['phone']}, {ids['closed_health']}"
    r = client.get(f"{V2}/requests.{fmt}", params={"service_request_id": wanted, "status": "open", "page_size": "x"})
    assert r.status_code == 200
    assert sorted(ids_of(r, fmt)) == sorted([ids["old"], ids["closed_health"]])  # the phone one is not public


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"service_code": "health"}, ["closed_health"]),
        ({"service_code": "traffic.road,health"}, ["open_road", "declined", "closed_health"]),
        ({"status": "open"}, ["open_road"]),
        ({"status": "closed"}, ["declined", "closed_health"]),
        ({"status": "open,closed"}, ["open_road", "declined", "closed_health"]),
        ({"start_date": "2024-06-12T00:00:00Z"}, ["open_road", "declined"]),
        ({"end_date": "2024-06-16"}, ["declined", "closed_health"]),
        ({"start_date": "2024-02-01T00:00:00+08:00", "end_date": "2024-03-01T00:00:00+08:00"}, ["old"]),
        ({"start_date": "2024-06-10", "end_date": "2024-06-10"}, ["closed_health"]),
        ({"status": "", "service_code": ""}, ["open_road", "declined", "closed_health"]),  # empty = absent
    ],
)
def test_filters(world: Any, params: dict[str, str], expected: list[str]) -> None:
    client, ids, _ = world
    for fmt in ("json", "xml"):
        r = client.get(f"{V2}/requests.{fmt}", params=params)
        assert r.status_code == 200, r.text
        assert ids_of(r, fmt) == [ids[n] for n in expected]


def test_a_repeated_parameter_counts_as_a_comma_list(world: Any) -> None:
    client, ids, _ = world
    r = client.get(f"{V2}/requests.json?service_code=health&service_code=traffic.road&status=closed")
    assert ids_of(r, "json") == [ids["declined"], ids["closed_health"]]


def test_paging_extension(world: Any) -> None:
    client, ids, _ = world
    pages = [client.get(f"{V2}/requests.json", params={"page": p, "page_size": 2}) for p in (1, 2, 3)]
    assert [ids_of(r, "json") for r in pages] == [[ids["open_road"], ids["declined"]], [ids["closed_health"]], []]
    assert {r.headers["x-total-count"] for r in pages} == {"3"}
    r = client.get(f"{V2}/requests.xml", params={"page": 2, "page_size": 1})
    assert ids_of(r, "xml") == [ids["declined"]]


@pytest.mark.parametrize(
    ("params", "param"),
    [
        ({"start_date": "2024-13-01T00:00:00Z"}, "start_date"),
        ({"start_date": "yesterday"}, "start_date"),
        ({"start_date": "2024-06-01T00:00:00"}, "start_date"),  # no time zone
        ({"end_date": "2024-02-30"}, "end_date"),
        ({"start_date": "2024-06-20T00:00:00Z", "end_date": "2024-06-01T00:00:00Z"}, "end_date"),
        ({"start_date": "2024-01-01T00:00:00Z", "end_date": "2024-06-01T00:00:00Z"}, "end_date"),  # over 90 days
        ({"status": "pending"}, "status"),
        ({"service_code": "traffic.road,nope"}, "service_code"),
        ({"page_size": "1001"}, "page_size"),
        ({"page_size": "0"}, "page_size"),
        ({"page": "-1"}, "page"),
        ({"page": "１"}, "page"),
        ({"service_request_id": "1,x"}, "service_request_id"),
        ({"service_request_id": ",".join(str(i) for i in range(1, 102))}, "service_request_id"),
    ],
)
@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_bad_query_arguments_are_400_naming_the_parameter(
    world: Any, params: dict[str, str], param: str, fmt: str
) -> None:
    client, _, _ = world
    r = client.get(f"{V2}/requests.{fmt}", params=params)
    assert r.status_code == 400
    [(code, description)] = errors(r, fmt)
    assert code == 400 and description.startswith(f"{param}：")


# ------------------------------------------------------------------------------------------------ intake


def form(**changes: str) -> dict[str, str]:
    data = {
        "service_code": "traffic.road",
        "lat": "27.95",
        "long": "109.6",
        "address_string": "拉尔山乌巢河至大马段",
        "description": "S256 K15+000 处护栏缺失",
        "first_name": "三丰",
        "last_name": "张",
        "phone": PHONE,
        "email": "zhang@example.cn",
        "device_id": "dev-1",
        "attribute[type]": "help",
        "attribute[road_code]": "S256",
        "attribute[km_from]": "K15+000",
        "attribute[km_to]": "K15+000",
        "attribute[urgent]": "true",
        "media_url": "https://example.cn/photo.jpg",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_a_client_posts_a_request_under_its_key(world: Any, db: Database, fmt: str) -> None:
    client, _, api_keys = world
    r = client.post(f"{V2}/requests.{fmt}", data={"api_key": api_keys["o311_client"], **form()})
    assert r.status_code == 201, r.text
    if fmt == "json":
        [doc] = r.json()
        assert list(doc) == ["service_request_id", "service_notice", "account_id"] and doc["account_id"] is None
    else:
        root = xml(r)
        [element] = root.findall("request")
        assert root.tag == "service_requests"
        assert [c.tag for c in element] == ["service_request_id", "service_notice", "account_id"]
        doc = {c.tag: c.text for c in element}
    rid = int(doc["service_request_id"])
    assert "诉-2024-" in doc["service_notice"] and "2 个工作小时" in doc["service_notice"]
    with db.reading() as s:
        req = s.get(RequestMatter, rid)
        assert req is not None
        assert (req.channel, req.type.value, req.urgent, req.road_code, req.km_from) == (
            "open311",
            "help",
            True,
            "S256",
            15000,
        )
        assert (req.reporter_name, req.reporter_phone, req.anonymous) == (NAME, PHONE, False)
        history = " ".join(e.note for e in s.scalars(select(MatterEvent).where(MatterEvent.matter_id == rid)))
        assert "https://example.cn/photo.jpg" in history
        everything = " ".join(f"{a.before} {a.after}" for a in s.scalars(select(AuditEntry)))
        assert "zhang@example.cn" not in history + everything and "dev-1" not in everything
        client_id = select(User.id).where(User.username == "o311_client").scalar_subquery()
        used = s.scalars(select(ApiToken.last_used_at).where(ApiToken.user_id == client_id)).all()
    [public] = client.get(f"{V2}/requests/{rid}.json").json()
    assert public["status"] == "open" and PHONE not in str(public) and public["media_url"] is None
    assert used == [used[0]] and used[0] is not None  # the key's last use is recorded with the request


def test_without_name_and_phone_the_request_is_anonymous(world: Any, db: Database) -> None:
    client, _, api_keys = world
    data = {"api_key": api_keys["o311_client"], **form(first_name="", last_name="", phone="")}
    data = {k: v for k, v in data.items() if k not in ("first_name", "last_name", "phone", "media_url")}
    r = client.post(f"{V2}/requests.json", data=data)
    assert r.status_code == 201, r.text
    with db.reading() as s:
        req = s.get(RequestMatter, r.json()[0]["service_request_id"])
        assert req is not None and req.anonymous and req.reporter_phone is None


def test_a_report_is_received_but_never_published(world: Any) -> None:
    client, _, api_keys = world
    r = client.post(
        f"{V2}/requests.json", data={"api_key": api_keys["o311_client"], **form(**{"attribute[type]": "举报"})}
    )
    assert r.status_code == 201, r.text
    assert "不公开" in r.json()[0]["service_notice"]
    assert client.get(f"{V2}/requests/{r.json()[0]['service_request_id']}.json").status_code == 404


def test_a_machine_client_needs_no_csrf_token_and_a_browser_session_is_no_key(world: Any) -> None:
    client, _, api_keys = world
    client.cookies.clear()
    assert client.post(f"{V2}/requests.json", data={"api_key": api_keys["o311_client"], **form()}).status_code == 201
    login(client, "r_hotline", "Secret123")  # a logged-in session does not stand in for the key
    r = client.post(f"{V2}/requests.json", data=form())
    assert r.status_code == 403 and "api_key" in errors(r, "json")[0][1]


def _revoked(db: Database) -> str:
    from tests.support.open311_data import keys as new_keys
    from zhengwu.core.db import Actor

    key = new_keys(db)["o311_client"]
    with db.uow(Actor(None, "测试")) as uow:
        latest = uow.session.scalar(select(ApiToken).where(ApiToken.prefix == key[:10]).order_by(ApiToken.id.desc()))
        assert latest is not None
        latest.revoked_at = uow.clock.now()
        uow.commit()
    return key


LONG = "路" * 4001
BAD_POSTS: list[tuple[str, dict[str, str | None], int, str]] = [
    ("no key", {"api_key": None}, 403, "api_key"),
    ("bad key", {"api_key": "zw_not-a-key"}, 403, "api_key"),
    ("key without the grant", {"api_key": "viewer"}, 403, "api_key"),
    ("revoked key", {"api_key": "revoked"}, 403, "api_key"),
    ("no service_code", {"service_code": None}, 400, "service_code"),
    ("unknown service_code", {"service_code": "nope"}, 404, "service_code"),
    ("a request type is no service", {"service_code": "complaint"}, 404, "service_code"),
    ("no location", {"lat": None, "long": None, "address_string": None}, 400, "lat/long"),
    ("address_id only", {"lat": None, "long": None, "address_string": None, "address_id": "7"}, 400, "lat/long"),
    ("lat without long", {"long": None}, 400, "long"),
    ("lat not a number", {"lat": "北纬27"}, 400, "lat"),
    ("lat not finite", {"lat": "nan"}, 400, "lat"),
    ("outside China", {"lat": "51.5", "long": "-0.12"}, 400, "lat"),
    ("HTML in the description", {"description": "<script>alert(1)</script>护栏"}, 400, "description"),
    ("description too long", {"description": LONG}, 400, "description"),
    ("no description", {"description": None}, 400, "description"),
    ("HTML in the address", {"address_string": "<b>S256</b>"}, 400, "address_string"),
    ("unknown attribute", {"attribute[colour]": "红"}, 400, "attribute[colour]"),
    ("attribute with two values", {"attribute[type][]": "help"}, 400, "attribute[type]"),
    ("bad type", {"attribute[type]": "praise"}, 400, "attribute[type]"),
    ("bad urgent", {"attribute[urgent]": "maybe"}, 400, "attribute[urgent]"),
    ("bad road code", {"attribute[road_code]": "S256A"}, 400, "attribute[road_code]"),
    ("km range reversed", {"attribute[km_from]": "K27+900", "attribute[km_to]": "K12+300"}, 400, "attribute[km_to]"),
    ("km without road", {"attribute[road_code]": ""}, 400, "attribute[road_code]"),
    ("name without phone", {"phone": None}, 400, "phone"),
    ("bad phone", {"phone": "call me"}, 400, "phone"),
    ("HTML in the name", {"first_name": "<i>三</i>"}, 400, "first_name/last_name"),
    ("bad media_url", {"media_url": "javascript:alert(1)"}, 400, "media_url"),
]


@pytest.mark.parametrize(("case", "changes", "status", "param"), BAD_POSTS, ids=[c[0] for c in BAD_POSTS])
@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_a_bad_post_is_refused_in_the_spec_format_and_stores_nothing(
    world: Any, db: Database, case: str, changes: dict[str, str | None], status: int, param: str, fmt: str
) -> None:
    client, _, api_keys = world
    wanted = changes.get("api_key", "client")
    key = {"client": api_keys["o311_client"], "viewer": api_keys["o311_viewer"]}.get(str(wanted), wanted)
    if wanted == "revoked":
        key = _revoked(db)
    data = {**form(), "api_key": key, **{k: v for k, v in changes.items() if k != "api_key"}}
    before = rows(db)
    r = client.post(f"{V2}/requests.{fmt}", data={k: v for k, v in data.items() if v is not None})
    assert r.status_code == status, r.text
    [(code, description)] = errors(r, fmt)
    assert code == status and description.startswith(f"{param}："), description
    assert rows(db) == before


@pytest.mark.parametrize(
    ("send", "message"),
    [
        ({"json": {"service_code": "traffic.road"}}, "x-www-form-urlencoded"),
        ({"content": "api_key=a&api_key=b", "headers": {"content-type": "application/x-www-form-urlencoded"}}, "重复"),
        ({"files": {"photo": ("a.jpg", b"\xff\xd8", "image/jpeg")}, "data": {"api_key": "k"}}, "表单"),
    ],
)
def test_a_malformed_post_is_400(world: Any, db: Database, send: dict[str, Any], message: str) -> None:
    client, _, _ = world
    before = rows(db)
    r = client.post(f"{V2}/requests.json", **send)
    assert r.status_code == 400, r.text
    assert message in errors(r, "json")[0][1]
    assert rows(db) == before


def test_a_post_with_a_duplicated_field_is_400(world: Any, db: Database) -> None:
    client, _, api_keys = world
    body = (
        f"api_key={api_keys['o311_client']}&service_code=traffic.road&lat=27.9&long=109.6&description=a&description=b"
    )
    before = rows(db)
    r = client.post(f"{V2}/requests.json", content=body, headers={"content-type": "application/x-www-form-urlencoded"})
    assert r.status_code == 400 and errors(r, "json")[0][1].startswith("description：")
    assert rows(db) == before
