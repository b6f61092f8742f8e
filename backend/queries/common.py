"""Shared pieces of the read side: vocabularies, the statement fast path, ids, the blocklist."""

from __future__ import annotations

import functools
import re
import sqlite3
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from sqlalchemy import Connection, select, text
from sqlalchemy.exc import DBAPIError

from backend.blocklist import fold_title
from backend.codes import ALL_ACCESS, ALL_AGENTS, Source, matching_series, source_answers
from backend.models import Project
from backend.timeutil import month_days, month_of_day

ALL_PROJECTS = "all-projects"
TOP_ACCESS_COLUMN = {ALL_ACCESS: 0, "desktop": 1, "mobile-web": 2, "mobile-app": 3}
CHUNK = 500


@dataclass(frozen=True)
class TopEntry:
    """One article of a top list."""

    title: str
    views: int
    rank: int


@functools.cache
def wanted_series(access: str, agent: str) -> dict[int, frozenset[int]]:
    """Series codes counted per winning source (shared between calls: do not modify)."""
    return {int(s): frozenset(matching_series(s, access, agent)) for s in Source}


@functools.cache
def present_series(access: str, agent: str) -> dict[int, frozenset[int]]:
    """Series whose views make a day present (with 0) in an (access, agent) series.

    Every series of the winning source, when that source tells the combination apart (see
    :func:`backend.codes.source_answers`); none otherwise. Shared: do not modify.
    """
    every = wanted_series(ALL_ACCESS, ALL_AGENTS)
    return {
        int(s): every[int(s)] if source_answers(s, access, agent) else frozenset() for s in Source
    }


def days_by_series(
    days: list[int], winners: dict[int, int], wanted: dict[int, frozenset[int]]
) -> dict[int, set[int]]:
    """Series code → the days of ``days`` on which it counts (its source won them)."""
    by_source: dict[int, set[int]] = defaultdict(set)
    for day in days:
        by_source[winners[day]].add(day)
    return {
        code: source_days
        for source, source_days in by_source.items()
        for code in wanted.get(source, ())
    }


_IN_LIST = re.compile(r"\bIN :(\w+)")
#: A day's month and a month's first day, memoised (called for every day of a range).
month_of = functools.lru_cache(maxsize=1 << 16)(month_of_day)
month_first = functools.lru_cache(maxsize=1 << 12)(lambda month: month_days(month)[0])


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


def fetch_rows(connection: Connection, sql: str, values: Mapping[str, object]) -> list[tuple]:
    """All rows of a read-only SELECT with ``:name`` parameters (``IN :name`` takes a list).

    The hot path of the per-article, summary and top routes, and the one place SQL stays a
    string: ``bench/api.py --profile`` showed SQLAlchemy Core's compile and result layers
    at 100–400 µs a statement here, several times the statement itself. Everything else is
    built with Core from :mod:`backend.models`.

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


def chunks(values: list[int]) -> Iterable[list[int]]:
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]


def _scalar(rows: list[tuple]) -> object:
    return rows[0][0] if rows else None


def project_id(connection: Connection, project: str) -> int | None:
    """The store's id of a project name, or ``None``."""
    return _scalar(
        fetch_rows(connection, "SELECT id FROM projects WHERE name = :name", {"name": project})
    )


def project_names(connection: Connection) -> list[str]:
    """Every project the store knows, sorted."""
    return list(connection.execute(select(Project.name).order_by(Project.name)).scalars())


def title_id(connection: Connection, project: int, title: str) -> int | None:
    """The store's id of a title of a project, or ``None``."""
    return _scalar(
        fetch_rows(
            connection,
            "SELECT id FROM titles WHERE project_id = :p AND title = :t",
            {"p": project, "t": title},
        )
    )


def blocked_titles(connection: Connection, project: str) -> frozenset[str]:
    """Folded titles (see :func:`backend.blocklist.fold_title`) blocked for a project name."""
    rows = fetch_rows(
        connection, "SELECT folded FROM blocked_titles WHERE project = :p", {"p": project}
    )
    return frozenset(folded for (folded,) in rows)


def is_blocked(connection: Connection, project: str, title: str) -> bool:
    """Whether ``title`` of a project name is on the blocklist (case-insensitively)."""
    rows = fetch_rows(
        connection,
        "SELECT 1 FROM blocked_titles WHERE project = :p AND folded = :f",
        {"p": project, "f": fold_title(title)},
    )
    return bool(rows)
