"""The pure numeric core of finance (NumPy and SciPy; no database, no web): the plan contract and its parser
(:mod:`~zhengwu.finance.model.plan`), the loans' amortisation schedules (:mod:`~zhengwu.finance.model.schedule`),
the cash-flow waterfall vectorised over paths (:mod:`~zhengwu.finance.model.waterfall`, its tranche metrics in
:mod:`~zhengwu.finance.model.waterfall_metrics`) and the date-based metrics XIRR and WAL
(:mod:`~zhengwu.finance.model.metrics`). The contract is documented in docs/finance.md."""

from zhengwu.core.org.model import register_action

VIEW = register_action("finance.view", "查看质押贷款与证券化方案")
STRUCTURE = register_action("finance.structure", "测算证券化方案（现金流瀑布、模拟、规模）")
LOAN_MANAGE = register_action("finance.loan.manage", "登记、维护质押贷款")
RULES_MANAGE = register_action("finance.rules.manage", "维护质押率上限与风险补偿规则")
ALL_FINANCE = (VIEW, STRUCTURE, LOAN_MANAGE, RULES_MANAGE)
