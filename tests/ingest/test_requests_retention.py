"""Retention (``purge``), the publish gate (``publish --force``), actor keys and rules."""

from __future__ import annotations

import dataclasses
import os
import time
from pathlib import Path

from click.testing import CliRunner
from sqlalchemy import create_engine, func, select

from backend import create_app
from backend.cli import main
from backend.ingest.requests.actors import ActorDay, ActorKeys, AutomatedRule
from backend.ingest.requests.purge import purge
from backend.models import HeldHour, PublishedDay, PurgeRun, RequestActor
from backend.settings import Settings
from tests.ingest.requests_logs import json_line

FIREFOX_LONG = "Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0"


def test_automated_rule_in_wikimedia_order():
    rule = AutomatedRule()
    ua = len(FIREFOX_LONG)
    assert not rule.is_automated(ActorDay(9, 0, 0, 0, 1, 5))  # < 10: user, whatever the UA
    assert rule.is_automated(ActorDay(801, 0, 2000, 0, 801, ua))  # > 800
    assert not rule.is_automated(ActorDay(800, 0, 2000, 0, 800, ua))
    assert rule.is_automated(ActorDay(30, 0, 0, 0, 30, ua))  # 30 a minute
    assert not rule.is_automated(ActorDay(29, 0, 0, 0, 29, ua))
    assert rule.is_automated(ActorDay(101, 0, 1000, 11, 20, ua))  # no cookies, few pages
    assert not rule.is_automated(ActorDay(101, 0, 1000, 11, 21, ua))
    assert rule.is_automated(ActorDay(10, 0, 100, 0, 10, 24))  # suspicious agent length
    assert rule.is_automated(ActorDay(10, 0, 100, 0, 10, 401))


def test_actor_keys_expire_after_48_hours(tmp_path: Path):
    now = 1_800_000_000.0
    today = int(now // 86400)
    keys = ActorKeys(tmp_path, now)
    key, kept = keys.key(today)
    assert kept and len(key) == 32
    assert oct((tmp_path / "actor-keys").stat().st_mode)[-3:] != "777"
    assert keys.hash(today, "192.0.2.1", "a") == ActorKeys(tmp_path, now).hash(
        today, "192.0.2.1", "a"
    )
    _, old_kept = keys.key(today - 2)
    assert not old_kept  # a day that began over 48 h ago gets a key that is never stored
    assert len(list((tmp_path / "actor-keys").glob("*.key"))) == 1
    later = ActorKeys(tmp_path, now + 2 * 86400)
    assert [p.name for p in later.purge(dry_run=True)] == [
        f"{p.stem}.key" for p in (tmp_path / "actor-keys").glob("*.key")
    ]
    later.purge()
    assert not list((tmp_path / "actor-keys").glob("*.key"))


def test_purge_deletes_old_logs_and_expired_state(migrated_settings: Settings, tmp_path: Path):
    logs = tmp_path / "raw"
    logs.mkdir()
    old, new = logs / "old.log.gz", logs / "new.log.gz"
    old.write_bytes(b"x")
    new.write_bytes(b"y")
    ninety_one_days = time.time() - 91 * 86400
    os.utime(old, (ninety_one_days, ninety_one_days))
    settings = dataclasses.replace(
        migrated_settings, raw_log_dir=str(logs), data_dir=str(tmp_path / "data")
    )
    engine = create_engine(settings.database_url)
    now = time.time()
    today = int(now // 86400)
    with engine.begin() as connection:
        connection.execute(
            RequestActor.__table__.insert(),
            [
                dict(
                    day=d,
                    actor=f"{d:032x}",
                    pageviews=1,
                    first_minute=0,
                    last_minute=0,
                    nocookies=0,
                    distinct_pages=1,
                    ua_length=30,
                )
                for d in (today - 3, today - 2, today)
            ],
        )
    try:
        dry = purge(engine, settings, dry_run=True, now=now)
        assert dry.files == [old] and old.exists()
        assert dry.rows["request_actors"] == 2
        done = purge(engine, settings, now=now)
        assert done.files == [old] and not old.exists() and new.exists()
        with engine.connect() as connection:
            days = connection.execute(select(RequestActor.__table__.c.day)).scalars().all()
            runs = connection.execute(select(PurgeRun.__table__)).all()
        assert days == [today]
        assert [(r.dry_run, r.files_deleted, r.rows_deleted) for r in runs] == [
            (True, 0, 0),
            (False, 1, 2),
        ]
    finally:
        engine.dispose()


def _day_log(day_hour: int, views_per_hour: list[int]) -> str:
    lines = []
    for offset, views in enumerate(views_per_hour):
        for i in range(views):
            ip = f"81.2.{69 + i // 250}.{i % 250}"
            lines.append(json_line(day_hour + offset, i % 60, ip=ip, path=f"/wiki/P{i % 50}"))
    return "\n".join(lines) + "\n"


def test_publish_gate_holds_a_loss_until_forced(migrated_settings: Settings, tmp_path: Path):
    env = {
        "WIKIVIEWS_DATABASE_URL": migrated_settings.database_url,
        "WIKIVIEWS_DATA_DIR": str(tmp_path),
        "WIKIVIEWS_GATE_MIN_VIEWS": "20",
    }
    runner = CliRunner()
    first = (int(time.time() // 86400) - 9) * 24  # the last day is within the live edge
    # Eight days of 40 views an hour: the first hours of a new store are never held.
    week = tmp_path / "week.json"
    week.write_text(_day_log(first, [40] * (8 * 24)))
    result = runner.invoke(main, ["ingest-requests", str(week)], env=env)
    assert result.exit_code == 0 and "held back" not in result.output, result.output
    # Then a new day whose hour 03 drops to 5 views: held; the day is not published.
    day = first + 8 * 24
    drop = tmp_path / "drop.json"
    drop.write_text(_day_log(day, [40, 40, 40, 5] + [40] * 20))
    result = runner.invoke(main, ["ingest-requests", str(drop)], env=env)
    assert result.exit_code == 0, result.output
    assert "held back" in result.output and "loss: 5 views" in result.output
    engine = create_engine(migrated_settings.database_url)
    published = PublishedDay.__table__
    try:
        with engine.connect() as connection:
            assert connection.execute(select(HeldHour.__table__.c.hour)).scalars().all() == [
                day + 3
            ]
            assert not connection.execute(
                select(published.c.day).where(published.c.day == day // 24)
            ).first()
        check = runner.invoke(main, ["check"], env=env)
        assert check.exit_code == 1 and "loss: 5 views" in check.output
        app = create_app(migrated_settings)
        health = app.test_client().get("/healthz")
        app.extensions["wikiviews_engine"].dispose()
        assert health.get_json()["held_hours"] == 1
        stamp = time.strftime("%Y-%m-%dT%H", time.gmtime((day + 3) * 3600))
        forced = runner.invoke(main, ["publish", "--force", stamp], env=env)
        assert forced.exit_code == 0 and "released" in forced.output, forced.output
        with engine.connect() as connection:
            assert connection.execute(select(func.count()).select_from(HeldHour)).scalar() == 0
            assert connection.execute(
                select(published.c.day).where(published.c.day == day // 24)
            ).first()
    finally:
        engine.dispose()
