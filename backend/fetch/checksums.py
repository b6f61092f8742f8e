"""The checksum files published beside the dumps, and checking a download against them.

Each month directory may hold ``md5sums.txt`` and ``sha1sums.txt`` in the ``md5sum`` /
``sha1sum`` output format (``<hex digest>  <file name>``, one file a line). Some months, and
some mirrors, publish none: then a file cannot be checked against a published digest, and
the archive's own integrity check (gzip and bzip2 carry a CRC of their content, which the
ingest verifies while it reads the whole file) is what stands between a bad download and
the store. A file that appears at the live edge before its month's checksum file lists it
is looked up again once, after its download.
"""

from __future__ import annotations

import hashlib
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

#: Checksum file names, tried in this order; each maps to its hashlib algorithm.
CHECKSUM_FILES = (("md5sums.txt", "md5"), ("sha1sums.txt", "sha1"))
_LINE = re.compile(r"^([0-9a-fA-F]{32,128})\s+\*?(\S+)\s*$")


@dataclass(frozen=True)
class Expected:
    """A published digest of one file."""

    algorithm: str
    digest: str
    source: str  # the checksum file's name


def parse_checksums(text: str) -> dict[str, str]:
    """``{file name: lower-case hex digest}`` from ``md5sum``-style text (other lines ignored)."""
    found: dict[str, str] = {}
    for line in text.splitlines():
        if match := _LINE.match(line.strip()):
            found[match.group(2).rsplit("/", 1)[-1]] = match.group(1).lower()
    return found


def file_hexdigest(path: Path, algorithm: str) -> str:
    """The hex digest of a file's bytes."""
    digest = hashlib.new(algorithm)
    with path.open("rb") as stream:
        while block := stream.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


class ChecksumBook:
    """The checksum files of month directories, fetched once each and shared by threads.

    ``get_text(relative_path)`` returns a file's text, or ``None`` when it is not there (404).
    """

    def __init__(self, get_text: Callable[[str], str | None]):
        self._get_text = get_text
        self._lock = threading.Lock()
        self._directories: dict[str, list[tuple[str, str, dict[str, str]]]] = {}
        self._fetches: dict[str, int] = {}

    def _load(self, directory: str) -> list[tuple[str, str, dict[str, str]]]:
        books = []
        for name, algorithm in CHECKSUM_FILES:
            text = self._get_text(f"{directory}/{name}")
            if text is not None:
                books.append((name, algorithm, parse_checksums(text)))
        return books

    def generation(self, directory: str) -> int:
        """How many times ``directory``'s checksum files were fetched (0: never)."""
        with self._lock:
            return self._fetches.get(directory, 0)

    def expected(
        self, directory: str, name: str, *, newer_than: int | None = None
    ) -> Expected | None:
        """The published digest of ``name``, or ``None`` when no checksum file lists it.

        With ``newer_than`` (a :meth:`generation`), the directory's files are fetched again
        when they were last fetched no later than that and do not list ``name``.
        """
        with self._lock:
            books = self._directories.get(directory)
            stale = newer_than is not None and self._fetches.get(directory, 0) <= newer_than
            if books is None or (stale and not any(name in b[2] for b in books)):
                books = self._load(directory)
                self._directories[directory] = books
                self._fetches[directory] = self._fetches.get(directory, 0) + 1
        for source, algorithm, digests in books:
            if name in digests:
                return Expected(algorithm, digests[name], source)
        return None


def matches(path: Path, expected: Expected) -> bool:
    """Whether the file at ``path`` has the published digest."""
    return file_hexdigest(path, expected.algorithm) == expected.digest
