"""Profiles as plain dicts (JSON-ready), so that the service can store them versioned: :func:`profile_from_dict`
and :func:`profile_to_dict`, inverse of each other. Bad input raises ``Invalid`` naming the field by its path,
e.g. ``dimensions[0].indicators[2].weight`` (a wrong sum of weights names the node: ``weights.legal``).

The form::

    {"code": "cnipa2012-finance", "name": "…", "use": "finance", "version": 1, "description": "…",
     "gates": [{"code": "ownership_dispute", "factor": 0.0}],
     "dimensions": [{"code": "legal", "name": "法律价值度", "weight": 0.3, "indicators": [
         {"code": "stability", "name": "稳定性", "weight": 0.2, "sub_indicators": [
             {"code": "stability", "name": "稳定性", "weight": 1.0, "rule": "stability",
              "ladder": [{"level": 0, "description": "…"}, …]}]}]}]}

>>> from zhengwu.valuation.model.default_profile import default_profile
>>> p = default_profile()
>>> profile_from_dict(profile_to_dict(p)) == p
True
>>> d = profile_to_dict(p)
>>> d["dimensions"][0]["indicators"][0]["weight"] = 0.5
>>> profile_from_dict(d)
Traceback (most recent call last):
...
zhengwu.core.errors.Invalid: 法律价值度下各指标的权重之和须为 1（现为 1.3）。
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from zhengwu.core.errors import Invalid
from zhengwu.valuation.model.indicators.profile import Dimension, Gate, Indicator, Level, Profile, SubIndicator, Use


def _mapping(value: object, where: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise Invalid("格式不对，应为对象（键值对）。", field=where or "profile")
    return value


def _list(d: Mapping[str, Any], key: str, where: str) -> list[Any]:
    value = d.get(key)
    if not isinstance(value, list):
        raise Invalid("格式不对，应为列表。", field=f"{where}{key}")
    return value


def _required(d: Mapping[str, Any], key: str, where: str) -> Any:
    if key not in d or d[key] is None:
        raise Invalid("缺少此项。", field=f"{where}{key}")
    return d[key]


def _str(d: Mapping[str, Any], key: str, where: str) -> str:
    value = _required(d, key, where)
    if not isinstance(value, str):
        raise Invalid("应为文字。", field=f"{where}{key}")
    return value


def _number(d: Mapping[str, Any], key: str, where: str) -> float:
    value = _required(d, key, where)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise Invalid("应为数字。", field=f"{where}{key}")
    return value


def _int(d: Mapping[str, Any], key: str, where: str) -> int:
    value = _required(d, key, where)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise Invalid("应为整数。", field=f"{where}{key}")
    return value


def _sub(d: Mapping[str, Any], at: str) -> SubIndicator:
    ladder = []
    for k, raw in enumerate(_list(d, "ladder", at)):
        rung = _mapping(raw, f"{at}ladder[{k}]")
        ladder.append(Level(_int(rung, "level", f"{at}ladder[{k}]."), _str(rung, "description", f"{at}ladder[{k}].")))
    rule = d.get("rule")
    if rule is not None and not isinstance(rule, str):
        raise Invalid("应为文字。", field=f"{at}rule")
    return SubIndicator(_str(d, "code", at), _str(d, "name", at), _number(d, "weight", at), tuple(ladder), rule)


def _indicator(d: Mapping[str, Any], at: str) -> Indicator:
    subs = tuple(
        _sub(_mapping(raw, f"{at}sub_indicators[{k}]"), f"{at}sub_indicators[{k}].")
        for k, raw in enumerate(_list(d, "sub_indicators", at))
    )
    return Indicator(_str(d, "code", at), _str(d, "name", at), _number(d, "weight", at), subs)


def _dimension(d: Mapping[str, Any], at: str) -> Dimension:
    indicators = tuple(
        _indicator(_mapping(raw, f"{at}indicators[{k}]"), f"{at}indicators[{k}].")
        for k, raw in enumerate(_list(d, "indicators", at))
    )
    return Dimension(_str(d, "code", at), _str(d, "name", at), _number(d, "weight", at), indicators)


def profile_from_dict(data: object) -> Profile:
    """A :class:`Profile` from its dict form (see the module docstring); the result is checked."""
    d = _mapping(data, "")
    try:
        use = Use(_str(d, "use", ""))
    except ValueError:
        choices = "、".join(f"{u.value}（{u.label}）" for u in Use)
        raise Invalid(f"适用场景须为 {choices} 之一。", field="use") from None
    dimensions = tuple(
        _dimension(_mapping(raw, f"dimensions[{k}]"), f"dimensions[{k}].")
        for k, raw in enumerate(_list(d, "dimensions", ""))
    )
    gates = []
    for k, raw in enumerate(_list(d, "gates", "") if "gates" in d else []):
        g = _mapping(raw, f"gates[{k}]")
        gates.append(Gate(_str(g, "code", f"gates[{k}]."), _number(g, "factor", f"gates[{k}].")))
    description = d.get("description", "")
    if not isinstance(description, str):
        raise Invalid("应为文字。", field="description")
    return Profile(
        _str(d, "code", ""), _str(d, "name", ""), use, _int(d, "version", ""), dimensions, tuple(gates), description
    )


def profile_to_dict(p: Profile) -> dict[str, Any]:
    """The dict form of ``p`` (plain str, int, float, list and dict: ready for JSON)."""
    return {
        "code": p.code,
        "name": p.name,
        "use": p.use.value,
        "version": p.version,
        "description": p.description,
        "gates": [{"code": g.code, "factor": g.factor} for g in p.gates],
        "dimensions": [
            {
                "code": dim.code,
                "name": dim.name,
                "weight": dim.weight,
                "indicators": [
                    {
                        "code": i.code,
                        "name": i.name,
                        "weight": i.weight,
                        "sub_indicators": [
                            {
                                "code": s.code,
                                "name": s.name,
                                "weight": s.weight,
                                "rule": s.rule,
                                "ladder": [{"level": lv.value, "description": lv.description} for lv in s.ladder],
                            }
                            for s in i.sub_indicators
                        ],
                    }
                    for i in dim.indicators
                ],
            }
            for dim in p.dimensions
        ],
    }
