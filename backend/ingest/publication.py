"""Which days queries may show, from which source, and what follows when that changes.

A (project, day) is published when some source has loaded all 24 of its hours for that
project (or for every project) and none of its hours is held. The best such source wins the
day (``pageview_complete`` over ``pageviews`` over ``pagecounts``); the others stay stored but
unseen, so nothing is ever added across sources. Publishing a day computes its top lists;
publishing the last day of a month computes the month's project totals.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence

from sqlalchemy import Connection, bindparam, text

from backend.codes import Access, Agent, Source, series_code
from backend.ingest.dialect import dialect_for
from backend.ingest.requests import gate
from backend.models import TopArticle, core
from backend.settings import load_settings
from backend.timeutil import FULL_DAY_MASK, month_days, month_of_day

#: Access column of ``top_articles``: 0 is all-access, else 1 + Access.
TOP_ACCESS = {Access.DESKTOP: 1, Access.MOBILE_WEB: 2, Access.MOBILE_APP: 3}


def winners(
    coverage: dict[tuple[int, int, int], int], held: set[tuple[int, int]], project: int, day: int
) -> int | None:
    """The source that wins ``(project, day)``, or ``None`` when the day is not published."""
    if (project, day) in held or (0, day) in held:
        return None
    for source in sorted(Source, reverse=True):
        mask = coverage.get((project, day, source), 0) | coverage.get((0, day, source), 0)
        if mask == FULL_DAY_MASK:
            return int(source)
    return None


def hold_outliers(
    connection: Connection, project_hours: Mapping[tuple[int, int, int], int]
) -> list[tuple[int, int, str]]:
    """The publish gate for the whole hours of a dump file, before its counts are added.

    New hours at the live edge that fall or jump too far against the previous hour and the
    same hour a week earlier go to ``held_hours`` (see :mod:`backend.ingest.requests.gate`).
    """
    totals: Counter[tuple[int, int]] = Counter()
    for (project, hour, _series), views in project_hours.items():
        totals[(project, hour)] += views
    return gate.hold_new_hours(connection, load_settings(), totals, complete=True)


def refresh(
    connection: Connection,
    scope: Sequence[int] | None,
    days: Sequence[int],
    *,
    changed_projects: Iterable[int] = (),
    top_size: int = 1000,
) -> None:
    """Recompute publication of ``days`` for ``scope`` (``None``: every project).

    Top lists are recomputed for days that became published, changed source, or whose
    counts changed (``changed_projects``); project months for months whose days changed.
    """
    if scope is None:
        projects = connection.execute(text("SELECT id FROM projects")).scalars().all()
    else:
        projects = list(scope)
    if not projects or not days:
        return
    coverage = _coverage(connection, days)
    held = _held_days(connection, days)
    current = _published(connection, days)
    changed = set(changed_projects)
    new_rows, gone, retop = [], [], []
    for project in projects:
        for day in days:
            source = winners(coverage, held, project, day)
            before = current.get((project, day))
            if source != before:
                if before is not None:
                    gone.append({"project_id": project, "day": day})
                if source is not None:
                    new_rows.append({"project_id": project, "day": day, "source": source})
            if source is not None and (source != before or project in changed):
                retop.append((project, day, source))
            elif source is None and before is not None:
                retop.append((project, day, None))
    if gone:
        connection.execute(
            text("DELETE FROM published_days WHERE project_id = :project_id AND day = :day"),
            gone,
        )
    if new_rows:
        connection.execute(
            text(
                "INSERT INTO published_days (project_id, day, source) "
                "VALUES (:project_id, :day, :source)"
            ),
            new_rows,
        )
    for project, day, source in retop:
        compute_day_top(connection, project, day, source, top_size)
    months = {(p, month_of_day(d)) for p, d, _ in retop}
    for project, month in sorted(months):
        compute_project_month(connection, project, month)


def _coverage(connection: Connection, days: Sequence[int]) -> dict[tuple[int, int, int], int]:
    rows = connection.execute(
        text(
            "SELECT project_id, day, source, hours_mask FROM coverage WHERE day IN :days"
        ).bindparams(bindparam("days", expanding=True)),
        {"days": list(days)},
    )
    return {(p, d, s): mask for p, d, s, mask in rows}


def _held_days(connection: Connection, days: Sequence[int]) -> set[tuple[int, int]]:
    rows = connection.execute(
        text("SELECT project_id, hour FROM held_hours WHERE hour BETWEEN :first AND :last"),
        {"first": min(days) * 24, "last": max(days) * 24 + 23},
    )
    return {(project, hour // 24) for project, hour in rows}


def _published(connection: Connection, days: Sequence[int]) -> dict[tuple[int, int], int]:
    rows = connection.execute(
        text("SELECT project_id, day, source FROM published_days WHERE day IN :days").bindparams(
            bindparam("days", expanding=True)
        ),
        {"days": list(days)},
    )
    return {(p, d): s for p, d, s in rows}


def user_series(source: int) -> dict[int, int]:
    """User-agent series of ``source`` that have a top-list access column, by series code."""
    return {
        series_code(Source(source), access, Agent.USER): top for access, top in TOP_ACCESS.items()
    }


def rank_cut(rows: list[tuple], size: int) -> list[tuple]:
    """Cut a ranked list as Wikimedia does: keep ranks below the rank of entry ``size + 1``.

    ``rows`` are ``(…, rank)`` ordered by position; a tie straddling the cut drops all of it.
    """
    if len(rows) <= size:
        return rows
    cut = rows[size][-1]
    return [row for row in rows if row[-1] < cut]


def ranked(rows: Iterable[tuple[int, int]]) -> list[tuple[int, int, int, int]]:
    """Number ``(title_id, views)`` rows ordered by views descending (then title id).

    Gives ``(position, title_id, views, rank)`` with ``rank`` as SQL's ``RANK()``: one more
    than the rows with more views. ``rows`` must be a prefix of the whole ordered list (a
    ``LIMIT``), so every row with more views is in it.
    """
    numbered: list[tuple[int, int, int, int]] = []
    rank, previous = 0, None
    for position, (title_id, views) in enumerate(rows, start=1):
        if views != previous:
            rank, previous = position, views
        numbered.append((position, title_id, views, rank))
    return numbered


def compute_day_top(
    connection: Connection, project: int, day: int, source: int | None, size: int
) -> None:
    """Rebuild the top lists of one published day (or delete them when it is not published).

    Each list is its own ``ORDER BY views DESC LIMIT size + 1``: every backend runs that as
    a bounded top-N sort over the day's rows, where one ranking window over all of them
    sorted millions of rows (the largest cost of publishing a big wiki's day).
    """
    connection.execute(
        text(
            "DELETE FROM top_articles WHERE project_id = :p AND granularity = 'd' AND period = :d"
        ),
        {"p": project, "d": day},
    )
    if source is None:
        return
    by_access = user_series(source)
    combined = series_code(Source(source), Access.MOBILE, Agent.USER)
    every = ", ".join(str(code) for code in [*by_access, combined])
    where = (
        "c.project_id = :p AND c.day = :d"
        " AND c.title_id NOT IN (SELECT id FROM titles WHERE project_id = :p AND title = '-')"
    )
    queries = {
        0: f"SELECT c.title_id, SUM(c.views) AS v FROM day_counts c WHERE {where}"
        f" AND c.series IN ({every}) GROUP BY c.title_id ORDER BY v DESC, c.title_id LIMIT :n",
        **{
            top: f"SELECT c.title_id, c.views FROM day_counts c WHERE {where}"
            f" AND c.series = {code} ORDER BY c.views DESC, c.title_id LIMIT :n"
            for code, top in by_access.items()
        },
    }
    rows = [
        (access, *entry)
        for access, query in sorted(queries.items())
        for entry in ranked(
            (title_id, views)
            for title_id, views in connection.execute(
                text(query), {"p": project, "d": day, "n": size + 1}
            )
        )
    ]
    store_top(connection, project, "d", day, rows, size)


def store_top(
    connection: Connection,
    project: int,
    granularity: str,
    period: int,
    rows: Iterable[tuple],
    size: int,
) -> None:
    """Store ranked ``(access, position, title_id, views, rank)`` rows, cut to ``size``."""
    grouped: dict[int, list[tuple]] = defaultdict(list)
    for access, pos, title_id, views, rank in rows:
        grouped[access].append((pos, title_id, views, rank))
    rows_out = [
        (project, granularity, period, access, pos, title_id, views, rank)
        for access, entries in grouped.items()
        for pos, title_id, views, rank in rank_cut(entries, size)
    ]
    if rows_out:
        # The driver's bulk path: a day's lists are thousands of rows per project, and
        # binding them one dict at a time through SQL text cost more than computing them.
        dialect_for(connection).append(core(TopArticle), rows_out)


def count_days(connection: Connection, table: str, project: int, month: int) -> int:
    """How many days of ``month`` a project has in ``published_days`` or ``packed_days``."""
    days = month_days(month)
    return connection.execute(
        text(
            f"SELECT COUNT(*) FROM {table} WHERE project_id = :p AND day BETWEEN :first AND :last"
        ),
        {"p": project, "first": days[0], "last": days[-1]},
    ).scalar_one()


def compute_project_month(connection: Connection, project: int, month: int) -> None:
    """Rebuild a project's totals for a month, kept only when every day is published."""
    days = month_days(month)
    connection.execute(
        text("DELETE FROM project_months WHERE project_id = :p AND month = :m"),
        {"p": project, "m": month},
    )
    published = count_days(connection, "published_days", project, month)
    if published < len(days):
        return
    connection.execute(
        text(
            "INSERT INTO project_months (project_id, month, series, views) "
            "SELECT d.project_id, :m, d.series, SUM(d.views) FROM project_days d "
            "JOIN published_days p ON p.project_id = d.project_id AND p.day = d.day "
            "AND p.source = (d.series >> 4) "
            "WHERE d.project_id = :p AND d.day BETWEEN :first AND :last "
            "GROUP BY d.project_id, d.series"
        ),
        {"p": project, "m": month, "first": days[0], "last": days[-1]},
    )
