"""Portfolio valuation (zhengwu.valuation.model.portfolio and the file reading of its service): the vectorised run
gives, patent by patent, what the scalar core gives — evaluate() for the value degrees and PVD, value_income() for
the value — and refuses bad input naming the patent (the row) and the field."""

from __future__ import annotations

import io
import json
import math
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from openpyxl import Workbook

from zhengwu.core.errors import Invalid
from zhengwu.valuation.model.default_profile import default_profile
from zhengwu.valuation.model.income import Basis, IncomeRequest, Timing, value_income
from zhengwu.valuation.model.indicators import PatentFacts, Score, evaluate
from zhengwu.valuation.model.industries import UNIDO_RANGES
from zhengwu.valuation.model.portfolio import (
    PortfolioIncome,
    PortfolioRejected,
    flatten,
    no_facts,
    tiers,
    value_portfolio,
)
from zhengwu.valuation.model.portfolio_rules import HISTORIES, LEGAL_STATUSES, PATENT_TYPES, PortfolioFacts
from zhengwu.valuation.model.share_rates import ScoreShare
from zhengwu.valuation.service.portfolio import compute_portfolio, example_csv
from zhengwu.valuation.service.portfolio_files import Options, PortfolioFileRejected

PROFILE = default_profile()
FLAT = flatten(PROFILE)
N, T = 300, 8


def random_portfolio(seed: int) -> tuple[list[dict[str, Any]], PortfolioFacts, np.ndarray, PortfolioIncome]:
    """``N`` random patents as scalar records and as arrays: unknown counts, 29 February filings, designs filed either
    side of 2021-06-01, dead statuses and disputes, expert scores for what the facts leave open and sometimes over an
    automatic rule, ragged income over up to ``T`` years with end or mid-year timing and decay."""
    rng = np.random.default_rng(seed)
    records = []
    for _ in range(N):
        kind = int(rng.integers(0, 3))
        filed = date(2000, 1, 1) + timedelta(days=int(rng.integers(0, 9000)))
        if rng.random() < 0.05:
            filed = date(int(rng.choice([2004, 2008, 2012, 2016, 2020])), 2, 29)
        as_of = filed + timedelta(days=int(rng.integers(0, 9000)))

        def maybe(low: int, high: int) -> int:
            return -1 if rng.random() < 0.2 else int(rng.integers(low, high))

        r: dict[str, Any] = {
            "kind": kind, "filed": filed, "as_of": as_of, "status": int(rng.choice([1, 1, 1, 1, 0, 2, 5])),
            "claims": maybe(1, 25), "countries": maybe(1, 8), "citations": maybe(0, 16), "licences": maybe(0, 4),
            "pledges": int(rng.integers(0, 2)), "dispute": bool(rng.random() < 0.05),
            "history": int(rng.integers(0, 3)),
            "amounts": [float(x) for x in rng.uniform(0, 5000, rng.integers(1, T + 1))],
            "tax": float(rng.choice([0.0, 0.15, 0.25])), "rate": float(rng.uniform(0, 0.3)),
            "decay": float(rng.choice([0.0, 0.1])), "mid": bool(rng.random() < 0.5),
            "low": float(rng.uniform(0, 0.05)),
        }  # fmt: skip
        r["high"] = r["low"] + float(rng.uniform(0, 0.05))
        r["years"] = int(rng.integers(0, len(r["amounts"]) + 1))
        facts = _facts(r)
        automatic = {code for code in FLAT.codes if code in _automatic(facts)}
        r["scores"] = {}
        for code, sub in ((c, PROFILE.sub_indicator(c)) for c in FLAT.codes):
            assert sub is not None
            if code not in automatic or rng.random() < 0.1:  # an expert may also override a rule
                r["scores"][code] = int(rng.choice(sub.levels))
        records.append(r)
    facts = PortfolioFacts(
        np.array([r["kind"] for r in records], dtype=np.int8),
        np.array([r["filed"] for r in records], dtype="datetime64[D]"),
        np.array([r["as_of"] for r in records], dtype="datetime64[D]"),
        np.array([r["status"] for r in records], dtype=np.int8),
        *(np.array([r[k] for r in records], dtype=np.int64) for k in ("claims", "countries", "citations")),
        np.array([r["dispute"] for r in records]),
        *(np.array([r[k] for r in records], dtype=np.int64) for k in ("licences", "pledges")),
        np.array([r["history"] for r in records], dtype=np.int8),
    )
    scores = np.array([[r["scores"].get(c, -1) for c in FLAT.codes] for r in records], dtype=np.int8)
    amounts = [r["amounts"] + [0.0] * (T - len(r["amounts"])) for r in records]
    income = PortfolioIncome.of(
        amounts, [r["years"] for r in records], [r["tax"] for r in records], [r["rate"] for r in records],
        low=[r["low"] for r in records], high=[r["high"] for r in records], decay=[r["decay"] for r in records],
        mid_year=[r["mid"] for r in records],
    )  # fmt: skip
    return records, facts, scores, income


