"""The pledge-rate ceilings (质押率上限) and the risk-pool rules (风险补偿规则): reference data every holder of
``finance.view`` reads, kept by ``finance.rules.manage``. The loans' service reads the ceilings when a loan is
approved and a rule when a loan defaults."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from zhengwu.core.errors import NotFound
from zhengwu.finance.tables import PledgeCeiling, RiskPoolRule


def ceilings(session: Session) -> dict[str, float]:
    """The ceilings by patent type (``all``, ``invention``, ``utility``, ``design``; only those set)."""
    return {row.patent_type: row.ceiling for row in session.scalars(select(PledgeCeiling))}


def active_rules(session: Session) -> list[RiskPoolRule]:
    """The risk-pool rules not retired, by code."""
    return list(
        session.scalars(select(RiskPoolRule).where(RiskPoolRule.retired.is_(False)).order_by(RiskPoolRule.code))
    )


def get_rule(session: Session, rule_id: int) -> RiskPoolRule:
    """The rule ``rule_id`` (retired or not), else ``NotFound``."""
    rule = session.get(RiskPoolRule, rule_id)
    if rule is None:
        raise NotFound("风险补偿规则不存在。")
    return rule
