"""Apply parsed files to the store with the ingest's own loader, all in one transaction.

Each file goes through :func:`backend.ingest.loader.load_parsed`, the function
``wikiviews ingest`` uses, in the ingest's file order, after its local project ids are
mapped to the store's (allocated in the same order as the ingest allocates them). One
transaction holds the whole run: a back-fill killed before its commit leaves the store as
it was. What to load of each file was decided by :mod:`backend.backfill.plan`.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from sqlalchemy import Connection, Engine

from backend.backfill.plan import PlannedFile
from backend.backfill.tasks import ParsedTask
from backend.db import WRITE
from backend.dumpfiles import identify
from backend.ingest import crashpoints
from backend.ingest.dialect import dialect_for
from backend.ingest.loader import FileFacts, load_parsed
from backend.ingest.parsed import ParsedFile
from backend.ingest.projects import ensure_projects
from backend.ingest.run import loaded_for
from backend.ingested import loaded_file


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
    planned: Sequence[PlannedFile],
    tasks: Iterable[ParsedTask],
    *,
    top_size: int,
    progress: Callable[[PlannedFile], None] | None = None,
) -> LoadReport:
    """Load the files of ``planned`` in one write transaction; returns the report.

    ``tasks`` yields the parse results of the planned files that have a job, in order.
    """
    report = LoadReport()
    results = iter(tasks)
    with engine.connect().execution_options(**WRITE) as connection:
        dialect = dialect_for(connection)
        try:
            with connection.begin():
                dialect.lock()
                for entry in planned:
                    if progress is not None:
                        progress(entry)
                    if entry.job is None:
                        _note(report, entry.status, entry.source.location, entry.message)
                        continue
                    _load_one(connection, entry, next(results), report, top_size)
                crashpoints.reached("backfill-before-commit")
        finally:
            dialect.unlock()
    crashpoints.reached("backfill-committed")
    return report


def _note(report: LoadReport, status: str, location: str, message: str) -> None:
    if status == "failed":
        report.failed.append((location, message))
    else:
        report.skipped.append(location)


def _load_one(
    connection: Connection,
    entry: PlannedFile,
    task: ParsedTask,
    report: LoadReport,
    top_size: int,
) -> None:
    assert entry.job is not None and task.source == entry.source
    source, job = entry.source, entry.job
    if task.parsed is None:
        report.failed.append((source.location, task.error))
        return
    # The store is locked now: a file another process loaded since the plan is skipped.
    record = loaded_file(connection, source.name)
    if record != entry.record:
        report.skipped.append(source.location)
        return
    if record is not None and task.sha256 != record.sha256:
        report.failed.append(
            (
                source.location,
                f"{source.name} was loaded before with different content; "
                "`wikiviews ingest --replace` reloads it",
            )
        )
        return
    started = time.perf_counter()
    parsed = task.parsed
    _to_store_ids(connection, parsed)
    loaded = loaded_for(job.projects)
    if record is not None:
        loaded = loaded.union(record.loaded)
    facts = FileFacts(
        name=source.name,
        path=source.recorded_path,
        size=task.size,
        sha256=task.sha256,
        projects=loaded.text(),
        duration=task.seconds + time.perf_counter() - started,
    )
    load_parsed(
        connection,
        identify(source.name),
        parsed,
        job.projects,
        facts,
        hourly_window=job.hourly_window,
        top_size=top_size,
    )
    report.loaded.append(source.location)
    report.lines_read += parsed.lines_read
    report.rows += parsed.row_count
    report.views += parsed.views
    report.parse_seconds += task.seconds
    report.rejects.update(parsed.rejects)
