"""The read side for the API and the bot: the only module that writes SELECTs for them.

Every function sees published data only: days in ``published_days`` (with their winning
source) and hours that some source covers and no hold keeps back. ``access`` and ``agent``
take the API's values (``all-access``, ``desktop`` …; ``all-agents``, ``user`` …).
Series are zero-free: a day or hour without views is absent, as in Wikimedia's API.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import Connection, bindparam, text

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


def _wanted(access: str, agent: str) -> dict[int, frozenset[int]]:
    return {int(s): frozenset(matching_series(s, access, agent)) for s in Source}


def _chunks(values: list[int]) -> Iterable[list[int]]:
    for start in range(0, len(values), _CHUNK):
        yield values[start : start + _CHUNK]


def project_id(connection: Connection, project: str) -> int | None:
    """The store's id of a project name, or ``None``."""
    return connection.execute(
        text("SELECT id FROM projects WHERE name = :name"), {"name": project}
    ).scalar()


def project_names(connection: Connection) -> list[str]:
    """Every project the store knows, sorted."""
    return list(connection.execute(text("SELECT name FROM projects ORDER BY name")).scalars())


def title_id(connection: Connection, project: int, title: str) -> int | None:
    """The store's id of a title of a project, or ``None``."""
    return connection.execute(
        text("SELECT id FROM titles WHERE project_id = :p AND title = :t"),
        {"p": project, "t": title},
    ).scalar()


def blocked_titles(connection: Connection, project: str) -> frozenset[str]:
    """Folded titles (see :func:`backend.blocklist.fold_title`) blocked for a project name."""
    return frozenset(
        connection.execute(
            text("SELECT folded FROM blocked_titles WHERE project = :p"), {"p": project}
        ).scalars()
    )


def is_blocked(connection: Connection, project: str, title: str) -> bool:
    """Whether ``title`` of a project name is on the blocklist (case-insensitively)."""
    return (
        connection.execute(
            text("SELECT 1 FROM blocked_titles WHERE project = :p AND folded = :f"),
            {"p": project, "f": fold_title(title)},
        ).scalar()
        is not None
    )


def published_days(connection: Connection, project: int, first: int, last: int) -> dict[int, int]:
    """Winning source of every published day of ``project`` in ``[first, last]``."""
    rows = connection.execute(
        text(
            "SELECT day, source FROM published_days WHERE project_id = :p "
            "AND day BETWEEN :first AND :last"
        ),
        {"p": project, "first": first, "last": last},
    )
    return dict(rows.all())


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
    pid = project_id(connection, project)
    tid = None if pid is None else title_id(connection, pid, title)
    if pid is None or tid is None or is_blocked(connection, project, title):
        return []
    winners = published_days(connection, pid, first, last)
    if not winners:
        return []
    wanted = _wanted(access, agent)
    totals: dict[int, int] = defaultdict(int)
    packed = set(
        connection.execute(
            text("SELECT day FROM packed_days WHERE project_id = :p AND day BETWEEN :a AND :b"),
            {"p": pid, "a": first, "b": last},
        ).scalars()
    )
    staged = sorted(day for day in winners if day not in packed)
    for chunk in _chunks(staged):
        rows = connection.execute(
            text(
                "SELECT day, series, views FROM day_counts WHERE project_id = :p "
                "AND day IN :days AND title_id = :t"
            ).bindparams(bindparam("days", expanding=True)),
            {"p": pid, "t": tid, "days": chunk},
        )
        for day, series, views in rows:
            if series in wanted[winners[day]]:
                totals[day] += views
    months = sorted({month_of_day(day) for day in packed if day in winners})
    for chunk in _chunks(months):
        rows = connection.execute(
            text(
                "SELECT month, packed FROM page_months WHERE project_id = :p "
                "AND month IN :months AND title_id = :t"
            ).bindparams(bindparam("months", expanding=True)),
            {"p": pid, "t": tid, "months": chunk},
        )
        for month, blob in rows:
            first_day = month_days(month)[0]
            for series, per_day in series_codec.unpack(blob).items():
                for slot, views in per_day.items():
                    day = first_day + slot
                    if (
                        day in packed
                        and first <= day <= last
                        and series in wanted.get(winners.get(day, -1), ())
                    ):
                        totals[day] += views
    return sorted((day, views) for day, views in totals.items() if views)


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
    rows = connection.execute(
        text(
            "SELECT t.title, a.views, a.rank FROM top_articles a "
            "JOIN titles t ON t.id = a.title_id "
            "WHERE a.project_id = :p AND a.granularity = :g AND a.period = :period "
            "AND a.access = :access ORDER BY a.position"
        ),
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
