"""Assessments (评估项目): one patent valued for one purpose by a unit — its facts, the profile version it is scored on,
the experts' scores (append-only: the latest score of a sub-indicator counts, every earlier one stays with who gave it
and why), the inputs of the income, market and cost approaches (the contract's JSON, checked by the pure parsers
before saving) and the conclusion.

Reads need ``valuation.view`` through ``restrict()``; writes need ``valuation.assess`` and are re-checked on the
assessment's unit (``check_write``). A ``final`` assessment (concluded) no longer changes: every write answers 409.
Every figure is computed from the stored inputs by :mod:`zhengwu.valuation.service.assessment_results`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from zhengwu.core.db import UnitOfWork
from zhengwu.core.errors import Conflict, Invalid, NotFound
from zhengwu.core.org.access import check_write, get_scoped, restrict
from zhengwu.core.org.model import Principal
from zhengwu.core.org.service import expect_version, require
from zhengwu.core.org.tables import Unit
from zhengwu.valuation.model import ASSESS, VIEW
from zhengwu.valuation.model.indicators import Profile
from zhengwu.valuation.model.scoring import read_facts
from zhengwu.valuation.service.reference import as_profile, current_profile_row, industry_table, profile_row
from zhengwu.valuation.tables import Assessment, AssessmentScore

DRAFT, FINAL = "draft", "final"
STATUS_LABELS = {DRAFT: "评估中", FINAL: "已出具结论"}
MONEY_UNITS = ("元", "万元")
APPROACHES = {"income": "收益法", "market": "市场法", "cost": "成本法"}
MAX_SCORES_PER_CALL = 200


def text(value: object, field: str, label: str, max_len: int, *, required: bool = True) -> str:
    """Trimmed text of at most ``max_len`` characters (``Invalid`` naming the field otherwise)."""
    if value is not None and not isinstance(value, str):
        raise Invalid(f"{label}应为文字。", field=field)
    result = (value or "").strip()
    if required and not result:
        raise Invalid(f"请填写{label}。", field=field)
    if len(result) > max_len:
        raise Invalid(f"{label}不能超过 {max_len} 个字。", field=field)
    if "\x00" in result:
        raise Invalid(f"{label}中含有不可见的控制字符。", field=field)
    return result


def clean_facts(raw: Mapping[str, Any]) -> dict[str, Any]:
    """The facts as stored: checked, unknown values (``None``) left out."""
    read_facts(raw)
    return {k: v for k, v in raw.items() if v is not None}


@dataclass(frozen=True)
class Header:
    """What describes an assessment, as entered on its form or in the API."""

    title: str
    patent_number: str
    patent_title: str
    holder: str
    client: str
    industry_code: str | None
    money_unit: str
    facts: Mapping[str, Any]


def _checked_header(session: Session, h: Header) -> dict[str, Any]:
    industry = (h.industry_code or "").strip() or None
    if industry is not None and industry not in industry_table(session):
        raise Invalid(f"行业代码“{industry[:30]}”不在行业分成率区间表中。", field="industry_code")
    if h.money_unit not in MONEY_UNITS:
        raise Invalid("金额单位须为“元”或“万元”。", field="money_unit")
    return {
        "title": text(h.title, "title", "评估项目名称", 200),
        "patent_number": text(h.patent_number, "patent_number", "专利号", 32),
        "patent_title": text(h.patent_title, "patent_title", "专利名称", 256),
        "holder": text(h.holder, "holder", "专利权人", 200, required=False),
        "client": text(h.client, "client", "委托方", 200, required=False),
        "industry_code": industry,
        "money_unit": h.money_unit,
        "facts": json.dumps(clean_facts(h.facts), ensure_ascii=False),
    }


def create_assessment(
    uow: UnitOfWork, principal: Principal | None, header: Header, *, profile_code: str, unit_id: int | None = None
) -> Assessment:
    """A draft assessment in ``unit_id`` (default the user's unit), scored on the current version of
    ``profile_code``."""
    p = require(principal, ASSESS)
    session = uow.session
    unit = session.get(Unit, unit_id if unit_id is not None else p.unit_id)
    if unit is None or not unit.active:
        raise Invalid("单位不存在或已停用。", field="unit_id")
    code = text(profile_code, "profile_code", "评价方案", 64)
    try:
        profile = current_profile_row(session, code)
    except NotFound as exc:
        raise Invalid(exc.message, field="profile_code") from None
    now = uow.clock.now()
    a = Assessment(
        unit_id=unit.id,
        profile_id=profile.id,
        status=DRAFT,
        created_by_id=p.user_id,
        created_at=now,
        updated_at=now,
        **_checked_header(session, header),
    )
    check_write(session, principal, ASSESS, a)
    session.add(a)
    uow.flush()
    return a


def for_write(uow: UnitOfWork, principal: Principal | None, assessment_id: int, version: int | None) -> Assessment:
    """The assessment to change: in the writer's scope (404 outside it), at ``version`` (409 when stale) and
    still a draft (409 once concluded)."""
    require(principal, ASSESS)
    a: Assessment = get_scoped(uow.session, principal, ASSESS, Assessment, assessment_id)
    check_write(uow.session, principal, ASSESS, a)
    expect_version(a, version)
    if a.status == FINAL:
        raise Conflict("评估项目已出具结论，不能再修改。")
    a.updated_at = uow.clock.now()
    return a


def update_assessment(
    uow: UnitOfWork, principal: Principal | None, assessment_id: int, header: Header, *, version: int | None
) -> Assessment:
    """Change the description and facts of a draft (the profile stays the one it was created with)."""
    a = for_write(uow, principal, assessment_id, version)
    entered = any(getattr(a, f"{approach}_input") is not None for approach in APPROACHES)
    if header.money_unit != a.money_unit and entered:
        raise Invalid("已填写评估方法的参数（金额按原单位填写），不能再更改金额单位。", field="money_unit")
    for key, value in _checked_header(uow.session, header).items():
        setattr(a, key, value)
    uow.flush()
    return a


@dataclass(frozen=True)
class ScoreInput:
    """An expert's score of one sub-indicator; ``scorer`` empty: the user's full name."""

    sub_code: str
    value: int
    reason: str
    scorer: str = ""


def record_scores(
    uow: UnitOfWork,
    principal: Principal | None,
    assessment_id: int,
    scores: Sequence[ScoreInput],
    *,
    version: int | None = None,
) -> list[AssessmentScore]:
    """Append the scores (all checked first: each on its sub-indicator's ladder, with a reason); nothing is written
    when one is wrong. Errors name ``scores[k].<field>``."""
    a = for_write(uow, principal, assessment_id, version)
    assert principal is not None
    if not scores:
        raise Invalid("请至少填写一项评分。", field="scores")
    if len(scores) > MAX_SCORES_PER_CALL:
        raise Invalid(f"一次至多提交 {MAX_SCORES_PER_CALL} 项评分。", field="scores")
    profile = as_profile(profile_row(uow.session, a.profile_id))
    now = uow.clock.now()
    rows = []
    for k, s in enumerate(scores):
        at = f"scores[{k}]"
        sub = profile.sub_indicator(s.sub_code) if isinstance(s.sub_code, str) else None
        if sub is None:
            raise Invalid(f"评价方案中没有二级指标“{str(s.sub_code)[:30]}”。", field=f"{at}.sub_code")
        if isinstance(s.value, bool) or not isinstance(s.value, int) or s.value not in sub.levels:
            levels = "、".join(str(v) for v in sub.levels)
            raise Invalid(f"“{sub.name}”的评分须为评分档次之一（{levels}）。", field=f"{at}.value")
        reason = text(s.reason, f"{at}.reason", f"“{sub.name}”的评分理由", 2000)
        scorer = text(s.scorer, f"{at}.scorer", "评分人", 64, required=False) or principal.full_name
        rows.append(
            AssessmentScore(
                assessment_id=a.id,
                sub_code=sub.code,
                value=s.value,
                scorer=scorer,
                reason=reason,
                user_id=principal.user_id,
                scored_at=now,
            )
        )
    uow.session.add_all(rows)
    uow.flush()
    return rows


def set_input(
    uow: UnitOfWork,
    principal: Principal | None,
    assessment_id: int,
    approach: str,
    data: Any,
    *,
    version: int | None,
) -> Assessment:
    """Save (or clear, with ``None``) the input of ``approach`` after checking it whole with the pure parser, as it
    will be computed (:func:`~zhengwu.valuation.service.assessment_results.check_input`): nothing is half-saved."""
    from zhengwu.valuation.service.assessment_results import check_input

    if approach not in APPROACHES:
        raise Invalid(f"未知的评估方法“{approach[:20]}”，可选：income、market、cost。", field="approach")
    a = for_write(uow, principal, assessment_id, version)
    stored = None
    if data is not None:
        profile = as_profile(profile_row(uow.session, a.profile_id))
        stored = json.dumps(check_input(uow.session, a, profile, approach, data), ensure_ascii=False)
    setattr(a, f"{approach}_input", stored)
    uow.flush()
    return a


def conclude(
    uow: UnitOfWork, principal: Principal | None, assessment_id: int, chosen: str, *, version: int | None
) -> Assessment:
    """Choose the approach of the conclusion and make the assessment final: its result must be computable."""
    from zhengwu.valuation.service.assessment_results import picture_of

    if chosen not in APPROACHES:
        raise Invalid("请选择作为结论的评估方法：income 收益法、market 市场法、cost 成本法。", field="chosen")
    a = for_write(uow, principal, assessment_id, version)
    outcome = picture_of(uow.session, a).approach(chosen)
    if outcome.value is None:
        reason = outcome.error or "尚未填写该方法的参数"
        raise Invalid(f"{APPROACHES[chosen]}尚无结果：{reason}", field="chosen")
    a.chosen, a.status = chosen, FINAL
    uow.flush()
    return a


# ------------------------------------------------------------------------------------------------------ reads


def list_assessments(
    session: Session,
    principal: Principal | None,
    *,
    status: str | None = None,
    q: str | None = None,
    industry_code: str | None = None,
    limit: int = 500,
) -> list[tuple[Assessment, str]]:
    """Assessments in the caller's scope with their unit's name, newest first; ``q`` searches the title, patent
    number, patent title, holder and client."""
    stmt = select(Assessment, Unit.name).join(Unit, Unit.id == Assessment.unit_id)
    if status:
        if status not in STATUS_LABELS:
            raise Invalid("状态须为 draft（评估中）或 final（已出具结论）。", field="status")
        stmt = stmt.where(Assessment.status == status)
    if industry_code:
        stmt = stmt.where(Assessment.industry_code == industry_code)
    if q and q.strip():
        pattern = f"%{q.strip()[:100]}%"
        stmt = stmt.where(
            or_(
                *(
                    col.ilike(pattern)
                    for col in (
                        Assessment.title,
                        Assessment.patent_number,
                        Assessment.patent_title,
                        Assessment.holder,
                        Assessment.client,
                    )
                )
            )
        )
    stmt = stmt.order_by(Assessment.updated_at.desc(), Assessment.id.desc()).limit(limit)
    return [(a, name) for a, name in session.execute(restrict(stmt, principal, VIEW, Assessment))]


def get_assessment(session: Session, principal: Principal | None, assessment_id: int) -> Assessment:
    """One assessment in the caller's ``valuation.view`` scope (404 otherwise)."""
    found: Assessment | None = session.scalar(
        restrict(select(Assessment).where(Assessment.id == assessment_id), principal, VIEW)
    )
    if found is None:
        raise NotFound("评估项目不存在或不在您的数据范围内。")
    return found


def score_history(session: Session, assessment_id: int) -> list[AssessmentScore]:
    """Every expert score of the assessment, oldest first (the latest of a sub-indicator counts)."""
    stmt = select(AssessmentScore).where(AssessmentScore.assessment_id == assessment_id).order_by(AssessmentScore.id)
    return list(session.scalars(stmt))


def stored(a: Assessment, approach: str) -> dict[str, Any] | None:
    """The stored input of ``approach`` as a dict (``None`` when not entered)."""
    raw: str | None = getattr(a, f"{approach}_input")
    return None if raw is None else dict(json.loads(raw))


def facts_of(a: Assessment) -> dict[str, Any]:
    return dict(json.loads(a.facts))


def profile_of(session: Session, a: Assessment) -> Profile:
    return as_profile(profile_row(session, a.profile_id))


def unit_name(session: Session, unit_id: int) -> str:
    return session.scalar(select(Unit.name).where(Unit.id == unit_id)) or ""


def deal_comparables(
    session: Session, principal: Principal | None, money_unit: str, picks: Sequence[tuple[int, float]]
) -> list[dict[str, Any]]:
    """Comparables of the market input copied from the deals table as they stand now — price converted from 元 to
    ``money_unit``, value degree and date — so that a later edit of a deal does not silently change a saved
    assessment. ``picks`` are (deal id, weight); a deal without a value degree cannot be a comparable."""
    from zhengwu.valuation.service.deals import deals_by_ids

    weights = dict(picks)
    out = []
    for k, deal in enumerate(deals_by_ids(session, principal, [deal_id for deal_id, _ in picks])):
        if deal.pvd is None:
            raise Invalid(f"可比交易“{deal.title}”没有专利价值度，不能用于市场法。", field=f"comparables[{k}].pvd")
        price = deal.price / 10000 if money_unit == "万元" else deal.price
        out.append(
            {
                "id": f"D{deal.id}",
                "title": f"{deal.patent_number} {deal.title}"[:256],
                "price": float(price),
                "pvd": deal.pvd,
                "deal_date": deal.deal_date.isoformat(),
                "weight": weights[deal.id],
            }
        )
    return out
