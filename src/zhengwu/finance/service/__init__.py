"""Use cases of pledge loans and securitization. The stateless calculation of a plan (its waterfall and its
simulation) is :mod:`zhengwu.finance.service.run`; it reads and writes nothing."""
