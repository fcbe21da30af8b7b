"""Open311 from the outside: the ``georeport`` client from PyPI (a dev dependency, nothing installed at test time)
reads services, a service definition, a filtered request list and one request from a real uvicorn server on a
loopback port, in JSON and in XML; a form-encoded POST made with httpx over real HTTP creates a request that the
client then reads back.

The server runs on a copy of the seeded SQLite database with the Open311 test records (tests/support/open311_data)
and a clock standing at the seed's day, 2024-06-20 09:00 Beijing time.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from georeport import GeoReport

from tests.support.live_server import serve
from tests.support.open311_data import PHONE, keys, seed
from zhengwu.core.clock import FakeClock
from zhengwu.core.db import Database
from zhengwu.core.settings import Settings
from zhengwu.web.app import create_app


@pytest.fixture(scope="module")
def server(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """The app under uvicorn in a background thread; yields its Open311 root, the records' ids and a key."""
    target = tmp_path_factory.mktemp("open311") / "zhengwu.db"
    shutil.copy(sqlite_template, target)
    url = f"sqlite:///{target}"
    db = Database(url, FakeClock(datetime(2024, 6, 20, 1, 0, tzinfo=UTC)))
    ids = seed(db)
    api_key = keys(db)["o311_client"]
    settings = Settings(database_url=url, secret_key="open311-test-secret", _env_file=None)  # type: ignore[call-arg]
    app = create_app(settings, db)
    with pytest.MonkeyPatch.context() as mp:
        for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
            mp.delenv(name, raising=False)
        mp.setenv("NO_PROXY", "127.0.0.1,localhost")
        try:
            with serve(app, "open311-test-server") as port:
                yield {"root": f"http://127.0.0.1:{port}/open311/v2", "ids": ids, "key": api_key}
        finally:
            db.dispose()


def as_list(value: Any) -> list[Any]:
    """xmltodict gives a dict for a single repeated element and a list for several."""
    return value if isinstance(value, list) else [value]


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_georeport_reads_the_services_and_a_definition(server: dict[str, Any], fmt: str) -> None:
    client = GeoReport(server["root"], output_format=fmt)
    services = {s["service_code"]: s for s in as_list(client.get_service_list())}
    assert services["traffic.road"]["service_name"] == "公路养护"
    assert services["traffic.road"]["group"] == "交通运输"
    definition = client.get_service_definition("traffic.road")
    assert definition["service_code"] == "traffic.road"
    attributes = definition["attributes"] if fmt == "json" else as_list(definition["attributes"]["attribute"])
    assert [a["code"] for a in attributes] == ["type", "road_code", "km_from", "km_to", "urgent"]


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_georeport_reads_a_filtered_list_and_one_request(server: dict[str, Any], fmt: str) -> None:
    client = GeoReport(server["root"], output_format=fmt)
    ids = server["ids"]
    found = as_list(
        client.get_service_requests(
            service_code="traffic.road,health",
            status="closed",
            start_date="2024-06-01T00:00:00Z",
            end_date="2024-06-20T23:59:59+08:00",
        )
    )
    assert [int(r["service_request_id"]) for r in found] == [ids["declined"], ids["closed_health"]]
    assert all(r["status"] == "closed" for r in found)
    one = client.get_service_request(str(ids["open_road"]))
    assert int(one["service_request_id"]) == ids["open_road"]
    assert (one["status"], one["status_notes"], one["service_code"]) == ("open", "待受理", "traffic.road")
    assert one["requested_datetime"] == "2024-06-20T01:00:00Z"
    assert PHONE not in str(one)


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_a_form_encoded_post_over_http_is_read_back_by_georeport(server: dict[str, Any], fmt: str) -> None:
    form = {
        "api_key": server["key"],
        "service_code": "traffic.road",
        "lat": "27.95",
        "long": "109.6",
        "description": "S256 K20+100 边坡落石",
        "phone": PHONE,
        "attribute[road_code]": "S256",
        "attribute[km_from]": "K20+100",
        "attribute[km_to]": "K20+100",
    }
    with httpx.Client(trust_env=False, timeout=30) as http:
        r = http.post(f"{server['root']}/requests.{fmt}", data=form)
        assert r.status_code == 201, r.text
        assert r.headers["content-type"].startswith("application/json" if fmt == "json" else "text/xml")
        denied = http.post(f"{server['root']}/requests.{fmt}", data={**form, "api_key": "zw_wrong"})
        assert denied.status_code == 403
    if fmt == "json":
        rid = r.json()[0]["service_request_id"]
    else:
        rid = int(r.text.split("<service_request_id>")[1].split("<")[0])
    back = GeoReport(server["root"], output_format=fmt).get_service_request(str(rid))
    assert back["address"] == "S256 K20+100" and back["description"] == "S256 K20+100 边坡落石"
    assert back["status"] == "open"
