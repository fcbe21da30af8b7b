"""The matters engine: anything a responsible unit must carry to a verified end under a deadline.

Kinds (requests, findings, rectification items, leads, cases …) declare their workflow and time limits as data
(``model.KindSpec``) and register it; the engine keeps serial numbers, history, deadlines with extensions and
pauses, and the to-do list. Nothing kind-specific lives here.
"""
