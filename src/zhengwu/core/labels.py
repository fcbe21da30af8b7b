"""String enums that carry a Chinese label beside each member."""

from __future__ import annotations

from enum import StrEnum
from typing import Self


class LabelledEnum(StrEnum):
    """A ``StrEnum`` whose members are declared as ``NAME = "value", "中文标签"``.

    >>> class Colour(LabelledEnum):
    ...     RED = "red", "红"
    >>> Colour.RED == "red", Colour.RED.label, Colour("red").label
    (True, '红', '红')
    """

    label: str

    def __new__(cls, value: str, label: str = "") -> Self:
        obj = str.__new__(cls, value)
        obj._value_ = value
        obj.label = label or value
        return obj

    @classmethod
    def choices(cls) -> list[tuple[str, str]]:
        return [(m.value, m.label) for m in cls]
