"""The arguments of ``POST requests``, pure: form pairs → a ``Submission`` for intake, or a 400 naming the
parameter. What intake itself checks (lengths, HTML, China's bounding box, the km range, the phone) is left to it;
``PARAM_OF`` turns its field names back into Open311 parameter names.

Mapping: ``service_code`` → the subject category; ``lat``/``long`` → latitude/longitude; ``address_string`` →
address; ``description``; ``last_name`` + ``first_name`` → the reporter's name and ``phone`` → their phone (both
encrypted at rest; with neither the request is anonymous); ``attribute[type|road_code|km_from|km_to|urgent]``
(see ``model.ATTRIBUTES``); ``media_url`` → a line in the request's history for staff, never republished.
``email``, ``device_id``, ``account_id``, ``address_id`` and ``jurisdiction_id`` are not stored.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from zhengwu.requests.model import RequestType
from zhengwu.requests.open311.model import ATTRIBUTES, MAX_MEDIA_URL, bad

#: Intake's field names → the Open311 parameter a client sent.
PARAM_OF = {
    "category_id": "service_code",
    "description": "description",
    "title": "description",
    "address": "address_string",
    "latitude": "lat",
    "longitude": "long",
    "road_code": "attribute[road_code]",
    "km_from": "attribute[km_from]",
    "km_to": "attribute[km_to]",
    "type": "attribute[type]",
    "reporter_name": "first_name/last_name",
    "reporter_phone": "phone",
    "anonymous": "phone",
}
SCALARS = frozenset(
    {
        "api_key",
        "jurisdiction_id",
        "service_code",
        "lat",
        "long",
        "address_string",
        "address_id",
        "email",
        "device_id",
        "account_id",
        "first_name",
        "last_name",
        "phone",
        "description",
        "media_url",
    }
)
ATTRIBUTE_KEY = re.compile(r"attribute\[([^\[\]]*)\](\[\])?")
VARIABLE = {a.code: a for a in ATTRIBUTES if a.variable}
CJK = re.compile(r"[\u3400-\u9fff]")


@dataclass(frozen=True)
class Submission:
    service_code: str
    description: str
    latitude: float | None
    longitude: float | None
    address: str
    reporter_name: str
    phone: str
    media_url: str
    type: RequestType = RequestType.COMPLAINT
    road_code: str = ""
    km_from: str | None = None
    km_to: str | None = None
    urgent: bool = False


def reporter_name(first: str, last: str) -> str:
    """The reporter's name: family name first for Chinese names, ``first last`` otherwise.

    >>> reporter_name("三丰", "张"), reporter_name("Ann", "Lee"), reporter_name("", "")
    ('张三丰', 'Ann Lee', '')
    """
    first, last = first.strip(), last.strip()
    if CJK.search(first + last):
        return last + first
    return f"{first} {last}".strip()


def _coordinate(text: str, param: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise bad(param, f"应为十进制度数（WGS84），收到“{text[:30]}”。") from None
    if not math.isfinite(value):
        raise bad(param, "应为有限的十进制度数。")
    return value


def _media_url(text: str) -> str:
    parts = urlsplit(text)
    if (
        len(text) > MAX_MEDIA_URL
        or parts.scheme not in ("http", "https")
        or not parts.netloc
        or any(ch.isspace() or ord(ch) < 32 for ch in text)
    ):
        raise bad("media_url", f"应为不超过 {MAX_MEDIA_URL} 个字符的 http(s) 网址。")
    return text


def _attributes(pairs: Sequence[tuple[str, str]]) -> dict[str, str]:
    found: dict[str, str] = {}
    for key, raw in pairs:
        m = ATTRIBUTE_KEY.fullmatch(key)
        if m is None:
            if key.startswith("attribute"):
                raise bad(key[:60], "属性参数应写作 attribute[代码]=值。")
            continue
        code = m[1]
        if code not in VARIABLE:
            raise bad(f"attribute[{code[:40]}]", f"未知的属性，可用：{'、'.join(VARIABLE)}。")
        if m[2] or code in found:
            raise bad(f"attribute[{code}]", "只能填一个值。")
        attribute = VARIABLE[code]
        value = raw.strip()
        if value and attribute.values:
            keys = {k: k for k, _ in attribute.values} | {n: k for k, n in attribute.values}
            if value not in keys:
                options = "、".join(f"{k}（{n}）" for k, n in attribute.values)
                raise bad(f"attribute[{code}]", f"“{value[:40]}”不是可选值，可选：{options}。")
            value = keys[value]
        found[code] = value
    return found


def parse_submission(pairs: Sequence[tuple[str, str]]) -> Submission:
    """The request a client posted, or a 400 naming the parameter.

    >>> s = parse_submission([("service_code", "traffic.road"), ("lat", "27.95"), ("long", "109.6"),
    ...     ("description", "路面坑槽"), ("first_name", "三丰"), ("last_name", "张"), ("phone", "13812345678"),
    ...     ("attribute[type]", "求助"), ("attribute[road_code]", "S256"), ("email", "x@example.cn")])
    >>> s.type, s.road_code, s.reporter_name, s.latitude
    (<RequestType.HELP: 'help'>, 'S256', '张三丰', 27.95)
    >>> parse_submission([("service_code", "traffic.road"), ("address_id", "77")])
    Traceback (most recent call last):
    ...
    zhengwu.requests.open311.model.Open311Error: lat/long：请提供位置：lat 和 long，或 address_string（不支持 address_id）。
    """  # noqa: E501
    seen: dict[str, str] = {}
    for key, value in pairs:
        if key in SCALARS:
            if key in seen:
                raise bad(key, "参数重复，只能提交一次。")
            seen[key] = value.strip()
    attributes = _attributes(pairs)
    code = seen.get("service_code", "")
    if not code:
        raise bad("service_code", "必须填写服务代码（见 services.json）。")
    lat, lon = seen.get("lat", ""), seen.get("long", "")
    if bool(lat) != bool(lon):
        raise bad("long" if lat else "lat", "lat 和 long 须同时提供。")
    address = seen.get("address_string", "")
    if not lat and not address:
        raise bad("lat/long", "请提供位置：lat 和 long，或 address_string（不支持 address_id）。")
    media = seen.get("media_url", "")
    return Submission(
        service_code=code,
        description=seen.get("description", ""),
        latitude=_coordinate(lat, "lat") if lat else None,
        longitude=_coordinate(lon, "long") if lon else None,
        address=address,
        reporter_name=reporter_name(seen.get("first_name", ""), seen.get("last_name", "")),
        phone=seen.get("phone", ""),
        media_url=_media_url(media) if media else "",
        type=RequestType(attributes.get("type") or RequestType.COMPLAINT),
        road_code=attributes.get("road_code", ""),
        km_from=attributes.get("km_from") or None,
        km_to=attributes.get("km_to") or None,
        urgent=attributes.get("urgent") == "true",
    )
