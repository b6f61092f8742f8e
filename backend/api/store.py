"""The store as the API sees it: one read connection per request, optionally time-limited.

Time limits stop a runaway query on the server side: SQLite through a progress handler,
PostgreSQL with ``statement_timeout`` and MariaDB with ``max_statement_time``. A query that
runs out of time becomes a 503 problem, and the connection goes back to the pool clean.
"""

from __future__ import annotations

import time

from flask import current_app, g
from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import DBAPIError, OperationalError

from backend.api.problems import ApiProblem

#: Progress handler period in SQLite virtual machine instructions (~ tens of microseconds).
_SQLITE_STEPS = 10_000


def engine() -> Engine:
    """The app's engine."""
    return current_app.extensions["wikiviews_engine"]


def connection(*, limited: bool = False) -> Connection:
    """This request's read connection; ``limited`` applies the query time limit."""
    existing: Connection | None = g.get("_wikiviews_connection")
    if existing is None:
        existing = engine().connect()
        g._wikiviews_connection = existing
    if limited and not g.get("_wikiviews_limited"):
        timeout_ms = current_app.config["WIKIVIEWS_SETTINGS"].query_timeout_ms
        if timeout_ms > 0:
            _limit(existing, timeout_ms)
            g._wikiviews_limited = True
    return existing


def _limit(connection: Connection, timeout_ms: int) -> None:
    dialect = connection.dialect.name
    if dialect == "sqlite":
        deadline = time.monotonic() + timeout_ms / 1000
        raw = connection.connection.driver_connection
        raw.set_progress_handler(lambda: int(time.monotonic() > deadline), _SQLITE_STEPS)
    elif dialect == "postgresql":
        # SET LOCAL ends with the request's transaction, so pooled connections come back clean.
        connection.execute(text(f"SET LOCAL statement_timeout = {int(timeout_ms)}"))
    else:
        connection.execute(text(f"SET SESSION max_statement_time = {timeout_ms / 1000:.3f}"))


def release(_exc: BaseException | None = None) -> None:
    """Give this request's connection back to the pool, its time limit undone."""
    existing: Connection | None = g.pop("_wikiviews_connection", None)
    limited = g.pop("_wikiviews_limited", False)
    if existing is None:
        return
    try:
        if limited and existing.dialect.name == "sqlite":
            existing.connection.driver_connection.set_progress_handler(None, 0)
        existing.rollback()
        if limited and existing.dialect.name in ("mysql", "mariadb"):
            existing.execute(text("SET SESSION max_statement_time = 0"))
            existing.rollback()
    finally:
        existing.close()


def is_timeout(exc: BaseException) -> bool:
    """Whether a database error is a query stopped by the time limit."""
    if not isinstance(exc, DBAPIError):
        return False
    orig = exc.orig
    message = str(orig).lower()
    if isinstance(exc, OperationalError) and "interrupted" in message:
        return True  # SQLite progress handler, MariaDB max_statement_time (1969)
    code = getattr(orig, "sqlstate", None)
    return code == "57014" or "statement timeout" in message or "max_statement_time" in message


def timeout_problem() -> ApiProblem:
    """The 503 answered when a query runs out of time."""
    limit = current_app.config["WIKIVIEWS_SETTINGS"].query_timeout_ms
    return ApiProblem(
        503,
        "query_timeout",
        f"The query took longer than the limit of {limit} ms; ask for a shorter range.",
        headers={"Retry-After": "10"},
    )
