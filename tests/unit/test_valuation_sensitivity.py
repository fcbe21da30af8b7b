"""The income approach's sensitivity table and tornado bars: each cell is the income approach on the changed request
(checked against model/income.py directly), the years beyond the forecast repeat its last amount, inputs leaving
their domain give empty cells, and the bars are sorted by swing.

Reference value: the worked example of issue #6 (PVD 70, machinery 1.5–3 %, revenue 2000, 2200, 2400, 2500, 2500万,
tax 25 %, i = 9.5 %, end of year → 168.6114万元)."""

from __future__ import annotations

import itertools
import json
import math
from dataclasses import replace
from pathlib import Path

import jinja2
import pytest

from zhengwu.core.errors import Invalid
from zhengwu.valuation.model.income import Basis, IncomeRequest, value_income
from zhengwu.valuation.model.sensitivity import Sensitivity, sensitivity, sensitivity_as_json, tornado_bars
from zhengwu.valuation.model.share_rates import ExplicitShare, IncrementalProfitShare, ScoreShare

TEMPLATES = Path(__file__).parents[2] / "src" / "zhengwu" / "valuation" / "templates"
SVG_NS = "http://www.w3.org/2000/svg"
EXAMPLE = IncomeRequest(Basis.REVENUE, (2000, 2200, 2400, 2500, 2500), ScoreShare(0.015, 0.03, 70), 0.25, 0.095, 5)


def _cells(s: Sensitivity, code: str) -> list[float | None]:
    return [c.value for c in next(v for v in s.variables if v.code == code).cells]


def test_the_base_value_is_the_income_approachs_value_of_the_worked_example() -> None:
    s = sensitivity(EXAMPLE)
    assert round(s.base_value * 10_000) == 1_686_114
    assert s.steps == (-0.2, -0.1, 0.1, 0.2) and s.year_steps == (-2, -1, 1, 2)


def test_k_and_revenue_scale_the_value_exactly_because_it_is_linear_in_both() -> None:
    s = sensitivity(EXAMPLE)
    expected = [s.base_value * (1 + step) for step in s.steps]
    assert _cells(s, "K") == pytest.approx(expected, rel=1e-12)
    assert _cells(s, "revenue") == pytest.approx(expected, rel=1e-12)


def test_each_discount_rate_cell_is_the_income_approach_at_the_scaled_rate() -> None:
    s = sensitivity(EXAMPLE)
    expected = [value_income(replace(EXAMPLE, discount=0.095 * (1 + step))).value for step in s.steps]
    assert _cells(s, "i") == pytest.approx(expected, rel=1e-12)
    values = _cells(s, "i")
    assert all(a > b for a, b in itertools.pairwise(values))  # decreasing in i


def test_years_beyond_the_forecast_repeat_its_last_amount() -> None:
    s = sensitivity(EXAMPLE)
    k = 0.0255
    plus_one = s.base_value + k * 2500 * 0.75 / 1.095**6
    plus_two = plus_one + k * 2500 * 0.75 / 1.095**7
    minus_one = s.base_value - k * 2500 * 0.75 / 1.095**5
    values = _cells(s, "n")
    assert values[1:] == pytest.approx([minus_one, plus_one, plus_two], rel=1e-12)
    assert [c.input for c in next(v for v in s.variables if v.code == "n").cells] == [3, 4, 6, 7]


def test_inputs_leaving_their_domain_give_empty_cells_never_nan() -> None:
    req = IncomeRequest(Basis.INCREMENTAL, (100.0, 100.0), None, 0.25, 0.9, 1)
    s = sensitivity(req)
    assert _cells(s, "K")[2:] == [None, None]  # K = 1 cannot rise
    assert _cells(s, "i")[3] is None  # 0.9 × 1.2 ≥ 1
    assert _cells(s, "n")[0] is None  # 1 − 2 years < 0
    out = sensitivity_as_json(s)
    text = json.dumps(out, allow_nan=False)  # raises on NaN or infinity
    assert "null" in text


