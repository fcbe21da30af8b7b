"""``zhengwu tick`` also runs the systems' housekeeping jobs (core.jobs): the public form's address hashes are
blanked once the rate window has passed, and the run says how many."""

from __future__ import annotations

from sqlalchemy import select
from typer.testing import CliRunner

from tests.support.request_people import SYSTEM, category, setup
from zhengwu.cli import app
from zhengwu.core.attachments import Limits
from zhengwu.core.db import Database
from zhengwu.core.jobs import JOBS
from zhengwu.requests.service.public import RatePolicy, client_hash, receive_from_web
from zhengwu.requests.tables import RequestWebReceipt


def test_the_tick_blanks_the_address_hashes_of_web_submissions_older_than_the_rate_window(
    db: Database, db_url: str
) -> None:
    setup(db)
    with db.uow(SYSTEM) as uow:  # the test clock stands in 2024: long before the real now the tick runs at
        created, _code = receive_from_web(
            uow,
            unit_code="fh",
            source=client_hash("k", "203.0.113.7"),
            policy=RatePolicy(),
            limits=Limits(max_bytes=1024, max_files=1),
            photos=[],
            fields={"type": "complaint", "category_id": category(db, "traffic.road"), "description": "路面湿滑"},
        )
        uow.commit()
    assert "网上表单来源清理" in JOBS

    result = CliRunner().invoke(app, ["tick"], env={"ZHENGWU_DATABASE_URL": db_url})
    output = "".join((result.output + (result.stderr or "")).split())
    assert result.exit_code == 0, output
    assert "清除网上表单来源地址摘要1条" in output
    with db.reading() as s:
        assert s.scalar(select(RequestWebReceipt.source_hash).where(RequestWebReceipt.matter_id == created.id)) == ""

    again = CliRunner().invoke(app, ["tick"], env={"ZHENGWU_DATABASE_URL": db_url})
    assert "清除网上表单来源地址摘要" not in "".join(again.output.split())