def _facts(r: dict[str, Any]) -> PatentFacts:
    def known(v: int) -> int | None:
        return None if v < 0 else v

    return PatentFacts(
        PATENT_TYPES[r["kind"]], r["filed"], r["as_of"], LEGAL_STATUSES[r["status"]], known(r["claims"]),
        known(r["countries"]), known(r["citations"]), r["dispute"], known(r["licences"]), r["pledges"],
        HISTORIES[r["history"]],
    )  # fmt: skip


def _automatic(facts: PatentFacts) -> set[str]:
    from zhengwu.valuation.model.indicators import automatic_scores

    return set(automatic_scores(PROFILE, facts))


def scalar(r: dict[str, Any]) -> tuple[Any, float]:
    """The scalar core's evaluation and value of one record."""
    e = evaluate(PROFILE, {c: Score(v, "专家", "测试") for c, v in r["scores"].items()}, facts=_facts(r))
    assert e.pvd is not None
    request = IncomeRequest(
        Basis.REVENUE, tuple(r["amounts"]), ScoreShare(r["low"], r["high"], e.pvd), r["tax"], r["rate"], r["years"],
        Timing.MID if r["mid"] else Timing.END, r["decay"],
    )  # fmt: skip
    return e, value_income(request).value


@pytest.mark.parametrize("seed", [1, 2])
def test_every_patent_of_a_random_portfolio_gets_what_the_scalar_core_gives_it(seed: int) -> None:
    # The reference is the scalar core itself (evaluate() and value_income(), checked against the issue's worked
    # example and textbook cases in test_valuation_indicators.py and test_valuation_income.py), to 1e-9 relative.
    records, facts, scores, income = random_portfolio(seed)
    result = value_portfolio(FLAT, facts, scores, income)
    for k, r in enumerate(records):
        e, value = scalar(r)
        for got, want in ((result.lvd[k], e.lvd), (result.tvd[k], e.tvd), (result.evd[k], e.evd),
                          (result.pvd_before_gates[k], e.pvd_before_gates), (result.pvd[k], e.pvd),
                          (result.value[k], value)):  # fmt: skip
            assert math.isclose(float(got), want, rel_tol=1e-9, abs_tol=1e-9), (k, r, got, want)
        assert {code for code, hit in result.gates.items() if hit[k]} == {g.code for g in e.gates}
    assert np.isfinite(result.value).all() and (result.filled == 0).all()


def test_the_worked_example_of_the_issue_as_a_portfolio_of_one_is_worth_1686114_yuan() -> None:
    # Issue #6 / docs/valuation.md: LVD 80, TVD 70, EVD 60 → PVD 70; machinery 1.5–3 % → K 2.55 %; 168.6114万元.
    levels = {c: 8 if d == "legal" else 6 for c, d in zip(FLAT.codes, FLAT.dimension_codes, strict=True)}
    levels.update(advancement=10, forward_citations=10)
    scores = np.array([[levels[c] for c in FLAT.codes]], dtype=np.int8)
    income = PortfolioIncome.of([[2000, 2200, 2400, 2500, 2500]], [5], 0.25, 0.095, low=0.015, high=0.03)
    result = value_portfolio(FLAT, no_facts(1), scores, income)
    assert round(float(result.pvd[0]), 9) == 70.0
    assert round(float(result.share_rate[0]), 12) == 0.0255
    assert round(float(result.value[0]) * 10_000) == 1_686_114


