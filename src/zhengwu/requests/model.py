"""Pure domain of public requests (群众诉求): the hotline workflow as data, time limits per type and category,
location parsing, routing suggestions and the reporter's masked identity.

Workflow (12345 hotline practice)::

    received ─accept→ accepted ─dispatch→ dispatched ─sign→ handling ─resolve→ resolved ─close→ closed
        └─decline→ declined          ↑          └─send_back (once)→ sent_back ─dispatch / decline
                                      └──────────────────────────────────┘
    handling ─progress→ handling;  resolved ─reopen→ handling (call-back unsatisfied through the unit's fault)

Time limits: sign for within 1 working day of dispatch; handle from signing for, by the request's type — 咨询 3,
求助 5, 投诉/举报/建议 13 working days — unless its subject category (or an ancestor) overrides it; urgent safety
matters 2 working hours. A reopened request gets the same handling limit again from the reopening.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from zhengwu.core.calendar.model import WorkingCalendar
from zhengwu.core.crypto import mask_name, mask_phone
from zhengwu.core.labels import LabelledEnum
from zhengwu.core.matters.model import LimitUnit, Need, Step, TimeLimit, workflow_from_enum
from zhengwu.core.org.model import register_action

KIND_CODE = "request"


class State(LabelledEnum):
    RECEIVED = "received", "待受理"
    ACCEPTED = "accepted", "已受理"
    DECLINED = "declined", "不予受理"
    DISPATCHED = "dispatched", "已派单"
    SENT_BACK = "sent_back", "已退回"
    HANDLING = "handling", "办理中"
    RESOLVED = "resolved", "已办结"
    CLOSED = "closed", "已归档"


class RequestType(LabelledEnum):
    """The national hotline classification's top level: what the citizen asks for."""

    CONSULT = "consult", "咨询"
    HELP = "help", "求助"
    COMPLAINT = "complaint", "投诉"
    REPORT = "report", "举报"
    SUGGESTION = "suggestion", "建议"


class Channel(LabelledEnum):
    WEB = "web", "网站"
    PHONE = "phone", "电话"
    WALK_IN = "walk_in", "来访"
    LETTER = "letter", "来信"
    OPEN311 = "open311", "Open311 接口"
    IMPORT = "import", "批量导入"


class DeclineReason(LabelledEnum):
    """不予受理的情形."""

    OUT_OF_SCOPE = "out_of_scope", "不属于受理范围"
    FALSE_IDENTITY = "false_identity", "诉求人身份或联系方式不实"
    DUPLICATE = "duplicate", "重复反映"
    IN_LITIGATION = "in_litigation", "已进入诉讼/仲裁/复议程序"
    UNLAWFUL = "unlawful", "违反法律法规或公序良俗"
    OTHER = "other", "其他"


class CategoryKind(LabelledEnum):
    TYPE = "type", "诉求类型"
    SUBJECT = "subject", "问题分类"


VIEW = register_action("requests.view", "查看群众诉求")
RECEIVE = register_action("requests.receive", "登记群众诉求")
ACCEPT = register_action("requests.accept", "受理群众诉求")
DISPATCH = register_action("requests.dispatch", "派发群众诉求")
SIGN = register_action("requests.sign", "签收或退回群众诉求")
HANDLE = register_action("requests.handle", "办理群众诉求")
CALLBACK = register_action("requests.callback", "回访群众诉求")
EXTEND = register_action("requests.extend", "审批群众诉求延期")
PAUSE = register_action("requests.pause", "暂停群众诉求计时")
REVEAL_REPORTER = register_action("requests.reveal_reporter", "查看反映人身份")
CATEGORY_MANAGE = register_action("requests.category.manage", "维护诉求分类与派单规则")

_S = State
WORKFLOW = workflow_from_enum(
    State,
    State.RECEIVED,
    [
        Step("accept", "受理", frozenset({_S.RECEIVED}), _S.ACCEPTED, ACCEPT),
        Step(
            "decline",
            "不予受理",
            frozenset({_S.RECEIVED, _S.SENT_BACK}),
            _S.DECLINED,
            ACCEPT,
            frozenset({Need.NOTE}),
            ("decline_reason",),
        ),
        Step(
            "dispatch",
            "派单",
            frozenset({_S.ACCEPTED, _S.SENT_BACK}),
            _S.DISPATCHED,
            DISPATCH,
            frozenset(),
            ("owner_unit_id",),
        ),
        Step(
            "send_back",
            "退回",
            frozenset({_S.DISPATCHED}),
            _S.SENT_BACK,
            SIGN,
            frozenset({Need.NOTE}),
            ("send_back_reason",),
        ),
        Step("sign", "签收", frozenset({_S.DISPATCHED}), _S.HANDLING, SIGN),
        Step("progress", "办理进展", frozenset({_S.HANDLING}), _S.HANDLING, HANDLE, frozenset({Need.NOTE})),
        Step("resolve", "办结", frozenset({_S.HANDLING}), _S.RESOLVED, HANDLE, frozenset({Need.NOTE}), ("result",)),
        Step("close", "回访归档", frozenset({_S.RESOLVED}), _S.CLOSED, CALLBACK),
        Step("reopen", "回访不满意重办", frozenset({_S.RESOLVED}), _S.HANDLING, CALLBACK, frozenset({Need.NOTE})),
    ],
    resolved=[_S.RESOLVED, _S.CLOSED],
    closed=[_S.CLOSED, _S.DECLINED],
)

