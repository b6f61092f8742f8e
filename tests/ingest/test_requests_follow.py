"""``ingest-requests --follow``: hours load once closed, across restarts and log rotation."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from sqlalchemy import create_engine, func, select

from backend.ingest.projects import ProjectRegistry
from backend.ingest.requests.follow import Follower
from backend.ingest.requests.run import Pipeline
from backend.models import ProjectHour
from backend.settings import Settings
from tests.ingest.requests_logs import combined_line, recent_hour

H = recent_hour(30)


def lines(*minutes: tuple[int, int]) -> str:
    return "".join(combined_line(h, m, path=f"/wiki/P{m}") + "\n" for h, m in minutes)


def poll_at(settings: Settings, log: Path, now_hour: int, now_minute: int) -> list:
    pipeline = Pipeline(settings, now=now_hour * 3600 + now_minute * 60)
    engine = create_engine(settings.database_url)
    registry = ProjectRegistry(engine)
    follower = Follower(engine, pipeline, registry, log)
    try:
        return follower.poll()
    finally:
        follower.close()
        registry.close()
        engine.dispose()


def hours(settings: Settings) -> dict[int, int]:
    engine = create_engine(settings.database_url)
    table = ProjectHour.__table__
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                select(table.c.hour, func.sum(table.c.views)).group_by(table.c.hour)
            ).all()
    finally:
        engine.dispose()
    return {hour - H: int(views) for hour, views in rows}


def test_follow_restart_rotation_and_quiet_hours(migrated_settings: Settings, tmp_path: Path):
    settings = dataclasses.replace(
        migrated_settings,
        data_dir=str(tmp_path / "data"),
        request_hosts="wiki.example.org=example.wiki",
    )
    log = tmp_path / "access.log"
    log.write_text(lines((H, 0), (H, 1), (H, 2), (H, 3), (H, 4), (H + 1, 0)))
    loaded = poll_at(settings, log, H + 1, 30)  # hour H closed, H+1 still open
    assert [o.status for o in loaded] == ["loaded"]
    assert hours(settings) == {0: 5}

    # The process stopped; the server wrote on, then rotated its log.
    with log.open("a") as handle:
        handle.write(lines((H + 1, 10), (H + 1, 11)))
    log.rename(tmp_path / "access.log.1")
    log.write_text(lines((H + 1, 20), (H + 2, 6)))
    poll_at(settings, log, H + 2, 30)  # H+1 closed by the line at H+2:06
    assert hours(settings) == {0: 5, 1: 4}

    # Hours later, nothing new: H+2 closes with its one view, H+3 is a quiet zero.
    poll_at(settings, log, H + 4, 30)
    assert hours(settings) == {0: 5, 1: 4, 2: 1, 3: 0}
    # Restarting again loads nothing twice, even if a late line for a loaded hour arrives.
    with log.open("a") as handle:
        handle.write(lines((H + 1, 59)))
    poll_at(settings, log, H + 4, 40)
    assert hours(settings) == {0: 5, 1: 4, 2: 1, 3: 0}
