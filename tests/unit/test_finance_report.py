"""A plan's Word report and the checks of its results' inputs, without a database: the report built from the
Changsha seed plan opens with python-docx and holds the pool table, the tranches, the no-default waterfall with the
engine's figures, the simulation with its paths and seed, the sizing result when asked and the method; the query
strings and request bodies of the result pages and API are refused in Chinese naming the field."""

from __future__ import annotations

import io
import re
from datetime import UTC, date, datetime
from typing import Any

import docx
import numpy as np
import pytest
from docx.oxml.ns import qn

from zhengwu.core.errors import Invalid
from zhengwu.finance.model.plan import parse_plan
from zhengwu.finance.model.seed_plan import seed_plan
from zhengwu.finance.model.simulation import simulate, simulation_json
from zhengwu.finance.model.sizing import size_senior
from zhengwu.finance.model.waterfall import defaults_from_scenario, run_waterfall
from zhengwu.finance.service.plan_results import (
    Stored,
    no_default,
    percent_value,
    period_end,
    query_value,
    run_body,
    scenario_from_query,
    sizing_body,
)
from zhengwu.finance.service.report import ReportAsk, build_report, report_ask, report_data
from zhengwu.finance.tables import Plan

CJK = re.compile(r"[\u4e00-\u9fff]")
NOW = datetime(2024, 6, 20, 1, 0, tzinfo=UTC)
CONTRACT = seed_plan()
PLAN = parse_plan(CONTRACT)


def _stored() -> Stored:
    record = Plan(id=7, code="XZ-2023", name="兴证圆融知识产权资产支持专项计划", status="draft", unit_id=1)
    return Stored(record, CONTRACT, PLAN)


def _document(ask: ReportAsk) -> tuple[Any, str]:
    data = report_data(_stored(), "兴证证券资产管理有限公司", ask, "计划管理人经办人", NOW)
    document = docx.Document(io.BytesIO(build_report(data)))
    text = "\n".join(p.text for p in document.paragraphs)
    return document, text


def _rows(table: Any) -> list[list[str]]:
    return [[cell.text for cell in row.cells] for row in table.rows]


def test_the_report_holds_the_pool_the_tranches_and_the_engines_no_default_waterfall() -> None:
    document, text = _document(ReportAsk(paths=2_000, seed=2026))
    tables = [_rows(t) for t in document.tables]
    pool = next(t for t in tables if t[0][:3] == ["编号", "借款人", "本金（元）"])
    assert [row[0] for row in pool[1:]] == [f"L{k:02d}" for k in range(1, 13)] + ["合计"]
    assert pool[1][2] == "15,000,000.00" and pool[2][2] == "10,000,000.00" and pool[-1][2] == "135,000,000.00"
    assert pool[1][8] == "30%" and pool[1][5] == "到期一次还本"
    tranches = next(t for t in tables if t[0][0] == "清偿顺序")
    assert tranches[1][1:] == ["A", "优先级资产支持证券", "128,000,000.00", "94.81%", "2.95%"]
    assert tranches[2][5] == "剩余收益"
    result = run_waterfall(PLAN, defaults_from_scenario(PLAN, no_default(PLAN)))
    pool_side = next(t for t in tables if t[0][:3] == ["期次", "期末日", "回收款"])
    assert [row[1] for row in pool_side[1:3]] == ["2023年10月1日", "2024年1月1日"]
    for c in range(PLAN.legal_final_period):
        assert pool_side[c + 1][2] == f"{result.collections[0, c]:,.2f}"
        assert pool_side[c + 1][6] == f"{result.fees[0, c]:,.2f}"
    tranche_side = next(t for t in tables if t[0][:2] == ["期次", "A 利息"])
    for c in range(PLAN.legal_final_period):
        assert tranche_side[c + 1][1:4] == [
            f"{result.interest[0, 0, c]:,.2f}",
            f"{result.principal[0, 0, c]:,.2f}",
            f"{result.balance[0, 0, c]:,.2f}",
        ]
    metrics = next(t for t in tables if t[0][:3] == ["编号", "名称", "损失（元）"])
    assert metrics[1][3] == f"{result.wal_years[0, 0]:.4f}" == "1.4756"
    assert metrics[1][4] == f"{result.irr[0, 0] * 100:.4f}".rstrip("0").rstrip(".") + "%"
    sim = simulation_json(simulate(PLAN, 2_000, np.random.default_rng(2026)))
    assert "抽取 2,000 条违约路径，随机种子 2026" in text
    summary = next(t for t in tables if t[0][:4] == ["编号", "名称", "本金（元）", "预期损失（元）"])
    assert (
        summary[2][3]
        == f"{sim['tranches']['B']['expected_loss']['mean']:,.2f} ± {sim['tranches']['B']['expected_loss']['se']:,.2f}"
    )
    assert "本报告未测算优先级规模" in text
    for part in (
        "一、方案要素",
        "七、测算方法",
        "湖南湘江新区发展集团有限公司",
        "2.95%",
        "计划管理人经办人",
        "单因子高斯 Copula",
    ):
        assert part in text or any(part in cell for t in tables for row in t for cell in row), part
    assert document.styles["Normal"].element.rPr.rFonts.get(qn("w:eastAsia")) == "宋体"


