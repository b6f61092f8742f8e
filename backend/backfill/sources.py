"""The input files of a back-fill: local paths, or URIs read through Hadoop's FileSystem API.

A command-line argument is a URI when it starts with a scheme and a colon followed by a
slash (``file:///dumps``, ``hdfs://namenode/dumps``, ``s3a://bucket/dumps``); anything else
is a local path, expanded as ``wikiviews ingest`` expands it. ``file:`` URIs name local
files: the local engine reads them as paths, and the file is recorded under its local path
whichever engine read it, as the ingest records it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

from backend.dumpfiles import dump_order
from backend.ingest.run import MissingPath, expand_paths

_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:/")


class BadArgument(Exception):
    """A path or URI that cannot be read: missing, or of a scheme the engine cannot read."""


@dataclass(frozen=True)
class SourceFile:
    """One input file: where it is, its size, and whether Spark reads it through Hadoop."""

    #: The path as found (local), or the file's fully qualified Hadoop URI (``remote``).
    location: str
    size: int
    #: Read through Spark's Hadoop FileSystem API: the bytes are shipped to the task.
    remote: bool = False

    @property
    def name(self) -> str:
        """The file name, which says what the file holds."""
        return PurePosixPath(urlsplit(self.location).path if self.remote else self.location).name

    @property
    def recorded_path(self) -> str:
        """What ``ingested_files.path`` records: the resolved local path, or the URI."""
        local = file_uri_path(self.location) if self.remote else self.location
        return str(Path(local).resolve()) if local is not None else self.location


def is_uri(argument: str) -> bool:
    """Whether a command-line argument is a URI rather than a local path."""
    return _URI.match(argument) is not None


def file_uri_path(uri: str) -> str | None:
    """The local path a ``file:`` URI names (``None`` for other schemes).

    Read as Hadoop reads it: the rest of the URI is the path as written, not
    percent-decoded, so both engines find the same files.
    """
    match = re.match(r"^file:(?://(?:localhost)?(/.*)|(/(?!/).*))$", uri, re.IGNORECASE)
    return (match.group(1) or match.group(2)) if match else None


def expand_local(arguments: Iterable[str]) -> list[SourceFile]:
    """The files named by local paths and ``file:`` URIs, as ``wikiviews ingest`` finds them.

    Raises :class:`BadArgument` for a URI of another scheme (only Spark reads those) and
    for arguments that match no file.
    """
    found: list[SourceFile] = []
    missing: list[str] = []
    for argument in arguments:
        local = argument
        if is_uri(argument):
            local = file_uri_path(argument) or ""
            scheme = argument.split(":", 1)[0]
            if not local and scheme.lower() == "file":
                raise BadArgument(f"{argument}: not a local file URI (file:///path)")
            if not local:
                raise BadArgument(
                    f"{argument}: --engine local reads local paths and file:// URIs; "
                    f"{scheme}:// URIs need --engine spark"
                )
        try:
            found.extend(SourceFile(str(path), _size(path)) for path in expand_paths([local]))
        except MissingPath:
            missing.append(argument)
    if missing:
        raise BadArgument(f"no such file or directory: {', '.join(missing)}")
    return in_load_order(found)


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:  # gone since it was listed: the parse task reports it
        return -1


def in_load_order(files: Sequence[SourceFile]) -> list[SourceFile]:
    """``files`` without repeats, oldest hour first, as the ingest orders its files."""
    unique = dict.fromkeys(files)
    return sorted(unique, key=lambda source: dump_order(source.name))
