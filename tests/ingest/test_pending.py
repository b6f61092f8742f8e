"""Hourly files wait in the staging area until their day is complete, then fold into day_counts.

Every case runs on SQLite, PostgreSQL and MariaDB and checks exact per-page totals against
the lines written, so an implementation that dropped, doubled or misplaced a pending row, or
folded a day too early or never, fails.
"""

from __future__ import annotations

import dataclasses
import random
import signal
from collections import Counter
from pathlib import Path

import pyarrow as pa
import pytest
from sqlalchemy import text

from backend import db
from backend.codes import Access, Agent, Source, series_code
from backend.ingest import loader, pending
from backend.ingest.parsed import row_table
from backend.ingest.unload import unload
from tests.helpers import run_cli, snapshot, store_connection, write_dump
from tests.ingest.test_unload import D, ingest

AWKWARD = [
    "A|B",
    "{{Template}}",
    "]]x[[",
    "<script>alert(1)</script>",
    "עברית_ערבית",
    "Ä" * 127 + "x",  # 255 bytes of UTF-8
]
DESKTOP = series_code(Source.PAGEVIEWS, Access.DESKTOP, Agent.USER)
MOBILE = series_code(Source.PAGEVIEWS, Access.MOBILE, Agent.USER)


def hour_lines(hour: int) -> list[str]:
    """One hour: a few titles every hour, one title only this hour, awkward titles."""
    lines = [f"de Berlin {1 + hour % 3} 0", f"en Main_Page {20 + hour} 0"]
    lines += [f"en Only_{hour:02d} {3 + hour} 0", f"en.m Main_Page {10 + hour} 0"]
    lines += [f"en {title} {1 + (hour + i) % 4} 0" for i, title in enumerate(AWKWARD)]
    return sorted(lines, key=lambda line: line.encode())


def write_day(directory: Path, hours=range(24)) -> list[Path]:
    directory.mkdir(exist_ok=True)
    return [
        write_dump(directory, f"pageviews-20240301-{h:02d}0000.gz", hour_lines(h)) for h in hours
    ]


def expected_totals(hours) -> Counter:
    """``{(project|title, series): views}`` of the lines of ``hours``."""
    totals: Counter = Counter()
    for hour in hours:
        for line in hour_lines(hour):
            code, title, views, _ = line.split(" ")
            project = "de.wikipedia" if code == "de" else "en.wikipedia"
            series = MOBILE if code.endswith(".m") else DESKTOP
            totals[(f"{project}|{title}", series)] += int(views)
    return totals


def day_counts(settings, day: int = D) -> Counter:
    with store_connection(settings) as connection:
        rows = connection.execute(
            text(
                "SELECT p.name, t.title, c.series, c.views FROM day_counts c "
                "JOIN titles t ON t.id = c.title_id JOIN projects p ON p.id = c.project_id "
                "WHERE c.day = :d"
            ),
            {"d": day},
        )
        return Counter({(f"{p}|{title}", s): v for p, title, s, v in rows})


def pending_count(settings) -> int:
    with store_connection(settings) as connection:
        return connection.execute(text("SELECT COUNT(*) FROM pending_counts")).scalar_one()


def published(settings) -> list[tuple[str, int]]:
    with store_connection(settings) as connection:
        return sorted(
            connection.execute(
                text(
                    "SELECT p.name, d.source FROM published_days d "
                    "JOIN projects p ON p.id = d.project_id WHERE d.day = :d"
                ),
                {"d": D},
            ).all()
        )


def test_hours_of_an_incomplete_day_wait_and_the_last_one_folds_them(migrated_settings, tmp_path):
    files = write_day(tmp_path / "in")
    ingest(migrated_settings, files[:23])
    assert day_counts(migrated_settings) == Counter()  # nothing keyed per page yet
    assert pending_count(migrated_settings) > 0
    assert published(migrated_settings) == []
    assert snapshot(migrated_settings)["counts"] == {
        (key, D, series): views for (key, series), views in expected_totals(range(23)).items()
    }
    ingest(migrated_settings, files[23:])
    assert pending_count(migrated_settings) == 0
    assert day_counts(migrated_settings) == expected_totals(range(24))
    assert published(migrated_settings) == [
        ("de.wikipedia", Source.PAGEVIEWS),
        ("en.wikipedia", Source.PAGEVIEWS),
    ]


