"""Statistics of matters (事项统计): counts, on-time rate, cycle time and backlog, computed in SQL.

A statistic is asked for one kind, optionally narrowed to an owner unit **with its subtree** (the unit path
prefix, as ``restrict()`` reads a subtree scope), a current status and a channel, over the **cohort of matters
received in a period**: local dates ``from`` to ``to`` inclusive, in Asia/Shanghai time, i.e. ``received_at`` in
[``from`` 00:00, ``to`` + 1 day 00:00) local. The principal counts only the matters they may see: the statement
goes through ``restrict()`` with the kind's view grant, and a unit outside their scope is "not found".

Definitions (every figure is over that cohort; ``now`` is the clock's time when the statistic is asked):

* **received (接收)**: matters in the cohort.
* **resolved (办结)**: ``resolved_at`` is set (a reopened matter has it cleared and counts as open again).
* **open (在办)**: ``resolved_at`` is not set.
* **on time (按期办结)**: resolved and ``resolved_at <= due_at``, where ``due_at`` is the matter's main deadline
  (``matters.due_at``, moved by approved extensions and pauses).
* **resolved late (逾期办结)**: resolved and ``resolved_at > due_at``.
* **open overdue (逾期未办结)**: open and ``due_at < now``. A paused matter is judged by its stored ``due_at``
  (the deadline moves when it is resumed).
* **overdue (逾期)** = resolved late + open overdue.
* A matter without a main deadline (``due_at`` NULL) is neither on time nor overdue.
* **on-time rate (按期办结率)** = on time ÷ (on time + resolved late), i.e. among the resolved matters that had a
  deadline; ``None`` when there are none.
* **cycle time (办理用时)**: working days between the local date of receipt and the local date of resolution,
  counted as the calendar does, in the half-open span (received, resolved]: a matter resolved on the day it came
  in took 0 working days, one resolved on the next working day took 1. Paused spans are included (this is the
  time the public waited). Over the resolved matters: mean, median (the middle value, or the mean of the two
  middle values), P90 by nearest rank (the smallest n such that at least 90 % of them took ≤ n working days) and
  the fastest (minimum).
* **backlog by age (积压账龄)**: open matters bucketed by working days from the local date of receipt to today
  (same counting): ≤ 5, 6–10, 11–20, > 20.

How it is computed (``service.py``): one aggregate query returns every count and the backlog buckets (``COUNT``
of ``CASE`` expressions). The buckets need no date arithmetic in SQL: the age of a matter only grows as its
receipt date moves back, so for each bound k the calendar gives the earliest receipt date whose age is still
≤ k, and the bucket is a comparison of ``received_at`` with that date's local midnight. Cycle times need the
working-day calendar, which SQL does not have: a second query groups the resolved matters by (local date of
receipt, local date of resolution) with their counts; each distinct pair becomes working days through the
calendar's cumulative counts in Python, and the mean, median, P90 and minimum come from that weighted
distribution. The pairs are bounded by the days of the period times the spread of cycle times, not by the number
of matters (10,759 pairs for the 31,000 matters of one county-year in ``benchmarks/matters_stats.py``). Local
dates are taken in SQL by a dialect-aware expression (``service.local_date``); nothing new is stored.
"""
