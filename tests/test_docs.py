"""The README documents every CLI command and every question type."""

from __future__ import annotations

import re
from pathlib import Path

from surveyapp.questionnaire.types import REGISTRY

README = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
FLASK_BUILTINS = {"routes", "run", "shell"}


def documented_commands() -> set[str]:
    return set(re.findall(r"^\| `([a-z-]+)[ `]", README, flags=re.MULTILINE))


def test_every_cli_command_is_documented(app):
    commands = set(app.cli.list_commands(None)) - FLASK_BUILTINS
    assert commands, "the app registers commands"
    missing = commands - documented_commands()
    assert not missing, f"README lacks commands: {sorted(missing)}"


def test_every_question_type_is_documented():
    missing = [name for name in REGISTRY if f"| `{name}` |" not in README]
    assert not missing, f"README lacks question types: {missing}"


def test_the_quick_start_is_two_commands_and_ci_runs_the_second():
    block = README.split("## Quick start", 1)[1].split("```sh", 1)[1].split("```", 1)[0]
    commands = [line.split("#")[0].strip() for line in block.strip().splitlines()]
    assert len(commands) == 2
    ci = (Path(__file__).parent.parent / ".ci" / "run").read_text(encoding="utf-8")
    assert f"exec {commands[1]}" in ci


def _absent(text: str, bases: list[Path]) -> list[str]:
    """Backticked file and folder names in `text` found below none of `bases`."""
    names = re.findall(r"`([a-z_/]+(?:\.py|/))`", text)
    return [n for n in names if not any((base / n).exists() for base in bases)]


def test_the_layout_and_architecture_name_only_files_that_exist():
    root = Path(__file__).parent.parent
    packages = [p for p in (root / "surveyapp").iterdir() if p.is_dir()]
    bases = [root, root / "surveyapp", *packages]
    layout = README.split("## Layout", 1)[1].split("\n## ", 1)[0]
    architecture = (root / "ARCHITECTURE.md").read_text(encoding="utf-8")
    assert _absent(layout + architecture, bases) == []
    assert _absent("`nowhere.py` `store/`", bases) == ["nowhere.py"]
