"""The kinds of notice ``zhengwu tick`` writes, with the Chinese labels of the matter history (pure)."""

from __future__ import annotations

from zhengwu.core.labels import LabelledEnum
from zhengwu.core.matters.model import EVENT_LABELS


class NoticeKind(LabelledEnum):
    DUE_SOON = "due_soon", EVENT_LABELS["notice_due_soon"]
    OVERDUE = "overdue", EVENT_LABELS["notice_overdue"]
    REMINDER = "reminder", EVENT_LABELS["notice_reminder"]
    URGING = "urging", EVENT_LABELS["notice_urging"]
    CRITICISM = "criticism", EVENT_LABELS["notice_criticism"]
    REPORT_DUE = "report_due", EVENT_LABELS["notice_report_due"]


#: Notices that say a limit has already been missed; the others warn ahead of time.
LATE = frozenset({NoticeKind.OVERDUE, NoticeKind.URGING, NoticeKind.CRITICISM})


def label(kind: str) -> str:
    """The Chinese name of a notice kind (the code itself for a kind this version does not know).

    >>> label("urging"), label("something_new")
    ('催办通知', 'something_new')
    """
    return EVENT_LABELS.get(f"notice_{kind}", kind)