def test_an_unscored_sub_indicator_is_refused_naming_the_patent_unless_a_fill_level_is_given() -> None:
    scores = np.full((2, len(FLAT.codes)), 6, dtype=np.int8)
    scores[1, FLAT.codes.index("dependence")] = -1
    scores[:, FLAT.codes.index("multi_country")] = -1  # no family count in no_facts: the rule cannot settle it
    income = PortfolioIncome.of([[100.0], [100.0]], [1, 1], 0.25, 0.1, low=0.01, high=0.02)
    with pytest.raises(PortfolioRejected) as caught:
        value_portfolio(FLAT, no_facts(2), scores, income)
    fields = [(p.index, p.field) for p in caught.value.problems]
    assert fields == [(0, "score.multi_country"), (1, "score.dependence"), (1, "score.multi_country")]
    assert caught.value.field == "patents[0].score.multi_country" and "未评分" in caught.value.message
    # With a fill level of 5: dependence (0/2/…/10) gets 4, multi-country (4/6/8/10) gets 4; counted per patent.
    result = value_portfolio(FLAT, no_facts(2), scores, income, fill=5)
    assert result.filled.tolist() == [1, 2]
    full = scores.copy()
    full[:, FLAT.codes.index("multi_country")] = 4
    full[1, FLAT.codes.index("dependence")] = 4
    assert value_portfolio(FLAT, no_facts(2), full, income).pvd.tolist() == result.pvd.tolist()


def test_bad_entries_are_all_refused_with_the_patent_and_field_and_nothing_is_computed() -> None:
    scores = np.full((3, len(FLAT.codes)), 6, dtype=np.int8)
    scores[0, FLAT.codes.index("stability")] = 5  # not on the ladder
    income = PortfolioIncome.of(
        [[100.0, np.nan], [100.0, 1.0], [100.0, -1.0]], [1, 3, 2], [0.25, 1.0, 0.25], 0.1,
        low=[0.01, 0.01, 0.05], high=[0.02, 0.02, 0.01],
    )  # fmt: skip
    with pytest.raises(PortfolioRejected) as caught:
        value_portfolio(FLAT, no_facts(3), scores, income)
    assert sorted((p.index, p.field) for p in caught.value.problems) == [
        (0, "income_2"), (0, "score.stability"), (1, "tax_rate"), (1, "years"), (2, "income_2"), (2, "range_high"),
    ]  # fmt: skip
    with pytest.raises(Invalid, match="缺省档次"):
        value_portfolio(FLAT, no_facts(3), scores, income, fill=11)


def test_the_summary_counts_patents_and_value_by_pvd_tier() -> None:
    _records, facts, scores, income = random_portfolio(3)
    result = value_portfolio(FLAT, facts, scores, income)
    found = tiers(result)
    assert sum(t.count for t in found) == N
    assert math.isclose(sum(t.value for t in found), float(result.value.sum()), rel_tol=1e-12)
    assert found[0].count == int((result.pvd >= 80).sum()) and found[3].count == int((result.pvd < 40).sum())


# ---------------------------------------------------------------- files


def run(name: str, data: bytes, **kw: Any) -> Any:
    return compute_portfolio(name, data, PROFILE, UNIDO_RANGES, kw.pop("options", Options()), **kw)


def test_the_example_file_reads_the_same_from_csv_gb18030_with_chinese_headers_xlsx_and_json_lines() -> None:
    text = example_csv(PROFILE).decode("utf-8-sig")
    first = run("例.csv", text.encode("utf-8"))
    header, *rows = [line.split(",") for line in text.strip().split("\n")]
    chinese = [{"id": "编号", "filing_date": "申请日", "industry": "行业"}.get(h, h) for h in header]
    gb = run("例.csv", "\n".join(",".join(r) for r in [chinese, *rows]).encode("gb18030"))
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(header)
    for row in rows:
        sheet.append([float(c) if c.replace(".", "").isdigit() and "-" not in c else (c or None) for c in row])
    out = io.BytesIO()
    book.save(out)
    xlsx = run("例.xlsx", out.getvalue())
    lines = []
    for row in rows:
        cells = dict(zip(header, row, strict=True))
        obj: dict[str, Any] = {k: v for k, v in cells.items() if v and not k.startswith(("income_", "score."))}
        obj["amounts"] = [float(cells[f"income_{t}"]) for t in range(1, 6) if cells[f"income_{t}"]]
        obj["scores"] = {k[6:]: int(v) for k, v in cells.items() if k.startswith("score.") and v}
        lines.append(json.dumps(obj, ensure_ascii=False))
    jsonl = run("例.jsonl", "\n".join(lines).encode())
    assert first.count == 3 and first.gated == 1
    for other in (gb, xlsx, jsonl):
        assert other.result.value.tolist() == first.result.value.tolist()
        assert other.file.ids == first.file.ids


