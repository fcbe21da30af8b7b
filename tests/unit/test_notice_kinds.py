"""The notice kinds of the inbox are exactly those ``zhengwu tick`` writes, each with its Chinese label."""

from __future__ import annotations

from zhengwu.core.matters.notices.model import LATE, NoticeKind, label
from zhengwu.core.matters.tick import NOTICE_KINDS


def test_the_inbox_knows_every_kind_of_notice_the_tick_writes() -> None:
    assert [k.value for k in NoticeKind] == list(NOTICE_KINDS)


def test_every_kind_has_the_label_of_the_matter_history() -> None:
    assert [k.label for k in NoticeKind] == ["到期预警", "逾期警示", "到期提醒", "催办通知", "通报批评", "进展报送提醒"]
    assert label("urging") == "催办通知"


def test_a_missed_limit_is_late_and_a_warning_ahead_of_time_is_not() -> None:
    assert sorted(LATE) == ["criticism", "overdue", "urging"]
    assert {k.value for k in NoticeKind} - LATE == {"due_soon", "reminder", "report_due"}
