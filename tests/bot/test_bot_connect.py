"""The bot password's secret: from the environment or a file, never written by the bot."""

from __future__ import annotations

import os

import pytest

from bot.connect import ConnectError, Connection, prepare, read_secret

SECRET = "0123456789abcdefghijklmnopqrstuv"


def test_secret_from_the_variable_or_the_file(tmp_path) -> None:
    assert read_secret({"WIKIVIEWS_BOT_PASSWORD": SECRET + "\n"}) == SECRET
    path = tmp_path / "secret"
    path.write_text(SECRET + "\n")
    assert read_secret({"WIKIVIEWS_BOT_PASSWORD_FILE": str(path)}) == SECRET
    assert read_secret({}) is None
    with pytest.raises(ConnectError, match="cannot read WIKIVIEWS_BOT_PASSWORD_FILE"):
        read_secret({"WIKIVIEWS_BOT_PASSWORD_FILE": str(tmp_path / "missing")})


def test_site_config_holds_no_secret(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("WIKIVIEWS_BOT_PASSWORD", SECRET)
    prepare(Connection("http://127.0.0.1:9/w/api.php", "Bot@app", tmp_path))
    directory = os.environ["PYWIKIBOT_DIR"]
    assert directory.startswith(str(tmp_path / "bot" / "pywikibot"))
    config = (tmp_path / directory / "user-config.py").read_text()
    assert "family_files['wiki'] = 'http://127.0.0.1:9/w/api.php'" in config
    assert "usernames['wiki']['wiki'] = 'Bot'" in config
    assert "password_file = None" in config
    for path in tmp_path.rglob("*"):
        if path.is_file():
            assert SECRET not in path.read_text(errors="replace")


def test_site_needs_a_bot_password_name(tmp_path) -> None:
    with pytest.raises(ConnectError, match="NAME@APPID"):
        prepare(Connection("http://127.0.0.1:9/w/api.php", "Bot", tmp_path))
