"""The unit of work of a back-fill: parse one dump file completely.

Runs on Spark executors as well as in the driver, so it takes and returns only picklable
values and imports nothing from Spark. A task is pure: running it twice (Spark retrying a
task whose executor died) gives the same result.
"""

from __future__ import annotations

import hashlib
import os
import signal
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from backend.backfill.sources import SourceFile
from backend.dumpfiles import UnknownFileName, identify
from backend.ingest.parsed import ParsedFile, ProjectFilter
from backend.ingest.reader import UnreadableFile, file_digest
from backend.ingest.run import parse_dump

#: Test hook for standalone clusters: the first attempt at this file name kills the process
#: group its executor runs in (the worker daemon, its executor JVMs and their Python workers).
KILL_WORKER_AT_FILE = "WIKIVIEWS_TEST_KILL_WORKER_AT_FILE"


def _parent(pid: int) -> int:
    with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
        return int(stat.read().rsplit(")", 1)[1].split()[1])


def _kill_worker() -> None:
    """SIGKILL the nearest ancestor process group that is not this process's own.

    PySpark's Python daemon puts itself in a group of its own; the executor JVM above it
    shares the worker daemon's group.
    """
    own, pid = os.getpgid(0), os.getpid()
    while pid > 1:
        pid = _parent(pid)
        group = os.getpgid(pid)
        if group != own:
            os.killpg(group, signal.SIGKILL)
            return


@dataclass(frozen=True)
class ParseJob:
    """One file to parse, for the projects still to load from it."""

    source: SourceFile
    projects: ProjectFilter
    hourly_window: bool


@dataclass
class ParsedTask:
    """What parsing one file gave: the parsed counts, or why the file cannot be loaded."""

    source: SourceFile
    parsed: ParsedFile | None
    size: int = 0
    sha256: str = ""
    seconds: float = 0.0
    error: str = ""


def _maybe_kill_worker(name: str, attempt: int) -> None:
    if attempt == 0 and os.environ.get(KILL_WORKER_AT_FILE) == name:
        _kill_worker()


def parse_job(job: ParseJob, attempt: int = 0) -> ParsedTask:
    """Parse the local file of ``job`` as the ingest does.

    Project ids in the result are local (0, 1, 2 … in order of first appearance); the
    loader maps them to the store's ids. ``attempt`` is Spark's attempt number (0 first).
    """
    _maybe_kill_worker(job.source.name, attempt)
    path = Path(job.source.location)
    try:
        size = path.stat().st_size
    except OSError as exc:
        return ParsedTask(job.source, None, error=f"{path}: {exc.strerror or exc}")
    return _parse(job, path, size, lambda: file_digest(path), shown=str(path))


def parse_bytes(job: ParseJob, data: bytes, attempt: int = 0) -> ParsedTask:
    """Parse a file read through Hadoop (``data``: its bytes as stored) as the ingest does.

    The parser reads files, so the bytes go to a scratch copy under the file's own name in
    Spark's local directory (``SPARK_LOCAL_DIRS``), removed afterwards. Messages name the URI.
    """
    _maybe_kill_worker(job.source.name, attempt)
    local_dirs = os.environ.get("SPARK_LOCAL_DIRS", "")
    with tempfile.TemporaryDirectory(dir=local_dirs.split(",")[0] or None) as scratch:
        path = Path(scratch) / job.source.name
        path.write_bytes(data)
        size, digest = len(data), hashlib.sha256(data).hexdigest()
        task = _parse(job, path, size, lambda: digest, shown=job.source.location)
    task.error = task.error.replace(str(path), job.source.location)
    return task


def _parse(
    job: ParseJob, path: Path, size: int, digest: Callable[[], str], shown: str
) -> ParsedTask:
    """Parse ``path`` with the ingest's checks and messages (``shown``: the file as named)."""
    started = time.perf_counter()
    try:
        dump = identify(path)
        parsed = parse_dump(dump, job.projects, hourly_window=job.hourly_window)
        checksum = digest()
    except UnknownFileName as exc:
        return ParsedTask(job.source, None, error=str(exc))
    except UnreadableFile as exc:
        return ParsedTask(job.source, None, error=f"{exc}; nothing of it was loaded")
    except OSError as exc:
        return ParsedTask(job.source, None, error=f"{shown}: {exc.strerror or exc}")
    if parsed.lines_read == 0:
        return ParsedTask(job.source, None, error=f"{shown}: holds no lines; nothing was recorded")
    return ParsedTask(job.source, parsed, size, checksum, time.perf_counter() - started)
