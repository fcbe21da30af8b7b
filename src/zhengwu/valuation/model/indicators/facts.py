"""A patent's facts (:class:`PatentFacts`) and the automatic rules and gates that read them (pure).

An automatic rule turns facts into one level of a sub-indicator's ladder (0/2/4/6/8/10) with its explanation in
Chinese, or returns ``None`` when the facts do not settle the score (an expert then scores it). A gate multiplies
the patent value degree by a factor (0 for an ownership dispute or a patent no longer in force) and says why.

Remaining term (剩余有效期): the term runs from the filing date (专利法第四十二条): invention 20 years, utility
model 10, design 15 (10 for designs filed before 2021-06-01, when the fourth amendment took effect). Remaining
years = (end of term − as-of date) in days ÷ 365.25, the (exclusive) end of term being the filing date's
anniversary.

The thresholds of every rule below are editable example values, not published ones.

>>> f = PatentFacts(PatentType.INVENTION, date(2015, 3, 1), date(2024, 6, 30))
>>> round(remaining_years(f), 2)
10.67
>>> RULES["remaining_term"].apply(f)[0]
8
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from zhengwu.core.errors import Invalid
from zhengwu.core.labels import LabelledEnum


class PatentType(LabelledEnum):
    INVENTION = "invention", "发明"
    UTILITY = "utility", "实用新型"
    DESIGN = "design", "外观设计"


class LegalStatus(LabelledEnum):
    PENDING = "pending", "审查中"
    VALID = "valid", "有效"
    LAPSED = "lapsed", "未缴年费终止"
    EXPIRED = "expired", "期限届满终止"
    INVALIDATED = "invalidated", "被宣告全部无效"
    ABANDONED = "abandoned", "放弃"
    REJECTED = "rejected", "驳回"
    WITHDRAWN = "withdrawn", "撤回"


#: Statuses in which the patent gives no right: the ``dead_status`` gate applies.
DEAD_STATUSES = frozenset(
    {
        LegalStatus.LAPSED,
        LegalStatus.EXPIRED,
        LegalStatus.INVALIDATED,
        LegalStatus.ABANDONED,
        LegalStatus.REJECTED,
        LegalStatus.WITHDRAWN,
    }
)


class InvalidationHistory(LabelledEnum):
    NONE = "none", "未经无效宣告程序"
    UPHELD = "upheld", "经无效宣告请求审查维持全部有效"
    AMENDED = "amended", "经无效宣告请求审查维持部分有效"


TERM_YEARS = {PatentType.INVENTION: 20, PatentType.UTILITY: 10, PatentType.DESIGN: 15}
DESIGN_15_YEARS_FROM = date(2021, 6, 1)  # 专利法第四次修正施行之日
DAYS_PER_YEAR = 365.25


@dataclass(frozen=True)
class PatentFacts:
    """What is known about one patent on the as-of date (评估基准日); ``None``: not known.

    ``family_countries`` counts the countries or regions where the patent family has filings, China included
    (1: China only); ``licences`` the licences granted and in force, ``pledges`` the pledges registered and in
    force. Bad facts raise ``Invalid`` naming the field under ``facts``.
    """

    patent_type: PatentType
    filing_date: date
    as_of: date
    legal_status: LegalStatus = LegalStatus.VALID
    claim_count: int | None = None
    family_countries: int | None = None
    forward_citations: int | None = None
    ownership_dispute: bool = False
    licences: int | None = None
    pledges: int = 0
    invalidation_history: InvalidationHistory = InvalidationHistory.NONE

    def __post_init__(self) -> None:
        for name, kind in (
            ("patent_type", PatentType),
            ("legal_status", LegalStatus),
            ("invalidation_history", InvalidationHistory),
        ):
            if not isinstance(getattr(self, name), kind):
                choices = "、".join(f"{m.value}（{m.label}）" for m in kind)
                raise Invalid(f"须为 {choices} 之一。", field=f"facts.{name}")
        for name in ("filing_date", "as_of"):
            value = getattr(self, name)
            if not isinstance(value, date) or isinstance(value, datetime):
                raise Invalid("须为日期。", field=f"facts.{name}")
        if not isinstance(self.ownership_dispute, bool):
            raise Invalid("须为是或否。", field="facts.ownership_dispute")
        if self.as_of < self.filing_date:
            raise Invalid("评估基准日不能早于申请日。", field="facts.as_of")
        for name, least in (("claim_count", 1), ("family_countries", 1), ("forward_citations", 0), ("licences", 0)):
            value = getattr(self, name)
            if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < least):
                raise Invalid(f"{_LABELS[name]}须为不小于 {least} 的整数。", field=f"facts.{name}")
        if isinstance(self.pledges, bool) or not isinstance(self.pledges, int) or self.pledges < 0:
            raise Invalid("质押数须为不小于 0 的整数。", field="facts.pledges")


_LABELS = {
    "claim_count": "权利要求数",
    "family_countries": "同族国家或地区数",
    "forward_citations": "被引次数",
    "licences": "许可数",
}


def term_end(facts: PatentFacts) -> date:
    """The end of the term (exclusive): the filing date's anniversary after the term's years (29 February →
    1 March); the term's last day is the day before.

    >>> term_end(PatentFacts(PatentType.DESIGN, date(2020, 2, 29), date(2024, 1, 1)))
    datetime.date(2030, 3, 1)
    """
    years = TERM_YEARS[facts.patent_type]
    if facts.patent_type is PatentType.DESIGN and facts.filing_date < DESIGN_15_YEARS_FROM:
        years = 10
    year = facts.filing_date.year + years
    try:
        return facts.filing_date.replace(year=year)
    except ValueError:  # 29 February in a common year
        return date(year, 3, 1)


def remaining_years(facts: PatentFacts) -> float:
    """Years of term left on the as-of date, never negative."""
    return max(0.0, (term_end(facts) - facts.as_of).days / DAYS_PER_YEAR)


Outcome = tuple[int, str] | None


def _band(value: float, bands: tuple[tuple[float, int], ...]) -> int:
    """The level of the first band whose lower bound ``value`` reaches (bands from the highest)."""
    return next(level for bound, level in bands if value >= bound)


def _remaining_term(f: PatentFacts) -> Outcome:
    years, end = remaining_years(f), term_end(f)
    last_day = (end - timedelta(days=1)).isoformat()
    level = 0 if years <= 0 else _band(years, ((15, 10), (10, 8), (6, 6), (3, 4), (0, 2)))
    total = end.year - f.filing_date.year
    return level, (
        f"{f.patent_type.label}专利，申请日 {f.filing_date.isoformat()}，保护期 {total} 年，"
        f"至 {last_day} 届满；评估基准日 {f.as_of.isoformat()} 剩余 {years:.2f} 年，得 {level} 分"
        "（≥15 年 10 分，≥10 年 8 分，≥6 年 6 分，≥3 年 4 分，不足 3 年 2 分，已届满 0 分）。"
    )


def _claim_count(f: PatentFacts) -> Outcome:
    if f.claim_count is None:
        return None
    level = _band(f.claim_count, ((15, 10), (10, 8), (7, 6), (4, 4), (1, 2)))
    bands = "≥15 项 10 分，10–14 项 8 分，7–9 项 6 分，4–6 项 4 分，1–3 项 2 分"
    return level, f"权利要求 {f.claim_count} 项，得 {level} 分（{bands}）。"


def _multi_country(f: PatentFacts) -> Outcome:
    if f.family_countries is None:
        return None
    level = _band(f.family_countries, ((5, 10), (3, 8), (2, 6), (1, 4)))
    return level, (
        f"同族专利覆盖 {f.family_countries} 个国家或地区（含中国），得 {level} 分"
        "（≥5 个 10 分，3–4 个 8 分，2 个 6 分，仅中国 4 分）。"
    )


def _forward_citations(f: PatentFacts) -> Outcome:
    if f.forward_citations is None:
        return None
    level = _band(f.forward_citations, ((11, 10), (6, 8), (3, 6), (1, 4), (0, 2)))
    bands = ">10 次 10 分，6–10 次 8 分，3–5 次 6 分，1–2 次 4 分，未被引 2 分"
    return level, f"被引 {f.forward_citations} 次，得 {level} 分（{bands}）。"


def _licensing(f: PatentFacts) -> Outcome:
    if f.licences is None:
        return None
    if f.licences >= 2:
        return 10, f"已有 {f.licences} 项许可，市场已多次验证，得 10 分。"
    if f.licences == 1:
        return 8, "已有 1 项许可，得 8 分。"
    if f.pledges:
        return 4, f"尚无许可，但已办理 {f.pledges} 项质押登记，得 4 分。"
    return 2, "尚无许可，也无质押登记，得 2 分。"


def _stability(f: PatentFacts) -> Outcome:
    if f.invalidation_history is InvalidationHistory.UPHELD:
        return 10, "经无效宣告请求审查维持全部有效，权利稳定，得 10 分。"
    if f.invalidation_history is InvalidationHistory.AMENDED:
        return 8, "经无效宣告请求审查维持部分有效，得 8 分。"
    return None  # no history: the expert judges


@dataclass(frozen=True)
class Rule:
    """An automatic rule: its code, Chinese label, the levels it can give and the function giving them."""

    code: str
    label: str
    levels: frozenset[int]
    apply: Callable[[PatentFacts], Outcome]


def _rule(code: str, label: str, levels: set[int], apply: Callable[[PatentFacts], Outcome]) -> tuple[str, Rule]:
    return code, Rule(code, label, frozenset(levels), apply)


RULES: dict[str, Rule] = dict(
    (
        _rule("remaining_term", "按专利类型与申请日计算剩余有效期", {0, 2, 4, 6, 8, 10}, _remaining_term),
        _rule("claim_count", "按权利要求数", {2, 4, 6, 8, 10}, _claim_count),
        _rule("multi_country", "按同族国家或地区数", {4, 6, 8, 10}, _multi_country),
        _rule("forward_citations", "按被引次数", {2, 4, 6, 8, 10}, _forward_citations),
        _rule("licensing", "按许可与质押情况", {2, 4, 8, 10}, _licensing),
        _rule("stability", "按无效宣告程序历史", {8, 10}, _stability),
    )
)


@dataclass(frozen=True)
class GateHit:
    """A gate that applied: the factor it multiplies the value degree by, and why."""

    code: str
    factor: float
    reason: str


def _ownership_dispute(f: PatentFacts) -> str | None:
    return "专利权属存在纠纷。" if f.ownership_dispute else None


def _dead_status(f: PatentFacts) -> str | None:
    return f"专利法律状态为“{f.legal_status.label}”，已不受保护。" if f.legal_status in DEAD_STATUSES else None


#: Gate code → (Chinese label, condition giving the reason when the gate applies).
GATES: dict[str, tuple[str, Callable[[PatentFacts], str | None]]] = {
    "ownership_dispute": ("权属纠纷", _ownership_dispute),
    "dead_status": ("专利失效", _dead_status),
}
