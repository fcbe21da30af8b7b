"""Dependencies point inwards (CONVENTIONS.md): pure models, services without the web, a core without systems."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src" / "zhengwu"
SYSTEMS = ("requests", "inspection", "ipcenter", "patents", "valuation", "finance", "reports")
WEB = ("fastapi", "starlette", "jinja2", "uvicorn", "zhengwu.web", "zhengwu.cli")
IO = ("sqlalchemy", "alembic", "psycopg", "openpyxl", *WEB)
# A room that outgrew its file becomes a package of the same name (CONVENTIONS.md): its modules keep its rules.
MODEL_FILES, MODEL_PACKAGES = {"model.py"}, {"model"}
SERVICE_FILES, SERVICE_PACKAGES = {"service.py", "tables.py"}, {"service", "tables"}
EDGE_FILES, EDGE_PACKAGES = {"views.py", "api.py", "lists.py", "cli.py"}, {"views", "api", "lists", "cli"}


def _imports(path: Path) -> Iterator[str]:
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module


def _offending(path: Path, banned: tuple[str, ...]) -> list[str]:
    return [m for m in _imports(path) if any(m == b or m.startswith(b + ".") for b in banned)]


def _py(where: Path) -> list[Path]:
    return sorted(p for p in where.rglob("*.py") if "migrations" not in p.parts)


def _is(rel: Path, files: set[str], packages: set[str]) -> bool:
    """Whether ``rel`` is one of ``files`` or a module of a package (at any depth) named one of ``packages``."""
    return rel.name in files or bool(packages & set(rel.parts[:-1]))


@pytest.mark.parametrize("path", _py(SRC), ids=lambda p: str(p.relative_to(SRC)))
def test_module_respects_the_layering(path: Path) -> None:
    rel = path.relative_to(SRC)
    if _is(rel, MODEL_FILES, MODEL_PACKAGES):
        assert not _offending(path, IO), f"{rel}: a domain model must be pure (no database, web or I/O)"
    if _is(rel, SERVICE_FILES, SERVICE_PACKAGES):
        assert not _offending(path, WEB), f"{rel}: services and tables must not depend on the web layer"
    if rel.parts[0] == "core":
        systems = tuple(f"zhengwu.{s}" for s in SYSTEMS)
        assert not _offending(path, systems), f"{rel}: core must not use a system package"
        if not _is(rel, EDGE_FILES, EDGE_PACKAGES):
            assert not _offending(path, WEB), f"{rel}: only views, api and list definitions may touch the web"


def test_a_room_split_into_a_package_keeps_the_rules_of_its_file() -> None:
    assert _is(Path("core/org/views/units.py"), EDGE_FILES, EDGE_PACKAGES)
    assert _is(Path("core/org/api/__init__.py"), EDGE_FILES, EDGE_PACKAGES)
    assert _is(Path("core/org/service/roles.py"), SERVICE_FILES, SERVICE_PACKAGES)
    assert _is(Path("core/org/tables.py"), SERVICE_FILES, SERVICE_PACKAGES)
    assert not _is(Path("core/org/access.py"), EDGE_FILES, EDGE_PACKAGES)
    assert not _is(Path("core/org/service/roles.py"), EDGE_FILES, EDGE_PACKAGES)


def test_no_module_grows_past_the_agreed_size_without_a_reason() -> None:
    # CONVENTIONS.md: a package grows a sub-package when a file passes ~400 lines; 450 leaves room for docs.
    big = [str(p.relative_to(SRC)) for p in _py(SRC) if len(p.read_text(encoding="utf-8").splitlines()) > 450]
    assert not big, f"split these modules: {big}"


def _registers_a_kind(path: Path) -> bool:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return any(
        isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", "")) == "register_kind"
        for node in ast.walk(tree)
    )


def test_every_module_that_registers_a_matter_kind_is_loaded_at_start_up() -> None:
    from zhengwu.kinds import KIND_MODULES

    registering = {
        "zhengwu." + ".".join(p.relative_to(SRC).with_suffix("").parts)
        for p in _py(SRC)
        if p.name != "registry.py" and _registers_a_kind(p)
    }
    missing = registering - set(KIND_MODULES)
    assert not missing, f"add to zhengwu.kinds.KIND_MODULES: {sorted(missing)}"
    assert _registers_a_kind(Path(__file__).resolve().parents[1] / "support" / "three_step.py")  # the check sees one
