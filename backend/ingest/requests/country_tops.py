"""Country aggregates of raw logs, with Wikimedia's privacy thresholds as the floor.

* ``country_days``: user views per project, country, day and access (protected countries and
  unknown addresses are never stored); the API sums them by month, keeps sums of at least
  100 views and rounds them up to thousands (``top-by-country``).
* ``country_top_articles``: per country, day and access, the articles read by more than
  ``country_min_actors`` (≥ 1000) distinct readers, views rounded up to hundreds, ranked by
  the exact count, at most 1000 cut as Wikimedia cuts ties (``top-per-country``).
* ``country_article_days``: the same articles and rounded counts, per article (extension).

The per-article working counts behind the last two live only while the day's actor key does
(48 hours); tops are recomputed from them while they exist.
"""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import Connection, delete, distinct, func, insert, select

from backend.ingest.publication import rank_cut
from backend.ingest.requests.upserts import table_of
from backend.models import (
    CountryArticleDay,
    CountryTopArticle,
    RequestCountryActor,
    RequestCountryPage,
    Title,
)

pages_t = table_of(RequestCountryPage)
actors_t = table_of(RequestCountryActor)


def recompute_day(connection: Connection, day: int, min_actors: int, top_size: int) -> int:
    """Rebuild the per-country tops and per-article country counts of ``day``.

    Returns the number of (country, access, article) entries published.
    """
    views: dict[tuple[str, int, int, int], int] = defaultdict(int)
    rows = connection.execute(
        select(
            pages_t.c.country,
            pages_t.c.project_id,
            pages_t.c.title_id,
            pages_t.c.access,
            pages_t.c.views,
        ).where(pages_t.c.day == day)
    )
    for country, project, title, access, count in rows:
        views[(country, project, title, access)] += count
        views[(country, project, title, 0)] += count
    if not views:
        return 0
    readers: dict[tuple[str, int, int, int], int] = {}
    per_access = connection.execute(
        select(
            actors_t.c.country,
            actors_t.c.project_id,
            actors_t.c.title_id,
            actors_t.c.access,
            func.count(),
        )
        .where(actors_t.c.day == day)
        .group_by(actors_t.c.country, actors_t.c.project_id, actors_t.c.title_id, actors_t.c.access)
        .having(func.count() > min_actors)
    )
    for country, project, title, access, count in per_access:
        readers[(country, project, title, access)] = count
    all_access = connection.execute(
        select(
            actors_t.c.country,
            actors_t.c.project_id,
            actors_t.c.title_id,
            func.count(distinct(actors_t.c.actor)),
        )
        .where(actors_t.c.day == day)
        .group_by(actors_t.c.country, actors_t.c.project_id, actors_t.c.title_id)
        .having(func.count(distinct(actors_t.c.actor)) > min_actors)
    )
    for country, project, title, count in all_access:
        readers[(country, project, title, 0)] = count
    dashes = set(
        connection.execute(select(table_of(Title).c.id).where(table_of(Title).c.title == "-"))
        .scalars()
        .all()
    )
    lists: dict[tuple[str, int], list[tuple[int, int, int]]] = defaultdict(list)
    for (country, project, title, access), _count in readers.items():
        if title in dashes:
            continue
        lists[(country, access)].append((views[(country, project, title, access)], project, title))
    connection.execute(delete(table_of(CountryTopArticle)).where(CountryTopArticle.day == day))
    connection.execute(delete(table_of(CountryArticleDay)).where(CountryArticleDay.day == day))
    tops, articles = [], []
    for (country, access), entries in lists.items():
        entries.sort(key=lambda e: (-e[0], e[1], e[2]))
        ranked: list[tuple[int, int, int, int]] = []
        for position, (count, project, title) in enumerate(entries, 1):
            rank = ranked[-1][-1] if ranked and ranked[-1][2] == count else position
            ranked.append((project, title, count, rank))
        for position, (project, title, count, rank) in enumerate(rank_cut(ranked, top_size), 1):
            tops.append(
                {
                    "country": country,
                    "day": day,
                    "access": access,
                    "position": position,
                    "project_id": project,
                    "title_id": title,
                    "views_ceil": ceil_to(count, 100),
                    "rank": rank,
                }
            )
        for _project, _title, count, _rank in ranked:
            articles.append(
                {
                    "project_id": _project,
                    "title_id": _title,
                    "day": day,
                    "country": country,
                    "access": access,
                    "views_ceil": ceil_to(count, 100),
                }
            )
    if tops:
        connection.execute(insert(table_of(CountryTopArticle)), tops)
    if articles:
        connection.execute(insert(table_of(CountryArticleDay)), articles)
    return len(articles)


def ceil_to(value: int, step: int) -> int:
    """``value`` rounded up to a multiple of ``step`` (Wikimedia publishes ceilings)."""
    return -(-value // step) * step
