"""docs/cli.md is generated from the commands; it must not go stale (run `make docs` after changing the CLI)."""

from __future__ import annotations

from pathlib import Path

from zhengwu.cli import render_reference

DOC = Path(__file__).resolve().parents[2] / "docs" / "cli.md"


def test_the_cli_reference_in_docs_matches_the_commands() -> None:
    assert DOC.read_text(encoding="utf-8") == render_reference(), "docs/cli.md is stale: run `make docs`"


def test_every_command_has_a_chinese_help_text() -> None:
    text = render_reference()
    sections = text.split("\n## ")[1:]
    assert sections
    for section in sections:
        title, _, body = section.partition("\n")
        assert body.strip(), f"{title} has no help text"
