"""``zhengwu valuation portfolio FILE``: score and value every patent of a file (``.xlsx``, ``.csv`` or JSON lines
``.jsonl``) in one vectorised run, print the summary (count, total value, PVD tiers) and write the per-patent results
to ``--output`` (``.xlsx``, ``.csv`` or ``.jsonl``). Bad rows exit with status 2 and one line per problem (row,
column, reason) on stderr; nothing is computed. The profile and industry ranges come from the database, or with
``--defaults`` from the shipped ones (no database needed)."""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.table import Table
from sqlalchemy.exc import OperationalError, ProgrammingError

from zhengwu.valuation.cli.app import app
from zhengwu.valuation.cli.income import console, err, fail
from zhengwu.valuation.service.income import DEFAULT_PROFILE_CODE

if TYPE_CHECKING:  # pragma: no cover
    from zhengwu.valuation.service.portfolio import PortfolioRun

OUTPUTS = (".xlsx", ".csv", ".jsonl")


@app.command("portfolio")
def portfolio_command(
    file: Path = typer.Argument(..., help="专利事实文件：.xlsx、.csv（UTF-8 或 GB18030）或 .jsonl，每行一件专利"),
    output: Path | None = typer.Option(None, "--output", "-o", help="逐件结果写入此文件：.xlsx、.csv 或 .jsonl"),
    profile: str = typer.Option(DEFAULT_PROFILE_CODE, "--profile", help="评价方案代码"),
    defaults: bool = typer.Option(False, "--defaults", help="用随平台提供的默认方案与行业区间，不读数据库"),
    fill: int | None = typer.Option(
        None, "--fill", min=0, max=10, help="未评分且事实不足以自动评分的二级指标取不高于此值的最高档；不给则报错"
    ),
    as_of: str | None = typer.Option(None, "--as-of", help="评估基准日（YYYY-MM-DD），用于该列为空的行"),
    tax_rate: float | None = typer.Option(None, "--tax-rate", help="所得税税率，用于该列为空的行"),
    discount_rate: float | None = typer.Option(None, "--discount-rate", help="折现率，用于该列为空的行"),
    timing: str = typer.Option("end", "--timing", help="折现时点：end 年末、mid 年中，用于该列为空的行"),
) -> None:
    """批量估值：按评价方案为文件中的每件专利评分（专利价值度 PVD），按行业区间取分成率，用收益法估值。"""
    from zhengwu.core.errors import ZhengwuError
    from zhengwu.valuation.service.portfolio import CLI_MAX_BYTES, CLI_MAX_ROWS, PortfolioFileRejected
    from zhengwu.valuation.service.portfolio_files import Options

    if output is not None and output.suffix.lower() not in OUTPUTS:
        fail("输出文件须为 .xlsx、.csv 或 .jsonl。", "output")
    if timing not in ("end", "mid"):
        fail("折现时点须为 end（年末）或 mid（年中）。", "timing")
    day = None
    if as_of:
        try:
            day = date.fromisoformat(as_of)
        except ValueError:
            fail(f"评估基准日“{as_of}”应为日期，格式 YYYY-MM-DD。", "as_of")
    data = _read(file, CLI_MAX_BYTES)
    options = Options(as_of=day, tax_rate=tax_rate, discount_rate=discount_rate, timing=timing)
    started = time.perf_counter()
    try:
        with console.status("正在读取、校验并估值……"):
            run = _run(file.name, data, options, fill, profile, defaults, CLI_MAX_ROWS)
    except PortfolioFileRejected as exc:
        more = f"，以下为前 {len(exc.errors)} 处" if exc.total > len(exc.errors) else ""
        err.print(f"[red]批量估值未作计算[/red]：文件有 {exc.total} 处错误{more}。", highlight=False)
        for e in exc.errors:
            err.print(f"  {e}", highlight=False, markup=False)
        raise typer.Exit(2) from None
    except ZhengwuError as exc:
        fail(exc.message, exc.field)
        raise
    except (OperationalError, ProgrammingError):
        fail("数据库尚未初始化：请先运行 zhengwu db upgrade（或 zhengwu demo），或加 --defaults 使用默认方案。", code=1)
        raise
    _print_summary(run, time.perf_counter() - started)
    if output is not None:
        with console.status(f"正在写入 {output}……"):
            _write(run, output)
        console.print(f"逐件结果已写入 {output}（{run.count:,} 行）。")


def _read(file: Path, limit: int) -> bytes:
    try:
        if file.stat().st_size > limit:
            fail(f"文件 {file} 超过 {limit // 1024**2} MB，请分批估值。", "file")
        return file.read_bytes()
    except OSError as exc:
        fail(f"无法读取文件 {file}：{exc.strerror or exc}。", "file")
        raise


def _run(
    name: str, data: bytes, options: object, fill: int | None, profile: str, defaults: bool, rows: int
) -> PortfolioRun:
    from zhengwu.valuation.service.portfolio import compute_portfolio, run_portfolio
    from zhengwu.valuation.service.portfolio_files import Options

    assert isinstance(options, Options)
    if defaults:
        from zhengwu.valuation.model.default_profile import default_profile
        from zhengwu.valuation.model.indicators import Use
        from zhengwu.valuation.model.industries import UNIDO_RANGES

        use = next((u for u in Use if profile == f"cnipa2012-{u.value}"), None)
        if use is None:
            fail(f"--defaults 只提供默认方案 {', '.join(f'cnipa2012-{u.value}' for u in Use)}。", "profile")
        return compute_portfolio(name, data, default_profile(use or Use.FINANCE), UNIDO_RANGES, options, fill,
                                 max_rows=rows)  # fmt: skip
    from zhengwu.cli import _db
    from zhengwu.core.org.model import system_principal

    db = _db()
    try:
        with db.reading() as session:
            return run_portfolio(session, system_principal(), name, data, options, fill, profile, max_rows=rows)
    finally:
        db.dispose()


def _print_summary(run: PortfolioRun, seconds: float) -> None:
    from zhengwu.valuation.service.portfolio import summary

    s = summary(run)
    t = Table(title=f"批量估值（评价方案 {s['profile']} 第 {s['profile_version']} 版）")
    for header in ("分层", "件数", "评估值合计"):
        t.add_column(header, justify="right")
    for tier in s["tiers"]:
        t.add_row(tier["label"], f"{tier['count']:,}", f"{tier['value']:,.4f}")
    t.add_row("合计", f"{s['count']:,}", f"{s['total_value']:,.4f}")
    console.print(t)
    filled = f"；{s['filled']:,} 件有二级指标按缺省档次 {s['fill']} 补分" if s["fill"] is not None else ""
    console.print(
        f"共 {s['count']:,} 件专利，评估值合计 {s['total_value']:,.4f}（与收益额同一单位）；"
        f"{s['gated']:,} 件触发否决条件（专利价值度为 0）{filled}。用时 {seconds:.2f} 秒。",
        highlight=False,
    )


def _write(run: PortfolioRun, output: Path) -> None:
    from zhengwu.valuation.service.portfolio import write_csv, write_jsonl, write_xlsx

    suffix = output.suffix.lower()
    try:
        if suffix == ".xlsx":
            with output.open("wb") as binary:
                write_xlsx(run, binary)
        else:
            with output.open("w", encoding="utf-8-sig" if suffix == ".csv" else "utf-8", newline="") as out:
                (write_csv if suffix == ".csv" else write_jsonl)(run, out)
    except OSError as exc:
        fail(f"无法写入文件 {output}：{exc.strerror or exc}。", "output")
