"""Decide, before anything is parsed, what a back-fill does with each file.

The decisions are those ``wikiviews ingest`` takes file by file: a file whose name says
nothing is refused, an empty one too; a file already loaded for every project asked for is
skipped, one loaded for some of them is parsed for the rest only, and one loaded before
with other content is refused. Skipped files cost no parse task, so re-running a back-fill
after a failure parses only what is missing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine

from backend.backfill.sources import SourceFile
from backend.backfill.tasks import ParseJob
from backend.dumpfiles import UnknownFileName, identify
from backend.ingest.parsed import ProjectFilter
from backend.ingest.reader import file_digest
from backend.ingest.run import remaining_filter
from backend.ingested import LoadedFile, loaded_files


@dataclass
class PlannedFile:
    """One input file and what to do with it: parse ``job``, or nothing (``message`` says why)."""

    source: SourceFile
    job: ParseJob | None = None
    status: str = "parse"  # "parse" | "skipped" | "failed"
    message: str = ""
    #: The store's record of the file when the plan was made (``None``: never loaded).
    record: LoadedFile | None = None


def plan(
    store: Engine, files: Sequence[SourceFile], projects: ProjectFilter, hourly_window: bool
) -> list[PlannedFile]:
    """What to do with each of ``files`` (in their order) for a load of ``projects``."""
    with store.connect() as connection:
        records = loaded_files(connection)
    planned: list[PlannedFile] = []
    seen: set[str] = set()
    for source in files:
        entry = _decide(source, records.get(source.name), projects, hourly_window)
        if entry.status == "parse" and source.name in seen:
            entry = PlannedFile(source, status="skipped", message="same name as a file before it")
        if entry.status == "parse":
            seen.add(source.name)
        planned.append(entry)
    return planned


def _decide(
    source: SourceFile, record: LoadedFile | None, projects: ProjectFilter, hourly_window: bool
) -> PlannedFile:
    try:
        identify(source.name)
    except UnknownFileName as exc:
        return PlannedFile(source, status="failed", message=str(exc))
    if source.size == 0:
        return PlannedFile(
            source,
            status="failed",
            message=f"{source.location}: empty file (0 bytes); nothing was recorded",
        )
    if record is not None and _changed(source, record):
        return PlannedFile(
            source,
            status="failed",
            message=f"{source.name} was loaded before with different content; "
            "`wikiviews ingest --replace` reloads it",
        )
    remaining = remaining_filter(record.loaded if record else None, projects)
    if remaining is None:
        return PlannedFile(source, status="skipped", message="already loaded", record=record)
    return PlannedFile(source, ParseJob(source, remaining, hourly_window), record=record)


def _changed(source: SourceFile, record: LoadedFile) -> bool:
    """Whether ``source`` is not the file ``record`` describes, as the ingest tells.

    A local file is read for its checksum only when it moved or changed since it was
    loaded; a file behind a URI is compared by size here and by checksum once parsed.
    """
    if source.size >= 0 and source.size != record.size:
        return True
    if source.remote:
        return False
    path = Path(source.location)
    if record.unchanged_at(path):
        return False
    try:
        return file_digest(path) != record.sha256
    except OSError:
        return False  # the parse task reports what is wrong with it
