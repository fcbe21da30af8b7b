"""The indicator system as the ``score`` share-rate method's hook (pure): ``share_rate.indicators`` of the income
contract, read and scored against a profile into the patent value degree PVD (0–100), and the evaluation as JSON.

The object the contract takes::

    "indicators": {
        "scores": {"stability": {"value": 8, "scorer": "李评估师", "reason": "经检索未见影响新颖性的文献"}, ...},
        "facts": {"patent_type": "invention", "filing_date": "2015-03-01", "as_of": "2024-06-30",
                  "legal_status": "valid", "claim_count": 12, "family_countries": 3, "forward_citations": 4,
                  "ownership_dispute": false, "licences": 1, "pledges": 0, "invalidation_history": "none"}}

``scores`` are the experts' levels by sub-indicator code (each on its ladder, with who gave it and why); ``facts``
(optional; :class:`~zhengwu.valuation.model.indicators.PatentFacts`, dates ``YYYY-MM-DD``, ``null`` or absent:
not known) give the automatic scores and the gates. An expert's score replaces the automatic one. Then
:func:`~zhengwu.valuation.model.indicators.evaluate`: PVD = (α·LVD + β·TVD + γ·EVD) · Π gates, so a gate that
applies (ownership dispute, lapsed patent) makes PVD 0 and K the industry's low bound. Every error names its field
under ``share_rate.indicators`` (``share_rate.indicators.scores.stability.value``,
``share_rate.indicators.facts.filing_date``); a sub-indicator left unscored is named too.

>>> from zhengwu.valuation.model.default_profile import default_profile
>>> p = default_profile()
>>> scorer = score_indicators_with(p)
>>> scorer({"scores": {c: {"value": 6, "scorer": "张三", "reason": "示例"} for c in p.sub_codes}})
60.0
>>> evaluation_as_json(scorer.evaluation)["pvd"]
60.0
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import Any

from zhengwu.core.errors import Invalid
from zhengwu.valuation.model.indicators import (
    AUTO_SCORER,
    Evaluation,
    InvalidationHistory,
    LegalStatus,
    PatentFacts,
    PatentType,
    Profile,
    Score,
    evaluate,
)

PREFIX = "share_rate.indicators"
_ENUMS: dict[str, type[PatentType] | type[LegalStatus] | type[InvalidationHistory]] = {
    "patent_type": PatentType,
    "legal_status": LegalStatus,
    "invalidation_history": InvalidationHistory,
}
_DATES = {"filing_date": "申请日", "as_of": "评估基准日"}
_INTS = ("claim_count", "family_countries", "forward_citations", "licences", "pledges")
_FACTS = {*_ENUMS, *_DATES, *_INTS, "ownership_dispute"}
_REQUIRED = {"patent_type": "专利类型", **_DATES}
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


class IndicatorScorer:
    """The ``score_indicators`` hook of :func:`~zhengwu.valuation.model.income.parse_income_request`: called with
    ``share_rate.indicators``, returns the PVD after gates; keeps the last :class:`Evaluation` in
    :attr:`evaluation` so the caller can show the scores, value degrees and gates beside the valuation."""

    def __init__(self, profile: Profile) -> None:
        self.profile = profile
        self.evaluation: Evaluation | None = None

    def __call__(self, data: Any) -> float:
        self.evaluation = evaluate_indicators(self.profile, data)
        if self.evaluation.pvd is None:  # pragma: no cover - evaluate refuses an incomplete scoring
            raise Invalid("专利价值度未能算出：尚有二级指标未评分。", field=PREFIX)
        return self.evaluation.pvd


def score_indicators_with(profile: Profile) -> IndicatorScorer:
    """The hook turning ``share_rate.indicators`` into PVD (0–100) with ``profile`` (see the module docstring)."""
    return IndicatorScorer(profile)


def evaluate_indicators(profile: Profile, data: Any) -> Evaluation:
    """``share_rate.indicators`` read and evaluated against ``profile`` (complete scoring required); every error
    is ``Invalid`` naming its field under ``share_rate.indicators``."""
    try:
        scores, facts = _read(data)
        return evaluate(profile, scores, facts=facts)
    except Invalid as error:
        field = PREFIX if error.field is None else f"{PREFIX}.{error.field}"
        raise Invalid(error.message, field=field) from None


def _read(data: Any) -> tuple[dict[str, Score], PatentFacts | None]:
    """Fields here are relative to ``share_rate.indicators`` (the caller prefixes them)."""
    if not isinstance(data, Mapping):
        raise Invalid('指标评分须为对象：{"scores": {…}, "facts": {…}}。', field=None)
    for key in data:
        if key not in ("scores", "facts"):
            raise Invalid(f"无法识别的字段“{key}”。", field=str(key))
    raw_scores = data.get("scores", {})
    if not isinstance(raw_scores, Mapping):
        raise Invalid("评分须为对象：二级指标代码 → {value, scorer, reason}。", field="scores")
    scores = {str(code): _score(raw, f"scores.{code}") for code, raw in raw_scores.items()}
    raw_facts = data.get("facts")
    return scores, None if raw_facts is None else read_facts(raw_facts)


def _score(raw: object, at: str) -> Score:
    if not isinstance(raw, Mapping):
        raise Invalid("评分须为对象：{value, scorer, reason}。", field=at)
    for key in raw:
        if key not in ("value", "scorer", "reason"):
            raise Invalid(f"无法识别的字段“{key}”。", field=f"{at}.{key}")
    value = raw.get("value")
    if value is None:
        raise Invalid("请填写评分。", field=f"{at}.value")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise Invalid("评分须为整数（评分档次之一）。", field=f"{at}.value")
    texts = []
    for key, label in (("scorer", "评分人"), ("reason", "评分理由")):
        text = raw.get(key)
        if not isinstance(text, str) or not text.strip():
            raise Invalid(f"请填写{label}。", field=f"{at}.{key}")
        texts.append(text.strip())
    return Score(value, texts[0], texts[1])


def read_facts(raw: object) -> PatentFacts:
    """The contract's ``facts`` object as :class:`PatentFacts`, every fact checked; errors name ``facts.<key>``
    (relative to ``share_rate.indicators``: callers reading facts on their own get these fields as they are).

    >>> read_facts({"patent_type": "invention", "filing_date": "2015-02-30", "as_of": "2024-06-30"})
    Traceback (most recent call last):
    ...
    zhengwu.core.errors.Invalid: 申请日“2015-02-30”不是有效的日期。
    """
    if not isinstance(raw, Mapping):
        raise Invalid("专利事实须为对象。", field="facts")
    for key in raw:
        if key not in _FACTS:
            raise Invalid(f"无法识别的字段“{key}”。", field=f"facts.{key}")
    for key, label in _REQUIRED.items():
        if raw.get(key) is None:
            raise Invalid(f"请填写{label}。", field=f"facts.{key}")
    given = {key: value for key, value in raw.items() if value is not None}
    for key, kind in _ENUMS.items():
        if key in given:
            value = given[key]
            if not isinstance(value, str) or value not in kind.__members__.values():
                choices = "、".join(f"{m.value}（{m.label}）" for m in kind)
                raise Invalid(f"须为 {choices} 之一。", field=f"facts.{key}")
            given[key] = kind(value)
    for key, label in _DATES.items():
        given[key] = _date(given[key], f"facts.{key}", label)
    return PatentFacts(**given)  # checks the numbers and the order of the dates (fields ``facts.…``)


def _date(value: object, field: str, label: str) -> date:
    """An ISO date ``YYYY-MM-DD`` that exists on the calendar."""
    if isinstance(value, str) and _ISO_DATE.fullmatch(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise Invalid(f"{label}“{value}”不是有效的日期。", field=field) from None
    raise Invalid(f"{label}须为日期，格式 YYYY-MM-DD（如 2015-03-01）。", field=field)


def evaluation_as_json(evaluation: Evaluation) -> dict[str, Any]:
    """The evaluation as plain JSON values (str, int, float, None, list, dict; floats finite), unrounded:
    ``{"profile", "profile_version", "scores": {code: {"value", "scorer", "reason", "automatic"}},
    "indicators": {code: score}, "lvd", "tvd", "evd", "pvd_before_gates", "gates": [{"code", "factor",
    "reason"}], "pvd", "missing": [codes still unscored]}``; a figure that depends on a missing score is ``None``.
    """
    return {
        "profile": evaluation.profile_code,
        "profile_version": evaluation.profile_version,
        "scores": {
            code: {"value": s.value, "scorer": s.scorer, "reason": s.reason, "automatic": s.scorer == AUTO_SCORER}
            for code, s in evaluation.scores.items()
        },
        "indicators": dict(evaluation.indicators),
        "lvd": evaluation.lvd,
        "tvd": evaluation.tvd,
        "evd": evaluation.evd,
        "pvd_before_gates": evaluation.pvd_before_gates,
        "gates": [{"code": g.code, "factor": g.factor, "reason": g.reason} for g in evaluation.gates],
        "pvd": evaluation.pvd,
        "missing": list(evaluation.missing),
    }
