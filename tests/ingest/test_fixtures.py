"""The committed fixture set loads to exactly its ground truth; the bad files fail cleanly."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import text

from backend import db
from tests.helpers import run_cli, store_connection

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
MANIFEST = json.loads((FIXTURES / "manifest.json").read_text())["files"]
GOOD = sorted(name for name, row in MANIFEST.items() if not name.startswith("bad/"))


def test_every_good_fixture_loads_with_its_rejects_and_views(migrated_settings):
    result = run_cli(migrated_settings, "ingest", *(str(FIXTURES / name) for name in GOOD))
    assert result.returncode == 0, result.stderr
    with store_connection(migrated_settings) as connection:
        rows = {
            name: (lines, rejected, json.loads(rejects), views)
            for name, lines, rejected, rejects, views in connection.execute(
                text("SELECT name, lines_read, lines_rejected, rejects, views FROM ingested_files")
            )
        }
    assert set(rows) == set(GOOD)
    for name in GOOD:
        truth = MANIFEST[name]
        lines, rejected, rejects, views = rows[name]
        assert lines == truth["lines"], name
        assert rejects == truth["malformed"], name
        assert rejected == sum(truth["malformed"].values()), name
        assert views == sum(sum(a.values()) for a in truth["views"].values()), name
    assert "rejected" in result.stdout and "(count)" in result.stdout


def test_the_long_line_file_loads_without_its_long_line(sqlite_settings):
    name = "bad/pageviews-20240302-010000.gz"
    result = run_cli(sqlite_settings, "ingest", str(FIXTURES / name))
    assert result.returncode == 0, result.stderr
    truth = MANIFEST[name]
    with store_connection(sqlite_settings) as connection:
        views, rejects = connection.execute(text("SELECT views, rejects FROM ingested_files")).one()
    assert json.loads(rejects) == {"too_long": 1}
    assert views == sum(sum(a.values()) for a in truth["views"].values())


def test_corrupt_archives_fail_whole_others_still_load_and_exit_is_nonzero(sqlite_settings):
    corrupt = [
        "bad/pageviews-20240302-000000.gz",
        "bad/pageviews-20240303-000000.gz",
        "bad/pageviews-20240304-user.bz2",
    ]
    good = "pageviews-20240301-000000.gz"
    result = run_cli(sqlite_settings, "ingest", *(str(FIXTURES / n) for n in [*corrupt, good]))
    assert result.returncode == 1
    for name in corrupt:
        assert Path(name).name in result.stderr + result.stdout
    assert "nothing of it was loaded" in result.stderr
    with store_connection(sqlite_settings) as connection:
        names = list(connection.execute(text("SELECT name FROM ingested_files")).scalars())
        hours = connection.execute(text("SELECT COUNT(*) FROM project_hours")).scalar()
        hour_of_good = connection.execute(
            text("SELECT MIN(hour), MAX(hour) FROM project_hours")
        ).one()
    assert names == [good]
    assert hours > 0 and hour_of_good[0] == hour_of_good[1]


def test_a_missing_path_is_a_usage_error(sqlite_settings, tmp_path):
    result = run_cli(sqlite_settings, "ingest", str(tmp_path / "nope.gz"))
    assert result.returncode == 2
    assert "no such file or directory" in result.stderr
    assert "nope.gz" in result.stderr


def test_a_file_with_an_unknown_name_fails_clearly(sqlite_settings, tmp_path):
    stray = tmp_path / "notes.gz"
    stray.write_bytes(b"")
    result = run_cli(sqlite_settings, "ingest", str(stray))
    assert result.returncode == 1
    assert "notes.gz: not a pageviews-YYYYMMDD-HH0000" in result.stderr


def test_a_file_the_store_refuses_fails_alone_and_the_run_goes_on(sqlite_settings, monkeypatch):
    from sqlalchemy.exc import OperationalError

    from backend.ingest import run
    from backend.ingest.parsed import ProjectFilter

    real_load = run.load_parsed
    refused = FIXTURES / "pageviews-20240301-000000.gz"

    def load_or_refuse(connection, dump, *args, **kwargs):
        if dump.path == refused:
            raise OperationalError("INSERT", {}, Exception("disk I/O error"))
        return real_load(connection, dump, *args, **kwargs)

    monkeypatch.setattr(run, "load_parsed", load_or_refuse)
    engine = db.make_engine(sqlite_settings)
    outcomes = [
        run.ingest_file(engine, sqlite_settings, FIXTURES / name, ProjectFilter())
        for name in ("pageviews-20240301-000000.gz", "pageviews-20240301-010000.gz")
    ]
    with engine.connect() as connection:
        names = list(connection.execute(text("SELECT name FROM ingested_files")).scalars())
    engine.dispose()
    assert [o.status for o in outcomes] == ["failed", "loaded"]
    assert "disk I/O error" in outcomes[0].message
    assert "nothing of it was loaded" in outcomes[0].message
    assert names == ["pageviews-20240301-010000.gz"]
