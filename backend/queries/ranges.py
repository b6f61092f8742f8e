"""Top lists over a range of days: exact from daily counts, or whole months."""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import Connection, func, select

from backend import series_codec
from backend.blocklist import fold_title
from backend.models import DayCount, PackedDay, PageMonth, Title, TopArticle
from backend.queries.article_ids import DayPublication, daily_views_by_id, day_publication
from backend.queries.common import (
    CHUNK,
    TOP_ACCESS_COLUMN,
    TopEntry,
    blocked_titles,
    chunks,
    days_by_series,
    project_id,
    wanted_series,
)
from backend.queries.tops import reranked
from backend.timeutil import month_days, month_of_day


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
        select(PackedDay.day).where(
            PackedDay.project_id == pid, PackedDay.day.between(first_day, last_day)
        )
    ).scalars():
        packed_per_month[month_of_day(day)] += 1
    months = sorted(m for m, n in packed_per_month.items() if n == len(month_days(m)))
    if not months:
        return None
    blocked = blocked_titles(connection, project)
    column = PageMonth.__table__.c[_TOTAL_COLUMN[TOP_ACCESS_COLUMN[access]]]
    in_months = (PageMonth.project_id == pid, PageMonth.month.in_(months))
    lists = _stored_lists(connection, pid, "m", months, access)

    def lookup(ids: list[int]) -> dict[int, int]:
        found: dict[int, int] = {}
        for chunk in chunks(ids):
            rows = connection.execute(
                select(PageMonth.title_id, func.sum(column))
                .where(*in_months, PageMonth.title_id.in_(chunk))
                .group_by(PageMonth.title_id)
            )
            found.update((tid, int(total)) for tid, total in rows)
        return found

    def scan() -> dict[int, int]:
        rows = connection.execute(
            select(PageMonth.title_id, func.sum(column))
            .where(*in_months, column > 0)
            .group_by(PageMonth.title_id)
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
        select(TopArticle.period, TopArticle.title_id, Title.title, TopArticle.views)
        .join(Title, Title.id == TopArticle.title_id)
        .where(
            TopArticle.project_id == pid,
            TopArticle.granularity == granularity,
            TopArticle.period.between(periods[0], periods[-1]),
            TopArticle.access == TOP_ACCESS_COLUMN[access],
        )
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
        batch = ordered[at : at + max(2 * limit, CHUNK)]
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
    ranked = reranked([TopEntry(title, views, 0) for title, views in rows[: limit + 1]])
    if len(ranked) <= limit:
        return ranked
    cut = ranked[limit].rank
    return [entry for entry in ranked if entry.rank < cut]


def _titles_of(connection: Connection, ids: list[int]) -> dict[int, str]:
    names: dict[int, str] = {}
    for chunk in chunks(ids):
        names.update(
            connection.execute(select(Title.id, Title.title).where(Title.id.in_(chunk))).all()
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
    wanted = wanted_series(access, "user")
    totals: dict[int, int] = defaultdict(int)
    by_source: dict[int, list[int]] = defaultdict(list)
    for day in days:
        if day not in publication.packed:
            by_source[publication.winners[day]].append(day)
    for source, source_days in by_source.items():
        for chunk in chunks(source_days):
            rows = connection.execute(
                select(DayCount.title_id, func.sum(DayCount.views))
                .where(
                    DayCount.project_id == pid,
                    DayCount.day.in_(chunk),
                    DayCount.series.in_(sorted(wanted[source])),
                )
                .group_by(DayCount.title_id)
            )
            for tid, views in rows:
                totals[tid] += int(views)
    packed_days = [day for day in days if day in publication.packed]
    months = sorted({month_of_day(day) for day in packed_days})
    if months:
        counted = days_by_series(packed_days, publication.winners, wanted)
        packed_rows = connection.execute(
            select(PageMonth.title_id, PageMonth.month, PageMonth.packed).where(
                PageMonth.project_id == pid, PageMonth.month.in_(months)
            )
        )
        for number, (tid, month, blob) in enumerate(packed_rows):
            if deadline is not None and number % 2048 == 0 and time.monotonic() > deadline:
                raise ScanTooLong
            per_day: dict[int, int] = {}
            series_codec.add_days(bytes(blob), month_days(month)[0], counted, per_day)
            if per_day:
                totals[tid] += sum(per_day.values())
    return totals
