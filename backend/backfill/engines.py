"""Where the parse tasks run: in this process (``local``) or on a Spark cluster (``spark``).

Both yield the files' results in the order given, so the loader applies them in the
ingest's order whatever order the tasks finished in.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from backend.backfill.tasks import ParsedTask, parse_file

ENGINES = ("local", "spark")


class EngineUnavailable(Exception):
    """The chosen engine cannot run here (pyspark or Java missing, master unreachable)."""


def parse_local(paths: Sequence[str]) -> Iterator[ParsedTask]:
    """Parse ``paths`` one after the other in this process."""
    for path in paths:
        yield parse_file(path)


def parse_all(engine: str, paths: Sequence[str], master: str | None) -> Iterator[ParsedTask]:
    """Parse ``paths`` with ``engine``; results come in the order of ``paths``."""
    if engine == "local":
        return parse_local(paths)
    from backend.backfill.spark import parse_on_spark

    return parse_on_spark(paths, master or "local[*]")
