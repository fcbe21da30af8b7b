"""``zhengwu valuation income --input FILE.json``: the income approach on the contract's JSON (docs/valuation.md),
printing the contract's output as JSON (``--table`` for a Chinese table). Bad input exits with status 2 and a Chinese
message naming the field; the profile and industry ranges come from the database, or with ``--defaults`` from the
shipped ones (no database needed)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, NoReturn

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy.exc import OperationalError, ProgrammingError

from zhengwu.cli_support import fail as fail_at
from zhengwu.cli_support import read_json_file
from zhengwu.valuation.cli.app import app
from zhengwu.valuation.service.income import DEFAULT_PROFILE_CODE

console = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)


def fail(message: str, field: str | None = None, code: int = 2) -> NoReturn:
    """Print the error naming the contract's field on stderr and exit with ``code``."""
    fail_at(message, f"字段 {field}" if field else "", code)


@app.command("income")
def income_command(
    input_file: Path = typer.Option(..., "--input", "-i", help="收益法请求 JSON 文件（格式见 docs/valuation.md）"),
    profile: str = typer.Option(DEFAULT_PROFILE_CODE, "--profile", help="share_rate.indicators 所用的评价方案代码"),
    defaults: bool = typer.Option(False, "--defaults", help="用随平台提供的默认方案与行业区间，不读数据库"),
    table: bool = typer.Option(False, "--table", help="输出中文表格（默认输出 JSON）"),
) -> None:
    """收益法估值：价值 = Σ K_t·R_t·(1 − 所得税税率)/(1 + i)^t。输出不做舍入的 JSON；输入有误时退出码为 2。"""
    from zhengwu.core.errors import ZhengwuError
    from zhengwu.valuation.service.income import compute_income, run_income

    data = read_json_file(input_file)
    try:
        if defaults:
            from zhengwu.valuation.model.default_profile import default_profile
            from zhengwu.valuation.model.industries import UNIDO_RANGES

            result = compute_income(data, default_profile(), UNIDO_RANGES)
        else:
            from zhengwu.cli import _db
            from zhengwu.core.org.model import system_principal

            db = _db()
            try:
                with db.reading() as session:
                    result = run_income(session, system_principal(), data, profile)
            finally:
                db.dispose()
    except ZhengwuError as exc:
        fail(exc.message, exc.field)
        raise
    except (OperationalError, ProgrammingError):
        fail("数据库尚未初始化：请先运行 zhengwu db upgrade（或 zhengwu demo），或加 --defaults 使用默认方案。", code=1)
        raise
    if table:
        _print_table(result)
    else:
        typer.echo(json.dumps(result, ensure_ascii=False, indent=2))


def _print_table(result: dict[str, Any]) -> None:
    t = Table(title="收益法估值")
    for header in ("年度", "收益额", "分成率", "税后分成收益", "折现系数", "现值"):
        t.add_column(header, justify="right")
    for row in result["rows"]:
        t.add_row(
            str(row["year"]),
            f"{row['income']:,.2f}",
            f"{row['share'] * 100:.4f}%",
            f"{row['after_tax']:,.4f}",
            f"{row['discount_factor']:.6f}",
            f"{row['present_value']:,.4f}",
        )
    console.print(t)
    console.print(
        f"分成率 {result['share_rate'] * 100:.4f}%，折现率 {result['discount_rate'] * 100:.4f}%，"
        f"收益年限 {result['years']} 年；评估值 {result['value']:,.4f}（与收益额同一单位）。"
    )
