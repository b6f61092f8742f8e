"""The deployment examples in deploy/ call `wikiviews fetch` with options that exist."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import click
import pytest

from backend.fetch.cli import fetch

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
EXAMPLES = sorted(p for p in DEPLOY.rglob("*") if p.is_file())


def fetch_commands(path: Path) -> list[list[str]]:
    """The argument lists of every `…/wikiviews fetch …` command line in ``path``."""
    found = []
    for line in path.read_text().splitlines():
        if match := re.search(r"bin/wikiviews fetch (.*)$", line):
            found.append(shlex.split(match.group(1)))
    return found


def test_there_are_toolforge_and_systemd_examples():
    names = {p.name for p in EXAMPLES}
    assert {"jobs.yaml", "wikiviews-fetch.timer", "wikiviews-fetch.service"} <= names
    assert "wikiviews-fetch-follow.service" in names


def test_there_is_a_follower_and_a_catch_up_run_for_each_platform():
    commands = {p.name: fetch_commands(p) for p in EXAMPLES}
    assert [c for c in commands["wikiviews-fetch-follow.service"] if "--follow" in c]
    assert [c for c in commands["wikiviews-fetch.service"] if "--follow" not in c]
    assert len(commands["jobs.yaml"]) == 2  # the continuous job and the scheduled one


@pytest.mark.parametrize("path", [p for p in EXAMPLES if fetch_commands(p)], ids=lambda p: p.name)
def test_example_commands_parse(path: Path):
    for arguments in fetch_commands(path):
        context = fetch.make_context("fetch", list(arguments))
        assert context.params["days"] == 2, arguments
        assert context.params["projects"] == ("en.wikipedia",)


def test_unknown_options_are_caught_by_this_check():
    with pytest.raises(click.NoSuchOption):
        fetch.make_context("fetch", ["--days", "2", "--no-such-option"])