#: How many times a unit may send a request back before signing for it.
MAX_SEND_BACKS = 1
SIGN_LIMIT = (1, LimitUnit.WORKING_DAYS)
URGENT_LIMIT = (2, LimitUnit.WORKING_HOURS)
DEFAULT_LIMITS: dict[RequestType, tuple[int, LimitUnit]] = {
    RequestType.CONSULT: (3, LimitUnit.WORKING_DAYS),
    RequestType.HELP: (5, LimitUnit.WORKING_DAYS),
    RequestType.COMPLAINT: (13, LimitUnit.WORKING_DAYS),
    RequestType.REPORT: (13, LimitUnit.WORKING_DAYS),
    RequestType.SUGGESTION: (13, LimitUnit.WORKING_DAYS),
}
HANDLING_LIMITS = ("handle", "rehandle")

LIMITS = (
    TimeLimit("sign", "签收时限", *SIGN_LIMIT, frozenset({_S.DISPATCHED}), start="dispatch"),
    TimeLimit("handle", "办理时限", 13, LimitUnit.WORKING_DAYS, frozenset({_S.HANDLING}), start="sign", main=True),
    TimeLimit("rehandle", "重办时限", 13, LimitUnit.WORKING_DAYS, frozenset({_S.HANDLING}), start="reopen", main=True),
)


@dataclass(frozen=True)
class CategoryLimit:
    """A category's own time-limit settings (``amount`` None: no override)."""

    amount: int | None = None
    unit: LimitUnit | None = None
    urgent: bool = False


def handling_limit(
    type_: RequestType,
    type_setting: CategoryLimit | None,
    subject_chain: Sequence[CategoryLimit],
    *,
    urgent: bool = False,
) -> tuple[int, LimitUnit]:
    """The handling limit of a request: urgent (the request or any of its categories) → 2 working hours; else the
    nearest override along the subject category and its ancestors (``subject_chain``, nearest first); else the type's
    own row; else the type's default.

    >>> handling_limit(RequestType.CONSULT, None, [])
    (3, <LimitUnit.WORKING_DAYS: 'working_days'>)
    >>> road = CategoryLimit(10, LimitUnit.WORKING_DAYS)
    >>> handling_limit(RequestType.COMPLAINT, None, [CategoryLimit(), road])[0]
    10
    >>> handling_limit(RequestType.COMPLAINT, None, [CategoryLimit(urgent=True)])
    (2, <LimitUnit.WORKING_HOURS: 'working_hours'>)
    """
    if urgent or any(c.urgent for c in subject_chain) or (type_setting is not None and type_setting.urgent):
        return URGENT_LIMIT
    for setting in (*subject_chain, type_setting):
        if setting is not None and setting.amount is not None:
            return setting.amount, setting.unit or LimitUnit.WORKING_DAYS
    return DEFAULT_LIMITS[type_]


# ------------------------------------------------------------------------------------------------- location

ROAD_CODE = re.compile(r"[GSXYCZ]\d{1,4}")
KM_MARK = re.compile(r"K(\d{1,4})\+(\d{3})(?:\.\d+)?")
CHINA_LAT = (3.8, 53.6)
CHINA_LON = (73.5, 135.1)


def parse_km(text: str) -> int:
    """Metres from a kilometre mark in ``K12+300`` notation.

    >>> parse_km("K12+300"), parse_km("k0+050"), parse_km(" K27+900 ")
    (12300, 50, 27900)
    >>> parse_km("12.3")
    Traceback (most recent call last):
    ...
    ValueError: 桩号“12.3”格式不对，应写作 K12+300。
    """
    m = KM_MARK.fullmatch(text.strip().upper())
    if m is None:
        raise ValueError(f"桩号“{text.strip()}”格式不对，应写作 K12+300。")
    return int(m[1]) * 1000 + int(m[2])


def format_km(metres: int) -> str:
    """``K12+300`` from 12300 metres.

    >>> format_km(12300), format_km(50)
    ('K12+300', 'K0+050')
    """
    return f"K{metres // 1000}+{metres % 1000:03d}"


def in_china(latitude: float, longitude: float) -> bool:
    """Whether a point lies in China's bounding box (3.8–53.6 °N, 73.5–135.1 °E).

    >>> in_china(27.95, 109.6), in_china(51.5, -0.1)
    (True, False)
    """
    return CHINA_LAT[0] <= latitude <= CHINA_LAT[1] and CHINA_LON[0] <= longitude <= CHINA_LON[1]


HTML_TAG = re.compile(r"<\s*/?\s*[A-Za-z!][^>]*>")


