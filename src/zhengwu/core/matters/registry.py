"""The kinds the engine knows: each system registers its ``KindSpec`` with the table class of its matters."""

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


def get_kind(code: str) -> Kind:
    try:
        return KINDS[code]
    except KeyError:
        known = "、".join(f"{k}（{v.spec.label}）" for k, v in sorted(KINDS.items())) or "（尚无）"
        raise NotFound(f"事项类型“{code}”不存在；可用的类型：{known}。") from None
