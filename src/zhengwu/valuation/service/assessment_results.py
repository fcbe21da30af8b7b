"""The whole picture of an assessment, computed from its stored inputs by the pure core every time it is shown (never
stored): the evaluation (automatic scores from the facts, the latest expert score of each sub-indicator, LVD, TVD,
EVD, gates, PVD), each approach's result, the sensitivity of the income approach, and the conclusion.

How the assessment fills the contracts:

- income: a ``score`` share rate takes the assessment's PVD as its ``score`` and, when it names neither ``industry``
  nor ``range``, the assessment's industry — so K = m + (n − m)·PVD/100 follows the experts' scores;
- market: ``subject_pvd`` is the assessment's PVD, ``as_of`` defaults to the facts' as-of date;
- cost: taken as entered.

An approach that cannot be computed yet (scores missing, no input) has an ``error`` saying why instead of a value.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from zhengwu.core.errors import Invalid
from zhengwu.valuation.model.income import parse_income_request
from zhengwu.valuation.model.indicators import Evaluation, PatentFacts, Profile, Score, automatic_scores, evaluate
from zhengwu.valuation.model.scoring import evaluation_as_json, read_facts
from zhengwu.valuation.service.assessments import (
    APPROACHES,
    facts_of,
    profile_of,
    score_history,
    stored,
)
from zhengwu.valuation.service.reference import industry_table
from zhengwu.valuation.tables import Assessment, AssessmentScore

#: The PVD put in a contract to check the rest of an input while the scoring is not complete.
PLACEHOLDER_PVD = 50.0


@dataclass(frozen=True)
class Outcome:
    """One approach: its stored input, the request as computed (the assessment's PVD and industry filled in), its
    result (the contract's output) or why there is none."""

    approach: str
    input: dict[str, Any] | None
    request: dict[str, Any] | None = None
    result: dict[str, Any] | None = None
    error: str | None = None
    field: str | None = None

    @property
    def label(self) -> str:
        return APPROACHES[self.approach]

    @property
    def value(self) -> float | None:
        return None if self.result is None else float(self.result["value"])


@dataclass(frozen=True)
class Picture:
    assessment: Assessment
    profile: Profile
    facts: dict[str, Any]
    patent_facts: PatentFacts | None
    automatic: dict[str, Score]
    history: list[AssessmentScore]
    evaluation: Evaluation
    outcomes: dict[str, Outcome] = field(default_factory=dict)

    @property
    def evaluation_json(self) -> dict[str, Any]:
        return evaluation_as_json(self.evaluation)

    @property
    def pvd(self) -> float | None:
        return self.evaluation.pvd

    def approach(self, code: str) -> Outcome:
        return self.outcomes[code]

    @property
    def conclusion(self) -> float | None:
        chosen = self.assessment.chosen
        return None if chosen is None else self.outcomes[chosen].value


def latest_scores(history: list[AssessmentScore]) -> dict[str, Score]:
    """The latest expert score of each sub-indicator (history oldest first)."""
    latest: dict[str, Score] = {}
    for row in history:
        latest[row.sub_code] = Score(row.value, row.scorer, row.reason)
    return latest


def evaluation_of(profile: Profile, facts: PatentFacts | None, history: list[AssessmentScore]) -> Evaluation:
    """The partial evaluation: automatic scores from the facts, replaced by the experts' latest ones; scores no
    longer on the profile's ladder (impossible unless the data was edited by hand) are left out."""
    experts = {
        code: s
        for code, s in latest_scores(history).items()
        if (sub := profile.sub_indicator(code)) is not None and s.value in sub.levels
    }
    return evaluate(profile, experts, facts=facts, partial=True)


def _missing_message(profile: Profile, evaluation: Evaluation) -> str:
    names = [sub.name for code in evaluation.missing if (sub := profile.sub_indicator(code)) is not None]
    shown = "、".join(names[:4]) + ("……" if len(names) > 4 else "")
    return f"尚有 {len(names)} 项二级指标未评分（{shown}），专利价值度未能算出。"


# ------------------------------------------------------------------------------------------------ filling contracts


def fill_income(data: Any, pvd: float | None, industry_code: str | None) -> Any:
    """The income request as computed: a ``score`` share rate gets ``score`` = PVD (the placeholder while PVD is
    unknown) and, naming neither ``industry`` nor ``range``, the assessment's industry."""
    if not isinstance(data, Mapping):
        return data
    filled = copy.deepcopy(dict(data))
    share = filled.get("share_rate")
    if isinstance(share, Mapping) and share.get("method") == "score":
        share = dict(share)
        for key in ("score", "indicators"):
            if key in share:
                raise Invalid(
                    "专利价值度由本评估项目的评分算出，请勿在分成率中填写 score 或 indicators。",
                    field=f"share_rate.{key}",
                )
        if "industry" not in share and "range" not in share:
            if industry_code is None:
                raise Invalid("请先为评估项目选择行业，或填写行业分成率区间 range。", field="share_rate.industry")
            share["industry"] = industry_code
        share["score"] = PLACEHOLDER_PVD if pvd is None else pvd
        filled["share_rate"] = share
    return filled


def fill_market(data: Any, pvd: float | None, facts: Mapping[str, Any]) -> Any:
    """The market request as computed: ``subject_pvd`` = PVD, ``as_of`` by default the facts' as-of date."""
    if not isinstance(data, Mapping):
        return data
    if "subject_pvd" in data:
        raise Invalid("被评估专利的专利价值度由本评估项目的评分算出，请勿填写 subject_pvd。", field="subject_pvd")
    filled = copy.deepcopy(dict(data))
    filled["subject_pvd"] = PLACEHOLDER_PVD if pvd is None else pvd
    if filled.get("as_of") is None and facts.get("as_of") is not None:
        filled["as_of"] = facts["as_of"]
    return filled


def _compute(
    session: Session, approach: str, data: Any, pvd: float | None, a: Assessment, facts: Mapping[str, Any]
) -> tuple[Any, dict[str, Any]]:
    """(the request as computed, the contract's output) for ``approach``; ``Invalid`` naming the field."""
    if approach == "income":
        from zhengwu.valuation.model.income import as_json, value_income

        request = fill_income(data, pvd, a.industry_code)
        return request, as_json(value_income(parse_income_request(request, None, industry_table(session))))
    if approach == "market":
        from zhengwu.valuation.model.market import market_as_json, parse_market_request, value_market

        request = fill_market(data, pvd, facts)
        return request, market_as_json(value_market(parse_market_request(request)))
    from zhengwu.valuation.model.cost import cost_as_json, parse_cost_request, value_cost

    return data, cost_as_json(value_cost(parse_cost_request(data)))


def check_input(session: Session, a: Assessment, profile: Profile, approach: str, data: Any) -> dict[str, Any]:
    """``data`` checked whole as it will be computed for this assessment (with a placeholder PVD while the scoring is
    incomplete); returns what to store. ``Invalid`` names the field as the contract writes it."""
    if not isinstance(data, Mapping):
        raise Invalid("参数须为 JSON 对象。", field=None)
    facts = facts_of(a)
    pvd = evaluation_of(profile, _facts_or_none(facts), score_history(session, a.id)).pvd
    _compute(session, approach, data, pvd, a, facts)
    return dict(data)


def _facts_or_none(facts: Mapping[str, Any]) -> PatentFacts | None:
    try:
        return read_facts(facts)
    except Invalid:
        return None


# ------------------------------------------------------------------------------------------------------ the picture


def picture_of(session: Session, a: Assessment) -> Picture:
    """Everything computed for ``a`` (the caller has checked access)."""
    profile = profile_of(session, a)
    facts = facts_of(a)
    patent_facts = _facts_or_none(facts)
    history = score_history(session, a.id)
    evaluation = evaluation_of(profile, patent_facts, history)
    automatic = automatic_scores(profile, patent_facts) if patent_facts is not None else {}
    picture = Picture(a, profile, facts, patent_facts, automatic, history, evaluation)
    for approach in APPROACHES:
        picture.outcomes[approach] = _outcome(session, picture, approach)
    return picture


def _outcome(session: Session, picture: Picture, approach: str) -> Outcome:
    a = picture.assessment
    data = stored(a, approach)
    if data is None:
        return Outcome(approach, None, error="尚未填写参数。")
    if approach != "cost" and picture.pvd is None:
        return Outcome(approach, data, error=_missing_message(picture.profile, picture.evaluation))
    try:
        request, result = _compute(session, approach, data, picture.pvd, a, picture.facts)
    except Invalid as exc:  # the reference data changed since the input was saved (an industry removed...)
        return Outcome(approach, data, error=exc.message, field=exc.field)
    return Outcome(approach, data, request, result)


def sensitivity_of(session: Session, picture: Picture) -> dict[str, Any] | None:
    """The sensitivity of the income approach (K, i, n, revenue ±) as JSON, ``None`` without an income result."""
    outcome = picture.approach("income")
    if outcome.result is None or outcome.request is None:
        return None
    from zhengwu.valuation.model.sensitivity import sensitivity, sensitivity_as_json

    request = parse_income_request(outcome.request, None, industry_table(session))
    return sensitivity_as_json(sensitivity(request))
