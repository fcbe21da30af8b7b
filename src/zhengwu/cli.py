"""The ``zhengwu`` command line."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import typer
from rich.console import Console

from zhengwu.core.calendar.model import WorkingCalendar
from zhengwu.core.db import Actor, Database
from zhengwu.core.settings import Settings

app = typer.Typer(help="政务平台命令行：数据库、用户与单位、工作日历、审计、演示数据与服务。", no_args_is_help=True)
db_app = typer.Typer(help="数据库迁移与检查。", no_args_is_help=True)
user_app = typer.Typer(help="用户管理。", no_args_is_help=True)
unit_app = typer.Typer(help="单位管理。", no_args_is_help=True)
calendar_app = typer.Typer(help="工作日历：期限计算与节假日导入。", no_args_is_help=True)
audit_app = typer.Typer(help="审计日志。", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(user_app, name="user")
app.add_typer(unit_app, name="unit")
app.add_typer(calendar_app, name="calendar")
app.add_typer(audit_app, name="audit")

console = Console()
err = Console(stderr=True)
CLI_ACTOR = Actor(None, "命令行")


def _db() -> Database:
    settings = Settings()
    path = settings.sqlite_path()
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
    return Database(settings.database_url)


def _fail(message: str, code: int = 1) -> None:
    err.print(f"[red]错误：[/red]{message}")
    raise typer.Exit(code)


def _date(text: str, name: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        _fail(f"{name}“{text}”不是有效日期，应为 YYYY-MM-DD。", 2)
        raise


# ---------------------------------------------------------------- db


@db_app.command("upgrade")
def db_upgrade(revision: str = typer.Argument("head", help="目标版本")) -> None:
    """把数据库迁移到最新（或指定）版本。"""
    from zhengwu.core.migrate import upgrade

    db = _db()
    upgrade(db.engine, revision)
    console.print(f"数据库已迁移到 {revision}。")


@db_app.command("check")
def db_check(
    url: str = typer.Option("", help="要检查的数据库；默认新建一个临时 SQLite 库并迁移到最新"),
) -> None:
    """检查迁移脚本与数据模型是否一致（不一致时非零退出）。"""
    import tempfile

    from zhengwu.core.db import make_engine
    from zhengwu.core.migrate import drift, upgrade

    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(url or f"sqlite:///{tmp}/check.db")
        if not url:
            upgrade(engine)
        diffs = drift(engine)
        engine.dispose()
    if diffs:
        for d in diffs:
            err.print(f"  {d}")
        _fail("数据模型与迁移脚本不一致，请生成新的迁移。")
    console.print("迁移脚本与数据模型一致。")


# ---------------------------------------------------------------- users and units


@user_app.command("create")
def user_create(
    username: str = typer.Argument(..., help="用户名"),
    full_name: str = typer.Option(..., "--name", help="姓名"),
    unit: str = typer.Option(..., "--unit", help="所属单位编码"),
    role: list[str] = typer.Option([], "--role", help="角色编码，可重复"),
    password: str = typer.Option(..., prompt="密码", hide_input=True, confirmation_prompt=True, help="初始密码"),
) -> None:
    """创建用户。"""
    from sqlalchemy import select

    from zhengwu.core.errors import ZhengwuError
    from zhengwu.core.org.model import system_principal
    from zhengwu.core.org.service import create_user
    from zhengwu.core.org.tables import Role, Unit

    db = _db()
    try:
        with db.uow(CLI_ACTOR) as uow:
            unit_id = uow.session.scalar(select(Unit.id).where(Unit.code == unit))
            if unit_id is None:
                _fail(f"单位编码“{unit}”不存在。", 2)
            roles = dict(uow.session.execute(select(Role.code, Role.id).where(Role.code.in_(role))).all())
            missing = sorted(set(role) - roles.keys())
            if missing:
                _fail(f"角色编码不存在：{'、'.join(missing)}。", 2)
            user = create_user(
                uow,
                system_principal(),
                username=username,
                full_name=full_name,
                unit_id=unit_id or 0,
                password=password,
                role_ids=list(roles.values()),
            )
            uow.commit()
    except ZhengwuError as exc:
        _fail(exc.message, 2)
    console.print(f"已创建用户 {user.username}（{user.full_name}）。")


@unit_app.command("import")
def unit_import(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help="CSV：code,name,kind,parent_code"),
) -> None:
    """从 CSV 批量导入单位（先全部校验，有错误则不写入）。"""
    from zhengwu.core.errors import ZhengwuError
    from zhengwu.core.imports import ImportRejected, decode_upload
    from zhengwu.core.org.model import system_principal
    from zhengwu.core.org.service import import_units

    db = _db()
    try:
        text = decode_upload(file.read_bytes(), "file")
        with db.uow(CLI_ACTOR) as uow:
            created = import_units(uow, system_principal(), text)
            uow.commit()
    except ImportRejected as exc:
        err.print("[red]导入失败，未写入任何数据：[/red]")
        for e in exc.errors:
            err.print(f"  {e}")
        raise typer.Exit(2) from None
    except ZhengwuError as exc:
        _fail(exc.message, 2)
    console.print(f"已导入 {len(created)} 个单位。")


# ---------------------------------------------------------------- calendar


def _calendar(db: Database) -> WorkingCalendar:
    from zhengwu.core.calendar.service import load_calendar

    try:
        with db.reading() as session:
            return load_calendar(session)
    finally:
        db.dispose()


@calendar_app.command("add")
def calendar_add(
    start: str = typer.Argument(..., help="起始日 YYYY-MM-DD（不计入）"), n: int = typer.Argument(..., min=0)
) -> None:
    """起始日之后第 N 个工作日。"""
    from zhengwu.core.calendar.model import CalendarYearUnknown

    try:
        print(_calendar(_db()).add_working_days(_date(start, "起始日"), n).isoformat())
    except CalendarYearUnknown as exc:
        _fail(str(exc))


@calendar_app.command("between")
def calendar_between(
    a: str = typer.Argument(..., help="起始日（不计入）"), b: str = typer.Argument(..., help="截止日（计入）")
) -> None:
    """两日之间（不含起始日、含截止日）的工作日数。"""
    from zhengwu.core.calendar.model import CalendarYearUnknown

    try:
        print(_calendar(_db()).working_days_between(_date(a, "起始日"), _date(b, "截止日")))
    except CalendarYearUnknown as exc:
        _fail(str(exc))


@calendar_app.command("import-holidays")
def calendar_import(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help="CSV：date,kind,name"),
) -> None:
    """导入国务院公布的节假日安排（kind 为 holiday 或 workday）。"""
    from zhengwu.core.calendar.service import import_holidays, parse_holiday_csv
    from zhengwu.core.errors import ZhengwuError
    from zhengwu.core.imports import ImportRejected, decode_upload

    db = _db()
    try:
        rows = parse_holiday_csv(decode_upload(file.read_bytes(), "file"))
        with db.uow(CLI_ACTOR) as uow:
            result = import_holidays(uow, rows, f"命令行导入：{file.name}")
            uow.commit()
    except ImportRejected as exc:
        err.print("[red]导入失败，未写入任何数据：[/red]")
        for e in exc.errors:
            err.print(f"  {e}")
        raise typer.Exit(2) from None
    except ZhengwuError as exc:
        _fail(exc.message, 2)
    removed = f"，删除了新文件中不再列出的 {result.removed} 天" if result.removed else ""
    console.print(f"已导入 {result.days} 天{removed}；{'、'.join(map(str, result.years))} 年的节假日安排已生效。")


# ---------------------------------------------------------------- audit


@audit_app.command("verify")
def audit_verify() -> None:
    """校验审计日志哈希链；发现篡改、删除或调换顺序时非零退出并指出第一条出问题的记录。"""
    from zhengwu.core.audit.service import verify

    db = _db()
    with db.reading() as session:
        result = verify(session)
    if result.broken is not None:
        _fail(f"审计日志校验失败：{result.broken.reason}（记录序号 {result.broken.entry_id}）。")
    console.print(f"审计日志完整：共 {result.checked} 条记录。")


# ---------------------------------------------------------------- demo and serve


@app.command("demo")
def demo() -> None:
    """新建演示数据库（设置中的数据库会被清空重建），写入示例单位与各角色用户，打印登录信息。"""
    from zhengwu.demo import build_demo

    settings = Settings()
    logins = build_demo(settings)
    console.print(f"演示数据库已建立：{settings.database_url}")
    console.print(f"所有演示用户的密码：[bold]{settings.demo_password}[/bold]")
    for username, name, unit, role in logins:
        console.print(f"  {username:<14} {name}（{unit}，{role}）")


@app.command("serve")
def serve(host: str = typer.Option("127.0.0.1", help="监听地址"), port: int = typer.Option(8000, help="端口")) -> None:
    """在设置指定的数据库上启动平台。"""
    import uvicorn

    from zhengwu.web.app import create_app

    settings = Settings()
    console.print(f"政务平台：http://{host}:{port}/  （数据库 {settings.database_url}）")
    uvicorn.run(create_app(settings), host=host, port=port, log_level="info")


def _metavar(param: object) -> str:
    return str(getattr(param, "metavar", None) or str(getattr(param, "name", "")).upper())


def render_reference() -> str:
    """The command reference in Markdown, generated from the commands themselves (docs/cli.md; checked by a test)."""
    from typing import Any

    root = typer.main.get_command(app)
    lines = [
        "# 命令行参考 / CLI reference",
        "",
        "Generated from the code by `make docs`; a test fails when it is stale.",
        "",
    ]

    def walk(cmd: Any, path: list[str]) -> None:
        if hasattr(cmd, "commands"):
            for name in sorted(cmd.commands):
                walk(cmd.commands[name], [*path, name])
            return
        usage = " ".join(["zhengwu", *path, *(_metavar(p) for p in cmd.params if p.param_type_name == "argument")])
        lines.extend([f"## `{usage}`", "", (cmd.help or "").strip(), ""])
        for p in cmd.params:
            if p.param_type_name == "argument":
                lines.append(f"- `{_metavar(p)}`: {getattr(p, 'help', '') or ''}")
            elif p.param_type_name == "option" and p.name != "help":
                default = "" if p.required or p.default in (None, "", []) or p.hide_input else f"（默认 `{p.default}`）"
                lines.append(f"- `{' / '.join(p.opts)}`: {p.help or ''}{default}")
        lines.append("")

    walk(root, [])
    return "\n".join(lines).rstrip() + "\n"


def main() -> None:
    app()


if __name__ == "__main__":
    main()
