"""``zhengwu requests …``: the requests system's commands (registered in ``zhengwu.cli``)."""

from __future__ import annotations

import json
from datetime import date
from enum import StrEnum
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

app = typer.Typer(help="群众诉求：统计、批量导入等。", no_args_is_help=True)
console = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)


class Format(StrEnum):
    TABLE = "table"
    JSON = "json"


def _fail(message: str, code: int = 2) -> None:
    err.print(f"[red]错误：[/red]{message}")
    raise typer.Exit(code)


def _date(text: str, name: str) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        _fail(f"{name}“{text}”不是有效日期，应为 YYYY-MM-DD。")
        raise


@app.command("figures")
def figures_command(
    year: int | None = typer.Option(None, help="年份；不给期间时为今年"),
    quarter: int | None = typer.Option(None, help="季度 1–4（与年份合用）"),
    month: int | None = typer.Option(None, help="月份 1–12（与年份合用）"),
    start: str = typer.Option("", "--from", help="收到日期起 YYYY-MM-DD（与年/季/月二选一）"),
    end: str = typer.Option("", "--to", help="收到日期止 YYYY-MM-DD（含）"),
    unit: str = typer.Option("", help="承办单位代码（含其下级单位），如 fh-gl"),
    fmt: Format = typer.Option(Format.TABLE, "--format", help="输出格式：table 或 json"),
) -> None:
    """诉求统计：响应率、解决率、满意率及分类统计、逾期件数（按收到日期统计全部单位的诉求）。"""
    from sqlalchemy import select

    from zhengwu.cli import _db
    from zhengwu.core.errors import ZhengwuError
    from zhengwu.core.matters.stats.model import percent
    from zhengwu.core.matters.stats.service import LOCAL_TZ
    from zhengwu.core.org.model import system_principal
    from zhengwu.core.org.tables import Unit
    from zhengwu.requests.api.figures import figures_out
    from zhengwu.requests.figures import period
    from zhengwu.requests.service.figures import request_figures

    db = _db()
    try:
        now = db.clock.now()
        asked = period(
            now.astimezone(LOCAL_TZ).date(),
            year=year,
            quarter=quarter,
            month=month,
            start=_date(start, "起始日期"),
            end=_date(end, "截止日期"),
        )
        with db.reading() as session:
            unit_id = None
            if unit:
                unit_id = session.scalar(select(Unit.id).where(Unit.code == unit.strip()))
                if unit_id is None:
                    _fail(f"单位代码“{unit}”不存在。")
            f = request_figures(session, system_principal(), asked, unit_id, now)
    except ZhengwuError as exc:
        _fail(exc.message)
        raise
    finally:
        db.dispose()
    if fmt is Format.JSON:
        print(json.dumps(figures_out(f).model_dump(mode="json"), ensure_ascii=False, indent=2))
        return
    t = f.totals
    console.print(f"诉求统计 · {f.period.label}" + (f" · {f.unit_name}（含下级）" if f.unit_name else ""))
    rates = Table("指标", "比率", "分子", "分母")
    rates.add_row("响应率", percent(t.response_rate), f"按时签收 {t.signed_on_time}", f"应签收 {t.due_for_signing}")
    rates.add_row("解决率", percent(t.resolution_rate), f"已解决 {t.solved}", f"已回访 {t.called_back}")
    rates.add_row("满意率", percent(t.satisfaction_rate), f"满意 {t.satisfied}", f"已回访 {t.called_back}")
    console.print(rates)
    console.print(f"受理 {t.received} 件，办结 {t.resolved} 件，当前逾期 {t.overdue} 件。")
    for title, rows in (("诉求类型", f.by_type), ("问题分类", f.by_category), ("承办单位", f.by_unit)):
        table = Table(title, "受理", "办结", "响应率", "解决率", "满意率", "当前逾期")
        for r in rows:
            c = r.counts
            table.add_row(
                ("  " if r.depth > 1 else "") + r.label,
                str(c.received),
                str(c.resolved),
                percent(c.response_rate),
                percent(c.resolution_rate),
                percent(c.satisfaction_rate),
                str(c.overdue),
            )
        console.print(table)


@app.command("import")
def import_command(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help="xlsx 或 csv（UTF-8 或 GB18030）文件"),
    unit: str = typer.Option(..., "--unit", help="受理单位代码，如 fh（导入的诉求由该单位受理）"),
) -> None:
    """批量导入群众诉求：先校验全部行，任何一行有错误则不导入，并逐行列出错误（行、列、原因）。"""
    from sqlalchemy import select

    from zhengwu.cli import CLI_ACTOR, _db
    from zhengwu.core.errors import ZhengwuError
    from zhengwu.core.imports import ImportRejected
    from zhengwu.core.matters.imports.sheets import read_file
    from zhengwu.core.org.model import system_principal
    from zhengwu.core.org.tables import Unit
    from zhengwu.requests.service.imports import import_requests

    db = _db()
    try:
        sheet = read_file(file.name, file.read_bytes())
        with db.uow(CLI_ACTOR) as uow:
            unit_id = uow.session.scalar(select(Unit.id).where(Unit.code == unit.strip()))
            if unit_id is None:
                _fail(f"单位代码“{unit}”不存在。")
            created = import_requests(uow, system_principal(), sheet, intake_unit_id=unit_id)
            uow.commit()
    except ImportRejected as exc:
        err.print(f"[red]导入失败，未写入任何数据[/red]（{len(exc.errors)} 处错误）：")
        for e in exc.errors:
            err.print(f"  {e}")
        raise typer.Exit(2) from None
    except ZhengwuError as exc:
        _fail(exc.message)
        raise
    finally:
        db.dispose()
    console.print(f"已导入 {len(created)} 件诉求。")
