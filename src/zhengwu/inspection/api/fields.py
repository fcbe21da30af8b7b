"""The field types every inspection API body shares: ids, text without NUL, the version read, ``YYYY-MM-DD`` dates,
and the strict base model that forbids unknown fields."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

MAX_ID = 2_147_483_647
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
Text = Annotated[str, Field(pattern=r"^[^\x00]*$")]
Version = Annotated[int, Field(ge=1, le=MAX_ID, description="读取时的版本号；记录已被他人修改则返回 409")]


def iso_day(value: Any) -> Any:
    """Only ``YYYY-MM-DD`` text is a date here (not a number of seconds, as pydantic's lax mode would allow).

    >>> iso_day("2024-06-30")
    datetime.date(2024, 6, 30)
    """
    if isinstance(value, str) and len(value) == 10:
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise ValueError("应为 YYYY-MM-DD 格式的日期")


Day = Annotated[date, BeforeValidator(iso_day), Field(json_schema_extra={"type": "string", "format": "date"})]


class Input(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
