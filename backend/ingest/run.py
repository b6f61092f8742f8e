"""Ingest a list of dump files: skip what is loaded, parse, load each in one transaction.

A file is read completely before its transaction starts, so a corrupt archive is rejected
whole and the store never sees a part of it. Each file is recorded with the projects it was
loaded for; loading it again loads only projects it has not been loaded for (usually none).
"""

from __future__ import annotations

import glob
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine, delete, func, select
from sqlalchemy.exc import SQLAlchemyError

from backend.db import WRITE
from backend.dumpfiles import DumpFile, UnknownFileName, dump_order, identify, is_dump_name
from backend.ingest import crashpoints, replace
from backend.ingest.complete_dumps import parse_complete_dump
from backend.ingest.dialect import dialect_for
from backend.ingest.hourly_dumps import parse_hourly_dump
from backend.ingest.loader import FileFacts, load_parsed
from backend.ingest.packing import pack_settled
from backend.ingest.parsed import ParsedFile, ProjectFilter
from backend.ingest.projects import ProjectRegistry
from backend.ingest.reader import UnreadableFile, file_digest
from backend.ingested import EVERYTHING, LoadedFor, loaded_file
from backend.models import PageHour, core
from backend.settings import Settings


class MissingPath(Exception):
    """A path given on the command line that matches no file."""


@dataclass
class FileOutcome:
    """What happened to one file."""

    path: Path
    status: str  # "loaded" | "skipped" | "failed"
    message: str = ""
    #: Something to say about a loaded file (an implausible size for its kind).
    warning: str = ""
    lines_read: int = 0
    lines_rejected: int = 0
    rejects: Counter[str] = field(default_factory=Counter)
    skipped_lines: Counter[str] = field(default_factory=Counter)
    views: int = 0
    seconds: float = 0.0


def expand_paths(arguments: Iterable[str]) -> list[Path]:
    """Files named by ``arguments``: files, directories (searched recursively) or globs.

    Raises :class:`MissingPath` naming every argument that matches nothing.
    """
    found: list[Path] = []
    missing: list[str] = []
    for argument in arguments:
        matches = sorted(glob.glob(argument)) if glob.has_magic(argument) else [argument]
        matched = False
        for match in matches:
            path = Path(match)
            if path.is_dir():
                files = sorted(p for p in path.rglob("*") if p.is_file() and is_dump_name(p.name))
                found.extend(files)
                matched = True
            elif path.is_file():
                found.append(path)
                matched = True
        if not matched:
            missing.append(argument)
    if missing:
        raise MissingPath(", ".join(missing))
    # Oldest first: live-edge checks and packing see history before new hours.
    unique = dict.fromkeys(found)
    return sorted(unique, key=lambda path: dump_order(path.name))


def parse_dump(
    dump: DumpFile,
    projects: ProjectFilter,
    hourly_window: bool,
    on_lines: Callable[[int], None] | None = None,
    allocate: Callable[[str], int] | None = None,
) -> ParsedFile:
    """Parse any supported dump completely (raises ``UnreadableFile`` when corrupt)."""
    if dump.kind in ("pageviews", "pagecounts"):
        return parse_hourly_dump(dump, projects, on_lines=on_lines, allocate=allocate)
    return parse_complete_dump(
        dump, projects, hourly_window=hourly_window, on_lines=on_lines, allocate=allocate
    )


#: Fewest lines a real (all-wikis) dump of each kind holds: they hold millions; fewer than
#: this is a truncated or stand-in file, loaded with a warning.
PLAUSIBLE_LINES = {
    "pageviews": 10_000,
    "pagecounts": 10_000,
    "complete-daily": 100_000,
    "complete-monthly": 100_000,
}


def remaining_filter(loaded: LoadedFor | None, projects: ProjectFilter) -> ProjectFilter | None:
    """The part of ``projects`` not covered by ``loaded`` (``None``: nothing left)."""
    if loaded is None:
        return projects
    if loaded.covers(projects.only):
        return None
    if projects.only is not None:
        return ProjectFilter(projects.only - loaded.names)
    return ProjectFilter(exclude=projects.exclude | loaded.names)


def loaded_for(projects: ProjectFilter) -> LoadedFor:
    """What loading ``projects`` of a file records."""
    return EVERYTHING if projects.only is None else LoadedFor(projects.only)


