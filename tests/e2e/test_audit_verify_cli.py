"""``zhengwu audit verify``: exit 0 on an intact log; otherwise non-zero, naming the first broken entry."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from tests.integration.test_audit_chain import TAMPERINGS, Tamper, last_id, tamper
from zhengwu.cli import app
from zhengwu.core.db import Database


def run_verify(db_url: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["audit", "verify"], env={"ZHENGWU_DATABASE_URL": db_url})
    # Rich may wrap long lines; compare without whitespace.
    return result.exit_code, "".join((result.output + (result.stderr or "")).split())


def test_an_intact_log_verifies_with_exit_code_zero(db: Database, db_url: str) -> None:
    code, out = run_verify(db_url)
    assert code == 0, out
    assert f"审计日志完整：共{last_id(db)}条记录" in out


@pytest.mark.parametrize("how", TAMPERINGS.values(), ids=TAMPERINGS.keys())
def test_a_tampered_log_fails_and_names_the_first_broken_entry(db: Database, db_url: str, how: Tamper) -> None:
    broken = tamper(db, how)
    code, out = run_verify(db_url)
    assert code != 0
    assert "审计日志校验失败" in out
    assert f"记录序号{broken}）" in out
    assert f"第{broken}条" in out
