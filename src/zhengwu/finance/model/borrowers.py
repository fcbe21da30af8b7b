"""Borrowers' fields: the unified social credit code (统一社会信用代码) of GB 32100-2015, and yes/no flags.

The code has 18 characters from the 31 of :data:`CHARSET` (digits and capital letters without I, O, Z, S, V): the
registering authority, the kind of body, the 6-digit administrative division, the 9-character organisation code
and a check character. The check character is C18 = 31 − (Σ value(Cᵢ) × Wᵢ mod 31) for i = 1..17 with the weights
:data:`WEIGHTS` (Wᵢ = 3^(i−1) mod 31), and 0 when that is 31.
"""

from __future__ import annotations

from zhengwu.core.errors import Invalid

CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def check_character(first17: str) -> str:
    """The check character of the first 17 characters of a code.

    >>> check_character("91350100M000100Y4")
    '3'
    """
    total = sum(CHARSET.index(c) * w for c, w in zip(first17, WEIGHTS, strict=True))
    return CHARSET[(31 - total % 31) % 31]


def credit_code(value: object, field: str = "credit_code") -> str:
    """``value`` as a checked unified social credit code (spaces removed, letters upper-cased); ``Invalid`` naming
    ``field`` with the reason otherwise.

    >>> credit_code(" 91350100m000100y43 ")
    '91350100M000100Y43'
    >>> credit_code("91350100M000100Y44")
    Traceback (most recent call last):
    ...
    zhengwu.core.errors.Invalid: 统一社会信用代码“91350100M000100Y44”的校验位不符（应为 3），请核对。
    """
    if not isinstance(value, str) or not value.strip():
        raise Invalid("请填写统一社会信用代码（18 位）。", field=field)
    code = "".join(value.split()).upper()
    if len(code) != 18:
        raise Invalid(f"统一社会信用代码应为 18 位，现为 {len(code)} 位。", field=field)
    bad = [c for c in code if c not in CHARSET]
    if bad:
        raise Invalid(f"统一社会信用代码含有不允许的字符“{bad[0]}”（不使用 I、O、Z、S、V）。", field=field)
    expected = check_character(code[:17])
    if code[17] != expected:
        raise Invalid(f"统一社会信用代码“{code}”的校验位不符（应为 {expected}），请核对。", field=field)
    return code


YES = ("1", "true", "yes", "y", "on", "是", "√", "✓")
NO = ("", "0", "false", "no", "n", "off", "否", "×")


def yes_no(value: object, field: str, label: str) -> bool:
    """A yes/no cell or form value: ``True``/``False``, ``1``/``0``, ``是``/``否``, ``yes``/``no`` (empty is no).

    >>> yes_no("是", "little_giant", "小巨人"), yes_no("", "little_giant", "小巨人"), yes_no(True, "x", "x")
    (True, False, True)
    >>> yes_no("也许", "little_giant", "专精特新“小巨人”")
    Traceback (most recent call last):
    ...
    zhengwu.core.errors.Invalid: 专精特新“小巨人”应填“是”或“否”，现为“也许”。
    """
    if isinstance(value, bool):
        return value
    if value is None:
        return False
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    text = str(value).strip().lower() if isinstance(value, str | int) else None
    if text in YES:
        return True
    if text in NO:
        return False
    raise Invalid(f"{label}应填“是”或“否”，现为“{str(value)[:20]}”。", field=field)
