"""Every setting is documented in docs/settings.md, and the documented defaults are the real ones."""

from __future__ import annotations

import re
from pathlib import Path

from zhengwu.core.settings import Settings

DOC = Path(__file__).resolve().parents[2] / "docs" / "settings.md"


def _documented() -> dict[str, str]:
    rows = re.findall(r"^\| `ZHENGWU_([A-Z_]+)` \| `([^`]*)` \|", DOC.read_text(encoding="utf-8"), re.M)
    return {name.lower(): default for name, default in rows}


def test_every_setting_is_documented() -> None:
    missing = sorted(set(Settings.model_fields) - set(_documented()))
    assert not missing, f"docs/settings.md lacks: {missing}"


def test_the_docs_name_no_setting_that_does_not_exist() -> None:
    assert not sorted(set(_documented()) - set(Settings.model_fields))


def test_documented_defaults_match_the_code() -> None:
    documented = _documented()
    for name, field in Settings.model_fields.items():
        default = field.default
        shown = str(default).lower() if isinstance(default, bool) else str(default)
        assert documented[name] == shown, name


def test_every_setting_has_a_description_in_the_code() -> None:
    assert all(f.description for f in Settings.model_fields.values())
