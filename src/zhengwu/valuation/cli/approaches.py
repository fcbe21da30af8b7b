"""``zhengwu valuation market|cost|sensitivity --input FILE.json``: the market and cost approaches and the income
approach's sensitivity table on their JSON requests (docs/valuation.md), printing the JSON result (``--table`` for a
Chinese table). Bad input exits with status 2 and a Chinese message naming the field. Market and cost need no
database; sensitivity reads the profile and industry ranges from the database, or with ``--defaults`` uses the
shipped ones.

The helpers of :mod:`zhengwu.valuation.cli.income` are imported inside the functions: imported at module level they
make mypy take ``zhengwu.valuation.cli.app`` for the submodule instead of the command group in ``zhengwu.cli``."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy.exc import OperationalError, ProgrammingError

from zhengwu.valuation.cli.app import app
from zhengwu.valuation.service.income import DEFAULT_PROFILE_CODE

INPUT_HELP = "请求 JSON 文件（格式见 docs/valuation.md）"
console = Console(soft_wrap=True)


def _compute(compute: Callable[[Any], dict[str, Any]], input_file: Path) -> dict[str, Any]:
    from zhengwu.cli_support import read_json_file
    from zhengwu.core.errors import ZhengwuError
    from zhengwu.valuation.cli.income import fail

    data = read_json_file(input_file)
    try:
        return compute(data)
    except ZhengwuError as exc:
        fail(exc.message, exc.field)
        raise


def _echo(result: dict[str, Any]) -> None:
    typer.echo(json.dumps(result, ensure_ascii=False, indent=2))


@app.command("market")
def market_command(
    input_file: Path = typer.Option(..., "--input", "-i", help="市场法" + INPUT_HELP),
    table: bool = typer.Option(False, "--table", help="输出中文表格（默认输出 JSON）"),
) -> None:
    """市场法估值：调整后价格 = 成交价 ×（被评估专利价值度 ÷ 可比专利价值度）×（1 + 价格年增长率）^年数，按权重平均。"""
    from zhengwu.valuation.service.approaches import compute_market

    result = _compute(compute_market, input_file)
    if not table:
        _echo(result)
        return
    t = Table(title="市场法估值")
    for header in (
        "可比交易",
        "成交价",
        "专利价值度",
        "成交日期",
        "距基准日（年）",
        "价值度系数",
        "时间系数",
        "调整后价格",
        "权重",
    ):
        t.add_column(header, justify="right")
    for row in result["comparables"]:
        t.add_row(
            row["id"],
            f"{row['price']:,.2f}",
            f"{row['pvd']:g}",
            row["deal_date"],
            f"{row['years']:.4f}",
            f"{row['pvd_factor']:.6f}",
            f"{row['date_factor']:.6f}",
            f"{row['adjusted']:,.4f}",
            f"{row['weight']:g}",
        )
    console.print(t)
    console.print(
        f"被评估专利价值度 {result['subject_pvd']:g}，评估基准日 {result['as_of']}；评估值 {result['value']:,.4f}。"
    )
    for warning in result["warnings"]:
        console.print(f"[yellow]提示：[/yellow]{warning}", highlight=False)


@app.command("cost")
def cost_command(
    input_file: Path = typer.Option(..., "--input", "-i", help="成本法" + INPUT_HELP),
    table: bool = typer.Option(False, "--table", help="输出中文表格（默认输出 JSON）"),
) -> None:
    """成本法估值：重置成本 = Σ 成本项目 × 物价指数 ×（1 + 成本利润率），价值 = 重置成本 × 成新率。"""
    from zhengwu.valuation.service.approaches import compute_cost

    result = _compute(compute_cost, input_file)
    if not table:
        _echo(result)
        return
    t = Table(title="成本法估值")
    t.add_column("成本项目")
    t.add_column("金额", justify="right")
    for item in result["items"]:
        t.add_row(item["name"], f"{item['amount']:,.4f}")
    t.add_row("合计（历史成本）", f"{result['historical_cost']:,.4f}")
    console.print(t)
    console.print(
        f"物价指数 {result['price_index']:g}，成本利润率 {result['profit_rate'] * 100:g}%，"
        f"重置成本 {result['replacement_cost']:,.4f}；成新率 {result['newness'] * 100:.4f}%"
        f"（贬值率 {result['obsolescence_rate'] * 100:.4f}%）；评估值 {result['value']:,.4f}。"
    )


@app.command("sensitivity")
def sensitivity_command(
    input_file: Path = typer.Option(..., "--input", "-i", help="收益法" + INPUT_HELP),
    profile: str = typer.Option(DEFAULT_PROFILE_CODE, "--profile", help="share_rate.indicators 所用的评价方案代码"),
    defaults: bool = typer.Option(False, "--defaults", help="用随平台提供的默认方案与行业区间，不读数据库"),
    table: bool = typer.Option(False, "--table", help="输出中文表格（默认输出 JSON）"),
) -> None:
    """收益法敏感性分析：K、i、收益额 R 各变动 ±10%、±20%，收益年限 n 变动 ±1、±2 年时的评估值。"""
    from zhengwu.valuation.service.approaches import compute_sensitivity, run_sensitivity

    def compute(data: Any) -> dict[str, Any]:
        if defaults:
            from zhengwu.valuation.model.default_profile import default_profile
            from zhengwu.valuation.model.industries import UNIDO_RANGES

            return compute_sensitivity(data, default_profile(), UNIDO_RANGES)
        from zhengwu.cli import _db
        from zhengwu.core.org.model import system_principal

        db = _db()
        try:
            with db.reading() as session:
                return run_sensitivity(session, system_principal(), data, profile)
        except (OperationalError, ProgrammingError):
            from zhengwu.valuation.cli.income import fail

            fail(
                "数据库尚未初始化：请先运行 zhengwu db upgrade（或 zhengwu demo），或加 --defaults 使用默认方案。",
                code=1,
            )
            raise
        finally:
            db.dispose()

    result = _compute(compute, input_file)
    if not table:
        _echo(result)
        return
    t = Table(title=f"收益法敏感性分析（基准评估值 {result['base_value']:,.4f}）")
    t.add_column("变量")
    for cell in result["variables"][0]["cells"]:
        t.add_column(f"{cell['step'] * 100:+g}%", justify="right")
    for variable in result["variables"]:
        t.add_row(variable["label"], *(_cell_text(c) for c in variable["cells"]))
    console.print(t)
    years = next(v for v in result["variables"] if v["code"] == "n")
    console.print("收益年限 n 一行按列分别变动 " + "、".join(c["shift"] for c in years["cells"]) + "。")


def _cell_text(cell: dict[str, Any]) -> str:
    if cell["value"] is None:
        return "—"
    ratio = "" if cell["change_ratio"] is None else f"（{cell['change_ratio'] * 100:+.2f}%）"
    return f"{cell['value']:,.4f}{ratio}"
