"""The pure checks of borrowers and of the reference rules: the unified social credit code (GB 32100-2015), yes/no
cells, pledge-rate ceilings in (0, 1], loss shares in [0, 1] summing to 1 within 1e-9, the per-firm cap (元 or
万元, empty for none). Every refusal is an ``Invalid`` naming its field."""

from __future__ import annotations

import math
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from zhengwu.core.errors import Invalid
from zhengwu.finance.model.borrowers import CHARSET, check_character, credit_code, yes_no
from zhengwu.finance.model.rules import (
    CeilingType,
    cap_of,
    ceiling_of,
    ceiling_type,
    pct,
    share_of,
    shares_of,
)

FIRST17 = st.text(alphabet=CHARSET, min_size=17, max_size=17)


def refused(call: object, field: str) -> str:
    """The message of the ``Invalid`` that ``call()`` raises, after checking that it names ``field``."""
    with pytest.raises(Invalid) as caught:
        call()  # type: ignore[operator]
    assert caught.value.field == field
    return caught.value.message


# ---------------------------------------------------------------------------------------- unified social credit code


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("91350100M000100Y43", "91350100M000100Y43"),  # the standard's example (its check character 3)
        (" 91350100m000100y43\t", "91350100M000100Y43"),
        ("9135 0100 M000 100Y 43", "91350100M000100Y43"),
    ],
)
def test_a_credit_code_is_normalised_and_checked(value: str, expected: str) -> None:
    assert credit_code(value) == expected


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("", "请填写"),
        (None, "请填写"),
        (913501, "请填写"),
        ("91350100M000100Y4", "应为 18 位，现为 17 位"),
        ("91350100M000100Y433", "应为 18 位，现为 19 位"),
        ("91350100M0001O0Y43", "不允许的字符“O”"),
        ("91350100M0001I0Y43", "不允许的字符“I”"),
        ("91350100M000100Y44", "校验位不符（应为 3）"),
    ],
)
def test_a_bad_credit_code_is_refused_with_its_reason(value: object, reason: str) -> None:
    assert reason in refused(lambda: credit_code(value, "rows[2].credit_code"), "rows[2].credit_code")


@given(FIRST17)
def test_any_17_characters_with_their_check_character_make_a_valid_code(first: str) -> None:
    assert credit_code(first + check_character(first)) == first + check_character(first)


@given(FIRST17, st.integers(0, 17), st.sampled_from(CHARSET))
def test_changing_any_one_character_of_a_valid_code_is_caught(first: str, at: int, new: str) -> None:
    code = first + check_character(first)
    changed = code[:at] + new + code[at + 1 :]
    if changed != code:
        with pytest.raises(Invalid):
            credit_code(changed)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (True, True),
        (False, False),
        (None, False),
        (1, True),
        (0, False),
        ("是", True),
        ("否", False),
        ("", False),
        ("YES", True),
        (" no ", False),
        ("1", True),
        ("0", False),
        ("√", True),
        ("on", True),
    ],
)
def test_a_yes_no_value_reads_the_usual_spellings(value: object, expected: bool) -> None:
    assert yes_no(value, "little_giant", "小巨人") is expected


@pytest.mark.parametrize("value", ["也许", "2", 2, 1.0, ["是"]])
def test_anything_else_is_not_a_yes_or_no(value: object) -> None:
    assert "应填“是”或“否”" in refused(lambda: yes_no(value, "little_giant", "小巨人"), "little_giant")


# ------------------------------------------------------------------------------------------------------- ceilings


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("all", CeilingType.ALL),
        ("全部类型", CeilingType.ALL),
        ("invention", CeilingType.INVENTION),
        ("实用新型", CeilingType.UTILITY),
        (" 外观设计 ", CeilingType.DESIGN),
    ],
)
def test_a_ceiling_type_is_named_by_its_code_or_label(value: str, expected: CeilingType) -> None:
    assert ceiling_type(value) is expected


@pytest.mark.parametrize("value", ["", "plant", "INVENTION", None, 1])
def test_an_unknown_ceiling_type_is_refused(value: object) -> None:
    assert "无效" in refused(lambda: ceiling_type(value), "patent_type")