def rejected(name: str, text: str, **kw: Any) -> list[tuple[int, str, str]]:
    with pytest.raises(PortfolioFileRejected) as caught:
        run(name, text.encode(), **kw)
    return [(e.row, e.field, e.reason) for e in caught.value.errors]


HEAD = "id,patent_type,filing_date,as_of,industry,range_low,range_high,tax_rate,discount_rate,income_1,income_2"


def test_bad_cells_are_reported_by_row_and_column_before_anything_is_computed() -> None:
    errors = rejected("x.csv", "\n".join([
        HEAD,
        "A,invention,2015-03-01,2024-06-30,machinery,,,0.25,0.1,100,",
        "B,发明,2015-02-30,2024-06-30,machinery,,,0.25,0.1,100,",  # row 3: no such day
        "C,gadget,2015-03-01,2024-06-30,machinery,0.01,0.02,0.25,0.1,100,",  # row 4: type; industry and range
        "D,utility,2015-03-01,2024-06-30,,,,abc,0.1,,100",  # row 5: no range; tax; a gap in the amounts
    ]))  # fmt: skip
    found = {(row, field) for row, field, _ in errors}
    assert found == {(3, "filing_date"), (4, "patent_type"), (4, "industry"), (5, "industry"), (5, "tax_rate"),
                     (5, "income_1")}  # fmt: skip
    reasons = {(row, field): reason for row, field, reason in errors}
    assert "不是有效的日期" in reasons[3, "filing_date"] and "只能填写其一" in reasons[4, "industry"]
    assert "第 1 年收益额为空" in reasons[5, "income_1"]


def test_the_header_is_checked_first_and_unknown_or_missing_columns_are_named() -> None:
    errors = rejected("x.csv", "id,filing_date,colour,score.nothing\nA,2015-03-01,red,4\n")
    assert {(field, reason[:4]) for _, field, reason in errors} == {
        ("colour", "未知的列"), ("score.nothing", "评价方案"), ("专利类型", "缺少必填"), ("income_1", "缺少收益"),
    }  # fmt: skip


def test_income_years_default_to_the_remaining_term_and_economic_life_and_may_not_outrun_the_amounts() -> None:
    # A utility model filed 2019-08-15 has 5.13 years left on 2024-06-30: with an economic life of 4, n = 4.
    head = "id,patent_type,filing_date,as_of,industry,tax_rate,discount_rate,economic_life,income_1,income_2"
    row = "A,utility,2019-08-15,2024-06-30,machinery,0.25,0.1,{life},100,100\n"
    errors = rejected("x.csv", f"{head}\n{row.format(life=4)}", fill=4)
    assert errors == [(2, "years", "按剩余保护期与经济寿命算得收益年限 4 年超过已填收益额的 2 年")]
    got = run("x.csv", f"{head}\n{row.format(life=1.5)}".encode(), fill=4)
    assert got.result.years.tolist() == [1]


def test_defaults_fill_blank_cells_and_a_row_cap_is_enforced() -> None:
    body = "A,invention,2015-03-01,,machinery,,,,,100,\n" * 3
    got = run("x.csv", (HEAD + "\n" + body).encode(), fill=4,
              options=Options(as_of=date(2024, 6, 30), tax_rate=0.25, discount_rate=0.1))  # fmt: skip
    assert got.count == 3 and got.filled_patents == 3
    errors = rejected("x.csv", HEAD + "\n" + body, fill=4, max_rows=2)
    assert errors[0][0] == 4 and "最多" in errors[0][2]


def test_the_example_file_in_the_docs_is_the_one_the_page_offers() -> None:
    docs = Path(__file__).resolve().parents[2] / "docs" / "examples" / "valuation_portfolio.csv"
    assert docs.read_bytes() == example_csv(PROFILE)