def test_the_report_states_the_sizing_result_when_asked() -> None:
    data = seed_plan()
    data["shortfall_provider"] = None
    data["guarantor"]["pd_annual"] = 0.3  # without the provider, the senior can lose when the guarantor fails
    stored = Stored(_stored().record, data, parse_plan(data))
    ask = ReportAsk(paths=500, seed=1, target=0.0005, metric="expected_loss", threshold=0.01, sizing_paths=1_000)
    document = docx.Document(io.BytesIO(build_report(report_data(stored, "", ask, "", NOW))))
    text = "\n".join(p.text for p in document.paragraphs)
    sized = size_senior(stored.plan, 0.0005, np.random.default_rng(1), n_paths=1_000)
    assert f"最大优先级本金为 {sized.balance:,.2f} 元" in text and "1,000 条违约路径上（随机种子 1）" in text
    assert sized.next_balance is not None and f"{sized.next_balance:,.2f} 元时" in text
    assert "盈亏平衡违约概率：所有贷款的年违约概率同为" in text and "首次超过 1%" in text


def test_period_ends_count_calendar_months_from_the_closing_date() -> None:
    assert [period_end(date(2023, 7, 1), t, 4) for t in (1, 4, 8)] == [
        date(2023, 10, 1),
        date(2024, 7, 1),
        date(2025, 7, 1),
    ]
    assert period_end(date(2023, 11, 30), 1, 4) == date(2024, 2, 29)
    assert period_end(date(2023, 1, 31), 1, 12) == date(2023, 2, 28) and period_end(date(2023, 1, 31), 1, 1) == date(
        2024, 1, 31
    )


def test_the_pages_query_strings_become_the_contracts_values() -> None:
    assert scenario_from_query(
        {"loan_defaults.L03": "3", "loan_defaults.L99": "2", "guarantor_default_period": ""}, PLAN
    ) == {
        "loan_defaults": {"L03": 3},
        "guarantor_default_period": None,
        "provider_default_period": None,
    }
    assert [query_value(v) for v in ("", " 12 ", "1,000", "0.25", "1e400", "三")] == [
        None,
        12,
        1000,
        0.25,
        "1e400",
        "三",
    ]
    assert percent_value("0.5", "target", "目标", 0.0) == pytest.approx(0.005)
    with pytest.raises(Invalid) as found:
        percent_value("100", "target", "目标", 0.0)
    assert found.value.field == "target" and "百分数" in found.value.message


#: (body, field) — bad bodies of the run API: refused in Chinese naming the field as the body writes it.
BAD_RUNS: list[tuple[Any, str]] = [
    ([], "body"),
    ({"plan": {}}, "plan"),
    ({"scenario": {"loan_defaults": {"L99": 3}}}, "scenario.loan_defaults.L99"),
    ({"scenario": {"loan_defaults": {"L03": 9}}}, "scenario.loan_defaults.L03"),
    ({"scenario": {"guarantor_default_period": "二"}}, "scenario.guarantor_default_period"),
    ({"scenario": [1]}, "scenario"),
    ({"simulation": {"paths": 1}}, "simulation.paths"),
    ({"simulation": {"paths": 200_000}}, "simulation.paths"),
    ({"simulation": {"seed": 1}}, "simulation.paths"),
    ({"simulation": {"paths": 100, "seed": -1}}, "simulation.seed"),
    ({"simulation": {"paths": 100, "chunk": 1}}, "simulation.chunk"),
    ({"simulation": 5}, "simulation"),
]
BAD_SIZINGS: list[tuple[Any, str]] = [
    ({}, "target"),
    ({"target": 1}, "target"),
    ({"target": True}, "target"),
    ({"target": 0.01, "metric": "rating"}, "metric"),
    ({"target": 0.01, "threshold": -0.1}, "threshold"),
    ({"target": 0.01, "paths": 50_000}, "paths"),  # over the sizing's work cap (≈ 50 waterfalls)
    ({"target": 0.01, "seed": "x"}, "seed"),
    ({"target": 0.01, "extra": 1}, "extra"),
    ("目标", "body"),
]


@pytest.mark.parametrize(("body", "field"), BAD_RUNS)
def test_bad_run_bodies_are_refused_naming_their_field(body: Any, field: str) -> None:
    with pytest.raises(Invalid) as found:
        run_body(PLAN, body)
    assert found.value.field == field and CJK.search(found.value.message)


@pytest.mark.parametrize(("body", "field"), BAD_SIZINGS)
def test_bad_sizing_bodies_are_refused_naming_their_field(body: Any, field: str) -> None:
    with pytest.raises(Invalid) as found:
        sizing_body(PLAN, body)
    assert found.value.field == field and CJK.search(found.value.message)


def test_the_reports_parameters_are_checked_naming_each() -> None:
    for params, field in [
        ({"paths": "1"}, "paths"),
        ({"seed": "abc"}, "seed"),
        ({"target": "2"}, "target"),
        ({"target": "0.01", "metric": "x"}, "metric"),
        ({"target": "0.01", "sizing_paths": "1"}, "sizing_paths"),
        ({"target": "0.01", "threshold": "-1"}, "threshold"),
    ]:
        with pytest.raises(Invalid) as found:
            report_ask(params, PLAN)
        assert found.value.field == field, params
    ask = report_ask({"seed": "5", "target": "0.001"}, PLAN)
    assert (ask.paths, ask.seed, ask.target, ask.metric, ask.sizing_paths) == (
        20_000,
        5,
        0.001,
        "expected_loss",
        10_000,
    )
    assert report_ask({}, PLAN).target is None
