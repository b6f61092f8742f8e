"""What a file was loaded for: the ``projects`` column of ``ingested_files``.

A file loaded for every wiki is recorded as ``*``; a file loaded with ``--project`` as the
sorted comma list of the projects it was loaded for, so that a later load for another project
reads it again for that project only. This module is the one place that reads and writes
that text, and that reads the record of a file (:class:`LoadedFile`).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Connection, select

from backend.dumpfiles import DumpFile, identify
from backend.models import IngestedFile, core

ALL = "*"


@dataclass(frozen=True)
class LoadedFor:
    """The projects a file was loaded for: every project, or the ``names`` given."""

    names: frozenset[str] = frozenset()
    everything: bool = False

    @classmethod
    def parse(cls, text: str) -> LoadedFor:
        """Read the recorded text (``*`` or ``a,b``)."""
        if text == ALL:
            return cls(everything=True)
        return cls(frozenset(name for name in text.split(",") if name))

    def text(self) -> str:
        """The text to record."""
        return ALL if self.everything else ",".join(sorted(self.names))

    def union(self, other: LoadedFor) -> LoadedFor:
        """Loaded for both."""
        if self.everything or other.everything:
            return LoadedFor(everything=True)
        return LoadedFor(self.names | other.names)

    def covers(self, only: frozenset[str] | None) -> bool:
        """Whether a load of ``only`` (``None``: every project) needs nothing more."""
        if self.everything:
            return True
        return only is not None and only <= self.names


#: Loaded for every project.
EVERYTHING = LoadedFor(everything=True)


@dataclass(frozen=True)
class LoadedFile:
    """A file as ``ingested_files`` records it."""

    name: str
    path: str
    size: int
    sha256: str
    source: int
    kind: str
    first_hour: int
    hours: int
    projects: str  # "*" or a comma-separated list of project names (see LoadedFor)
    loaded_at: datetime  # naive UTC

    def unchanged_at(self, path: Path) -> bool:
        """Whether ``path`` is the file as loaded, known without reading it.

        True when it is the recorded path, of the recorded size, not modified since it was
        loaded; otherwise only its SHA-256 can tell.
        """
        try:
            status = path.stat()
        except OSError:
            return False
        modified = datetime.fromtimestamp(status.st_mtime, UTC).replace(tzinfo=None)
        return (
            str(path.resolve()) == self.path
            and status.st_size == self.size
            and modified < self.loaded_at
        )

    @property
    def loaded(self) -> LoadedFor:
        """The projects it was loaded for."""
        return LoadedFor.parse(self.projects)

    @property
    def dump(self) -> DumpFile:
        """What the file is, by its recorded name, read from its recorded path."""
        return dataclasses.replace(identify(self.name), path=Path(self.path))


_FILES = core(IngestedFile)
_RECORD = select(*(_FILES.c[f.name] for f in dataclasses.fields(LoadedFile)))


def loaded_file(connection: Connection, name: str) -> LoadedFile | None:
    """The record of a loaded file by name, or ``None``."""
    row = connection.execute(_RECORD.where(_FILES.c.name == name)).one_or_none()
    return None if row is None else LoadedFile(*row)


def loaded_files(connection: Connection) -> dict[str, LoadedFile]:
    """The record of every loaded file, by name."""
    return {row.name: LoadedFile(*row) for row in connection.execute(_RECORD)}


def files_covering(connection: Connection, hour: int) -> list[LoadedFile]:
    """Every loaded file whose hours include ``hour``, by name."""
    rows = connection.execute(
        _RECORD.where(
            _FILES.c.first_hour <= hour, _FILES.c.first_hour + _FILES.c.hours > hour
        ).order_by(_FILES.c.name)
    )
    return [LoadedFile(*row) for row in rows]
