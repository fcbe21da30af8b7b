"""The multi-level indicator system (多层级专利价值评价指标体系), pure: profiles (:mod:`.profile`) as data
(:mod:`.dicts`), a patent's facts with automatic rules and gates (:mod:`.facts`), and the evaluation giving the
indicator scores, the legal, technical and economic value degrees and PVD = α·LVD + β·TVD + γ·EVD
(:mod:`.evaluation`). The shipped default profile is :mod:`zhengwu.valuation.model.default_profile`."""

from zhengwu.valuation.model.indicators.dicts import profile_from_dict, profile_to_dict
from zhengwu.valuation.model.indicators.evaluation import (
    AUTO_SCORER,
    Evaluation,
    Score,
    automatic_scores,
    evaluate,
    gate_hits,
)
from zhengwu.valuation.model.indicators.facts import (
    GATES,
    RULES,
    GateHit,
    InvalidationHistory,
    LegalStatus,
    PatentFacts,
    PatentType,
    remaining_years,
    term_end,
)
from zhengwu.valuation.model.indicators.profile import (
    WEIGHT_TOLERANCE,
    Dimension,
    DimensionCode,
    Gate,
    Indicator,
    Level,
    Profile,
    SubIndicator,
    Use,
)

__all__ = [
    "AUTO_SCORER",
    "GATES",
    "RULES",
    "WEIGHT_TOLERANCE",
    "Dimension",
    "DimensionCode",
    "Evaluation",
    "Gate",
    "GateHit",
    "Indicator",
    "InvalidationHistory",
    "LegalStatus",
    "Level",
    "PatentFacts",
    "PatentType",
    "Profile",
    "Score",
    "SubIndicator",
    "Use",
    "automatic_scores",
    "evaluate",
    "gate_hits",
    "profile_from_dict",
    "profile_to_dict",
    "remaining_years",
    "term_end",
]
