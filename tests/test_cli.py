"""The command line as a user meets it: demo, sample, db, bad options."""

from __future__ import annotations

import json
import re

from sqlalchemy import text

from backend import db
from tests.helpers import run_cli


def test_sample_is_deterministic_and_ingestable(sqlite_settings, tmp_path):
    out = tmp_path / "s"
    result = run_cli(
        sqlite_settings,
        "sample",
        str(out),
        "--days",
        "1",
        "--titles",
        "200",
        "--format",
        "pageviews",
        "--format",
        "complete",
    )
    assert result.returncode == 0, result.stderr
    manifest = json.loads((out / "manifest.json").read_text())
    assert len(manifest["files"]) == 24 + 3
    again = run_cli(
        sqlite_settings,
        "sample",
        str(tmp_path / "t"),
        "--days",
        "1",
        "--titles",
        "200",
        "--format",
        "pageviews",
        "--format",
        "complete",
    )
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
