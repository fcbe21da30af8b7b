"""What the command groups share: printing an error that says where it is, then exiting; reading a JSON input file
(UTF-8, with or without BOM) or exiting with status 2 naming the file; the configured database, and naming a database
without the schema (exit 1) instead of a traceback."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import typer
from rich.console import Console
from sqlalchemy.exc import OperationalError, ProgrammingError

if TYPE_CHECKING:
    from zhengwu.core.db import Database

err = Console(stderr=True, soft_wrap=True)


def fail(message: str, where: str = "", code: int = 2) -> NoReturn:
    """Print “错误（where）：message” on stderr and exit with ``code`` (2: bad input, 1: the system is not ready)."""
    err.print(f"[red]错误{f'（{where}）' if where else ''}：[/red]{message}", markup=True, highlight=False)
    raise typer.Exit(code)


def read_json_file(path: Path, what: str = "") -> Any:
    """The file's JSON; a file that cannot be read, is not UTF-8 or is not JSON exits 2 naming the file (``what``
    says which file it is, e.g. 方案, in the message)."""
    where = f"{what}文件" if what else "输入文件"
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        fail(f"无法读取{what}文件 {path}：{exc.strerror or exc}。", where)
    except UnicodeDecodeError:
        fail(f"{what}文件 {path} 不是 UTF-8 编码的文本。", where)
    try:
        return json.loads(text)
    except (json.JSONDecodeError, RecursionError) as exc:
        at = f"：第 {exc.lineno} 行第 {exc.colno} 列" if isinstance(exc, json.JSONDecodeError) else ""
        fail(f"{what}文件 {path} 不是有效的 JSON{at}。", where)


def database() -> Database:
    """The database of the settings (``ZHENGWU_DATABASE_URL``), as the main command line opens it."""
    from zhengwu.cli import _db

    return _db()


@contextmanager
def initialised() -> Iterator[None]:
    """A database without the schema is named (exit 1), not a traceback."""
    try:
        yield
    except (OperationalError, ProgrammingError):
        fail("数据库尚未初始化：请先运行 zhengwu db upgrade（或 zhengwu demo）。", code=1)
