"""Shared pieces of the read side: vocabularies, the statement fast path, ids, the blocklist."""

from __future__ import annotations

import functools
import re
import sqlite3
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from sqlalchemy import Connection, text
from sqlalchemy.exc import DBAPIError

from backend.blocklist import fold_title
from backend.codes import ALL_ACCESS, Source, matching_series
from backend.timeutil import month_days, month_of_day

ALL_PROJECTS = "all-projects"
TOP_ACCESS_COLUMN = {ALL_ACCESS: 0, "desktop": 1, "mobile-web": 2, "mobile-app": 3}
_CHUNK = 500


@dataclass(frozen=True)
class TopEntry:
    """One article of a top list."""

    title: str
    views: int
    rank: int


@functools.cache
def _wanted(access: str, agent: str) -> dict[int, frozenset[int]]:
    """Series codes counted per winning source (shared between calls: do not modify)."""
    return {int(s): frozenset(matching_series(s, access, agent)) for s in Source}


_IN_LIST = re.compile(r"\bIN :(\w+)")
#: A day's month and a month's first day, memoised (called for every day of a range).
_month_of = functools.lru_cache(maxsize=1 << 16)(month_of_day)
_month_first = functools.lru_cache(maxsize=1 << 12)(lambda month: month_days(month)[0])


@functools.lru_cache(maxsize=512)
def _list_names(sql: str) -> tuple[str, ...]:
    return tuple(_IN_LIST.findall(sql))


@functools.lru_cache(maxsize=2048)
def _expanded(sql: str, lengths: tuple[tuple[str, int], ...]) -> str:
    """``sql`` with each ``IN :name`` written out as ``IN (:name_0, …)`` for its length."""
    counts = dict(lengths)

    def expand(match: re.Match) -> str:
        name = match.group(1)
        if not counts[name]:
            return "IN (NULL)"
        return "IN (" + ", ".join(f":{name}_{i}" for i in range(counts[name])) + ")"

    return _IN_LIST.sub(expand, sql)


def _fetch(connection: Connection, sql: str, values: Mapping[str, object]) -> list[tuple]:
    """All rows of a read-only SELECT with ``:name`` parameters (``IN :name`` takes a list).

    On SQLite it runs on the driver's own cursor, inside the connection's transaction (begun
    here if need be, so every read of a request sees one snapshot): about 10 µs a statement
    instead of 100–400 µs through SQLAlchemy's compile and result layers. Driver errors are
    raised as SQLAlchemy's, as :meth:`Connection.execute` raises them.
    """
    names = _list_names(sql)
    if names:
        params = {k: v for k, v in values.items() if k not in names}
        lengths = []
        for name in names:
            items = list(values[name])
            lengths.append((name, len(items)))
            params.update(zip((f"{name}_{i}" for i in range(len(items))), items, strict=True))
        sql = _expanded(sql, tuple(lengths))
    else:
        params = values
    if connection.dialect.name != "sqlite":
        return [tuple(row) for row in connection.execute(text(sql), params)]
    if not connection.in_transaction():
        connection.begin()
    try:
        return connection.connection.driver_connection.execute(sql, params).fetchall()
    except sqlite3.Error as exc:
        raise DBAPIError.instance(sql, params, exc, sqlite3.Error) from exc


def data_version(connection: Connection) -> tuple[object, int] | None:
    """A value that changes whenever the store has changed, for caches of whole answers.

    SQLite: ``PRAGMA data_version`` read inside the connection's transaction, which names the
    snapshot every later read of that transaction sees (it changes when another connection
    commits), paired with a token of the driver connection (the counter is per connection).
    ``None`` on the other backends: there, nothing is cached.
    """
    if connection.dialect.name != "sqlite":
        return None
    if not connection.in_transaction():
        connection.begin()
    version = connection.connection.driver_connection.execute("PRAGMA data_version").fetchone()
    token = connection.connection.info.setdefault("wikiviews_version_token", object())
    return token, version[0]


def _chunks(values: list[int]) -> Iterable[list[int]]:
    for start in range(0, len(values), _CHUNK):
        yield values[start : start + _CHUNK]


def _scalar(rows: list[tuple]) -> object:
    return rows[0][0] if rows else None


def project_id(connection: Connection, project: str) -> int | None:
    """The store's id of a project name, or ``None``."""
    return _scalar(
        _fetch(connection, "SELECT id FROM projects WHERE name = :name", {"name": project})
    )


def project_names(connection: Connection) -> list[str]:
    """Every project the store knows, sorted."""
    return list(connection.execute(text("SELECT name FROM projects ORDER BY name")).scalars())


def title_id(connection: Connection, project: int, title: str) -> int | None:
    """The store's id of a title of a project, or ``None``."""
    return _scalar(
        _fetch(
            connection,
            "SELECT id FROM titles WHERE project_id = :p AND title = :t",
            {"p": project, "t": title},
        )
    )


def blocked_titles(connection: Connection, project: str) -> frozenset[str]:
    """Folded titles (see :func:`backend.blocklist.fold_title`) blocked for a project name."""
    rows = _fetch(
        connection, "SELECT folded FROM blocked_titles WHERE project = :p", {"p": project}
    )
    return frozenset(folded for (folded,) in rows)


def is_blocked(connection: Connection, project: str, title: str) -> bool:
    """Whether ``title`` of a project name is on the blocklist (case-insensitively)."""
    rows = _fetch(
        connection,
        "SELECT 1 FROM blocked_titles WHERE project = :p AND folded = :f",
        {"p": project, "f": fold_title(title)},
    )
    return bool(rows)
