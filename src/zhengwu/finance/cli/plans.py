"""``zhengwu finance plans list [--status draft|issued]`` and ``zhengwu finance plans export CODE|ID [--unit CODE]
[--out FILE]``: the stored securitization plans, and one of them as the contract's plan JSON (docs/finance.md), which
``zhengwu finance run`` takes as it is::

    zhengwu finance plans export XZYR-2023 --out plan.json && zhengwu finance run plan.json --paths 10000 --seed 1

The commands read the database of ``ZHENGWU_DATABASE_URL`` as the system (every plan of every unit). A plan not found,
a code shared by plans of several units (give ``--unit``) or a database without the schema exits with a Chinese
message (status 2, or 1 when the database is not ready)."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.console import Console

from zhengwu.cli_support import database, fail, initialised
from zhengwu.finance.cli.app import app

console = Console(soft_wrap=True)
plans_app = typer.Typer(
    help="证券化方案：列出方案，导出方案 JSON（可直接用于 zhengwu finance run）。", no_args_is_help=True
)
app.add_typer(plans_app, name="plans")


@plans_app.command("list")
def plans_list(
    status: str | None = typer.Option(None, "--status", help="只列出该状态的方案：draft 设计中、issued 已发行"),
) -> None:
    """列出全部证券化方案，每个一行：代码（ID）、名称、管理单位、成立日、入池贷款、资产池本金、证券分层、状态。"""
    from zhengwu.core.errors import ZhengwuError
    from zhengwu.core.org.model import system_principal
    from zhengwu.finance.model.plan import PlanStatus
    from zhengwu.finance.service.plan_contract import list_plans

    db = database()
    try:
        with initialised(), db.reading() as session:
            rows = list_plans(session, system_principal(), status=status, limit=100_000)
            lines = [
                f"{s.plan.code}（ID {s.plan.id}）{s.plan.name} · {s.unit} · 成立日 {s.plan.closing_date.isoformat()} · "
                f"入池贷款 {s.loans} 笔，资产池本金 {s.pool_principal:,.2f} 元 · 证券 {s.tranches} 档 · "
                f"{PlanStatus(s.plan.status).label}"
                for s in rows
            ]
    except ZhengwuError as exc:
        fail(exc.message, "选项 --status" if exc.field == "status" else "")
        raise
    finally:
        db.dispose()
    if not lines:
        console.print("没有证券化方案。")
        return
    console.print(f"证券化方案 {len(lines)} 个：", highlight=False)
    for line in lines:
        console.print(line, highlight=False, markup=False)


@plans_app.command("export")
def plans_export(
    plan: str = typer.Argument(..., metavar="CODE|ID", help="方案代码（或方案 ID）", show_default=False),
    unit: str | None = typer.Option(None, "--unit", help="管理单位编码：多个单位有同一方案代码时指定"),
    out: Path | None = typer.Option(None, "--out", "-o", help="写入的 JSON 文件；不填则输出到屏幕"),
) -> None:
    """导出方案的计算合同 JSON（docs/finance.md 的方案格式）：可直接作为 zhengwu finance run 的 PLAN.json。"""
    from zhengwu.core.errors import ZhengwuError
    from zhengwu.core.org.model import system_principal
    from zhengwu.finance.service.plan_contract import find_plan, plan_contract

    db = database()
    try:
        with initialised(), db.reading() as session:
            found = find_plan(session, system_principal(), plan.strip(), unit)
            text = json.dumps(plan_contract(session, found), ensure_ascii=False, indent=2)
            shown = f"{found.code}（ID {found.id}）"
    except ZhengwuError as exc:
        fail(exc.message, "方案" if exc.field in (None, "plan") else f"方案 {plan}，字段 {exc.field}")
        raise
    finally:
        db.dispose()
    if out is None:
        typer.echo(text)
        return
    try:
        out.write_text(text + "\n", encoding="utf-8")
    except OSError as exc:
        fail(f"无法写入文件 {out}：{exc.strerror or exc}。", "选项 --out")
    console.print(f"已导出方案 {shown} 到 {out}。")