def has_html(text: str) -> bool:
    """Whether ``text`` contains an HTML tag (a lone ``<`` or ``a < b`` is fine).

    >>> has_html("路面湿滑<script>alert(1)</script>"), has_html("车速 < 40 公里"), has_html("<b>急</b>")
    (True, False, True)
    """
    return HTML_TAG.search(text) is not None


# -------------------------------------------------------------------------------------------------- routing


@dataclass(frozen=True)
class RoutingRule:
    """Send requests of ``category_id`` (and its sub-categories; None: any) arising in the subtree of the unit at
    ``area_path`` (None: anywhere) to ``target_unit_id``."""

    id: int
    category_id: int | None
    area_path: str | None
    target_unit_id: int
    priority: int = 0


def suggest_unit(rules: Sequence[RoutingRule], category_chain: Sequence[int], area_path: str | None) -> int | None:
    """The target unit of the most specific matching rule, or None.

    ``category_chain`` lists the request's subject category and its ancestors, nearest first. A rule naming a nearer
    category beats one naming an ancestor, which beats one naming none; then a deeper area beats a wider one; then
    the higher ``priority``; then the older rule.

    >>> rules = [RoutingRule(1, None, None, 100), RoutingRule(2, 7, None, 200), RoutingRule(3, 8, "/1/4/", 300)]
    >>> suggest_unit(rules, [8, 7], "/1/4/9/"), suggest_unit(rules, [8, 7], "/1/5/"), suggest_unit(rules, [3], None)
    (300, 200, 100)
    """
    best: tuple[tuple[int, int, int, int], int] | None = None
    for rule in rules:
        if rule.category_id is None:
            cat_rank = 0
        elif rule.category_id in category_chain:
            cat_rank = len(category_chain) - category_chain.index(rule.category_id)
        else:
            continue
        if rule.area_path is None:
            area_rank = 0
        elif area_path is not None and area_path.startswith(rule.area_path):
            area_rank = rule.area_path.count("/")
        else:
            continue
        key = (cat_rank, area_rank, rule.priority, -rule.id)
        if best is None or key > best[0]:
            best = (key, rule.target_unit_id)
    return None if best is None else best[1]


# -------------------------------------------------------------------------------------------------- reporter


@dataclass(frozen=True)
class Reporter:
    name: str
    phone: str
    anonymous: bool

    def masked(self) -> Reporter:
        """What everyone without the reveal grant sees.

        >>> Reporter("张三", "13812345678", False).masked()
        Reporter(name='张*', phone='138****5678', anonymous=False)
        """
        return Reporter(mask_name(self.name), mask_phone(self.phone), self.anonymous)


#: Seed categories: code, name, kind, parent code, (limit amount, unit) or None, urgent.
SEED_CATEGORIES: tuple[tuple[str, str, CategoryKind, str | None, tuple[int, LimitUnit] | None, bool], ...] = (
    *((t.value, t.label, CategoryKind.TYPE, None, DEFAULT_LIMITS[t], False) for t in RequestType),
    ("traffic", "交通运输", CategoryKind.SUBJECT, None, None, False),
    ("traffic.road", "公路养护", CategoryKind.SUBJECT, "traffic", None, False),
    ("traffic.safety", "道路交通安全隐患", CategoryKind.SUBJECT, "traffic", None, True),
    ("construction", "城乡建设", CategoryKind.SUBJECT, None, None, False),
    ("education", "教育", CategoryKind.SUBJECT, None, None, False),
    ("health", "卫生健康", CategoryKind.SUBJECT, None, None, False),
    ("agriculture", "农业农村", CategoryKind.SUBJECT, None, None, False),
    ("civil", "民政", CategoryKind.SUBJECT, None, None, False),
    ("environment", "生态环境", CategoryKind.SUBJECT, None, None, False),
    ("market", "市场监管", CategoryKind.SUBJECT, None, None, False),
)


# ------------------------------------------------------------------------ rectification projects, campaigns

PROJECT_MANAGE = register_action("requests.project.manage", "维护诉求整改项目")
CAMPAIGN_MANAGE = register_action("requests.campaign.manage", "维护专项行动")


class ProjectStatus(LabelledEnum):
    PLANNED = "planned", "未开工"
    IN_PROGRESS = "in_progress", "施工中"
    COMPLETED = "completed", "已完工"


def expected_completion(
    starts_on: date, duration_days: int, *, working_days: bool = False, calendar: WorkingCalendar | None = None
) -> date:
    """The expected completion date of works starting on ``starts_on`` with a planned duration (工期).

    Convention: the start date is day 0 and the duration counts the days *after* it, so the works end on
    ``starts_on + duration`` — the seed's "start 2024-06-30, 20 days" ends on 2024-07-20 ("mid-July"). Natural days
    by default; with ``working_days`` the n-th working day after the start (the calendar's own convention: the
    start day is not counted).
    """
    if duration_days <= 0:
        raise ValueError("duration_days must be positive")
    if not working_days:
        return starts_on + timedelta(days=duration_days)
    return (calendar or WorkingCalendar.builtin()).add_working_days(starts_on, duration_days)
