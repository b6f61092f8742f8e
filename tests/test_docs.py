"""The documentation describes what the code has: settings by value, every command, links.

The README is the front door (short, the two commands, links into ``docs/``); the manual is
``docs/*.md``. The ``curl`` examples are checked against the demo store in
``tests/test_doc_examples.py``.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from backend.cli import main
from backend.settings import SETTINGS, Setting

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
DOCS = ROOT / "docs"
PAGES = [README, *sorted(DOCS.glob("*.md"))]
MANUAL = "\n".join(page.read_text() for page in PAGES)
SETTINGS_PAGE = DOCS / "settings.md"
#: Pages of the manual that docs/index.md links before they are written.
PLANNED_PAGES = {
    "gadget.md",
    "bot.md",
    "statistics-page.md",
    "privacy.md",
    "raw-logs.md",
    "read-model.md",
    "api-compatibility.md",
    "performance-api.md",
    "ingest.md",
    "operations.md",
}

_LINK = re.compile(r"\]\(([^)\s]+)\)")
_ROW = re.compile(r"^\| `(WIKIVIEWS_[A-Z_]+)` \| (.*?) \| (.*) \|$", re.M)


def all_commands(group: click.Group, prefix: str = "wikiviews") -> list[str]:
    names = []
    for name, command in sorted(group.commands.items()):
        if isinstance(command, click.Group):
            names += all_commands(command, f"{prefix} {name}")
        else:
            names.append(f"{prefix} {name}")
    return names


def default_cell(setting: Setting) -> str:
    """The Default column of a setting's row: its default as the settings show it."""
    shown = getattr(setting, "shown_default", None)
    if shown is None:
        value = setting.default
        shown = "" if value is None else str(int(value) if isinstance(value, bool) else value)
    return f"`{shown}`" if shown else "(unset)"


def settings_row(setting: Setting) -> str:
    """A setting's row of the table in docs/settings.md."""
    help_text = " ".join(setting.help.split()).replace("|", "\\|")
    return f"| `WIKIVIEWS_{setting.name.upper()}` | {default_cell(setting)} | {help_text} |"


def settings_table() -> str:
    """The settings table of docs/settings.md, from backend.settings.SETTINGS.

    To write it after a change of the settings:
    ``.venv/bin/python -c 'from tests.test_docs import settings_table; print(settings_table())'``
    """
    header = "| Variable | Default | Meaning |\n|---|---|---|\n"
    return header + "\n".join(settings_row(setting) for setting in SETTINGS)


def test_the_readme_is_a_front_door() -> None:
    text = README.read_text()
    assert len(text.splitlines()) <= 200
    assert "./scripts/demo.sh" in text and "./scripts/test.sh" in text
    assert "](docs/dataflow.svg)" in text and (DOCS / "dataflow.svg").exists()
    assert "](docs/index.md)" in text


def test_the_settings_table_is_the_settings_by_value() -> None:
    """Every setting once, with the default and help that backend/settings.py gives it."""
    documented = {name: row for name, *row in _ROW.findall(SETTINGS_PAGE.read_text())}
    expected = {f"WIKIVIEWS_{s.name.upper()}": s for s in SETTINGS}
    assert set(documented) == set(expected)
    for name, setting in expected.items():
        default, meaning = documented[name]
        row = settings_row(setting)
        assert (default, meaning) == tuple(_ROW.match(row).groups()[1:]), (  # type: ignore[union-attr]
            f"docs/settings.md: the row of {name} should be\n{row}"
        )
    assert settings_table() in SETTINGS_PAGE.read_text()


def test_settings_rows_follow_a_changed_default() -> None:
    """The check above compares values: a changed default or help changes the row."""
    setting = SETTINGS[0]
    changed = Setting(setting.name, "elsewhere", setting.help + " More.")
    assert settings_row(changed) != settings_row(setting)
    assert "`elsewhere`" in settings_row(changed) and "More." in settings_row(changed)


def test_every_command_is_documented() -> None:
    for command in all_commands(main):
        assert f"`{command}" in MANUAL, command


@pytest.mark.parametrize("command", all_commands(main))
def test_every_command_has_help(command: str) -> None:
    result = CliRunner().invoke(main, [*command.split()[1:], "--help"])
    assert result.exit_code == 0
    assert "Usage:" in result.output


def test_version() -> None:
    result = CliRunner().invoke(main, ["--version"])
    assert result.exit_code == 0 and re.search(r"\d+\.\d+\.\d+", result.output)


def test_the_two_commands_exist_and_ci_runs_the_test_command() -> None:
    for script in ("demo.sh", "test.sh", "setup.sh"):
        assert (ROOT / "scripts" / script).stat().st_mode & 0o111
    assert "./scripts/test.sh" in (ROOT / ".ci" / "run").read_text()


def slug(heading: str) -> str:
    """The anchor GitHub gives a Markdown heading."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def anchors(page: Path) -> set[str]:
    text = re.sub(r"^```.*?^```", "", page.read_text(), flags=re.M | re.S)
    return {slug(line.lstrip("#")) for line in text.splitlines() if line.startswith("#")}


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.name)
def test_links_reach_their_pages_and_headings(page: Path) -> None:
    for target in _LINK.findall(page.read_text()):
        if target.startswith(("http://", "https://", "mailto:")):
            continue
        path_part, _, anchor = target.partition("#")
        linked = (page.parent / path_part).resolve() if path_part else page
        if not linked.exists() and linked.name in PLANNED_PAGES:
            continue
        assert linked.exists(), f"{page.name}: {target} leads nowhere"
        if anchor and linked.suffix == ".md":
            assert anchor in anchors(linked), f"{page.name}: no heading for {target}"


def test_the_index_links_every_page_of_the_manual() -> None:
    index = (DOCS / "index.md").read_text()
    linked = {target.partition("#")[0] for target in _LINK.findall(index)}
    for page in DOCS.glob("*.md"):
        assert page.name == "index.md" or page.name in linked, page.name


def test_the_license_is_the_one_pyproject_names() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["license"] == "MIT"
    assert (ROOT / "LICENSE").read_text().startswith("MIT License\n")
