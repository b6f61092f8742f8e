"""docs/bot.md documents every command and every option the bot has."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli import main

DOC = (Path(__file__).resolve().parents[2] / "docs" / "bot.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", sorted(main.commands))
def test_every_command_and_option_is_documented(name: str) -> None:
    assert f"`wikiviews-bot {name}`" in DOC
    for param in main.commands[name].params:
        for option in param.opts:
            if option.startswith("--"):
                assert f"`{option}" in DOC, f"{name} {option}"
