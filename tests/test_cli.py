"""The command line as a user meets it: demo, sample, db, bad options."""

from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import text

from backend import db
from backend.settings import Settings
from tests.helpers import run_cli, write_dump


def test_sample_is_deterministic_and_ingestable(sqlite_settings, tmp_path):
    out = tmp_path / "s"
    options = ("--days", "1", "--titles", "200", "--format", "pageviews", "--format", "complete")
    result = run_cli(sqlite_settings, "sample", str(out), *options)
    assert result.returncode == 0, result.stderr
    manifest = json.loads((out / "manifest.json").read_text())
    assert len(manifest["files"]) == 24 + 3
    again = run_cli(sqlite_settings, "sample", str(tmp_path / "t"), *options)
    assert again.returncode == 0
    for name in manifest["files"]:
        assert (out / name).read_bytes() == (tmp_path / "t" / name).read_bytes()
    loaded = run_cli(sqlite_settings, "ingest", str(out))
    assert loaded.returncode == 0, loaded.stderr
    assert "27 loaded" in loaded.stdout


def test_demo_loads_and_shows_the_store_and_is_idempotent(sqlite_settings):
    result = run_cli(sqlite_settings, "demo")
    assert result.returncode == 0, result.stderr
    assert "top of en.wikipedia on 20240301" in result.stdout
    assert "February 2024" in result.stdout and "legacy pagecounts" in result.stdout
    engine = db.make_engine(sqlite_settings)
    with engine.connect() as connection:
        files = connection.execute(text("SELECT COUNT(*) FROM ingested_files")).scalar()
        days = connection.execute(text("SELECT COUNT(DISTINCT day) FROM published_days")).scalar()
    engine.dispose()
    assert files == 29 * 3 + 24 + 24
    assert days == 31  # 30 days of 2024 and one of 2014
    second = run_cli(sqlite_settings, "demo")
    assert second.returncode == 0
    # Two loads (the older days, then the hourly window's days): nothing loaded again.
    counts = re.findall(r"(\d+) loaded, (\d+) skipped", second.stdout)
    assert sum(int(loaded) for loaded, _ in counts) == 0
    assert sum(int(skipped) for _, skipped in counts) == 135


def test_invalid_project_option_is_a_usage_error(sqlite_settings, tmp_path):
    result = run_cli(sqlite_settings, "ingest", str(tmp_path), "--project", "en wiki")
    assert result.returncode == 2
    assert "invalid project name" in result.stderr


def test_an_unknown_project_is_an_error_naming_the_closest(sqlite_settings, tmp_path):
    path = write_dump(tmp_path, "pageviews-20240301-000000.gz", ["en Main_Page 5 0"])
    result = run_cli(sqlite_settings, "ingest", str(path), "--project", "en.wikipdia")
    assert result.returncode == 2
    assert "unknown project 'en.wikipdia'; did you mean en.wikipedia" in result.stderr
    assert "Traceback" not in result.stderr
    result = run_cli(
        sqlite_settings, "fetch", "--project", "fr.wikivoyag", "--dry-run", "--start", "2024-03-01"
    )
    assert result.returncode == 2
    assert "unknown project 'fr.wikivoyag'; did you mean fr.wikivoyage" in result.stderr
    assert "would fetch" not in result.stdout