def clean_store(settings, tmp_path, files):
    """Snapshot of a new SQLite store with ``files`` loaded in one ingest."""
    clean = dataclasses.replace(settings, database_url=f"sqlite:///{tmp_path}/clean.sqlite3")
    db.upgrade(clean)
    ingest(clean, files)
    return snapshot(clean)


def test_any_order_of_hours_gives_the_same_store(migrated_settings, tmp_path):
    files = write_day(tmp_path / "in")
    shuffled = files[:]
    random.Random(3).shuffle(shuffled)
    for path in shuffled:  # one ingest per file, as `fetch --follow` loads them
        ingest(migrated_settings, [path])
    assert snapshot(migrated_settings) == clean_store(migrated_settings, tmp_path, files)
    assert day_counts(migrated_settings) == expected_totals(range(24))


def test_a_project_completed_alone_folds_alone(migrated_settings, tmp_path):
    """23 hours of every wiki, then the last hour of en.wikipedia only: en folds, de waits."""
    files = write_day(tmp_path / "in")
    ingest(migrated_settings, files[:23])
    ingest(migrated_settings, files[23:], projects=("en.wikipedia",))
    folded = day_counts(migrated_settings)
    expected = expected_totals(range(24))
    assert folded == Counter({k: v for k, v in expected.items() if k[0].startswith("en.")})
    assert published(migrated_settings) == [("en.wikipedia", Source.PAGEVIEWS)]
    ingest(migrated_settings, files[23:])  # the rest of the last hour completes de
    assert day_counts(migrated_settings) == expected
    assert pending_count(migrated_settings) == 0


def test_batches_split_into_parts_fold_exactly(migrated_settings, tmp_path, monkeypatch):
    monkeypatch.setattr(pending, "PART_ROWS", 3)
    monkeypatch.setattr(pending, "COMPACT_ROWS", 5)
    files = write_day(tmp_path / "in")
    ingest(migrated_settings, files[:2])
    with store_connection(migrated_settings) as connection:
        parts = connection.execute(
            text("SELECT MAX(part) FROM pending_counts WHERE file_name = :f"),
            {"f": files[0].name},
        ).scalar_one()
    assert parts >= 2  # en.wikipedia's 10 rows in parts of 3
    ingest(migrated_settings, files[2:])
    assert day_counts(migrated_settings) == expected_totals(range(24))


def test_unloading_a_pending_hour_deletes_exactly_its_rows(migrated_settings, tmp_path):
    files = write_day(tmp_path / "in")
    ingest(migrated_settings, files[:23])
    engine = db.make_engine(migrated_settings)
    removals = unload(engine, migrated_settings, [files[5].name])
    engine.dispose()
    assert [r.method for r in removals] == ["pending"]
    assert snapshot(migrated_settings)["counts"] == {
        (key, D, series): views
        for (key, series), views in expected_totals(set(range(23)) - {5}).items()
    }
    ingest(migrated_settings, [files[5], files[23]])
    assert day_counts(migrated_settings) == expected_totals(range(24))


def test_replacing_an_hour_of_a_folded_day_keeps_totals_exact(migrated_settings, tmp_path):
    files = write_day(tmp_path / "in")
    ingest(migrated_settings, files)
    before = snapshot(migrated_settings)
    ingest(migrated_settings, [files[7]], replace=True)
    assert snapshot(migrated_settings) == before
    assert pending_count(migrated_settings) == 0


def test_encoded_batches_keep_awkward_titles_byte_for_byte():
    table = pa.table(
        {
            "title": pa.array(AWKWARD, pa.string()),
            "series": pa.array(range(len(AWKWARD)), pa.int16()),
            "views": pa.array([2**40 + i for i in range(len(AWKWARD))], pa.int64()),
        }
    )
    assert pending.decode(pending.encode(table)).equals(table)


