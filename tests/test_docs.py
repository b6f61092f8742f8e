"""The README documents what the code has: every setting, every command, the two commands."""

from __future__ import annotations

import re
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from backend.cli import main
from backend.settings import SETTINGS

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()


def all_commands(group: click.Group, prefix: str = "wikiviews") -> list[str]:
    names = []
    for name, command in sorted(group.commands.items()):
        if isinstance(command, click.Group):
            names += all_commands(command, f"{prefix} {name}")
        else:
            names.append(f"{prefix} {name}")
    return names


def test_every_setting_is_in_the_readme_table():
    documented = set(re.findall(r"^\| `(WIKIVIEWS_[A-Z_]+)` \|", README, re.M))
    assert documented == {f"WIKIVIEWS_{s.name.upper()}" for s in SETTINGS}


def test_every_command_is_documented():
    for command in all_commands(main):
        assert f"`{command}" in README, command


@pytest.mark.parametrize("command", all_commands(main))
def test_every_command_has_help(command):
    result = CliRunner().invoke(main, [*command.split()[1:], "--help"])
    assert result.exit_code == 0
    assert "Usage:" in result.output


def test_version():
    result = CliRunner().invoke(main, ["--version"])
    assert result.exit_code == 0 and re.search(r"\d+\.\d+\.\d+", result.output)


def test_the_two_commands_exist_and_ci_runs_the_test_command():
    assert "./scripts/demo.sh" in README and "./scripts/test.sh" in README
    for script in ("demo.sh", "test.sh", "setup.sh"):
        assert (ROOT / "scripts" / script).stat().st_mode & 0o111
    assert "./scripts/test.sh" in (ROOT / ".ci" / "run").read_text()
