"""Notices (提醒与通知): the reminders, warnings and escalations that ``zhengwu tick`` writes, shown in an inbox,
counted, put on the to-do list and marked read.

Rooms as in any package: ``model.py`` (the kinds of notice and their labels), ``service.py`` (who sees which
notice, reading and marking, inside the caller's unit of work), ``views.py`` (the ``/notices`` page, the to-do
provider and the shell module) and ``api.py`` (``/api/v1/notices``).

Who sees a notice: a principal holding the view grant of the matter's kind with a scope that covers both the unit
the notice is addressed to (``MatterNotice.unit_id``) and the matter itself (its owner unit, or its handler for a
"self" scope). So the owner unit's staff see what was sent to their unit, and a supervising unit sees the copies
of the urging notices and criticisms it issued, as long as it may see the matter. A notice outside that scope does
not exist as far as the principal can tell (404, never 403).

Seeing is not reading. The inbox shows the notices told to the principal's own unit by default and, on request
(``mine=0`` on the page, ``mine=false`` in the API; 范围 “所辖全部”), every notice in their scope, so a supervisor
may browse what other units were told. But read state belongs to the notice, that is to the unit told, not to each
reader: only the notices told to the principal's own unit (``principal.unit_id``) that they may see count as unread
for them, go on their to-do list and may be marked read by them (one, or all at once). Marking a notice they may
see but that was told to another unit is refused with 403 (只能由被通知单位标为已读), so a commission user with a
wide scope can neither flood their own to-do list with every unit's notices nor silently clear another unit's; a
notice they cannot see is still 404. The first person of the unit to mark a notice read is recorded (``read_at``,
``read_by``) and it then counts as read for everyone who sees it; marking it again changes nothing.
"""
