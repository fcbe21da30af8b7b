"""Database access: the declarative base, engines and the unit of work.

The unit of work owns the transaction: it rolls back unless ``commit()`` is called; repositories and helpers
never commit. Optimistic locking uses SQLAlchemy's version counter; a stale write becomes ``Conflict`` (409).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from types import TracebackType
from typing import Any, TypeAlias

from sqlalchemy import DateTime, Engine, MetaData, Select, create_engine, event
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError
from sqlalchemy.types import TypeDecorator

from zhengwu.core import crypto
from zhengwu.core.clock import Clock, SystemClock
from zhengwu.core.errors import Conflict

STALE = "该记录已被他人修改，您的修改未保存，请刷新后重新提交。"
#: SQLite's "your read snapshot is older than the last commit, so you may not write" (a lost race).
SQLITE_BUSY_SNAPSHOT = 517

#: A ``select()`` of any columns (SQLAlchemy 2.1 types a Select by the tuple of its columns).
AnySelect: TypeAlias = Select[*tuple[Any, ...]]

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every engine (SQLite keeps them naive, so normalise both ways)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTCDateTime column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def bind_processor(self, dialect: Any) -> Any:
        """On SQLite, straight to the text SQLAlchemy's DATETIME stores (``2024-06-20 01:00:00.000000``, UTC) in one
        step: bulk writes convert millions of these."""
        if dialect.name != "sqlite":
            return super().bind_processor(dialect)

        def process(value: datetime | None) -> str | None:
            if value is None:
                return None
            if value.tzinfo is not UTC:
                if value.tzinfo is None:
                    raise ValueError("naive datetime given to a UTCDateTime column")
                value = value.astimezone(UTC)
            return value.isoformat(" ", "microseconds")[:-6]  # without its "+00:00"

        return process

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {datetime: UTCDateTime()}  # noqa: RUF012


def make_engine(url: str) -> Engine:
    """An engine for ``url``. SQLite gets WAL, foreign keys, a busy timeout and real transactions."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 15})

        @event.listens_for(engine, "connect")
        def _sqlite_connect(dbapi_conn: Any, _record: Any) -> None:
            dbapi_conn.isolation_level = None  # let SQLAlchemy emit BEGIN itself (pysqlite recipe)
            cur = dbapi_conn.cursor()
            if ":memory:" not in url:
                cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=15000")
            cur.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn: Any) -> None:
            conn.exec_driver_sql("BEGIN")

        return engine
    return create_engine(url, pool_pre_ping=True)


@dataclass(frozen=True)
class Actor:
    """Who is acting, as recorded in the audit log."""

    user_id: int | None
    name: str


SYSTEM = Actor(None, "系统")


class Database:
    """Engine plus session factory; built once in ``create_app()`` / the CLI and passed around.

    ``keyring`` encrypts the personal data columns (``zhengwu.core.crypto``); without one they cannot be used.
    """

    def __init__(self, url: str, clock: Clock | None = None, keyring: crypto.Keyring | None = None) -> None:
        self.url = url
        self.engine = make_engine(url)
        if keyring is not None:
            crypto.install(self.engine, keyring)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        self.clock: Clock = clock or SystemClock()
        from zhengwu.core.audit.service import install

        install(self.sessions)

    def uow(self, actor: Actor = SYSTEM) -> UnitOfWork:
        return UnitOfWork(self, actor)

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A read-only session (it is rolled back at the end)."""
        with self.uow() as uow:
            yield uow.session

    def dispose(self) -> None:
        self.engine.dispose()


class UnitOfWork:
    """One user action, one transaction. Rolls back unless ``commit()`` was called."""

    def __init__(self, db: Database, actor: Actor) -> None:
        self.db = db
        self.actor = actor
        self.clock = db.clock
        self._session: Session | None = None

    @property
    def session(self) -> Session:
        if self._session is None:
            raise RuntimeError("unit of work not entered")
        return self._session

    def __enter__(self) -> UnitOfWork:
        self._session = self.db.sessions()
        self._session.info["actor"] = self.actor
        self._session.info["clock"] = self.clock
        return self

    def commit(self) -> None:
        try:
            self.session.commit()
        except StaleDataError as exc:
            self.session.rollback()
            raise Conflict(STALE) from exc
        except IntegrityError as exc:
            self.session.rollback()
            raise Conflict(f"数据冲突：{_integrity_reason(exc)}") from exc
        except OperationalError as exc:
            self.session.rollback()
            if _stale_snapshot(exc):
                raise Conflict(STALE) from exc
            raise

    def flush(self) -> None:
        try:
            self.session.flush()
        except StaleDataError as exc:
            raise Conflict(STALE) from exc
        except IntegrityError as exc:
            raise Conflict(f"数据冲突：{_integrity_reason(exc)}") from exc
        except OperationalError as exc:
            if _stale_snapshot(exc):
                raise Conflict(STALE) from exc
            raise

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        session = self.session
        # close() ends the transaction (rolling back anything uncommitted) without expiring loaded objects,
        # so what a read-only unit of work loaded stays readable after it ends.
        session.close()
        self._session = None
        if isinstance(exc, StaleDataError) or (isinstance(exc, OperationalError) and _stale_snapshot(exc)):
            raise Conflict(STALE) from exc
        if isinstance(exc, IntegrityError):  # e.g. an autoflush inside a query met a concurrent insert
            raise Conflict(f"数据冲突：{_integrity_reason(exc)}") from exc


def _stale_snapshot(exc: OperationalError) -> bool:
    """Whether SQLite refused a write because another transaction committed since this one first read.

    On PostgreSQL the same race reaches the version check and becomes a ``StaleDataError``; on SQLite (WAL) the
    transaction that read the old row cannot even start writing.
    """
    return getattr(exc.orig, "sqlite_errorcode", None) == SQLITE_BUSY_SNAPSHOT


def _integrity_reason(exc: IntegrityError) -> str:
    text = str(exc.orig).lower()
    if "unique" in text or "duplicate" in text:
        return "编号或名称已存在"
    if "foreign key" in text:
        return "引用的记录不存在或仍被引用"
    return "违反数据约束"
