"""Move settled days from ``day_counts`` into packed per-page monthly rows, and back.

Packing runs after loads, one (project, month) per transaction, for published days older
than ``staging_days`` before the project's newest published day. A file that touches a packed
day first unpacks it (inside the file's transaction), so every change goes through
``day_counts`` and the per-day top lists; packed rows are only ever rewritten whole.
A month whose days are all packed gets its monthly top lists from the packed totals.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence

from sqlalchemy import Connection, Engine, bindparam, text

from backend import series_codec
from backend.codes import Access, Agent
from backend.db import WRITE
from backend.ingest.dialect import dialect_for
from backend.ingest.publication import count_days, store_top
from backend.timeutil import month_days, month_of_day

#: Title ids handled per round trip while packing.
_ID_BATCH = 200_000
_TOTAL_COLUMNS = ("user_all", "user_desktop", "user_mobile_web", "user_mobile_app")
_PAGE_MONTH_COLUMNS = ("project_id", "month", "title_id", "packed", *_TOTAL_COLUMNS)


def _totals(series: series_codec.Series, winners: dict[int, int]) -> tuple[int, int, int, int]:
    """User views of the winning source per day: all access, desktop, mobile web, mobile app."""
    total = desktop = web = app = 0
    for code, days in series.items():
        source, access, agent = code >> 4, (code >> 2) & 3, code & 3
        if agent != Agent.USER:
            continue
        views = sum(v for day, v in days.items() if winners.get(day) == source)
        total += views
        if access == Access.DESKTOP:
            desktop += views
        elif access == Access.MOBILE_WEB:
            web += views
        elif access == Access.MOBILE_APP:
            app += views
    return total, desktop, web, app


def _winners(connection: Connection, project: int, month: int) -> dict[int, int]:
    """Winning source per day of the month, keyed by day of month (0-based)."""
    days = month_days(month)
    rows = connection.execute(
        text(
            "SELECT day, source FROM published_days WHERE project_id = :p "
            "AND day BETWEEN :first AND :last"
        ),
        {"p": project, "first": days[0], "last": days[-1]},
    )
    return {day - days[0]: source for day, source in rows}


def _write_months(connection: Connection, rows: list[dict]) -> None:
    if not rows:
        return
    dialect = dialect_for(connection)
    columns = ", ".join(_PAGE_MONTH_COLUMNS)
    values = ", ".join(f":{c}" for c in _PAGE_MONTH_COLUMNS)
    connection.execute(
        text(
            f"INSERT INTO page_months ({columns}) VALUES ({values})"
            + dialect.on_conflict_replace(
                ("project_id", "month", "title_id"), ("packed", *_TOTAL_COLUMNS)
            )
        ),
        rows,
    )


def _rewrite(
    connection: Connection,
    project: int,
    month: int,
    id_range: tuple[int, int],
    change: Callable[[dict[int, series_codec.Series]], None],
    winners: dict[int, int],
) -> None:
    """Load the packed rows of a title-id range, let ``change`` edit them, write them back.

    ``winners`` is the winning source per day of month, for the monthly user totals.
    """
    low, high = id_range
    rows = connection.execute(
        text(
            "SELECT title_id, packed FROM page_months WHERE project_id = :p AND month = :m "
            "AND title_id BETWEEN :low AND :high"
        ),
        {"p": project, "m": month, "low": low, "high": high},
    )
    pages = {title_id: series_codec.unpack(packed) for title_id, packed in rows}
    before = set(pages)
    change(pages)
    out, empty = [], []
    for title_id, series in pages.items():
        packed = series_codec.pack(series)
        if not packed:
            if title_id in before:
                empty.append({"p": project, "m": month, "t": title_id})
            continue
        total, desktop, web, app = _totals(series, winners)
        out.append(
            {
                "project_id": project,
                "month": month,
                "title_id": title_id,
                "packed": packed,
                "user_all": total,
                "user_desktop": desktop,
                "user_mobile_web": web,
                "user_mobile_app": app,
            }
        )
    if empty:
        connection.execute(
            text("DELETE FROM page_months WHERE project_id = :p AND month = :m AND title_id = :t"),
            empty,
        )
    _write_months(connection, out)


def _id_ranges(low: int | None, high: int | None) -> Iterable[tuple[int, int]]:
    if low is None or high is None:
        return []
    return ((start, min(start + _ID_BATCH - 1, high)) for start in range(low, high + 1, _ID_BATCH))


def pack_days(connection: Connection, project: int, days: Sequence[int]) -> None:
    """Move ``days`` (all in one month) of ``project`` from ``day_counts`` into ``page_months``."""
    month = month_of_day(days[0])
    first = month_days(month)[0]
    day_list = {"days": list(days)}
    low, high = connection.execute(
        text(
            "SELECT MIN(title_id), MAX(title_id) FROM day_counts "
            "WHERE project_id = :p AND day IN :days"
        ).bindparams(bindparam("days", expanding=True)),
        {"p": project, **day_list},
    ).one()
    winners = _winners(connection, project, month)
    for id_range in _id_ranges(low, high):
        counts = connection.execute(
            text(
                "SELECT title_id, series, day, views FROM day_counts WHERE project_id = :p "
                "AND day IN :days AND title_id BETWEEN :low AND :high"
            ).bindparams(bindparam("days", expanding=True)),
            {"p": project, "low": id_range[0], "high": id_range[1], **day_list},
        ).all()
        by_title: dict[int, list[tuple[int, int, int]]] = defaultdict(list)
        for title_id, series, day, views in counts:
            by_title[title_id].append((series, day - first, views))

        def add(pages: dict[int, series_codec.Series], by_title=by_title) -> None:
            for title_id, entries in by_title.items():
                series_codec.merge(pages.setdefault(title_id, {}), entries)

        _rewrite(connection, project, month, id_range, add, winners)
    connection.execute(
        text("DELETE FROM day_counts WHERE project_id = :p AND day IN :days").bindparams(
            bindparam("days", expanding=True)
        ),
        {"p": project, **day_list},
    )
    connection.execute(
        text("INSERT INTO packed_days (project_id, day) VALUES (:p, :d)"),
        [{"p": project, "d": day} for day in days],
    )


def unpack_days(connection: Connection, scope: Sequence[int] | None, days: Sequence[int]) -> None:
    """Move packed ``days`` of ``scope`` (``None``: every project) back into ``day_counts``."""
    query = "SELECT project_id, day FROM packed_days WHERE day IN :days"
    params: dict = {"days": list(days)}
    statement = text(query).bindparams(bindparam("days", expanding=True))
    if scope is not None:
        statement = text(query + " AND project_id IN :projects").bindparams(
            bindparam("days", expanding=True), bindparam("projects", expanding=True)
        )
        params["projects"] = list(scope)
    groups: dict[tuple[int, int], list[int]] = defaultdict(list)
    for project, day in connection.execute(statement, params):
        groups[(project, month_of_day(day))].append(day)
    for (project, month), group in sorted(groups.items()):
        _unpack_month_days(connection, project, month, group)


def _unpack_month_days(connection: Connection, project: int, month: int, days: list[int]) -> None:
    first = month_days(month)[0]
    slots = {day - first for day in days}
    low, high = connection.execute(
        text(
            "SELECT MIN(title_id), MAX(title_id) FROM page_months "
            "WHERE project_id = :p AND month = :m"
        ),
        {"p": project, "m": month},
    ).one()
    winners = _winners(connection, project, month)
    for id_range in _id_ranges(low, high):
        moved: list[dict] = []

        def take(pages: dict[int, series_codec.Series], moved=moved) -> None:
            for title_id, series in pages.items():
                for code, per_day in series.items():
                    for slot in slots & per_day.keys():
                        moved.append(
                            {
                                "p": project,
                                "d": first + slot,
                                "t": title_id,
                                "s": code,
                                "v": per_day.pop(slot),
                            }
                        )

        _rewrite(connection, project, month, id_range, take, winners)
        if moved:
            connection.execute(
                text(
                    "INSERT INTO day_counts (project_id, day, title_id, series, views) "
                    "VALUES (:p, :d, :t, :s, :v)"
                ),
                moved,
            )
    connection.execute(
        text("DELETE FROM packed_days WHERE project_id = :p AND day IN :days").bindparams(
            bindparam("days", expanding=True)
        ),
        {"p": project, "days": days},
    )
    connection.execute(
        text(
            "DELETE FROM top_articles WHERE project_id = :p AND granularity = 'm' AND period = :m"
        ),
        {"p": project, "m": month},
    )


def settled_days(connection: Connection, staging_days: int) -> dict[tuple[int, int], list[int]]:
    """Published, unpacked days to pack now, grouped by (project, month).

    A day is settled when it is ``staging_days`` older than the project's newest published
    day, or when its month is complete and older than the month of that newest day.
    """
    rows = connection.execute(
        text(
            "SELECT p.project_id, p.day, n.newest FROM published_days p "
            "JOIN (SELECT project_id, MAX(day) AS newest FROM published_days "
            "      GROUP BY project_id) n ON n.project_id = p.project_id "
            "WHERE NOT EXISTS ("
            " SELECT 1 FROM packed_days k WHERE k.project_id = p.project_id AND k.day = p.day)"
        )
    )
    groups: dict[tuple[int, int], list[int]] = defaultdict(list)
    newest_of: dict[int, int] = {}
    for project, day, newest in rows:
        groups[(project, month_of_day(day))].append(day)
        newest_of[project] = newest
    settled: dict[tuple[int, int], list[int]] = {}
    for (project, month), days in groups.items():
        newest = newest_of[project]
        ready = [day for day in days if day <= newest - staging_days]
        if len(ready) < len(days) and month < month_of_day(newest):
            span = month_days(month)
            published = count_days(connection, "published_days", project, month)
            if published == len(span):
                ready = days
        if ready:
            settled[(project, month)] = sorted(ready)
    return settled


def pack_settled(
    engine: Engine, staging_days: int, top_size: int, progress: Callable[[str], None] | None = None
) -> int:
    """Pack every settled day, one (project, month) per transaction; returns days packed."""
    with engine.connect() as connection:
        groups = settled_days(connection, staging_days)
    packed = 0
    for (project, month), days in sorted(groups.items()):
        with engine.connect().execution_options(**WRITE) as connection, connection.begin():
            dialect_for(connection).lock()
            pack_days(connection, project, sorted(days))
            compute_month_top(connection, project, month, top_size)
        packed += len(days)
        if progress:
            progress(f"packed {len(days)} days of project {project}, month {month}")
    return packed


def compute_month_top(connection: Connection, project: int, month: int, size: int) -> None:
    """Monthly top lists of a month once all its days are published and packed."""
    packed = count_days(connection, "packed_days", project, month)
    connection.execute(
        text(
            "DELETE FROM top_articles WHERE project_id = :p AND granularity = 'm' AND period = :m"
        ),
        {"p": project, "m": month},
    )
    if packed < len(month_days(month)):
        return
    rows: list[tuple] = []
    for access, column in enumerate(_TOTAL_COLUMNS):
        rows.extend(
            connection.execute(
                text(
                    f"SELECT {access}, ROW_NUMBER() OVER (ORDER BY {column} DESC, title_id), "
                    f"title_id, {column}, RANK() OVER (ORDER BY {column} DESC) "
                    "FROM page_months WHERE project_id = :p AND month = :m AND "
                    f"{column} > 0 AND title_id NOT IN (SELECT id FROM titles "
                    "WHERE project_id = :p AND title = '-') "
                    f"ORDER BY {column} DESC, title_id LIMIT :limit"
                ),
                {"p": project, "m": month, "limit": size + 1},
            )
        )
    store_top(connection, project, "m", month, rows, size)
