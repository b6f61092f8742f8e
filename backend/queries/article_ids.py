"""Reads by title id for the extensions: several titles, redirects, the hourly window, ranks."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import Connection, select

from backend import series_codec
from backend.blocklist import fold_title
from backend.models import Coverage, PageHour, Title, TopArticle
from backend.queries.common import (
    TOP_ACCESS_COLUMN,
    blocked_titles,
    chunks,
    days_by_series,
    fetch_rows,
    month_first,
    month_of,
    present_series,
    wanted_series,
)
from backend.queries.projects import visible_project_hours


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
    rows = fetch_rows(
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
        for kind, target, title, tid in fetch_rows(connection, sql, values):
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
    rows = fetch_rows(
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
    """Views per title id and published day of ``[first, last]`` (winning sources only).

    Zero is not absence: a day on which a title had any views in its winning source is
    present, with 0 when none of them are of ``access`` and ``agent`` (as Wikimedia's
    loader writes every access × agent column of a viewed day), provided that source tells
    the combination apart (:func:`present_series`). Days without any views are absent, and
    so are titles without any.
    """
    id_list = sorted(set(ids))
    wanted = wanted_series(access, agent)
    every = present_series(access, agent)
    winners, packed = publication.winners, publication.packed
    days = [day for day in winners if first <= day <= last]
    staged = sorted(day for day in days if day not in packed)
    packed_days = [day for day in days if day in packed]
    months = sorted({month_of(day) for day in packed_days})
    counted = days_by_series(packed_days, winners, wanted)
    marked = days_by_series(packed_days, winners, every)
    totals: dict[int, dict[int, int]] = defaultdict(dict)
    for id_chunk in chunks(id_list):
        for day_chunk in chunks(staged):
            rows = fetch_rows(
                connection,
                "SELECT title_id, day, series, views FROM day_counts WHERE project_id = :p "
                "AND day IN :days AND title_id IN :ids",
                {"p": project_id, "days": day_chunk, "ids": id_chunk},
            )
            for tid, day, series, views in rows:
                per_day = totals[tid]
                if series in wanted[winners[day]]:
                    per_day[day] = per_day.get(day, 0) + views
                elif series in every[winners[day]] and views:
                    per_day.setdefault(day, 0)
        if not months:
            continue
        rows = fetch_rows(
            connection,
            "SELECT title_id, month, packed FROM page_months WHERE project_id = :p "
            "AND month IN :months AND title_id IN :ids",
            {"p": project_id, "months": months, "ids": id_chunk},
        )
        for tid, month, blob in rows:
            series_codec.add_days(
                bytes(blob), month_first(month), counted, totals[tid], marked=marked
            )
    return {tid: per_day for tid, per_day in totals.items() if per_day}


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
    best = visible_project_hours(connection, [project_id], first_hour, last_hour)
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
    wanted = wanted_series(access, agent)
    totals: dict[int, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for id_chunk in chunks(sorted(set(ids))):
        rows = connection.execute(
            select(PageHour.title_id, PageHour.hour, PageHour.series, PageHour.views).where(
                PageHour.project_id == project_id,
                PageHour.title_id.in_(id_chunk),
                PageHour.hour.between(first_hour, last_hour),
            )
        )
        for tid, hour, series, views in rows:
            source = winners.get(hour)
            if source is not None and series in wanted[source]:
                totals[tid][hour] += views
    return {tid: {h: v for h, v in per.items() if v} for tid, per in totals.items()}


def last_visible_hour(connection: Connection, project_id: int) -> int | None:
    """The newest hour of a project that some source covers and no hold keeps back."""
    days = connection.execute(
        select(Coverage.day)
        .where(Coverage.project_id.in_((0, project_id)), Coverage.hours_mask != 0)
        .distinct()
        .order_by(Coverage.day.desc())
        .limit(3)
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
    rows = fetch_rows(
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
        select(Title.title)
        .join(TopArticle, Title.id == TopArticle.title_id)
        .where(
            TopArticle.project_id == values["p"],
            TopArticle.granularity == values["g"],
            TopArticle.period == values["period"],
            TopArticle.access == values["access"],
            TopArticle.views > views,
        )
    ).scalars()
    return rank - sum(1 for title in ahead if fold_title(title) in blocked)
