"""The pure numeric core of finance (NumPy and SciPy; no database, no web): the plan contract and its parser
(:mod:`~zhengwu.finance.model.plan`), the loans' amortisation schedules (:mod:`~zhengwu.finance.model.schedule`),
the cash-flow waterfall vectorised over paths (:mod:`~zhengwu.finance.model.waterfall`, its tranche metrics in
:mod:`~zhengwu.finance.model.waterfall_metrics`) and the date-based metrics XIRR and WAL
(:mod:`~zhengwu.finance.model.metrics`). The contract is documented in docs/finance.md."""
