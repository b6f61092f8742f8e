"""The unit of work of a back-fill: parse one dump file completely.

Runs on Spark executors as well as in the driver, so it takes and returns only picklable
values and imports nothing from Spark. A task is pure: running it twice (Spark retrying a
task whose executor died) gives the same result.
"""

from __future__ import annotations

import os
import signal
import time
from dataclasses import dataclass
from pathlib import Path

from backend.ingest.filenames import UnknownFileName, identify
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


@dataclass
class ParsedTask:
    """What parsing one file gave: the parsed counts, or why the file cannot be loaded."""

    path: str
    parsed: ParsedFile | None
    size: int = 0
    sha256: str = ""
    seconds: float = 0.0
    error: str = ""


def parse_file(path_text: str, attempt: int = 0) -> ParsedTask:
    """Parse the dump at ``path_text`` as the ingest does, for every project.

    Project ids in the result are local (0, 1, 2 … in order of first appearance); the
    loader maps them to the store's ids. ``attempt`` is Spark's attempt number (0 first).
    """
    started = time.perf_counter()
    path = Path(path_text)
    if attempt == 0 and os.environ.get(KILL_WORKER_AT_FILE) == path.name:
        _kill_worker()
    try:
        dump = identify(path)
        parsed = parse_dump(dump, ProjectFilter(), hourly_window=False)
        size, digest = path.stat().st_size, file_digest(path)
    except UnknownFileName as exc:
        return ParsedTask(path_text, None, error=str(exc))
    except UnreadableFile as exc:
        return ParsedTask(path_text, None, error=f"{exc}; nothing of it was loaded")
    except OSError as exc:
        return ParsedTask(path_text, None, error=f"{path}: {exc.strerror or exc}")
    return ParsedTask(path_text, parsed, size, digest, time.perf_counter() - started)
