"""Shared test helpers: write dump files, run the CLI, open a store, snapshot its content."""

from __future__ import annotations

import bz2
import gzip
import os
import subprocess
import sys
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Connection, text

from backend import db, series_codec
from backend.ingest import pending
from backend.settings import Settings
from backend.timeutil import month_days


def write_dump(directory: Path, name: str, lines: Iterable[str | bytes]) -> Path:
    """Write ``lines`` to ``directory/name``, compressed by the name's suffix."""
    data = b"".join((line if isinstance(line, bytes) else line.encode()) + b"\n" for line in lines)
    path = directory / name
    if name.endswith(".gz"):
        path.write_bytes(gzip.compress(data))
    elif name.endswith(".bz2"):
        path.write_bytes(bz2.compress(data))
    else:
        path.write_bytes(data)
    return path


def cli_env(settings: Settings, **extra: str) -> dict[str, str]:
    """Environment for a ``wikiviews`` subprocess using ``settings``' store."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("WIKIVIEWS_TEST_KILL")}
    env["WIKIVIEWS_DATA_DIR"] = settings.data_dir
    env["WIKIVIEWS_DATABASE_URL"] = settings.database_url
    env.update(extra)
    return env


def run_cli(settings: Settings, *args: str, **extra_env: str) -> subprocess.CompletedProcess:
    """Run ``wikiviews ARGS`` in a real subprocess against ``settings``' store."""
    return subprocess.run(
        [sys.executable, "-m", "backend", *args],
        env=cli_env(settings, **extra_env),
        capture_output=True,
        text=True,
        timeout=300,
    )


@contextmanager
def store_connection(settings: Settings, *, write: bool = False) -> Iterator[Connection]:
    """A connection to ``settings``' store; its engine is disposed afterwards.

    With ``write`` the connection runs in a transaction committed at the end (rolled back
    on an exception); without it, reads only.
    """
    engine = db.make_engine(settings)
    try:
        if write:
            with engine.begin() as connection:
                yield connection
        else:
            with engine.connect() as connection:
                yield connection
    finally:
        engine.dispose()


def snapshot(settings: Settings) -> dict[str, object]:
    """The store's logical content, the same whether days are packed or not."""
    with store_connection(settings) as connection:
        titles = {
            tid: f"{name}|{title}"
            for tid, name, title in connection.execute(
                text(
                    "SELECT t.id, p.name, t.title FROM titles t "
                    "JOIN projects p ON p.id = t.project_id"
                )
            )
        }
        names = dict(connection.execute(text("SELECT id, name FROM projects")).all())
        counts: dict[tuple, int] = defaultdict(int)
        for _pid, day, tid, series, views in connection.execute(
            text("SELECT project_id, day, title_id, series, views FROM day_counts")
        ):
            counts[(titles[tid], day, series)] += views
        for _pid, month, tid, packed in connection.execute(
            text("SELECT project_id, month, title_id, packed FROM page_months")
        ):
            first = month_days(month)[0]
            for series, per_day in series_codec.unpack(bytes(packed)).items():
                for slot, views in per_day.items():
                    counts[(titles[tid], first + slot, series)] += views

        # Rows of days still pending count as what they are: views of their titles.
        for pid, day, _source, title, series, views in pending.iter_pending(connection):
            counts[(f"{names[pid]}|{title}", day, series)] += views

        def table(sql: str) -> list[tuple]:
            return sorted(
                tuple(names.get(v, v) if i == 0 else v for i, v in enumerate(row))
                for row in connection.execute(text(sql))
            )

        result = {
            "counts": {k: v for k, v in counts.items() if v},
            "project_hours": table("SELECT project_id, hour, series, views FROM project_hours"),
            "project_days": table("SELECT project_id, day, series, views FROM project_days"),
            "project_months": table("SELECT project_id, month, series, views FROM project_months"),
            "published": table("SELECT project_id, day, source FROM published_days"),
            "top": sorted(
                (names[p], g, period, access, pos, titles[tid], views, rank)
                for p, g, period, access, pos, tid, views, rank in connection.execute(
                    text(
                        "SELECT project_id, granularity, period, access, position, title_id, "
                        "views, rank FROM top_articles"
                    )
                )
            ),
            "page_hours": sorted(
                (titles[tid], hour, series, views)
                for _p, tid, hour, series, views in connection.execute(
                    text("SELECT project_id, title_id, hour, series, views FROM page_hours")
                )
            ),
        }
    return result