@pytest.mark.parametrize(
    "kill",
    [
        # The last hour stages its 10 rows, then the fold sends the day's 33: die at the 15th.
        {"WIKIVIEWS_TEST_KILL_AFTER_ROWS": "15"},
        {"WIKIVIEWS_TEST_KILL_AT": "rollups"},  # after the fold of a completing file
    ],
    ids=["mid-fold", "after-fold"],
)
def test_a_load_killed_while_folding_leaves_the_store_as_it_was(migrated_settings, tmp_path, kill):
    files = write_day(tmp_path / "in")
    ingest(migrated_settings, files[:23])
    before = snapshot(migrated_settings)
    killed = run_cli(migrated_settings, "ingest", str(files[23]), **kill)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert snapshot(migrated_settings) == before
    assert pending_count(migrated_settings) > 0
    rerun = run_cli(migrated_settings, "ingest", str(files[23]))
    assert rerun.returncode == 0, rerun.stderr
    assert day_counts(migrated_settings) == expected_totals(range(24))
    assert snapshot(migrated_settings) == clean_store(migrated_settings, tmp_path, files)


def test_downgrading_below_the_staging_area_keeps_pending_counts(migrated_settings, tmp_path):
    """Before revision 0004 incomplete days lived in day_counts: the downgrade moves them."""
    files = write_day(tmp_path / "in")
    ingest(migrated_settings, files[:23])
    before = snapshot(migrated_settings)
    db.downgrade(migrated_settings, "0003")
    assert day_counts(migrated_settings) == expected_totals(range(23))
    db.upgrade(migrated_settings)
    assert snapshot(migrated_settings) == before
    ingest(migrated_settings, files[23:])  # the last hour adds into what the downgrade moved
    assert day_counts(migrated_settings) == expected_totals(range(24))


def test_status_says_how_many_days_wait_for_hours(migrated_settings, tmp_path):
    files = write_day(tmp_path / "in")
    ingest(migrated_settings, files[:3])
    waiting = run_cli(migrated_settings, "status")
    assert waiting.returncode == 0, waiting.stderr
    assert "pending: 2 incomplete project-days wait for their missing hours" in waiting.stdout
    ingest(migrated_settings, files[3:])
    done = run_cli(migrated_settings, "status")
    assert "pending" not in done.stdout


def test_a_large_group_is_summed_in_title_ranges_exactly(migrated_settings, tmp_path, monkeypatch):
    """Groups over PASS_ROWS rows are summed range by range: no title lost or counted twice."""
    monkeypatch.setattr(pending, "PASS_ROWS", 25)
    monkeypatch.setattr(pending, "COMPACT_ROWS", 7)
    seen: list[int] = []
    ranged = pending._summed_range

    def counting(connection, group, low, high):
        table = ranged(connection, group, low, high)
        seen.append(table.num_rows)
        return table

    monkeypatch.setattr(pending, "_summed_range", counting)
    files = write_day(tmp_path / "in")
    ingest(migrated_settings, files)
    assert len(seen) > 2  # en.wikipedia's 240 pending rows took several ranges
    assert day_counts(migrated_settings) == expected_totals(range(24))


def test_a_fold_in_small_batches_finds_every_known_title(migrated_settings, tmp_path, monkeypatch):
    """Fold batches bound their title lookups by their (project, title) range (PostgreSQL).

    A bound too narrow would insert a known title again (a duplicate key) or join a row to
    no title (a lost count); the second day's titles are all known from the first.
    """
    monkeypatch.setattr(loader, "FOLD_ROWS", 4)
    ingest(migrated_settings, write_day(tmp_path / "first"))
    second = tmp_path / "second"
    second.mkdir()
    ingest(
        migrated_settings,
        [
            write_dump(second, f"pageviews-20240302-{h:02d}0000.gz", hour_lines(h))
            for h in range(24)
        ],
    )
    assert day_counts(migrated_settings) == expected_totals(range(24))
    assert day_counts(migrated_settings, D + 1) == expected_totals(range(24))


def test_the_key_range_of_a_batch_is_its_lowest_and_highest_key():
    rows = [(2, "Zed"), (2, "Ä"), (1, "b"), (1, "A|B"), (3, "<script>"), (3, "עברית")]
    tables = [
        row_table(
            pa.array([p for p, _ in part]),
            pa.array([t for _, t in part]),
            pa.array([D] * len(part)),
            pa.array([DESKTOP] * len(part)),
            pa.array([1] * len(part)),
        )
        for part in (rows[:3], rows[3:], [])
    ]
    ordered = sorted(rows, key=lambda key: (key[0], key[1].encode()))
    assert loader.key_range(tables) == (ordered[0], ordered[-1])
    assert loader.key_range([]) is None
