"""A raw-log ingest killed at any stage leaves nothing of its input; the rerun is exact."""

from __future__ import annotations

import dataclasses

import pytest
from sqlalchemy import create_engine, func, select

from backend.models import CountryDay, RequestActor, RequestCountryActor, RequestSequence
from tests.helpers import run_cli, snapshot
from tests.ingest.requests_logs import json_line, recent_hour

H = recent_hour(5)
TABLES = (CountryDay, RequestActor, RequestCountryActor, RequestSequence)


def raw_counts(settings) -> dict[str, int]:
    engine = create_engine(settings.database_url)
    try:
        with engine.connect() as connection:
            return {
                t.__tablename__: connection.execute(select(func.count()).select_from(t)).scalar()
                for t in TABLES
            }
    finally:
        engine.dispose()


@pytest.fixture
def log(tmp_path):
    path = tmp_path / "requests.json"
    path.write_text(
        "".join(
            json_line(
                H + i // 200, i % 60, ip=f"81.2.69.{i % 50}", path=f"/wiki/P{i % 30}", sequence=i
            )
            + "\n"
            for i in range(600)
        )
    )
    return path


@pytest.mark.parametrize("stage", ["titles", "countries", "before-commit"])
def test_killed_ingest_leaves_nothing_and_rerun_is_exact(sqlite_settings, tmp_path, log, stage):
    clean = dataclasses.replace(sqlite_settings, database_url=f"sqlite:///{tmp_path}/clean.sqlite3")
    assert run_cli(clean, "ingest-requests", str(log)).returncode == 0
    expected, expected_raw = snapshot(clean), raw_counts(clean)

    killed = run_cli(sqlite_settings, "ingest-requests", str(log), WIKIVIEWS_TEST_KILL_AT=stage)
    assert killed.returncode != 0
    assert raw_counts(sqlite_settings) == dict.fromkeys(expected_raw, 0)
    rerun = run_cli(sqlite_settings, "ingest-requests", str(log))
    assert rerun.returncode == 0, rerun.stderr
    assert snapshot(sqlite_settings) == expected
    assert raw_counts(sqlite_settings) == expected_raw