def test_a_share_method_depending_on_the_discount_rate_follows_it() -> None:
    req = IncomeRequest(
        Basis.PROFIT, (300.0,) * 3, IncrementalProfitShare((100.0, 0.0, 200.0), (300.0,) * 3), 0.25, 0.1, 3
    )
    s = sensitivity(req)
    expected = value_income(replace(req, discount=0.11)).value
    assert _cells(s, "i")[2] == pytest.approx(expected, rel=1e-12)


def test_a_zero_base_value_has_no_change_ratio() -> None:
    s = sensitivity(replace(EXAMPLE, years=0))
    assert s.base_value == 0
    assert all(c.change_ratio is None for v in s.variables for c in v.cells)


def test_tornado_bars_are_sorted_by_swing_and_read_the_ten_percent_columns() -> None:
    s = sensitivity(EXAMPLE)
    bars = tornado_bars(s)
    assert [b.code for b in bars] == ["n", "K", "revenue", "i"] or [b.code for b in bars] == ["n", "revenue", "K", "i"]
    assert [b.swing for b in bars] == sorted((b.swing for b in bars), reverse=True)
    k = next(b for b in bars if b.code == "K")
    assert (k.low_shift, k.high_shift) == ("−10%", "+10%")
    assert k.swing == pytest.approx(0.2 * s.base_value, rel=1e-12)
    n = next(b for b in bars if b.code == "n")
    assert (n.low_shift, n.high_shift) == ("−1年", "+1年")
    assert tornado_bars(s, 0.2)[0].swing >= bars[0].swing


def test_the_json_carries_the_table_and_the_tornado() -> None:
    out = sensitivity_as_json(sensitivity(EXAMPLE))
    assert sorted(out) == ["base_value", "steps", "tornado", "variables", "year_steps"]
    assert [v["code"] for v in out["variables"]] == ["K", "i", "n", "revenue"]
    assert out["tornado"]["step"] == 0.1 and len(out["tornado"]["bars"]) == 4
    assert all(math.isfinite(c["value"]) for v in out["variables"] for c in v["cells"])
    assert sensitivity_as_json(sensitivity(EXAMPLE, steps=(0.1, 0.2), year_steps=(1, 2)))["tornado"] is None


@pytest.mark.parametrize(
    ("steps", "year_steps", "field"),
    [((0.1, 0.0), (1, 2), "steps"), ((0.1, 1.0), (1, 2), "steps"), ((0.1,), (1, 2), "year_steps")],
    ids=["a zero step", "a step of 100 %", "steps and years of different lengths"],
)
def test_bad_steps_are_refused_naming_the_field(
    steps: tuple[float, ...], year_steps: tuple[int, ...], field: str
) -> None:
    with pytest.raises(Invalid) as caught:
        sensitivity(replace(EXAMPLE, share=ExplicitShare(0.1)), steps=steps, year_steps=year_steps)
    assert caught.value.field == field
    with pytest.raises(Invalid):
        tornado_bars(sensitivity(EXAMPLE), 0.15)


def test_the_tornado_macro_draws_an_inline_svg_bar_per_side_without_script() -> None:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)), autoescape=True)
    macro = env.get_template("valuation/_charts.html").module.tornado  # type: ignore[attr-defined]
    svg = str(macro(sensitivity_as_json(sensitivity(EXAMPLE))))
    assert svg.count("<rect ") == 8 and "<script" not in svg and "http://" not in svg.replace(SVG_NS, "")
    assert "基准 168.6114" in svg and "收益年限 n +1年：196.3482" in svg and "nan" not in svg.lower()
    half = str(
        macro(sensitivity_as_json(sensitivity(IncomeRequest(Basis.INCREMENTAL, (100.0,) * 2, None, 0.25, 0.9, 1))))
    )
    assert half.count("<rect ") == 7  # K = 1 cannot rise: that side is not drawn
    assert "没有可绘制" in str(macro(None))
