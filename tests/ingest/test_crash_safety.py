"""A process killed mid-file leaves nothing half-applied; the rerun yields exact totals.

Each case runs ``wikiviews ingest`` as a real subprocess and kills it deterministically, by
row count or at a named stage (see ``backend.ingest.crashpoints``), never by timing.
"""

from __future__ import annotations

import dataclasses
import signal

import pytest
from sqlalchemy import text

from backend import db
from tests.helpers import run_cli, snapshot, store_connection, write_dump


def make_files(directory):
    directory.mkdir()
    for hour in range(3):
        write_dump(
            directory,
            f"pageviews-20240301-{hour:02d}0000.gz",
            [f"en Page_{i} {1 + (i * 7 + hour) % 13} 0" for i in range(400)]
            + [f"de.m Seite_{i} {1 + i % 5} 0" for i in range(100)],
        )
    write_dump(
        directory,
        "pageviews-20240301-user.bz2",
        [f"fr.wikipedia Page_{i} {i} desktop 2 A1B1" for i in range(300)],
    )


@pytest.fixture
def reference(tmp_path, sqlite_settings):
    """What a clean load of the same files gives."""
    files = tmp_path / "files"
    make_files(files)
    clean = dataclasses.replace(sqlite_settings, database_url=f"sqlite:///{tmp_path}/clean.sqlite3")
    result = run_cli(clean, "ingest", str(files))
    assert result.returncode == 0, result.stderr
    return files, snapshot(clean)


@pytest.mark.parametrize(
    "kill",
    [
        {"WIKIVIEWS_TEST_KILL_AFTER_ROWS": "1"},
        {"WIKIVIEWS_TEST_KILL_AFTER_ROWS": "250"},
        {"WIKIVIEWS_TEST_KILL_AFTER_ROWS": "1100"},
        {"WIKIVIEWS_TEST_KILL_AFTER_ROWS": "1750"},
        {"WIKIVIEWS_TEST_KILL_AT": "titles"},
        {"WIKIVIEWS_TEST_KILL_AT": "counts"},
        {"WIKIVIEWS_TEST_KILL_AT": "rollups"},
        {"WIKIVIEWS_TEST_KILL_AT": "before-commit"},
        {"WIKIVIEWS_TEST_KILL_AT": "committed"},
    ],
    ids=lambda kill: "-".join(kill.values()),
)
def test_killed_ingest_leaves_no_partial_file_and_rerun_is_exact(
    migrated_settings, reference, kill, tmp_path
):
    files, expected = reference
    killed = run_cli(migrated_settings, "ingest", str(files), **kill)
    assert killed.returncode == -signal.SIGKILL
    partial = snapshot(migrated_settings)
    with store_connection(migrated_settings) as connection:
        loaded = sorted(connection.execute(text("SELECT name FROM ingested_files")).scalars())
    # What survived is exactly the files recorded as loaded, each one whole.
    survivors = dataclasses.replace(
        migrated_settings, database_url=f"sqlite:///{tmp_path}/survivors.sqlite3"
    )
    db.upgrade(survivors)
    if loaded:
        result = run_cli(survivors, "ingest", *(str(files / name) for name in loaded))
        assert result.returncode == 0, result.stderr
    assert partial == snapshot(survivors)
    rerun = run_cli(migrated_settings, "ingest", str(files))
    assert rerun.returncode == 0, rerun.stderr
    assert snapshot(migrated_settings) == expected
