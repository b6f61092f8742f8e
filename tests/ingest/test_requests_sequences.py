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
    lines = check.output.splitlines()
    start = lines.index("host\thour\texpected\treceived\tmissing\tduplicated") + 1
    rows = [line.split("\t") for line in lines[start:]]
    assert [row[0] for row in rows] == ["cp3001", "cp3002"]
    assert rows[0][2:] == ["10", "6", "4", "1"]  # expected, received, missing, duplicated
    assert rows[1][2:] == ["1", "1", "0", "0"]


def test_numbers_stored_by_a_concurrent_ingest_are_not_counted_twice(
    sqlite_settings: Settings, tmp_path: Path, monkeypatch
):
    from sqlalchemy import func, select

    from backend import db
    from backend.ingest.projects import ProjectRegistry
    from backend.ingest.requests import run
    from backend.models import DayCount

    hour = recent_hour(4)
    first, second = tmp_path / "a.json", tmp_path / "b.json"
    first.write_text("".join(json_line(hour, n, sequence=n) + "\n" for n in range(1, 11)))
    second.write_text("".join(json_line(hour, n, sequence=n) + "\n" for n in range(5, 16)))
    engine = db.make_engine(sqlite_settings)
    registry = ProjectRegistry(engine)
    pipeline = run.Pipeline(sqlite_settings)
    assert run.ingest_requests(engine, pipeline, str(first), registry).status == "loaded"

    # The second input was read before the first was stored: it saw none of its numbers.
    original, calls = run.SequenceTracker, []

    def blind_once(lookup):
        calls.append(1)
        return original(None if len(calls) == 1 else lookup)

    monkeypatch.setattr(run, "SequenceTracker", blind_once)
    outcome = run.ingest_requests(engine, pipeline, str(second), registry)
    assert outcome.status == "loaded" and len(calls) == 2  # detected, read again
    with engine.connect() as connection:
        total = connection.execute(select(func.sum(DayCount.__table__.c.views))).scalar()
    registry.close()
    engine.dispose()
    assert total == 15
