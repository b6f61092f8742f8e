"""The read side for the API and the bot: the only module that writes SELECTs for them.

Every function sees published data only: days in ``published_days`` (with their winning
source) and hours that some source covers and no hold keeps back. ``access`` and ``agent``
take the API's values (``all-access``, ``desktop`` …; ``all-agents``, ``user`` …).
Series are zero-free: a day or hour without views is absent, as in Wikimedia's API.
"""

from __future__ import annotations

import functools
import re
import sqlite3
import time
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from sqlalchemy import Connection, bindparam, text
from sqlalchemy.exc import DBAPIError

from backend import series_codec
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


def published_days(connection: Connection, project: int, first: int, last: int) -> dict[int, int]:
    """Winning source of every published day of ``project`` in ``[first, last]``."""
    rows = _fetch(
        connection,
        "SELECT day, source FROM published_days WHERE project_id = :p "
        "AND day BETWEEN :first AND :last",
        {"p": project, "first": first, "last": last},
    )
    return dict(rows)


def last_published_day(connection: Connection, project: str) -> int | None:
    """The newest published day of a project (``through`` of the summary), or ``None``."""
    return connection.execute(
        text(
            "SELECT MAX(d.day) FROM published_days d JOIN projects p ON p.id = d.project_id "
            "WHERE p.name = :name"
        ),
        {"name": project},
    ).scalar()


def article_daily(
    connection: Connection,
    project: str,
    title: str,
    access: str,
    agent: str,
    first: int,
    last: int,
) -> list[tuple[int, int]]:
    """Non-zero ``(day, views)`` of one article over published days in ``[first, last]``.

    A blocked title (:func:`is_blocked`) has no data, like a title never viewed.
    """
    rows = _fetch(
        connection,
        "SELECT p.id, t.id, EXISTS (SELECT 1 FROM blocked_titles b WHERE b.project = :name "
        "AND b.folded = :folded) FROM projects p LEFT JOIN titles t "
        "ON t.project_id = p.id AND t.title = :title WHERE p.name = :name",
        {"name": project, "title": title, "folded": fold_title(title)},
    )
    if not rows or rows[0][1] is None or rows[0][2]:
        return []
    pid, tid = rows[0][0], rows[0][1]
    publication = day_publication(connection, pid, first, last)
    if not publication.winners:
        return []
    views = daily_views_by_id(connection, pid, [tid], access, agent, publication, first, last)
    return sorted(views.get(tid, {}).items())


def article_monthly(
    connection: Connection,
    project: str,
    title: str,
    access: str,
    agent: str,
    first: int,
    last: int,
) -> list[tuple[int, int]]:
    """Non-zero ``(month, views)``: published days of ``[first, last]`` summed per month."""
    totals: dict[int, int] = defaultdict(int)
    for day, views in article_daily(connection, project, title, access, agent, first, last):
        totals[month_of_day(day)] += views
    return sorted(totals.items())


def _project_ids(connection: Connection, project: str) -> list[int]:
    if project == ALL_PROJECTS:
        return list(connection.execute(text("SELECT id FROM projects")).scalars())
    pid = project_id(connection, project)
    return [] if pid is None else [pid]


def project_daily(
    connection: Connection,
    project: str,
    access: str,
    agent: str,
    first: int,
    last: int,
    *,
    source: Source | None = None,
) -> list[tuple[int, int]]:
    """Non-zero ``(day, views)`` of a project (or ``all-projects``) over published days.

    With ``source``, that source's complete days are used whether or not it wins them
    (the legacy pagecounts endpoint reads the pagecounts data this way).
    """
    ids = _project_ids(connection, project)
    if not ids:
        return []
    winners = _day_winners(connection, ids, first, last, source)
    return _sum_winning(
        connection, "project_days", "day", ids, first, last, winners, _wanted(access, agent)
    )


def _sum_winning(
    connection: Connection,
    table: str,
    column: str,
    ids: list[int],
    first: int,
    last: int,
    winners: dict[tuple[int, int], int],
    wanted: dict[int, frozenset[int]],
) -> list[tuple[int, int]]:
    """Sum a per-project table over ``[first, last]``, each row only from its winning source."""
    totals: dict[int, int] = defaultdict(int)
    rows = connection.execute(
        text(
            f"SELECT project_id, {column}, series, views FROM {table} "
            f"WHERE project_id IN :ids AND {column} BETWEEN :a AND :b"
        ).bindparams(bindparam("ids", expanding=True)),
        {"ids": ids, "a": first, "b": last},
    )
    for pid, at, series, views in rows:
        winner = winners.get((pid, at))
        if winner is not None and series in wanted[winner]:
            totals[at] += views
    return sorted((at, views) for at, views in totals.items() if views)


