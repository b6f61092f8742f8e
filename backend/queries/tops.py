"""Precomputed top lists: per project, and per country from raw request logs."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, func, select

from backend.blocklist import fold_title
from backend.models import CountryDay, CountryTopArticle, Project, Title
from backend.queries.articles import published_days
from backend.queries.common import (
    TOP_ACCESS_COLUMN,
    TopEntry,
    blocked_titles,
    fetch_rows,
    project_id,
)
from backend.queries.projects import project_ids
from backend.timeutil import month_days


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
    rows = fetch_rows(
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
    return reranked(kept)


def reranked(entries: list[TopEntry]) -> list[TopEntry]:
    """Ranks as SQL ``rank()`` over views descending gives them (ties share, gaps follow)."""
    ranked: list[TopEntry] = []
    for position, entry in enumerate(entries):
        tied = ranked and ranked[-1].views == entry.views
        ranked.append(TopEntry(entry.title, entry.views, ranked[-1].rank if tied else position + 1))
    return ranked


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
    connection: Connection,
    project: str,
    access: str,
    month: int,
    minimum: int = COUNTRY_MONTH_MINIMUM,
) -> list[CountryEntry]:
    """Countries of a project (or ``all-projects``) in a month, by views, privacy-bounded.

    Sums of fewer than ``minimum`` views (never below 100) are left out; the rest are
    rounded up to thousands and ranked by the exact sum (ties share a rank), as Wikimedia
    publishes them.
    """
    ids = project_ids(connection, project)
    if not ids:
        return []
    days = month_days(month)
    rows = connection.execute(
        select(CountryDay.country, func.sum(CountryDay.views))
        .where(
            CountryDay.project_id.in_(ids),
            CountryDay.day.between(days[0], days[-1]),
            CountryDay.access == TOP_ACCESS_COLUMN[access],
        )
        .group_by(CountryDay.country)
    ).all()
    kept = sorted(
        (
            (country, int(total))
            for country, total in rows
            if total >= max(minimum, COUNTRY_MONTH_MINIMUM)
        ),
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
        select(Project.name, Title.title, CountryTopArticle.views_ceil, CountryTopArticle.rank)
        .join(Title, Title.id == CountryTopArticle.title_id)
        .join(Project, Project.id == CountryTopArticle.project_id)
        .where(
            CountryTopArticle.country == country,
            CountryTopArticle.day == day,
            CountryTopArticle.access == TOP_ACCESS_COLUMN[access],
        )
        .order_by(CountryTopArticle.position)
    )
    return [CountryArticle(name, title, ceil, rank) for name, title, ceil, rank in rows]