def test_a_database_name_is_an_alias_of_its_project(sqlite_settings, tmp_path):
    path = write_dump(
        tmp_path, "pageviews-20240301-000000.gz", ["de Berlin 2 0", "en Main_Page 5 0"]
    )
    result = run_cli(sqlite_settings, "ingest", str(path), "--project", "enwiki")
    assert result.returncode == 0, result.stderr
    assert "views loaded: 5" in result.stdout


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        (
            "WIKIVIEWS_DATABASE_URL",
            "bogus://x",
            "WIKIVIEWS_DATABASE_URL='bogus://x' is not valid: expected sqlite:///PATH, "
            "postgresql+psycopg://… or mysql+pymysql://…",
        ),
        (
            "WIKIVIEWS_RATE_LIMIT",
            "lots",
            "WIKIVIEWS_RATE_LIMIT='lots' is not valid: expected a rate such as '50 per second'",
        ),
        (
            "WIKIVIEWS_CACHE_SECONDS",
            "-5",
            "WIKIVIEWS_CACHE_SECONDS='-5' is not valid: expected a whole number of seconds, "
            "0 or more",
        ),
        ("WIKIVIEWS_BIND", "8000", "WIKIVIEWS_BIND='8000' is not valid: expected HOST:PORT"),
        ("WIKIVIEWS_REDIS_URL", "localhost", "WIKIVIEWS_REDIS_URL='localhost' is not valid"),
        ("WIKIVIEWS_WORKERS", "0", "WIKIVIEWS_WORKERS='0' is not valid: expected a whole number"),
    ],
)
@pytest.mark.parametrize("command", [("serve",), ("db", "upgrade"), ("ingest", "x")])
def test_every_bad_setting_is_refused_at_start_in_one_line(
    sqlite_settings, variable, value, message, command
):
    result = run_cli(sqlite_settings, *command, **{variable: value})
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"Error: {message}"), result.stderr


def test_store_options_and_the_first_line_naming_the_store(sqlite_settings, tmp_path):
    other = tmp_path / "other"
    result = run_cli(
        sqlite_settings, "--data-dir", str(other), "db", "upgrade", WIKIVIEWS_DATABASE_URL=""
    )
    assert result.returncode == 0, result.stderr
    # Options win over the environment; the first line of output names the store.
    assert result.stderr.splitlines()[0] == f"store: sqlite:///{other}/wikiviews.sqlite3"
    assert (other / "wikiviews.sqlite3").is_file()
    url = f"sqlite:///{tmp_path}/by-url.sqlite3"
    result = run_cli(sqlite_settings, "--database-url", url, "db", "upgrade")
    assert result.returncode == 0, result.stderr
    assert result.stderr.splitlines()[0] == f"store: {url}"
    bad = run_cli(sqlite_settings, "--database-url", "bogus://x", "db", "upgrade")
    assert bad.returncode == 1
    assert "--database-url='bogus://x' is not valid" in bad.stderr


def test_every_command_defaults_to_the_same_store(tmp_path):
    env = {"HOME": str(tmp_path), "XDG_DATA_HOME": ""}
    settings = Settings(data_dir=str(tmp_path / "unused"))
    expected = f"store: sqlite:///{tmp_path}/.local/share/wikiviews/wikiviews.sqlite3"
    first_lines = set()
    for command in (
        ("serve", "--bind", "127.0.0.1:1"),  # refuses: the store is not created yet
        ("db", "upgrade"),
        ("ingest", str(tmp_path / "none")),
        ("fetch", "--dry-run", "--start", "2024-03-01", "--end", "2024-03-01T00"),
        ("unload", "--dry-run", "2024030100"),
        ("blocklist", "list"),
    ):
        result = run_cli(
            settings, *command, WIKIVIEWS_DATA_DIR="", WIKIVIEWS_DATABASE_URL="", **env
        )
        first_lines.add(result.stderr.splitlines()[0])
    assert first_lines == {expected}


def test_db_upgrade_then_downgrade_to_base(sqlite_settings):
    assert run_cli(sqlite_settings, "db", "upgrade").returncode == 0
    result = run_cli(sqlite_settings, "db", "downgrade", "base")
    assert result.returncode == 0, result.stderr
    engine = db.make_engine(sqlite_settings)
    assert db.current_revision(engine) is None
    engine.dispose()


def test_an_unreachable_store_is_a_one_line_error_without_the_password(sqlite_settings):
    import dataclasses

    settings = dataclasses.replace(
        sqlite_settings, database_url="postgresql+psycopg://u:secret@127.0.0.1:1/none"
    )
    result = run_cli(settings, "db", "upgrade")
    assert result.returncode == 1
    assert "cannot use the store at postgresql+psycopg://u:***@127.0.0.1:1/none" in result.stderr
    assert "secret" not in result.stderr and "Traceback" not in result.stderr


def test_an_invalid_setting_is_named(sqlite_settings):
    result = run_cli(sqlite_settings, "db", "upgrade", WIKIVIEWS_STAGING_DAYS="abc")
    assert result.returncode == 1
    assert "WIKIVIEWS_STAGING_DAYS='abc' is not valid" in result.stderr
