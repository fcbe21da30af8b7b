"""The kinds the engine knows: each system registers its ``KindSpec`` with the table class of its matters.

A confidential kind (``KindSpec.confidential``, e.g. inspection leads) is known to its own system only: the engine's
general entry points look kinds up with :func:`get_kind`, which answers "not found" for it as for a kind that does
not exist, and go over :func:`public_kinds` when they cover every kind (to-do list, supervision, notices).
"""

from __future__ import annotations

from dataclasses import dataclass

from zhengwu.core.errors import NotFound
from zhengwu.core.matters.model import KindSpec
from zhengwu.core.matters.tables import Matter


@dataclass(frozen=True)
class Kind:
    spec: KindSpec
    table: type[Matter]


KINDS: dict[str, Kind] = {}


def register_kind(spec: KindSpec, table: type[Matter]) -> Kind:
    """Register a kind (idempotent for the same spec and table)."""
    identity = table.__mapper__.polymorphic_identity
    if identity != spec.code:
        raise ValueError(f"table {table.__name__} has polymorphic identity {identity!r}, not {spec.code!r}")
    kind = Kind(spec, table)
    KINDS[spec.code] = kind
    return kind


def public_kinds() -> dict[str, Kind]:
    """The registered kinds that general lists, searches, exports, statistics and to-do lists may show."""
    return {code: kind for code, kind in KINDS.items() if not kind.spec.confidential}


def confidential_codes() -> list[str]:
    """The codes of the confidential kinds, sorted (for a ``NOT IN`` over ``matters.kind``)."""
    return sorted(code for code, kind in KINDS.items() if kind.spec.confidential)


def is_confidential(code: str) -> bool:
    found = KINDS.get(code)
    return found is not None and found.spec.confidential


def get_kind(code: str, *, confidential_ok: bool = False) -> Kind:
    """The kind registered as ``code``. A confidential kind is "not found" unless ``confidential_ok`` (its own
    system's pages and services), and the message listing the known kinds never names one."""
    found = KINDS.get(code)
    if found is not None and (confidential_ok or not found.spec.confidential):
        return found
    known = "、".join(f"{k}（{v.spec.label}）" for k, v in sorted(public_kinds().items())) or "（尚无）"
    raise NotFound(f"事项类型“{code}”不存在；可用的类型：{known}。")
