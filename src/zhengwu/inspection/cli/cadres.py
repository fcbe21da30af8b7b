"""``zhengwu inspection cadres import FILE``: add the talent pool's cadres from an ``.xlsx`` or ``.csv`` file
(columns 姓名, 单位编码, 职务, 专长), validating every row first and writing nothing if any row is bad."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console

from zhengwu.inspection.cli.app import app

console = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)
cadres_app = typer.Typer(help="巡察人才库。", no_args_is_help=True)
app.add_typer(cadres_app, name="cadres")


@cadres_app.command("import")
def import_command(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help="xlsx 或 csv（UTF-8 或 GB18030）文件"),
) -> None:
    """批量导入巡察人才库干部（列：姓名、单位编码、职务、专长，专长以逗号分隔）：先校验全部行，任何一行有错误则
    不导入，并逐行列出错误（行、列、原因）。"""
    from zhengwu.cli import CLI_ACTOR, _db
    from zhengwu.core.errors import ZhengwuError
    from zhengwu.core.imports import ImportRejected
    from zhengwu.core.matters.imports.sheets import read_file
    from zhengwu.core.org.model import system_principal
    from zhengwu.inspection.service.cadre_imports import import_cadres

    db = _db()
    try:
        sheet = read_file(file.name, file.read_bytes())
        with db.uow(CLI_ACTOR) as uow:
            created = import_cadres(uow, system_principal(), sheet)
            uow.commit()
    except ImportRejected as exc:
        err.print(f"[red]导入失败，未写入任何数据[/red]（{len(exc.errors)} 处错误）：")
        for e in exc.errors:
            err.print(f"  {e}")
        raise typer.Exit(2) from None
    except ZhengwuError as exc:
        err.print(f"[red]错误：[/red]{exc.message}")
        raise typer.Exit(2) from None
    finally:
        db.dispose()
    console.print(f"已导入 {len(created)} 名干部。")
