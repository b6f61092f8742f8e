"""The command line: help, version, argument checks, secrets kept out of sight."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from bot.cli import main

SITE = ["--site", "http://127.0.0.1:9/api.php", "--user", "Bot@app"]
COMMANDS = ["top-report", "popular-pages", "deliver", "readership"]


def test_version() -> None:
    result = CliRunner().invoke(main, ["--version"])
    assert result.exit_code == 0 and result.output.startswith("wikiviews-bot, version ")


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help_and_simulate(command: str) -> None:
    result = CliRunner().invoke(main, [command, "--help"])
    assert result.exit_code == 0
    for option in ("--simulate", "--site", "--user", "--source", "--project"):
        assert option in result.output
    assert "--password" not in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["top-report", "--project", "x", "--date", "2024-13-01"], "is not a date"),
        (["top-report", "--project", "x", "--period", "year"], "'year' is not one of"),
        (["top-report", "--project", "x", "--limit", "1001"], "1<=x<=1000"),
        (["popular-pages", "--project", "x", "--month", "May"], "is not a month"),
        (["deliver", "--report", "R"], "Missing option '--list'"),
    ],
)
def test_bad_arguments(args: list[str], message: str) -> None:
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2
    assert message in result.output


def test_site_without_user_is_refused(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("WIKIVIEWS_BOT_PASSWORD", "s3cret-never-shown-0123456789abcd")
    monkeypatch.setattr("bot.jobs.open_source", lambda spec: _StubSource())
    result = CliRunner().invoke(
        main,
        [
            "top-report",
            "--site",
            "http://127.0.0.1:9/api.php",
            "--project",
            "x",
            "--data-dir",
            str(tmp_path),
        ],
    )
    assert result.exit_code == 1
    assert "--user NAME@APPID" in result.output
    assert "s3cret" not in result.output


def test_project_is_needed_for_reports(tmp_path) -> None:
    result = CliRunner().invoke(
        main,
        [
            "top-report",
            "--data-dir",
            str(tmp_path),
            "--site",
            "http://127.0.0.1:9/api.php",
            "--user",
            "Bot@app",
        ],
    )
    assert result.exit_code == 1 and "--project is required" in result.output


def test_a_wiki_is_needed(tmp_path, monkeypatch) -> None:
    monkeypatch.delenv("PYWIKIBOT_DIR", raising=False)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["top-report", "--project", "x", "--data-dir", str(tmp_path)])
    assert result.exit_code == 1 and "give --site URL_OF_API_PHP" in result.output


def test_unpublished_period_is_refused(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr("bot.jobs.open_source", lambda spec: _StubSource())
    result = CliRunner().invoke(
        main,
        [
            "top-report",
            "--project",
            "x",
            "--date",
            "2024-06-01",
            "--data-dir",
            str(tmp_path),
            *SITE,
        ],
    )
    assert result.exit_code == 1
    assert "not complete in the data (published through 2024-05-31)" in result.output


class _StubSource:
    def through(self, project):
        from datetime import date

        return date(2024, 5, 31)


def test_source_errors_are_reported_not_raised(tmp_path, monkeypatch) -> None:
    from backend.sources import SourceError

    class Unreachable:
        def through(self, project):
            raise SourceError("http://127.0.0.1:9 did not answer")

    monkeypatch.setattr("bot.jobs.open_source", lambda spec: Unreachable())
    result = CliRunner().invoke(
        main, ["top-report", "--project", "x", "--data-dir", str(tmp_path), *SITE]
    )
    assert result.exit_code == 1
    assert "did not answer" in result.output and result.exception.__class__ is SystemExit
