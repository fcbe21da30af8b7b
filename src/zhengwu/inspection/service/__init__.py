"""Use cases of inspection (巡察), one module per area: rounds and plans, the talent pool, findings and their
categories, rectification items, leads, the responsibility list, common-problem lists, accountability, figures."""
