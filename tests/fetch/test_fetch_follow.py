"""``--follow`` at the live edge, held hours, and a back-fill killed and restarted."""

from __future__ import annotations

import signal
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from backend import db
from backend.fetch.command import FetchRequest, run_fetch
from backend.ingest.parsed import ProjectFilter
from backend.ingest.projects import ensure_projects
from backend.settings import Settings
from tests.fetch.conftest import FakeSleep, Sample, fetch_settings
from tests.fetch.dumps_server import DumpsServer
from tests.fetch.test_fetch_run import FIRST, hourly_name, ingested
from tests.helpers import run_cli, snapshot


class Clock:
    """A settable clock."""

    def __init__(self, now: datetime):
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def follow(settings: Settings, clock, sleep, polls: int) -> tuple[int, str]:
    printed: list[str] = []
    status = run_fetch(
        settings,
        FetchRequest(FIRST, None, ProjectFilter()),
        follow_edge=True,
        max_polls=polls,
        clock=clock,
        sleep=sleep,
        echo=printed.append,
        progress=False,
    )
    return status, "\n".join(printed)


def test_follow_waits_for_the_next_hour_and_loads_it_when_published(
    migrated_settings: Settings, server: DumpsServer, tmp_path: Path
):
    settings = fetch_settings(migrated_settings, server, tmp_path)
    server.hidden |= {hourly_name(3), hourly_name(4)}
    clock = Clock(datetime(2024, 3, 1, 4, 30))  # hours 0–3 are over, hour 3 not published

    def publish(poll: int) -> None:
        assert sorted(ingested(settings)) == [hourly_name(h) for h in range(3)]
        server.hidden.discard(hourly_name(3))
        clock.now += timedelta(hours=1)

    sleep = FakeSleep(publish)
    status, report = follow(settings, clock, sleep, polls=2)
    assert status == 0, report
    assert sleep.calls == [settings.fetch_poll_seconds]
    assert sorted(ingested(settings)) == [hourly_name(h) for h in range(4)]
    # Hour 3 was asked for at both polls; hour 4 only once its period was over (poll 2).
    assert [r.status for r in server.requests_for(hourly_name(3))] == [404, 200]
    assert [r.status for r in server.requests_for(hourly_name(4))] == [404]
    assert "not published yet: pageviews 2024-03-01 03:00" in report
    assert "not published yet: pageviews 2024-03-01 04:00" in report
    assert "missing on the server" not in report  # the live edge is not a gap


def test_follow_keeps_held_hours_held(
    migrated_settings: Settings, server: DumpsServer, tmp_path: Path
):
    settings = fetch_settings(migrated_settings, server, tmp_path)
    engine = db.make_engine(settings)
    with engine.begin() as connection:
        ids = ensure_projects(connection, ["de.wikipedia", "en.wikipedia"])
        connection.execute(
            text(
                "INSERT INTO held_hours (project_id, hour, reason, held_at) "
                "VALUES (:project, :hour, 'spike', :at)"
            ),
            {"project": ids["de.wikipedia"], "hour": FIRST + 5, "at": datetime(2024, 3, 1, 7)},
        )
    status, report = follow(settings, Clock(datetime(2024, 3, 2, 0, 30)), FakeSleep(), polls=1)
    assert status == 0, report
    assert sorted(ingested(settings)) == [hourly_name(h) for h in range(24)]
    with engine.connect() as connection:
        held = connection.execute(text("SELECT project_id, hour FROM held_hours")).all()
        published = set(
            connection.execute(
                text("SELECT project_id FROM published_days WHERE day = :day"),
                {"day": FIRST // 24},
            ).scalars()
        )
    engine.dispose()
    assert held == [(ids["de.wikipedia"], FIRST + 5)]
    assert ids["en.wikipedia"] in published
    assert ids["de.wikipedia"] not in published


def test_follow_reports_an_old_gap_once_and_stops_asking(
    sqlite_settings: Settings, server: DumpsServer, tmp_path: Path
):
    settings = fetch_settings(sqlite_settings, server, tmp_path)
    server.hidden.add(hourly_name(6))
    status, report = follow(settings, Clock(datetime(2024, 3, 3, 12)), FakeSleep(), polls=2)
    assert status == 0, report
    assert len(ingested(settings)) == 23
    # Older than the live edge: a gap in the archive, asked for once and reported once.
    assert len(server.requests_for(hourly_name(6))) == 1
    assert report.count("pageviews 2024-03-01 06:00") == 1
    assert "missing on the server (404), not loaded:" in report
    # The hours of the last two days are the live edge: asked again at each poll.
    assert len(server.requests_for("pageviews-20240303-110000.gz")) == 2
    assert "not published yet: pageviews 2024-03-02 00:00 … 2024-03-03 11:00 (36 files)" in report


def _comparable(state: dict) -> dict:
    """A snapshot without top-list positions, which order equal views by title id."""
    state = dict(state)
    state["top"] = sorted((*row[:4], *row[5:]) for row in state["top"])
    return state


@pytest.mark.slow
def test_backfill_killed_mid_file_and_restarted_equals_a_clean_load(
    migrated_settings: Settings, server: DumpsServer, sample: Sample, tmp_path: Path
):
    env = {
        "WIKIVIEWS_FETCH_BASE_URL": server.url,
        "WIKIVIEWS_FETCH_DOWNLOAD_DIR": str(tmp_path / "downloads"),
    }
    args = ("fetch", "--start", "2024-03-01T00", "--end", "2024-03-01T11")
    killed = run_cli(migrated_settings, *args, WIKIVIEWS_TEST_KILL_AFTER_ROWS="1500", **env)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    partial = ingested(migrated_settings)
    assert 0 < len(partial) < 12
    restarted = run_cli(migrated_settings, *args, **env)
    assert restarted.returncode == 0, restarted.stderr + restarted.stdout
    assert f"{len(partial)} were already in the store" in restarted.stdout
    assert sorted(ingested(migrated_settings)) == [hourly_name(h) for h in range(12)]
    # Nothing fetched twice that was loaded before the kill.
    for name in partial:
        assert len(server.requests_for(name)) == 1
    clean = Settings(data_dir=str(tmp_path / "clean"))
    files = [str(sample.files / hourly_name(h)) for h in range(12)]
    loaded = run_cli(clean, "ingest", *files)
    assert loaded.returncode == 0, loaded.stderr
    assert _comparable(snapshot(migrated_settings)) == _comparable(snapshot(clean))
