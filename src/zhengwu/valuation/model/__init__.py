"""The pure numeric core of patent valuation (no database, no web): the multi-level indicator system with its
profiles, automatic rules and gates (:mod:`zhengwu.valuation.model.indicators`, the shipped example profile in
:mod:`zhengwu.valuation.model.default_profile`, the contract's ``share_rate.indicators`` scored through a profile in
:mod:`zhengwu.valuation.model.scoring`), the industries' royalty ranges (:mod:`zhengwu.valuation.model.industries`)
and the income approach (:mod:`zhengwu.valuation.model.income`, the share-rate methods in
:mod:`zhengwu.valuation.model.share_rates`). The contract is documented in docs/valuation.md."""