def _day_winners(
    connection: Connection, ids: list[int], first: int, last: int, source: Source | None
) -> dict[tuple[int, int], int]:
    if source is None:
        rows = connection.execute(
            text(
                "SELECT project_id, day, source FROM published_days "
                "WHERE project_id IN :ids AND day BETWEEN :a AND :b"
            ).bindparams(bindparam("ids", expanding=True)),
            {"ids": ids, "a": first, "b": last},
        )
        return {(p, d): s for p, d, s in rows}
    hours = _visible_hours(connection, ids, first * 24, last * 24 + 23, source)
    complete: dict[tuple[int, int], int] = defaultdict(int)
    for (pid, hour), _ in hours.items():
        complete[(pid, hour // 24)] += 1
    return {key: int(source) for key, count in complete.items() if count == 24}


def _visible_hours(
    connection: Connection,
    ids: list[int],
    first_hour: int,
    last_hour: int,
    only: Source | None = None,
) -> dict[tuple[int, int], int]:
    """Best loaded, unheld source of every (project, hour) in range."""
    first_day, last_day = first_hour // 24, last_hour // 24
    coverage = connection.execute(
        text(
            "SELECT project_id, day, source, hours_mask FROM coverage WHERE day BETWEEN :a AND :b"
        ),
        {"a": first_day, "b": last_day},
    ).all()
    held = {
        (p, h)
        for p, h in connection.execute(
            text("SELECT project_id, hour FROM held_hours WHERE hour BETWEEN :a AND :b"),
            {"a": first_hour, "b": last_hour},
        )
    }
    masks: dict[tuple[int, int, int], int] = defaultdict(int)
    for pid, day, src, mask in coverage:
        if only is not None and src != only:
            continue
        targets = ids if pid == 0 else ([pid] if pid in ids else [])
        for target in targets:
            masks[(target, day, src)] |= mask
    best: dict[tuple[int, int], int] = {}
    for (pid, day, src), mask in masks.items():
        if mask == 0:
            continue
        for bit in range(24):
            hour = day * 24 + bit
            if not mask >> bit & 1 or not first_hour <= hour <= last_hour:
                continue
            if (pid, hour) in held or (0, hour) in held:
                continue
            if best.get((pid, hour), -1) < src:
                best[(pid, hour)] = src
    return best


def project_hourly(
    connection: Connection,
    project: str,
    access: str,
    agent: str,
    first_hour: int,
    last_hour: int,
    *,
    source: Source | None = None,
) -> list[tuple[int, int]]:
    """Non-zero ``(hour, views)`` of a project (or ``all-projects``) over published hours."""
    ids = _project_ids(connection, project)
    if not ids:
        return []
    best = _visible_hours(connection, ids, first_hour, last_hour, source)
    return _sum_winning(
        connection,
        "project_hours",
        "hour",
        ids,
        first_hour,
        last_hour,
        best,
        _wanted(access, agent),
    )


def project_monthly(
    connection: Connection,
    project: str,
    access: str,
    agent: str,
    first_month: int,
    last_month: int,
) -> list[tuple[int, int]]:
    """Non-zero ``(month, views)`` of a project over complete, published months."""
    ids = _project_ids(connection, project)
    if not ids:
        return []
    codes = {code for codes in _wanted(access, agent).values() for code in codes}
    totals: dict[int, int] = defaultdict(int)
    rows = connection.execute(
        text(
            "SELECT month, series, views FROM project_months "
            "WHERE project_id IN :ids AND month BETWEEN :a AND :b"
        ).bindparams(bindparam("ids", expanding=True)),
        {"ids": ids, "a": first_month, "b": last_month},
    )
    for month, series, views in rows:
        if series in codes:
            totals[month] += views
    return sorted((m, v) for m, v in totals.items() if v)


def top_articles(
    connection: Connection,
    project: str,
    access: str,
    *,
    day: int | None = None,
    month: int | None = None,
) -> list[TopEntry]:
    """A precomputed top list of a published day or a complete month (at most 1000).

    Blocked titles are left out and the rest re-ranked as if they had never been there
    (Wikimedia removes disallowed titles before ranking); the list is then shorter by the
    number of blocked titles it held.
    """
    if (day is None) == (month is None):
        raise ValueError("give exactly one of day and month")
    pid = project_id(connection, project)
    if pid is None:
        return []
    if day is not None and not published_days(connection, pid, day, day):
        return []
    rows = _fetch(
        connection,
        "SELECT t.title, a.views, a.rank FROM top_articles a "
        "JOIN titles t ON t.id = a.title_id "
        "WHERE a.project_id = :p AND a.granularity = :g AND a.period = :period "
        "AND a.access = :access ORDER BY a.position",
        {
            "p": pid,
            "g": "d" if day is not None else "m",
            "period": day if day is not None else month,
            "access": TOP_ACCESS_COLUMN[access],
        },
    )
    entries = [TopEntry(title, views, rank) for title, views, rank in rows]
    blocked = blocked_titles(connection, project) if entries else frozenset()
    if not blocked:
        return entries
    kept = [entry for entry in entries if fold_title(entry.title) not in blocked]
    return _reranked(kept)


def _reranked(entries: list[TopEntry]) -> list[TopEntry]:
    """Ranks as SQL ``rank()`` over views descending gives them (ties share, gaps follow)."""
    ranked: list[TopEntry] = []
    for position, entry in enumerate(entries):
        tied = ranked and ranked[-1].views == entry.views
        ranked.append(TopEntry(entry.title, entry.views, ranked[-1].rank if tied else position + 1))
    return ranked


def store_overview(connection: Connection) -> dict[str, object]:
    """Counts that describe what the store holds (for ``demo`` and health checks)."""

    def scalar(sql: str) -> object:
        return connection.execute(text(sql)).scalar()

    return {
        "projects": scalar("SELECT COUNT(*) FROM projects"),
        "titles": scalar("SELECT COUNT(*) FROM titles"),
        "files": scalar("SELECT COUNT(*) FROM ingested_files"),
        "published_days": scalar("SELECT COUNT(*) FROM published_days"),
        "first_day": scalar("SELECT MIN(day) FROM published_days"),
        "last_day": scalar("SELECT MAX(day) FROM published_days"),
        "staged_rows": scalar("SELECT COUNT(*) FROM day_counts"),
        "packed_rows": scalar("SELECT COUNT(*) FROM page_months"),
    }


def project_monthly_from_days(
    connection: Connection,
    project: str,
    access: str,
    agent: str,
    first_month: int,
    last_month: int,
    *,
    source: Source,
) -> list[tuple[int, int]]:
    """Non-zero ``(month, views)`` of one source's complete days, summed per month."""
    first, last = month_days(first_month)[0], month_days(last_month)[-1]
    totals: dict[int, int] = defaultdict(int)
    for day, views in project_daily(
        connection, project, access, agent, first, last, source=source
    ):
        totals[month_of_day(day)] += views
    return sorted(totals.items())


@dataclass(frozen=True)
class CountryEntry:
    """One country of a project's monthly list: views rounded up to thousands."""

    country: str
    views_ceil: int
    rank: int


@dataclass(frozen=True)
class CountryArticle:
    """One article of a country's daily top list (views rounded up to hundreds)."""

    project: str
    title: str
    views_ceil: int
    rank: int


#: Countries with fewer views than this in a month are left out (Wikimedia: "> 99").
COUNTRY_MONTH_MINIMUM = 100


def top_countries(
    connection: Connection, project: str, access: str, month: int
) -> list[CountryEntry]:
    """Countries of a project (or ``all-projects``) in a month, by views, privacy-bounded.

    Sums of fewer than 100 views are left out; the rest are rounded up to thousands and
    ranked by the exact sum (ties share a rank), as Wikimedia publishes them.
    """
    ids = _project_ids(connection, project)
    if not ids:
        return []
    days = month_days(month)
    rows = connection.execute(
        text(
            "SELECT country, SUM(views) FROM country_days WHERE project_id IN :ids "
            "AND day BETWEEN :a AND :b AND access = :access GROUP BY country"
        ).bindparams(bindparam("ids", expanding=True)),
        {"ids": ids, "a": days[0], "b": days[-1], "access": TOP_ACCESS_COLUMN[access]},
    ).all()
    kept = sorted(
        ((country, int(total)) for country, total in rows if total >= COUNTRY_MONTH_MINIMUM),
        key=lambda row: (-row[1], row[0]),
    )
    entries: list[CountryEntry] = []
    for position, (country, total) in enumerate(kept):
        rank = entries[-1].rank if position and kept[position - 1][1] == total else position + 1
        entries.append(CountryEntry(country, -(-total // 1000) * 1000, rank))
    return entries


def top_per_country(
    connection: Connection, country: str, access: str, day: int
) -> list[CountryArticle]:
    """A country's precomputed daily top list across projects (empty until raw logs load)."""
    rows = connection.execute(
        text(
            "SELECT p.name, t.title, a.views_ceil, a.rank FROM country_top_articles a "
            "JOIN titles t ON t.id = a.title_id JOIN projects p ON p.id = a.project_id "
            "WHERE a.country = :c AND a.day = :d AND a.access = :access ORDER BY a.position"
        ),
        {"c": country, "d": day, "access": TOP_ACCESS_COLUMN[access]},
    )
    return [CountryArticle(name, title, ceil, rank) for name, title, ceil, rank in rows]


def last_published_hour(connection: Connection) -> int | None:
    """The newest hour some source has loaded for some project and no hold keeps back."""
    days = connection.execute(
        text("SELECT DISTINCT day FROM coverage WHERE hours_mask <> 0 ORDER BY day DESC LIMIT 3")
    ).scalars()
    for day in days.all():
        held = {
            (p, h)
            for p, h in connection.execute(
                text("SELECT project_id, hour FROM held_hours WHERE hour BETWEEN :a AND :b"),
                {"a": day * 24, "b": day * 24 + 23},
            )
        }
        best = None
        for pid, mask in connection.execute(
            text("SELECT project_id, hours_mask FROM coverage WHERE day = :d"), {"d": day}
        ):
            for bit in range(23, -1, -1):
                hour = day * 24 + bit
                if mask >> bit & 1 and (pid, hour) not in held and (0, hour) not in held:
                    best = hour if best is None else max(best, hour)
                    break
        if best is not None:
            return best
    return None


# --- The extensions (/api/wikiviews/v1/ and the stats.grok.se shape) -------------------------


@dataclass(frozen=True)
class ArticleIds:
    """A requested title, the ids whose views count for it, and the redirects summed in.

    ``ids`` holds the title's own id (when the store knows it) and, when redirects were asked
    for, the ids of the titles redirecting to it. A blocked title has no ids and no redirects.
    """

    title: str
    own_id: int | None
    ids: tuple[int, ...]
    redirects: tuple[str, ...]


@dataclass(frozen=True)
class DayPublication:
    """The published days of a project in a range: winning source and whether packed."""

    winners: dict[int, int]
    packed: frozenset[int]


def project_and_through(connection: Connection, project: str) -> tuple[int, int | None] | None:
    """(id, newest published day or ``None``) of a project name, or ``None`` when unknown."""
    rows = _fetch(
        connection,
        "SELECT p.id, MAX(d.day) FROM projects p LEFT JOIN published_days d "
        "ON d.project_id = p.id WHERE p.name = :name GROUP BY p.id",
        {"name": project},
    )
    return (rows[0][0], rows[0][1]) if rows else None


def resolve_titles(
    connection: Connection,
    project_id: int,
    project: str,
    titles: list[str],
    *,
    redirects: bool,
    blocked: frozenset[str] | None = None,
) -> dict[str, ArticleIds]:
    """The ids behind each of ``titles`` (and of their redirects when asked), in one query.

    Blocked titles (``blocked``, else read with :func:`blocked_titles`) count as never viewed:
    a blocked title gets no ids at all, a blocked redirect is not summed in.
    """
    if blocked is None:
        blocked = blocked_titles(connection, project)
    wanted = [t for t in dict.fromkeys(titles) if fold_title(t) not in blocked]
    own: dict[str, int] = {}
    redirected: dict[str, list[tuple[str, int | None]]] = defaultdict(list)
    if wanted:
        sql = "SELECT 0, title, title, id FROM titles WHERE project_id = :p AND title IN :own"
        if redirects:
            sql += (
                " UNION ALL SELECT 1, r.target, r.title, t.id FROM redirects r "
                "LEFT JOIN titles t ON t.project_id = r.project_id AND t.title = r.title "
                "WHERE r.project_id = :p AND r.target IN :targets"
            )
        values: dict[str, object] = {"p": project_id, "own": wanted}
        if redirects:
            values["targets"] = wanted
        for kind, target, title, tid in _fetch(connection, sql, values):
            if kind == 0:
                own[title] = tid
            elif title != target and fold_title(title) not in blocked:
                redirected[target].append((title, tid))
    result: dict[str, ArticleIds] = {}
    for title in dict.fromkeys(titles):
        if title not in wanted:
            result[title] = ArticleIds(title, None, (), ())
            continue
        extra = sorted(redirected.get(title, ()))
        ids = [own[title]] if title in own else []
        ids.extend(tid for _name, tid in extra if tid is not None)
        result[title] = ArticleIds(
            title, own.get(title), tuple(dict.fromkeys(ids)), tuple(n for n, _ in extra)
        )
    return result


def day_publication(
    connection: Connection, project_id: int, first: int, last: int
) -> DayPublication:
    """Winning source of each published day in ``[first, last]`` and which of them are packed."""
    rows = _fetch(
        connection,
        "SELECT d.day, d.source, k.day FROM published_days d LEFT JOIN packed_days k "
        "ON k.project_id = d.project_id AND k.day = d.day "
        "WHERE d.project_id = :p AND d.day BETWEEN :a AND :b",
        {"p": project_id, "a": first, "b": last},
    )
    return DayPublication(
        {day: source for day, source, _ in rows},
        frozenset(day for day, _, packed in rows if packed is not None),
    )


def daily_views_by_id(
    connection: Connection,
    project_id: int,
    ids: Iterable[int],
    access: str,
    agent: str,
    publication: DayPublication,
    first: int,
    last: int,
) -> dict[int, dict[int, int]]:
    """Non-zero views per title id and published day of ``[first, last]`` (winning sources)."""
    id_list = sorted(set(ids))
    wanted = _wanted(access, agent)
    codes = {code for codes in wanted.values() for code in codes}
    winners, packed = publication.winners, publication.packed
    days = [day for day in winners if first <= day <= last]
    staged = sorted(day for day in days if day not in packed)
    months = sorted({_month_of(day) for day in days if day in packed})
    totals: dict[int, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for id_chunk in _chunks(id_list):
        for day_chunk in _chunks(staged):
            rows = _fetch(
                connection,
                "SELECT title_id, day, series, views FROM day_counts WHERE project_id = :p "
                "AND day IN :days AND title_id IN :ids",
                {"p": project_id, "days": day_chunk, "ids": id_chunk},
            )
            for tid, day, series, views in rows:
                if series in wanted[winners[day]]:
                    totals[tid][day] += views
        if not months:
            continue
        rows = _fetch(
            connection,
            "SELECT title_id, month, packed FROM page_months WHERE project_id = :p "
            "AND month IN :months AND title_id IN :ids",
            {"p": project_id, "months": months, "ids": id_chunk},
        )
        for tid, month, blob in rows:
            first_day = _month_first(month)
            for series, per_day in series_codec.unpack(bytes(blob)).items():
                if series not in codes:
                    continue
                for slot, views in per_day.items():
                    day = first_day + slot
                    if (
                        day in packed
                        and first <= day <= last
                        and series in wanted.get(winners.get(day, -1), ())
                    ):
                        totals[tid][day] += views
    return {tid: {d: v for d, v in per.items() if v} for tid, per in totals.items()}


def sum_views(views: dict[int, dict[int, int]], ids: Iterable[int]) -> dict[int, int]:
    """Per-period views of several title ids added up (an article and its redirects)."""
    total: dict[int, int] = defaultdict(int)
    for tid in ids:
        for at, count in views.get(tid, {}).items():
            total[at] += count
    return dict(total)


def visible_hours(
    connection: Connection, project_id: int, first_hour: int, last_hour: int
) -> dict[int, int]:
    """Best loaded, unheld source of every visible hour of a project in range."""
    best = _visible_hours(connection, [project_id], first_hour, last_hour)
    return {hour: source for (_pid, hour), source in best.items()}


def hourly_views_by_id(
    connection: Connection,
    project_id: int,
    ids: Iterable[int],
    access: str,
    agent: str,
    winners: dict[int, int],
    first_hour: int,
    last_hour: int,
) -> dict[int, dict[int, int]]:
    """Non-zero views per title id and visible hour, from the hourly window (``page_hours``)."""
    wanted = _wanted(access, agent)
    totals: dict[int, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for id_chunk in _chunks(sorted(set(ids))):
        rows = connection.execute(
            text(
                "SELECT title_id, hour, series, views FROM page_hours WHERE project_id = :p "
                "AND title_id IN :ids AND hour BETWEEN :a AND :b"
            ).bindparams(bindparam("ids", expanding=True)),
            {"p": project_id, "ids": id_chunk, "a": first_hour, "b": last_hour},
        )
        for tid, hour, series, views in rows:
            source = winners.get(hour)
            if source is not None and series in wanted[source]:
                totals[tid][hour] += views
    return {tid: {h: v for h, v in per.items() if v} for tid, per in totals.items()}


def last_visible_hour(connection: Connection, project_id: int) -> int | None:
    """The newest hour of a project that some source covers and no hold keeps back."""
    days = connection.execute(
        text(
            "SELECT DISTINCT day FROM coverage WHERE project_id IN (0, :p) AND hours_mask <> 0 "
            "ORDER BY day DESC LIMIT 3"
        ),
        {"p": project_id},
    ).scalars()
    for day in days.all():
        hours = visible_hours(connection, project_id, day * 24, day * 24 + 23)
        if hours:
            return max(hours)
    return None


def top_rank(
    connection: Connection,
    project_id: int,
    title_id: int,
    access: str,
    *,
    blocked: frozenset[str],
    day: int | None = None,
    month: int | None = None,
) -> int | None:
    """Rank of a title in the top list of a day (or month) as served, or ``None``.

    The stored rank counts blocked titles ahead of it; those are taken off, as
    :func:`top_articles` re-ranks without them.
    """
    where = "project_id = :p AND granularity = :g AND period = :period AND access = :access"
    values = {
        "p": project_id,
        "g": "d" if day is not None else "m",
        "period": day if day is not None else month,
        "access": TOP_ACCESS_COLUMN[access],
    }
    rows = _fetch(
        connection,
        f"SELECT rank, views FROM top_articles WHERE {where} AND title_id = :t",
        {**values, "t": title_id},
    )
    if not rows:
        return None
    rank, views = rows[0]
    if not blocked:
        return rank
    ahead = connection.execute(
        text(
            "SELECT t.title FROM top_articles a JOIN titles t ON t.id = a.title_id WHERE "
            + " AND ".join(f"a.{part}" for part in where.split(" AND "))
            + " AND a.views > :v"
        ),
        {**values, "v": views},
    ).scalars()
    return rank - sum(1 for title in ahead if fold_title(title) in blocked)


@dataclass(frozen=True)
class RangeTop:
    """A top list over several days or months: the periods it covers and its entries."""

    periods: list[int]
    entries: list[TopEntry]
    #: How it was found: ``lists`` (precomputed top lists bound the rest) or ``scan``.
    method: str


_TOTAL_COLUMN = ("user_all", "user_desktop", "user_mobile_web", "user_mobile_app")


class ScanTooLong(Exception):
    """A range top had to sum every title and ran past its deadline."""


def range_top_days(
    connection: Connection,
    project: str,
    access: str,
    first: int,
    last: int,
    limit: int,
    *,
    deadline: float | None = None,
) -> RangeTop | None:
    """The most viewed articles summed over the published days of ``[first, last]`` (exact).

    User views of each day's winning source, as the daily lists. The daily top lists give
    the candidates and bound everyone else (an unlisted title had at most the smallest
    listed count each day); only when that cannot prove the answer is every count summed.
    ``None`` when no day of the range is published. Summing packed days runs here, not in
    SQL, so past ``deadline`` (a :func:`time.monotonic` value) it raises :class:`ScanTooLong`.
    """
    pid = project_id(connection, project)
    if pid is None:
        return None
    publication = day_publication(connection, pid, first, last)
    days = sorted(publication.winners)
    if not days:
        return None
    blocked = blocked_titles(connection, project)
    lists = _stored_lists(connection, pid, "d", days, access)

    def lookup(ids: list[int]) -> dict[int, int]:
        views = daily_views_by_id(connection, pid, ids, access, "user", publication, first, last)
        return {tid: sum(per_day.values()) for tid, per_day in views.items()}

    def scan() -> dict[int, int]:
        return _scan_days(connection, pid, access, publication, days, deadline)

    entries, method = _top_from_lists(connection, lists, days, lookup, scan, blocked, limit)
    return RangeTop(days, entries, method)


def range_top_months(
    connection: Connection,
    project: str,
    access: str,
    first_month: int,
    last_month: int,
    limit: int,
) -> RangeTop | None:
    """The most viewed articles summed over the complete months of a range, from monthly totals.

    Only months whose every day is published and packed count (``page_months`` holds their
    totals); ``None`` when the range has none.
    """
    pid = project_id(connection, project)
    if pid is None:
        return None
    first_day, last_day = month_days(first_month)[0], month_days(last_month)[-1]
    packed_per_month: dict[int, int] = defaultdict(int)
    for day in connection.execute(
        text("SELECT day FROM packed_days WHERE project_id = :p AND day BETWEEN :a AND :b"),
        {"p": pid, "a": first_day, "b": last_day},
    ).scalars():
        packed_per_month[month_of_day(day)] += 1
    months = sorted(m for m, n in packed_per_month.items() if n == len(month_days(m)))
    if not months:
        return None
    blocked = blocked_titles(connection, project)
    column = _TOTAL_COLUMN[TOP_ACCESS_COLUMN[access]]
    lists = _stored_lists(connection, pid, "m", months, access)

    def lookup(ids: list[int]) -> dict[int, int]:
        found: dict[int, int] = {}
        for chunk in _chunks(ids):
            rows = connection.execute(
                text(
                    f"SELECT title_id, SUM({column}) FROM page_months WHERE project_id = :p "
                    "AND month IN :months AND title_id IN :ids GROUP BY title_id"
                ).bindparams(bindparam("months", expanding=True), bindparam("ids", expanding=True)),
                {"p": pid, "months": months, "ids": chunk},
            )
            found.update((tid, int(total)) for tid, total in rows)
        return found

    def scan() -> dict[int, int]:
        rows = connection.execute(
            text(
                f"SELECT title_id, SUM({column}) FROM page_months WHERE project_id = :p "
                f"AND month IN :months AND {column} > 0 GROUP BY title_id"
            ).bindparams(bindparam("months", expanding=True)),
            {"p": pid, "months": months},
        )
        return {tid: int(total) for tid, total in rows}

    entries, method = _top_from_lists(connection, lists, months, lookup, scan, blocked, limit)
    return RangeTop(months, entries, method)


def _stored_lists(
    connection: Connection, pid: int, granularity: str, periods: list[int], access: str
) -> dict[int, list[tuple[int, str, int]]]:
    """``(title_id, title, views)`` of the stored top lists of ``periods``."""
    lists: dict[int, list[tuple[int, str, int]]] = defaultdict(list)
    rows = connection.execute(
        text(
            "SELECT a.period, a.title_id, t.title, a.views FROM top_articles a "
            "JOIN titles t ON t.id = a.title_id WHERE a.project_id = :p AND a.granularity = :g "
            "AND a.period BETWEEN :a AND :b AND a.access = :access"
        ),
        {
            "p": pid,
            "g": granularity,
            "a": periods[0],
            "b": periods[-1],
            "access": TOP_ACCESS_COLUMN[access],
        },
    )
    wanted = set(periods)
    for period, tid, title, views in rows:
        if period in wanted:
            lists[period].append((tid, title, views))
    return lists


def _top_from_lists(
    connection: Connection,
    lists: dict[int, list[tuple[int, str, int]]],
    periods: list[int],
    lookup,
    scan,
    blocked: frozenset[str],
    limit: int,
) -> tuple[list[TopEntry], str]:
    """Exact top ``limit`` over ``periods``, proven from the stored lists when possible.

    A title missing from a period's list had at most that list's smallest count then, so
    ``bound`` (the sum of those minima) bounds every title in no list. Candidates (titles in
    some list) get lower and upper bounds; the ones that could still reach the cut are
    looked up exactly. The answer stands when the entry after the cut has at least ``bound``
    views: nobody outside the candidates can then get ahead of it, and a tie with it is cut
    anyway. Otherwise ``scan`` sums every title.
    """
    if all(lists.get(p) for p in periods):
        floor = {p: min(views for _t, _n, views in lists[p]) for p in periods}
        bound = sum(floor.values())
        low: dict[int, int] = defaultdict(int)
        listed_floor: dict[int, int] = defaultdict(int)
        names: dict[int, str] = {}
        for period in periods:
            for tid, title, views in lists[period]:
                low[tid] += views
                listed_floor[tid] += floor[period]
                names[tid] = title
        kept = [tid for tid in low if fold_title(names[tid]) not in blocked]
        upper = {tid: low[tid] + bound - listed_floor[tid] for tid in kept}
        lows = sorted((low[tid] for tid in kept), reverse=True)
        threshold = lows[limit] if len(lows) > limit else 0
        contenders = [tid for tid in kept if upper[tid] >= threshold]
        exact = {tid: low[tid] for tid in contenders}
        exact.update(lookup([tid for tid in contenders if upper[tid] > low[tid]]))
        ordered = sorted(exact.items(), key=lambda item: (-item[1], item[0]))
        if len(ordered) > limit and ordered[limit][1] >= bound:
            return _ranked_cut([(names[t], v) for t, v in ordered], limit), "lists"
    totals = scan()
    # The '-' title (Wikimedia's "unknown") is dropped by name, with the blocked ones.
    ordered = sorted(((t, v) for t, v in totals.items() if v > 0), key=lambda i: (-i[1], i[0]))
    rows: list[tuple[str, int]] = []
    at = 0
    while len(rows) <= limit and at < len(ordered):
        batch = ordered[at : at + max(2 * limit, _CHUNK)]
        at += len(batch)
        names = _titles_of(connection, [tid for tid, _ in batch])
        rows.extend(
            (names[tid], views)
            for tid, views in batch
            if names[tid] != "-" and fold_title(names[tid]) not in blocked
        )
    return _ranked_cut(rows, limit), "scan"


def _ranked_cut(rows: list[tuple[str, int]], limit: int) -> list[TopEntry]:
    """Rank ``(title, views)`` rows (ordered) and cut them as Wikimedia cuts its lists."""
    ranked = _reranked([TopEntry(title, views, 0) for title, views in rows[: limit + 1]])
    if len(ranked) <= limit:
        return ranked
    cut = ranked[limit].rank
    return [entry for entry in ranked if entry.rank < cut]


def _titles_of(connection: Connection, ids: list[int]) -> dict[int, str]:
    names: dict[int, str] = {}
    for chunk in _chunks(ids):
        names.update(
            connection.execute(
                text("SELECT id, title FROM titles WHERE id IN :ids").bindparams(
                    bindparam("ids", expanding=True)
                ),
                {"ids": chunk},
            ).all()
        )
    return names


def _scan_days(
    connection: Connection,
    pid: int,
    access: str,
    publication: DayPublication,
    days: list[int],
    deadline: float | None,
) -> dict[int, int]:
    """User views of every title summed over ``days`` (staged rows in SQL, packed ones here)."""
    wanted = _wanted(access, "user")
    totals: dict[int, int] = defaultdict(int)
    by_source: dict[int, list[int]] = defaultdict(list)
    for day in days:
        if day not in publication.packed:
            by_source[publication.winners[day]].append(day)
    for source, source_days in by_source.items():
        for chunk in _chunks(source_days):
            rows = connection.execute(
                text(
                    "SELECT title_id, SUM(views) FROM day_counts WHERE project_id = :p "
                    "AND day IN :days AND series IN :series GROUP BY title_id"
                ).bindparams(
                    bindparam("days", expanding=True), bindparam("series", expanding=True)
                ),
                {"p": pid, "days": chunk, "series": sorted(wanted[source])},
            )
            for tid, views in rows:
                totals[tid] += int(views)
    months = sorted({month_of_day(day) for day in days if day in publication.packed})
    if months:
        codes = {code for codes in wanted.values() for code in codes}
        rows = connection.execute(
            text(
                "SELECT title_id, month, packed FROM page_months WHERE project_id = :p "
                "AND month IN :months"
            ).bindparams(bindparam("months", expanding=True)),
            {"p": pid, "months": months},
        )
        wanted_days = set(days)
        for number, (tid, month, blob) in enumerate(rows):
            if deadline is not None and number % 2048 == 0 and time.monotonic() > deadline:
                raise ScanTooLong
            first_day = month_days(month)[0]
            for series, per_day in series_codec.unpack(bytes(blob)).items():
                if series not in codes:
                    continue
                for slot, views in per_day.items():
                    day = first_day + slot
                    if (
                        day in wanted_days
                        and day in publication.packed
                        and series in wanted[publication.winners[day]]
                    ):
                        totals[tid] += views
    return totals


@dataclass(frozen=True)
class Freshness:
    """What a project has published: newest day and hour, recent days' sources, held hours."""

    last_day: int | None
    last_hour: int | None
    #: ``(day, winning source or None, {source: hours loaded})``, newest first.
    days: list[tuple[int, int | None, dict[int, int]]]
    #: ``(hour, reason, held_at)`` of the held hours of those days, oldest first.
    held: list[tuple[int, str, object]]


def freshness(connection: Connection, project: str, days: int) -> Freshness | None:
    """Freshness of a project over its ``days`` newest covered days, or ``None`` if unknown."""
    state = project_and_through(connection, project)
    if state is None:
        return None
    pid, last_day = state
    newest = connection.execute(
        text("SELECT MAX(day) FROM coverage WHERE project_id IN (0, :p) AND hours_mask <> 0"),
        {"p": pid},
    ).scalar()
    if newest is None:
        return Freshness(last_day, None, [], [])
    first = newest - days + 1
    loaded: dict[int, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    masks: dict[tuple[int, int], int] = defaultdict(int)
    for day, source, mask in connection.execute(
        text(
            "SELECT day, source, hours_mask FROM coverage WHERE project_id IN (0, :p) "
            "AND day BETWEEN :a AND :b"
        ),
        {"p": pid, "a": first, "b": newest},
    ):
        masks[(day, source)] |= mask
    for (day, source), mask in masks.items():
        if mask:
            loaded[day][source] = bin(mask).count("1")
    winners = published_days(connection, pid, first, newest)
    held = connection.execute(
        text(
            "SELECT hour, reason, held_at FROM held_hours WHERE project_id IN (0, :p) "
            "AND hour BETWEEN :a AND :b ORDER BY hour"
        ),
        {"p": pid, "a": first * 24, "b": newest * 24 + 23},
    ).all()
    hours = visible_hours(connection, pid, first * 24, newest * 24 + 23)
    return Freshness(
        last_day,
        max(hours) if hours else None,
        [
            (day, winners.get(day), dict(sorted(loaded[day].items())))
            for day in range(newest, first - 1, -1)
        ],
        [(hour, reason, held_at) for hour, reason, held_at in held],
    )


def hourly_window_filled(
    connection: Connection, project_id: int, first_hour: int, last_hour: int
) -> bool:
    """Whether the hourly window holds any per-page row of a project in ``[first, last]``."""
    return (
        connection.execute(
            text(
                "SELECT 1 FROM page_hours WHERE project_id = :p AND hour BETWEEN :a AND :b LIMIT 1"
            ),
            {"p": project_id, "a": first_hour, "b": last_hour},
        ).first()
        is not None
    )
