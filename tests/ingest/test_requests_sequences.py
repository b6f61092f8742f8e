"""Sequence runs: duplicates dropped within and across inputs, missing numbers counted."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from backend.cli import main
from backend.ingest.requests.sequences import (
    SequenceTracker,
    contains,
    format_runs,
    merge_runs,
    parse_runs,
    runs_of,
)
from backend.settings import Settings
from tests.ingest.requests_logs import json_line, recent_hour


def test_runs_round_trip_and_merge():
    runs = runs_of([5, 1, 2, 3, 9, 10, 3])
    assert runs == [(1, 3), (5, 5), (9, 10)]
    assert parse_runs(format_runs(runs)) == runs
    assert merge_runs(runs, [(4, 4), (11, 20)]) == [(1, 5), (9, 20)]
    assert [n for n in range(12) if contains(runs, n)] == [1, 2, 3, 5, 9, 10]


def test_tracker_drops_repeats_and_knows_earlier_inputs():
    tracker = SequenceTracker(lambda host, hour: [(1, 10)] if host == "cp1" else [])
    assert not tracker.fresh("cp1", 7, 5)  # an earlier input had it
    assert tracker.fresh("cp1", 7, 11)
    assert not tracker.fresh("cp1", 7, 11)  # twice in this input
    assert tracker.fresh("cp2", 7, 5)  # another host numbers on its own
    assert tracker.hours[("cp1", 7)].duplicates == 2


def test_check_reports_missing_and_duplicated(migrated_settings: Settings, tmp_path: Path):
    hour = recent_hour(4)
    numbers = [1, 2, 3, 6, 7, 7, 10]  # 4, 5, 8, 9 lost; 7 twice
    log = tmp_path / "a.json"
    log.write_text(
        "".join(
            json_line(hour, i, sequence=n, hostname="cp3001") + "\n" for i, n in enumerate(numbers)
        )
        + json_line(hour, 30, sequence=1, hostname="cp3002")
        + "\n"
    )
    env = {
        "WIKIVIEWS_DATABASE_URL": migrated_settings.database_url,
        "WIKIVIEWS_DATA_DIR": str(tmp_path),
    }
    assert CliRunner().invoke(main, ["ingest-requests", str(log)], env=env).exit_code == 0
    check = CliRunner().invoke(main, ["check"], env=env)
    assert check.exit_code == 1
    rows = [line.split("\t") for line in check.output.splitlines()[1:]]
    assert [row[0] for row in rows] == ["cp3001", "cp3002"]
    assert rows[0][2:] == ["10", "6", "4", "1"]  # expected, received, missing, duplicated
    assert rows[1][2:] == ["1", "1", "0", "0"]
