"""A test kind with a three-step workflow: accept → resolve → sign off, with its own joined table.

Limits: sign for (accept) within 1 working day of receipt; handle within 5 working days of acceptance (the main
deadline); natural-day and working-hour clocks are exercised by the unit tests of ``deadlines``.
"""

from __future__ import annotations

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from zhengwu.core.db import Database
from zhengwu.core.labels import LabelledEnum
from zhengwu.core.matters.model import KindSpec, LimitUnit, Need, Step, TimeLimit, workflow_from_enum
from zhengwu.core.matters.registry import Kind, register_kind
from zhengwu.core.matters.tables import Matter
from zhengwu.core.org.model import register_action


class State(LabelledEnum):
    RECEIVED = "received", "已收到"
    HANDLING = "handling", "办理中"
    RESOLVED = "resolved", "已办结"
    CLOSED = "closed", "已销号"


VIEW = register_action("testkind.view", "查看测试事项")
CREATE = register_action("testkind.create", "登记测试事项")
ACCEPT = register_action("testkind.accept", "签收测试事项")
RESOLVE = register_action("testkind.resolve", "办结测试事项")
CLOSE = register_action("testkind.close", "销号测试事项")
EXTEND = register_action("testkind.extend", "审批测试事项延期")
PAUSE = register_action("testkind.pause", "暂停测试事项计时")

WORKFLOW = workflow_from_enum(
    State,
    State.RECEIVED,
    [
        Step("accept", "签收", frozenset({State.RECEIVED}), State.HANDLING, ACCEPT),
        Step(
            "resolve", "办结", frozenset({State.HANDLING}), State.RESOLVED, RESOLVE, frozenset({Need.NOTE}), ("result",)
        ),
        Step("reopen", "退回重办", frozenset({State.RESOLVED}), State.HANDLING, CLOSE, frozenset({Need.NOTE})),
        Step("close", "销号", frozenset({State.RESOLVED}), State.CLOSED, CLOSE),
    ],
    resolved=[State.RESOLVED, State.CLOSED],
    closed=[State.CLOSED],
)

SPEC = KindSpec(
    code="testkind",
    label="测试事项",
    prefix="测",
    workflow=WORKFLOW,
    limits=(
        TimeLimit("sign", "签收时限", 1, LimitUnit.WORKING_DAYS, frozenset({State.RECEIVED})),
        TimeLimit(
            "handle", "办理时限", 5, LimitUnit.WORKING_DAYS, frozenset({State.HANDLING}), start="accept", main=True
        ),
    ),
    view_grant=VIEW,
    create_grant=CREATE,
    extend_grant=EXTEND,
    pause_grant=PAUSE,
)


class ThreeStepMatter(Matter):
    __tablename__ = "test_three_step_matters"
    __table_args__ = {"info": {"test_only": True}}  # noqa: RUF012

    id: Mapped[int] = mapped_column(ForeignKey("matters.id", ondelete="CASCADE"), primary_key=True)
    location: Mapped[str] = mapped_column(String(200), default="")
    result: Mapped[str | None] = mapped_column(Text)

    __mapper_args__ = {"polymorphic_identity": "testkind"}  # noqa: RUF012


KIND: Kind = register_kind(SPEC, ThreeStepMatter)


def install(db: Database) -> None:
    """Create the test kind's own table in a test database (migrations know nothing of it)."""
    ThreeStepMatter.__table__.create(db.engine, checkfirst=True)  # type: ignore[attr-defined]
