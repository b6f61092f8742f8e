"""Run ``wikiviews ingest …`` in this process and tell where its wall time goes, by phase.

Usage (the store is chosen by the usual ``WIKIVIEWS_*`` variables)::

    WIKIVIEWS_DATA_DIR=/tmp/wv .venv/bin/python bench/sqltrace.py FILE [--project …]

Every SQL statement is timed through SQLAlchemy's cursor events, and three functions are
wrapped at run time (nothing in ``backend/`` is changed): the parser (``parse_dump``), the
bulk fill of the temporary table (``Dialect.fill``, which bypasses SQLAlchemy) and the
migration step (``db.upgrade``). The table printed at the end lists the phases and the
slowest statements (normalised to their first words), with calls, seconds and share.
"""

from __future__ import annotations

import re
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine

_totals: dict[str, list[float]] = defaultdict(lambda: [0, 0.0])
_depth = [0]


def _add(key: str, seconds: float) -> None:
    entry = _totals[key]
    entry[0] += 1
    entry[1] += seconds


def _normalise(statement: str) -> str:
    """A statement's first 110 characters with whitespace and literals folded."""
    text = re.sub(r"\s+", " ", statement).strip()
    text = re.sub(r"\b\d+\b", "N", text)
    return text[:110]


@event.listens_for(Engine, "before_cursor_execute")
def _before(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool):
    conn.info.setdefault("trace_started", []).append(time.perf_counter())


@event.listens_for(Engine, "after_cursor_execute")
def _after(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool):
    started = conn.info["trace_started"].pop()
    if _depth[0] == 0:  # statements inside a wrapped phase count towards that phase
        _add("sql: " + _normalise(statement), time.perf_counter() - started)


def _wrap(owner: Any, name: str, label: str) -> None:
    original: Callable[..., Any] = getattr(owner, name)

    def timed(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        _depth[0] += 1
        try:
            return original(*args, **kwargs)
        finally:
            _depth[0] -= 1
            _add(label, time.perf_counter() - started)

    setattr(owner, name, timed)


def main() -> None:
    """Run the ingest command with the timers in place, then print the breakdown."""
    from backend import cli, db
    from backend.ingest import run
    from backend.ingest.dialect import Dialect, MariaDialect, PostgresDialect

    _wrap(db, "upgrade", "phase: migrations (db.upgrade)")
    _wrap(run, "parse_dump", "phase: parse (parse_dump)")
    for dialect in (Dialect, PostgresDialect, MariaDialect):
        if "fill" in vars(dialect):
            _wrap(dialect, "fill", f"phase: bulk fill of temp table ({dialect.__name__}.fill)")
    started = time.perf_counter()
    try:
        cli.main(["ingest", *sys.argv[1:]], standalone_mode=False)
    finally:
        wall = time.perf_counter() - started
        print(f"\nwall {wall:.1f} s in cli.main; breakdown (calls, seconds, share of wall):")
        rows = sorted(_totals.items(), key=lambda item: -item[1][1])
        for key, (calls, seconds) in rows[:25]:
            print(f"{seconds:8.2f} s {seconds / wall:6.1%} {int(calls):6d}×  {key}")
        traced = sum(seconds for _, seconds in _totals.values())
        print(f"{wall - traced:8.2f} s {(wall - traced) / wall:6.1%}          untraced Python")


if __name__ == "__main__":
    main()
