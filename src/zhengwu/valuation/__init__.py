"""Patent valuation (专利价值评估): the multi-level indicator system and the income, market and cost approaches."""
