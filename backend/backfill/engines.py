"""Where the parse tasks run: in this process (``local``) or on a Spark cluster (``spark``).

An engine finds the files of the command line and parses them. Both yield the files'
results in the order given, so the loader applies them in the ingest's order whatever
order the tasks finished in.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Protocol

from backend.backfill.sources import SourceFile, expand_local
from backend.backfill.tasks import ParsedTask, ParseJob, parse_job

ENGINES = ("local", "spark")


class EngineUnavailable(Exception):
    """The chosen engine cannot run here (pyspark or Java missing, master unreachable)."""


class Engine(Protocol):
    """Finds the input files and parses them."""

    def expand(self, arguments: Sequence[str]) -> list[SourceFile]:
        """The files named by ``arguments``, in load order (raises ``BadArgument``)."""

    def parse(self, jobs: Sequence[ParseJob]) -> Iterator[ParsedTask]:
        """Parse every job; results in the order of ``jobs``."""

    def close(self) -> None:
        """Release what the engine holds (Spark: stop the application)."""


class LocalEngine:
    """Local paths and ``file:`` URIs, parsed one after the other in this process."""

    def expand(self, arguments: Sequence[str]) -> list[SourceFile]:
        """See :meth:`Engine.expand`."""
        return expand_local(arguments)

    def parse(self, jobs: Sequence[ParseJob]) -> Iterator[ParsedTask]:
        """See :meth:`Engine.parse`."""
        for job in jobs:
            yield parse_job(job)

    def close(self) -> None:
        """Nothing to release."""


def open_engine(name: str, master: str | None) -> Engine:
    """The engine called ``name`` (Spark starts when it first needs the cluster)."""
    if name == "local":
        return LocalEngine()
    from backend.backfill.spark import SparkEngine

    return SparkEngine(master or "local[*]")
