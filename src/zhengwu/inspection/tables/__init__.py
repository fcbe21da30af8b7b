"""ORM mapping of inspection (巡察): plans and rounds with their dated stages, teams, the talent pool of cadres and
their secondments, the editable finding categories, the three matter kinds (findings, leads, rectification items,
joined one-to-one to ``matters``), sign-off approvals and evidence, the responsibility list, common-problem lists with
their self-checks, and accountability with money in 元 (``NUMERIC(14, 2)``).

Scopes (``__scope_unit__``): a plan, a round and a common-problem list belong to the committee unit that approves
them (its inspection office works in that unit's subtree); a finding and an item to the inspected organisation (the
matter's owner); a lead to the unit that received it; a cadre to the unit they work in. A lead's description and
feedback are masked in the audit log: the log is read by auditors who hold no lead grant.
"""

from zhengwu.inspection.tables.ledgers import (
    Accountability,
    ProblemList,
    ProblemListUnit,
    ProblemTemplate,
    ResponsibilityItem,
    ResponsibilityStatus,
    SelfCheck,
)
from zhengwu.inspection.tables.matters import (
    FindingMatter,
    InspectionCategory,
    ItemApproval,
    ItemEvidence,
    ItemMatter,
    LeadMatter,
)
from zhengwu.inspection.tables.rounds import (
    InspectionCadre,
    InspectionCadreSpecialty,
    InspectionConflict,
    InspectionPlan,
    InspectionPlanTarget,
    InspectionRound,
    InspectionRoundStage,
    InspectionRoundTarget,
    InspectionSecondment,
    InspectionTeam,
)

__all__ = [
    "Accountability",
    "FindingMatter",
    "InspectionCadre",
    "InspectionCadreSpecialty",
    "InspectionCategory",
    "InspectionConflict",
    "InspectionPlan",
    "InspectionPlanTarget",
    "InspectionRound",
    "InspectionRoundStage",
    "InspectionRoundTarget",
    "InspectionSecondment",
    "InspectionTeam",
    "ItemApproval",
    "ItemEvidence",
    "ItemMatter",
    "LeadMatter",
    "ProblemList",
    "ProblemListUnit",
    "ProblemTemplate",
    "ResponsibilityItem",
    "ResponsibilityStatus",
    "SelfCheck",
]
