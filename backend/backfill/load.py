"""Apply parsed files to the store with the ingest's own loader, all in one transaction.

Each file goes through :func:`backend.ingest.loader.load_parsed`, the function
``wikiviews ingest`` uses, in the ingest's file order, after its local project ids are
mapped to the store's (allocated in the same order as the ingest allocates them). One
transaction holds the whole run: a back-fill killed before its commit leaves the store as
it was. Files already recorded in the store are skipped, as the ingest skips them.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Connection, Engine, text

from backend.backfill.tasks import ParsedTask
from backend.db import WRITE
from backend.dumpfiles import identify
from backend.ingest import crashpoints
from backend.ingest.dialect import dialect_for
from backend.ingest.loader import FileFacts, load_parsed
from backend.ingest.parsed import ParsedFile, ProjectFilter
from backend.ingest.projects import ensure_projects


@dataclass
class LoadReport:
    """What a back-fill did, for its summary line and for benchmarks."""

    loaded: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    lines_read: int = 0
    rows: int = 0
    views: int = 0
    #: Seconds the parse tasks took, summed over tasks (one core each).
    parse_seconds: float = 0.0
    rejects: Counter[str] = field(default_factory=Counter)


def loaded_names(engine: Engine) -> set[str]:
    """Names of the files the store records as loaded (for any project)."""
    with engine.connect() as connection:
        return set(connection.execute(text("SELECT name FROM ingested_files")).scalars())


def _to_store_ids(connection: Connection, parsed: ParsedFile) -> None:
    """Replace ``parsed``'s local project ids by the store's, in place.

    Projects are created one at a time in order of first appearance, as the ingest's
    registry creates them, so both give every project the same id.
    """
    mapping = {
        local: ensure_projects(connection, [name])[name]
        for local, name in sorted(parsed.projects.items())
    }
    if all(local == store for local, store in mapping.items()):
        return
    parsed.remap_projects(mapping)


def load_all(
    engine: Engine,
    tasks: Iterable[ParsedTask],
    *,
    top_size: int,
    progress: Callable[[ParsedTask], None] | None = None,
) -> LoadReport:
    """Load every parsed file of ``tasks`` in one write transaction; returns the report."""
    report = LoadReport()
    known = loaded_names(engine)
    with engine.connect().execution_options(**WRITE) as connection:
        dialect = dialect_for(connection)
        try:
            with connection.begin():
                dialect.lock()
                for task in tasks:
                    if progress is not None:
                        progress(task)
                    _load_one(connection, task, known, report, top_size)
                crashpoints.reached("backfill-before-commit")
        finally:
            dialect.unlock()
    crashpoints.reached("backfill-committed")
    return report


def _load_one(
    connection: Connection,
    task: ParsedTask,
    known: set[str],
    report: LoadReport,
    top_size: int,
) -> None:
    path = Path(task.path)
    if task.parsed is None:
        report.failed.append((task.path, task.error))
        return
    if path.name in known:
        report.skipped.append(task.path)
        return
    started = time.perf_counter()
    parsed = task.parsed
    _to_store_ids(connection, parsed)
    facts = FileFacts(
        name=path.name,
        path=str(path.resolve()),
        size=task.size,
        sha256=task.sha256,
        projects="*",
        duration=task.seconds + time.perf_counter() - started,
    )
    load_parsed(
        connection,
        identify(path),
        parsed,
        ProjectFilter(),
        facts,
        hourly_window=False,
        top_size=top_size,
    )
    known.add(path.name)
    report.loaded.append(task.path)
    report.lines_read += parsed.lines_read
    report.rows += parsed.row_count
    report.views += parsed.views
    report.parse_seconds += task.seconds
    report.rejects.update(parsed.rejects)
