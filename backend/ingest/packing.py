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

from sqlalchemy import Connection, Engine, and_, delete, exists, func, insert, select

from backend import series_codec
from backend.codes import Access, Agent
from backend.db import WRITE
from backend.ingest.dialect import dialect_for
from backend.ingest.publication import count_days, ranked, store_top
from backend.models import (
    DayCount,
    PackedDay,
    PageMonth,
    PublishedDay,
    Title,
    TopArticle,
    core,
)
from backend.partitions import ensure_partitions
from backend.timeutil import month_days, month_of_day

#: Title ids handled per round trip while packing.
_ID_BATCH = 200_000
_TOTAL_COLUMNS = ("user_all", "user_desktop", "user_mobile_web", "user_mobile_app")
#: What a packed row's rewrite replaces.
_REPLACED_COLUMNS = ("packed", *_TOTAL_COLUMNS)


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
    published = core(PublishedDay)
    rows = connection.execute(
        select(published.c.day, published.c.source).where(
            published.c.project_id == project, published.c.day.between(days[0], days[-1])
        )
    )
    return {day - days[0]: source for day, source in rows}


def _write_months(connection: Connection, rows: list[dict]) -> None:
    if not rows:
        return
    statement = dialect_for(connection).upsert(
        core(PageMonth), ("project_id", "month", "title_id"), "replace", _REPLACED_COLUMNS
    )
    connection.execute(statement, rows)


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
    months = core(PageMonth)
    of_month = and_(months.c.project_id == project, months.c.month == month)
    rows = connection.execute(
        select(months.c.title_id, months.c.packed).where(
            of_month, months.c.title_id.between(*id_range)
        )
    )
    pages = {title_id: series_codec.unpack(packed) for title_id, packed in rows}
    before = set(pages)
    change(pages)
    out, empty = [], []
    for title_id, series in pages.items():
        packed = series_codec.pack(series)
        if not packed:
            if title_id in before:
                empty.append(title_id)
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
        connection.execute(delete(months).where(of_month, months.c.title_id.in_(empty)))
    _write_months(connection, out)


def _id_ranges(low: int | None, high: int | None) -> Iterable[tuple[int, int]]:
    if low is None or high is None:
        return []
    return ((start, min(start + _ID_BATCH - 1, high)) for start in range(low, high + 1, _ID_BATCH))


def pack_days(connection: Connection, project: int, days: Sequence[int]) -> None:
    """Move ``days`` (all in one month) of ``project`` from ``day_counts`` into ``page_months``."""
    ensure_partitions(connection, days[:1])
    month = month_of_day(days[0])
    first = month_days(month)[0]
    counts_table = core(DayCount)
    of_days = and_(counts_table.c.project_id == project, counts_table.c.day.in_(days))
    low, high = connection.execute(
        select(func.min(counts_table.c.title_id), func.max(counts_table.c.title_id)).where(of_days)
    ).one()
    winners = _winners(connection, project, month)
    for id_range in _id_ranges(low, high):
        counts = connection.execute(
            select(
                counts_table.c.title_id,
                counts_table.c.series,
                counts_table.c.day,
                counts_table.c.views,
            ).where(of_days, counts_table.c.title_id.between(*id_range))
        ).all()
        by_title: dict[int, list[tuple[int, int, int]]] = defaultdict(list)
        for title_id, series, day, views in counts:
            by_title[title_id].append((series, day - first, views))

        def add(pages: dict[int, series_codec.Series], by_title=by_title) -> None:
            for title_id, entries in by_title.items():
                series_codec.merge(pages.setdefault(title_id, {}), entries)

        _rewrite(connection, project, month, id_range, add, winners)
    connection.execute(delete(counts_table).where(of_days))
    connection.execute(
        insert(core(PackedDay)), [{"project_id": project, "day": day} for day in days]
    )


def unpack_days(connection: Connection, scope: Sequence[int] | None, days: Sequence[int]) -> None:
    """Move packed ``days`` of ``scope`` (``None``: every project) back into ``day_counts``."""
    packed = core(PackedDay)
    statement = select(packed.c.project_id, packed.c.day).where(packed.c.day.in_(days))
    if scope is not None:
        statement = statement.where(packed.c.project_id.in_(scope))
    groups: dict[tuple[int, int], list[int]] = defaultdict(list)
    for project, day in connection.execute(statement):
        groups[(project, month_of_day(day))].append(day)
    for (project, month), group in sorted(groups.items()):
        _unpack_month_days(connection, project, month, group)


def _unpack_month_days(connection: Connection, project: int, month: int, days: list[int]) -> None:
    first = month_days(month)[0]
    slots = {day - first for day in days}
    months = core(PageMonth)
    low, high = connection.execute(
        select(func.min(months.c.title_id), func.max(months.c.title_id)).where(
            months.c.project_id == project, months.c.month == month
        )
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
                                "project_id": project,
                                "day": first + slot,
                                "title_id": title_id,
                                "series": code,
                                "views": per_day.pop(slot),
                            }
                        )

        _rewrite(connection, project, month, id_range, take, winners)
        if moved:
            connection.execute(insert(core(DayCount)), moved)
    packed = core(PackedDay)
    connection.execute(delete(packed).where(packed.c.project_id == project, packed.c.day.in_(days)))
    _delete_month_top(connection, project, month)


def _delete_month_top(connection: Connection, project: int, month: int) -> None:
    tops = core(TopArticle)
    connection.execute(
        delete(tops).where(
            tops.c.project_id == project, tops.c.granularity == "m", tops.c.period == month
        )
    )


def settled_days(connection: Connection, staging_days: int) -> dict[tuple[int, int], list[int]]:
    """Published, unpacked days to pack now, grouped by (project, month).

    A day is settled when it is ``staging_days`` older than the project's newest published
    day, or when its month is complete and older than the month of that newest day.
    """
    published_days, packed_days = core(PublishedDay), core(PackedDay)
    newest_day = (
        select(published_days.c.project_id, func.max(published_days.c.day).label("newest"))
        .group_by(published_days.c.project_id)
        .subquery("n")
    )
    is_packed = exists().where(
        packed_days.c.project_id == published_days.c.project_id,
        packed_days.c.day == published_days.c.day,
    )
    rows = connection.execute(
        select(published_days.c.project_id, published_days.c.day, newest_day.c.newest)
        .join(newest_day, newest_day.c.project_id == published_days.c.project_id)
        .where(~is_packed)
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
    _delete_month_top(connection, project, month)
    if packed < len(month_days(month)):
        return
    months, titles = core(PageMonth), core(Title)
    dash = select(titles.c.id).where(titles.c.project_id == project, titles.c.title == "-")
    rows: list[tuple[int, ...]] = []
    for access, name in enumerate(_TOTAL_COLUMNS):
        column = months.c[name]
        # A bounded top-N sort; ranks are numbered in Python (see publication.ranked).
        top = (
            select(months.c.title_id, column)
            .where(
                months.c.project_id == project,
                months.c.month == month,
                column > 0,
                months.c.title_id.not_in(dash.scalar_subquery()),
            )
            .order_by(column.desc(), months.c.title_id)
            .limit(size + 1)
        )
        entries = ranked((title_id, views) for title_id, views in connection.execute(top))
        rows.extend((access, *entry) for entry in entries)
    store_top(connection, project, "m", month, rows, size)
