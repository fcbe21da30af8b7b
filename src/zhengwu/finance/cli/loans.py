"""``zhengwu finance loans …``: ``list [--status S] [--xlsx OUT]`` prints the pledge loans (or writes the list's Excel
export, the same file as the page's) with the totals by status; ``import FILE --unit CODE`` records the applications
of an ``.xlsx`` or ``.csv`` file for the bank ``CODE`` (every row checked first; nothing written on any error, each
bad row, column and reason listed). The commands run as the operator of the box (every scope). Bad input exits with
status 2, a database without the schema with status 1."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.table import Table

from zhengwu.cli_support import database, fail, initialised
from zhengwu.finance.cli.app import app

console = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)
loans_app = typer.Typer(help="知识产权质押贷款：列表与导出、从文件导入贷款申请。", no_args_is_help=True)
app.add_typer(loans_app, name="loans")


def _write_xlsx(rows: list[list[Any]], out: Path) -> None:
    from openpyxl import Workbook

    from zhengwu.web.listing import excel_cell

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("质押贷款")
    for cells in rows:
        ws.append([excel_cell(ws, c) for c in cells])
    try:
        wb.save(out)
    except OSError as exc:
        fail(f"无法写入文件 {out}：{exc.strerror or exc}。", "xlsx")


@loans_app.command("list")
def loans_list(
    status: str | None = typer.Option(
        None, "--status", help="只列出该状态：applied、approved、declined、disbursed、repaid、defaulted、disposed"
    ),
    xlsx: Path | None = typer.Option(None, "--xlsx", help="写入 Excel 文件（与页面导出的格式相同，可再导入）"),
) -> None:
    """列出质押贷款（按申请日期从新到旧）与按状态的合计；给出 --xlsx 时写入 Excel 文件。"""
    from zhengwu.core.errors import ZhengwuError
    from zhengwu.core.org.model import system_principal
    from zhengwu.finance.model.loans import LoanStatus
    from zhengwu.finance.service import loans as service
    from zhengwu.finance.service.loan_imports import export_records, export_rows

    db = database()
    who = system_principal()
    try:
        with initialised(), db.reading() as session:
            rows = service.list_loans(session, who, status=status, limit=service.MAX_LIMIT)
            totals = service.loan_totals(session, who, status=status)
            exported = list(export_rows(export_records(session, [loan.id for loan, _ in rows]))) if xlsx else []
    except ZhengwuError as exc:
        fail(exc.message, "选项 --status" if exc.field == "status" else exc.field or "")
        raise
    finally:
        db.dispose()
    if xlsx is not None:
        _write_xlsx(exported, xlsx)
        console.print(f"已导出 {len(rows)} 笔质押贷款到 {xlsx}。")
        return
    t = Table(title="质押贷款")
    for header in (
        "贷款编号",
        "借款企业",
        "本金（元）",
        "年利率",
        "期限（月）",
        "状态",
        "申请日期",
        "放款日期",
        "到期日",
    ):
        t.add_column(header)
    for loan, b in rows:
        t.add_row(
            loan.code, b.name, f"{loan.principal:,.2f}", f"{loan.annual_rate * 100:.4g}%", str(loan.term_months),
            LoanStatus(loan.status).label, str(loan.applied_on), str(loan.disbursed_on or ""),
            str(loan.maturity_date or ""),
        )  # fmt: skip
    console.print(t)
    shown = "，".join(f"{s.label} {n} 笔 {total:,.2f} 元" for s, n, total in totals if n)
    console.print(
        f"合计：{shown or '无'}。" + (f"（只列出前 {service.MAX_LIMIT} 笔）" if len(rows) >= service.MAX_LIMIT else "")
    )


@loans_app.command("import")
def loans_import(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help="xlsx 或 csv（UTF-8 或 GB18030）文件"),
    unit: str = typer.Option(..., "--unit", help="贷款所属银行的单位编码，如 cs-bank"),
) -> None:
    """导入贷款申请，列：code 贷款编号、borrower 借款企业（统一社会信用代码）、principal 本金（元）、
    annual_rate 年利率（%）、term_months 期限（月）、payments_per_year 每年还款次数、amortization 还款方式、
    pd_annual 年违约概率（%）、guarantor 担保机构、guarantee_coverage 担保比例（%）、
    risk_pool_rule 风险补偿规则代码、applied_on 申请日期、note 备注。
    先校验全部行，任何一行有错误则不导入，并逐行列出错误（行、列、原因）。"""
    from sqlalchemy import select

    from zhengwu.cli import CLI_ACTOR
    from zhengwu.core.errors import ZhengwuError
    from zhengwu.core.imports import ImportRejected
    from zhengwu.core.matters.imports.sheets import read_file
    from zhengwu.core.org.model import system_principal
    from zhengwu.core.org.tables import Unit
    from zhengwu.finance.service.loan_imports import import_loans

    db = database()
    try:
        sheet = read_file(file.name, file.read_bytes())
        with initialised(), db.uow(CLI_ACTOR) as uow:
            unit_id = uow.session.scalar(select(Unit.id).where(Unit.code == unit.strip()))
            if unit_id is None:
                fail(f"单位编码“{unit}”不存在。", "选项 --unit")
            created = import_loans(uow, system_principal(), sheet, unit_id=unit_id)
            uow.commit()
    except ImportRejected as exc:
        err.print(f"[red]导入失败，未写入任何数据[/red]（{len(exc.errors)} 处错误）：")
        for e in exc.errors:
            err.print(f"  {e}", markup=False, highlight=False)
        raise typer.Exit(2) from None
    except ZhengwuError as exc:
        fail(exc.message, exc.field or "")
        raise
    finally:
        db.dispose()
    console.print(f"已导入 {len(created)} 笔贷款申请（状态：已申请）。")
