"""The hash-chained audit log: what every write records, and that any tampering is found at its first entry."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Connection, bindparam, func, select, text

from tests.conftest import PASSWORD, principal, role_ids, unit_id
from zhengwu.core.audit import service as audit
from zhengwu.core.audit.model import EntryData, entry_hash
from zhengwu.core.audit.service import MASK, verify
from zhengwu.core.audit.tables import AuditEntry
from zhengwu.core.clock import FakeClock
from zhengwu.core.db import Actor, Database, UTCDateTime
from zhengwu.core.errors import Forbidden, Unauthenticated
from zhengwu.core.org import auth, service
from zhengwu.core.org.auth import LoginPolicy
from zhengwu.core.org.model import system_principal
from zhengwu.core.org.tables import Unit, User

CLERK = Actor(42, "张三")
POLICY = LoginPolicy(5, timedelta(minutes=15), timedelta(hours=8))


# ---------------------------------------------------------------- helpers


def last_id(db: Database) -> int:
    with db.reading() as s:
        return s.scalar(select(func.coalesce(func.max(AuditEntry.id), 0))) or 0


def entries_after(db: Database, start: int) -> list[AuditEntry]:
    with db.reading() as s:
        return list(s.scalars(select(AuditEntry).where(AuditEntry.id > start).order_by(AuditEntry.id)))


def data(entry: AuditEntry, side: str) -> dict[str, Any]:
    raw = getattr(entry, side)
    assert raw is not None, f"entry {entry.id} has no {side}"
    result: dict[str, Any] = json.loads(raw)
    return result


def new_unit(db: Database, code: str = "t-audit", actor: Actor = CLERK) -> int:
    with db.uow(actor) as uow:
        unit = service.create_unit(
            uow, system_principal(), code=code, name="测试科", kind="department", parent_id=unit_id(db, "fh")
        )
        uow.commit()
    return unit.id


# ---------------------------------------------------------------- what is recorded


def test_inserting_a_record_logs_who_when_and_every_value(db: Database, clock: FakeClock) -> None:
    start = last_id(db)
    uid = new_unit(db)
    inserted = [e for e in entries_after(db, start) if e.action == "insert"]
    assert len(inserted) == 1
    e = inserted[0]
    assert (e.actor_id, e.actor_name, e.at) == (42, "张三", clock.now())
    assert (e.table_name, e.row_id, e.before) == ("units", str(uid), None)
    assert data(e, "after") == {
        "id": uid,
        "code": "t-audit",
        "name": "测试科",
        "kind": "department",
        "parent_id": unit_id(db, "fh"),
        "path": "",
        "active": True,
        "version": 1,
    }


def test_an_update_logs_only_the_changed_columns_with_their_old_and_new_values(db: Database) -> None:
    uid = new_unit(db)
    start = last_id(db)
    with db.uow(CLERK) as uow:
        unit = uow.session.get(Unit, uid)
        assert unit is not None
        service.update_unit(
            uow,
            system_principal(),
            uid,
            version=unit.version,
            name="测试股",
            kind="department",
            parent_id=unit.parent_id,
            active=True,
        )
        uow.commit()
    [e] = entries_after(db, start)
    assert (e.action, e.table_name, e.row_id) == ("update", "units", str(uid))
    assert data(e, "before") == {"name": "测试科"}
    assert data(e, "after") == {"name": "测试股"}


def test_a_delete_logs_what_was_removed(db: Database) -> None:
    uid = new_unit(db)
    start = last_id(db)
    with db.uow(CLERK) as uow:
        uow.session.delete(uow.session.get(Unit, uid))
        uow.commit()
    [e] = entries_after(db, start)
    assert (e.action, e.table_name, e.row_id, e.after) == ("delete", "units", str(uid), None)
    assert data(e, "before")["code"] == "t-audit"
    assert data(e, "before")["name"] == "测试科"


def test_the_password_hash_is_masked_on_insert_and_on_change(db: Database) -> None:
    start = last_id(db)
    with db.uow(CLERK) as uow:
        user = service.create_user(
            uow,
            system_principal(),
            username="wang_wu",
            full_name="王五",
            unit_id=unit_id(db, "fh-jy"),
            password="Secret123",
            role_ids=[],
        )
        uow.commit()
    with db.uow(CLERK) as uow:
        service.set_password(uow, system_principal(), user.id, "Another456")
        uow.commit()
    logged = entries_after(db, start)
    insert = next(e for e in logged if e.action == "insert")
    update = next(e for e in logged if e.action == "update")
    assert data(insert, "after")["password_hash"] == MASK
    assert data(update, "before")["password_hash"] == MASK
    assert data(update, "after")["password_hash"] == MASK
    with db.reading() as s:
        stored = s.scalar(select(User.password_hash).where(User.id == user.id))
    assert stored and all(stored not in (e.after or "") + (e.before or "") for e in logged)


def test_columns_left_unset_on_insert_are_logged_as_null(db: Database) -> None:
    start = last_id(db)
    with db.uow(CLERK) as uow:
        service.create_user(
            uow,
            system_principal(),
            username="zhao_liu",
            full_name="赵六",
            unit_id=unit_id(db, "fh-jy"),
            password="Secret123",
            role_ids=[],
        )
        uow.commit()
    insert = next(e for e in entries_after(db, start) if e.action == "insert")
    assert data(insert, "after")["locked_until"] is None
    assert data(insert, "after")["last_login_at"] is None


def test_a_users_roles_are_logged_on_creation_and_when_they_change(db: Database) -> None:
    roles = role_ids(db)
    start = last_id(db)
    with db.uow(CLERK) as uow:
        user = service.create_user(
            uow,
            system_principal(),
            username="sun_qi",
            full_name="孙七",
            unit_id=unit_id(db, "fh-jy"),
            password="Secret123",
            role_ids=[roles["clerk"]],
        )
        uow.commit()
    insert = next(e for e in entries_after(db, start) if e.action == "insert")
    assert data(insert, "after")["roles"] == [roles["clerk"]]

    start = last_id(db)
    with db.uow(CLERK) as uow:
        service.update_user(
            uow,
            system_principal(),
            user.id,
            version=user.version,
            full_name="孙七",
            unit_id=user.unit_id,
            active=True,
            role_ids=[roles["clerk"], roles["supervisor"]],
        )
        uow.commit()
    [e] = entries_after(db, start)
    assert (e.action, e.table_name, e.row_id) == ("update", "users", str(user.id))
    assert data(e, "before") == {"roles": [roles["clerk"]]}
    assert data(e, "after") == {"roles": sorted([roles["clerk"], roles["supervisor"]])}


def test_changing_a_name_and_the_roles_together_keeps_the_old_name_in_the_log(db: Database) -> None:
    roles = role_ids(db)
    with db.reading() as s:
        user = s.scalar(select(User).where(User.username == "fh_gl"))
        assert user is not None
    start = last_id(db)
    with db.uow(CLERK) as uow:
        service.update_user(
            uow,
            system_principal(),
            user.id,
            version=user.version,
            full_name="新经办人",
            unit_id=user.unit_id,
            active=True,
            role_ids=[roles["supervisor"]],
        )
        uow.commit()
    logged = entries_after(db, start)
    befores = [data(e, "before") for e in logged]
    assert {"full_name": "养护中心经办人"} in befores
    assert all(b.get("full_name", "kept") is not None for b in befores), befores
    assert {"roles": [roles["clerk"]]} in befores


def test_a_failed_and_a_successful_login_are_logged(db: Database) -> None:
    fh_gl = principal(db, "fh_gl")
    start = last_id(db)
    for password in ("wrong-password", PASSWORD):
        with db.uow() as uow:
            with contextlib.suppress(Unauthenticated):
                auth.login(uow, "fh_gl", password, POLICY)
            uow.commit()
    with db.uow() as uow:
        with pytest.raises(Unauthenticated):
            auth.login(uow, "nobody", "whatever1", POLICY)
        uow.commit()
    actions = [(e.action, e.row_id) for e in entries_after(db, start) if e.action.startswith("login")]
    assert actions == [("login_failed", str(fh_gl.user_id)), ("login", str(fh_gl.user_id)), ("login_failed", "-")]
    unknown = entries_after(db, start)[-1]
    assert data(unknown, "after") == {"username": "nobody"}


def test_an_action_that_fails_before_commit_leaves_no_entry(db: Database) -> None:
    fh_admin = principal(db, "fh_admin")
    start = last_id(db)
    with pytest.raises(Forbidden), db.uow(CLERK) as uow:
        # The unit is flushed (and collected for the log) before the scope re-check refuses it.
        service.create_unit(uow, fh_admin, code="js-x", name="越权科", kind="department", parent_id=unit_id(db, "js"))
        uow.commit()
    with db.uow(CLERK) as uow:
        unit = uow.session.get(Unit, unit_id(db, "fh-jy"))
        assert unit is not None
        unit.name = "改了但没有提交"
        uow.flush()
    assert entries_after(db, start) == []
    with db.reading() as s:
        assert s.scalar(select(func.count()).select_from(Unit).where(Unit.code == "js-x")) == 0


def test_a_rolled_back_transaction_contributes_nothing_to_the_next_commit(db: Database) -> None:
    start = last_id(db)
    with db.uow(CLERK) as uow:
        a = uow.session.get(Unit, unit_id(db, "fh-jy"))
        assert a is not None
        a.name = "撤销的修改"
        uow.flush()
        uow.session.rollback()
        b = uow.session.get(Unit, unit_id(db, "fh-mz"))
        assert b is not None
        b.name = "凤凰县民政事务局"
        uow.commit()
    [e] = entries_after(db, start)
    assert e.row_id == str(unit_id(db, "fh-mz"))
    assert data(e, "after") == {"name": "凤凰县民政事务局"}


# ---------------------------------------------------------------- verification and tampering


def test_an_untouched_log_verifies_completely(db: Database) -> None:
    new_unit(db)
    with db.reading() as s:
        result = verify(s)
    assert result.broken is None
    assert result.checked == last_id(db) > 0


def test_a_clock_in_another_time_zone_still_yields_a_verifiable_chain(db_url: str) -> None:
    beijing = FakeClock(datetime(2024, 6, 20, 9, 0, 0, 123456, tzinfo=ZoneInfo("Asia/Shanghai")))
    db = Database(db_url, beijing)
    try:
        new_unit(db)
        with db.reading() as s:
            assert verify(s).broken is None
    finally:
        db.dispose()


def test_an_entry_appended_while_verification_runs_is_no_false_alarm(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    walk = audit._entries

    def walk_then_write(session: Any) -> Iterator[AuditEntry]:
        yield from walk(session)
        new_unit(db, "t-late")  # another user's write commits between reading the entries and the head

    monkeypatch.setattr(audit, "_entries", walk_then_write)
    with db.reading() as s:
        assert verify(s).broken is None


Tamper = Callable[[Connection, int], int]


def _edit_after(conn: Connection, last: int) -> int:
    target = last // 2
    conn.execute(text('UPDATE audit_entries SET "after" = :a WHERE id = :i'), {"a": '{"name": "篡改"}', "i": target})
    return target


def _delete_middle(conn: Connection, last: int) -> int:
    target = last // 2
    conn.execute(text("DELETE FROM audit_entries WHERE id = :i"), {"i": target})
    return target


def _delete_last(conn: Connection, last: int) -> int:
    conn.execute(text("DELETE FROM audit_entries WHERE id = :i"), {"i": last})
    return last


COLUMNS = (
    "id",
    "at",
    "actor_id",
    "actor_name",
    "action",
    "table_name",
    "row_id",
    "before",
    "after",
    "prev_hash",
    "hash",
)


def _swap(conn: Connection, last: int) -> int:
    """Reorder two neighbouring entries: each takes the other's place (its id), with its own content."""
    a, b = last // 2, last // 2 + 1
    cols = ", ".join(f'"{c}"' for c in COLUMNS)
    rows = {
        r.id: dict(r._mapping) for r in conn.execute(text(f"SELECT {cols} FROM audit_entries WHERE id IN ({a}, {b})"))
    }
    conn.execute(text(f"DELETE FROM audit_entries WHERE id IN ({a}, {b})"))
    insert = text(f"INSERT INTO audit_entries ({cols}) VALUES ({', '.join(':' + c for c in COLUMNS)})")
    conn.execute(insert, [rows[b] | {"id": a}, rows[a] | {"id": b}])
    return a


