"""``zhengwu inspection figures``: the inspection figures as a Chinese table or JSON, as the system principal
(definitions: ``zhengwu.inspection.service.figures``)."""

from __future__ import annotations

import json

import typer
from rich.console import Console
from rich.table import Table

from zhengwu.inspection.cli.app import app
from zhengwu.inspection.service.figures import GroupBy

console = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)


def _fail(message: str, code: int = 2) -> None:
    err.print(f"[red]错误：[/red]{message}")
    raise typer.Exit(code)


@app.command("figures")
def figures_command(
    year: int | None = typer.Option(None, help="年度；不给时为全部年度"),
    round_number: int | None = typer.Option(None, "--round", help="轮次序号（第 N 轮；多个年度都有时须同时给 --year）"),
    by: GroupBy = typer.Option(GroupBy.DISTRICT, "--by", help="分组：district 区县（单位）、round 轮次、year 年度"),
    unit: str = typer.Option("", "--unit", help="巡察主体单位代码，如 cs；默认最高一级的巡察主体"),
    as_json: bool = typer.Option(False, "--json", help="输出 JSON（金额为元，字符串）"),
) -> None:
    """巡察统计：被巡察党组织、发现问题、问题线索（只计条数）、立行立改、整改完成率、逾期事项、信访、抽调干部、问责与资金。"""
    from sqlalchemy import select

    from zhengwu.cli import _db
    from zhengwu.core.errors import ZhengwuError
    from zhengwu.core.org.model import system_principal
    from zhengwu.core.org.tables import Unit
    from zhengwu.inspection.service.figures import as_dict, cells, committee_choices, headers, inspection_figures
    from zhengwu.inspection.tables import InspectionRound

    db = _db()
    system = system_principal()
    try:
        with db.reading() as session:
            committee_id: int | None = None
            if unit:
                committee_id = session.scalar(select(Unit.id).where(Unit.code == unit.strip()))
                if committee_id is None:
                    _fail(f"单位代码“{unit}”不存在。")
            round_id = None
            if round_number is not None:
                if committee_id is None:
                    choices = committee_choices(session, system)
                    committee_id = choices[0].id if choices else None
                found = select(InspectionRound.id).where(
                    InspectionRound.committee_unit_id == committee_id, InspectionRound.number == round_number
                )
                if year is not None:
                    found = found.where(InspectionRound.year == year)
                ids = list(session.scalars(found))
                if not ids:
                    _fail(f"没有第 {round_number} 轮巡察" + (f"（{year}年）" if year else "") + "。")
                if len(ids) > 1:
                    _fail(f"多个年度都有第 {round_number} 轮巡察，请用 --year 指定年度。")
                round_id = ids[0]
            f = inspection_figures(
                session,
                system,
                committee_unit_id=committee_id,
                year=year,
                round_id=round_id,
                group_by=by,
                now=db.clock.now(),
            )
    except ZhengwuError as exc:
        _fail(exc.message)
        raise
    finally:
        db.dispose()
    if as_json:
        print(json.dumps(as_dict(f), ensure_ascii=False, indent=2))
        return
    if f.committee_unit_id is None:
        console.print("没有巡察轮次。")
        return
    console.print(f"巡察统计 · {f.committee_name} · {f.period_label} · {f.group_by.label}")
    table = Table(*headers(f))
    for r in f.rows:
        table.add_row(r.label, *(str(c) for c in cells(f, r.measures)))
    table.add_section()
    table.add_row("合计", *(str(c) for c in cells(f, f.totals)))
    wide = console if console.is_terminal else Console(soft_wrap=True, width=400)  # a pipe or file: whole lines
    wide.print(table)
    console.print("金额单位：万元；被巡察党组织与抽调干部为去重计数，合计不一定等于各行之和；问题线索只计条数。")
