"""The administrator's commands: users, unit import, database upgrade and check, and the demo."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from tests.support.demo_db import DEMO_GROUP, LEFTOVER, DemoDatabases
from zhengwu.cli import app
from zhengwu.core.audit.service import verify
from zhengwu.core.db import Database
from zhengwu.core.org.auth import load_principal
from zhengwu.core.org.tables import Unit, User
from zhengwu.demo import USERS
from zhengwu.finance.people import USERS as FINANCE_USERS
from zhengwu.inspection.people import USERS as INSPECTION_USERS
from zhengwu.valuation.people import USERS as VALUATION_USERS


def run(db_url: str, *args: str, stdin: str | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args), env={"ZHENGWU_DATABASE_URL": db_url}, input=stdin)
    return result.exit_code, result.output


def test_user_create_adds_a_user_with_roles_in_the_named_unit(db: Database, db_url: str) -> None:
    code, out = run(
        db_url,
        "user",
        "create",
        "wang",
        "--name",
        "王五",
        "--unit",
        "fh-gl",
        "--role",
        "clerk",
        stdin="Wangwu2024\nWangwu2024\n",
    )
    assert code == 0, out
    assert "已创建用户 wang" in out
    with db.reading() as s:
        user_id = s.scalar(select(User.id).where(User.username == "wang"))
        principal = load_principal(s, user_id or 0)
    assert principal is not None and principal.unit_name == "凤凰县公路建设养护中心"
    assert principal.has("org.unit.view")


def test_user_create_refuses_an_unknown_unit_or_role_or_a_weak_password(db: Database, db_url: str) -> None:
    assert (
        run(db_url, "user", "create", "u1", "--name", "甲", "--unit", "nowhere", stdin="Abcdef123\nAbcdef123\n")[0] == 2
    )
    code, out = run(
        db_url,
        "user",
        "create",
        "u2",
        "--name",
        "乙",
        "--unit",
        "fh",
        "--role",
        "nosuch",
        stdin="Abcdef123\nAbcdef123\n",
    )
    assert code == 2 and "nosuch" in out
    code, out = run(db_url, "user", "create", "u3", "--name", "丙", "--unit", "fh", stdin="short\nshort\n")
    assert code == 2 and "密码至少 8 位" in out
    with db.reading() as s:
        assert not s.scalar(select(func.count()).select_from(User).where(User.username.in_(["u1", "u2", "u3"])))


def test_unit_import_adds_a_town_and_its_villages(db: Database, db_url: str, tmp_path: Path) -> None:
    csv = tmp_path / "units.csv"
    csv.write_text(
        "code,name,kind,parent_code\nfh-ajy,阿拉营镇,town,fh\nfh-ajy-1,阿拉营镇示例村,村（社区）,fh-ajy\n",
        encoding="utf-8",
    )
    code, out = run(db_url, "unit", "import", str(csv))
    assert code == 0, out
    with db.reading() as s:
        fh = s.scalar(select(Unit).where(Unit.code == "fh"))
        village = s.scalar(select(Unit).where(Unit.code == "fh-ajy-1"))
        assert fh is not None and village is not None
        assert village.path.startswith(fh.path) and village.kind.value == "village"


def test_unit_import_of_a_bad_file_lists_every_row_and_writes_nothing(
    db: Database, db_url: str, tmp_path: Path
) -> None:
    csv = tmp_path / "units.csv"
    csv.write_text(
        "code,name,kind,parent_code\nfh-x,,town,fh\nfh-y,某镇,castle,fh\nfh-z,某村,village,missing\n",
        encoding="gb18030",
    )
    with db.reading() as s:
        before = s.scalar(select(func.count()).select_from(Unit))
    code, out = run(db_url, "unit", "import", str(csv))
    assert code == 2
    assert "第 2 行" in out and "第 3 行" in out and "第 4 行" in out
    with db.reading() as s:
        assert s.scalar(select(func.count()).select_from(Unit)) == before


def test_db_upgrade_is_idempotent_and_check_finds_no_drift(db_url: str) -> None:
    code, out = run(db_url, "db", "upgrade")
    assert code == 0, out
    code, out = run(db_url, "db", "check", "--url", db_url)
    assert code == 0 and "一致" in out


@pytest.mark.xdist_group(DEMO_GROUP)
def test_demo_rebuilds_the_database_from_nothing_with_a_login_for_each_role(demo_dbs: DemoDatabases) -> None:
    # The SQLite demo the demo modules read is built by the command, over a database already holding a user the
    # demo does not have (tests/support/demo_db.py): the demo is built once per worker, not again here.
    run = demo_dbs.command()
    assert run.exit_code == 0, run.output
    for username in ("admin", "auditor", "fh_jw", "fh_admin", "fh_gl", "js_admin", "xt_ipc", "cs_valuer", "cs_loan"):
        assert username in run.output
    with demo_dbs("sqlite").reading() as s:
        people = len(USERS) + len(INSPECTION_USERS) + len(VALUATION_USERS) + len(FINANCE_USERS)
        assert s.scalar(select(func.count()).select_from(User)) == people
        assert s.scalar(select(func.count()).select_from(User).where(User.username == LEFTOVER)) == 0
        assert s.scalar(select(Unit.name).where(Unit.code == "fh-gl")) == "凤凰县公路建设养护中心"
        assert verify(s).broken is None


def test_db_check_fails_when_a_model_has_no_migration(tmp_path: Path) -> None:
    from sqlalchemy import Column, Integer, Table

    from zhengwu.schema import metadata

    table = Table("unmigrated_things", metadata, Column("id", Integer, primary_key=True))
    try:
        code, out = run(f"sqlite:///{tmp_path / 'x.db'}", "db", "check")
    finally:
        metadata.remove(table)
    assert code != 0
    assert "unmigrated_things" in out and "不一致" in out
