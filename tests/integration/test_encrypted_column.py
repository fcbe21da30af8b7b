"""``EncryptedString`` columns on SQLite and PostgreSQL: what is stored, what is read back, and with which key."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import String, delete, select, text
from sqlalchemy.exc import StatementError
from sqlalchemy.orm import Mapped, mapped_column

from zhengwu.core import crypto
from zhengwu.core.audit.tables import AuditEntry
from zhengwu.core.crypto import DecryptionError, EncryptedString, Keyring, KeyringMissing, UnknownKey, key_id
from zhengwu.core.db import Base, Database
from zhengwu.core.settings import Settings

KEY = bytes(range(32))
OLD = bytes(range(100, 132))
NAME_CHARS = 20


class Reporter(Base):
    """A stand-in for the requests system's reporters (test only: migrations never see it)."""

    __tablename__ = "test_encrypted_reporters"
    __table_args__ = {"info": {"test_only": True}}  # noqa: RUF012
    __audit_mask__ = frozenset({"name", "phone"})

    id: Mapped[int] = mapped_column(primary_key=True)
    label: Mapped[str] = mapped_column(String(40), default="")
    name: Mapped[str | None] = mapped_column(EncryptedString(NAME_CHARS))
    phone: Mapped[str | None] = mapped_column(EncryptedString(20))


@pytest.fixture
def reporters(db: Database) -> Iterator[Database]:
    """``db`` with the reporters' table (emptied: on PostgreSQL it outlives a test) and a test keyring."""
    Reporter.__table__.create(db.engine, checkfirst=True)  # type: ignore[attr-defined]
    with db.engine.begin() as conn:
        conn.execute(delete(Reporter))
    crypto.install(db.engine, Keyring(KEY))
    yield db


def _add(db: Database, **values: str | None) -> int:
    with db.uow() as uow:
        reporter = Reporter(**values)
        uow.session.add(reporter)
        uow.commit()
    return reporter.id


def _read(db: Database, id_: int) -> Reporter:
    with db.reading() as s:
        found = s.get(Reporter, id_)
    assert found is not None
    return found


def _raw(db: Database, id_: int) -> tuple[str | None, str | None]:
    with db.engine.connect() as conn:
        row = conn.execute(text("SELECT name, phone FROM test_encrypted_reporters WHERE id = :id"), {"id": id_}).one()
    return row.name, row.phone


def _set_raw(db: Database, id_: int, name: str) -> None:
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE test_encrypted_reporters SET name = :name WHERE id = :id"), {"name": name, "id": id_})


@pytest.mark.parametrize(
    ("name", "phone"),
    [
        ("张三", "13812345678"),
        ("欧阳娜娜" * 5, "0743-3221234"),  # CJK at the declared limit of 20 characters
        ("𠀀" * NAME_CHARS, "📞" * 20),  # four-byte characters at the limit: the widest possible value
        ("李四 👩‍👩‍👧", "+86 138 1234 5678"),
        (None, ""),
    ],
)
def test_a_value_reads_back_as_written_and_is_never_stored_in_clear(
    reporters: Database, name: str | None, phone: str
) -> None:
    id_ = _add(reporters, name=name, phone=phone)
    assert (_read(reporters, id_).name, _read(reporters, id_).phone) == (name, phone)
    raw_name, raw_phone = _raw(reporters, id_)
    if name is None:
        assert raw_name is None
    else:
        assert raw_name is not None and raw_name.startswith(f"v1:{key_id(KEY)}:") and raw_name.isascii()
        assert name not in raw_name
    assert raw_phone == "" if phone == "" else phone not in (raw_phone or "")


def test_equal_values_are_stored_differently(reporters: Database) -> None:
    first, second = _add(reporters, name="张三"), _add(reporters, name="张三")
    assert _raw(reporters, first)[0] != _raw(reporters, second)[0]
    assert _read(reporters, first).name == _read(reporters, second).name == "张三"


def test_an_update_is_encrypted_too(reporters: Database) -> None:
    id_ = _add(reporters, name="张三")
    with reporters.uow() as uow:
        reporter = uow.session.get(Reporter, id_)
        assert reporter is not None
        reporter.name = "王五"
        uow.commit()
    assert "王五" not in (_raw(reporters, id_)[0] or "")
    assert _read(reporters, id_).name == "王五"


def test_a_value_altered_in_the_database_is_refused(reporters: Database) -> None:
    id_ = _add(reporters, name="张三")
    stored = _raw(reporters, id_)[0]
    assert stored is not None
    prefix, body = stored.rsplit(":", 1)
    raw = bytearray(base64.b64decode(body))
    raw[14] ^= 0x01
    _set_raw(reporters, id_, f"{prefix}:{base64.b64encode(bytes(raw)).decode()}")
    with pytest.raises(DecryptionError, match="完整性校验"):
        _read(reporters, id_)


def test_a_value_copied_from_another_row_still_reads_but_plaintext_put_in_directly_does_not(
    reporters: Database,
) -> None:
    first, second = _add(reporters, name="张三"), _add(reporters, name="李四")
    stored = _raw(reporters, first)[0]
    assert stored is not None
    _set_raw(reporters, second, stored)  # a value is not bound to its row: known, and accepted (docs/decisions.md)
    assert _read(reporters, second).name == "张三"
    _set_raw(reporters, second, "李四")
    with pytest.raises(DecryptionError, match="v1 格式"):
        _read(reporters, second)


