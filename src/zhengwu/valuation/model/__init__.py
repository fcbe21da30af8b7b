"""The pure numeric core of patent valuation (no database, no web): the multi-level indicator system with its
profiles, automatic rules and gates (:mod:`zhengwu.valuation.model.indicators`, the shipped example profile in
:mod:`zhengwu.valuation.model.default_profile`, the contract's ``share_rate.indicators`` scored through a profile in
:mod:`zhengwu.valuation.model.scoring`), the industries' royalty ranges (:mod:`zhengwu.valuation.model.industries`)
and the income approach (:mod:`zhengwu.valuation.model.income`, the share-rate methods in
:mod:`zhengwu.valuation.model.share_rates`). The contract is documented in docs/valuation.md."""

from zhengwu.core.org.model import register_action

VIEW = register_action("valuation.view", "查看专利评估、评价方案与可比交易")
ASSESS = register_action("valuation.assess", "开展专利评估：评分、估值、出具评估报告")
PROFILE_MANAGE = register_action("valuation.profile.manage", "维护评价指标方案与行业分成率区间")
DEAL_MANAGE = register_action("valuation.deal.manage", "维护可比交易案例")
ALL_VALUATION = (VIEW, ASSESS, PROFILE_MANAGE, DEAL_MANAGE)