def _edit_at(conn: Connection, last: int) -> int:
    target = last // 2
    stmt = text('UPDATE audit_entries SET "at" = :at WHERE id = :i').bindparams(bindparam("at", type_=UTCDateTime()))
    conn.execute(stmt, {"at": datetime(2020, 1, 1, tzinfo=UTC), "i": target})
    return target


def _rehash_last(conn: Connection, last: int) -> int:
    """Edit the newest entry and recompute its hash so the chain itself still links up; only the head knows."""
    cols = ", ".join(f'"{c}"' for c in COLUMNS)
    row = conn.execute(text(f"SELECT {cols} FROM audit_entries WHERE id = :i"), {"i": last}).one()
    # A raw query returns SQLite's stored text, or PostgreSQL's aware datetime.
    at = datetime.fromisoformat(row.at).replace(tzinfo=UTC) if isinstance(row.at, str) else row.at.astimezone(UTC)
    forged = EntryData(
        row.id, at, row.actor_id, row.actor_name, row.action, row.table_name, row.row_id, row.before, '{"x": 1}'
    )
    conn.execute(
        text('UPDATE audit_entries SET "after" = :a, hash = :h WHERE id = :i'),
        {"a": '{"x": 1}', "h": entry_hash(row.prev_hash, forged), "i": last},
    )
    return last


