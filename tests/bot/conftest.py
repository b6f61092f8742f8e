"""Fixtures of the bot's unit tests."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _own_pywikibot_dir(monkeypatch):
    """The bot sets PYWIKIBOT_DIR for --site; each test gets the variable back as it was."""
    monkeypatch.delenv("PYWIKIBOT_DIR", raising=False)
