"""``UTCDateTime`` writes to SQLite in one step the very text SQLAlchemy's own DATETIME would store."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import DateTime
from sqlalchemy.dialects import sqlite

from zhengwu.core.db import UTCDateTime

DIALECT = sqlite.dialect()
FAST = UTCDateTime().bind_processor(DIALECT)
SQLALCHEMY = DIALECT.type_descriptor(DateTime()).bind_processor(DIALECT)
ZONES = st.just(UTC) | st.builds(lambda m: timezone(timedelta(minutes=m)), st.integers(-14 * 60, 14 * 60))


@given(st.datetimes(min_value=datetime(2, 1, 1), max_value=datetime(9998, 12, 31), timezones=ZONES))
def test_an_aware_datetime_is_stored_as_sqlalchemys_sqlite_text_of_the_same_utc_instant(value: datetime) -> None:
    assert FAST(value) == SQLALCHEMY(value.astimezone(UTC).replace(tzinfo=None))


def test_a_naive_datetime_is_refused_and_none_stays_none() -> None:
    assert FAST(None) is None
    with pytest.raises(ValueError, match="naive"):
        FAST(datetime(2024, 6, 20, 9, 0))
