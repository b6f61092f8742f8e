"""``StoreSource``: the read model answered from the store, through :mod:`backend.queries`."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Connection, Engine

from backend import queries, timeutil
from backend.codes import SOURCE_NAMES, Source
from backend.sources.summary import read_start, summarise
from backend.sources.types import (
    NotPublished,
    ProjectStatus,
    SourceError,
    StoreStatus,
    Summary,
    TopArticle,
    TopList,
)
from backend.timeutil import (
    day_date,
    day_number,
    day_stamp,
    hour_stamp,
    month_days,
    month_of_day,
    month_stamp,
)

#: Longest range a top list is summed exactly from daily counts; longer ones use months.
EXACT_TOP_DAYS = 31


@dataclass(frozen=True)
class DailyViews:
    """Daily views of several titles as :meth:`StoreSource.daily_by_day` reads them."""

    #: Title → day number → views (a viewed day with none of the asked kind is 0).
    series: dict[str, dict[int, int]]
    #: Title → the redirects summed into it.
    redirects: dict[str, list[str]]
    #: The published days of the range, oldest first.
    days: list[int]


class StoreSource:
    """The store as a :class:`~backend.sources.PageviewSource`.

    Give it an engine (each question runs on a connection of its own) or a connection (the
    API's per-request one: every question then sees one snapshot and its time limit).
    """

    def __init__(self, store: Engine | Connection) -> None:
        self._store = store

    @contextlib.contextmanager
    def _connection(self) -> Iterator[Connection]:
        if isinstance(self._store, Connection):
            yield self._store
        else:
            with self._store.connect() as connection:
                yield connection

    def through(self, project: str) -> date | None:
        """The last published day of ``project``, or ``None``."""
        with self._connection() as db:
            state = queries.project_and_through(db, project)
        return None if state is None or state[1] is None else day_date(state[1])

    def daily_by_day(
        self,
        project: str,
        titles: list[str],
        first: int,
        last: int,
        *,
        access: str,
        agent: str,
        redirects: bool,
    ) -> DailyViews:
        """Views by title (as the store writes it) and day number, with the redirects summed
        in and the published days of ``[first, last]``: the form the API serialises."""
        with self._connection() as db:
            state = queries.project_and_through(db, project)
            if state is None:
                return DailyViews({title: {} for title in titles}, {}, [])
            pid = state[0]
            resolved = queries.resolve_titles(db, pid, project, titles, redirects=redirects)
            publication = queries.day_publication(db, pid, first, last)
            every_id = [tid for ids in resolved.values() for tid in ids.ids]
            views = queries.daily_views_by_id(
                db, pid, every_id, access, agent, publication, first, last
            )
        return DailyViews(
            {title: queries.sum_views(views, ids.ids) for title, ids in resolved.items()},
            {title: list(ids.redirects) for title, ids in resolved.items()},
            sorted(publication.winners),
        )

    def daily(
        self,
        project: str,
        titles: list[str],
        start: date,
        end: date,
        *,
        access: str = "all-access",
        agent: str = "user",
        redirects: bool = False,
        zero_fill: bool = False,
    ) -> dict[str, dict[str, int]]:
        """``{title: {"YYYYMMDD": views}}`` for every title given (see the protocol)."""
        stored = {title: title.replace(" ", "_") for title in titles}
        first, last = day_number(start), day_number(end)
        with self._connection() as db:
            if len(stored) == 1 and not redirects:
                # One title, no redirects: the compatible route's question, in one query less.
                (key,) = stored.values()
                series = {
                    key: dict(queries.article_daily(db, project, key, access, agent, first, last))
                }
            else:
                series = self.daily_by_day(
                    project,
                    list(dict.fromkeys(stored.values())),
                    first,
                    last,
                    access=access,
                    agent=agent,
                    redirects=redirects,
                ).series
            through = queries.project_and_through(db, project) if zero_fill else None
        filled: list[int] = []
        if through is not None and through[1] is not None:
            filled = list(range(first, min(last, through[1]) + 1))
        result: dict[str, dict[str, int]] = {}
        for title, key in stored.items():
            per_day = series.get(key, {})
            days = sorted(set(per_day) | set(filled))
            result[title] = {day_stamp(day): per_day.get(day, 0) for day in days}
        return result

    def hourly(
        self,
        project: str,
        titles: list[str],
        start: date,
        end: date,
        *,
        access: str = "all-access",
        agent: str = "user",
    ) -> dict[str, dict[str, int]]:
        """``{title: {"YYYYMMDDHH": views}}`` from the hourly window (see the protocol).

        Hours are clipped to the newest visible hour; a range the window holds no per-page
        row of answers empty series, as the API's ``per-article-hourly`` route answers 404.
        """
        stored = {title: title.replace(" ", "_") for title in titles}
        first, last = day_number(start) * 24, day_number(end) * 24 + 23
        empty: dict[str, dict[str, int]] = {title: {} for title in titles}
        with self._connection() as db:
            state = queries.project_and_through(db, project)
            newest = None if state is None else queries.last_visible_hour(db, state[0])
            if state is None or newest is None:
                return empty
            pid, last = state[0], min(last, newest)
            if first > last or not queries.hourly_window_filled(db, pid, first, last):
                return empty
            winners = queries.visible_hours(db, pid, first, last)
            names = list(dict.fromkeys(stored.values()))
            resolved = queries.resolve_titles(db, pid, project, names, redirects=False)
            every_id = [tid for ids in resolved.values() for tid in ids.ids]
            views = queries.hourly_views_by_id(
                db, pid, every_id, access, agent, winners, first, last
            )
        series = {title: queries.sum_views(views, ids.ids) for title, ids in resolved.items()}
        return {
            title: {hour_stamp(h): n for h, n in sorted(series.get(key, {}).items())}
            for title, key in stored.items()
        }

    def monthly(
        self,
        project: str,
        titles: list[str],
        start: date,
        end: date,
        *,
        access: str = "all-access",
        agent: str = "user",
        redirects: bool = False,
    ) -> dict[str, dict[str, int]]:
        """``{title: {"YYYYMM01": views}}`` over the whole months within ``start``..``end``."""
        months = whole_months(start, end)
        if months is None:
            return {title: {} for title in titles}
        first, last = month_days(months[0])[0], month_days(months[1])[-1]
        daily = self.daily(
            project,
            titles,
            day_date(first),
            day_date(last),
            access=access,
            agent=agent,
            redirects=redirects,
        )
        return {title: per_month(series) for title, series in daily.items()}

    def top(
        self,
        project: str,
        start: date,
        end: date | None = None,
        *,
        access: str = "all-access",
        limit: int = 1000,
    ) -> TopList:
        """A day's list (``end`` omitted), a whole month's, or a range's (exact to 31 days)."""
        first = day_number(start)
        last = first if end is None else day_number(end)
        with self._connection() as db:
            if first == last:
                entries = queries.top_articles(db, project, access, day=first)
                return _top_list(project, access, start, start, entries, limit)
            month = month_of_day(first)
            days = month_days(month)
            if first == days[0] and last == days[-1]:
                entries = queries.top_articles(db, project, access, month=month)
                return _top_list(project, access, start, day_date(last), entries, limit)
            if last - first + 1 <= EXACT_TOP_DAYS:
                found = queries.range_top_days(db, project, access, first, last, limit)
                covered = found.periods if found else []
                method = "exact"
            else:
                months = whole_months(start, day_date(last))
                found = (
                    None
                    if months is None
                    else queries.range_top_months(db, project, access, *months, limit)
                )
                covered = [d for month in found.periods for d in month_days(month)] if found else []
                method = "months"
        if found is None or not covered:
            return TopList(project, access, start, day_date(last), [], method)
        return TopList(
            project,
            access,
            day_date(covered[0]),
            day_date(covered[-1]),
            [TopArticle(e.title, e.views, e.rank) for e in found.entries],
            method,
        )

    def aggregate(
        self,
        project: str,
        start: date,
        end: date,
        *,
        access: str = "all-access",
        agent: str = "user",
        granularity: str = "daily",
    ) -> dict[str, int]:
        """A project's (or ``all-projects``') views: ``{"YYYYMMDD[HH]": views}``."""
        first, last = day_number(start), day_number(end)
        with self._connection() as db:
            if granularity == "hourly":
                rows = queries.project_hourly(
                    db, project, access, agent, first * 24, last * 24 + 23
                )
                return {hour_stamp(hour): views for hour, views in rows}
            if granularity == "daily":
                rows = queries.project_daily(db, project, access, agent, first, last)
                return {day_stamp(day): views for day, views in rows}
            if granularity != "monthly":
                raise ValueError(f"unknown granularity {granularity!r}")
            months = whole_months(start, end)
            if months is None:
                return {}
            rows = queries.project_monthly(db, project, access, agent, *months)
            return {month_stamp(month): views for month, views in rows}

    def summary(
        self,
        project: str,
        title: str,
        *,
        days: int = 60,
        agent: str = "user",
        access: str = "all-access",
        redirects: bool = False,
    ) -> Summary:
        """The gadget's summary of one article (raises :class:`NotPublished` without data)."""
        with self._connection() as db:
            state = queries.project_and_through(db, project)
            last = None if state is None else state[1]
            if state is None or last is None:
                raise NotPublished(project)
            pid, through = state[0], last
            stored = title.replace(" ", "_")
            blocked = queries.blocked_titles(db, project)
            ids = queries.resolve_titles(
                db, pid, project, [stored], redirects=redirects, blocked=blocked
            )[stored]
            first = day_number(read_start(day_date(through), days))
            daily: dict[int, int] = {}
            if ids.ids:
                publication = queries.day_publication(db, pid, first, through)
                views = queries.daily_views_by_id(
                    db, pid, ids.ids, access, agent, publication, first, through
                )
                daily = queries.sum_views(views, ids.ids)
            rank = None
            if ids.own_id is not None:
                rank = queries.top_rank(db, pid, ids.own_id, access, blocked=blocked, day=through)
        return summarise(
            project,
            title,
            day_date(through),
            {day_date(day): views for day, views in daily.items()},
            days=days,
            rank=rank,
            redirects=list(ids.redirects),
        )

    def rank(
        self,
        project: str,
        title: str,
        *,
        access: str = "all-access",
        day: int | None = None,
        month: int | None = None,
    ) -> int | None:
        """The title's rank in the top list of a day (or month) number as served, or ``None``."""
        stored = title.replace(" ", "_")
        with self._connection() as db:
            state = queries.project_and_through(db, project)
            if state is None:
                return None
            blocked = queries.blocked_titles(db, project)
            ids = queries.resolve_titles(
                db, state[0], project, [stored], redirects=False, blocked=blocked
            )[stored]
            if ids.own_id is None:
                return None
            return queries.top_rank(
                db, state[0], ids.own_id, access, blocked=blocked, day=day, month=month
            )

    def status(self) -> StoreStatus:
        """What the store holds, per project, and its size."""
        with self._connection() as db:
            rows = queries.project_rows(db)
            size = queries.store_size(db)
            pending = queries.pending_days(db)
            backend = db.dialect.name
        return StoreStatus(
            backend,
            [
                ProjectStatus(
                    row.project,
                    day_date(row.first_day) if row.first_day is not None else None,
                    day_date(row.last_day) if row.last_day is not None else None,
                    row.days,
                    {SOURCE_NAMES[Source(s)]: n for s, n in row.sources.items()},
                    row.held_hours,
                )
                for row in rows
            ],
            size,
            pending,
        )


def whole_months(start: date, end: date) -> tuple[int, int] | None:
    """First and last month numbers wholly inside ``start``..``end``, or ``None``."""
    return timeutil.whole_months(day_number(start), day_number(end))


def per_month(series: dict[str, int]) -> dict[str, int]:
    """Daily ``{"YYYYMMDD": views}`` summed into ``{"YYYYMM01": views}``."""
    months: dict[str, int] = {}
    for key, views in series.items():
        month = key[:6] + "01"
        months[month] = months.get(month, 0) + views
    return months


def _top_list(
    project: str,
    access: str,
    start: date,
    end: date,
    entries: list[queries.TopEntry],
    limit: int,
) -> TopList:
    kept = [TopArticle(e.title, e.views, e.rank) for e in entries if e.rank <= limit]
    return TopList(project, access, start, end, kept)


__all__ = ["SourceError", "StoreSource"]