def _drop_head(conn: Connection, last: int) -> int:
    conn.execute(text("DELETE FROM audit_head"))
    return last


TAMPERINGS: dict[str, Tamper] = {
    "edited_after_text": _edit_after,
    "deleted_middle_entry": _delete_middle,
    "deleted_last_entry": _delete_last,
    "swapped_neighbours": _swap,
    "edited_timestamp": _edit_at,
}


def tamper(db: Database, how: Tamper) -> int:
    """Apply ``how`` with raw SQL on a connection of its own; returns the entry verification must name."""
    last = last_id(db)
    assert last > 10
    with db.engine.begin() as conn:
        return how(conn, last)


@pytest.mark.parametrize("how", TAMPERINGS.values(), ids=TAMPERINGS.keys())
def test_tampering_is_reported_at_the_first_broken_entry(db: Database, how: Tamper) -> None:
    broken = tamper(db, how)
    with db.reading() as s:
        result = verify(s)
    assert result.broken is not None
    assert result.broken.entry_id == broken
    assert f"第 {broken} 条" in result.broken.reason
    assert result.checked == broken - 1


@pytest.mark.parametrize("how", [_rehash_last, _drop_head], ids=["rehashed_last_entry", "deleted_head_record"])
def test_the_head_record_catches_what_the_chain_alone_cannot(db: Database, how: Tamper) -> None:
    broken = tamper(db, how)
    with db.reading() as s:
        result = verify(s)
    assert result.broken is not None
    assert result.broken.entry_id == broken