def ingest_file(
    engine: Engine,
    settings: Settings,
    path: Path,
    projects: ProjectFilter,
    *,
    replace_loaded: bool = False,
    hourly: bool | None = None,
    on_lines: Callable[[int], None] | None = None,
    registry: ProjectRegistry | None = None,
) -> FileOutcome:
    """Load one file (see the module docstring); never raises for a bad file."""
    started = time.perf_counter()
    try:
        dump = identify(path)
    except UnknownFileName as exc:
        return FileOutcome(path, "failed", str(exc))
    hourly_window = settings.hourly_window_days > 0 and (
        hourly if hourly is not None else projects.only is not None
    )
    try:
        size = path.stat().st_size
    except OSError as exc:
        return FileOutcome(path, "failed", f"{path}: {exc.strerror or exc}")
    if size == 0:
        return FileOutcome(path, "failed", f"{path}: empty file (0 bytes); nothing was recorded")
    with engine.connect() as connection:
        record = None if replace_loaded else loaded_file(connection, path.name)
    digest = None
    if record is not None and not record.unchanged_at(path):
        # Only a changed file (or one elsewhere) costs a read of the whole file here.
        digest = file_digest(path) if size == record.size else None
        if digest != record.sha256:
            return FileOutcome(
                path,
                "failed",
                f"{path.name} was loaded before with different content; `--replace` reloads it",
            )
    remaining = remaining_filter(record.loaded if record else None, projects)
    if remaining is None:
        return FileOutcome(path, "skipped", "already loaded")
    own_registry = registry is None
    registry = registry or ProjectRegistry(engine)
    try:
        parsed = parse_dump(dump, remaining, hourly_window, on_lines, registry)
    except UnreadableFile as exc:
        return FileOutcome(path, "failed", f"{exc}; nothing of it was loaded")
    except OSError as exc:
        return FileOutcome(path, "failed", f"{path}: {exc.strerror or exc}")
    finally:
        if own_registry:
            registry.close()
    if parsed.lines_read == 0:
        return FileOutcome(path, "failed", f"{path}: holds no lines; nothing was recorded")
    try:
        _load(
            engine,
            settings,
            dump,
            parsed,
            remaining,
            replace_loaded,
            hourly_window,
            started,
            digest or file_digest(path),
        )
    except AlreadyLoaded:
        return FileOutcome(path, "skipped", "loaded meanwhile by another process")
    except SQLAlchemyError as exc:
        reason = str(exc.orig if getattr(exc, "orig", None) else exc).splitlines()[0]
        return FileOutcome(
            path, "failed", f"{path}: the store refused it ({reason}); nothing of it was loaded"
        )
    crashpoints.reached("committed")
    warning = ""
    if parsed.lines_read < PLAUSIBLE_LINES[dump.kind]:
        warning = (
            f"{path.name}: only {parsed.lines_read:,} lines, implausibly few for a "
            f"{dump.kind} dump (real ones hold millions); loaded anyway"
        )
    return FileOutcome(
        path,
        "loaded",
        warning=warning,
        lines_read=parsed.lines_read,
        lines_rejected=parsed.lines_rejected,
        rejects=parsed.rejects,
        skipped_lines=parsed.skipped,
        views=parsed.views,
        seconds=time.perf_counter() - started,
    )


class AlreadyLoaded(Exception):
    """Another process loaded the file between parsing and loading."""


def _load(
    engine: Engine,
    settings: Settings,
    dump: DumpFile,
    parsed: ParsedFile,
    remaining: ProjectFilter,
    replace_loaded: bool,
    hourly_window: bool,
    started: float,
    digest: str,
) -> None:
    """Apply a parsed file in one write transaction (see :func:`ingest_file`)."""
    path = dump.local_path
    with engine.connect().execution_options(**WRITE) as connection:
        dialect = dialect_for(connection)
        try:
            with connection.begin():
                dialect.lock()
                record = loaded_file(connection, path.name)
                loaded = loaded_for(remaining)
                if replace_loaded:
                    replace.remove_file(connection, dump, remaining, top_size=settings.top_size)
                elif record is not None and remaining_filter(record.loaded, remaining) is None:
                    raise AlreadyLoaded(path.name)
                if record is not None:
                    loaded = loaded.union(record.loaded)
                facts = FileFacts(
                    name=path.name,
                    path=str(path.resolve()),
                    size=path.stat().st_size,
                    sha256=digest,
                    projects=loaded.text(),
                    duration=time.perf_counter() - started,
                )
                load_parsed(
                    connection,
                    dump,
                    parsed,
                    remaining,
                    facts,
                    hourly_window=hourly_window,
                    top_size=settings.top_size,
                )
        finally:
            dialect.unlock()


def purge_hourly_window(engine: Engine, window_days: int) -> int:
    """Delete hourly per-page rows older than the window before the newest hour held."""
    with engine.connect().execution_options(**WRITE) as connection, connection.begin():
        hours = core(PageHour)
        newest = connection.execute(select(func.max(hours.c.hour))).scalar()
        if newest is None:
            return 0
        result = connection.execute(delete(hours).where(hours.c.hour <= newest - window_days * 24))
        return result.rowcount or 0


def finish(engine: Engine, settings: Settings, progress: Callable[[str], None] | None = None):
    """Work after a batch of loads: pack settled days, trim the hourly window."""
    packed = pack_settled(engine, settings.staging_days, settings.top_size, progress)
    purge_hourly_window(engine, settings.hourly_window_days)
    return packed
