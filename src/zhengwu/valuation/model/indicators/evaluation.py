"""Scoring a patent against a profile: sub-indicator levels → indicator scores → value degrees → PVD (pure).

Formulas (all on a 0–100 scale; a sub-indicator's level ``v`` is on its ladder, 0–10):

- indicator score  I = 10 · Σ wₛ · vₛ over its sub-indicators;
- value degree     LVD, TVD, EVD = Σ wᵢ · Iᵢ over the dimension's indicators;
- patent value degree (专利价值度, CNIPA《专利价值分析指标体系操作手册》2012)
  PVD = (α·LVD + β·TVD + γ·EVD) · Π gᵏ, where α, β, γ are the dimension weights and gᵏ the factors of the
  profile's gates that apply to the patent's facts (0 for an ownership dispute or a patent no longer in force).

Every score keeps who gave it and why (:class:`Score`); automatic scores from the patent's facts are given by
:data:`AUTO_SCORER` with their explanation, and a score the caller passes for the same sub-indicator overrides the
automatic one. A score must be one of its ladder's levels. An evaluation with unscored sub-indicators is refused,
naming them, unless ``partial=True``: then an indicator, value degree or PVD that depends on a missing score is
``None`` and :attr:`Evaluation.missing` lists the codes still to score.

>>> from zhengwu.valuation.model.default_profile import default_profile
>>> p = default_profile()
>>> e = evaluate(p, {c: Score(8, "张三", "示例") for c in p.sub_codes})
>>> round(e.lvd, 9), round(e.pvd, 9)
(80.0, 80.0)
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from zhengwu.core.errors import Invalid
from zhengwu.valuation.model.indicators.facts import GATES, RULES, GateHit, PatentFacts
from zhengwu.valuation.model.indicators.profile import Profile

AUTO_SCORER = "系统自动评分"


@dataclass(frozen=True)
class Score:
    """A sub-indicator's level, who gave it (a person's name or :data:`AUTO_SCORER`) and why."""

    value: int
    scorer: str
    reason: str


@dataclass(frozen=True)
class Evaluation:
    """The result: scores used, indicator scores and value degrees (0–100, ``None`` where a score is missing),
    the PVD before and after the gates, the gates that applied and the sub-indicators still unscored."""

    profile_code: str
    profile_version: int
    scores: Mapping[str, Score]
    indicators: Mapping[str, float | None]
    dimensions: Mapping[str, float | None]
    pvd_before_gates: float | None
    gates: tuple[GateHit, ...]
    pvd: float | None
    missing: tuple[str, ...]

    @property
    def lvd(self) -> float | None:
        return self.dimensions["legal"]

    @property
    def tvd(self) -> float | None:
        return self.dimensions["technical"]

    @property
    def evd(self) -> float | None:
        return self.dimensions["economic"]

    @property
    def complete(self) -> bool:
        return not self.missing


def automatic_scores(profile: Profile, facts: PatentFacts) -> dict[str, Score]:
    """The scores the profile's automatic rules give from ``facts`` (rules the facts do not settle are left out).

    >>> from datetime import date
    >>> from zhengwu.valuation.model.default_profile import default_profile
    >>> from zhengwu.valuation.model.indicators.facts import PatentType
    >>> s = automatic_scores(default_profile(), PatentFacts(PatentType.INVENTION, date(2015, 3, 1), date(2024, 6, 30)))
    >>> s["remaining_term"].value, s["remaining_term"].scorer
    (8, '系统自动评分')
    """
    found: dict[str, Score] = {}
    for _, _, sub in profile.walk():
        if sub.rule is not None:
            outcome = RULES[sub.rule].apply(facts)
            if outcome is not None:
                found[sub.code] = Score(outcome[0], AUTO_SCORER, outcome[1])
    return found


def gate_hits(profile: Profile, facts: PatentFacts) -> tuple[GateHit, ...]:
    """The profile's gates that apply to ``facts``, with their factors and reasons."""
    hits = []
    for gate in profile.gates:
        label, condition = GATES[gate.code]
        reason = condition(facts)
        if reason is not None:
            hits.append(GateHit(gate.code, float(gate.factor), f"{label}：{reason}价值度乘以 {gate.factor:g}。"))
    return tuple(hits)


def _check_score(profile: Profile, code: str, score: object) -> None:
    sub = profile.sub_indicator(code)
    if sub is None:
        raise Invalid(f"评价方案中没有二级指标“{code}”。", field=f"scores.{code}")
    if not isinstance(score, Score):
        raise Invalid(f"“{sub.name}”的评分格式不对。", field=f"scores.{code}")
    v = score.value
    if isinstance(v, bool) or not isinstance(v, int) or v not in sub.levels:
        levels = "、".join(str(x) for x in sub.levels)
        raise Invalid(f"“{sub.name}”的评分须为评分档次之一（{levels}）。", field=f"scores.{code}.value")
    for name, label in (("scorer", "评分人"), ("reason", "评分理由")):
        text = getattr(score, name)
        if not isinstance(text, str) or not text.strip():
            raise Invalid(f"请填写“{sub.name}”的{label}。", field=f"scores.{code}.{name}")


def evaluate(
    profile: Profile,
    scores: Mapping[str, Score],
    *,
    facts: PatentFacts | None = None,
    partial: bool = False,
) -> Evaluation:
    """Score a patent: ``scores`` by sub-indicator code (experts'), ``facts`` for automatic scores and gates.

    >>> from zhengwu.valuation.model.default_profile import default_profile
    >>> evaluate(default_profile(), {"stability": Score(8, "张三", "经检索未见影响新颖性的文献")})
    Traceback (most recent call last):
    ...
    zhengwu.core.errors.Invalid: 尚有 19 项二级指标未评分：不可规避性、权利要求数量、依赖性、专利侵权可判定性……
    """
    for code, score in scores.items():
        _check_score(profile, code, score)
    used = automatic_scores(profile, facts) if facts is not None else {}
    used.update(scores)
    used = {s.code: used[s.code] for _, _, s in profile.walk() if s.code in used}  # in profile order
    missing = tuple(s.code for _, _, s in profile.walk() if s.code not in used)
    if missing and not partial:
        names = [sub.name for code in missing if (sub := profile.sub_indicator(code)) is not None]
        shown = "、".join(names[:4]) + ("……" if len(names) > 4 else "。")
        raise Invalid(f"尚有 {len(missing)} 项二级指标未评分：{shown}", field=f"scores.{missing[0]}")

    indicators: dict[str, float | None] = {}
    dimensions: dict[str, float | None] = {}
    for d in profile.dimensions:
        for i in d.indicators:
            if any(s.code not in used for s in i.sub_indicators):
                indicators[i.code] = None
            else:
                indicators[i.code] = 10.0 * math.fsum(s.weight * used[s.code].value for s in i.sub_indicators)
        parts = [(i.weight, indicators[i.code]) for i in d.indicators]
        dimensions[d.code] = None if any(v is None for _, v in parts) else _weighted(parts)
    top = [(d.weight, dimensions[d.code]) for d in profile.dimensions]
    before = None if any(v is None for _, v in top) else _weighted(top)
    hits = gate_hits(profile, facts) if facts is not None else ()
    after = None if before is None else before * math.prod(h.factor for h in hits)
    return Evaluation(profile.code, profile.version, used, indicators, dimensions, before, hits, after, missing)


def _weighted(parts: list[tuple[float, float | None]]) -> float:
    """Σ w·v, clamped into [0, 100] against the last ulp of rounding (the weights sum to 1 within 1e-9)."""
    total = math.fsum(w * v for w, v in parts if v is not None)
    return min(100.0, max(0.0, total))
