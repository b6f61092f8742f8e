"""Upgrades: ``db upgrade`` reports every migration step; data migrations update in batches."""

from __future__ import annotations

import pytest
from alembic.script import ScriptDirectory
from click.testing import CliRunner
from sqlalchemy import text

from backend import db
from backend.cli import main
from backend.models import DayCount


def invoke(settings, *args):
    env = {"WIKIVIEWS_DATA_DIR": settings.data_dir, "WIKIVIEWS_DATABASE_URL": settings.database_url}
    return CliRunner(env=env).invoke(main, ["db", *args])


def test_db_upgrade_prints_each_step(store_settings):
    first = invoke(store_settings, "upgrade", "--revision", "0001")
    assert first.exit_code == 0, first.output
    assert first.stderr.startswith("store: ")
    assert first.stdout.splitlines() == [
        "upgrade -> 0001, initial schema",
        "store at revision 0001",
    ]
    second = invoke(store_settings, "upgrade")
    lines = second.stdout.splitlines()
    revisions = list(
        ScriptDirectory.from_config(db.alembic_config(store_settings)).walk_revisions()
    )
    assert lines[0] == "upgrade 0001 -> 0002, redirects and the title blocklist"
    assert len(lines) == len(revisions)  # one line per step after 0001, then the revision
    assert all(line.startswith("upgrade 0") for line in lines[:-1])
    assert lines[-1] == f"store at revision {db.head_revision(store_settings)}"
    again = invoke(store_settings, "upgrade")
    assert again.stdout.splitlines() == [
        f"store already at revision {db.head_revision(store_settings)}"
    ]


def test_batched_update_touches_every_row_once_one_key_range_at_a_time(migrated_settings):
    rows = [
        {"p": project, "d": day, "t": title, "s": series, "v": title + 1}
        for project, day, titles in [(1, 100, range(1, 26)), (1, 101, range(5, 8)), (2, 100, [40])]
        for title in titles
        for series in (0, 1)
    ]
    engine = db.make_engine(migrated_settings)
    batches: list[int] = []
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO day_counts (project_id, day, title_id, series, views) "
                "VALUES (:p, :d, :t, :s, :v)"
            ),
            rows,
        )
        counts = DayCount.__table__
        updated = db.batched_update(
            connection,
            counts,
            {"views": counts.c.views * 3},
            batch=10,
            where=counts.c.series == 1,
            on_batch=batches.append,
        )
    with engine.connect() as connection:
        after = {
            (p, d, t, s): v
            for p, d, t, s, v in connection.execute(
                text("SELECT project_id, day, title_id, series, views FROM day_counts")
            )
        }
    engine.dispose()
    assert updated == len(rows) // 2
    # titles 1-25 of (1, 100) in three ranges of 10 ids, one range each for the other groups
    assert batches == [10, 10, 5, 3, 1]
    assert after == {
        (r["p"], r["d"], r["t"], r["s"]): r["v"] * (3 if r["s"] == 1 else 1) for r in rows
    }


def test_batched_update_refuses_an_empty_batch(sqlite_settings):
    engine = db.make_engine(sqlite_settings)
    with engine.begin() as connection, pytest.raises(ValueError):
        counts = DayCount.__table__
        db.batched_update(connection, counts, {"views": counts.c.views}, batch=0)
    engine.dispose()
