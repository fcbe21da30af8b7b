"""Indicator profiles (评价指标方案): the three-level tree dimension → indicator → sub-indicator, with weights.

A profile is data, one per use (GB/T 42748-2023《专利评估指引》's scenarios: pledge financing, licensing and
transfer, tiered management, infringement remedies), versioned so that an evaluation names the profile it used.
The dimensions are exactly the three value degrees — legal, technical, economic — whose weights are α, β, γ of
PVD = α·LVD + β·TVD + γ·EVD. At each level the weights of a node's children lie in [0, 1] and sum to 1 within
:data:`WEIGHT_TOLERANCE`; a wrong sum raises ``Invalid`` naming the node as ``weights``, ``weights.legal`` or
``weights.legal.stability``. Every sub-indicator has a scoring ladder (integer levels within 0–10, strictly
increasing, each with its Chinese description) and optionally an automatic rule (a code of
:data:`~zhengwu.valuation.model.indicators.facts.RULES`), whose possible levels must all be on the ladder.
Other errors name the field by its path in the profile's dict form (:mod:`.dicts`), e.g.
``dimensions[0].indicators[2].sub_indicators[0].ladder[1].level``.

>>> ladder = (Level(0, "无"), Level(10, "有"))
>>> sub = SubIndicator("x", "X", 1.0, ladder)
>>> dims = tuple(Dimension(c, c, w, (Indicator("i" + c, "I", 1.0, (SubIndicator("s" + c, "S", 1.0, ladder),)),))
...              for c, w in (("legal", 0.3), ("technical", 0.4), ("economic", 0.2)))
>>> Profile("p", "示例", Use.FINANCE, 1, dims)
Traceback (most recent call last):
...
zhengwu.core.errors.Invalid: 法律、技术、经济价值度的权重之和须为 1（现为 0.9）。
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from zhengwu.core.errors import Invalid
from zhengwu.core.labels import LabelledEnum
from zhengwu.valuation.model.indicators.facts import GATES, RULES

WEIGHT_TOLERANCE = 1e-9
MIN_LEVEL, MAX_LEVEL = 0, 10
_CODE = re.compile(r"[A-Za-z0-9_-]{1,64}")


class Use(LabelledEnum):
    """The scenario a profile serves (GB/T 42748-2023 专利评估指引)."""

    FINANCE = "finance", "金融（质押融资）"
    LICENSING = "licensing", "许可转让"
    MANAGEMENT = "management", "分级管理"
    LITIGATION = "litigation", "侵权救济"


class DimensionCode(LabelledEnum):
    LEGAL = "legal", "法律价值度"
    TECHNICAL = "technical", "技术价值度"
    ECONOMIC = "economic", "经济价值度"


@dataclass(frozen=True)
class Level:
    """One rung of a scoring ladder: the level (0–10) and what it means."""

    value: int
    description: str


@dataclass(frozen=True)
class SubIndicator:
    code: str
    name: str
    weight: float
    ladder: tuple[Level, ...]
    rule: str | None = None

    @property
    def levels(self) -> tuple[int, ...]:
        return tuple(level.value for level in self.ladder)


@dataclass(frozen=True)
class Indicator:
    code: str
    name: str
    weight: float
    sub_indicators: tuple[SubIndicator, ...]


@dataclass(frozen=True)
class Dimension:
    code: str
    name: str
    weight: float
    indicators: tuple[Indicator, ...]


@dataclass(frozen=True)
class Gate:
    """A gate the profile applies (a code of :data:`~zhengwu.valuation.model.indicators.facts.GATES`) and the
    factor in [0, 1] it multiplies the patent value degree by."""

    code: str
    factor: float = 0.0


@dataclass(frozen=True)
class Profile:
    """A versioned indicator profile; checked on construction (see the module docstring)."""

    code: str
    name: str
    use: Use
    version: int
    dimensions: tuple[Dimension, ...]
    gates: tuple[Gate, ...] = ()
    description: str = ""
    _subs: dict[str, SubIndicator] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        _check_profile(self)
        subs = {s.code: s for _, _, s in self.walk()}
        object.__setattr__(self, "_subs", subs)

    def walk(self) -> Iterator[tuple[Dimension, Indicator, SubIndicator]]:
        """Every sub-indicator with its dimension and indicator, in order."""
        for d in self.dimensions:
            for i in d.indicators:
                for s in i.sub_indicators:
                    yield d, i, s

    def sub_indicator(self, code: str) -> SubIndicator | None:
        return self._subs.get(code)

    @property
    def sub_codes(self) -> tuple[str, ...]:
        return tuple(self._subs)

    def dimension(self, code: str) -> Dimension:
        return next(d for d in self.dimensions if d.code == code)


def _check_text(value: object, where: str, label: str) -> None:
    if not isinstance(value, str) or not value.strip():
        raise Invalid(f"请填写{label}。", field=where)


def _check_code(value: object, where: str) -> None:
    _check_text(value, where, "代码")
    if not _CODE.fullmatch(str(value)):
        raise Invalid(
            f"代码“{str(value)[:30]}”只能由英文字母、数字、下划线或连字符组成（至多 64 个字符）。", field=where
        )


def check_weights(weights: Sequence[tuple[str, object]], node: str, label: str) -> None:
    """Each weight a finite number in [0, 1], together summing to 1 within :data:`WEIGHT_TOLERANCE`; errors name
    ``weights.<node>.<child>`` for one weight and ``weights.<node>`` for the sum (``weights`` at the top).

    >>> check_weights([("a", 0.5), ("b", 0.25)], "legal", "法律价值度下各指标")
    Traceback (most recent call last):
    ...
    zhengwu.core.errors.Invalid: 法律价值度下各指标的权重之和须为 1（现为 0.75）。
    """
    where = f"weights.{node}" if node else "weights"
    for code, w in weights:
        if isinstance(w, bool) or not isinstance(w, int | float) or not math.isfinite(w) or not 0 <= w <= 1:
            raise Invalid(f"“{code}”的权重须为 0 到 1 之间的数。", field=f"{where}.{code}")
    total = math.fsum(float(w) for _, w in weights)  # type: ignore[arg-type]
    if abs(total - 1.0) > WEIGHT_TOLERANCE:
        raise Invalid(f"{label}的权重之和须为 1（现为 {total:.10g}）。", field=where)


def check_ladder(ladder: Sequence[Level], where: str) -> None:
    if len(ladder) < 2:
        raise Invalid("评分档次至少两档。", field=where)
    previous = MIN_LEVEL - 1
    for k, level in enumerate(ladder):
        v = level.value
        if isinstance(v, bool) or not isinstance(v, int) or not MIN_LEVEL <= v <= MAX_LEVEL:
            raise Invalid(f"评分档次须为 {MIN_LEVEL} 到 {MAX_LEVEL} 的整数。", field=f"{where}[{k}].level")
        if v <= previous:
            raise Invalid("评分档次须从低到高排列且不重复。", field=f"{where}[{k}].level")
        _check_text(level.description, f"{where}[{k}].description", "档次说明")
        previous = v


def _check_profile(p: Profile) -> None:
    _check_code(p.code, "code")
    _check_text(p.name, "name", "方案名称")
    if not isinstance(p.use, Use):
        raise Invalid("适用场景不正确。", field="use")
    if isinstance(p.version, bool) or not isinstance(p.version, int) or p.version < 1:
        raise Invalid("版本号须为正整数。", field="version")
    codes = [d.code for d in p.dimensions]
    if sorted(codes) != sorted(DimensionCode) or len(codes) != len(set(codes)):
        raise Invalid("须恰有法律（legal）、技术（technical）、经济（economic）三个价值度。", field="dimensions")
    check_weights([(d.code, d.weight) for d in p.dimensions], "", "法律、技术、经济价值度")
    indicator_codes: set[str] = set()
    sub_codes: set[str] = set()
    for a, d in enumerate(p.dimensions):
        _check_text(d.name, f"dimensions[{a}].name", "价值度名称")
        if not d.indicators:
            raise Invalid(f"“{d.name}”下至少要有一个指标。", field=f"dimensions[{a}].indicators")
        check_weights([(i.code, i.weight) for i in d.indicators], d.code, f"{d.name}下各指标")
        for b, i in enumerate(d.indicators):
            at = f"dimensions[{a}].indicators[{b}]"
            _check_code(i.code, f"{at}.code")
            _check_text(i.name, f"{at}.name", "指标名称")
            if i.code in indicator_codes:
                raise Invalid(f"指标代码“{i.code}”重复。", field=f"{at}.code")
            indicator_codes.add(i.code)
            if not i.sub_indicators:
                raise Invalid(f"指标“{i.name}”下至少要有一个二级指标。", field=f"{at}.sub_indicators")
            check_weights(
                [(s.code, s.weight) for s in i.sub_indicators], f"{d.code}.{i.code}", f"“{i.name}”下各二级指标"
            )
            for c, s in enumerate(i.sub_indicators):
                _check_sub(s, f"{at}.sub_indicators[{c}]", sub_codes)
    for k, g in enumerate(p.gates):
        if g.code not in GATES:
            raise Invalid(f"未知的否决条件“{g.code}”。", field=f"gates[{k}].code")
        f = g.factor
        if isinstance(f, bool) or not isinstance(f, int | float) or not math.isfinite(f) or not 0 <= f <= 1:
            raise Invalid("否决条件的系数须为 0 到 1 之间的数。", field=f"gates[{k}].factor")
    if len({g.code for g in p.gates}) != len(p.gates):
        raise Invalid("否决条件重复。", field="gates")


def _check_sub(s: SubIndicator, at: str, seen: set[str]) -> None:
    _check_code(s.code, f"{at}.code")
    _check_text(s.name, f"{at}.name", "二级指标名称")
    if s.code in seen:
        raise Invalid(f"二级指标代码“{s.code}”重复。", field=f"{at}.code")
    seen.add(s.code)
    check_ladder(s.ladder, f"{at}.ladder")
    if s.rule is not None:
        rule = RULES.get(s.rule)
        if rule is None:
            raise Invalid(f"未知的自动评分规则“{s.rule}”。", field=f"{at}.rule")
        missing = sorted(rule.levels - set(s.levels))
        if missing:
            raise Invalid(f"自动评分规则“{rule.label}”会给出 {missing} 分，评分档次中须有这些档。", field=f"{at}.rule")
