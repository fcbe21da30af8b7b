"""The pure numeric core of patent valuation (no database, no web): the multi-level indicator system with its
profiles, automatic rules and gates (:mod:`zhengwu.valuation.model.indicators`, the shipped example profile in
:mod:`zhengwu.valuation.model.default_profile`) and the income approach (:mod:`zhengwu.valuation.model.income`, the
share-rate methods in :mod:`zhengwu.valuation.model.share_rates`)."""
