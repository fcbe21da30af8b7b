"""Use cases of patent valuation: the reference data (profiles kept as versions, industry ranges, comparable deals),
assessments with their scores and approaches, reports and portfolio runs. Reads go through ``restrict()``; each
user action is one unit of work."""
