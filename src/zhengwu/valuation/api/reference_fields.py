"""The field types the reference-data APIs (profiles, industries, deals) share: ids, text without NUL, the version
read, and the strict base model that forbids unknown fields."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

MAX_ID = 2_147_483_647
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
Text = Annotated[str, Field(pattern=r"^[^\x00]*$")]
Version = Annotated[int, Field(ge=1, le=MAX_ID, description="读取时的版本号；记录已被他人修改则返回 409")]


class Input(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
