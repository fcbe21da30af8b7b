"""The arguments of ``GET requests``, pure: the W3C datetimes of ``start_date``/``end_date`` and the filters,
with the spec's defaults (the last 90 days, at most 1000 requests) and the ``page``/``page_size`` extension."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from zhengwu.requests.open311.model import BEIJING, DEFAULT_WINDOW, MAX_IDS, MAX_PAGE_SIZE, bad

DATE_ONLY = re.compile(r"\d{4}-\d{2}-\d{2}")
SPACE_FOR_PLUS = re.compile(r"(.*T[\d:.]+) (\d{2}:?\d{2})")  # an unescaped "+" in a query arrives as a space


def parse_w3c(text: str, param: str, *, end: bool = False) -> datetime:
    """A W3C datetime with a zone, in UTC; a plain date is that day in Beijing time (its start, or with ``end``
    its last instant).

    >>> parse_w3c("2024-06-20T08:00:00+08:00", "start_date"), parse_w3c("2024-06-20T08:00:00 08:00", "x")
    (datetime.datetime(2024, 6, 20, 0, 0, tzinfo=datetime.timezone.utc), datetime.datetime(2024, 6, 20, 0, 0, tzinfo=datetime.timezone.utc))
    >>> parse_w3c("2024-06-20", "end_date", end=True).isoformat()
    '2024-06-20T15:59:59.999999+00:00'
    >>> parse_w3c("2024-06-20T08:00:00", "start_date")
    Traceback (most recent call last):
    ...
    zhengwu.requests.open311.model.Open311Error: start_date：时间须带时区（Z 表示 UTC，或如 +08:00），例如 2024-06-20T00:00:00Z。
    """  # noqa: E501
    value = text.strip()
    if DATE_ONLY.fullmatch(value):
        try:
            day = date.fromisoformat(value)
        except ValueError:
            raise bad(param, f"日期“{value}”不存在。") from None
        start = datetime.combine(day, time(0), BEIJING)
        return (start + timedelta(days=1) - timedelta(microseconds=1) if end else start).astimezone(UTC)
    if m := SPACE_FOR_PLUS.fullmatch(value):
        value = f"{m[1]}+{m[2]}"
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise bad(param, f"时间“{text.strip()[:40]}”格式不对，应为 W3C 格式，如 2024-06-20T00:00:00Z。") from None
    if parsed.tzinfo is None:
        raise bad(param, "时间须带时区（Z 表示 UTC，或如 +08:00），例如 2024-06-20T00:00:00Z。")
    return parsed.astimezone(UTC)


def _positive_int(text: str, param: str, upper: int) -> int:
    if not text.isascii() or not text.isdigit() or not 1 <= int(text) <= upper:
        raise bad(param, f"应为 1 到 {upper} 之间的整数（现为“{text[:20]}”）。")
    return int(text)


def _items(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


@dataclass(frozen=True)
class RequestQuery:
    """The filters of ``GET requests``. ``ids`` set: every other filter (and paging) is ignored, as the spec says."""

    ids: tuple[int, ...] = ()
    service_codes: tuple[str, ...] = ()
    start: datetime | None = None
    end: datetime | None = None
    statuses: frozenset[str] = frozenset()
    page: int = 1
    page_size: int = MAX_PAGE_SIZE


def parse_query(params: Mapping[str, str], now: datetime) -> RequestQuery:
    """The filters from the query string (an empty parameter counts as absent). Without dates the window is the
    last 90 days; with one date, 90 days from (or up to) it; a span over 90 days is refused.

    >>> now = datetime(2024, 7, 20, tzinfo=UTC)
    >>> q = parse_query({"status": "open,closed", "service_code": "traffic.road", "page_size": "50"}, now)
    >>> q.start.date(), q.end.date(), sorted(q.statuses), q.page_size
    (datetime.date(2024, 4, 21), datetime.date(2024, 7, 20), ['closed', 'open'], 50)
    >>> parse_query({"service_request_id": "7, 9", "status": "bogus"}, now).ids
    (7, 9)
    >>> parse_query({"status": "pending"}, now)
    Traceback (most recent call last):
    ...
    zhengwu.requests.open311.model.Open311Error: status：只能是 open 或 closed（逗号分隔），收到“pending”。
    """
    p = {k: v.strip() for k, v in params.items() if v and v.strip()}
    if "service_request_id" in p:
        raw = _items(p["service_request_id"])
        if len(raw) > MAX_IDS:
            raise bad("service_request_id", f"一次最多查询 {MAX_IDS} 件。")
        return RequestQuery(ids=tuple(_positive_int(x, "service_request_id", 2_147_483_647) for x in raw))
    statuses = frozenset(_items(p.get("status", "")))
    if statuses - {"open", "closed"}:
        raise bad("status", f"只能是 open 或 closed（逗号分隔），收到“{p['status'][:40]}”。")
    start = parse_w3c(p["start_date"], "start_date") if "start_date" in p else None
    end = parse_w3c(p["end_date"], "end_date", end=True) if "end_date" in p else None
    if start is None and end is None:
        start, end = now - DEFAULT_WINDOW, now
    elif start is None:
        assert end is not None
        start = end - DEFAULT_WINDOW
    elif end is None:
        end = start + DEFAULT_WINDOW
    if end < start:
        raise bad("end_date", "不能早于 start_date。")
    if end - start > DEFAULT_WINDOW + timedelta(seconds=1):
        raise bad("end_date", "start_date 到 end_date 的跨度不能超过 90 天。")
    return RequestQuery(
        service_codes=tuple(_items(p.get("service_code", ""))),
        start=start,
        end=end,
        statuses=statuses,
        page=_positive_int(p.get("page", "1"), "page", 1_000_000),
        page_size=_positive_int(p.get("page_size", str(MAX_PAGE_SIZE)), "page_size", MAX_PAGE_SIZE),
    )
