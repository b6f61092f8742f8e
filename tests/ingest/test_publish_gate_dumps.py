"""The publish gate on hourly dumps: a new hour that collapses is held, back-fills are not."""

from __future__ import annotations

import time
from datetime import UTC, datetime

from sqlalchemy import create_engine, select

from backend.ingest.ingest_command import run_ingest
from backend.ingest.parsed import ProjectFilter
from backend.models import HeldHour
from backend.settings import Settings
from tests.helpers import write_dump


def dump_name(hour: int) -> str:
    return datetime.fromtimestamp(hour * 3600, UTC).strftime("pageviews-%Y%m%d-%H0000.gz")


def held(settings: Settings) -> list[int]:
    engine = create_engine(settings.database_url)
    try:
        with engine.connect() as connection:
            return connection.execute(select(HeldHour.__table__.c.hour)).scalars().all()
    finally:
        engine.dispose()


def test_live_edge_loss_is_held_and_backfill_is_not(sqlite_settings: Settings, tmp_path):
    now_hour = int(time.time() // 3600)
    new = now_hour - 5
    files = [
        write_dump(tmp_path, dump_name(new - 7 * 24), ["en Main_Page 2000 0"]),
        write_dump(tmp_path, dump_name(new - 1), ["en Main_Page 2100 0"]),
        write_dump(tmp_path, dump_name(new), ["en Main_Page 300 0"]),
    ]
    assert run_ingest(sqlite_settings, files, ProjectFilter())
    assert held(sqlite_settings) == [new]

    # The same shape ten days back is a back-fill behind the live edge: not held.
    # It is newer than every hour of its project, but older than the last 48 hours.
    old = now_hour - 10 * 24
    files = [
        write_dump(tmp_path, dump_name(old - 7 * 24), ["de Berlin 2000 0"]),
        write_dump(tmp_path, dump_name(old - 1), ["de Berlin 2100 0"]),
    ]
    assert run_ingest(sqlite_settings, files, ProjectFilter())
    drop = [write_dump(tmp_path, dump_name(old), ["de Berlin 300 0"])]
    assert run_ingest(sqlite_settings, drop, ProjectFilter())
    assert held(sqlite_settings) == [new]
