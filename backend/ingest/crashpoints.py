"""Deterministic crash hooks for tests: kill the process after N rows or at a named stage.

``WIKIVIEWS_TEST_KILL_AFTER_ROWS=N`` kills the process with SIGKILL once N rows have been sent
to the store (counted across files); ``WIKIVIEWS_TEST_KILL_AT=STAGE`` kills it when the load
reaches STAGE (``rows-filled``, ``titles``, ``counts``, ``rollups``, ``before-commit``,
``committed``). Both are read at each use, so they cost nothing when unset.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Iterable, Iterator

KILL_AFTER_ROWS = "WIKIVIEWS_TEST_KILL_AFTER_ROWS"
KILL_AT = "WIKIVIEWS_TEST_KILL_AT"

_rows_sent = 0


def _kill() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def kill_after_rows() -> int | None:
    """The row count at which to die, or ``None``."""
    value = os.environ.get(KILL_AFTER_ROWS)
    return int(value) if value else None


def counted(rows: Iterable[tuple]) -> Iterable[tuple]:
    """``rows`` as they are, or, under the row hook, counted on their way to the store."""
    limit = kill_after_rows()
    return rows if limit is None else _counting(rows, limit)


def _counting(rows: Iterable[tuple], limit: int) -> Iterator[tuple]:
    global _rows_sent
    for row in rows:
        yield row
        _rows_sent += 1
        if _rows_sent >= limit:
            _kill()


def reached(stage: str) -> None:
    """Die if the test asked to be killed at ``stage``."""
    if os.environ.get(KILL_AT) == stage:
        _kill()