@pytest.mark.parametrize(
    ("value", "percent", "expected"),
    [
        (0.3, False, 0.3),
        (1, False, 1.0),
        ("1", False, 1.0),
        (1e-9, False, 1e-9),
        ("30", True, 0.3),
        ("100", True, 1.0),
        ("35%", False, 0.35),
        (Decimal("0.25"), False, 0.25),
        ("0.5", True, 0.005),
    ],
)
def test_a_ceiling_lies_in_zero_exclusive_to_one(value: object, percent: bool, expected: float) -> None:
    assert ceiling_of(value, percent=percent) == pytest.approx(expected, rel=1e-15)


@pytest.mark.parametrize(
    "value", [0, -0.1, 1.0000001, "101%", "", None, "x", True, math.nan, math.inf, "NaN", "1e400", [0.3]]
)
def test_a_ceiling_outside_it_or_not_a_number_is_refused(value: object) -> None:
    refused(lambda: ceiling_of(value), "ceiling")


# --------------------------------------------------------------------------------------------------- loss shares


def test_the_issue_s_shares_are_accepted_in_percent_and_as_fractions() -> None:
    assert shares_of("45", "45", "10", percent=True) == (0.45, 0.45, 0.1)
    assert shares_of(0.45, 0.45, 0.1) == (0.45, 0.45, 0.1)
    assert shares_of(1, 0, 0) == (1.0, 0.0, 0.0)
    assert shares_of("33.3333333333", "33.3333333333", "33.3333333334", percent=True)[2] == pytest.approx(1 / 3)


def test_shares_that_miss_one_by_more_than_1e_9_are_refused_naming_the_pool_share() -> None:
    assert shares_of(0.45 + 5e-10, 0.45, 0.1)[0] == pytest.approx(0.45)
    message = refused(lambda: shares_of(0.45 + 2e-9, 0.45, 0.1), "pool_share")
    assert "之和须为 100%" in message
    assert "95%" in refused(lambda: shares_of("40", "45", "10", percent=True), "pool_share")


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (("-1", "91", "10"), "pool_share"),
        (("45", "101", "10"), "lender_share"),
        (("45", "45", "x"), "valuer_share"),
        (("45", "45", ""), "valuer_share"),
        (("", "45", "10"), "pool_share"),
        (("45", math.nan, "10"), "lender_share"),
    ],
)
def test_each_share_is_checked_before_their_sum(args: tuple[object, object, object], field: str) -> None:
    refused(lambda: shares_of(*args, percent=True), field)


def test_one_share_alone_lies_in_zero_to_one() -> None:
    assert share_of(0, "valuer_share") == 0 and share_of("100%", "pool_share") == 1
    assert "0% 到 100%" in refused(lambda: share_of(1.5, "pool_share"), "pool_share")


@pytest.mark.parametrize(("fraction", "shown"), [(0.45, "45%"), (0.1 + 0.2, "30%"), (1 / 3, "33.3333%"), (0, "0%")])
def test_a_fraction_shows_in_percent_without_float_noise(fraction: float, shown: str) -> None:
    assert pct(fraction) == shown


# ------------------------------------------------------------------------------------------------- per-firm cap


@pytest.mark.parametrize(
    ("value", "wan", "expected"),
    [
        (None, False, None),
        ("", False, None),
        ("  ", True, None),
        (0, False, Decimal("0.00")),
        ("5,000,000", False, Decimal("5000000.00")),
        (5000000, False, Decimal("5000000.00")),
        ("500", True, Decimal("5000000.00")),
        ("0.000001", True, Decimal("0.01")),
        (1250.5, False, Decimal("1250.50")),
        ("9999999999999.99", False, Decimal("9999999999999.99")),
    ],
)
def test_the_cap_is_yuan_with_two_decimals_or_empty_for_none(
    value: object, wan: bool, expected: Decimal | None
) -> None:
    assert cap_of(value, wan=wan) == expected


@pytest.mark.parametrize(
    ("value", "wan", "reason"),
    [
        ("-1", False, "不能为负数"),
        ("0.001", False, "两位小数"),
        ("0.0000001", True, "两位小数"),
        ("10000000000000", False, "超出范围"),
        ("x", False, "须为数字"),
        (True, False, "须为数字"),
        (math.inf, False, "有限"),
        ("Infinity", False, "有限"),
    ],
)
def test_a_bad_cap_is_refused_with_its_reason(value: object, wan: bool, reason: str) -> None:
    assert reason in refused(lambda: cap_of(value, wan=wan), "per_firm_cap")
