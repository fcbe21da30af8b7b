"""Bulk import of historical matters, on SQLite and PostgreSQL, with the test kind (tests/support/three_step.py)."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from tests.conftest import principal, unit_id
from tests.support import three_step
from tests.support.three_step import KIND
from zhengwu.core.audit.service import verify
from zhengwu.core.audit.tables import AuditEntry
from zhengwu.core.db import Actor, Database
from zhengwu.core.errors import Forbidden
from zhengwu.core.imports import ImportRejected, RowError
from zhengwu.core.matters import service
from zhengwu.core.matters.imports import ImportResult, import_matters, read_file
from zhengwu.core.matters.tables import Matter, MatterDeadline, MatterEvent, MatterImportKey, MatterSerial
from zhengwu.core.org.model import Principal, system_principal
from zhengwu.core.org.service import GrantInput, create_user, save_role

TZ = ZoneInfo("Asia/Shanghai")
ACTOR = Actor(None, "测试导入")
HEADER = "导入编号,标题,内容,责任单位编码,收到时间,期限,状态,办结时间,关闭时间,优先级,渠道,location"
ROWS = [
    "H-001,S256 路面湿滑,K12积水,fh-gl,2024-03-01 09:30,2024-03-08,已销号,2024-03-05 16:00,2024-03-06,一般,12345,K12",
    "H-002,路灯不亮,,fh-gl,2024-01-15,,已办结,2024-01-20,,紧急,,",
    "H-003,井盖缺失,沱江镇,fh,2023-12-30 17:00,2024-01-10,办理中,,,,信访,",
    "H-004,占道经营,,js,2024-06-19 10:00,,已收到,,,,,",
]


@pytest.fixture
def kind_db(db: Database) -> Database:
    three_step.install(db)
    return db


def csv_file(*rows: str, header: str = HEADER, encoding: str = "utf-8") -> tuple[str, bytes]:
    return "历史事项.csv", "\n".join([header, *rows, ""]).encode(encoding)


def run_import(db: Database, file: tuple[str, bytes], who: Principal | None = None, **kw: bool) -> ImportResult:
    with db.uow(ACTOR) as uow:
        result = import_matters(uow, who or system_principal(), KIND, read_file(*file), **kw)
        uow.commit()
    return result


def counts(db: Database) -> tuple[int, ...]:
    with db.reading() as s:
        return tuple(
            s.scalar(select(func.count()).select_from(t)) or 0
            for t in (Matter, three_step.ThreeStepMatter, MatterImportKey, MatterEvent)
        )


def rejected(db: Database, file: tuple[str, bytes], who: Principal | None = None) -> list[RowError]:
    with pytest.raises(ImportRejected) as caught:
        run_import(db, file, who)
    return caught.value.errors


def at(y: int, m: int, d: int, h: int = 0, minute: int = 0) -> datetime:
    return datetime(y, m, d, h, minute, tzinfo=TZ).astimezone(UTC)


def test_a_file_with_one_bad_row_imports_nothing_and_names_the_row(kind_db: Database) -> None:
    bad = "H-005,无主事项,,nowhere,2024-05-01,,已收到,,,,,"
    errors = rejected(kind_db, csv_file(*ROWS, bad))
    assert errors == [RowError(6, "责任单位编码", "单位编码“nowhere”不存在")]
    assert "第 6 行，字段“责任单位编码”" in str(ImportRejected(errors))
    assert counts(kind_db) == (0, 0, 0, 0)


def test_the_same_file_imported_twice_adds_nothing(kind_db: Database) -> None:
    first = run_import(kind_db, csv_file(*ROWS))
    assert (first.rows, first.imported, first.skipped, first.bad) == (4, 4, 0, ())
    after_first = counts(kind_db)
    second = run_import(kind_db, csv_file(*ROWS, encoding="gb18030"))
    assert (second.rows, second.imported, second.skipped) == (4, 0, 4)
    assert counts(kind_db) == after_first == (4, 4, 4, 4)


def test_imported_matters_keep_their_history_as_given_with_one_imported_event_and_no_clocks(
    kind_db: Database,
) -> None:
    run_import(kind_db, csv_file(*ROWS))
    with kind_db.reading() as s:
        m = s.scalar(select(three_step.ThreeStepMatter).where(three_step.ThreeStepMatter.title == "S256 路面湿滑"))
        assert m is not None
        assert (m.status, m.location, m.body, m.channel, m.priority) == (
            "closed",
            "K12",
            "K12积水",
            "12345",
            "normal",
        )
        assert (m.received_at, m.resolved_at, m.closed_at) == (
            at(2024, 3, 1, 9, 30),
            at(2024, 3, 5, 16),
            at(2024, 3, 6),
        )
        assert m.due_at == datetime(2024, 3, 8, 23, 59, 59, 999999, tzinfo=TZ).astimezone(UTC)
        assert m.owner_unit_id == unit_id(kind_db, "fh-gl") and m.version == 1
        events = list(s.scalars(select(MatterEvent).where(MatterEvent.matter_id == m.id)))
        assert [(e.action, e.from_state, e.to_state, e.actor_name) for e in events] == [
            ("imported", "", "closed", "命令行")
        ]
        assert json.loads(events[0].data) == {"key": "H-001", "file": "历史事项.csv"}
        assert s.scalar(select(func.count()).select_from(MatterDeadline)) == 0
        key = s.get(MatterImportKey, ("testkind", "H-001"))
        assert key is not None and key.matter_id == m.id


def test_imported_serials_follow_receipt_within_each_year_after_those_already_given(kind_db: Database) -> None:
    clerk = system_principal()
    with kind_db.uow(ACTOR) as uow:
        opened = service.open_matter(uow, clerk, KIND, title="已有事项", owner_unit_id=unit_id(kind_db, "fh-gl"))
        uow.commit()
    assert opened.serial == "测-2024-000001"
    run_import(kind_db, csv_file(*ROWS))
    with kind_db.reading() as s:
        serials = dict(s.execute(select(Matter.title, Matter.serial).where(Matter.id != opened.id)).all())
        counters = {(c.year, c.last) for c in s.scalars(select(MatterSerial))}
    assert serials == {
        "井盖缺失": "测-2023-000001",
        "路灯不亮": "测-2024-000002",
        "S256 路面湿滑": "测-2024-000003",
        "占道经营": "测-2024-000004",
    }
    assert counters == {(2023, 1), (2024, 4)}


def test_a_matter_opened_after_an_import_gets_a_fresh_id_and_the_next_serial(kind_db: Database) -> None:
    run_import(kind_db, csv_file(*ROWS))
    with kind_db.uow(ACTOR) as uow:
        opened = service.open_matter(
            uow, system_principal(), KIND, title="新事项", owner_unit_id=unit_id(kind_db, "fh")
        )
        uow.commit()
    with kind_db.reading() as s:
        assert opened.id > (s.scalar(select(func.max(MatterImportKey.matter_id))) or 0)
    assert opened.serial == "测-2024-000004"


def test_with_skip_bad_the_good_rows_are_imported_and_the_bad_ones_listed(kind_db: Database) -> None:
    rows = [*ROWS[:2], "H-003,,,fh,2023-12-30,,已办结,,,,,", ROWS[3]]
    result = run_import(kind_db, csv_file(*rows), skip_bad=True)
    assert result.imported == 3 and result.skipped == 0
    assert result.bad == (
        RowError(4, "标题", "必须填写"),
        RowError(4, "办结时间", "状态为“已办结”时必须填写"),
    )
    assert counts(kind_db) == (3, 3, 3, 3)
    fixed = run_import(kind_db, csv_file(*ROWS))  # the corrected file adds only the row that was bad
    assert (fixed.imported, fixed.skipped) == (1, 3)
    assert counts(kind_db) == (4, 4, 4, 4)


def test_a_key_repeated_inside_one_file_is_a_bad_row(kind_db: Database) -> None:
    again = ROWS[1].replace("路灯不亮", "路灯仍不亮")
    assert rejected(kind_db, csv_file(*ROWS, again)) == [RowError(6, "导入编号", "导入编号“H-002”与第 3 行重复")]
    assert counts(kind_db) == (0, 0, 0, 0)


def test_an_unknown_state_or_a_resolution_time_that_contradicts_the_state_rejects_the_file(
    kind_db: Database,
) -> None:
    rows = [
        ROWS[0].replace("已销号", "已归档"),
        ROWS[1].replace("已办结", "已收到"),
        ROWS[2].replace("办理中", "已办结"),
    ]
    assert rejected(kind_db, csv_file(*rows)) == [
        RowError(
            2, "状态", "“已归档”不是可选值，可选：received、handling、resolved、closed、已收到、办理中、已办结、已销号"
        ),
        RowError(3, "办结时间", "状态为“已收到”时不应填写"),
        RowError(4, "办结时间", "状态为“已办结”时必须填写"),
    ]
    assert counts(kind_db) == (0, 0, 0, 0)


def test_an_xlsx_with_chinese_headers_imports_like_the_csv(kind_db: Database) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(HEADER.split(","))
    sheet.append(["X-1", "路灯不亮", None, "fh-gl", datetime(2024, 1, 15, 8, 30), datetime(2024, 1, 31), "已办结",
                  datetime(2024, 1, 20), None, "紧急", "12345", "S256"])  # fmt: skip
    sheet.append([2002, "井盖缺失", None, "fh", "2023-12-30", None, "已收到", None, None, None, None, None])
    buf = io.BytesIO()
    book.save(buf)
    result = run_import(kind_db, ("历史事项.xlsx", buf.getvalue()))
    assert (result.imported, result.skipped) == (2, 0)
    with kind_db.reading() as s:
        m = s.scalar(select(three_step.ThreeStepMatter).where(three_step.ThreeStepMatter.title == "路灯不亮"))
        assert m is not None and (m.priority, m.location, m.resolved_at) == ("urgent", "S256", at(2024, 1, 20))
        assert m.due_at == datetime(2024, 1, 31, 23, 59, 59, 999999, tzinfo=TZ).astimezone(UTC)
        assert s.get(MatterImportKey, ("testkind", "2002")) is not None


def test_an_import_is_one_audit_event_and_the_chain_still_verifies(kind_db: Database) -> None:
    with kind_db.reading() as s:
        before = s.scalar(select(func.max(AuditEntry.id))) or 0
    run_import(kind_db, csv_file(*ROWS))
    with kind_db.reading() as s:
        entries = list(s.scalars(select(AuditEntry).where(AuditEntry.id > before).order_by(AuditEntry.id)))
        assert verify(s).broken is None
    assert {e.table_name for e in entries} == {"matter_serials", "matters"}
    (event,) = [e for e in entries if e.table_name == "matters"]
    assert (event.action, event.actor_name) == ("import", "测试导入")
    assert json.loads(event.after or "{}") == {
        "kind": "testkind",
        "file": "历史事项.csv",
        "rows": 4,
        "imported": 4,
        "skipped": 0,
        "bad": 0,
    }


def test_an_importer_may_only_import_for_units_within_the_scope_of_the_kinds_create_grant(
    kind_db: Database,
) -> None:
    with kind_db.uow(ACTOR) as uow:
        sp = system_principal()
        role = save_role(
            uow, sp, None, version=None, code="t_import", name="导入", description="",
            grants=[GrantInput(three_step.CREATE, "subtree")],
        )  # fmt: skip
        create_user(
            uow, sp, username="t_import", full_name="县导入员", unit_id=unit_id(kind_db, "fh"),
            password="Secret123", role_ids=[role.id],
        )  # fmt: skip
        uow.commit()
    county = principal(kind_db, "t_import")
    errors = rejected(kind_db, csv_file(*ROWS), county)
    assert errors == [RowError(5, "责任单位编码", "您无权为单位“js”登记此类事项")]
    with pytest.raises(Forbidden):
        run_import(kind_db, csv_file(*ROWS), who=principal(kind_db, "fh_gl"))
    assert counts(kind_db) == (0, 0, 0, 0)
