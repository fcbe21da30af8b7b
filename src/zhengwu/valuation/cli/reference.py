"""The reference data on the command line: ``zhengwu valuation profile export CODE [--version N] [--output F.json]``,
``zhengwu valuation profile import F.json --note "…"`` (the next version of its code, or a new code) and
``zhengwu valuation deals import F.xlsx|F.csv --unit CODE`` (every row checked first; nothing written on any error).
Bad input exits with status 2 and a Chinese message naming the field (or each bad row, column and reason)."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.console import Console

from zhengwu.cli_support import database, initialised, read_json_file
from zhengwu.valuation.cli.app import app
from zhengwu.valuation.cli.income import fail

console = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)
profile_app = typer.Typer(help="评价指标方案：导出、导入（保存为新版本）。", no_args_is_help=True)
deals_app = typer.Typer(help="可比交易：从文件导入。", no_args_is_help=True)
app.add_typer(profile_app, name="profile")
app.add_typer(deals_app, name="deals")


@profile_app.command("export")
def profile_export(
    code: str = typer.Argument(..., help="方案代码，如 cnipa2012-finance"),
    version: int | None = typer.Option(None, "--version", min=1, help="版本号；不填为最新版本"),
    output: Path | None = typer.Option(None, "--output", "-o", help="写入的 JSON 文件；不填则输出到屏幕"),
) -> None:
    """导出评价方案的某一版本（JSON），可修改后用 profile import 保存为新版本。"""
    from zhengwu.core.errors import ZhengwuError
    from zhengwu.core.org.model import system_principal
    from zhengwu.valuation.service.profiles import body_of, get_version

    db = database()
    try:
        with initialised(), db.reading() as session:
            row = get_version(session, system_principal(), code, version)
            text = json.dumps(body_of(row), ensure_ascii=False, indent=2)
            shown = f"{row.code} 第 {row.version} 版"
    except ZhengwuError as exc:
        fail(exc.message, exc.field)
        raise
    finally:
        db.dispose()
    if output is None:
        typer.echo(text)
        return
    try:
        output.write_text(text + "\n", encoding="utf-8")
    except OSError as exc:
        fail(f"无法写入文件 {output}：{exc.strerror or exc}。", "output")
    console.print(f"已导出评价方案 {shown} 到 {output}。")


@profile_app.command("import")
def profile_import(
    file: Path = typer.Argument(..., help="评价方案 JSON 文件（格式见 docs/valuation.md）"),
    note: str = typer.Option(..., "--note", help="修订说明：改了什么、为什么改（必填）"),
) -> None:
    """把 JSON 文件保存为评价方案的新版本：代码已存在时为其最新版本号 + 1，否则新建方案（第 1 版）。旧版本不变。"""
    from zhengwu.cli import CLI_ACTOR
    from zhengwu.core.errors import ZhengwuError
    from zhengwu.core.org.model import system_principal
    from zhengwu.valuation.service.profiles import save_version

    data = read_json_file(file)
    db = database()
    try:
        with initialised(), db.uow(CLI_ACTOR) as uow:
            row = save_version(uow, system_principal(), data, note=note)
            shown = f"{row.code} 第 {row.version} 版"
            uow.commit()
    except ZhengwuError as exc:
        fail(exc.message, exc.field)
        raise
    finally:
        db.dispose()
    console.print(f"已保存评价方案 {shown}。")


@deals_app.command("import")
def deals_import(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help="xlsx 或 csv（UTF-8 或 GB18030）文件"),
    unit: str = typer.Option(..., "--unit", help="登记单位编码，如 cs-ip"),
) -> None:
    """导入可比交易（列：patent_number 专利号、title 专利名称、patent_type 专利类型、industry_code 行业代码、ipc、
    deal_type 交易类型、deal_date 交易日期、price 成交价（元）、pvd 专利价值度、source 来源、note 备注）：先校验全部行，
    任何一行有错误则不导入，并逐行列出错误（行、列、原因）。"""
    from sqlalchemy import select

    from zhengwu.cli import CLI_ACTOR
    from zhengwu.core.errors import ZhengwuError
    from zhengwu.core.imports import ImportRejected
    from zhengwu.core.matters.imports.sheets import read_file
    from zhengwu.core.org.model import system_principal
    from zhengwu.core.org.tables import Unit
    from zhengwu.valuation.service.deal_imports import import_deals

    db = database()
    try:
        sheet = read_file(file.name, file.read_bytes())
        with initialised(), db.uow(CLI_ACTOR) as uow:
            unit_id = uow.session.scalar(select(Unit.id).where(Unit.code == unit.strip()))
            if unit_id is None:
                fail(f"单位编码“{unit}”不存在。", "unit")
            created = import_deals(uow, system_principal(), sheet, unit_id=unit_id)
            uow.commit()
    except ImportRejected as exc:
        err.print(f"[red]导入失败，未写入任何数据[/red]（{len(exc.errors)} 处错误）：")
        for e in exc.errors:
            err.print(f"  {e}", markup=False, highlight=False)
        raise typer.Exit(2) from None
    except ZhengwuError as exc:
        fail(exc.message, exc.field)
        raise
    finally:
        db.dispose()
    console.print(f"已导入 {len(created)} 条可比交易。")
