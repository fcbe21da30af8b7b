"""Open311 GeoReport v2, pure: the documents the API returns (as plain dicts and lists, written out as JSON or as
the spec's XML), the open/closed status mapping and the service definition's attributes. No database, no web framework.

Spec: http://wiki.open311.org/GeoReport_v2 (and /Service_Discovery). Datetimes go out in UTC with ``Z``
(``2024-06-20T01:00:00Z``). The arguments of the two calls that take some are parsed in ``query`` (GET
requests) and ``form`` (POST requests).
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from zhengwu.requests.model import Channel, DeclineReason, RequestType, State, format_km

SPEC = "http://wiki.open311.org/GeoReport_v2"
FORMATS = {"json": "application/json; charset=utf-8", "xml": "text/xml; charset=utf-8"}
BEIJING = ZoneInfo("Asia/Shanghai")

#: Requests published by the public GETs: only those that citizens sent in themselves, never a 举报.
PUBLIC_CHANNELS = (Channel.OPEN311.value, Channel.WEB.value)
UNPUBLISHED_TYPES = (RequestType.REPORT,)
#: Open311 ``closed`` means "it has been resolved": resolved (awaiting call-back), closed, declined.
CLOSED_STATES = frozenset({State.RESOLVED.value, State.CLOSED.value, State.DECLINED.value})

DEFAULT_WINDOW = timedelta(days=90)  # the spec's default and largest start_date–end_date span
MAX_PAGE_SIZE = 1000  # the spec's "first 1000 requests"; also the page_size extension's upper bound
MAX_IDS = 100
MAX_MEDIA_URL = 500


class Open311Error(Exception):
    """An error the API reports as ``[{"code": …, "description": …}]`` with the same HTTP status."""

    def __init__(self, code: int, description: str) -> None:
        super().__init__(description)
        self.code = code
        self.description = description


def bad(param: str, message: str) -> Open311Error:
    """A 400 naming the offending parameter first.

    >>> bad("lat", "应为数字。").description
    'lat：应为数字。'
    """
    return Open311Error(400, f"{param}：{message}")


# ------------------------------------------------------------------------------------------ values out


def w3c(moment: datetime | None) -> str | None:
    """A datetime in the spec's W3C form, in UTC with ``Z``, to the second.

    >>> w3c(datetime(2024, 6, 20, 9, 30, 15, 123, tzinfo=BEIJING))
    '2024-06-20T01:30:15Z'
    >>> w3c(None) is None
    True
    """
    if moment is None:
        return None
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def public_status(state: str, decline_reason: str | None = None) -> tuple[str, str]:
    """``open``/``closed`` and the detailed hotline state for ``status_notes``.

    >>> public_status("handling"), public_status("resolved")
    (('open', '办理中'), ('closed', '已办结'))
    >>> public_status("declined", "duplicate")
    ('closed', '不予受理：重复反映')
    """
    note = State(state).label
    if state == State.DECLINED and decline_reason:
        note = f"{note}：{DeclineReason(decline_reason).label}"
    return ("closed" if state in CLOSED_STATES else "open"), note


SENSITIVE = re.compile(
    r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+"  # e-mail
    r"|\d{17}[\dXx]"  # resident identity card number
    r"|1[3-9]\d[ -]?\d{4}[ -]?\d{4}"  # mobile phone
    r"|0\d{2,3}-\d{7,8}"  # landline with area code
    r"|\d{7,}"  # any other long run of digits
)


def redact(text: str) -> str:
    """What the public GETs show of a description: phone numbers, ID numbers and e-mail addresses masked.

    >>> redact("S256 K12+300 路面湿滑，联系 138 1234 5678 或 0743-8221234，邮箱 li@example.cn")
    'S256 K12+300 路面湿滑，联系 *** 或 ***，邮箱 ***'
    >>> redact("2024-06-20 发现，身份证 43312219800101123X")
    '2024-06-20 发现，身份证 ***'
    """
    return SENSITIVE.sub("***", text)


def location_text(address: str, road_code: str, km_from: int | None, km_to: int | None) -> str:
    """The ``address`` of a request: the address, then the road and kilometre range.

    >>> location_text("拉尔山乌巢河至大马段", "S256", 12300, 27900)
    '拉尔山乌巢河至大马段 S256 K12+300–K27+900'
    >>> location_text("", "S256", 500, 500), location_text("", "", None, None)
    ('S256 K0+500', '')
    """
    road = road_code
    if road and km_from is not None:
        road += f" {format_km(km_from)}"
        if km_to is not None and km_to != km_from:
            road += f"–{format_km(km_to)}"
    return " ".join(part for part in (address, road) if part)


# ------------------------------------------------------------------------------------- documents out


def discovery_doc(url: str, changeset: str) -> dict[str, Any]:
    return {
        "changeset": changeset,
        "contact": "请联系本平台管理员或当地 12345 政务服务便民热线。",
        "key_service": "对接系统的 API 密钥由平台管理员签发：为对接系统建立服务账号并授予“登记群众诉求”权限，"
        "再在该账号的“API 令牌”页创建令牌。",
        "endpoints": [
            {
                "specification": SPEC,
                "url": url,
                "changeset": changeset,
                "type": "production",
                "formats": ["text/xml", "application/json"],
            }
        ],
    }


@dataclass(frozen=True)
class Attribute:
    """One attribute of a service definition (spec: GET Service Definition)."""

    code: str
    datatype: str
    description: str
    order: int
    required: bool = False
    variable: bool = True
    values: tuple[tuple[str, str], ...] = ()
    datatype_description: str = ""

    def doc(self) -> dict[str, Any]:
        return {
            "variable": self.variable,
            "code": self.code,
            "datatype": self.datatype,
            "required": self.required,
            "datatype_description": self.datatype_description or None,
            "order": self.order,
            "description": self.description,
            "values": [{"key": k, "name": n} for k, n in self.values],
        }


YES_NO = (("false", "否"), ("true", "是"))
ATTRIBUTES = (
    Attribute(
        "type",
        "singlevaluelist",
        "诉求类型。不填按“投诉”登记；举报类诉求不在公开查询中出现。",
        1,
        values=tuple((t.value, t.label) for t in RequestType),
    ),
    Attribute(
        "road_code",
        "string",
        "路线编号（问题在公路上时填写），如 S256、G209。",
        2,
        datatype_description="G/S/X/Y/C/Z 加 1 到 4 位数字",
    ),
    Attribute(
        "km_from",
        "string",
        "起点桩号，如 K12+300；填写时须同时填写路线编号和止点桩号。",
        3,
        datatype_description="K 公里数 + 三位米数",
    ),
    Attribute(
        "km_to", "string", "止点桩号，如 K27+900；单点问题起止填同一桩号。", 4, datatype_description="不小于起点桩号"
    ),
    Attribute("urgent", "singlevaluelist", "是否紧急安全隐患（是：2 个工作小时内处置）。不填为否。", 5, values=YES_NO),
)
URGENT_NOTICE = Attribute(
    "urgent_notice", "string", "本类问题一律按紧急安全隐患处理，2 个工作小时内处置。", 6, variable=False
)


def definition_doc(service_code: str, urgent_category: bool) -> dict[str, Any]:
    """The service definition: the attributes every service takes, plus a notice for urgent categories.

    >>> [a["code"] for a in definition_doc("traffic.safety", True)["attributes"]]
    ['type', 'road_code', 'km_from', 'km_to', 'urgent', 'urgent_notice']
    """
    attributes = [*ATTRIBUTES, URGENT_NOTICE] if urgent_category else list(ATTRIBUTES)
    return {"service_code": service_code, "attributes": [a.doc() for a in attributes]}


@dataclass(frozen=True)
class PublicRequest:
    """What the public may know of a request: no reporter, no result text, the description redacted."""

    id: int
    state: str
    decline_reason: str | None
    service_code: str
    service_name: str
    description: str
    agency: str
    requested: datetime
    updated: datetime | None
    expected: datetime | None
    address: str
    road_code: str
    km_from: int | None
    km_to: int | None
    latitude: float | None
    longitude: float | None


def request_doc(r: PublicRequest) -> dict[str, Any]:
    """One ``request`` of ``GET requests``. A declined request's text is withheld: nobody vetted it."""
    status, notes = public_status(r.state, r.decline_reason)
    return {
        "service_request_id": r.id,
        "status": status,
        "status_notes": notes,
        "service_name": r.service_name,
        "service_code": r.service_code,
        "description": None if r.state == State.DECLINED else redact(r.description),
        "agency_responsible": r.agency,
        "service_notice": None,
        "requested_datetime": w3c(r.requested),
        "updated_datetime": w3c(r.updated or r.requested),
        "expected_datetime": w3c(r.expected),
        "address": location_text(r.address, r.road_code, r.km_from, r.km_to) or None,
        "address_id": None,
        "zipcode": None,
        "lat": r.latitude,
        "long": r.longitude,
        "media_url": None,
    }


