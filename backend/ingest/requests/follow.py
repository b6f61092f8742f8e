"""``ingest-requests --follow FILE``: tail a growing log, load each hour once it is closed.

Lines are read as the web server appends them and grouped by hour. An hour is *closed* when
a line at least ``grace`` minutes into a later hour has been read (servers write slightly out
of order); it is then loaded as one input, named ``FILE@YYYY-MM-DDTHH``, in one transaction.
Lines that arrive for an hour already loaded are counted as late and dropped.

Stopping and restarting loses and doubles nothing: after each load the state file
(``follow/<name>.json`` in the data directory) records the file's device and inode and the
offset of the first line of the oldest hour still open. A restart reads on from there: in
the same file, or, when the log was rotated meanwhile (renamed, a new file created at the
path), first to the end of the rotated file (found by its inode in the same directory),
then the new one from its start. Hours already loaded are recognised by name and skipped.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from sqlalchemy import Engine, select

from backend.ingest.projects import ProjectRegistry
from backend.ingest.requests.gate import hour_stamp
from backend.ingest.requests.readers import LogReader
from backend.ingest.requests.records import Rejected
from backend.ingest.requests.run import Pipeline, RequestOutcome, ingest_requests
from backend.ingest.requests.upserts import table_of
from backend.models import IngestedFile


@dataclass
class _Open:
    """Lines of one hour not yet loaded, and where the first of them starts."""

    lines: list[bytes] = field(default_factory=list)
    first_offset: tuple[int, int] = (0, 0)  # (inode, offset)


class Follower:
    """Tails one log file; :meth:`poll` reads what is new and loads closed hours."""

    def __init__(
        self,
        engine: Engine,
        pipeline: Pipeline,
        registry: ProjectRegistry,
        path: Path,
        grace_minutes: int = 5,
    ):
        self.engine = engine
        self.pipeline = pipeline
        self.registry = registry
        self.path = path
        self.grace = grace_minutes
        self.state_path = Path(pipeline.settings.data_dir) / "follow" / f"{path.name}.json"
        self.reader = LogReader(pipeline.default_host, pipeline.now)
        self.open: dict[int, _Open] = {}
        self.late = 0
        self._handle: BinaryIO | None = None
        self._inode = 0
        self._partial = b""
        self._latest_minute = 0
        self.last_hour: int | None = None
        self._resume()

    # -- state ------------------------------------------------------------------------------
    def _resume(self) -> None:
        try:
            state = json.loads(self.state_path.read_text())
        except (FileNotFoundError, ValueError):
            self._open_path(0)
            return
        inode, offset = state["inode"], state["offset"]
        self.last_hour = state.get("last_hour")
        current = self._stat_inode(self.path)
        if current == inode:
            self._open_path(offset)
            return
        rotated = self._find_inode(inode)
        if rotated is None:  # the old file is gone: start the new one from its start
            self._open_path(0)
            return
        self._handle = rotated.open("rb")
        self._handle.seek(offset)
        self._inode = inode

    def _save(self) -> None:
        if self.open:
            inode, offset = min(o.first_offset for o in self.open.values())
        else:
            inode, offset = self._position()
        self.state_path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.state_path.with_suffix(".tmp")
        state = {"inode": inode, "offset": offset, "last_hour": self.last_hour}
        temporary.write_text(json.dumps(state))
        os.replace(temporary, self.state_path)

    @staticmethod
    def _stat_inode(path: Path) -> int | None:
        try:
            return path.stat().st_ino
        except FileNotFoundError:
            return None

    def _find_inode(self, inode: int) -> Path | None:
        for candidate in self.path.parent.iterdir():
            if candidate != self.path and self._stat_inode(candidate) == inode:
                return candidate
        return None

    def _open_path(self, offset: int) -> None:
        if self._handle is not None:
            self._handle.close()
        self._handle = None
        if self._stat_inode(self.path) is None:
            return
        self._handle = self.path.open("rb")
        self._inode = os.fstat(self._handle.fileno()).st_ino
        self._handle.seek(offset)
        self._partial = b""

    # -- reading ----------------------------------------------------------------------------
    def poll(self) -> list[RequestOutcome]:
        """Read what the file gained, follow a rotation, load the hours that closed."""
        outcomes: list[RequestOutcome] = []
        while True:
            self._read_available()
            if self._stat_inode(self.path) not in (None, self._inode):
                self._open_path(0)  # rotated: the old file is read to its end above
                continue
            break
        now = self.pipeline.now if self.pipeline.now is not None else time.time()
        newest = max(self._latest_minute, int(now // 60))
        closed = [hour for hour in sorted(self.open) if newest >= (hour + 1) * 60 + self.grace]
        if self.last_hour is not None:  # quiet hours in between are zeros, not gaps
            last_closed = (newest - self.grace) // 60 - 1
            for hour in range(self.last_hour + 1, last_closed + 1):
                if hour not in self.open:
                    self.open[hour] = _Open(first_offset=self._position())
                    closed.append(hour)
        for hour in sorted(closed):
            outcomes.append(self._load(hour))
        return outcomes

    def _position(self) -> tuple[int, int]:
        if self._handle is None:
            return (self._inode, 0)
        return (self._inode, self._handle.tell() - len(self._partial))

    def _read_available(self) -> None:
        if self._handle is None:
            return
        while True:
            offset = self._handle.tell() - len(self._partial)
            chunk = self._handle.readline()
            if not chunk:
                return
            if not chunk.endswith(b"\n"):
                self._partial += chunk  # the server is mid-line: wait for the rest
                continue
            line, self._partial = self._partial + chunk, b""
            self._take(line, offset)

    def _take(self, line: bytes, offset: int) -> None:
        try:
            text = line.decode("utf-8").strip()
            if not text:
                return
            parse = self.reader.parse_json if text.startswith("{") else self.reader.parse_combined
            request = parse(text)
        except (UnicodeDecodeError, Rejected):
            hour = None
        else:
            hour = request.hour
            self._latest_minute = max(self._latest_minute, request.minute)
        if hour is None:  # a bad line goes with the newest open hour, to be counted there
            hour = max(self.open, default=None)
            if hour is None:
                return
        if hour not in self.open:
            if (self.last_hour is not None and hour <= self.last_hour) or self._loaded(hour):
                self.late += 1
                return
            self.open[hour] = _Open(first_offset=(self._inode, offset))
        self.open[hour].lines.append(line)

    def _name(self, hour: int) -> str:
        return f"{self.path.name}@{hour_stamp(hour)}"

    def _loaded(self, hour: int) -> bool:
        table = table_of(IngestedFile)
        with self.engine.connect() as connection:
            return (
                connection.execute(
                    select(table.c.id).where(
                        table.c.name.startswith(f"{self._name(hour)}#", autoescape=True)
                    )
                ).first()
                is not None
            )

    def _load(self, hour: int) -> RequestOutcome:
        pending = self.open.pop(hour)
        outcome = ingest_requests(
            self.engine,
            self.pipeline,
            str(self.path),
            self.registry,
            data=b"".join(pending.lines),
            name=self._name(hour),
            cover=(hour, hour),
        )
        if outcome.status != "failed":
            self.last_hour = hour if self.last_hour is None else max(self.last_hour, hour)
            self._save()
        else:  # keep the hour to retry at the next poll
            self.open[hour] = pending
        return outcome

    def close(self) -> None:
        """Close the file (open hours stay unloaded; a restart reads them again)."""
        if self._handle is not None:
            self._handle.close()


def follow(
    follower: Follower,
    report: Callable[[RequestOutcome], None],
    *,
    poll_seconds: float = 5.0,
    stop: Callable[[], bool] = lambda: False,
) -> None:
    """Poll until ``stop()`` is true (Ctrl-C stops the command)."""
    while True:
        for outcome in follower.poll():
            report(outcome)
        if stop():
            return
        time.sleep(poll_seconds)