def test_a_value_written_under_a_retired_key_reads_after_rotation(db: Database, reporters: Database) -> None:
    crypto.install(db.engine, Keyring(OLD))
    id_ = _add(db, name="张三", phone="13812345678")

    crypto.install(db.engine, Keyring(KEY, [OLD]))
    assert (_read(db, id_).name, _read(db, id_).phone) == ("张三", "13812345678")
    newer = _add(db, name="张三")
    assert (_raw(db, newer)[0] or "").startswith(f"v1:{key_id(KEY)}:")
    assert (_raw(db, id_)[0] or "").startswith(f"v1:{key_id(OLD)}:")  # until it is written again


def test_rotation_through_the_settings(db_url: str, reporters: Database) -> None:
    old = Settings(_env_file=None, data_key=base64.b64encode(OLD).decode())  # type: ignore[call-arg]
    new = Settings(  # type: ignore[call-arg]
        _env_file=None, data_key=base64.b64encode(KEY).decode(), data_keys_old=base64.b64encode(OLD).decode()
    )
    before = Database(db_url, keyring=Keyring.from_settings(old))
    after = Database(db_url, keyring=Keyring.from_settings(new))
    try:
        id_ = _add(before, name="张三")
        assert _read(after, id_).name == "张三"
    finally:
        before.dispose()
        after.dispose()


def test_a_value_read_with_the_wrong_key_is_a_clear_error(db_url: str, reporters: Database) -> None:
    id_ = _add(reporters, name="张三")
    wrong = Database(db_url, keyring=Keyring(OLD))
    try:
        with pytest.raises(UnknownKey, match=f"密钥 {key_id(KEY)}"):
            _read(wrong, id_)
    finally:
        wrong.dispose()


def test_a_database_without_a_keyring_refuses_to_write_or_read(db_url: str, reporters: Database) -> None:
    id_ = _add(reporters, name="张三")
    bare = Database(db_url)
    try:
        with pytest.raises(StatementError) as caught:
            _add(bare, name="李四")
        assert isinstance(caught.value.orig, KeyringMissing)
        with pytest.raises(KeyringMissing):
            _read(bare, id_)
    finally:
        bare.dispose()


def test_a_value_longer_than_its_column_is_refused_and_nothing_is_written(reporters: Database) -> None:
    with pytest.raises(StatementError, match="超过 20 个字符"):
        _add(reporters, name="欧阳娜娜" * 5 + "子")
    with reporters.reading() as s:
        assert s.scalar(select(Reporter.id)) is None


def test_the_audit_log_of_a_masked_table_never_holds_the_plaintext(reporters: Database) -> None:
    _add(reporters, name="张三", phone="13812345678")
    with reporters.reading() as s:
        entries = s.scalars(select(AuditEntry).where(AuditEntry.table_name == "test_encrypted_reporters")).all()
    assert entries
    assert not any("张三" in (e.after or "") or "13812345678" in (e.after or "") for e in entries)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=st.text(max_size=NAME_CHARS).filter(lambda t: "\x00" not in t))
def test_any_text_within_the_limit_round_trips(reporters: Database, name: str) -> None:
    id_ = _add(reporters, name=name)
    assert _read(reporters, id_).name == name


def test_each_database_uses_the_keyring_it_was_built_with(tmp_path: Path) -> None:
    first = Database(f"sqlite:///{tmp_path}/a.db", keyring=Keyring(KEY))
    second = Database(f"sqlite:///{tmp_path}/b.db", keyring=Keyring(OLD))
    try:
        first_ring, second_ring = crypto.installed(first.engine), crypto.installed(second.engine)
        assert first_ring is not None and first_ring.current_id == key_id(KEY)
        assert second_ring is not None and second_ring.current_id == key_id(OLD)
    finally:
        first.dispose()
        second.dispose()


def test_the_app_installs_the_settings_keyring_on_a_database_given_without_one(tmp_path: Path) -> None:
    from zhengwu.web.app import create_app

    configured = Settings(_env_file=None, data_key=base64.b64encode(KEY).decode())  # type: ignore[call-arg]
    given_bare = Database(f"sqlite:///{tmp_path}/a.db")
    given_own = Database(f"sqlite:///{tmp_path}/b.db", keyring=Keyring(OLD))
    try:
        create_app(configured, given_bare)
        create_app(configured, given_own)
        bare_ring, own_ring = crypto.installed(given_bare.engine), crypto.installed(given_own.engine)
        assert bare_ring is not None and bare_ring.current_id == key_id(KEY)
        assert own_ring is not None and own_ring.current_id == key_id(OLD)  # a keyring chosen by the caller stays
    finally:
        given_bare.dispose()
        given_own.dispose()


def test_the_cli_database_carries_the_settings_keyring(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from zhengwu import cli

    monkeypatch.setenv("ZHENGWU_DATABASE_URL", f"sqlite:///{tmp_path}/cli.db")
    monkeypatch.setenv("ZHENGWU_DATA_KEY", base64.b64encode(KEY).decode())
    monkeypatch.chdir(tmp_path)  # no .env of the developer's
    db = cli._db()
    try:
        ring = crypto.installed(db.engine)
        assert ring is not None and ring.current_id == key_id(KEY)
    finally:
        db.dispose()