def errors_doc(error: Open311Error) -> list[dict[str, Any]]:
    return [{"code": error.code, "description": error.description}]


# ---------------------------------------------------------------------------------------- serialisation

#: The spec's XML names the items of each list after the list (Spark convention).
LIST_ITEMS = {
    "services": "service",
    "service_requests": "request",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
    "errors": "error",
}
XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def to_json(value: Any) -> str:
    """
    >>> to_json([{"code": 400, "description": "说明"}])
    '[{"code": 400, "description": "说明"}]'
    """
    return json.dumps(value, ensure_ascii=False)


def to_xml(root: str, value: Any) -> str:
    """The document as the spec's XML: lists become repeated items, ``None`` an empty element, booleans
    ``true``/``false``; characters XML 1.0 cannot carry are dropped.

    >>> print(to_xml("errors", [{"code": 403, "description": "缺少 api_key"}]))
    <?xml version="1.0" encoding="utf-8"?>
    <errors><error><code>403</code><description>缺少 api_key</description></error></errors>
    >>> to_xml("service_definition", {"required": True, "datatype_description": None}).splitlines()[1]
    '<service_definition><required>true</required><datatype_description /></service_definition>'
    """
    element = ET.Element(root)
    _fill(element, value)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(element, encoding="unicode")


def _fill(element: ET.Element, value: Any) -> None:
    if isinstance(value, list):
        item = LIST_ITEMS[element.tag]
        for v in value:
            _fill(ET.SubElement(element, item), v)
    elif isinstance(value, dict):
        for key, v in value.items():
            _fill(ET.SubElement(element, key), v)
    elif isinstance(value, bool):
        element.text = "true" if value else "false"
    elif value is not None:
        element.text = XML_ILLEGAL.sub("", str(value))


def render(fmt: str, root: str, value: Any) -> str:
    return to_json(value) if fmt == "json" else to_xml(root, value)
