"""``wikiviews purge``: retention of raw logs, actor keys and state, and hourly rows.

Deletes, each past its limit: raw log files in ``WIKIVIEWS_RAW_LOG_DIR`` older than
``WIKIVIEWS_RAW_LOG_RETENTION_DAYS`` (90 at most) by modification time; the daily actor
keys, actor state and per-article country working rows older than 48 hours; hourly per-page
rows past their window. Every run, dry or not, is recorded in ``purge_runs``. Safe to run
from cron at any time: each step is idempotent, and a crash between steps leaves the rest
for the next run.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Connection, Engine, delete, func, insert, select

from backend.db import WRITE
from backend.ingest.requests.actors import STATE_HOURS, ActorKeys
from backend.ingest.requests.upserts import table_of
from backend.models import (
    PageHour,
    PurgeRun,
    RequestActor,
    RequestCountryActor,
    RequestCountryPage,
)
from backend.settings import Settings


@dataclass
class PurgeResult:
    """What a purge deleted (or would delete)."""

    files: list[Path] = field(default_factory=list)
    keys: list[Path] = field(default_factory=list)
    rows: dict[str, int] = field(default_factory=dict)

    def lines(self) -> list[str]:
        """One line per deleted thing, for the command's output."""
        out = [f"raw log {path}" for path in self.files]
        out += [f"actor key {path.name}" for path in self.keys]
        out += [f"{count} rows of {table}" for table, count in sorted(self.rows.items())]
        return out or ["nothing"]


def delete_expired_state(
    connection: Connection, now: float, dry_run: bool = False
) -> dict[str, int]:
    """Delete (or count) actor state and country working rows older than 48 hours."""
    counts = {}
    for model in (RequestActor, RequestCountryPage, RequestCountryActor):
        table = table_of(model)
        where = table.c.day * 24 + STATE_HOURS <= int(now // 3600)
        if dry_run:
            count = connection.execute(select(func.count()).where(where)).scalar_one()
        else:
            count = connection.execute(delete(table).where(where)).rowcount or 0
        counts[table.name] = count
    return counts


def purge(
    engine: Engine, settings: Settings, *, dry_run: bool = False, now: float | None = None
) -> PurgeResult:
    """Apply every retention rule (see the module docstring)."""
    now = time.time() if now is None else now
    result = PurgeResult()
    retention = settings.raw_log_retention_days
    if settings.raw_log_dir:
        cutoff = now - retention * 86400
        for path in sorted(Path(settings.raw_log_dir).rglob("*")):
            if path.is_file() and path.stat().st_mtime < cutoff:
                result.files.append(path)
                if not dry_run:
                    path.unlink(missing_ok=True)
    result.keys = ActorKeys(settings.data_dir, now).purge(dry_run)
    with engine.connect().execution_options(**WRITE) as connection, connection.begin():
        result.rows.update(delete_expired_state(connection, now, dry_run))
        hours = table_of(PageHour)
        days = settings.hourly_row_retention_days or settings.hourly_window_days
        newest = connection.execute(select(func.max(hours.c.hour))).scalar()
        if newest is not None:
            where = hours.c.hour <= newest - days * 24
            if dry_run:
                count = connection.execute(select(func.count()).where(where)).scalar_one()
            else:
                count = connection.execute(delete(hours).where(where)).rowcount or 0
            result.rows[hours.name] = count
        connection.execute(
            insert(table_of(PurgeRun)),
            {
                "ran_at": datetime.now(UTC).replace(tzinfo=None),
                "dry_run": dry_run,
                "retention_days": retention,
                "files_deleted": 0 if dry_run else len(result.files),
                "rows_deleted": 0 if dry_run else sum(result.rows.values()),
                "details": json.dumps(
                    {
                        "files": len(result.files),
                        "keys": len(result.keys),
                        "rows": result.rows,
                    }
                ),
            },
        )
    return result
