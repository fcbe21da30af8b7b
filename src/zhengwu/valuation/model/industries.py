"""Sales-royalty ranges by industry (行业销售收入分成率区间) for the ``score`` share-rate method, as editable data
(pure): K = m + (n − m)·PVD/100 with (m, n) the industry's range (:class:`~zhengwu.valuation.model.share_rates.
ScoreShare`).

The shipped rows (:data:`UNIDO_ROWS`) are the ranges issue #6 names from the UNIDO (联合国工业发展组织) survey of
sales royalties by industry: machinery 1.5–3 %, pharmaceuticals 2.5–4 %, optical and electronic products 7–10 %.
The rest of the commonly cited UNIDO table (petrochemical, chemical, basic metals…) is *not* shipped: a search of
the stored public pages ("联合国工业发展组织 销售收入提成率 行业", and variants naming the industries and figures)
found no page giving the table, so no figure could be checked against a source. Add rows to an edited table
(:func:`ranges_from_rows`) once a valuer has a source for them. The ranges are references for a valuer's judgement,
not binding figures.

Rows are plain dicts ``{"code", "name", "low", "high"}`` with ``low`` and ``high`` fractions (0.015 is 1.5 %);
:func:`ranges_from_rows` checks an edited table and names the bad row and field (``industries[2].high``).

>>> industry_range("machinery")
(0.015, 0.03)
>>> try:
...     industry_range("shipbuilding")
... except Invalid as error:
...     print(error.field, error.message[:38])
share_rate.industry 未知的行业“shipbuilding”，可选：machinery（机械制造）
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from zhengwu.core.errors import Invalid
from zhengwu.valuation.model.share_rates import as_number, check_range

INDUSTRY_FIELD = "share_rate.industry"
TABLE_FIELD = "industries"
_CODE = re.compile(r"[a-z0-9_]{1,64}")
_KEYS = ("code", "name", "low", "high")


@dataclass(frozen=True)
class IndustryRange:
    """An industry's sales-royalty range [low, high] (fractions of revenue) with its Chinese name."""

    code: str
    name: str
    low: float
    high: float


#: The shipped table (issue #6's UNIDO figures); edit a copy and check it with :func:`ranges_from_rows`.
UNIDO_ROWS: tuple[dict[str, Any], ...] = (
    {"code": "machinery", "name": "机械制造", "low": 0.015, "high": 0.03},
    {"code": "pharmaceuticals", "name": "制药", "low": 0.025, "high": 0.04},
    {"code": "optical_electronic", "name": "光学及电子产品", "low": 0.07, "high": 0.10},
)


def ranges_from_rows(rows: object) -> dict[str, IndustryRange]:
    """An edited table as ranges by code, in row order; every row checked: a JSON object with exactly ``code``
    (lower-case letters, digits, ``_``), ``name`` (not blank), ``low`` ≤ ``high``, both in [0, 1]; codes unique.
    Errors name the row and field (``industries[1].low``) and say which row in Chinese.

    >>> ranges_from_rows([{"code": "machinery", "name": "机械制造", "low": 0.03, "high": 0.015}])
    Traceback (most recent call last):
    ...
    zhengwu.core.errors.Invalid: 第 1 行（机械制造）的下限 0.03 高于上限 0.015。
    >>> try:
    ...     ranges_from_rows([*UNIDO_ROWS, {"code": "machinery", "name": "机械", "low": 0.01, "high": 0.02}])
    ... except Invalid as error:
    ...     print(error.field, error.message)
    industries[3].code 第 4 行的行业代码“machinery”与第 1 行重复。
    """
    if isinstance(rows, str | bytes) or not isinstance(rows, Sequence):
        raise Invalid("行业分成率表须为按行排列的列表。", field=TABLE_FIELD)
    if not rows:
        raise Invalid("行业分成率表不能为空，请至少填写一行。", field=TABLE_FIELD)
    table: dict[str, IndustryRange] = {}
    first_row: dict[str, int] = {}
    for k, row in enumerate(rows):
        at, nth = f"{TABLE_FIELD}[{k}]", f"第 {k + 1} 行"
        industry = _row(row, at, nth)
        if industry.code in table:
            raise Invalid(
                f"{nth}的行业代码“{industry.code}”与第 {first_row[industry.code] + 1} 行重复。", field=f"{at}.code"
            )
        table[industry.code] = industry
        first_row[industry.code] = k
    return table


def _row(row: object, at: str, nth: str) -> IndustryRange:
    if not isinstance(row, Mapping):
        raise Invalid(f"{nth}须为对象（code、name、low、high）。", field=at)
    for key in row:
        if key not in _KEYS:
            raise Invalid(f"{nth}有无法识别的字段“{key}”。", field=f"{at}.{key}")
    for key in _KEYS:
        if row.get(key) is None:
            raise Invalid(f"请填写{nth}的{_LABELS[key]}。", field=f"{at}.{key}")
    code, name = row["code"], row["name"]
    if not isinstance(code, str) or not _CODE.fullmatch(code):
        raise Invalid(f"{nth}的行业代码只能由小写英文字母、数字和下划线组成（至多 64 个字符）。", field=f"{at}.code")
    if not isinstance(name, str) or not name.strip():
        raise Invalid(f"请填写{nth}的行业名称。", field=f"{at}.name")
    label = f"{nth}（{name}）的"
    low, high = (
        check_range(as_number(row[key], f"{at}.{key}", label + _LABELS[key]), f"{at}.{key}", label + _LABELS[key])
        for key in ("low", "high")
    )
    if low > high:
        raise Invalid(f"{label}下限 {low:g} 高于上限 {high:g}。", field=f"{at}.low")
    return IndustryRange(code, name.strip(), low, high)


_LABELS = {"code": "行业代码", "name": "行业名称", "low": "下限", "high": "上限"}

#: The shipped ranges by code (:data:`UNIDO_ROWS`, checked).
UNIDO_RANGES: dict[str, IndustryRange] = ranges_from_rows(UNIDO_ROWS)


def industry_range(code: object, ranges: Mapping[str, IndustryRange] | None = None) -> tuple[float, float]:
    """(low, high) of the industry ``code`` in ``ranges`` (default :data:`UNIDO_RANGES`); an unknown or non-text
    code raises ``Invalid`` naming ``share_rate.industry`` and listing the codes.

    >>> industry_range("optical_electronic")
    (0.07, 0.1)
    """
    table = UNIDO_RANGES if ranges is None else ranges
    if isinstance(code, str) and code in table:
        found = table[code]
        return found.low, found.high
    if code is None or code == "":
        raise Invalid("请选择行业。", field=INDUSTRY_FIELD)
    choices = "、".join(f"{r.code}（{r.name}）" for r in table.values())
    raise Invalid(f"未知的行业“{code}”，可选：{choices}。", field=INDUSTRY_FIELD)


def ranges_to_rows(ranges: Mapping[str, IndustryRange]) -> list[dict[str, Any]]:
    """The table's rows (plain dicts, ready for JSON); :func:`ranges_from_rows` reads them back.

    >>> ranges_from_rows(ranges_to_rows(UNIDO_RANGES)) == UNIDO_RANGES
    True
    """
    return [{"code": r.code, "name": r.name, "low": r.low, "high": r.high} for r in ranges.values()]
