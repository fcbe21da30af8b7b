"""``zhengwu finance run PLAN.json [--scenario FILE] [--paths N --seed S] [--json]``: a securitization plan's
waterfall and simulation on the contract's JSON (docs/finance.md), through the same service as
``POST /api/finance/run`` (with the command line's larger caps). Without ``--json`` it prints Chinese tables: the
waterfall period by period for the scenario, the tranches' metrics for the simulation. Bad input exits with status
2 and a Chinese message naming the field of the file (or the option). No database is needed."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.table import Table

from zhengwu.cli_support import fail, read_json_file
from zhengwu.finance.cli.app import app

console = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)


def where_is(field: str | None, plan_file: Path, scenario_file: Path | None) -> str:
    """The service's field (a path in the API's body) as the command line's user sees it: a field of the plan
    file or of the scenario file, or an option.

    >>> where_is("plan.loans[2].pd_annual", Path("p.json"), None)
    '方案文件 p.json，字段 loans[2].pd_annual'
    >>> where_is("simulation.paths", Path("p.json"), None), where_is("plan", Path("p.json"), None)
    ('选项 --paths', '方案文件 p.json')
    """
    if field is None:
        return ""
    for prefix, label, path in (("plan", "方案文件", plan_file), ("scenario", "情景文件", scenario_file)):
        if field == prefix:
            return f"{label} {path}"
        if field.startswith(prefix + "."):
            return f"{label} {path}，字段 {field[len(prefix) + 1 :]}"
    if field.startswith("simulation."):
        return f"选项 --{field.removeprefix('simulation.')}"
    return f"字段 {field}"


@app.command("run")
def run_command(
    plan_file: Path = typer.Argument(
        ..., metavar="PLAN.json", help="方案 JSON 文件（格式见 docs/finance.md）", show_default=False
    ),
    scenario_file: Path | None = typer.Option(None, "--scenario", help="违约情景 JSON 文件：运行该情景的现金流瀑布"),
    paths: int | None = typer.Option(None, "--paths", help="蒙特卡洛模拟的路径数（不给则不模拟）"),
    seed: int | None = typer.Option(None, "--seed", help="随机种子（同一种子结果相同；不给则随机选取并在结果中给出）"),
    as_json: bool = typer.Option(False, "--json", help="输出 JSON（默认输出中文表格）"),
) -> None:
    """测算证券化方案：给出 --scenario 时按该违约情景计算现金流瀑布，给出 --paths 时做蒙特卡洛模拟（两者可同时给出）；
    都不给时按无违约情景计算。输入有误时退出码为 2。"""
    from zhengwu.core.errors import ZhengwuError
    from zhengwu.core.org.model import system_principal
    from zhengwu.finance.service.run import CLI_LIMITS, run_plan

    plan = read_json_file(plan_file, "方案")
    scenario = None if scenario_file is None else read_json_file(scenario_file, "情景")
    try:
        result = run_plan(system_principal(), plan, scenario, paths, seed, limits=CLI_LIMITS)
    except ZhengwuError as exc:
        fail(exc.message, where_is(exc.field, plan_file, scenario_file))
        raise
    if as_json:
        typer.echo(json.dumps(result, ensure_ascii=False, indent=2))
        return
    if result["waterfall"] is not None:
        print_waterfall(result["waterfall"], "无违约情景" if scenario_file is None else f"情景 {scenario_file}")
    if result["simulation"] is not None:
        print_simulation(result["simulation"], has_provider=plan.get("shortfall_provider") is not None)


def _money(x: float) -> str:
    return f"{x:,.2f}"


def print_waterfall(out: dict[str, Any], title: str) -> None:
    """The waterfall period by period (the pool's flows, then each tranche's payments), then each tranche's loss,
    WAL and IRR. The tables are long rather than wide so that any number of tranches fits a terminal."""
    t = Table(title=f"现金流瀑布（{title}）")
    for header in ("期", "回收款", "违约债权", "担保代偿", "回收", "费用", "差额支付"):
        t.add_column(header, justify="right")
    keys = ("collections", "defaults", "guarantor_paid", "recoveries", "fees", "provider_draw")
    for row in out["periods"]:
        t.add_row(str(row["period"]), *(_money(row[k]) for k in keys))
    console.print(t)
    p = Table(title="各档证券逐期支付")
    for header in ("期", "证券", "利息", "本金", "期末余额"):
        p.add_column(header, justify="right")
    for row in out["periods"]:
        for tid, tr in row["tranches"].items():
            p.add_row(str(row["period"]), tid, _money(tr["interest"]), _money(tr["principal"]), _money(tr["balance"]))
    console.print(p)
    s = Table(title="各档证券")
    for header in ("证券", "损失", "加权平均期限（年）", "内部收益率（年）"):
        s.add_column(header, justify="right")
    for tid, m in out["tranches"].items():
        s.add_row(tid, _money(m["loss"]), f"{m['wal_years']:.4f}", f"{m['irr'] * 100:.4f}%")
    console.print(s)
    console.print(f"剩余收益（归次级档）合计 {_money(out['residual'])}。金额与方案同一单位。")


def print_simulation(out: dict[str, Any], has_provider: bool = True) -> None:
    """Each tranche's expected loss, loss probability and WAL with their standard errors, then the provider and
    the pool's defaults; one row per estimate."""
    t = Table(title=f"蒙特卡洛模拟（{out['n_paths']:,} 条路径，随机种子 {out['seed']}）")
    t.add_column("证券")
    t.add_column("指标")
    t.add_column("估计值", justify="right")
    t.add_column("标准误", justify="right")
    for tid, m in out["tranches"].items():
        label = f"{tid} {m['name']}"
        t.add_row(label, "本金", _money(m["balance"]), "")
        t.add_row(label, "预期损失", _money(m["expected_loss"]["mean"]), _money(m["expected_loss"]["se"]))
        for key, name in (("expected_loss_rate", "预期损失率"), ("loss_probability", "损失概率")):
            t.add_row(label, name, f"{m[key]['mean'] * 100:.4f}%", f"{m[key]['se'] * 100:.4f}%")
        t.add_row(label, "加权平均期限（年）", f"{m['wal_years']['mean']:.4f}", f"{m['wal_years']['se']:.4f}")
    console.print(t)
    provider, draws = out["provider"], out["provider"]["total_draws"]
    drawn = provider["drawn_probability"]
    levels = "，".join(f"{q}% 分位 {_money(v)}" for q, v in draws["quantiles"].items())
    if not has_provider:
        console.print("方案没有差额支付承诺人。")
    else:
        console.print(
            f"差额支付承诺人被动用的概率 {drawn['mean'] * 100:.4f}%（标准误 {drawn['se'] * 100:.4f}%）；"
            f"每条路径累计支付均值 {_money(draws['mean'])}（标准误 {_money(draws['se'])}），{levels}，"
            f"最大 {_money(draws['max'])}。"
        )
    count = out["default_count"]
    console.print(f"每条路径违约贷款笔数均值 {count['mean']:.4f}（标准误 {count['se']:.4f}）。金额与方案同一单位。")
