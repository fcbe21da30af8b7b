"""Login sessions and API tokens keep their bookkeeping small: no write per call, no ever-growing session table."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from tests.conftest import PASSWORD
from zhengwu.core.clock import FakeClock
from zhengwu.core.db import Database
from zhengwu.core.org import auth
from zhengwu.core.org.tables import ApiToken, LoginSession, User

POLICY = auth.LoginPolicy(5, timedelta(minutes=15), timedelta(hours=8))


def _user_id(db: Database, username: str) -> int:
    with db.reading() as s:
        found = s.scalar(select(User.id).where(User.username == username))
    assert found is not None
    return found


def test_a_token_records_its_use_at_most_once_a_minute(db: Database, clock: FakeClock) -> None:
    with db.uow() as uow:
        _row, token = auth.create_api_token(uow, _user_id(db, "fh_gl"), "对接", None)
        uow.commit()
    start = clock.now()
    writes = []
    for minutes in (0, 0.5, 0.9, 1.1, 1.5):
        clock.set(start + timedelta(minutes=minutes))
        with db.uow() as uow:
            writes.append(auth.touch_api_token(uow, token))
            uow.commit()
    assert writes == [True, False, False, True, False]
    with db.reading() as s:
        assert s.scalar(select(ApiToken.last_used_at)) == start + timedelta(minutes=1.1)


def test_logging_in_again_clears_the_users_expired_sessions(db: Database, clock: FakeClock) -> None:
    for _ in range(3):
        with db.uow() as uow:
            auth.login(uow, "fh_gl", PASSWORD, POLICY)
            uow.commit()
        clock.advance(hours=9)  # each session has expired before the next login
    with db.uow() as uow:
        auth.login(uow, "fh_gl", PASSWORD, POLICY)
        uow.commit()
    with db.reading() as s:
        rows = s.scalar(
            select(func.count()).select_from(LoginSession).where(LoginSession.user_id == _user_id(db, "fh_gl"))
        )
    assert rows == 1


def test_a_unique_clash_met_by_an_autoflush_becomes_a_conflict(db: Database) -> None:
    import pytest

    from zhengwu.core.errors import Conflict
    from zhengwu.core.org.tables import Unit

    with pytest.raises(Conflict, match="数据冲突"), db.uow() as uow:
        uow.session.add(Unit(code="fh", name="重复的编码", kind="other", path=""))
        uow.session.scalar(select(func.count()).select_from(Unit))  # the autoflush inserts the duplicate
